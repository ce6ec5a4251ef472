"""Engine factory, sessions and data locations.

One engine from a path or a SQLAlchemy URL. SQLite gets WAL, foreign keys, a busy timeout, and
write transactions that start with BEGIN IMMEDIATE so concurrent writers wait for each other
instead of failing with "database is locked".
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from servicetui.config import APP_NAME, data_dir  # noqa: F401  (the data locations live there)

BUSY_TIMEOUT_MS = 15_000


def default_db_path() -> Path:
    return data_dir() / "servicetui.db"


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """`--db` value, else $SERVICETUI_DB, else the file under the user data dir, as a URL."""
    value = str(db) if db else os.environ.get("SERVICETUI_DB") or str(default_db_path())
    if "://" in value:
        url = make_url(value)
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)
    if value == ":memory:":
        return "sqlite://"
    return "sqlite:///" + str(Path(value).expanduser().absolute())


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.get_backend_name() == "sqlite"


def sqlite_path(engine_or_url: Engine | str) -> Path | None:
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _prepare_sqlite_file(path: Path) -> None:
    """A new database file is created readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def make_engine(db: str | os.PathLike | None = None, *, echo: bool = False) -> Engine:
    url = resolve_url(db)
    if is_sqlite(url):
        path = sqlite_path(url)
        if path is not None:
            _prepare_sqlite_file(path)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False, "isolation_level": None},
        )
        _install_sqlite_hooks(engine, in_memory=path is None)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _install_sqlite_hooks(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - trivial
        cur = dbapi_conn.cursor()
        if not in_memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # The driver is in autocommit mode (isolation_level=None); we emit BEGIN ourselves so
        # writes can take the write lock up front and wait on busy_timeout.
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits on success, rolls back on any error."""
    bind = engine.execution_options(sqlite_immediate=True) if is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session:
        with session.begin():
            yield session


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
