"""Use-cases. Every write goes through one of these functions, in one transaction, with audit entries.

Usage::

    ctx = Ctx(engine, actor="li.ming")
    pid = problems.create_problem(ctx, project_id=1, title="钢柱加工延迟", department_id=3, due=date(2022, 10, 14))

The names below are loaded on first use (PEP 562), so importing one light module of the package (the
export's cells in a helper process, `services.errors`) does not load SQLAlchemy and the models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_WHERE = {"Ctx": "context", "ConflictError": "errors", "NotFoundError": "errors", "RuleError": "errors",
          "ServiceError": "errors", "ValidationError": "errors"}

__all__ = ["ConflictError", "Ctx", "NotFoundError", "RuleError", "ServiceError", "ValidationError"]

if TYPE_CHECKING:
    from servicetui.services.context import Ctx
    from servicetui.services.errors import (
        ConflictError,
        NotFoundError,
        RuleError,
        ServiceError,
        ValidationError,
    )


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
