"""The help screen and the command palette speak the app's language, Textual's own keys and commands
included."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from textual.app import App
from textual.command import CommandList, CommandPalette
from textual.containers import ScrollableContainer, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Footer,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Select,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
    Tabs,
    TextArea,
)
from textual.widgets._select import SelectCurrent, SelectOverlay

from servicetui.tui import palette
from servicetui.tui.help import HelpScreen, binding_groups
from servicetui.tui.textual_words import BINDING_ZH

SIZE = (160, 45)
TUI = Path(palette.__file__).parent
CJK = re.compile("[\u4e00-\u9fff]")

# The Textual classes whose keys can reach the help screen or the palette: the widgets the app imports
# (checked below), the parts they are made of, and the screens and containers around them.
TEXTUAL_CLASSES = {
    "Button": Button, "Checkbox": Checkbox, "DataTable": DataTable, "Footer": Footer, "Input": Input,
    "Label": Label, "OptionList": OptionList, "ProgressBar": ProgressBar, "Select": Select,
    "Sparkline": Sparkline, "Static": Static, "TabbedContent": TabbedContent, "TabPane": TabPane,
    "TextArea": TextArea,
}
PARTS = [App, Screen, ModalScreen, ScrollView, VerticalScroll, ScrollableContainer, Tabs, SelectOverlay,
         SelectCurrent, CommandPalette]


def _imported_textual_widgets() -> set[str]:
    names = set()
    for path in TUI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "textual.widgets":
                names.update(alias.name for alias in node.names)
    return names


def test_every_textual_widget_the_app_uses_is_checked_for_chinese_keys():
    assert _imported_textual_widgets() <= set(TEXTUAL_CLASSES)


def test_every_textual_key_description_has_chinese():
    missing = set()
    for cls in [*TEXTUAL_CLASSES.values(), *PARTS]:
        for klass in cls.__mro__:
            for b in klass.__dict__.get("BINDINGS", []):
                description = b[2] if isinstance(b, tuple) and len(b) > 2 else getattr(b, "description", "")
                if description and not getattr(b, "system", False) and description not in BINDING_ZH:
                    missing.add(f"{klass.__name__}: {description}")
    assert not missing


async def test_help_shows_textual_keys_in_chinese_and_ids_only_for_keys_a_keymap_can_rebind(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        groups = dict(binding_groups(app, app.screen.under))
        rows = [row for group in groups.values() for row in group]
        assert all(CJK.search(desc) for _, desc, _ in rows), [d for _, d, _ in rows if not CJK.search(d)]
        focused = {keys: (desc, ident) for keys, desc, ident in groups["当前焦点"]}
        assert "←" not in focused and "^pgup" not in focused  # the list never scrolls sideways: no keys for it
        assert focused["↑, k"] == ("上移", "list.up")
        assert ("tab", "下一个输入项", "") in groups["本页"]


def _prompts(app) -> list[str]:
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_palette_lists_the_screens_commands_first_in_chinese(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("CommandInput").placeholder == "搜索命令…"
        prompts = _prompts(app)
        text = "\n".join(prompts)
        assert "配色主题" in text and "截图" in text
        assert "Quit" not in text and "Theme" not in text and "Keys" not in text
        ours = [p for p in prompts if "本页 · projects." in p or "全局 · app." in p or "当前焦点 · list." in p]
        assert ours and "本页 · projects.search" in ours[0], "this screen's own commands come first"
        textual_keys = [i for i, p in enumerate(prompts) if "下一个输入项" in p]
        assert textual_keys and textual_keys[0] > prompts.index(ours[-1])
        await pilot.press(*"zzqx")
        await pilot.pause(1.0)
        assert any("没有匹配的命令" in p for p in _prompts(app))


async def test_palette_in_english_keeps_textuals_words(make_app):
    app = make_app(lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause(0.5)
        assert app.screen.query_one("CommandInput").placeholder == "Search for commands…"
        text = "\n".join(_prompts(app))
        assert "Theme" in text and "Screenshot" in text and "Focus Next" in text


async def test_theme_picker_asks_in_chinese(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        app.action_change_theme()
        await pilot.pause(0.3)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one("CommandInput").placeholder == "搜索配色主题…"


async def test_screenshot_command_saves_an_svg_and_says_where(make_app, tmp_path, monkeypatch):
    import platformdirs
    import textual.app

    monkeypatch.setattr(textual.app, "user_downloads_path", lambda: tmp_path)
    monkeypatch.setattr(platformdirs, "user_downloads_path", lambda: tmp_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        path = tmp_path / palette.screenshot(app)
        for _ in range(50):
            await pilot.pause(0.05)
            if any("截图" in n.message for n in app._notifications):
                break
        assert path.suffix == ".svg" and "<svg" in path.read_text(encoding="utf-8")[:2000]
        messages = [n.message for n in app._notifications]
        assert messages == [f"截图已保存：{path}"], "ours only, not Textual's English one"


async def test_a_screenshot_that_cannot_be_saved_says_why(make_app, tmp_path, monkeypatch):
    import textual.app

    monkeypatch.setattr(textual.app, "user_downloads_path", lambda: tmp_path / "no-such-folder")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        palette.screenshot(app)
        for _ in range(50):
            await pilot.pause(0.05)
            if app._notifications:
                break
        [note] = list(app._notifications)
        assert note.message.startswith("截图未能保存：") and note.severity == "error"


@pytest.mark.parametrize("lang,word", [("zh", "配色主题"), ("en", "Theme")])
async def test_system_commands_follow_the_language(make_app, lang, word):
    app = make_app(lang=lang)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert word in titles and len(titles) >= 3


async def test_the_theme_chosen_in_the_palette_is_kept_for_the_next_start(make_app, tui_config):
    from servicetui.config import load_settings

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        first = app.theme
        app.theme = "nord" if first != "nord" else "gruvbox"
        chosen = app.theme
        await pilot.pause()
    assert load_settings()["theme"] == chosen and "warn_days" not in (tui_config / "settings.toml").read_text()
    again = make_app()
    async with again.run_test(size=SIZE):
        assert again.theme == chosen


async def test_an_unknown_theme_in_the_settings_is_ignored(make_app, tui_config):
    (tui_config / "settings.toml").write_text('theme = "no-such-theme"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE):
        assert app.theme in app.available_themes and app.theme != "no-such-theme"
