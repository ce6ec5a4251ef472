"""County settings saved together, and the kind filters the project screen relies on."""

from __future__ import annotations

import pytest

from servicetui.services import entities, problems, queries
from servicetui.services.errors import ValidationError


def test_several_settings_save_together(world, make_ctx, engine):
    ctx = make_ctx()
    entities.set_settings(ctx, {"county": "贺县", "bureau": "县商务局", "warn_days": "5"})
    assert [entities.get_setting(engine, k) for k in ("county", "bureau", "warn_days")] == ["贺县", "县商务局", "5"]


def test_a_bad_setting_is_refused_by_name_and_nothing_is_saved(world, make_ctx, engine):
    with pytest.raises(ValidationError) as exc:
        entities.set_settings(make_ctx(), {"county": "贺县", "warn_days": "九十"})
    assert set(exc.value.errors) == {"warn_days"}
    assert entities.get_setting(engine, "county") == "示范县"


def test_excluding_tasks_leaves_problems_and_decisions(world, make_ctx, engine):
    ctx = make_ctx()
    problems.create_problem(ctx, project_id=world.project, title="问题一")
    problems.create_problem(ctx, project_id=world.project, title="任务一", kind="任务")
    rows = queries.problem_rows(engine, queries.ProblemFilter(project_id=world.project, exclude_kinds=("任务",)),
                                today=world.today)
    assert [r.title for r in rows] == ["问题一"]
    only = queries.problem_rows(engine, queries.ProblemFilter(project_id=world.project, kind="任务"), today=world.today)
    assert [r.title for r in only] == ["任务一"]
