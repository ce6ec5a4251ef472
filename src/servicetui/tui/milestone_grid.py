"""The unit × milestone grid (单体 × 节点) of a project: one row per building, one column per
milestone, each cell its state and date; the cursor moves with h/j/k/l and the keys act on the
cell (start, done, blocker, edit) or on the unit (add, rename, archive). The project screen and the
dispatch meeting show it."""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from servicetui import i18n
from servicetui.domain.enums import MilestoneStatus
from servicetui.services import queries
from servicetui.tui import actions
from servicetui.tui.strings import t
from servicetui.tui.widgets import MILESTONE_GLYPHS, I18nBindings, lang_of

V = i18n.value


def _md(d: date | None) -> str:
    return d.strftime("%m-%d") if d else ""


def cell_text(cell: queries.MilestoneCell | None) -> Text:
    """Glyph, colour and the date that matters for the cell's status."""
    if cell is None:
        return Text("")
    glyph, colour = MILESTONE_GLYPHS.get(cell.status, ("?", ""))
    if cell.status == MilestoneStatus.DONE.value:
        when = _md(cell.actual_finish_on)
    elif cell.status == MilestoneStatus.NOT_STARTED.value:
        when = _md(cell.planned_on)
    else:
        when = ("→" + _md(cell.planned_on)) if cell.planned_on else _md(cell.actual_start_on)
    return Text.assemble((glyph, colour), " ", (when, "" if cell.status != MilestoneStatus.NOT_STARTED.value
                                                else "grey50"))


class MilestoneGrid(I18nBindings, Widget, can_focus=True):
    """Rows are units, columns milestone kinds; the cursor moves across cells."""

    DEFAULT_CSS = """
    MilestoneGrid { height: auto; min-height: 3; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    MilestoneGrid:focus { background: $boost; }
    """
    BINDINGS = [
        Binding("j,down", "move(1, 0)", "down", show=False, id="grid.down"),
        Binding("k,up", "move(-1, 0)", "up", show=False, id="grid.up"),
        Binding("h,left", "move(0, -1)", "left", show=False, id="grid.left"),
        Binding("l,right", "move(0, 1)", "right", show=False, id="grid.right"),
        Binding("s", "start", "a_ms_start", id="milestone.start"),
        Binding("d", "done", "a_ms_done", id="milestone.done"),
        Binding("b", "blocker", "a_ms_block", id="milestone.blocker"),
        Binding("e,enter", "edit", "a_ms_edit", id="milestone.edit"),
        Binding("n", "add_unit", "a_unit_add", id="unit.add"),
        Binding("R", "rename_unit", "a_unit_edit", id="unit.edit", show=False),
        Binding("delete", "archive_unit", "a_unit_archive", id="unit.archive", show=False),
    ]

    class CellHighlighted(Message):
        def __init__(self, unit, cell) -> None:
            super().__init__()
            self.unit = unit
            self.cell = cell

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self._translate()
        self.units: list[queries.UnitRow] = []
        self.kinds: list[str] = []
        self.row = 0
        self.col = 0
        self.project_id: int | None = None

    def set_data(self, project_id: int, units: list[queries.UnitRow], kinds: list[str]) -> None:
        self.project_id = project_id
        self.units, self.kinds = units, kinds
        self.row = max(0, min(self.row, len(units) - 1))
        self.col = max(0, min(self.col, len(kinds) - 1))
        self.refresh(layout=True)
        self._announce()

    @property
    def unit(self):
        return self.units[self.row] if self.units else None

    @property
    def cell(self):
        u = self.unit
        if u is None or not self.kinds:
            return None
        return u.milestones.get(self.kinds[self.col])

    def _announce(self) -> None:
        self.post_message(self.CellHighlighted(self.unit, self.cell))
        if self.is_mounted:
            self.screen.refresh_bindings()

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.units) + 1)

    def _widths(self) -> tuple[int, list[int]]:
        lang = lang_of(self)
        unit_w = max([cell_len(u.name) for u in self.units] + [6]) + 1
        widths = [max(cell_len(V(k, lang)), 9) for k in self.kinds]
        return unit_w, widths

    def render(self) -> Text:
        lang = lang_of(self)
        if not self.units:
            return Text(t("no_units", lang), style="dim")
        unit_w, widths = self._widths()
        out = Text(no_wrap=True, overflow="ellipsis")
        unit_label = i18n.entity("unit", lang)
        header = Text(unit_label + " " * (unit_w - cell_len(unit_label)), style="bold dim")
        for k, w in zip(self.kinds, widths):
            label = V(k, lang)
            header.append(" " + label + " " * (w - cell_len(label)), style="bold")
        out.append_text(header)
        for r, unit in enumerate(self.units):
            out.append("\n")
            line = Text(unit.name + " " * (unit_w - cell_len(unit.name)), style="bold")
            for c, (k, w) in enumerate(zip(self.kinds, widths)):
                txt = cell_text(unit.milestones.get(k))
                txt.pad_right(w - txt.cell_len)
                if r == self.row and c == self.col:
                    txt.stylize("reverse" if self.has_focus else "underline")
                line.append(" ")
                line.append_text(txt)
            out.append_text(line)
        return out

    def on_focus(self) -> None:
        self.refresh()
        self._announce()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, dr: int, dc: int) -> None:
        if not self.units:
            return
        self.row = max(0, min(self.row + dr, len(self.units) - 1))
        self.col = max(0, min(self.col + dc, len(self.kinds) - 1))
        self.refresh()
        self._announce()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        cell = self.cell
        if action == "start":
            return cell is not None and cell.status in (MilestoneStatus.NOT_STARTED.value,)
        if action == "done":
            return cell is not None and cell.status != MilestoneStatus.DONE.value
        if action in ("blocker", "edit"):
            return cell is not None
        if action in ("rename_unit", "archive_unit"):
            return self.unit is not None
        return True

    def action_start(self) -> None:
        if self.cell is not None:
            actions.milestone_started(self.app, self.cell)

    def action_done(self) -> None:
        if self.cell is not None:
            actions.milestone_done(self.app, self.cell)

    def action_blocker(self) -> None:
        if self.cell is not None:
            actions.milestone_blocker(self.app, self.unit.name, self.cell)

    def action_edit(self) -> None:
        if self.cell is not None:
            actions.edit_milestone(self.app, self.unit.name, self.cell)

    def action_add_unit(self) -> None:
        if self.project_id is not None:
            actions.add_unit(self.app, self.project_id)

    def action_rename_unit(self) -> None:
        if self.unit is not None:
            actions.edit_unit(self.app, self.unit)

    def action_archive_unit(self) -> None:
        if self.unit is not None:
            actions.archive_unit(self.app, self.unit)
