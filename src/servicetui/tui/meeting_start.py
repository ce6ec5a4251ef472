"""Starting a dispatch meeting (调度会), or coming back to the open one: `M`, and the offer at start-up.
The meeting itself is `meeting.MeetingScreen`."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from textual.screen import ModalScreen

from servicetui import i18n
from servicetui.services import queries, review
from servicetui.tui.forms import ConfirmScreen, Field, FormScreen
from servicetui.tui.meeting import MeetingScreen, position_text
from servicetui.tui.strings import t

if TYPE_CHECKING:  # pragma: no cover
    from servicetui.tui.app import ServiceApp


def default_title(held_on: date) -> str:
    return f"{held_on:%Y年%m月%d日}重点项目调度会"


def open_meeting(app: "ServiceApp") -> None:
    """`M`: back to the meeting on screen, offer to resume the open one, or start a new one."""
    for screen in app.screen_stack:
        if isinstance(screen, MeetingScreen):
            while app.screen is not screen:
                app.pop_screen()
            return
    sid = review.open_session_id(app.engine)
    if sid is None:
        start_form(app)
        return

    def answered(yes: bool | None) -> None:
        if yes:
            resume(app, sid)
        else:
            start_form(app)

    app.push_screen(ConfirmScreen(_resume_question(app, sid) + "\n" + t("mt_resume_or_new", app.lang)), answered)


def _resume_question(app: "ServiceApp", sid: int) -> str:
    view = review.session_view(app.engine, sid, today=app.today)
    return t("mt_resume_q", app.lang, title=view.title, where=position_text(view, app.lang))


def offer_resume(app: "ServiceApp") -> None:
    """At start-up: an unfinished meeting? Offer to carry on where it stopped."""
    sid = review.open_session_id(app.engine)
    if sid is None:
        return

    def answered(yes: bool | None) -> None:
        if yes:
            resume(app, sid)

    app.push_screen(ConfirmScreen(_resume_question(app, sid)), answered)


def resume(app: "ServiceApp", sid: int) -> None:
    while isinstance(app.screen, ModalScreen):
        app.pop_screen()
    app.push_screen(MeetingScreen(sid))


def scope_options(app: "ServiceApp") -> list[tuple[str, str]]:
    lang = app.lang
    opts = [(t("mt_scope_all", lang), "all"), (t("mt_scope_red_yellow", lang), "red_yellow")]
    opts += [(t("mt_scope_leader", lang, name=n), f"leader:{i}") for i, n in queries.choices(app.engine, "leaders")]
    opts += [(t("mt_scope_park", lang, name=n), f"park:{i}") for i, n in queries.choices(app.engine, "parks")]
    return opts


def start_form(app: "ServiceApp") -> None:
    lang, L = app.lang, i18n.label
    fields = [
        Field("title", L("title", lang), required=True),
        Field("held_on", L("held_on", lang), "date", required=True,
              placeholder="今天 / 2022-09-30 / 下周一" if lang != "en" else "today / 2022-09-30 / next mon"),
        Field("chair", L("chair", lang)),
        Field("attendees", L("attendees", lang), "area"),
        Field("scope", L("scope", lang), "select", scope_options(app), required=True),
        Field("order", L("order", lang), "select",
              [(t("mt_order_light", lang), "light"), (t("mt_order_code", lang), "code")], required=True),
    ]
    values = {"title": default_title(app.today), "held_on": app.today, "scope": "all", "order": "light"}

    def submit(v: dict[str, Any]) -> int:
        title = v["title"]
        if title == default_title(app.today) and v["held_on"] != app.today:
            title = ""  # the default follows the date
        return review.start_session(app.ctx(), title=title, held_on=v["held_on"], chair=v["chair"],
                                    attendees=v["attendees"], scope=v["scope"], order=v["order"])

    def done(sid: Any) -> None:
        if not isinstance(sid, int) or isinstance(sid, bool):
            return
        view = review.session_view(app.engine, sid, today=app.today)
        if view is not None and view.previous:  # first step: last time's decisions
            app.call(review.goto, app.ctx(), sid, -1)
        app.after_write(t("mt_started", app.lang, title=view.title if view else ""))
        app.push_screen(MeetingScreen(sid))

    app.push_screen(FormScreen(t("mt_start_title", lang), fields, values, submit, intro=t("mt_start_intro", lang)),
                    done)
