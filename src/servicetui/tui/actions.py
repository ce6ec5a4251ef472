"""What the keys do: each function opens a form (or asks for confirmation) and calls one service.

The functions take the app (for the engine, the actor's Ctx, the language and `after_write`) and
plain rows; they never keep an ORM object. Errors from the services land in the form, or in a
toast when there is no form.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from servicetui import i18n
from servicetui.domain.enums import (
    Category,
    MilestoneStatus,
    ProblemKind,
    ProblemStatus,
    ProjectKind,
    Stage,
)
from servicetui.services import entities, problems, queries
from servicetui.store.models import Project, Unit
from servicetui.tui import data
from servicetui.tui.forms import ConfirmScreen, Field, FormScreen
from servicetui.tui.strings import t

if TYPE_CHECKING:  # pragma: no cover
    from servicetui.tui.app import ServiceApp


def _opts(app: "ServiceApp", what: str) -> list[tuple[str, Any]]:
    return [(label, id_) for id_, label in queries.choices(app.engine, what)]


def _enum_opts(app: "ServiceApp", enum) -> list[tuple[str, Any]]:
    return [(i18n.value(e.value, app.lang), e.value) for e in enum]


def _push(app: "ServiceApp", screen, message: str | None = None) -> None:
    def done(result: Any) -> None:
        if result is not None and result is not False:
            app.after_write(message(result) if callable(message) else message)

    app.push_screen(screen, done)


def _short(title: str, n: int = 24) -> str:
    return title if len(title) <= n else title[: n - 1] + "…"


# -- problems -------------------------------------------------------------------------------
def problem_fields(app: "ServiceApp") -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("title", L("title", lang), required=True),
        Field("department_id", L("department_id", lang), "select", _opts(app, "departments")),
        Field("due", L("due", lang), "date", placeholder="下周五 / 2022-10-14 / +7d" if lang != "en" else "next fri / 2022-10-14 / +7d"),
        Field("category", L("category", lang), "select", _enum_opts(app, Category)),
        Field("kind", L("kind", lang), "select", _enum_opts(app, ProblemKind)),
        Field("co_departments", L("co_departments", lang)),
        Field("owner_id", L("owner_id", lang), "select", _opts(app, "people")),
        Field("raised_on", L("raised_on", lang), "date"),
        Field("detail", L("detail", lang), "area"),
    ]


def add_problem(app: "ServiceApp", project_id: int) -> None:
    name = data.project_name(app.engine, project_id)
    values = {"category": Category.OTHER.value, "kind": ProblemKind.PROBLEM.value, "raised_on": app.today}

    def submit(v: dict[str, Any]) -> int:
        v = {k: x for k, x in v.items()}
        v["category"] = v.get("category") or Category.OTHER.value
        v["kind"] = v.get("kind") or ProblemKind.PROBLEM.value
        return problems.create_problem(app.ctx(), project_id=project_id, **v)

    screen = FormScreen(t("f_new_problem", app.lang, project=_short(name, 40)), problem_fields(app), values, submit)
    _push(app, screen, lambda _r: t("saved", app.lang))


def edit_problem(app: "ServiceApp", problem_id: int) -> None:
    rec = data.problem_record(app.engine, problem_id)
    if rec is None:
        app.notify(t("no_selection", app.lang), severity="warning")
        return
    state = {"version": rec["version"]}
    fields = problem_fields(app)

    def submit(v: dict[str, Any]) -> int:
        changes = {k: x for k, x in v.items() if x != rec.get(k)}
        if not changes:
            return state["version"]
        return problems.update_problem(app.ctx(), problem_id, state["version"], **changes)

    def reload() -> dict[str, Any] | None:
        fresh = data.problem_record(app.engine, problem_id)
        if fresh is not None:
            state["version"] = fresh["version"]
            rec.clear()
            rec.update(fresh)
        return fresh

    screen = FormScreen(t("f_edit_problem", app.lang, id=problem_id), fields, rec, submit, reload=reload)
    _push(app, screen, t("saved", app.lang))


def _one_text(app: "ServiceApp", title: str, label: str, submit, *, initial: str = "", kind: str = "area",
              message: str | None = None, extra: list[Field] | None = None, values: dict | None = None,
              name: str = "note") -> None:
    fields = [Field(name, label, kind)] + (extra or [])
    screen = FormScreen(title, fields, {name: initial, **(values or {})}, submit)
    _push(app, screen, message)


def close_problem(app: "ServiceApp", row) -> None:
    def submit(v):
        return problems.close_problem(app.ctx(), row.id, row.version, v["note"])

    _one_text(app, t("f_close", app.lang, title=_short(row.title)), t("f_close_label", app.lang), submit,
              message=t("closed_ok", app.lang, title=_short(row.title)))


def reopen_problem(app: "ServiceApp", row) -> None:
    def submit(v):
        return problems.reopen(app.ctx(), row.id, row.version, v["reason"])

    _one_text(app, t("f_reopen", app.lang, title=_short(row.title)), t("f_reopen_label", app.lang), submit,
              name="reason", message=t("saved", app.lang))


def escalate_problem(app: "ServiceApp", row) -> None:
    def submit(v):
        return problems.escalate(app.ctx(), row.id, row.version, v["note"])

    _one_text(app, t("f_escalate", app.lang, title=_short(row.title)), t("f_escalate_label", app.lang), submit,
              kind="text", message=t("saved", app.lang))


def note_problem(app: "ServiceApp", row) -> None:
    def submit(v):
        return problems.add_note(app.ctx(), row.id, v["text"], v.get("on") or None)

    _one_text(app, t("f_note", app.lang, title=_short(row.title)), t("f_note_label", app.lang), submit,
              name="text", extra=[Field("on", t("f_note_on", app.lang), "date")], values={"on": app.today},
              message=t("saved", app.lang))


def reassign_problem(app: "ServiceApp", row) -> None:
    def submit(v):
        return problems.reassign(app.ctx(), row.id, row.version, v["department_id"])

    fields = [Field("department_id", i18n.label("department_id", app.lang), "select", _opts(app, "departments"),
                    required=True)]
    _push(app, FormScreen(t("f_reassign", app.lang, title=_short(row.title)), fields,
                          {"department_id": row.department_id}, submit), t("saved", app.lang))


def change_due(app: "ServiceApp", row) -> None:
    def submit(v):
        return problems.change_due(app.ctx(), row.id, row.version, v["due"])

    fields = [Field("due", i18n.label("due", app.lang), "date")]
    _push(app, FormScreen(t("f_due", app.lang, title=_short(row.title)), fields, {"due": row.due}, submit),
          t("saved", app.lang))


def advance_problem(app: "ServiceApp", row) -> None:
    nxt = problems.next_status(row.status)
    if nxt is None:
        return
    if nxt == ProblemStatus.CLOSED.value:
        close_problem(app, row)
        return
    ok, _ = app.call(problems.advance, app.ctx(), row.id, row.version)
    if ok:
        app.after_write(t("advanced_ok", app.lang, status=i18n.value(nxt, app.lang)))


def confirm_archive(app: "ServiceApp", what: str, archive, *args) -> None:
    """Ask first; on yes run `archive(ctx, *args)` through the services and say what was archived."""

    def done(yes: bool | None) -> None:
        if yes:
            ok, _ = app.call(archive, app.ctx(), *args)
            if ok:
                app.after_write(t("archived", app.lang, what=_short(what)))

    app.push_screen(ConfirmScreen(t("confirm_archive", app.lang, what=what)), done)


def archive_problem(app: "ServiceApp", row) -> None:
    confirm_archive(app, row.title, problems.archive_problem, row.id, row.version)


# -- projects -------------------------------------------------------------------------------
def project_fields(app: "ServiceApp") -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("name", L("name", lang), required=True),
        Field("company", L("company", lang)),
        Field("code", L("code", lang), placeholder="XM2022-001"),
        Field("industry", L("industry", lang)),
        Field("park_id", L("park_id", lang), "select", _opts(app, "parks")),
        Field("kind", L("kind", lang), "select", _enum_opts(app, ProjectKind), required=True),
        Field("stage", L("stage", lang), "select", _enum_opts(app, Stage), required=True),
        Field("stalled", L("stalled", lang), "bool"),
        Field("agreed_investment", L("agreed_investment", lang) + ("(万元)" if lang != "en" else " (10k)"), "money"),
        Field("annual_plan", L("annual_plan", lang) + ("(万元)" if lang != "en" else " (10k)"), "money"),
        Field("signed_on", L("signed_on", lang), "date"),
        Field("start_on", L("start_on", lang), "date"),
        Field("target_production_on", L("target_production_on", lang), "date"),
        Field("leader_id", L("leader_id", lang), "select", _opts(app, "leaders")),
        Field("officer_id", L("officer_id", lang), "select", _opts(app, "officers")),
        Field("lead_department_id", L("lead_department_id", lang), "select", _opts(app, "departments")),
        Field("notes", L("notes", lang), "area"),
    ]


def add_project(app: "ServiceApp") -> None:
    values = {"kind": ProjectKind.NEW.value, "stage": Stage.SIGNED.value, "officer_id": app.person_id,
              "signed_on": None}

    def submit(v):
        v = dict(v)
        if not v.get("code"):
            v.pop("code", None)
        return entities.create_project(app.ctx(), **v)

    _push(app, FormScreen(t("f_new_project", app.lang), project_fields(app), values, submit), t("saved", app.lang))


def edit_project(app: "ServiceApp", project_id: int) -> None:
    rec = data.project_record(app.engine, project_id)
    if rec is None:
        return
    state = {"version": rec["version"]}

    def submit(v):
        changes = {k: x for k, x in v.items() if x != rec.get(k)}
        if not changes:
            return state["version"]
        return entities.update_project(app.ctx(), project_id, state["version"], **changes)

    def reload():
        fresh = data.project_record(app.engine, project_id)
        if fresh is not None:
            state["version"] = fresh["version"]
            rec.clear()
            rec.update(fresh)
        return fresh

    _push(app, FormScreen(t("f_edit_project", app.lang, code=rec["code"]), project_fields(app), rec, submit,
                          reload=reload), t("saved", app.lang))


def archive_project(app: "ServiceApp", row) -> None:
    confirm_archive(app, row.name, entities.archive, Project, row.id, row.version)


def report_funds(app: "ServiceApp", project_id: int) -> None:
    name = data.project_name(app.engine, project_id)
    month_default = f"{app.today.year}-{app.today.month:02d}"
    fields = [Field("month", t("f_month", app.lang), required=True), Field("amount", t("f_amount", app.lang), "money")]

    def submit(v):
        from servicetui.services.errors import ValidationError

        try:
            y, m = (int(x) for x in v["month"].replace("/", "-").split("-")[:2])
        except ValueError:
            raise ValidationError.one("month", "月份格式应为 2022-09", "Month must look like 2022-09")
        return entities.record_funds(app.ctx(), project_id, y, m, v["amount"])

    _push(app, FormScreen(t("f_funds", app.lang, project=_short(name, 40)), fields, {"month": month_default}, submit),
          t("saved", app.lang))


# -- units and milestones -------------------------------------------------------------------
def add_unit(app: "ServiceApp", project_id: int) -> None:
    name = data.project_name(app.engine, project_id)
    fields = [Field("name", t("unit_name", app.lang), required=True)]

    def submit(v):
        return entities.create_unit(app.ctx(), project_id, v["name"])

    _push(app, FormScreen(t("f_new_unit", app.lang, project=_short(name, 40)), fields, {}, submit), t("saved", app.lang))


def edit_unit(app: "ServiceApp", unit) -> None:
    fields = [Field("name", t("unit_name", app.lang), required=True)]
    state = {"version": unit.version}

    def submit(v):
        return entities.update_unit(app.ctx(), unit.id, state["version"], name=v["name"])

    def reload():
        fresh = data.unit_record(app.engine, unit.id)
        if fresh:
            state["version"] = fresh["version"]
        return fresh

    _push(app, FormScreen(t("f_edit_unit", app.lang, name=unit.name), fields, {"name": unit.name}, submit,
                          reload=reload), t("saved", app.lang))


def archive_unit(app: "ServiceApp", unit) -> None:
    confirm_archive(app, unit.name, entities.archive, Unit, unit.id, unit.version)


def milestone_fields(app: "ServiceApp") -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("status", L("status", lang), "select", _enum_opts(app, MilestoneStatus), required=True),
        Field("planned_on", L("planned_on", lang), "date"),
        Field("actual_start_on", L("actual_start_on", lang), "date"),
        Field("actual_finish_on", L("actual_finish_on", lang), "date"),
        Field("blocker", L("blocker", lang)),
        Field("kind", L("kind", lang), required=True),
    ]


def edit_milestone(app: "ServiceApp", unit_name: str, cell) -> None:
    rec = data.milestone_record(app.engine, cell.id)
    if rec is None:
        return
    state = {"version": rec["version"]}

    def submit(v):
        changes = {k: x for k, x in v.items() if x != rec.get(k)}
        if not changes:
            return state["version"]
        return entities.update_milestone(app.ctx(), cell.id, state["version"], **changes)

    def reload():
        fresh = data.milestone_record(app.engine, cell.id)
        if fresh is not None:
            state["version"] = fresh["version"]
            rec.clear()
            rec.update(fresh)
        return fresh

    title = t("f_edit_milestone", app.lang, unit=unit_name, kind=i18n.value(cell.kind, app.lang))
    _push(app, FormScreen(title, milestone_fields(app), rec, submit, reload=reload), t("saved", app.lang))


def milestone_started(app: "ServiceApp", cell) -> None:
    ok, _ = app.call(entities.mark_milestone_started, app.ctx(), cell.id, cell.version)
    if ok:
        app.after_write(t("saved", app.lang))


def milestone_done(app: "ServiceApp", cell) -> None:
    ok, _ = app.call(entities.mark_milestone_done, app.ctx(), cell.id, cell.version)
    if ok:
        app.after_write(t("saved", app.lang))


def milestone_blocker(app: "ServiceApp", unit_name: str, cell) -> None:
    def submit(v):
        return entities.set_milestone_blocker(app.ctx(), cell.id, cell.version, v["blocker"])

    title = t("f_blocker", app.lang, unit=unit_name, kind=i18n.value(cell.kind, app.lang))
    _one_text(app, title, t("f_blocker_label", app.lang), submit, kind="text", name="blocker",
              initial=cell.blocker, message=t("saved", app.lang))


def today_of(app) -> date:
    return app.today
