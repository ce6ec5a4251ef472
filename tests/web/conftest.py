"""Fixtures for `servicetui serve` (tests/web):

    web_demo_db   the demo county built by `servicetui demo --no-open` (once per session, read-only:
                  copy it with `demo_db_copy` before writing)
    demo_db_copy  a copy of it under tmp_path
    free_port     a loopback TCP port nobody listens on
    serve_argv    serve_argv(*args) -> the argv that runs `servicetui serve *args` in a subprocess
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest


def pick_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def web_demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("web-demo") / "demo.db"
    proc = subprocess.run([sys.executable, "-m", "servicetui", "demo", "--no-open", "--db", str(path)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture
def demo_db_copy(web_demo_db, tmp_path) -> Path:
    import sqlite3

    path = tmp_path / "demo.db"
    src, dst = sqlite3.connect(web_demo_db), sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return path


@pytest.fixture
def free_port() -> int:
    return pick_free_port()


@pytest.fixture(scope="session")
def serve_argv():
    """`python -m servicetui serve …` once cli/main.py imports servicetui.cli.serve; until then
    `python -m servicetui.cli.serve serve …` (the same click group, with `serve` registered)."""
    probe = subprocess.run(
        [sys.executable, "-c", "from servicetui.cli.main import cli; print('serve' in cli.list_commands(None))"],
        capture_output=True, text=True, timeout=120,
    )
    registered = probe.stdout.strip().endswith("True")
    base = [sys.executable, "-m", "servicetui"] if registered else [sys.executable, "-m", "servicetui.cli.serve"]

    def _argv(*args: str) -> list[str]:
        return [*base, "serve", *args]

    return _argv

