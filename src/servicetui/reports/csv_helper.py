"""The csv export's helper process (see `csv_part`, the main process's side, for what it does and the
messages): `main` reads the snapshot and the notes, then its part of the rows, and writes their csv lines.

It runs as `python -S` and imports only the standard library and the export's light modules
(`export_cells`, `problem_csv`, `formula`, `domain.enums`): its interpreter is up in about 0.07 s, while
the main process checks the packing and finds where to split."""

from __future__ import annotations

import gc
import marshal
import select
import struct
import sys
from datetime import date
from itertools import chain
from typing import IO, Any

from servicetui.reports.problem_csv import CSV_CELLS, csv_rows
from servicetui.services.export_cells import ExportBatch, Lookups, Unpacker

LENGTH = struct.Struct("<Q")  # a message: its length, then a marshal dump


def _read(stream: IO[bytes]) -> Any:
    head = stream.read(LENGTH.size)
    if len(head) < LENGTH.size:
        raise EOFError("the main process went away")
    (n,) = LENGTH.unpack(head)
    data = stream.read(n)
    if len(data) < n:
        raise EOFError("the main process went away")
    return marshal.loads(data)


def main() -> int:
    """The helper: read the snapshot and its notes, then the part: run its query, read its rows ahead
    until the names arrive, write its rows."""
    import sqlite3

    gc.disable()  # millions of short-lived values and no cycles (as `common.gc_paused` in the main process)
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    try:
        job = _read(stdin)
    except EOFError:  # the main process stopped before it sent the snapshot
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
        unpack = Unpacker(*map(date.fromordinal, job["lights"]))
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
                        names = marshal.loads(tables.read())  # rendered by the main process: only the notes here
                    # (no raw names here: only what ExportBatch.joined looks up, the renderings, is sent)
                    lookups = Lookups({}, {}, {}, notes, dense=True).adopt(names, CSV_CELLS, b",")
                    lookups.prepared((CSV_CELLS, b","))
                for raw in waiting:
                    batch = ExportBatch(raw, lookups)
                    fh.write(csv_rows(first + done + 1, batch.joined(CSV_CELLS, b",")))
                    done += len(batch)
                    tally = [a + b for a, b in zip(tally, batch.counts())]
                    stdout.write(b"P %d\n" % done)
                    stdout.flush()
                waiting.clear()
        stdout.write(b"OK %d %d %d %d\n" % tuple(tally))
        stdout.flush()
        return 0
    finally:
        con.close()
