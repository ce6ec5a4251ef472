"""`servicetui` paints first and opens the database in a worker: the frame, then the home list."""

from __future__ import annotations

import asyncio

import pytest

from servicetui.tui.app import ServiceApp


async def _until(pilot, predicate, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not predicate():
        assert loop.time() < end, "timed out"
        await pilot.pause(0.02)


@pytest.mark.asyncio
async def test_the_app_paints_its_frame_then_shows_the_home_list_opened_in_a_worker(demo):
    import threading

    engine, user, today = demo
    gate = threading.Event()
    calls = []

    def opener():
        calls.append(threading.current_thread().name)
        gate.wait(10)  # the database is slow to open: the frame must be up meanwhile
        return engine, None

    app = ServiceApp(opener=opener, user=user, today=today, poll=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _until(pilot, lambda: app.boot_painted_at is not None)
        assert type(app.screen).__name__ == "BootScreen" and not app.opened
        assert "正在打开数据库" in str(app.screen.query_one("#boot-message").render())
        await pilot.press("2")  # keys wait for the database
        assert type(app.screen).__name__ == "BootScreen"
        gate.set()
        await _until(pilot, lambda: app.opened_at is not None)
        await pilot.pause()
        assert type(app.screen).__name__ == "ProjectsScreen"
        assert calls and calls[0] != threading.main_thread().name
        table = app.screen.query_one("#list")
        assert table.row_count == 4 and table.selected.name.startswith("思思食品")  # 李明's own projects
        assert "李明" in app.user_label
        await pilot.press("2")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProblemsScreen"
        assert "boot" not in app._modes


@pytest.mark.asyncio
async def test_a_database_that_cannot_be_opened_closes_the_app_with_the_error(demo):
    from servicetui.cli.main import UserError

    def opener():
        raise UserError("数据库尚未初始化", "not initialised")

    app = ServiceApp(opener=opener, user="liming", poll=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await _until(pilot, lambda: app.open_error is not None)
        await pilot.pause()
    assert isinstance(app.open_error, UserError) and app.return_code == 2


def test_the_cli_reports_an_unopenable_database_in_one_line_after_the_app_closes(tmp_path, monkeypatch):
    """run_app re-raises the opener's error; the CLI turns it into its usual one line and exit 2."""
    import subprocess
    import sys

    bad = tmp_path / "garbage.db"
    bad.write_text("garbage " * 200)
    done = subprocess.run([sys.executable, "-m", "servicetui", "--db", str(bad)], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.stdout[-500:], done.stderr)
    assert "Traceback" not in done.stderr
    # without a terminal Textual's own output goes to stderr too; the error is the last thing written
    assert done.stderr.rstrip().endswith("servicetui: 无法打开数据库：file is not a database"), done.stderr[-300:]


def test_a_missing_database_file_is_reported_before_the_app_starts(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "servicetui", "--lang", "en", "--db", str(tmp_path / "none.db")],
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stdout == ""  # the terminal never switched to the app
    assert done.stderr.strip() == f"servicetui: database file not found: {tmp_path / 'none.db'}"


@pytest.mark.asyncio
async def test_once_the_home_list_is_up_a_worker_reads_the_first_projects_screen_ahead(demo, monkeypatch):
    import threading

    from servicetui.services import queries

    engine, user, today = demo
    read = []
    real = queries.project_detail

    def spy(engine_, project_id, **kw):
        read.append((project_id, threading.current_thread() is threading.main_thread()))
        return real(engine_, project_id, **kw)

    monkeypatch.setattr(queries, "project_detail", spy)
    app = ServiceApp(opener=lambda: (engine, None), user=user, today=today, poll=False)
    async with app.run_test(size=(160, 45)) as pilot:
        await _until(pilot, lambda: app.opened_at is not None)
        await app.workers.wait_for_complete()
        first = app.screen.query_one("#list").row_at(0)
        assert read[:1] == [(first.id, False)]  # in a worker thread, the first project of the home list
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "ProjectScreen"


@pytest.mark.asyncio
async def test_the_app_turns_the_collector_the_command_held_back_on_once_its_home_list_is_up(demo):
    import gc
    import threading

    engine, user, today = demo
    gate = threading.Event()

    def opener():
        gate.wait(10)
        return engine, None

    gc.disable()  # as the `servicetui` command leaves it (servicetui.cli.start)
    try:
        app = ServiceApp(opener=opener, user=user, today=today, poll=False)
        async with app.run_test(size=(160, 45)) as pilot:
            await _until(pilot, lambda: app.boot_painted_at is not None)
            assert not gc.isenabled()  # the frame and the opening worker's imports run without it
            gate.set()
            await _until(pilot, lambda: app.opened_at is not None)
            await _until(pilot, lambda: gc.isenabled())
            assert type(app.screen).__name__ == "ProjectsScreen" and gc.get_freeze_count() > 0
    finally:
        gc.enable()
