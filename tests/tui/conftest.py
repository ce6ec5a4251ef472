"""Fixtures for the TUI tests: the demo county in a migrated SQLite file, frozen for snapshots."""

from __future__ import annotations

import time
from datetime import date

import pytest

FROZEN_AT = "2022-09-30 08:00:00.000000"


def build_world(engine) -> tuple[str, date]:
    """The demo county (services.demo); returns (user, today)."""
    from servicetui.services.demo import DEMO_TODAY, DEMO_USER, build_demo

    build_demo(engine, today=DEMO_TODAY)
    return DEMO_USER, DEMO_TODAY


@pytest.fixture
def utc(monkeypatch):
    """History shows local times: pin the zone so snapshots match everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def tui_config(tmp_path, monkeypatch):
    """An empty config dir of this test's own (settings.toml / keymap.toml go here)."""
    path = tmp_path / "config"
    path.mkdir()
    monkeypatch.setenv("SERVICETUI_CONFIG_DIR", str(path))
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo database, built once per session; each test works on its own copy."""
    from sqlalchemy import text

    from servicetui.store import migrate
    from servicetui.store.db import make_engine

    path = tmp_path_factory.mktemp("tui-demo") / "template.db"
    engine = make_engine(path)
    migrate.upgrade(engine)
    user, today = build_world(engine)
    with engine.begin() as conn:
        # the audit trail is append-only (revision 0002); this throw-away template may freeze its times
        conn.execute(text("DROP TRIGGER IF EXISTS auditentry_no_update"))
        conn.execute(text("UPDATE auditentry SET at = :at"), {"at": FROZEN_AT})
        conn.execute(text("CREATE TRIGGER auditentry_no_update BEFORE UPDATE ON auditentry "
                          "BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END"))
    engine.dispose()
    return path, user, today


@pytest.fixture
def demo(demo_template, tmp_path, tui_config, utc):
    """(engine, user, today) on a fresh copy of the demo database whose audit times are frozen."""
    import sqlite3

    from servicetui.store.db import make_engine

    template, user, today = demo_template
    path = tmp_path / "demo.db"
    src, dst = sqlite3.connect(template), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    engine = make_engine(path)
    yield engine, user, today
    engine.dispose()


@pytest.fixture
def make_app(demo):
    """make_app(lang="zh", **kw) -> a ServiceApp on the demo database (no polling timer)."""
    from servicetui.tui.app import ServiceApp

    engine, user, today = demo

    def _make(lang: str = "zh", **kw):
        kw.setdefault("user", user)
        kw.setdefault("today", today)
        kw.setdefault("poll", False)
        return ServiceApp(engine, lang=lang, **kw)

    return _make


@pytest.fixture
def make_browser_app(make_app, monkeypatch):
    """make_browser_app(**kw) -> make_app(**kw) as `servicetui serve` runs it: `is_web` is true, and
    what the app would send to the browser is recorded in `app.delivered` as (path, file name, bytes),
    read when the delivery starts (Textual opens the file then), and the URLs it asks the page to open
    in `app.opened_urls`."""
    from pathlib import Path

    from servicetui.tui.app import ServiceApp

    monkeypatch.setattr(ServiceApp, "is_web", property(lambda self: True))

    def _make(**kw):
        app = make_app(**kw)
        app.delivered, app.opened_urls = [], []

        def deliver_binary(path, *, save_filename=None, **_):
            app.delivered.append((Path(path), save_filename, Path(path).read_bytes()))
            return "key"

        monkeypatch.setattr(app, "deliver_binary", deliver_binary)
        monkeypatch.setattr(app, "open_url", lambda url, **_: app.opened_urls.append(url))
        return app

    return _make
