"""The layers import one way only (cli > tui > reports > services > store > domain), and nothing
below the TUI imports Textual: import-linter's contracts in pyproject.toml, checked on every run.
(tests/test_import_hygiene.py checks the same at run time, module by module, in fresh interpreters.)"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_hold(capsys):
    from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

    here = Path.cwd()
    os.chdir(ROOT)  # the contracts are read from pyproject.toml here
    try:
        status = lint_imports(no_cache=True)
    finally:
        os.chdir(here)
    out = capsys.readouterr().out
    assert status == EXIT_STATUS_SUCCESS, out
    assert "2 kept, 0 broken" in out
