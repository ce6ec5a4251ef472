"""Small widgets and helpers shared by the screens: lights and milestone glyphs, translated key
bindings, the input box, the status line and the top bar. The list table is `tui.lazy_table`, the
footer `tui.footer`."""

from __future__ import annotations

from functools import lru_cache

from rich.cells import set_cell_size
from rich.text import Text
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


@lru_cache(maxsize=64)
def light_text(light: str, lang: str) -> Text:
    """A coloured ● with the colour's name (so the light reads without colour too). One Text per light
    and language, shared by every row that shows it (a list draws this cell on every row of every
    keystroke): read it, do not change it."""
    colour = LIGHT_COLOURS.get(light, "grey50")
    glyph = "○" if light == Light.NONE.value else "●"
    return Text.assemble((glyph, colour), " ", (tr_value(light, lang), colour))


def clipped(text: str, width: int) -> str:
    """`text` cut to `width` cells, "…" last (as rich's `Text.truncate(overflow="ellipsis")`). A wide (CJK)
    character that would straddle the cut is left out whole and the cell it frees goes after the "…":
    rich's set_cell_size pads the cut with a space, which put a gap before the "…" ("制造产 …")."""
    if width <= 0:
        return ""
    cut = set_cell_size(text, width - 1)
    if cut.endswith(" ") and not text.startswith(cut):
        return cut[:-1] + "… "
    return cut + "…"


def clip_text(text: Text, width: int) -> None:
    """Cut `text` to `width` cells in place with `clipped`, when it is wider (its styles stay on what is left)."""
    if text.cell_len > width:
        text.plain = clipped(text.plain, width)


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
            clip_text(left, max(0, width - right.cell_len - 1))
        gap = max(1, width - left.cell_len - right.cell_len)
        self.update(Text.assemble(left, " " * gap, right), layout=False)  # one line, full width: nothing moves

    def on_resize(self) -> None:
        self.draw()
