"""The command palette (ctrl+p): every action that can run on this screen, "jump to project …", and
Textual's system commands, all in the app's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from rich.align import Align
from rich.text import Text
from textual.command import (
    CommandList,
    CommandPalette,
    DiscoveryHit,
    Hit,
    Hits,
    Provider,
)
from textual.widgets.option_list import Option

from servicetui.tui.strings import t
from servicetui.tui.textual_words import binding_words


class ServiceCommands(Provider):
    """The command palette: every action that can run on this screen, and "jump to project …"."""

    async def startup(self) -> None:
        from servicetui.tui import data

        app = self.app
        self._projects = data.project_choices(app.engine) if getattr(app, "engine", None) is not None else []

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = self.app
        lang = getattr(app, "lang", "zh")
        out: list[tuple[str, str, Callable[[], Any]]] = []
        seen: set[tuple[int, str]] = set()
        keys: dict[tuple[int, str], list[str]] = {}
        items = []
        for ab in self.screen.active_bindings.values():
            node, binding = ab.node, ab.binding
            if not ab.enabled or not binding.description or binding.system:
                continue
            ident = (id(node), binding.action)
            keys.setdefault(ident, []).append(app.get_key_display(binding))
            if ident not in seen:
                seen.add(ident)
                items.append((ident, node, binding))
        # the app's own commands (with an id) before Textual's keys (focus, copy, scroll); of each, this
        # screen's first, then the app's, then the focused list's (moving the cursor)
        rank = {id(self.screen): 0, id(app): 1}
        items.sort(key=lambda item: (not item[2].id, rank.get(id(item[1]), 2)))
        scopes = {id(app): t("help_app", lang), id(self.screen): t("help_screen", lang)}
        for ident, node, binding in items:
            text = f"{binding_words(binding.description, lang)}  ({', '.join(keys[ident])})"
            scope = scopes.get(id(node), t("help_focused", lang))
            help_ = f"{scope} · {binding.id}" if binding.id else scope  # the id rebinds it in keymap.toml
            out.append((text, help_, partial(self._run, binding.action, node)))
        for pid, code, name in getattr(self, "_projects", []):
            out.append((t("jump_project", lang, name=f"{code} {name}"), t("jump_project_help", lang),
                        partial(app.open_project, pid)))
        return out

    def _run(self, action: str, node) -> None:
        self.app.call_later(self.app.run_action, action, node)

    async def discover(self) -> Hits:
        for text, help_, cb in self._commands():
            yield DiscoveryHit(text, cb, help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_, cb in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), cb, help=help_)


class ServicePalette(CommandPalette):
    """Textual's command palette with its own texts (the search box, "no matches") in the app's language."""

    def __init__(self, *args, **kwargs) -> None:
        from textual._context import active_app

        lang = getattr(active_app.get(), "lang", "zh")
        kwargs.setdefault("placeholder", t("palette_search", lang))
        super().__init__(*args, **kwargs)
        self._lang = lang

    def _start_no_matches_countdown(self, search_value: str) -> None:
        # Textual's own method adds an English "No matches found" option after a moment
        self._stop_no_matches_countdown()
        if not search_value:
            self._list_visible = False
            return

        def no_matches() -> None:
            self.query_one(CommandList).add_option(Option(
                Align.center(Text(t("palette_none", self._lang), style="not bold")), disabled=True,
                id=self._NO_MATCHES))
            self._list_visible = True

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, no_matches)


def system_commands(app, screen) -> list[tuple[str, str, Callable[[], Any]]]:
    """(title, help, callback) of Textual's system commands the app keeps: its help (`?`) and quit (`q`)
    are bindings of its own, listed by ServiceCommands."""
    lang = app.lang
    out = [(t("sys_theme", lang), t("sys_theme_help", lang), app.action_change_theme)]
    if screen.maximized is not None:
        out.append((t("sys_minimize", lang), t("sys_minimize_help", lang), screen.action_minimize))
    elif screen.focused is not None and screen.focused.allow_maximize:
        out.append((t("sys_maximize", lang), t("sys_maximize_help", lang), screen.action_maximize))
    out.append((t("sys_screenshot", lang), t("sys_screenshot_help", lang),
                lambda: app.set_timer(0.1, partial(screenshot, app))))
    return out


SCREENSHOT = "servicetui-screenshot"  # the delivery's name: ServiceApp says where it went (or why not)


def screenshot(app) -> str:
    """Save an SVG of the screen in the downloads folder (in a browser, download it); the file name.
    Textual writes it in a thread and posts DeliveryComplete / DeliveryFailed, named SCREENSHOT."""
    import io

    name = f"servicetui-{datetime.now():%Y%m%d-%H%M%S}.svg"
    app.deliver_text(io.StringIO(app.export_screenshot()), save_filename=name, open_method="browser",
                     mime_type="image/svg+xml", name=SCREENSHOT)
    return name
