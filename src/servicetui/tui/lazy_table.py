"""`LazyTable`, the line-API table every list is drawn with, and its `Column`.

It knows only how many rows match and asks a fetch function for the page of rows it is about to draw
(offset/limit), so a list of 200 000 problems costs one COUNT and a page of 100 rows, never the whole
table. Rows are plain dataclasses keyed by db id; it draws only the visible lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rich.cells import cell_len
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.actions import parse
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from servicetui.tui.strings import t
from servicetui.tui.widgets import I18nBindings, clip_text, clipped, lang_of


@dataclass
class Column:
    key: str
    label: str
    width: int  # fixed width, or the minimum of a flexible column
    render: Callable[[Any], Text | str]
    flex: int = 0  # share of the spare width
    align: str = "left"
    priority: int = 0  # columns with the lowest priority hide first when the screen is narrow


_STYLED_CELLS: dict[tuple, tuple[list[tuple[str, Style | None]], int]] = {}  # rendered styled cells


class _RowMessage(Message):
    """A message about one row of a LazyTable (its handlers are named after the subclass)."""

    def __init__(self, table: "LazyTable", row: Any) -> None:
        super().__init__()
        self.table = table
        self.row = row

    @property
    def control(self) -> "LazyTable":
        return self.table


class LazyTable(I18nBindings, ScrollView, can_focus=True, inherit_bindings=False):
    """A windowed table over a query: count() + fetch(offset, limit).

    It never scrolls sideways (its columns are fitted to its width), so ScrollView's keys are not
    inherited: ←/→ and ctrl+pgup/pgdn would do nothing, and `?` would list them."""

    DEFAULT_CSS = """
    LazyTable { height: 1fr; overflow-x: hidden; }
    LazyTable > .lazytable--header { text-style: bold; color: $text-accent; }
    LazyTable > .lazytable--cursor { background: $block-cursor-blurred-background; }
    LazyTable:focus > .lazytable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    LazyTable > .lazytable--empty { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"lazytable--header", "lazytable--cursor", "lazytable--empty"}
    BINDINGS = [
        Binding("down,j", "cursor_down", "down", show=False, id="list.down"),
        Binding("up,k", "cursor_up", "up", show=False, id="list.up"),
        Binding("home,g", "cursor_top", "top", show=False, id="list.top"),
        Binding("end,G", "cursor_bottom", "bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "page_down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "page_up", show=False, id="list.page_up"),
        Binding("enter", "select", "open", id="list.open"),
    ]

    class Highlighted(_RowMessage):
        """The cursor is on `row` (None: the list is empty)."""

    class Selected(_RowMessage):
        """Enter (or a double click) on `row`."""

    SQUEEZED = 8  # the narrowest a flexible column gets when the fixed ones leave too little room
    PAGE = 60  # rows per fetch: a 45-line terminal shows about 40; one fetch fills the screen

    def __init__(self, columns: list[Column], *, count: Callable[[], int],
                 fetch: Callable[[int, int], list[Any]], name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._translate()
        self.columns = columns
        self._count_fn = count
        self._fetch_fn = fetch
        self._cache: dict[int, list[Any]] = {}
        self.row_count = 0
        self.cursor = 0
        self._widths: list[tuple[Column, int]] = []
        self._widths_for = -1  # the width _widths were fitted to
        self._loaded = False
        self._binding_state: tuple | None = None
        self._styles: tuple[Style, Style, Style] | None = None
        self._pass_width: int | None = None  # the width of the rows while one render_lines pass draws them

    # -- data ----------------------------------------------------------------------------
    def set_source(self, *, count: Callable[[], int], fetch: Callable[[int, int], list[Any]]) -> None:
        self._count_fn, self._fetch_fn = count, fetch
        self.reload(keep_cursor=False)

    def reload(self, keep_cursor: bool = True) -> None:
        """Re-count and forget cached pages (after a write, a filter change or a poll)."""
        key = self.selected_key if keep_cursor else None
        self._cache.clear()
        self.row_count = self._count_fn()
        self._loaded = True
        if not keep_cursor:
            self.cursor = 0
        self.cursor = max(0, min(self.cursor, self.row_count - 1))
        if key is not None and self.row_count:  # follow the selected row if it moved nearby
            page = self.cursor // self.PAGE
            for p in dict.fromkeys((page, 0)):
                hit = next((i for i, r in enumerate(self._page(p)) if getattr(r, "id", None) == key), None)
                if hit is not None:
                    self.cursor = p * self.PAGE + hit
                    break
        self._size_rows()
        if not keep_cursor:
            self.scroll_to(y=0, animate=False)
        self._scroll_cursor_into_view()
        self.refresh()
        self._highlight()

    def prime(self, count: int, first_page: list[Any]) -> None:
        """Show rows already fetched (count and page 0) instead of querying for them now."""
        self._cache.clear()
        self._cache[0] = list(first_page)
        self.row_count = count
        self._loaded = True
        self.cursor = 0
        self._size_rows()
        self.refresh()
        self._highlight()

    def _size_rows(self) -> None:
        """The scrollable height follows the row count (+1: the header) without laying the screen out.

        Widget.virtual_size is a layout reactive: each change lays out and redraws the whole screen
        (≈ 20 ms at 160×45, on a keystroke that changes the count). Nothing around the table moves when
        its row count does, so it is set as Textual sets it on a resize without layout (Widget.
        _size_updated): quietly, then the scrollbars are updated. `_scroll_update` sets the scrollbar's
        visibility reactives, which lay the screen out when a scrollbar appears or goes."""
        size = Size(self._content_width(), self.row_count + 1)
        if size != self.virtual_size:
            self.set_reactive(LazyTable.virtual_size, size)
            self._scroll_update(size)

    def _page(self, page: int) -> list[Any]:
        if page not in self._cache:
            if len(self._cache) > 30:  # keep memory bounded while scrolling far
                self._cache.pop(next(iter(self._cache)))
            self._cache[page] = self._fetch_fn(page * self.PAGE, self.PAGE)
        return self._cache[page]

    def row_at(self, index: int) -> Any | None:
        if index < 0 or index >= self.row_count:
            return None
        rows = self._page(index // self.PAGE)
        i = index % self.PAGE
        return rows[i] if i < len(rows) else None

    @property
    def selected(self) -> Any | None:
        return self.row_at(self.cursor) if self._loaded else None

    @property
    def selected_key(self) -> Any | None:
        row = self.selected
        return getattr(row, "id", None) if row is not None else None

    # -- cursor --------------------------------------------------------------------------
    def move_to(self, index: int) -> None:
        if self.row_count == 0:
            return
        index = max(0, min(index, self.row_count - 1))
        if index != self.cursor:
            self.cursor = index
            self._scroll_cursor_into_view()
            self.refresh()
            self._highlight()

    def _highlight(self) -> None:
        self.post_message(self.Highlighted(self, self.selected))
        if not self.is_mounted:
            return
        # the footer shows which keys apply to the selected row; refreshing it recomposes every key,
        # so do it only when the set of enabled actions changed (not on every cursor move or keystroke)
        state = self._row_binding_state()
        if state != self._binding_state:
            self._binding_state = state
            self.screen.refresh_bindings()

    def _row_binding_state(self) -> tuple:
        """What the selected row can change: the check_action answers of this table and of the nodes
        between it and its screen (the app's do not depend on the row)."""
        out: list = []
        screen = self.screen
        node: Any = self
        while node is not None:
            for bindings in node._bindings.key_to_bindings.values():
                for b in bindings:
                    namespace, name, params = parse(b.action)
                    if not namespace:
                        out.append(node.check_action(name, params))
            if node is screen:
                break
            node = node.parent
        return tuple(out)

    def _body_height(self) -> int:
        return max(1, self.size.height - 1)

    def _scroll_cursor_into_view(self) -> None:
        top = round(self.scroll_offset.y)
        h = self._body_height()
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False)
        elif self.cursor >= top + h:
            self.scroll_to(y=self.cursor - h + 1, animate=False)

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_cursor_top(self) -> None:
        self.move_to(0)

    def action_cursor_bottom(self) -> None:
        self.move_to(self.row_count - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + self._body_height())

    def action_page_up(self) -> None:
        self.move_to(self.cursor - self._body_height())

    def action_select(self) -> None:
        row = self.selected
        if row is not None:
            self.post_message(self.Selected(self, row))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "select":
            return self.row_count > 0
        return True

    async def _on_click(self, event: events.Click) -> None:
        index = round(self.scroll_offset.y) + event.y - 1
        if event.y >= 1 and 0 <= index < self.row_count:
            self.move_to(index)
            if event.chain >= 2:
                self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self._widths = []  # the columns are fitted to the new width when the table is drawn again
        self._size_rows()  # (the screen is being laid out already: setting virtual_size would do it again)
        self.refresh()

    def on_mount(self) -> None:
        # the screen usually loads its lists itself in its own on_mount (which runs after ours):
        # load only if it has not done so by the next refresh, so the first page is fetched once
        self.call_after_refresh(self._autoload)

    def _autoload(self) -> None:
        if not self._loaded:
            self.reload(keep_cursor=False)

    # -- drawing -------------------------------------------------------------------------
    def _layout(self, width: int) -> list[tuple[Column, int]]:
        cols = sorted(self.columns, key=lambda c: -c.priority)
        shown = list(self.columns)

        def need(cs):
            return sum(c.width for c in cs) + max(0, len(cs) - 1)

        for c in reversed(cols):  # drop the least important columns until the rest fit
            if need(shown) <= width or len(shown) <= 1:
                break
            if c.priority < 0:
                shown.remove(c)
        spare = width - need(shown)
        flex_cols = [c for c in shown if c.flex]
        if spare < 0:  # too wide even so (a side panel): the flexible columns give up width, to SQUEEZED each
            cut = {}
            for c in sorted(flex_cols, key=lambda c: -c.flex):
                cut[c.key] = min(-spare, max(0, c.width - self.SQUEEZED))
                spare += cut[c.key]
            return [(c, c.width - cut.get(c.key, 0)) for c in shown]
        flex_total = sum(c.flex for c in shown) or 0
        out, given = [], 0
        for c in shown:
            extra = 0
            if c.flex and flex_total:
                if c is flex_cols[-1]:
                    extra = spare - given
                else:
                    extra = spare * c.flex // flex_total
                    given += extra
            out.append((c, c.width + extra))
        return out

    def _line(self, cells: list[Text | str], style: Style | None, width: int, overlay: Style | None = None) -> Strip:
        """Cells side by side; `style` lies under the cells' own colours, `overlay` (the cursor) on top.

        Built as segments directly (this runs for every visible row on every keystroke): a plain cell
        is one segment; a cell with its own styles goes through rich's Text rendering."""
        base = style or Style.null()
        top = base
        if overlay is not None:
            overlay = Style(bgcolor=overlay.bgcolor, bold=overlay.bold, reverse=overlay.reverse)
            top = base + overlay
        console: Console = self.app.console
        segments: list[Segment] = []
        run: list[str] = []  # text in `top` waiting to be one segment: fewer segments, less to draw

        def put(text: str, st: Style) -> None:
            if st is top:
                run.append(text)
                return
            if run:
                segments.append(Segment("".join(run), top))
                run.clear()
            segments.append(Segment(text, st))

        total = 0
        for i, ((col, w), cell) in enumerate(zip(self._widths, cells)):
            if i:
                run.append(" ")
                total += 1
            if isinstance(cell, Text) and (cell.spans or cell.style):
                key = (cell.plain, tuple(cell.spans), cell.style, w)
                rendered = _STYLED_CELLS.get(key)
                if rendered is None:  # a few kinds of styled cells (lights, marks) repeat on every row
                    text = cell.copy()
                    text.no_wrap = True
                    text.end = ""
                    clip_text(text, w)
                    rendered = ([(seg.text, seg.style) for seg in text.render(console) if seg.text], w - text.cell_len)
                    if len(_STYLED_CELLS) > 512:
                        _STYLED_CELLS.clear()
                    _STYLED_CELLS[key] = rendered
                parts, pad = rendered
                if col.align == "right":
                    run.append(" " * pad)
                for txt, st in parts:
                    put(txt, (base + st + overlay if overlay is not None else base + st) if st is not None else top)
                if col.align != "right":
                    run.append(" " * pad)
                total += w
                continue
            plain = cell.plain if isinstance(cell, Text) else str(cell)
            if "\n" in plain or "\r" in plain or "\t" in plain:
                plain = plain.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
            n = cell_len(plain)
            if n > w:
                plain = clipped(plain, w)
                n = w
            pad = " " * (w - n)
            run.append(pad + plain if col.align == "right" else plain + pad)
            total += w
        if total < width:
            put(" " * (width - total), style or self._pass_styles()[0])
            if run:
                segments.append(Segment("".join(run), top))
            return Strip(segments, width)
        if run:
            segments.append(Segment("".join(run), top))
        return Strip(segments, total).crop(0, width) if total > width else Strip(segments, total)

    def render_lines(self, crop):
        # the styles and the width are the same for every line of one pass: look them up once, not per line
        self._styles = None
        self._pass_width = self._content_width()
        try:
            return super().render_lines(crop)
        finally:
            self._pass_width = None

    def _pass_styles(self) -> tuple[Style, Style, Style]:
        if self._styles is None:
            base = self.rich_style
            self._styles = (base, base + self.get_component_rich_style("lazytable--header"),
                            self.get_component_rich_style("lazytable--cursor"))
        return self._styles

    def _content_width(self) -> int:
        """The width the rows are drawn in: the table's, less the vertical scrollbar when it shows (a
        short terminal): the columns are fitted to it, so none hides under the scrollbar and the table
        never scrolls sideways."""
        return self.scrollable_content_region.width

    def render_line(self, y: int) -> Strip:
        width = self._pass_width if self._pass_width is not None else self._content_width()
        if not self._widths or width != self._widths_for:
            self._widths, self._widths_for = self._layout(width), width
        base, header, cursor = self._pass_styles()
        if y == 0:
            return self._line([c.label for c, _ in self._widths], header, width)
        index = round(self.scroll_offset.y) + y - 1
        if self.row_count == 0 and y == 1:
            empty = self.get_component_rich_style("lazytable--empty")
            return Strip([*Text(t("empty", lang_of(self)), style=empty).render(self.app.console)]).crop_extend(
                0, width, base)
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        cells = []
        for col, _ in self._widths:
            try:
                v = col.render(row)
            except Exception:  # a bad cell must not take the screen down
                v = "?"
            cells.append(v if isinstance(v, Text) else ("" if v is None else str(v)))
        if index == self.cursor:
            return self._line(cells, base + Style(bgcolor=cursor.bgcolor), width, overlay=cursor)
        return self._line(cells, base, width)
