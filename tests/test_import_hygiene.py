"""Import hygiene: everything outside `servicetui.tui` works without loading Textual, and the CLI
entry point does not load the report libraries (xlsxwriter, openpyxl, docx) until a command needs
them. Each module is imported in a fresh interpreter so one import cannot hide another's."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import servicetui

PACKAGE_DIR = Path(servicetui.__file__).parent

# Modules that are not importable on their own by design: Alembic's env.py runs migrations on import
# and only works inside Alembic; the version scripts are loaded by Alembic, not imported; a
# `__main__` module runs the program when imported (`python -m servicetui`).
NOT_IMPORTABLE = ("servicetui.store.migrations.env", "servicetui.store.migrations.versions")


def _walk(path: Path, prefix: str) -> list[str]:
    """Module names under `path` found on disk (without importing any of them)."""
    names = []
    for info in pkgutil.iter_modules([str(path)]):
        name = f"{prefix}.{info.name}"
        if name == "servicetui.tui" or name.startswith(NOT_IMPORTABLE) or info.name == "__main__":
            continue
        names.append(name)
        if info.ispkg:
            names.extend(_walk(path / info.name, name))
    return names


MODULES = ["servicetui", *sorted(_walk(PACKAGE_DIR, "servicetui"))]

PROBE = """
import importlib, json, sys
mod = sys.argv[1]
importlib.import_module(mod)
print(json.dumps({name: name in sys.modules for name in sys.argv[2:]}))
"""


WATCHED = ("textual", "xlsxwriter", "openpyxl", "docx")


def _probe(module: str) -> tuple[str, int, str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, module, *WATCHED],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=PACKAGE_DIR.parent,
    )
    return module, proc.returncode, proc.stdout, proc.stderr


@pytest.fixture(scope="module")
def import_results() -> dict[str, tuple[int, str, str]]:
    """Every module imported once, each in its own fresh interpreter (a few at a time)."""
    with ThreadPoolExecutor(max_workers=max(2, min(8, os.cpu_count() or 2))) as pool:
        return {m: (rc, out, err) for m, rc, out, err in pool.map(_probe, MODULES)}


def loaded_after_import(results, module: str) -> dict[str, bool]:
    """Which of WATCHED were in sys.modules after importing `module` in a fresh interpreter."""
    rc, out, err = results[module]
    if rc != 0:
        tail = "\n".join(err.strip().splitlines()[-6:])
        pytest.fail(f"importing {module} failed:\n{tail}", pytrace=False)
    return json.loads(out.strip().splitlines()[-1])


def test_the_module_walk_found_the_core_modules():
    for name in ("servicetui.store.models", "servicetui.services.problems", "servicetui.i18n"):
        assert name in MODULES
    assert not any(m == "servicetui.tui" or m.startswith("servicetui.tui.") for m in MODULES)


@pytest.mark.parametrize("module", MODULES)
def test_importing_a_non_tui_module_does_not_load_textual(import_results, module):
    assert loaded_after_import(import_results, module)["textual"] is False, f"{module} imports textual"


def test_importing_the_cli_entry_point_does_not_load_textual_or_the_report_libraries(import_results):
    loaded = loaded_after_import(import_results, "servicetui.cli.main")
    assert [name for name, yes in loaded.items() if yes] == []


PAINT_PATH = """
import json, sys
from servicetui.cli.main import CliState, cli
from servicetui.tui.app import ServiceApp
app = ServiceApp(opener=lambda: None, user="x")
print(json.dumps(sorted(m for m in ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "xlsxwriter", "openpyxl",
                                      "docx", "servicetui.cli.admin", "servicetui.tui.screens") if m in sys.modules)))
"""


def test_what_runs_before_the_first_paint_loads_neither_the_database_layer_nor_the_sub_commands():
    """`servicetui` paints the frame first: the CLI module, the app module and a ServiceApp with an
    opener load no SQLAlchemy/SQLModel/Alembic, no report library and no sub-command module (those
    load in the opening worker, after the paint)."""
    proc = subprocess.run([sys.executable, "-c", PAINT_PATH], capture_output=True, text=True, timeout=120,
                          cwd=PACKAGE_DIR.parent)
    assert proc.returncode == 0, proc.stderr[-800:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []
