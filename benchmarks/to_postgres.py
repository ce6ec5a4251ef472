"""Copy a generated SQLite database (generate.py) into a PostgreSQL database, to run the drivers on it.

    .venv/bin/python benchmarks/to_postgres.py benchmarks/data/large.db postgresql://user@host/db
    .venv/bin/python benchmarks/drivers.py queries --db postgresql://user@host/db

The target gets the app's own schema (`migrate.upgrade`) and then every row, table by table in
foreign-key order, through PostgreSQL's COPY (psycopg), inside one transaction; the id sequences are
moved past the copied ids and the database is ANALYZEd. Tables the target already holds rows in are
emptied first. 25–45 s for the large scale on a local server.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time


def copy(source: str, url: str, *, quiet: bool = False) -> dict[str, int]:
    """Rows copied per table."""
    import psycopg
    from sqlalchemy import Boolean

    from servicetui.store import migrate, models
    from servicetui.store.db import make_engine

    engine = make_engine(url)
    migrate.upgrade(engine)
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    engine.dispose()
    tables = models.SQLModel.metadata.sorted_tables  # parents before children
    counts: dict[str, int] = {}
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with psycopg.connect(conninfo) as pg, pg.cursor() as cur:
            cur.execute("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE")
            for table in tables:
                t0 = time.perf_counter()
                names = [c.name for c in table.columns]
                flags = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
                columns = ", ".join(f'"{n}"' for n in names)
                n = 0
                with cur.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as out:
                    for row in src.execute(f'SELECT {columns} FROM "{table.name}"'):
                        if flags:  # SQLite keeps booleans as 0/1
                            row = list(row)
                            for i in flags:
                                row[i] = None if row[i] is None else bool(row[i])
                        out.write_row(row)
                        n += 1
                if "id" in table.columns and n:
                    cur.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), max(id)) "
                                f'FROM "{table.name}"')
                counts[table.name] = n
                if not quiet:
                    print(f"{table.name}: {n} rows, {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        with psycopg.connect(conninfo, autocommit=True) as pg:
            pg.execute("ANALYZE")
    finally:
        src.close()
    return counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", help="a SQLite file made by generate.py")
    ap.add_argument("url", help="postgresql://… (the database must exist)")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = copy(args.source, args.url, quiet=args.quiet)
    print(f"{sum(counts.values())} rows in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
