"""The 责任单位 screen (3): each department's open, overdue and closed problems and its on-time rate,
read in a worker; Enter shows the department's problems on the board."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from servicetui import i18n
from servicetui.services import queries
from servicetui.tui.footer import AppFooter
from servicetui.tui.screens import BaseScreen, VimDataTable
from servicetui.tui.strings import t
from servicetui.tui.widgets import StatusLine, TopBar

V = i18n.value


class DepartmentsScreen(BaseScreen):
    current = "departments"
    AUTO_FOCUS = "#depts"

    def compose(self) -> ComposeResult:
        yield TopBar("departments")
        yield Static(t("dept_hint", self.lang), id="hint")
        yield VimDataTable(id="depts", cursor_type="row", zebra_stripes=True)
        yield StatusLine("")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        lang = self.lang
        table.add_column(t("c_department", lang), key="name", width=24)
        # 73 cells with the cell padding: fits an 80-column terminal with the scrollbar, no sideways scroll
        for key, width in (("c_open_n", 9), ("c_overdue_n", 9), ("c_closed_n", 9), ("c_ontime", 12)):
            table.add_column(Text(t(key, lang), justify="right"), key=key, width=width)
        self.refresh_data()
        table.focus()

    def refresh_data(self) -> None:
        """The counts are read in a worker (≈ 0.2 s at 200 000 problems): the screen stays live."""
        self.run_worker(self._stats_worker, thread=True, exclusive=True, group="depts", exit_on_error=False)

    def _stats_worker(self) -> None:
        app = self.app
        stats = queries.department_stats(app.engine, today=app.today)
        try:
            app.call_from_thread(self._show_stats, stats)
        except RuntimeError:  # the app has gone meanwhile
            pass

    def _show_stats(self, stats: list) -> None:
        if not self.is_attached:
            return
        table = self.query_one(DataTable)
        with self.app.batch_update():
            table.clear()
            for s in stats:
                rate = f"{s.closed_on_time * 100 // s.closed}%" if s.closed else "—"
                overdue = Text(str(s.overdue), style="bold red" if s.overdue else "", justify="right")
                table.add_row(s.name, Text(str(s.open), justify="right"), overdue,
                              Text(str(s.closed), justify="right"), Text(rate, justify="right"), key=str(s.id))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        dept_id = int(event.row_key.value)
        self.app.show_problems(queries.ProblemFilter(department_id=dept_id, open_only=True))

    def on_show_again(self) -> None:
        self.query_one(DataTable).focus()
