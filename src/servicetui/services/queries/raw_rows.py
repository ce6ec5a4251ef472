"""Many rows of a query, read fast: for exports and search indexes, where the time goes per row.

On SQLite the rows come straight from the DB-API cursor as plain tuples (they stay in SQLite until
fetched; no Row object per row); elsewhere SQLAlchemy streams them from a server-side cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

STREAM_BATCH = 2000  # rows per round trip of a server-side cursor


def execute(conn, q) -> tuple[Any, bool]:
    """(`q`'s result, whether to read it from the DB-API cursor), for `batches`."""
    if conn.dialect.name == "sqlite":
        result = conn.execute(q)
        cursor = getattr(result, "cursor", None)
        return result, cursor is not None and hasattr(cursor, "fetchmany")
    return conn.execution_options(yield_per=STREAM_BATCH, stream_results=True).execute(q), False


def batches(executed: tuple[Any, bool], size: int) -> Iterator[Sequence[Sequence]]:
    """The rows of an executed query (`execute`) in lists of up to `size`."""
    result, raw = executed
    try:
        if raw:
            cursor = result.cursor
            yield from iter(lambda: cursor.fetchmany(size), [])
        else:
            yield from result.partitions(size)
    finally:
        result.close()
