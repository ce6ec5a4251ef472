"""Screen 5: reference data — departments (责任单位), people (人员), parks and zones (园区/片区).

Each tab is a small DataTable (a county has dozens of rows, not thousands). `a` adds, `e` / Enter
edits, Delete archives (after confirmation); `[` / `]` switch tabs. Every write goes through
`services.entities`; its validation lands next to the field in the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from servicetui import i18n
from servicetui.domain.enums import Role
from servicetui.domain.parsing import format_money
from servicetui.services import entities, queries
from servicetui.store.models import Department, Park, Person
from servicetui.tui import data
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.screens import BaseScreen, VimDataTable
from servicetui.tui.strings import t
from servicetui.tui.actions import confirm_archive
from servicetui.tui.widgets import AppFooter, StatusLine, TopBar

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
    ReferenceScreen VimDataTable { height: 1fr; }
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
                    yield VimDataTable(id=f"table-{key}", cursor_type="row", zebra_stripes=True)
        yield StatusLine("")
        yield AppFooter()

    def on_mount(self) -> None:
        lang = self.lang
        cols = {
            "departments": [("name", t("c_department", lang), 24), ("short_name", t("c_short", lang), 10),
                            ("funds_target", t("c_target", lang), 16), ("phone", t("c_phone", lang), 16)],
            "people": [("name", i18n.label("name", lang), 10), ("login", t("c_login", lang), 16),
                       ("role", t("c_role", lang), 16), ("department", t("c_department", lang), 20),
                       ("title", t("c_position", lang), 28), ("phone", t("c_phone", lang), 14)],
            "parks": [("name", t("c_park_name", lang), 24), ("parent", t("c_parent", lang), 24)],
        }
        for key in TABS:
            table = self.query_one(f"#table-{key}", DataTable)
            for ck, label, width in cols[key]:
                table.add_column(Text(label, justify="right") if ck == "funds_target" else label, key=ck, width=width)
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

    def table(self, key: str | None = None) -> DataTable:
        return self.query_one(f"#table-{key or self.active}", DataTable)

    def focus_table(self) -> None:
        self.table().focus()

    def on_show_again(self) -> None:
        self.focus_table()

    def selected_id(self) -> int | None:
        table = self.table()
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        except Exception:
            return None
        return int(key.value) if key and key.value is not None else None

    def _row(self, key: str, entity_id: int | None) -> dict[str, Any] | None:
        return next((r for r in self._rows[key] if r["id"] == entity_id), None)

    # -- data ----------------------------------------------------------------------------
    def refresh_data(self, select: tuple[str, int] | None = None) -> None:
        eng, lang = self.app.engine, self.lang
        self._rows = {"departments": data.department_list(eng), "people": data.person_list(eng),
                      "parks": data.park_list(eng)}
        render = {
            "departments": lambda r: (r["name"], r["short_name"],
                                      Text(format_money(r["funds_target"], "万") if r["funds_target"] else "—",
                                           justify="right"), r["phone"]),
            "people": lambda r: (r["name"], r["login"] or "—", V(r["role"], lang), r["department"] or "—",
                                 r["title"], r["phone"]),
            "parks": lambda r: (r["name"] if r["parent_id"] is None else f"  └ {r['name']}", r["parent"] or "—"),
        }
        with self.app.batch_update():
            for key in TABS:
                table = self.table(key)
                keep = None
                if select and select[0] == key:
                    keep = select[1]
                elif table.row_count:
                    try:
                        keep = int(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
                    except Exception:
                        keep = None
                table.clear()
                for r in self._rows[key]:
                    table.add_row(*render[key](r), key=str(r["id"]))
                if keep is not None:
                    try:
                        table.move_cursor(row=table.get_row_index(str(keep)))
                    except Exception:
                        pass
        self._status()

    def _status(self) -> None:
        key = self.active
        self.status(t("n_rows", self.lang, n=len(self._rows.get(key, []))))

    # -- events --------------------------------------------------------------------------
    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._status()
        self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
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
