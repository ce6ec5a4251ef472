"""The problems table shared by the board, the project screen and the meeting: its columns, the
row actions (edit, advance, close, escalate, note, reassign, due, archive), marks and bulk changes."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from servicetui import i18n
from servicetui.domain.enums import ProblemStatus
from servicetui.services import queries
from servicetui.tui import actions
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.strings import t
from servicetui.tui.widgets import light_text

V = i18n.value


def problem_columns(app, with_project: bool = True) -> list[Column]:
    lang = app.lang
    en = lang == "en"
    cols = [Column("light", t("c_light", lang), 8 if en else 6, lambda r: light_text(r.light, lang))]
    if with_project:
        cols.append(Column("project", t("c_project", lang), 14, lambda r: r.project_name, flex=1, priority=-1))
    cols += [
        Column("title", t("c_title", lang), 16, lambda r: r.title, flex=2),
        Column("category", t("c_category", lang), 8, lambda r: V(r.category, lang), priority=-2),
        Column("department", t("c_department", lang), 12, lambda r: r.department, flex=1),
        Column("due", t("c_due", lang), 10, lambda r: r.due.isoformat() if r.due else "—"),
        Column("status", t("c_status", lang), 10 if en else 6, lambda r: V(r.status, lang)),
        Column("turn", t("c_turn", lang), 10 if en else 8, lambda r: V(r.turn, lang), priority=-1),
        Column("escalation", t("c_escalation", lang), 10, lambda r: t(f"escalation_{min(r.escalation, 2)}", lang),
               priority=-3),
    ]
    return cols


class ProblemTable(LazyTable):
    """A problems list with the quick keys of a selected problem."""

    BINDINGS = [
        Binding("e", "edit", "a_edit_problem", id="problem.edit"),
        Binding("n", "advance", "a_advance", id="problem.advance"),
        Binding("x", "close", "a_close", id="problem.close"),
        Binding("R", "reopen", "a_reopen", id="problem.reopen"),
        Binding("exclamation_mark", "escalate", "a_escalate", id="problem.escalate", key_display="!"),
        Binding("p", "note", "a_note", id="problem.note"),
        Binding("r", "reassign", "a_reassign", id="problem.reassign"),
        Binding("d", "due", "a_due", id="problem.due"),
        Binding("l", "log", "a_log", id="problem.log", show=False),
        Binding("delete", "archive", "a_archive", id="problem.archive", show=False),
        # bulk: mark rows, then change them all at once (one undo reverts the lot)
        Binding("v,space", "mark", "a_mark", id="problem.mark", show=False),
        Binding("V,ctrl+a", "mark_all", "a_mark_all", id="problem.mark_all", show=False),
        Binding("b", "bulk", "a_bulk", id="problem.bulk"),
        Binding("escape", "unmark", "a_unmark", id="problem.unmark"),
    ]
    MARK_ALL_LIMIT = 5000

    def __init__(self, columns: list[Column], **kwargs) -> None:
        super().__init__(columns, **kwargs)
        self.base_columns = list(columns)
        self.marked: dict[int, int] = {}  # problem id -> version as last shown

    # -- marks (bulk selection) ------------------------------------------------------------
    def _page(self, page: int) -> list:
        rows = super()._page(page)
        for r in rows:  # what you see is what a bulk change checks against
            if r.id in self.marked:
                self.marked[r.id] = r.version
        return rows

    def reload(self, keep_cursor: bool = True) -> None:
        if not keep_cursor and self.marked:  # a new filter or a new list: old marks would act unseen
            self.marked.clear()
            self._marks_changed(announce=False)
        super().reload(keep_cursor)

    def _marks_changed(self, announce: bool = True) -> None:
        marker = Column("mark", "✓", 1, lambda r: Text("✓", style="bold green") if r.id in self.marked else "")
        self.columns = ([marker] if self.marked else []) + self.base_columns
        self._widths = []
        self.refresh()
        if self.is_mounted:
            self.screen.refresh_bindings()
            if announce:
                self.post_message(self.MarksChanged(self, len(self.marked)))

    class MarksChanged(Message):
        def __init__(self, table: "ProblemTable", count: int) -> None:
            super().__init__()
            self.table = table
            self.count = count

        @property
        def control(self) -> "ProblemTable":
            return self.table

    def action_mark(self) -> None:
        row = self.selected
        if row is None:
            return
        if row.id in self.marked:
            del self.marked[row.id]
        else:
            self.marked[row.id] = row.version
        self._marks_changed()
        self.action_cursor_down()

    def action_mark_all(self) -> None:
        rows = self._fetch_fn(0, self.MARK_ALL_LIMIT)
        self.marked = {r.id: r.version for r in rows}
        if self.row_count > len(rows):
            self.app.notify(t("bulk_limit", self.app.lang, n=len(rows)), severity="warning")
        self._marks_changed()

    def action_unmark(self) -> None:
        self.marked.clear()
        self._marks_changed()

    def action_bulk(self) -> None:
        if not self.marked:
            return

        def done() -> None:
            self.marked.clear()
            self._marks_changed()

        bulk_change(self.app, list(self.marked.items()), done)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("unmark", "bulk"):
            return bool(self.marked)
        if action == "mark":
            return self.selected is not None
        if action == "mark_all":
            return self.row_count > 0
        row = self.selected
        closed = ProblemStatus.CLOSED.value
        if action in ("edit", "advance", "close", "reopen", "escalate", "note", "reassign", "due", "archive"):
            if row is None:
                return False
            if action == "close":
                return row.status != closed
            if action == "advance":
                return row.status not in (closed, ProblemStatus.DONE.value)
            if action == "reopen":
                return row.status in (closed, ProblemStatus.DONE.value)
            if action == "escalate":
                return row.status != closed and row.escalation < 2
            if action in ("reassign", "due"):
                return row.status != closed
            return True
        return super().check_action(action, parameters)

    def _with_row(self, fn, *args) -> None:
        row = self.selected
        if row is None:
            self.app.notify(t("no_selection", self.app.lang), severity="warning")
            return
        fn(self.app, *args, row)

    def action_edit(self) -> None:
        row = self.selected
        if row is not None:
            actions.edit_problem(self.app, row.id)

    def action_advance(self) -> None:
        self._with_row(actions.advance_problem)

    def action_close(self) -> None:
        self._with_row(actions.close_problem)

    def action_reopen(self) -> None:
        self._with_row(actions.reopen_problem)

    def action_escalate(self) -> None:
        self._with_row(actions.escalate_problem)

    def action_note(self) -> None:
        self._with_row(actions.note_problem)

    def action_reassign(self) -> None:
        self._with_row(actions.reassign_problem)

    def action_due(self) -> None:
        self._with_row(actions.change_due)

    def action_archive(self) -> None:
        self._with_row(actions.archive_problem)

    def action_log(self) -> None:
        """The 办理进展 log of the selected problem, newest first (a modal)."""
        row = self.selected
        if row is not None:
            from servicetui.tui.project_screen import ProblemLogScreen

            self.app.push_screen(ProblemLogScreen(row.id, row.title))


BULK_FIELDS = ("status", "department_id", "due")


def bulk_change(app, items: list[tuple[int, int]], on_done=None) -> None:
    """One modal for several marked problems: which field, its new value (and the note closing needs).
    `problems.bulk_update` writes it in one transaction, so one undo reverts all of it."""
    from servicetui.services import problems
    from servicetui.services.errors import ValidationError

    lang, L = app.lang, i18n.label
    fields = [
        Field("what", t("bulk_what", lang), "select", [(L(f, lang), f) for f in BULK_FIELDS], required=True),
        Field("status", L("status", lang), "select", [(V(s.value, lang), s.value) for s in ProblemStatus]),
        Field("department_id", L("department_id", lang), "select",
              [(n, i) for i, n in queries.choices(app.engine, "departments")]),
        Field("due", L("due", lang), "date",
              placeholder="下周五 / 2022-10-14 / +7d" if lang != "en" else "next fri / 2022-10-14 / +7d"),
        Field("note", t("bulk_note", lang), "area"),
    ]

    def submit(v: dict[str, Any]) -> int:
        what = v["what"]
        if what == "due" and v["due"] is None:
            raise ValidationError.one("due", "请填写新的办结时限", "enter the new due date")
        if what in ("status", "department_id") and v[what] is None:
            raise ValidationError.one(what, f"请选择{L(what, 'zh')}", f"choose the {L(what, 'en').lower()}")
        return problems.bulk_update(app.ctx(), items, **{what: v[what]}, note=v["note"] or "")

    def done(n: Any) -> None:
        if n is None or n is False:
            return
        if on_done is not None:
            on_done()
        app.after_write(t("bulk_done", lang, n=n))

    app.push_screen(FormScreen(t("bulk_title", lang, n=len(items)), fields, {"what": "status"}, submit,
                               intro=t("bulk_intro", lang)), done)


def problem_status_text(app, row) -> tuple[str, str]:
    v = row.verdict(app.today, app.warn_days)
    extra = f" · {row.project_name} · {row.title}"
    return v.reason(app.lang) + extra, v.light.value
