"""The export modal (ctrl+e "导出"), and the modal it shares with the import (import_screen.py).

Two halves, as elsewhere: `ExportRequest` + `run_export()` are plain (no Textual; tested without a
UI) and call the writers of `servicetui.reports`; the modals only collect options, then run the
writer in a `@work(thread=True, exclusive=True)` worker whose `progress(done, total)` callback
feeds a ProgressBar through `app.call_from_thread`. A failure is one line (toast + in the modal),
never a traceback.

    export: problem list (the CURRENT view's filter and sort) / project ledger / monthly bulletin /
            quarterly assessment; format; path (default: ./问题清单-2022-09-30.xlsx …)
    import: path, kind (from the header / projects / problems), dry run; every bad row is listed
            (row, column, why) and nothing is written; on success "已导入 N 行…" and the lists refresh.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Label,
    ProgressBar,
    Select,
    Static,
)

from servicetui import i18n
from servicetui.services import queries
from servicetui.services.errors import ServiceError
from servicetui.tui.strings import t
from servicetui.tui.widgets import FieldInput, I18nBindings

V = i18n.value

WHATS = ("problem_list", "ledger", "monthly", "quarterly", "template_problems", "template_projects")
# + "decisions" from a dispatch meeting's screens
FORMATS: dict[str, tuple[str, ...]] = {
    "problem_list": ("xlsx", "csv", "md", "json"),
    "ledger": ("xlsx", "csv"),
    "monthly": ("docx", "md"),
    "quarterly": ("xlsx", "md"),
    "decisions": ("xlsx", "md", "docx"),
    "template_problems": ("xlsx",),
    "template_projects": ("xlsx",),
}
STEMS = {"problem_list": "问题清单", "ledger": "项目台账", "monthly": "月通报", "quarterly": "季考核",
         "decisions": "议定事项清单", "template_problems": "问题导入模板", "template_projects": "项目导入模板"}
QUARTER_ZH = "一二三四"


# -- the plain half --------------------------------------------------------------------------
@dataclass
class ExportRequest:
    what: str
    fmt: str
    path: Path
    today: date
    period: str = ""  # "2022-09" (monthly) or "2022Q3" (quarterly)
    problem_filter: queries.ProblemFilter = field(default_factory=queries.ProblemFilter)
    problem_sort: str = "urgency"
    project_filter: queries.ProjectFilter = field(default_factory=queries.ProjectFilter)
    session_id: int | None = None  # decisions: the dispatch meeting


def default_period(what: str, today: date) -> str:
    if what == "monthly":
        return f"{today.year}-{today.month:02d}"
    if what == "quarterly":
        return f"{today.year}Q{(today.month - 1) // 3 + 1}"
    return ""


def default_name(what: str, fmt: str, today: date, period: str = "", day: date | None = None) -> str:
    """A dated Chinese file name: 问题清单-2022-09-30.xlsx, 月通报-2022年9月.docx, 季考核-2022年第三季度.xlsx,
    议定事项清单-<the meeting's day>.xlsx (`day`)."""
    stem = STEMS[what]
    if what.startswith("template_"):  # blank: nothing to date
        return f"{stem}.{fmt}"
    when = (day or today).isoformat()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", period.strip()) if what == "monthly" else None
    if m:
        when = f"{m[1]}年{int(m[2])}月"
    q = re.fullmatch(r"(\d{4})\s*-?\s*Q([1-4])", period.strip(), re.IGNORECASE) if what == "quarterly" else None
    if q:
        when = f"{q[1]}年第{QUARTER_ZH[int(q[2]) - 1]}季度"
    return f"{stem}-{when}.{fmt}"


def run_export(engine, req: ExportRequest, progress: Callable[[int, int], None] | None = None):
    """Write the file `req` asks for; returns the writer's WriteResult. Raises ServiceError (ReportError)."""
    from servicetui.reports.common import ReportError

    if req.fmt not in FORMATS.get(req.what, ()):
        raise ReportError(f"不支持的格式：{req.fmt}", f"unsupported format: {req.fmt}")
    if req.what == "problem_list":
        from servicetui.reports.problem_list import (
            ProblemListOptions,
            write_problem_list,
        )

        opts = ProblemListOptions(filter=req.problem_filter, today=req.today, sort=req.problem_sort)
        return write_problem_list(engine, opts, req.path, req.fmt, progress=progress)
    if req.what == "ledger":
        from servicetui.reports.ledger import LedgerOptions, write_ledger

        return write_ledger(engine, LedgerOptions(today=req.today, filter=req.project_filter), req.path, req.fmt,
                            progress=progress)
    if req.what == "monthly":
        from servicetui.reports.monthly import parse_month, write_monthly

        year, month = parse_month(req.period)
        return write_monthly(engine, year, month, req.path, req.fmt, today=req.today, progress=progress)
    if req.what.startswith("template_"):
        from servicetui.reports.templates import write_template

        return write_template(req.what.removeprefix("template_"), req.path)
    if req.what == "decisions":
        from servicetui.reports.decisions import write_decisions

        if req.session_id is None:
            raise ReportError("没有选定调度会", "no dispatch meeting chosen")
        return write_decisions(engine, req.session_id, req.path, req.fmt, today=req.today, progress=progress)
    from servicetui.reports.quarterly import parse_quarter, write_quarterly

    year, quarter = parse_quarter(req.period)
    return write_quarterly(engine, year, quarter, req.path, req.fmt, today=req.today, progress=progress)


def one_line(exc: BaseException, lang: str) -> str:
    if isinstance(exc, ServiceError):
        text = exc.message(lang)
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]


# -- where the export comes from ---------------------------------------------------------------
def source_of(screen) -> dict[str, Any]:
    """What the screen under the modal shows: its problem filter / project filter and a default."""
    from servicetui.tui.problems_screen import ProblemsScreen
    from servicetui.tui.project_screen import ProjectScreen
    from servicetui.tui.screens import ProjectsScreen

    meeting = getattr(screen, "meeting_source", None)  # the dispatch meeting's screens: its 议定事项清单
    if meeting is not None:
        return meeting()
    if isinstance(screen, ProblemsScreen):
        return {"what": "problem_list", "problem_filter": screen.filter, "problem_sort": screen.sort}
    if isinstance(screen, ProjectScreen):
        return {"what": "problem_list", "problem_filter": queries.ProblemFilter(project_id=screen.project_id)}
    if isinstance(screen, ProjectsScreen):
        pf = screen._effective()
        pb = queries.ProblemFilter(open_only=True, officer_id=pf.officer_id)
        return {"what": "ledger", "project_filter": pf, "problem_filter": pb}
    return {"what": "monthly"}


def describe_problem_filter(app, f: queries.ProblemFilter) -> str:
    from servicetui.tui.problems_screen import problem_filter_bits

    lang, eng = app.lang, app.engine
    bits = problem_filter_bits(app, f, with_text=True)
    n = queries.problem_count(eng, f, today=app.today, warn_days=app.warn_days)
    desc = " · ".join(bits) if bits else t("no_filters", lang)
    return f"{desc} · {t('n_rows', lang, n=n)}"


# -- modals ----------------------------------------------------------------------------------
class TransferModal(I18nBindings, ModalScreen[Any]):
    DEFAULT_CSS = """
    TransferModal { align: center middle; }
    TransferModal > #box { width: 100; max-width: 95%; height: auto; max-height: 95%; border: thick $primary;
                            background: $surface; padding: 0 1; }
    TransferModal #title { text-style: bold; padding: 0 0 1 0; }
    TransferModal .row { height: auto; }
    TransferModal .row > Label { width: 16; padding: 0 1 0 0; text-align: right; }
    TransferModal .row > FieldInput, TransferModal .row > Select { width: 1fr; }
    TransferModal #scope { color: $text-muted; height: auto; padding: 0 0 0 16; }
    TransferModal #progress { height: 1; margin: 1 0 0 16; }
    TransferModal #message { height: auto; padding: 0 0 0 16; }
    TransferModal #message.-error { color: $error; }
    TransferModal #report { height: 14; margin: 1 0 0 0; }
    TransferModal #buttons { height: auto; padding: 1 0 0 0; }
    TransferModal #buttons Button { margin: 0 2 0 0; min-width: 10; }
    TransferModal #file-buttons Button { margin: 0 2 0 0; }
    TransferModal #hint { color: $text-muted; width: 1fr; content-align: right middle; height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "start", "a_save", id="transfer.start", priority=True),
        Binding("escape", "close", "a_cancel", id="transfer.close"),
    ]

    running = False

    def __init__(self) -> None:
        super().__init__()
        self._translate()

    @property
    def lang(self) -> str:
        return getattr(self.app, "lang", "zh")

    def _message(self, text: str, error: bool = False) -> None:
        msg = self.query_one("#message", Static)
        msg.set_class(error, "-error")
        msg.update(Text(text))

    def _progress(self, done: int, total: int) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.update(total=max(total, 1), progress=min(done, max(total, 1)))

    def _busy(self, busy: bool) -> None:
        self.running = busy
        self.query_one("#start", Button).disabled = busy
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        if busy:
            bar.update(total=None, progress=0)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        else:
            self.action_close()

    def on_input_submitted(self) -> None:
        self.action_start()

    def action_close(self) -> None:
        if not self.running:
            self.dismiss(None)

    def action_start(self) -> None:  # pragma: no cover - overridden
        pass


class ExportScreen(TransferModal):
    """Collects what / format / period / path, then writes the file in a worker with a progress bar."""

    def __init__(self, source: dict[str, Any]) -> None:
        super().__init__()
        self.source = source
        self.what = source.get("what", "problem_list")
        self._auto_path = ""
        self.result = None
        self._deliver_dir: Path | None = None  # browser: where the file is written before it is sent

    def compose(self) -> ComposeResult:
        lang, app = self.lang, self.app
        whats = (*WHATS, "decisions") if self.source.get("session_id") is not None else WHATS
        what_opts = [(t(f"x_{w}", lang), w) for w in whats]
        with Vertical(id="box"):
            yield Static(t("x_title", lang), id="title")
            with Horizontal(classes="row"):
                yield Label(t("x_what", lang))
                yield Select(what_opts, value=self.what, allow_blank=False, id="what", compact=True)
            yield Static("", id="scope")
            with Horizontal(classes="row"):
                yield Label(t("x_format", lang))
                yield Select([(f, f) for f in FORMATS[self.what]], value=FORMATS[self.what][0], allow_blank=False,
                             id="format", compact=True)
            with Horizontal(classes="row", id="period-row"):
                yield Label(t("x_period", lang))
                yield FieldInput(default_period(self.what, app.today), id="period", compact=True)
            with Horizontal(classes="row"):
                yield Label(t("x_path", lang))
                yield FieldInput("", id="path", compact=True)
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Static("", id="message")
            with Horizontal(id="buttons"):
                yield Button(t("x_run", lang), id="start", variant="primary", compact=True)
                yield Button(t("a_cancel", lang), id="cancel", compact=True)
                yield Static(t("x_hint", lang), id="hint")

    def on_mount(self) -> None:
        self.query_one("#progress", ProgressBar).display = False
        self._sync()
        self.query_one("#what", Select).focus()

    # -- keeping the fields consistent ---------------------------------------------------------
    def _fmt(self) -> str:
        v = self.query_one("#format", Select).value
        return v if isinstance(v, str) else FORMATS[self.what][0]

    def _sync(self) -> None:
        app = self.app
        self.query_one("#period-row").display = self.what in ("monthly", "quarterly")
        scope = ""
        if self.what == "problem_list":
            scope = t("x_scope", self.lang, f=describe_problem_filter(app, self.source.get("problem_filter")
                                                                        or queries.ProblemFilter()))
        elif self.what == "decisions":
            scope = t("x_scope_meeting", self.lang, title=self.source.get("meeting_title", ""))
        self.query_one("#scope", Static).update(Text(scope))
        self.query_one("#scope", Static).display = bool(scope)
        path_input = self.query_one("#path", FieldInput)
        if not path_input.value or path_input.value == self._auto_path:
            name = default_name(self.what, self._fmt(), app.today, self.query_one("#period", FieldInput).value,
                                day=self.source.get("held_on") if self.what == "decisions" else None)
            # in a browser the file is downloaded: only its name matters
            self._auto_path = name if app.is_web else str(Path.cwd() / name)
            path_input.value = self._auto_path

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "what" and isinstance(event.value, str) and event.value != self.what:
            self.what = event.value
            fmt = self.query_one("#format", Select)
            fmt.set_options([(f, f) for f in FORMATS[self.what]])
            fmt.value = FORMATS[self.what][0]
            self.query_one("#period", FieldInput).value = default_period(self.what, self.app.today)
        self._sync()

    def on_input_changed(self, event) -> None:
        if event.input.id == "period":
            self._sync()

    # -- running ---------------------------------------------------------------------------
    def request(self) -> ExportRequest | None:
        lang = self.lang
        raw = self.query_one("#path", FieldInput).value.strip()
        if not raw:
            self._message(t("x_need_path", lang), error=True)
            return None
        period = self.query_one("#period", FieldInput).value.strip()
        if self.what == "monthly" and not re.fullmatch(r"\d{4}-\d{1,2}|\d{4}年\d{1,2}月", period):
            self._message(t("x_bad_month", lang), error=True)
            return None
        if self.what == "quarterly" and not re.fullmatch(r"\d{4}\s*-?\s*[Qq][1-4]|\d{4}年第[1-4一二三四]季度", period):
            self._message(t("x_bad_quarter", lang), error=True)
            return None
        src = self.source
        path = Path(raw).expanduser()
        if self.app.is_web:  # written on the server in a directory of its own, then sent to the browser
            self._deliver_dir = Path(tempfile.mkdtemp(prefix="servicetui-export-"))
            path = self._deliver_dir / (path.name or default_name(self.what, self._fmt(), self.app.today, period))
        return ExportRequest(what=self.what, fmt=self._fmt(), path=path, today=self.app.today,
                             period=period, problem_filter=src.get("problem_filter") or queries.ProblemFilter(),
                             problem_sort=src.get("problem_sort", "urgency"),
                             project_filter=src.get("project_filter") or queries.ProjectFilter(),
                             session_id=src.get("session_id"))

    def action_start(self) -> None:
        if self.running:
            return
        req = self.request()
        if req is None:
            return
        self._busy(True)
        self._message(t("x_running", self.lang))
        self.export(req)

    @work(thread=True, exclusive=True, group="export")
    def export(self, req: ExportRequest) -> None:
        app = self.app

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        try:
            result = run_export(app.engine, req, progress)
        except Exception as exc:  # every failure becomes one line, never a traceback
            app.call_from_thread(self._failed, one_line(exc, self.lang))
            return
        app.call_from_thread(self._finished, result)

    def _failed(self, text: str) -> None:
        self._busy(False)
        if self._deliver_dir is not None:
            shutil.rmtree(self._deliver_dir, ignore_errors=True)
            self._deliver_dir = None
        message = t("x_failed", self.lang, msg=text)
        self._message(message, error=True)
        self.app.notify(message, severity="error", timeout=10)

    def _finished(self, result) -> None:
        self._busy(False)
        self.result = result
        blank = self.what.startswith("template_")
        if self._deliver_dir is not None:
            self._deliver(result, blank)
        else:
            done = t("x_template_done", self.lang, path=str(result.path)) if blank else \
                t("x_done", self.lang, n=result.rows, path=str(result.path))
            self.app.notify(done, timeout=10)
        self.dismiss(result)

    def _deliver(self, result, blank: bool = False) -> None:
        """Browser: send each written file as a download, then remove it from the server. Textual opens
        the file when the delivery starts, so the name can go at once (the download reads the open file)."""
        folder, self._deliver_dir = self._deliver_dir, None
        for path in result.paths:
            self.app.deliver_binary(path, save_filename=path.name)
            self.app.notify(t("x_template_downloading", self.lang, name=path.name) if blank else
                            t("x_downloading", self.lang, n=result.rows, name=path.name), timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def open_export(app) -> None:
    if isinstance(app.screen, ModalScreen):
        return
    app.push_screen(ExportScreen(source_of(app.screen)))
