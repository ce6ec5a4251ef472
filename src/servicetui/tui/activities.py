"""Screen 4: investment-promotion activities (走出去 / 请进来 / 签约会 / 推介会 / 培训会), month by month.

    [ / ]   previous / next month      A   all months
    a       log an activity            e / Enter   edit      Delete   archive (after confirmation)

The count line reads like the bulletin: "2022年9月：走出去 0 批次 · 请进来 1 次 · …".
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from servicetui import i18n
from servicetui.domain.enums import ActivityKind
from servicetui.services import entities
from servicetui.store.models import Activity
from servicetui.tui import data
from servicetui.tui.actions import confirm_archive
from servicetui.tui.footer import AppFooter
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.screens import BaseScreen
from servicetui.tui.strings import t
from servicetui.tui.widgets import StatusLine, TopBar

V = i18n.value

def month_label(month: tuple[int, int] | None, lang: str) -> str:
    if month is None:
        return t("all_months", lang)
    return t("month_label", lang, y=month[0], m=month[1])


def shift_month(month: tuple[int, int], step: int) -> tuple[int, int]:
    n = month[0] * 12 + (month[1] - 1) + step
    return n // 12, n % 12 + 1


def tally_text(engine, month: tuple[int, int] | None, lang: str) -> str:
    counts, contacted = data.activity_tally(engine, month)
    K = ActivityKind
    return t("act_tally", lang, month=month_label(month, lang), out=counts.get(K.OUTBOUND.value, 0),
             inb=counts.get(K.INBOUND.value, 0), sign=counts.get(K.SIGNING.value, 0),
             promo=counts.get(K.PROMOTION.value, 0), train=counts.get(K.TRAINING.value, 0), contacted=contacted)


def activity_fields(app) -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("on", L("on", lang), "date", required=True,
              placeholder="2022-09-16 / 昨天 / -3d" if lang != "en" else "2022-09-16 / yesterday / -3d"),
        Field("kind", L("kind", lang), "select", [(V(k.value, lang), k.value) for k in ActivityKind], required=True),
        Field("title", L("title", lang)),
        Field("place", L("place", lang)),
        Field("people", L("people", lang)),
        Field("projects_contacted", t("f_contacted", lang), "area"),
        Field("notes", L("notes", lang), "area"),
    ]


def add_activity(app, *, done=None) -> None:
    """Log an activity; `done(id, on)` runs after a save."""
    values = {"on": app.today, "kind": ActivityKind.OUTBOUND.value}
    saved: dict[str, Any] = {}

    def submit(v: dict[str, Any]) -> int:
        saved.update(v)
        return entities.create_activity(app.ctx(), **v)

    def finished(result) -> None:
        if result:
            app.after_write(t("saved", app.lang))
            if done:
                done(result, saved.get("on"))

    app.push_screen(FormScreen(t("f_new_activity", app.lang), activity_fields(app), values, submit), finished)


def edit_activity(app, activity_id: int) -> None:
    rec = data.activity_record(app.engine, activity_id)
    if rec is None:
        app.notify(t("no_selection", app.lang), severity="warning")
        return
    state = {"version": rec["version"]}

    def submit(v: dict[str, Any]) -> int:
        changes = {k: x for k, x in v.items() if x != rec.get(k)}
        if not changes:
            return state["version"]
        return entities.update_activity(app.ctx(), activity_id, state["version"], **changes)

    def reload():
        fresh = data.activity_record(app.engine, activity_id)
        if fresh is not None:
            state["version"] = fresh["version"]
            rec.clear()
            rec.update(fresh)
        return fresh

    def finished(result) -> None:
        if result:
            app.after_write(t("saved", app.lang))

    app.push_screen(FormScreen(t("f_edit_activity", app.lang, id=activity_id), activity_fields(app), rec, submit,
                               reload=reload), finished)


class ActivitiesScreen(BaseScreen):
    current = "activities"
    AUTO_FOCUS = "#list"
    DEFAULT_CSS = """
    ActivitiesScreen #tally { height: auto; padding: 0 1; }
    """
    BINDINGS = [
        Binding("left_square_bracket", "month(-1)", "a_prev_month", id="activities.prev", key_display="["),
        Binding("right_square_bracket", "month(1)", "a_next_month", id="activities.next", key_display="]"),
        Binding("A", "all_months", "a_all_months", id="activities.all"),
        Binding("a", "add", "a_add_activity", id="activities.add"),
        Binding("e", "edit", "a_edit_activity", id="activities.edit"),
        Binding("delete", "archive", "a_archive", id="activities.archive", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        today = self.app.today
        self.month: tuple[int, int] | None = (today.year, today.month)
        self._last_month: tuple[int, int] = self.month

    def compose(self) -> ComposeResult:
        yield TopBar("activities")
        yield Static("", id="tally")
        yield LazyTable(self._columns(), count=self._count, fetch=self._fetch, id="list")
        yield StatusLine("")
        yield AppFooter()

    def on_mount(self) -> None:
        self._apply()
        self.focus_list()

    def focus_list(self) -> None:
        self.query_one("#list", LazyTable).focus()

    def on_show_again(self) -> None:
        self.focus_list()

    # -- data ----------------------------------------------------------------------------
    def _count(self) -> int:
        return data.activity_count(self.app.engine, self.month)

    def _fetch(self, offset: int, limit: int) -> list:
        return data.activity_rows(self.app.engine, self.month, offset, limit)

    def _columns(self) -> list[Column]:
        lang = self.lang
        en = lang == "en"
        return [
            Column("on", t("c_on", lang), 10, lambda r: r.on.isoformat()),
            Column("kind", t("c_kind", lang), 14 if en else 6, lambda r: V(r.kind, lang)),
            Column("title", t("c_act_title", lang), 24, lambda r: r.title, flex=3),
            Column("place", t("c_place", lang), 10, lambda r: r.place, flex=1, priority=-1),
            Column("people", t("c_people", lang), 12, lambda r: r.people, flex=1, priority=-2),
            Column("contacted", t("c_contacted_n", lang), 10 if en else 6, lambda r: str(r.contacted_count),
                   align="right"),
            Column("projects", t("c_contacted", lang), 16, lambda r: " · ".join(x.strip() for x in r.projects_contacted.splitlines()
                                                            if x.strip()), flex=2, priority=-3),
        ]

    def _tally(self) -> None:
        self.query_one("#tally", Static).update(Text(tally_text(self.app.engine, self.month, self.lang), style="bold"))

    def refresh_data(self) -> None:
        self._tally()
        self.query_one("#list", LazyTable).reload()

    def _apply(self) -> None:
        self._tally()
        self.query_one("#list", LazyTable).reload(keep_cursor=False)

    # -- events --------------------------------------------------------------------------
    def on_lazy_table_highlighted(self, event: LazyTable.Highlighted) -> None:
        row = event.row
        if row is None:
            self.status(t("empty", self.lang))
            return
        projects = "、".join(x.strip() for x in row.projects_contacted.splitlines() if x.strip())
        self.status(" · ".join(x for x in [row.on.isoformat(), V(row.kind, self.lang), row.title, row.place,
                                           row.people, projects] if x))

    def on_lazy_table_selected(self, event: LazyTable.Selected) -> None:
        edit_activity(self.app, event.row.id)

    # -- actions -------------------------------------------------------------------------
    def action_month(self, step: int) -> None:
        base = self.month or self._last_month
        self.month = self._last_month = shift_month(base, step)
        self._apply()

    def action_all_months(self) -> None:
        self.month = None if self.month is not None else self._last_month
        self._apply()

    def action_add(self) -> None:
        def added(_id, on) -> None:
            if on is not None and self.month is not None and (on.year, on.month) != self.month:
                self.month = self._last_month = (on.year, on.month)  # follow the new entry to its month
                self._apply()

        add_activity(self.app, done=added)

    def action_edit(self) -> None:
        row = self.query_one("#list", LazyTable).selected
        if row is not None:
            edit_activity(self.app, row.id)

    def action_archive(self) -> None:
        row = self.query_one("#list", LazyTable).selected
        if row is None:
            return
        app = self.app
        what = f"{row.on.isoformat()} {row.title or V(row.kind, app.lang)}"

        confirm_archive(app, what, entities.archive, Activity, row.id, row.version)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "archive"):
            try:
                return self.query_one("#list", LazyTable).selected is not None
            except Exception:
                return False
        return True
