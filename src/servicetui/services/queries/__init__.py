"""Read side: the lists and details the screens and reports show, as plain dataclasses.

Lists filter, sort and page in SQL with column selects (never ORM objects, never every row).
Lights are computed in SQL with the same bounds as `domain.rules` (`light_bounds`), and tests
check that the SQL light and the rule agree; the human reason of one row comes from the rules.
"""

from servicetui.services.queries.desk import (  # noqa: F401
    DepartmentStats,
    DeskSummary,
    choices,
    department_stats,
    desk_summary,
    summary_filters,
)
from servicetui.services.queries.problems import (  # noqa: F401
    ACTIVE,
    SORTS,
    ProblemFilter,
    ProblemRow,
    iter_problem_rows,
    problem_count,
    problem_light_sql,
    problem_rows,
)
from servicetui.services.queries.project_detail import (  # noqa: F401
    MilestoneCell,
    ProjectDetail,
    UnitRow,
    project_detail,
    project_verdict,
)
from servicetui.services.queries.projects import (  # noqa: F401
    PROJECT_SORTS,
    ProjectFilter,
    ProjectRow,
    project_count,
    project_light_sql,
    project_rows,
)
