"""The dispatch meeting's summary (after F in meeting.py): the counts of the meeting, its decisions
with their state, and the 议定事项清单 export (xlsx / md / docx) through the shared export modal."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Label, Static

from servicetui import i18n
from servicetui.services import review
from servicetui.tui.footer import AppFooter
from servicetui.tui.lazy_table import Column, LazyTable
from servicetui.tui.meeting import STATE_COLOURS, meeting_source
from servicetui.tui.screens import BaseScreen
from servicetui.tui.strings import t
from servicetui.tui.widgets import StatusLine, TopBar

V = i18n.value


class MeetingSummaryScreen(BaseScreen):
    current = "projects"
    AUTO_FOCUS = "#mt-summary-list"
    DEFAULT_CSS = """
    MeetingSummaryScreen #mt-summary { height: auto; padding: 1 2; }
    MeetingSummaryScreen #mt-summary-list { height: 1fr; padding: 0 1; }
    """
    BINDINGS = [
        Binding("x,ctrl+e", "export", "a_mt_export", id="meeting.export"),
        Binding("escape", "back", "a_back", id="meeting.summary_back"),
    ]

    def __init__(self, session_id: int) -> None:
        super().__init__()
        self.session_id = session_id
        self.summary: review.SessionSummary | None = None
        self.view: review.SessionView | None = None

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield TopBar("projects", extra=t("mt_summary", lang))
        yield Static("", id="mt-summary")
        yield Label(t("mt_decision_list", lang), classes="section")
        yield LazyTable(self._columns(), count=lambda: len(self.summary.decision_rows) if self.summary else 0,
                        fetch=lambda o, n: list(enumerate(self.summary.decision_rows, start=1))[o:o + n],
                        id="mt-summary-list")
        yield StatusLine(t("mt_export_hint", lang))
        yield AppFooter()

    def _columns(self) -> list[Column]:
        lang, today = self.lang, self.app.today

        def state(pair):
            s = review.decision_state(pair[1], today)
            return Text(V(s, lang) if lang == "en" else s, style=STATE_COLOURS.get(s, ""))

        return [
            Column("n", t("mt_c_n", lang), 4, lambda p: str(p[0]), align="right"),
            Column("project", t("c_project", lang), 20, lambda p: p[1].project_name, flex=1),
            Column("title", t("mt_c_decision", lang), 24, lambda p: p[1].title, flex=2),
            Column("dept", t("c_department", lang), 12, lambda p: p[1].department or "—"),
            Column("owner", i18n.label("owner_id", lang), 8, lambda p: p[1].owner or "—"),
            Column("due", t("c_due", lang), 10, lambda p: p[1].due.isoformat() if p[1].due else "—"),
            Column("state", t("mt_c_state", lang), 8, state),
        ]

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        app, lang = self.app, self.lang
        self.view = review.session_view(app.engine, self.session_id, today=app.today)
        self.summary = review.summary(app.engine, self.session_id, today=app.today)
        s = self.summary
        lines = [
            Text(self.view.title if self.view else "", style="bold"),
            Text(t("mt_summary_line1", lang, reviewed=s.reviewed, skipped=s.skipped, decisions=s.decisions)),
            Text(t("mt_summary_line2", lang, closed=s.closed, escalated=s.escalated, rescheduled=s.rescheduled)),
        ]
        self.query_one("#mt-summary", Static).update(Text("\n").join(lines))
        self.query_one("#mt-summary-list", LazyTable).reload()

    def meeting_source(self) -> dict[str, Any]:
        """What ctrl+e / x export from here (transfer.source_of): this meeting's 议定事项清单."""
        return meeting_source(self.app, self.session_id, self.view)

    def action_export(self) -> None:
        from servicetui.tui.transfer import open_export

        open_export(self.app)

    def action_back(self) -> None:
        self.app.pop_screen()
