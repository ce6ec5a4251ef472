"""Crash safety: a writer process is killed with SIGKILL at random moments, many times; after each
kill the database passes PRAGMA integrity_check, every acknowledged write is present, and nothing
is half-written (a problem exists with its audit entries, or not at all).

The writer is forked from the test process (the libraries are already imported, so each trial
costs milliseconds), opens its own engine, writes through the services and acknowledges each
committed write on a pipe; the parent kills it mid-stream.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from servicetui.services import entities, problems
from servicetui.services.context import Ctx
from servicetui.store import migrate
from servicetui.store.backup import integrity_problems
from servicetui.store.db import make_engine
from servicetui.store.models import AuditEntry, Problem, ProblemEvent

KILLS = int(os.environ.get("SERVICETUI_CRASH_KILLS", "50"))


def _writer(path, project: int, start: int, ack_fd: int) -> None:  # runs in the forked child
    try:
        ctx = Ctx(make_engine(path), actor="crash", today=date(2022, 10, 5))
        n = start
        while True:
            marker = f"w{n:07d}"
            pid = problems.create_problem(ctx, project_id=project, title=marker, detail="x" * (n % 997) * 7,
                                          due=date(2022, 10, 5 + n % 20))
            problems.add_note(ctx, pid, f"{marker} note")
            os.write(ack_fd, f"{marker}\n".encode())
            n += 1
    finally:
        os._exit(0)


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            return b"".join(chunks).decode()
        chunks.append(data)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL (POSIX)")
def test_sigkill_at_random_moments_never_loses_an_acknowledged_write(tmp_path):
    path = tmp_path / "crash.db"
    engine = make_engine(path)
    migrate.upgrade(engine)
    project = entities.create_project(Ctx(engine, actor="setup", today=date(2022, 10, 5)), name="崩溃测试项目")
    engine.dispose()
    rng = random.Random(20221005)
    acked: set[str] = set()
    for trial in range(KILLS):
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _writer(path, project, trial * 100_000, write_fd)
        os.close(write_fd)
        first = os.read(read_fd, 64).decode()  # wait until the writer is mid-stream …
        time.sleep(rng.uniform(0.0, 0.12))  # … then kill it at a random moment
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "the writer must die by SIGKILL"
        acked.update((first + _read_all(read_fd)).split())
        os.close(read_fd)

        engine = make_engine(path)
        try:
            assert integrity_problems(engine) == [], f"integrity after kill {trial}"
            with engine.connect() as conn:
                titles = set(conn.scalars(select(Problem.title)))
                missing = acked - titles
                assert not missing, f"lost acknowledged writes after kill {trial}: {sorted(missing)[:5]}"
                orphans = conn.scalar(
                    select(func.count()).select_from(Problem).where(
                        ~select(AuditEntry.id).where(AuditEntry.entity == "problem", AuditEntry.entity_id == Problem.id,
                                                     AuditEntry.action == "create").exists()))
                assert orphans == 0, "a problem without its audit entry: half-written"
                ghosts = conn.scalar(
                    select(func.count()).select_from(AuditEntry).where(
                        AuditEntry.entity == "problem", AuditEntry.action == "create",
                        ~select(Problem.id).where(Problem.id == AuditEntry.entity_id).exists()))
                assert ghosts == 0, "an audit entry for a problem that does not exist: half-written"
                noted = set(conn.scalars(select(Problem.title).join(ProblemEvent, ProblemEvent.problem_id == Problem.id)))
                assert acked <= noted
        finally:
            engine.dispose()
    assert len(acked) > 2 * KILLS, "the writer should have been killed while writing"
