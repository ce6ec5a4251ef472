"""The last rows of a large csv problem list, written by a helper process beside the main one.

At 200 000 problems the csv export is about two seconds of Python on one core: fetching the sorted rows,
looking up the names and notes, joining the cells. A thread cannot share that work (the GIL), a process
can. So `export_rows.export_batches` splits a large export in the urgency order at a due date near the
middle (`export_rows.Part`): the main process reads and writes the first rows, and `CsvPart` starts a
helper process (`main` below) that reads the rest with the standard `sqlite3` module and writes their
csv lines to a file beside the target, which the main process then appends. The helper gets the
snapshot it must read (the file, the last audit id: `export_rows.Snapshot`) and reads the latest notes
of the whole export for both processes while the main one reads the names; then its query; then the
names (`export_cells.Lookups.tables`). Both pass these through files, with `marshal`. It renders its
rows with the same code (`problem_csv`), so the file is byte for byte the one a single process writes.

The helper imports only the standard library and the light modules (`export_cells`, `problem_csv`):
it starts in about 0.1 s, where the app's own imports would take half a second or more. When it cannot
do its part (it cannot start, it finds another snapshot than the main process read, it fails),
`notes()` and `end()` say so and `export_batches` reads those notes and rows in the main process
instead: the file is the same, only slower. Only when the rows it wrote are complete are they appended.

Messages: the main process writes frames to the helper's stdin (an 8-byte length, then a marshal dump):
the snapshot (`export_rows.Snapshot`, as soon as the export has read its first row count), then the
part (`export_rows.Part`, once it has found where to split), then the path of the names. The helper
writes lines to its stdout: "N" once the notes are in their file, "P <rows>" after each batch, and
"OK <rows> <open> <closed> <overdue>" at the end (the 合计 counts of its rows), or "STALE". A helper
whose export is not split after all finds its stdin closed and stops.
"""

from __future__ import annotations

import gc
import marshal
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
from itertools import chain
from pathlib import Path
from typing import IO, Any

from servicetui.reports.common import Progress
from servicetui.reports.problem_csv import CSV_CELLS, counts, csv_rows
from servicetui.services.export_cells import ExportBatch, Lookups, Unpacker

_ROOT = str(Path(__file__).resolve().parents[2])  # the directory that holds the servicetui package
_LENGTH = struct.Struct("<Q")
# -S: no site-packages; the helper needs only the standard library and this package
COMMAND = [sys.executable, "-S", "-c",
           "import sys; sys.path.insert(0, sys.argv[1]); from servicetui.reports.csv_part import main; sys.exit(main())",
           _ROOT]
WAITING_ROWS = 60_000  # rows the helper reads ahead while the names are not there yet (its memory)
TIMEOUT_S = 600  # a helper still running after this is stopped, and its rows are written by the main process


class CsvPart:
    """The main process's side (an `export_rows.Helper`): start the helper, send it the snapshot, the
    part and the names, take its notes, and wait for it; `copy_to(fh)` appends its rows. Use it as a
    context manager: on the way out a helper still running is stopped and its files removed."""

    def __init__(self, directory: str | os.PathLike, progress: Progress = None, *, early: bool = False):
        """`early`: start the helper now (its interpreter starts while the main process reads the
        settings and finds where to split); otherwise at `open`."""
        self.directory, self.progress = Path(directory), progress
        self.proc: subprocess.Popen | None = None
        self.box: Path | None = None  # a private directory beside the target for these files
        self.out: Path | None = None  # the helper's rows
        self.tables: Path | None = None  # the names, for the helper
        self.notes_file: Path | None = None  # the notes, from the helper
        self.part = None
        self.counts: tuple[int, int, int, int] | None = None  # rows, open, closed, overdue, once written
        self.failure: str | None = None  # why the helper did not write its part
        self._errors: IO[bytes] | None = None
        self._timer: threading.Timer | None = None
        if early:
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
            if self.proc is None:
                self._start()
            # its files, created by whoever writes them (see common.atomic_target: no truncation)
            self.box = Path(tempfile.mkdtemp(prefix=".servicetui-part-", dir=self.directory))
            self.out, self.tables, self.notes_file = (self.box / name for name in ("rows.csv", "names", "notes"))
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
                self._send({"sql": part.sql, "first": part.first, "today": part.today.toordinal(),
                            "warn_days": part.warn_days, "size": part.size})
            except (OSError, ValueError) as exc:
                self._fail(f"begin: {exc}")

    def lookups(self, lookups: Lookups) -> None:
        if self.failure is None:
            try:
                self.tables.write_bytes(marshal.dumps(lookups.tables()))
                self._send(str(self.tables))
                self.proc.stdin.close()
            except (OSError, ValueError) as exc:
                self._fail(f"lookups: {exc}")

    def notes(self) -> dict | None:
        if self.failure is None:
            try:
                line = self.proc.stdout.readline()
                if line.startswith(b"N"):
                    return marshal.loads(self.notes_file.read_bytes())
                self._fail("the helper read a newer state of the database" if line.startswith(b"STALE")
                           else f"no notes: {line[:200]!r}")
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
        self.box = self.out = self.tables = self.notes_file = None

    # -- inside ---------------------------------------------------------------------------------
    def _start(self) -> None:
        self._errors = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._errors,
                                     close_fds=True)

    def _send(self, obj: Any) -> None:
        data = marshal.dumps(obj)
        self.proc.stdin.write(_LENGTH.pack(len(data)) + data)
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

    def _stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()

    def _fail(self, why: str) -> None:
        if self.failure is None:
            self.failure = why
        self._stop()


# -- the helper process -----------------------------------------------------------------------------
def _read(stream: IO[bytes]) -> Any:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError("the main process went away")
    (n,) = _LENGTH.unpack(head)
    data = stream.read(n)
    if len(data) < n:
        raise EOFError("the main process went away")
    return marshal.loads(data)


def main() -> int:
    """The helper: read the snapshot and its notes, then the part: run its query, read its rows ahead
    until the names arrive, write its rows."""
    import sqlite3
    from datetime import date

    gc.disable()  # millions of short-lived values and no cycles (as `common.gc_paused` in the main process)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        job = _read(stdin)
    except EOFError:  # started early for an export that was not split after all
        return 0
    con = sqlite3.connect(job["database"], isolation_level=None, check_same_thread=False)
    try:
        con.execute("PRAGMA query_only=1")
        con.execute(f"PRAGMA threads={int(job['sort_threads'])}")
        con.execute("BEGIN")  # one snapshot, from the first read on: the mark, the notes, the rows
        if con.execute(job["mark_sql"]).fetchone()[0] != job["mark"]:
            stdout.write(b"STALE\n")
            return 0
        notes = dict(con.execute(job["notes_sql"]))  # for both processes: the main one reads the names meanwhile
        with open(job["notes"], "wb") as fh:
            fh.write(marshal.dumps(notes))
        stdout.write(b"N\n")
        stdout.flush()
        try:
            job.update(_read(stdin))  # the part: the main process has found where to split
        except EOFError:  # it did not split after all
            return 0
        cursor = con.execute(job["sql"])  # SQLite reads and sorts every row here
        unpack = Unpacker(date.fromordinal(job["today"]), job["warn_days"])
        first, done, tally = job["first"], 0, [0, 0, 0, 0]
        lookups, waiting = None, []  # rows read before the lookups are ready: unpacked, kept until then
        with open(job["out"], "wb") as fh:
            for rows in chain(iter(lambda: cursor.fetchmany(job["size"]), []), [None]):
                if rows is not None:
                    waiting.append(unpack(rows))
                if lookups is None:
                    if (rows is not None and len(waiting) * job["size"] < job["waiting"]
                            and not select.select([stdin], [], [], 0)[0]):
                        continue
                    with open(_read(stdin), "rb") as tables:  # a file: one read, where a pipe is 64 KB at a time
                        projects, departments, people, _ = marshal.loads(tables.read())
                    lookups = Lookups(projects, departments, people, notes, dense=True).prepared((CSV_CELLS, b","))
                for raw in waiting:
                    batch = ExportBatch(raw, lookups)
                    fh.write(csv_rows(first + done + 1, batch.joined(CSV_CELLS, b",")))
                    done += len(batch)
                    tally = [a + b for a, b in zip(tally, counts(batch))]
                    stdout.write(b"P %d\n" % done)
                    stdout.flush()
                waiting.clear()
        stdout.write(b"OK %d %d %d %d\n" % tuple(tally))
        stdout.flush()
        return 0
    finally:
        con.close()
