"""The last rows of a large csv problem list, written by a helper process beside the main one.

At 200 000 problems the csv export is about two seconds of Python on one core: fetching the sorted rows,
looking up the names and notes, joining the cells. A thread cannot share that work (the GIL), a process
can. So `export_rows.export_batches` splits a large export in the urgency order at a due date near the
middle (`export_rows.Part`): the main process reads and writes the first rows, and `CsvPart` starts a
helper process (`csv_helper.main`) that reads the rest with the standard `sqlite3` module and writes their
csv lines to a file beside the target, which the main process then appends. The helper gets the
snapshot it must read (the file, the last audit id: `export_rows.Snapshot`) and reads the latest notes
of the whole export for both processes while the main one reads the names; then its query; then the
names, already rendered for csv by the main process (`export_cells.Lookups.rendered`). Both pass these
through files, with `marshal`. It renders its rows with the same code (`problem_csv`), so the file is
byte for byte the one a single process writes.

The helper imports only the standard library and the light modules (`export_cells`, `problem_csv`,
`formula`, `domain.enums`): it starts in about 0.07 s, where the app's own imports would take half a
second or more. When it cannot do its part (it cannot start, it finds another snapshot than the main
process read, it fails), `notes()` and `end()` say so and `export_batches` reads those notes and rows
in the main process instead: the file is the same, only slower. Only when the rows it wrote are
complete are they appended.

Messages: the main process writes frames to the helper's stdin (an 8-byte length, then a marshal dump):
the snapshot (`export_rows.Snapshot`, before the packing is checked), then the
part (`export_rows.Part`, once it has found where to split), then the path of the names. The helper
writes lines to its stdout: "N" once the notes are in their file, "P <rows>" after each batch, and
"OK <rows> <open> <closed> <overdue>" at the end (the 合计 counts of its rows), or "STALE". A helper
whose export is not split after all finds its stdin closed and stops.
"""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

from servicetui.reports.common import Progress, sweep_stale_parts
from servicetui.reports.csv_helper import LENGTH
from servicetui.reports.problem_csv import CSV_CELLS
from servicetui.services.export_cells import Lookups

_ROOT = str(Path(__file__).resolve().parents[2])  # the directory that holds the servicetui package
# -S: no site-packages; the helper needs only the standard library and this package
COMMAND = [sys.executable, "-S", "-c",
           "import sys; sys.path.insert(0, sys.argv[1]); from servicetui.reports.csv_helper import main; sys.exit(main())",
           _ROOT]
WAITING_ROWS = 60_000  # rows the helper reads ahead while the names are not there yet (its memory)
STALE = "the helper read a newer state of the database"
PART_PREFIX = ".servicetui-part-"  # the helper's files: a private directory beside the target
TIMEOUT_S = 600  # a helper still running after this is stopped, and its rows are written by the main process


class CsvPart:
    """The main process's side (an `export_rows.Helper`): start the helper, send it the snapshot, the
    part and the names, take its notes, and wait for it; `copy_to(fh)` appends its rows. Use it as a
    context manager: on the way out a helper still running is stopped and its files removed."""

    def __init__(self, directory: str | os.PathLike, progress: Progress = None):
        """Starts the helper: its interpreter boots while the main process reads the settings (a writer
        makes one only when the export may be split: `export_rows.may_split`)."""
        self.directory, self.progress = Path(directory), progress
        self.proc: subprocess.Popen | None = None
        self.box: Path | None = None  # a private directory beside the target for these files
        self.out: Path | None = None  # the helper's rows
        self.names_file: Path | None = None  # the rendered names, for the helper
        self.notes_file: Path | None = None  # the notes, from the helper
        self.part = None
        self.counts: tuple[int, int, int, int] | None = None  # rows, open, closed, overdue, once written
        self.failure: str | None = None  # why the helper did not write its part
        self._errors: IO[bytes] | None = None
        self._timer: threading.Timer | None = None
        try:
            self._start()
        except OSError as exc:
            self._fail(f"start: {exc}")

    def __enter__(self) -> CsvPart:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def written(self) -> bool:
        return self.counts is not None

    # -- export_rows.Helper ---------------------------------------------------------------------
    def open(self, snapshot) -> None:
        if self.failure is not None:
            return
        try:
            # its files, created by whoever writes them (see common.atomic_target: no truncation)
            sweep_stale_parts(self.directory, PART_PREFIX)
            self.box = Path(tempfile.mkdtemp(prefix=PART_PREFIX, dir=self.directory))
            self.out, self.names_file, self.notes_file = (self.box / name for name in ("rows.csv", "names", "notes"))
            self._timer = threading.Timer(TIMEOUT_S, self._stop)
            self._timer.daemon = True
            self._timer.start()
            self._send({"database": snapshot.database, "mark_sql": snapshot.mark_sql, "mark": snapshot.mark,
                        "notes_sql": snapshot.notes_sql, "sort_threads": snapshot.sort_threads,
                        "notes": str(self.notes_file), "out": str(self.out), "waiting": WAITING_ROWS})
        except (OSError, ValueError) as exc:
            self._fail(f"start: {exc}")

    def begin(self, part) -> None:
        self.part = part
        if self.failure is None:
            try:
                self._send({"sql": part.sql, "first": part.first, "lights": [d.toordinal() for d in part.lights],
                            "size": part.size})
            except (OSError, ValueError) as exc:
                self._fail(self._why("begin", exc))

    def lookups(self, lookups: Lookups) -> None:
        if self.failure is None:
            try:
                self.names_file.write_bytes(marshal.dumps(lookups.rendered(CSV_CELLS, b",")))
                self._send(str(self.names_file))
                self.proc.stdin.close()
            except (OSError, ValueError) as exc:
                self._fail(self._why("lookups", exc))

    def notes(self) -> dict | None:
        if self.failure is None:
            try:
                line = self.proc.stdout.readline()
                if line.startswith(b"N"):
                    return marshal.loads(self.notes_file.read_bytes())
                self._fail(STALE if line.startswith(b"STALE") else f"no notes: {line[:200]!r}")
            except (OSError, ValueError, EOFError) as exc:
                self._fail(f"notes: {exc}")
        return None

    def end(self) -> bool:
        if self.failure is None:
            try:
                self._wait()
            except (OSError, ValueError) as exc:
                self._fail(f"wait: {exc}")
        if self.failure is not None:
            self.close()
        return self.written

    # -- the rows -------------------------------------------------------------------------------
    def copy_to(self, fh: IO[bytes]) -> tuple[int, int, int, int]:
        """Append the helper's rows to `fh`; their (rows, open, closed, overdue)."""
        with open(self.out, "rb") as part:
            shutil.copyfileobj(part, fh, 1 << 20)
        return self.counts

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        if self.proc is not None:
            if self.proc.poll() is None:
                self._stop()
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None and not stream.closed:
                    try:
                        stream.close()
                    except OSError:  # what was left to send to a helper that is gone
                        pass
            self.proc = None
        if self._errors is not None:
            self._errors.close()
            self._errors = None
        if self.box is not None:
            shutil.rmtree(self.box, ignore_errors=True)
        self.box = self.out = self.names_file = self.notes_file = None

    # -- inside ---------------------------------------------------------------------------------
    def _start(self) -> None:
        self._errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                                     close_fds=True)

    def _send(self, obj: Any) -> None:
        data = marshal.dumps(obj)
        self.proc.stdin.write(LENGTH.pack(len(data)) + data)
        self.proc.stdin.flush()

    def _wait(self) -> None:
        part, done = self.part, None
        for line in self.proc.stdout:
            word, *numbers = line.split()
            if word == b"P" and self.progress:
                self.progress(part.first + int(numbers[0]), part.first + part.rows)
            elif word == b"OK":
                done = tuple(int(n) for n in numbers)
        code = self.proc.wait()
        if code != 0 or done is None or done[0] != part.rows:
            self._errors.seek(0)
            self._fail(f"exit {code}, rows {done and done[0]} of {part.rows}: "
                       + self._errors.read()[-2000:].decode(errors="replace"))
            return
        self.counts = done

    def _why(self, stage: str, exc: Exception) -> str:
        """Why a message could not be sent: when the helper has stopped (a broken pipe), what it said
        first, if that was STALE (it can stop before the main process sends the part or the names)."""
        if isinstance(exc, BrokenPipeError):
            try:
                if self.proc.stdout.readline().startswith(b"STALE"):  # (its end is closed: no waiting)
                    return STALE
            except (OSError, ValueError):
                pass
        return f"{stage}: {exc}"

    def _stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def _fail(self, why: str) -> None:
        if self.failure is None:
            self.failure = why
        self._stop()
