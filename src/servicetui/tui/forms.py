"""Typed modal forms.

A `FormScreen` shows fields, parses dates and money as the officer types (echoing what it
understood under the field), and on save calls `submit(values)` — a closure that calls one
service. A `ValidationError` lands next to its fields; a `ConflictError` shows who changed what,
loads the new values (through `reload()`) and keeps the officer's typed values visible under each
field, ready to be put back with Ctrl+R. Nothing is silently overwritten. The form dismisses with
the submit's result on success, or None when cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Label, Select, Static, TextArea

from servicetui.domain.parsing import ParseError, format_date_echo, format_money, parse_date, parse_money_wan_int
from servicetui.services.errors import ConflictError, RuleError, ServiceError, ValidationError
from servicetui.tui.strings import t
from servicetui.tui.widgets import FieldInput, I18nBindings


@dataclass
class Field:
    name: str
    label: str
    kind: str = "text"  # text | area | date | money | select | bool
    options: list[tuple[str, Any]] = field(default_factory=list)
    required: bool = False
    placeholder: str = ""


def _display(f: Field, v: Any) -> Any:
    if f.kind == "date":
        return v.isoformat() if isinstance(v, date) else (v or "")
    if f.kind == "money":
        return "" if v in (None, "") else str(v)
    if f.kind == "bool":
        return bool(v)
    if f.kind == "select":
        return v
    return "" if v is None else str(v)


class FormFields(VerticalScroll, can_focus=False):
    """The form's scrolling column of fields. It never takes the focus itself: the focus goes to the
    first field, and the column scrolls to whichever field has it (its scroll keys still work from a
    field). A focusable column took the screen's automatic focus first and handed it on to the first
    field: two restylings of every widget in it, about 110 ms of each form's opening."""


FIELDS_MAX = 34  # rows of fields shown at most (#fields' max-height); the rest scroll
FORM_SHARE = 0.95  # of the terminal's height the form may take (#form's max-height)


class FormScreen(I18nBindings, ModalScreen[Any]):
    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form { width: 96; max-width: 95%; height: auto; max-height: 95%; border: thick $primary;
                         background: $surface; padding: 0 1; }
    FormScreen #form-title { text-style: bold; width: 1fr; padding: 0 0 1 0; }
    FormScreen #form-message { color: $error; height: auto; }
    FormScreen #form-message.-info { color: $warning; }
    FormScreen #fields { height: auto; max-height: 34; }  /* FIELDS_MAX; less on a short terminal */
    FormScreen .row { height: auto; }
    FormScreen .row > Label { width: 22; padding: 0 1 0 0; text-align: right; }
    FormScreen .row > Vertical { width: 1fr; height: auto; }
    FormScreen .echo { color: $text-muted; height: auto; }
    FormScreen .fieldmsg { height: auto; display: none; }
    FormScreen TextArea { height: 4; }
    FormScreen Input, FormScreen Select { margin: 0 0 0 0; }
    FormScreen Checkbox { width: 5; }  /* a compact one without a label (auto: 3 wide) was cut to "▐X…" */
    FormScreen #buttons { height: auto; padding: 1 0 0 0; }
    FormScreen #buttons Button { margin: 0 2 0 0; min-width: 10; }
    FormScreen #hint { color: $text-muted; width: 1fr; content-align: right middle; height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "a_save", id="form.save", priority=True),
        Binding("escape", "cancel", "a_cancel", id="form.cancel"),
        Binding("ctrl+r", "reapply", "a_reapply", id="form.reapply"),
    ]

    def __init__(self, title: str, fields: list[Field], values: dict[str, Any],
                 submit: Callable[[dict[str, Any]], Any], *, reload: Callable[[], dict[str, Any] | None] | None = None,
                 intro: str = "") -> None:
        super().__init__()
        self._translate()
        self.form_title = title
        self.fields = fields
        self.values = dict(values)
        self.submit = submit
        self.reload = reload
        self.intro = intro
        self.yours: dict[str, Any] = {}
        self.messages: dict[str, dict[str, str]] = {f.name: {} for f in fields}

    _MSG_STYLES = {"echo": "dim", "yours": "yellow", "err": "bold red"}

    def set_message(self, name: str, kind: str, text: str) -> None:
        """kind: echo (what a date/money input was understood as), yours (typed before a conflict), err."""
        self.messages[name][kind] = text
        from rich.text import Text

        parts = [Text(self.messages[name][k], style=st) for k, st in self._MSG_STYLES.items()
                 if self.messages[name].get(k)]
        w = self.query_one(f"#msg-{name}", Static)
        w.update(Text("\n").join(parts))
        w.display = bool(parts)

    def message(self, name: str, kind: str) -> str:
        return self.messages.get(name, {}).get(kind, "")

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "zh")

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="form"):
            yield Static(self.form_title, id="form-title", markup=False)
            if self.intro:
                yield Static(self.intro, classes="echo", markup=False)
            yield Static("", id="form-message", markup=False)
            with FormFields(id="fields"):
                for f in self.fields:
                    with Horizontal(classes="row"):
                        label = f.label + (" *" if f.required else "")
                        yield Label(label, markup=False)
                        with Vertical():
                            yield self._widget(f)
                            yield Static("", id=f"msg-{f.name}", classes="fieldmsg", markup=False)
            with Horizontal(id="buttons"):
                yield Button(t("a_save", self.lang), id="save", variant="primary", compact=True)
                yield Button(t("a_cancel", self.lang), id="cancel", compact=True)
                yield Static(t("f_hint", self.lang), id="hint")

    def _widget(self, f: Field):
        v = _display(f, self.values.get(f.name))
        wid = f"f-{f.name}"
        if f.kind == "select":
            options = [(label, value) for label, value in f.options]
            known = {value for _, value in options}
            return Select(options, value=v if v in known else Select.NULL, id=wid, allow_blank=not f.required,
                          prompt=t("none", self.lang), compact=True)
        if f.kind == "bool":
            return Checkbox("", value=bool(v), id=wid, compact=True)
        if f.kind == "area":
            area = TextArea(str(v), id=wid, soft_wrap=True, show_line_numbers=False)
            return area
        return FieldInput(str(v), id=wid, placeholder=f.placeholder, compact=True)

    def on_mount(self) -> None:
        self._initial = {f.name: self._raw(f) for f in self.fields}
        for f in self.fields:
            if f.kind == "area":
                area = self.query_one(f"#f-{f.name}", TextArea)
                if self.app.is_headless:
                    area.cursor_blink = False
            if f.kind in ("date", "money"):
                self._echo(f)
        if self.fields:
            self.query_one(f"#f-{self.fields[0].name}").focus()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_fields)

    def _fit_fields(self) -> None:
        """Give the column of fields the rows the terminal leaves beside the form's title, messages and
        buttons, so that it scrolls on a short terminal. (A column of automatic height grows past the
        form's max-height: on 80×24 the project form hid its last fields and its buttons.)"""
        if not self.is_attached:  # (closed before the refresh this waited for)
            return
        try:
            form, fields = self.query_one("#form"), self.query_one(FormFields)
        except NoMatches:
            return
        others = sum(w.outer_size.height for w in form.children if w is not fields and w.display)
        room = int(self.size.height * FORM_SHARE) - form.styles.gutter.height - others
        limit = max(3, min(FIELDS_MAX, room))
        if fields.styles.max_height is None or fields.styles.max_height.value != limit:
            fields.styles.max_height = limit

    # -- reading the widgets -----------------------------------------------------------
    def _raw(self, f: Field) -> Any:
        w = self.query_one(f"#f-{f.name}")
        if f.kind == "select":
            return None if w.value is Select.NULL else w.value
        if f.kind == "bool":
            return w.value
        if f.kind == "area":
            return w.text
        return w.value

    def _set_raw(self, f: Field, v: Any) -> None:
        w = self.query_one(f"#f-{f.name}")
        if f.kind == "select":
            w.value = v if v is not None and any(v == o for _, o in f.options) else Select.NULL
        elif f.kind == "bool":
            w.value = bool(v)
        elif f.kind == "area":
            w.text = "" if v is None else str(v)
        else:
            w.value = "" if v is None else str(v)

    def _parse(self, f: Field, raw: Any) -> Any:
        """Raise ParseError for text that does not parse."""
        if f.kind == "date":
            text = (raw or "").strip()
            return parse_date(text, self.app.today) if text else None
        if f.kind == "money":
            text = (raw or "").strip()
            return parse_money_wan_int(text) if text else 0
        if f.kind in ("text", "area"):
            return raw or ""
        return raw

    def _echo(self, f: Field) -> None:
        raw = (self._raw(f) or "").strip()
        if not raw:
            self.set_message(f.name, "echo", "")
            return
        try:
            value = self._parse(f, raw)
        except ParseError as exc:
            self.set_message(f.name, "echo", f"{raw} → {exc.message(self.lang)}")
            return
        if f.kind == "date":
            self.set_message(f.name, "echo", f"{raw} → {format_date_echo(value, self.lang)}")
        else:
            unit = "万元" if self.lang != "en" else "× 10k CNY"
            self.set_message(f.name, "echo", f"{raw} → {format_money(value, '万')} {unit}")

    def on_input_changed(self, event) -> None:
        name = (event.input.id or "")[2:]
        f = next((f for f in self.fields if f.name == name), None)
        if f is not None and f.kind in ("date", "money"):
            self._echo(f)
        if f is not None and self.message(f.name, "err"):
            self.set_message(f.name, "err", "")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    # -- actions -----------------------------------------------------------------------
    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        values, errors = {}, {}
        for f in self.fields:
            raw = self._raw(f)
            try:
                values[f.name] = self._parse(f, raw)
            except ParseError as exc:
                errors[f.name] = exc.message(self.lang)
                continue
            if f.required and values[f.name] in (None, ""):
                errors[f.name] = f"{f.label}：{t('f_required', self.lang)}"
        return values, errors

    def _show_errors(self, errors: dict[str, str], message: str = "") -> None:
        for f in self.fields:
            if errors.get(f.name, "") != self.message(f.name, "err"):
                self.set_message(f.name, "err", errors.get(f.name, ""))
        stray = [m for k, m in errors.items() if k not in {f.name for f in self.fields}]
        msg = self.query_one("#form-message", Static)
        msg.remove_class("-info")
        msg.update("；".join(x for x in [message, *stray] if x) if self.lang != "en"
                   else "; ".join(x for x in [message, *stray] if x))
        self.call_after_refresh(self._fit_fields)
        for f in self.fields:
            if f.name in errors:
                self.query_one(f"#f-{f.name}").focus()
                break

    def action_save(self) -> None:
        values, errors = self.collect()
        if errors:
            self._show_errors(errors, t("f_fix_errors", self.lang))
            return
        try:
            result = self.submit(values)
        except ValidationError as exc:
            errs = {k: exc.field_message(k, self.lang) or "" for k in exc.errors}
            self._show_errors(errs, t("f_fix_errors", self.lang))
            return
        except ConflictError as exc:
            self._conflict(exc, values)
            return
        except RuleError as exc:
            if exc.field and exc.field in {f.name for f in self.fields}:
                self._show_errors({exc.field: exc.message(self.lang)})
            else:
                self._show_errors({}, exc.message(self.lang))
            return
        except ServiceError as exc:
            self._show_errors({}, exc.message(self.lang))
            return
        self.dismiss(result if result is not None else True)

    def _conflict(self, exc: ConflictError, typed: dict[str, Any]) -> None:
        fresh = self.reload() if self.reload else None
        self._show_errors({}, exc.message(self.lang))
        if fresh is None:
            return
        self.yours = {}
        for f in self.fields:
            raw_typed = self._raw(f)
            new = _display(f, fresh.get(f.name))
            self._set_raw(f, new)
            changed_by_me = raw_typed != self._initial.get(f.name)
            if changed_by_me and raw_typed != new:
                self.yours[f.name] = raw_typed
                shown = raw_typed
                if f.kind == "select":
                    shown = next((label for label, v in f.options if v == raw_typed), t("none", self.lang))
                elif f.kind == "bool":
                    shown = "✓" if raw_typed else "✗"
                self.set_message(f.name, "yours", t("f_yours", self.lang, v=shown))
            else:
                self.set_message(f.name, "yours", "")
        self._initial = {f.name: _display(f, fresh.get(f.name)) for f in self.fields}
        msg = self.query_one("#form-message", Static)
        msg.update(exc.message(self.lang) + "\n" + t("f_conflict_hint", self.lang))
        self.call_after_refresh(self._fit_fields)

    def action_reapply(self) -> None:
        for f in self.fields:
            if f.name in self.yours:
                self._set_raw(f, self.yours[f.name])
                self.set_message(f.name, "yours", "")
        self.yours = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reapply":
            return bool(self.yours)
        return True

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(I18nBindings, ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 70; height: auto; border: thick $warning; background: $surface; padding: 1 2; }
    ConfirmScreen Horizontal { height: auto; padding: 1 0 0 0; }
    ConfirmScreen Button { margin: 0 2 0 0; }
    """
    BINDINGS = [
        Binding("y,enter", "yes", "a_yes", id="confirm.yes"),
        Binding("n,escape", "no", "a_no", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._translate()
        self.question = question

    def compose(self) -> ComposeResult:
        lang = getattr(self.app, "lang", "zh")
        with Vertical():
            yield Static(self.question, markup=False)
            with Horizontal():
                yield Button(t("a_yes", lang) + " (y)", id="yes", variant="warning", compact=True)
                yield Button(t("a_no", lang) + " (n)", id="no", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_yes(self) -> None:
        self.dismiss(True)

    def action_no(self) -> None:
        self.dismiss(False)
