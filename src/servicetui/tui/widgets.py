"""Widgets shared by the screens.

`LazyTable` is a line-API table: it knows only how many rows match and asks a fetch function for
the page of rows it is about to draw (offset/limit), so a list of 200 000 problems costs one
COUNT and a page of 100 rows, never the whole table. Rows are plain dataclasses keyed by db id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Callable, NamedTuple

from rich.cells import cell_len, set_cell_size
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
from textual.widget import Widget
from textual.widgets import Input, Static

from servicetui.domain.enums import Light, MilestoneStatus
from servicetui.i18n import value as tr_value
from servicetui.tui.strings import t

LIGHT_COLOURS = {Light.RED.value: "red", Light.YELLOW.value: "yellow", Light.GREEN.value: "green",
                 Light.NONE.value: "grey50"}
MILESTONE_GLYPHS = {
    MilestoneStatus.DONE.value: ("✓", "green"),
    MilestoneStatus.IN_PROGRESS.value: ("◐", "yellow"),
    MilestoneStatus.BLOCKED.value: ("✗", "bold red"),
    MilestoneStatus.NOT_STARTED.value: ("·", "grey50"),
}


def light_text(light: str, lang: str) -> Text:
    """A coloured ● with the colour's name (so the light reads without colour too)."""
    colour = LIGHT_COLOURS.get(light, "grey50")
    glyph = "○" if light == Light.NONE.value else "●"
    return Text.assemble((glyph, colour), " ", (tr_value(light, lang), colour))


def lang_of(widget) -> str:
    return getattr(widget.app, "lang", "zh")


def translate_bindings(node, lang: str) -> None:
    """Binding descriptions are keys of the strings table; put the words of `lang` in their place."""
    from dataclasses import replace

    kb = node._bindings.key_to_bindings
    for key, bindings in list(kb.items()):
        kb[key] = [replace(b, description=t(b.description, lang), tooltip=b.tooltip and t(b.tooltip, lang))
                   if b.description else b for b in bindings]


class I18nBindings:
    """Mixin: translate this node's binding descriptions on construction."""

    def _translate(self) -> None:
        from textual._context import active_app

        try:
            lang = getattr(active_app.get(), "lang", "zh")
        except LookupError:
            lang = "zh"
        translate_bindings(self, lang)


class FieldInput(Input):
    """An Input whose cursor does not blink when headless (tests, snapshots)."""

    def on_mount(self) -> None:
        if self.app.is_headless:
            self.cursor_blink = False


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


class LazyTable(I18nBindings, ScrollView, can_focus=True):
    """A windowed table over a query: count() + fetch(offset, limit)."""

    DEFAULT_CSS = """
    LazyTable { height: 1fr; }
    LazyTable > .lazytable--header { text-style: bold; color: $text-accent; }
    LazyTable > .lazytable--cursor { background: $block-cursor-blurred-background; }
    LazyTable:focus > .lazytable--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    LazyTable > .lazytable--empty { color: $text-muted; }
    """
    COMPONENT_CLASSES = {"lazytable--header", "lazytable--cursor", "lazytable--empty"}
    BINDINGS = [
        Binding("j,down", "cursor_down", "down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "up", show=False, id="list.up"),
        Binding("g,home", "cursor_top", "top", show=False, id="list.top"),
        Binding("G,end", "cursor_bottom", "bottom", show=False, id="list.bottom"),
        Binding("pagedown,ctrl+f", "page_down", "page_down", show=False, id="list.page_down"),
        Binding("pageup,ctrl+b", "page_up", "page_up", show=False, id="list.page_up"),
        Binding("enter", "select", "open", id="list.open"),
    ]

    class Highlighted(Message):
        def __init__(self, table: "LazyTable", row: Any | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> "LazyTable":
            return self.table

    class Selected(Message):
        def __init__(self, table: "LazyTable", row: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> "LazyTable":
            return self.table

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
        self._loaded = False
        self._binding_state: tuple | None = None
        self._styles: tuple[Style, Style, Style] | None = None

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
        size = Size(self.size.width, self.row_count + 1)
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
        spare = max(0, width - need(shown))
        flex_total = sum(c.flex for c in shown) or 0
        out, given = [], 0
        flex_cols = [c for c in shown if c.flex]
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
        total = 0
        for i, ((col, w), cell) in enumerate(zip(self._widths, cells)):
            if i:
                segments.append(Segment(" ", top))
                total += 1
            if isinstance(cell, Text) and (cell.spans or cell.style):
                key = (cell.plain, tuple(cell.spans), cell.style, w)
                rendered = _STYLED_CELLS.get(key)
                if rendered is None:  # a few kinds of styled cells (lights, marks) repeat on every row
                    text = cell.copy()
                    text.no_wrap = True
                    text.end = ""
                    if text.cell_len > w:
                        text.truncate(w, overflow="ellipsis")
                    rendered = ([(seg.text, seg.style) for seg in text.render(console) if seg.text], w - text.cell_len)
                    if len(_STYLED_CELLS) > 512:
                        _STYLED_CELLS.clear()
                    _STYLED_CELLS[key] = rendered
                parts, pad = rendered
                styled = [Segment(txt, base + st + overlay if overlay is not None else base + st)
                          if st is not None else Segment(txt, top) for txt, st in parts]
                if col.align == "right":
                    segments.append(Segment(" " * pad, top))
                    segments.extend(styled)
                else:
                    segments.extend(styled)
                    segments.append(Segment(" " * pad, top))
                total += w
                continue
            plain = cell.plain if isinstance(cell, Text) else str(cell)
            if "\n" in plain or "\r" in plain or "\t" in plain:
                plain = plain.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
            n = cell_len(plain)
            if n > w:
                plain = set_cell_size(plain, w - 1) + "…"
                n = w
            pad = " " * (w - n)
            segments.append(Segment(pad + plain if col.align == "right" else plain + pad, top))
            total += w
        if total < width:
            segments.append(Segment(" " * (width - total), style or self._pass_styles()[0]))
            return Strip(segments, width)
        return Strip(segments, total).crop(0, width) if total > width else Strip(segments, total)

    def render_lines(self, crop):
        # the styles are the same for every line of one pass: look them up once, not per line
        self._styles = None
        return super().render_lines(crop)

    def _pass_styles(self) -> tuple[Style, Style, Style]:
        if self._styles is None:
            base = self.rich_style
            self._styles = (base, base + self.get_component_rich_style("lazytable--header"),
                            self.get_component_rich_style("lazytable--cursor"))
        return self._styles

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if not self._widths:
            self._widths = self._layout(width)
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


class StatusLine(Static):
    """One line above the footer: the selected row's light reason, or a hint."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; background: $boost; }
    """

    def show(self, text: str | Text, light: str | None = None) -> None:
        # one line, full width: its size never changes, so no layout pass (it updates on every cursor move)
        if light is not None:
            colour = LIGHT_COLOURS.get(light, "grey50")
            self.update(Text.assemble(("● ", colour), text if isinstance(text, Text) else Text(text)), layout=False)
        else:
            self.update(text, layout=False)


# The numbered screens shown in the top bar.
SCREENS = (("1", "projects"), ("2", "problems"), ("3", "departments"), ("4", "activities"), ("5", "reference"))


class TopBar(Static):
    """Title, user, today and the numbered screens (no clock: snapshots stay stable)."""

    DEFAULT_CSS = """
    TopBar { height: 1; dock: top; background: $primary-background; color: $text; padding: 0 1; }
    """

    def __init__(self, current: str, extra: str = "") -> None:
        super().__init__()
        self.current = current
        self.extra = extra

    def on_mount(self) -> None:
        self.draw()

    def draw(self) -> None:
        app = self.app
        lang = lang_of(self)
        tabs = Text()
        for n, key in SCREENS:
            style = "bold reverse" if key == self.current else ""
            tabs.append(f" {n} {t(key, lang)} ", style=style)
            tabs.append(" ")
        left = Text.assemble((t("app_title", lang), "bold"), "  ", tabs)
        if self.extra:
            left.append(f" › {self.extra}", style="bold")
        colon = "：" if lang != "en" else ": "
        day = app.today.isoformat() if app.today else ""  # unknown until the database is open
        right = Text(f"{t('user', lang)}{colon}{getattr(app, 'user_label', '')}"
                     + (f"  {t('today', lang)}{colon}{day}" if day else ""))
        width = max(0, self.size.width - 2)
        if left.cell_len + right.cell_len + 1 > width:  # narrow: keep the tabs, shorten the right side
            right = Text(day)
        if left.cell_len + right.cell_len + 1 > width:
            left.truncate(max(0, width - right.cell_len - 1), overflow="ellipsis")
        gap = max(1, width - left.cell_len - right.cell_len)
        self.update(Text.assemble(left, " " * gap, right), layout=False)  # one line, full width: nothing moves

    def on_resize(self) -> None:
        self.draw()


class FooterKey(NamedTuple):
    """One key the footer shows (or, with `key` None, the label after a group of keys)."""

    key: str | None
    display: str
    description: str
    action: str = ""
    enabled: bool = True
    tooltip: str = ""


class AppFooter(Widget, can_focus=False):
    """The keys that apply now, on one line at the bottom: the same keys, order, colours and mouse
    clicks as Textual's Footer, drawn by one widget.

    Textual's Footer mounts a widget per key (about twenty) whenever the keys change, and styles and
    lays each out: ≈ 150 ms of the ≈ 400 ms of opening a project screen, and more whenever a list's
    selected row changed what can be done. Here a change of keys repaints one line.

    The keys come from the screen's active bindings (those with `show`), one per action; keys of one
    binding group are shown together before the group's description. The command palette's key sits
    at the right edge. Keys that do not fit are cut at a whole key, with "…" (? lists them all). A
    click on a key presses it; a key that does not apply now is dimmed, and clicking it rings the bell.
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"footer-key--key", "footer-key--description", "footer--hover", "footer--separator"}
    DEFAULT_CSS = """
    AppFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
    }
    AppFooter > .footer-key--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    AppFooter > .footer-key--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    AppFooter > .footer--hover { background: $block-hover-background; }
    AppFooter > .footer--separator { color: $foreground 20%; }
    """

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self.keys: list[FooterKey] = []  # what is shown, left to right
        self.palette: FooterKey | None = None  # at the right edge
        self._spans: list[tuple[int, int, FooterKey]] = []  # the cells of each drawn key (for the mouse)
        self._hover: FooterKey | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen) -> None:
        if self.is_attached and screen is self.screen:
            keys, palette = self._plan()
            if keys != self.keys or palette != self.palette:
                self.keys, self.palette = keys, palette
                self.refresh()

    def _plan(self) -> tuple[list[FooterKey], FooterKey | None]:
        """What Footer.compose shows for the screen's active bindings, in its order."""
        app, active = self.app, self.screen.active_bindings
        by_action: dict[str, list] = defaultdict(list)
        for _node, binding, enabled, tooltip in active.values():
            if binding.show:
                by_action[binding.action].append((binding, enabled, tooltip))
        keys: list[FooterKey] = []
        for group, same_group in groupby(by_action.values(), lambda multi: multi[0][0].group):
            multis = list(same_group)
            grouped = group is not None and len(multis) > 1
            for multi in multis:
                binding, enabled, tooltip = multi[0]
                keys.append(FooterKey(binding.key, app.get_key_display(binding), "" if grouped else binding.description,
                                      binding.action, enabled,
                                      (tooltip or binding.description) if grouped else tooltip))
            if grouped:
                keys.append(FooterKey(None, "", group.description))
        palette = None
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, tooltip = found
                palette = FooterKey(binding.key, app.get_key_display(binding), binding.description, binding.action,
                                    enabled, binding.tooltip or binding.description)
        return keys, palette

    # -- drawing ---------------------------------------------------------------------------
    def _piece(self, k: FooterKey, styles: tuple[Style, Style, Style]) -> Text:
        key_style, description_style, hover = styles
        if k.key is None:  # a group's label
            return Text(f"{k.description} ", style=description_style)
        text = Text.assemble((f" {k.display} ", key_style), (f"{k.description} " if k.description else "",
                                                             description_style))
        if k is self._hover:
            text.stylize(hover)
        if not k.enabled:
            text.stylize(Style(dim=True))
        return text

    def render(self) -> Text:
        width = self.size.width
        styles = (self.get_component_rich_style("footer-key--key"),
                  self.get_component_rich_style("footer-key--description"),
                  self.get_component_rich_style("footer--hover"))
        spans: list[tuple[int, int, FooterKey]] = []
        right = Text()
        if self.palette is not None:  # compact, as Footer draws it: "▏^p 命令 "
            k = self.palette
            right = Text.assemble(("▏", self.get_component_rich_style("footer--separator")), (k.display, styles[0]),
                                  (f" {k.description}" if k.description else "", styles[1]))
            if k is self._hover:
                right.stylize(styles[2], 1)
            if not k.enabled:
                right.stylize(Style(dim=True), 1)
            right.append(" ")
            spans.append((width - right.cell_len + 1, width, k))
        room = max(0, width - right.cell_len)
        line, x = Text(no_wrap=True, overflow="crop"), 0
        for i, k in enumerate(self.keys):
            piece = self._piece(k, styles)
            last = i == len(self.keys) - 1
            if x + piece.cell_len > room - (0 if last else 1):  # keep room for "…" unless this is the last
                line.append("…")
                x += 1
                break
            if k.key is not None:
                spans.append((x, x + piece.cell_len, k))
            line.append_text(piece)
            x += piece.cell_len
        line.append(" " * max(0, room - x))
        line.append_text(right)
        self._spans = spans
        return line

    # -- the mouse -----------------------------------------------------------------------
    def _key_at(self, x: int) -> FooterKey | None:
        return next((k for start, end, k in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        k = self._key_at(event.x)
        if k is not self._hover:
            self._hover = k
            self.tooltip = (k.tooltip or None) if k is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        k = self._key_at(event.x)
        if k is None:
            return
        if k.enabled:
            self.app.simulate_key(k.key)
        else:
            self.app.bell()
