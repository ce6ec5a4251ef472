"""`?` / F1: the keys of the focused widget, of this screen and of the whole app."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from servicetui.tui.strings import t
from servicetui.tui.textual_words import binding_words
from servicetui.tui.widgets import I18nBindings


def binding_groups(app, screen: Screen) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """[(group title, [(keys, description, id)])] from the screen's active bindings (keymap applied)."""
    lang = getattr(app, "lang", "zh")
    focused_rows: dict = {}
    screen_rows: dict = {}
    app_rows: dict = {}
    for key, ab in screen.active_bindings.items():
        node, b = ab.node, ab.binding
        if b.system or not b.description:
            continue
        target = app_rows if node is app else screen_rows if node is screen else focused_rows
        ident = (id(node), b.action)
        # Textual's own keys have no id: the keymap file cannot rebind them, so none is shown
        entry = target.setdefault(ident, [[], binding_words(b.description, lang), b.id or ""])
        display = app.get_key_display(b)
        if display not in entry[0]:
            entry[0].append(display)
    groups = []
    for title, rows in ((t("help_focused", lang), focused_rows), (t("help_screen", lang), screen_rows),
                        (t("help_app", lang), app_rows)):
        if rows:
            groups.append((title, [(", ".join(k), d, i) for k, d, i in rows.values()]))
    return groups


class HelpScreen(I18nBindings, ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 90; max-width: 95%; height: auto; max-height: 90%;
                                  border: thick $primary; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,question_mark,f1,q", "close", "back", id="help.close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._translate()
        self.under = under

    def compose(self) -> ComposeResult:
        app = self.app
        lang = getattr(app, "lang", "zh")
        table = Table(box=None, expand=True, show_header=True, header_style="bold", pad_edge=False)
        table.add_column(t("col_key", lang), width=16, no_wrap=True)
        table.add_column(t("col_action", lang), ratio=2)
        table.add_column(t("col_id", lang), ratio=1, style="dim", no_wrap=True)
        for title, rows in binding_groups(app, self.under):
            table.add_row(Text(title, style="bold underline"), "", "")
            for keys, desc, ident in rows:
                table.add_row(Text(keys, style="bold"), desc, ident)
        from servicetui.config import keymap_path

        with VerticalScroll():
            yield Static(Text(t("help_title", lang, where=getattr(self.under, "title", "") or
                                t(getattr(self.under, "current", "projects"), lang)), style="bold"))
            yield Static(table)
            yield Static(Text(t("help_keymap", lang, path=str(keymap_path())), style="dim"))
            yield Static(Text(t("help_close", lang), style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
