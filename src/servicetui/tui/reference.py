"""Screen 5: reference data — departments (责任单位), people (人员), parks and zones (园区/片区).

Each tab is a LazyTable over the rows read once per visit (a county has dozens of people, a province
sharing one database thousands: drawing only the visible rows keeps the screen quick at either size).
`a` adds, `e` / Enter edits, Delete archives (after confirmation); `[` / `]` switch tabs. Every write goes through
`services.entities`; its validation lands next to the field in the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TabbedContent, TabPane

from servicetui import i18n
from servicetui.domain.enums import Role
from servicetui.domain.parsing import format_money
from servicetui.services import entities, queries
from servicetui.store.models import Department, Park, Person
from servicetui.tui import data
from servicetui.tui.actions import confirm_archive
from servicetui.tui.footer import AppFooter
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.screens import BaseScreen
from servicetui.tui.strings import t
from servicetui.tui.widgets import StatusLine, TopBar

V = i18n.value
TABS = ("departments", "people", "parks")


# -- forms -----------------------------------------------------------------------------------
def department_fields(app) -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("name", L("name", lang), required=True),
        Field("short_name", L("short_name", lang)),
        Field("funds_target", L("funds_target", lang) + ("（万元）" if lang != "en" else " (10k)"), "money"),
        Field("phone", L("phone", lang)),
    ]


def person_fields(app) -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("name", L("name", lang), required=True),
        Field("login", L("login", lang)),
        Field("role", L("role", lang), "select", [(V(r.value, lang), r.value) for r in Role], required=True),
        Field("title", t("c_position", lang)),
        Field("department_id", i18n.label("department_id", lang), "select",
              [(n, i) for i, n in queries.choices(app.engine, "departments")]),
        Field("phone", L("phone", lang)),
    ]


def park_fields(app, exclude: int | None = None) -> list[Field]:
    L, lang = i18n.label, app.lang
    return [
        Field("name", L("name", lang), required=True),
        Field("parent_id", L("parent_id", lang), "select",
              [(n, i) for i, n in data.top_parks(app.engine) if i != exclude]),
        Field("notes", L("notes", lang), "area"),
    ]


SPEC: dict[str, dict[str, Any]] = {
    "departments": {"model": Department, "fields": department_fields, "record": data.department_record,
                        "create": entities.create_department, "update": entities.update_department,
                        "new": "f_new_department", "edit": "f_edit_department", "defaults": {}},
    "people": {"model": Person, "fields": person_fields, "record": data.person_record,
                   "create": entities.create_person, "update": entities.update_person,
                   "new": "f_new_person", "edit": "f_edit_person", "defaults": {"role": Role.STAFF.value}},
    "parks": {"model": Park, "fields": park_fields, "record": data.park_record,
                  "create": entities.create_park, "update": entities.update_park,
                  "new": "f_new_park", "edit": "f_edit_park", "defaults": {}},
}


def _clean(v: dict[str, Any]) -> dict[str, Any]:
    out = dict(v)
    if "login" in out and not out["login"]:
        out["login"] = None
    return out


def add_reference(app, what: str, done: Callable[[Any], None] | None = None) -> FormScreen:
    spec = SPEC[what]

    def submit(v: dict[str, Any]) -> int:
        return spec["create"](app.ctx(), **_clean(v))

    screen = FormScreen(t(spec["new"], app.lang), spec["fields"](app), dict(spec["defaults"]), submit)

    def finished(result) -> None:
        if result:
            app.after_write(t("saved", app.lang))
            if done:
                done(result)

    app.push_screen(screen, finished)
    return screen


def edit_reference(app, what: str, entity_id: int) -> None:
    spec = SPEC[what]
    rec = spec["record"](app.engine, entity_id)
    if rec is None:
        app.notify(t("no_selection", app.lang), severity="warning")
        return
    state = {"version": rec["version"]}
    fields = park_fields(app, exclude=entity_id) if what == "parks" else spec["fields"](app)

    def submit(v: dict[str, Any]) -> int:
        v = _clean(v)
        changes = {k: x for k, x in v.items() if x != rec.get(k)}
        if not changes:
            return state["version"]
        return spec["update"](app.ctx(), entity_id, state["version"], **changes)

    def reload():
        fresh = spec["record"](app.engine, entity_id)
        if fresh is not None:
            state["version"] = fresh["version"]
            rec.clear()
            rec.update(fresh)
        return fresh

    def finished(result) -> None:
        if result:
            app.after_write(t("saved", app.lang))

    app.push_screen(FormScreen(t(spec["edit"], app.lang, name=rec.get("name", "")), fields, rec, submit,
                               reload=reload), finished)


# -- screen ----------------------------------------------------------------------------------
class ReferenceScreen(BaseScreen):
    current = "reference"
    BINDINGS = [
        Binding("a", "add", "a_add", id="reference.add"),
        Binding("e", "edit", "a_edit", id="reference.edit"),
        Binding("delete", "archive", "a_archive", id="reference.archive", show=False),
        Binding("left_square_bracket", "tab(-1)", "left", id="reference.prev_tab", key_display="[", show=False),
        Binding("right_square_bracket", "tab(1)", "right", id="reference.next_tab", key_display="]", show=False),
    ]
    DEFAULT_CSS = """
    ReferenceScreen TabbedContent { height: 1fr; }
    ReferenceScreen TabPane { padding: 0 1; height: 1fr; }
    ReferenceScreen LazyTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, list[dict[str, Any]]] = {k: [] for k in TABS}

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield TopBar("reference")
        yield Static(t("ref_hint", lang), id="hint", markup=False)
        with TabbedContent(id="tabs", initial="tab-departments"):
            for key in TABS:
                with TabPane(t(f"tab_{key}", lang), id=f"tab-{key}"):
                    yield LazyTable(self._columns(key), count=lambda key=key: len(self._rows[key]),
                                    fetch=lambda o, n, key=key: self._rows[key][o:o + n], id=f"table-{key}")
        yield StatusLine("")
        yield AppFooter()

    def _columns(self, key: str) -> list[Column]:
        lang = self.lang

        def col(field: str, label: str, width: int, render=None, **kw) -> Column:
            return Column(field, label, width, render or (lambda r: r[field] or "—"), **kw)

        return {
            "departments": [
                col("name", t("c_department", lang), 24, flex=2),
                col("short_name", t("c_short", lang), 10, lambda r: r["short_name"] or ""),
                col("funds_target", t("c_target", lang), 16,
                    lambda r: format_money(r["funds_target"], "万") if r["funds_target"] else "—", align="right"),
                col("phone", t("c_phone", lang), 16, lambda r: r["phone"] or "", flex=1)],
            "people": [
                col("name", i18n.label("name", lang), 10), col("login", t("c_login", lang), 16),
                col("role", t("c_role", lang), 16, lambda r: V(r["role"], lang)),
                col("department", t("c_department", lang), 20, flex=1),
                col("title", t("c_position", lang), 28, lambda r: r["title"] or "", flex=1),
                col("phone", t("c_phone", lang), 14, lambda r: r["phone"] or "")],
            "parks": [
                col("name", t("c_park_name", lang), 24,
                    lambda r: r["name"] if r["parent_id"] is None else f"  └ {r['name']}", flex=1),
                col("parent", t("c_parent", lang), 24, flex=1)],
        }[key]

    def on_mount(self) -> None:
        self.refresh_data()
        self.focus_table()

    # -- helpers -------------------------------------------------------------------------
    @property
    def active(self) -> str:
        try:
            pane = self.query_one(TabbedContent).active or "tab-departments"
        except Exception:
            return "departments"
        return pane.removeprefix("tab-")

    def table(self, key: str | None = None) -> LazyTable:
        return self.query_one(f"#table-{key or self.active}", LazyTable)

    def focus_table(self) -> None:
        self.table().focus()

    def on_show_again(self) -> None:
        self.focus_table()

    def selected_id(self) -> int | None:
        return self._selected(self.active)

    def _row(self, key: str, entity_id: int | None) -> dict[str, Any] | None:
        return next((r for r in self._rows[key] if r["id"] == entity_id), None)

    # -- data ----------------------------------------------------------------------------
    def refresh_data(self, select: tuple[str, int] | None = None) -> None:
        eng = self.app.engine
        keep = {key: (select[1] if select and select[0] == key else self._selected(key)) for key in TABS}
        self._rows = {"departments": data.department_list(eng), "people": data.person_list(eng),
                      "parks": data.park_list(eng)}
        for key in TABS:
            table = self.table(key)
            table.reload(keep_cursor=False)
            index = next((i for i, r in enumerate(self._rows[key]) if r["id"] == keep[key]), None)
            if index is not None:  # the row added or edited, or the one selected before
                table.move_to(index)
        self._status()

    def _selected(self, key: str) -> int | None:
        row = self.table(key).selected
        return row["id"] if row is not None else None

    def _status(self) -> None:
        key = self.active
        self.status(t("n_rows", self.lang, n=len(self._rows.get(key, []))))

    # -- events --------------------------------------------------------------------------
    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._status()
        self.refresh_bindings()

    def on_lazy_table_selected(self, event: LazyTable.Selected) -> None:
        self.action_edit()

    # -- actions -------------------------------------------------------------------------
    def action_tab(self, step: int) -> None:
        i = (TABS.index(self.active) + step) % len(TABS)
        self.query_one(TabbedContent).active = f"tab-{TABS[i]}"
        self.call_after_refresh(self.focus_table)

    def action_add(self) -> None:
        key = self.active
        add_reference(self.app, key, done=lambda new_id: self.refresh_data(select=(key, new_id)))

    def action_edit(self) -> None:
        entity_id = self.selected_id()
        if entity_id is not None:
            edit_reference(self.app, self.active, entity_id)

    def action_archive(self) -> None:
        key, entity_id = self.active, self.selected_id()
        row = self._row(key, entity_id)
        if row is None:
            return
        app = self.app

        confirm_archive(app, row["name"], entities.archive, SPEC[key]["model"], row["id"], row["version"])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "archive"):
            try:
                return self.selected_id() is not None
            except Exception:
                return False
        return True
