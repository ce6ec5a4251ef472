"""Opening a screen styles it once. A form opens with the focus on its first field and moves it field by
field; its scrolling column of fields never holds the focus itself (taking it and handing it on
restyled every widget in the form twice), and on a short terminal it scrolls with the buttons in view.
Every screen has the terminal's size classes before it is styled (given at the first resize, they
restyled all of it again)."""

from __future__ import annotations

from textual.widget import Widget

from servicetui.tui.forms import FormFields, FormScreen

SIZE = (160, 45)


def _class_changes(monkeypatch, kind) -> list[str]:
    """Every change of the classes of a `kind` node that restyles it, as "Name: classes changed"."""
    from textual.dom import DOMNode

    changed: list[str] = []
    original = DOMNode.update_classes

    def update_classes(self, classes, update=True, animate=True):
        before = set(self.classes)
        result = original(self, classes, update=update, animate=animate)
        if isinstance(self, kind) and set(self.classes) != before and update:
            changed.append(f"{type(self).__name__}: {' '.join(sorted(set(self.classes) ^ before))}")
        return result

    monkeypatch.setattr(DOMNode, "update_classes", update_classes)
    return changed


async def test_a_form_gives_the_focus_straight_to_its_first_field(make_app, monkeypatch):
    focused: list[Widget] = []
    original = Widget.watch_has_focus

    def watch(self, value: bool) -> None:
        if value:
            focused.append(self)
        original(self, value)

    monkeypatch.setattr(Widget, "watch_has_focus", watch)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("2")  # the board, then edit its first problem
        await pilot.pause()
        focused.clear()
        await pilot.press("e")
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert [w.id for w in focused] == ["f-title"], "the first field, and nothing before it"
        assert app.focused is form.query_one("#f-title")
        assert not any(isinstance(w, FormFields) for w in focused)


async def test_on_an_80_by_24_terminal_the_project_form_scrolls_its_fields_and_shows_its_buttons(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")  # a project, then its form (17 fields: more than 24 rows)
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen) and len(form.fields) > 12
        column, buttons = form.query_one(FormFields), form.query_one("#buttons")
        screen_rows = form.region
        assert column.max_scroll_y > 0, "the fields that do not fit scroll"
        assert screen_rows.contains_region(buttons.region), "保存 and 取消 stay on the screen"
        assert screen_rows.contains_region(column.region)
        ids = []
        for _ in range(len(form.fields)):  # tab walks every field; the column follows the focus
            ids.append(app.focused.id)
            assert column.region.contains_region(app.focused.region), app.focused.id
            await pilot.press("tab")
            await pilot.pause()
        assert ids == [f"f-{f.name}" for f in form.fields]
        assert column.scroll_y > 0


async def test_a_form_on_a_tall_terminal_keeps_its_size(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("E")
        await pilot.pause()
        await pilot.pause()
        column = app.screen.query_one(FormFields)
        assert column.max_scroll_y == 0 and column.styles.max_height.value == 34


async def test_a_new_screen_has_its_size_classes_before_it_is_styled(make_app, monkeypatch):
    """Textual gives a screen its breakpoint classes at its first resize, and a change of a screen's
    classes restyles all of it; the app gives them when it pushes the screen, so the resize changes
    nothing."""
    changed = _class_changes(monkeypatch, FormScreen)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        assert {"-narrow", "-short"} <= set(form.classes) and not {"-wide", "-tall"} & set(form.classes)
        assert changed == [], f"restyled at its first resize: {changed}"


async def test_each_list_screen_has_its_size_classes_before_it_is_styled(make_app, monkeypatch):
    from servicetui.tui.screens import BaseScreen

    changed = _class_changes(monkeypatch, BaseScreen)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        changed.clear()  # (the first screen is made before the terminal's size is known)
        for key in "23451":
            await pilot.press(key)
            await pilot.pause()
            assert {"-narrow", "-short"} <= set(app.screen.classes), type(app.screen).__name__
        await pilot.press("enter")  # the first project screen
        await pilot.pause()
        assert changed == []


async def test_a_form_closed_right_after_it_showed_an_error_closes_cleanly(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("a")  # a new problem, saved empty: errors, then closed at once
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormScreen)
        await pilot.press("ctrl+s", "escape")
        await pilot.pause()
        await pilot.pause()
        assert not isinstance(app.screen, FormScreen) and not form.is_attached
    assert app.return_code in (None, 0)


async def test_a_yes_no_field_is_drawn_whole(make_app):
    from textual.widgets import Checkbox

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("E")  # the project form: 停滞 is a yes/no field
        await pilot.pause()
        await pilot.pause()
        box = app.screen.query_one(Checkbox)
        drawn = "".join(segment.text for segment in box.render_line(0))
        assert "▌" in drawn and "…" not in drawn, drawn
