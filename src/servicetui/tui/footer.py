"""`AppFooter`: the keys that apply now, on one line at the bottom of every screen."""

from __future__ import annotations

from collections import defaultdict
from itertools import groupby
from typing import NamedTuple

from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget


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
        return self._marked(text, k, hover)

    def _marked(self, text: Text, k: FooterKey, hover: Style, start: int = 0) -> Text:
        """`text` (from `start`) highlighted under the mouse, and dimmed when its key cannot run now."""
        if k is self._hover:
            text.stylize(hover, start)
        if not k.enabled:
            text.stylize(Style(dim=True), start)
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
            right = self._marked(Text.assemble(("▏", self.get_component_rich_style("footer--separator")),
                                               (k.display, styles[0]),
                                               (f" {k.description}" if k.description else "", styles[1])),
                                 k, styles[2], start=1)  # (the separator stays as it is)
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
