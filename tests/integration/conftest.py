"""`any_db_url`: a fresh, migrated database URL — SQLite always, PostgreSQL too when
SERVICETUI_TEST_PG_URL points at a server (CI starts one, see .ci/postgres.sh)."""

from __future__ import annotations

import os
import uuid

import pytest

PG_URL = os.environ.get("SERVICETUI_TEST_PG_URL")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request, tmp_path):
    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        yield url
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set SERVICETUI_TEST_PG_URL (.ci/run starts a server)")
    from sqlalchemy import text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
