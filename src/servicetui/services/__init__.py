"""Use-cases. Every write goes through one of these functions, in one transaction, with audit entries.

Usage::

    ctx = Ctx(engine, actor="li.ming")
    pid = problems.create_problem(ctx, project_id=1, title="钢柱加工延迟", department_id=3, due=date(2022, 10, 14))
"""

from servicetui.services.context import Ctx
from servicetui.services.errors import (
    ConflictError,
    NotFoundError,
    RuleError,
    ServiceError,
    ValidationError,
)

__all__ = ["Ctx", "ConflictError", "NotFoundError", "RuleError", "ServiceError", "ValidationError"]
