"""Many rows into one table at once, inside the caller's transaction: PostgreSQL's COPY when it can.

An INSERT of many rows through SQLAlchemy on psycopg goes out as multi-row statements (a thousand rows
each when RETURNING the ids) that psycopg parses anew for their placeholders; COPY sends the values
alone. Used by the import and by the undo of an import, where the rows number in the hundreds of
thousands.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import insert, text

NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def next_ids(conn, table, n: int) -> list[int]:
    """n new ids from `table`'s id sequence (PostgreSQL), ascending."""
    return sorted(conn.execute(NEXT_IDS, {"table": table.name, "n": n}).scalars())


def copy_rows(conn, table, rows: list[dict[str, Any]]) -> bool:
    """COPY `rows` into `table` on a psycopg connection, inside the connection's transaction. Every row
    must give every column (the id may be left to its sequence): a column left to a default that
    SQLAlchemy fills in cannot be copied. False, having written nothing, when that is not so (or the
    database is not PostgreSQL)."""
    if conn.dialect.name != "postgresql" or not rows:
        return False
    driver = conn.connection.driver_connection
    keys = rows[0].keys()
    left_out = [c for c in table.c if c.key not in keys]
    if (not hasattr(driver, "cursor") or any(c is not table.c.id for c in left_out)
            or any(row.keys() != keys for row in rows)):
        return False
    dialect, quote = conn.dialect, conn.dialect.identifier_preparer.quote
    names = [c.key for c in table.c if c.key in keys]
    values = []
    for name in names:
        column = list(map(itemgetter(name), rows))
        proc = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values.append(column if proc is None else [None if v is None else proc(v) for v in column])
    statement = (f"COPY {dialect.identifier_preparer.format_table(table)} "
                 f"({', '.join(quote(name) for name in names)}) FROM STDIN")
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in zip(*values):
            copy.write_row(row)
    return True


def insert_rows(conn, table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts) into `table`: through COPY where `copy_rows` can, else one executemany."""
    if rows and not copy_rows(conn, table, rows):
        conn.execute(insert(table), rows)
