"""The import modal (ctrl+o "导入"): path, kind (from the header / projects / problems), dry run; the
importer runs in a worker with a progress bar; every bad row is listed (row, column, why) and
nothing is written; on success "已导入 N 行…" and the lists refresh. `ctrl+t` writes the blank
template of the chosen kind (through the export modal); in a browser `ctrl+u` uploads the file from
the officer's computer (web/uploads.py)."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Label,
    ProgressBar,
    Select,
    Static,
)

from servicetui.tui.strings import t
from servicetui.tui.transfer import ExportScreen, TransferModal, one_line
from servicetui.tui.widgets import FieldInput


class ImportScreen(TransferModal):
    """Path, kind, dry run; runs the importer in a worker; lists every bad row; refreshes the lists.

    In a browser (`servicetui serve`) `ctrl+u` uploads the file from the officer's computer
    (web/uploads.py): the page shows its upload dialog, and the uploaded file's path fills the field."""

    BINDINGS = [Binding("ctrl+u", "upload", "i_upload", id="import.upload", priority=True),
                Binding("ctrl+t", "template", "i_template", id="import.template", priority=True)]
    UPLOAD_POLL = 0.3  # seconds between looks into the upload box

    def __init__(self) -> None:
        super().__init__()
        self.result = None
        self._upload_box: Path | None = None
        self._upload_timer = None

    @property
    def can_upload(self) -> bool:
        from servicetui.tui.web.uploads import upload_root

        return self.app.is_web and upload_root() is not None

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="box"):
            yield Static(t("i_title", lang), id="title")
            with Horizontal(classes="row"):
                yield Label(t("i_path", lang))
                placeholder = t("i_path_web", lang) if self.can_upload else f"{Path.cwd() / '台账.xlsx'}  (xlsx / csv)"
                yield FieldInput("", id="path", compact=True, placeholder=placeholder)
            with Horizontal(classes="row", id="file-buttons"):
                yield Label("")
                if self.can_upload:
                    yield Button(t("i_upload_button", lang), id="upload", compact=True)
                yield Button(t("i_template_button", lang), id="template", compact=True)
            with Horizontal(classes="row"):
                yield Label(t("i_kind", lang))
                yield Select([(t("i_auto", lang), "auto"), (t("i_projects", lang), "projects"),
                              (t("i_problems", lang), "problems")], value="auto", allow_blank=False, id="kind",
                             compact=True)
            with Horizontal(classes="row"):
                yield Label("")
                yield Checkbox(t("i_dry", lang), value=False, id="dry", compact=True)
            yield ProgressBar(total=None, show_eta=False, id="progress")
            yield Static("", id="message")
            yield DataTable(id="report", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="buttons"):
                yield Button(t("i_run", lang), id="start", variant="primary", compact=True)
                yield Button(t("a_cancel", lang), id="cancel", compact=True)
                yield Static(t("x_hint", lang), id="hint")

    def on_mount(self) -> None:
        lang = self.lang
        self.query_one("#progress", ProgressBar).display = False
        table = self.query_one("#report", DataTable)
        table.add_column(t("c_row", lang), key="row", width=6)
        table.add_column(t("c_column", lang), key="column", width=14)
        table.add_column(t("c_why", lang), key="why", width=68)
        table.display = False
        self.query_one("#path", FieldInput).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "upload":  # in a browser (it says so when the server's upload folder is missing)
            return self.app.is_web and not self.running
        return True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        # Textual calls each class's handler down the MRO: the modal's own (start / cancel) runs after
        # this one unless prevented
        if event.button.id in ("upload", "template"):
            event.prevent_default()
            event.stop()
            getattr(self, f"action_{event.button.id}")()

    def action_template(self) -> None:
        """The blank template of the kind chosen (problems when 按表头判断), through the export modal (a
        download in a browser)."""
        if self.running:
            return
        kind = self.query_one("#kind", Select).value
        self.app.push_screen(ExportScreen({"what": f"template_{'projects' if kind == 'projects' else 'problems'}"}))

    def action_upload(self) -> None:
        """Ask the page for a file from the officer's computer (a new upload box each time)."""
        from servicetui.tui.web import uploads

        if self.running or not self.app.is_web:
            return
        self._end_upload()
        root = uploads.upload_root()
        try:
            if root is None:
                raise FileNotFoundError(uploads.ENV)
            token, self._upload_box = uploads.new_box(root)
        except OSError as exc:  # the server's upload folder is gone or full: say so, keep the modal
            self._message(t("i_upload_unavailable", self.lang, why=exc.strerror or str(exc)), error=True)
            return
        self.app.open_url(f"{uploads.SCHEME}{token}")
        self._message(t("i_upload_wait", self.lang))
        self._upload_timer = self.set_interval(self.UPLOAD_POLL, self._look_for_upload)

    def _look_for_upload(self) -> None:
        from servicetui.tui.web.uploads import uploaded

        got = uploaded(self._upload_box) if self._upload_box is not None else None
        if got is None:
            return
        try:
            size = got.stat().st_size
        except OSError:  # gone again (the box was removed): keep looking
            return
        self._upload_timer.stop()
        self._upload_timer = None
        self.query_one("#path", FieldInput).value = str(got)
        self._message(t("i_uploaded", self.lang, name=got.name, kb=max(1, round(size / 1024))))
        self.query_one("#start", Button).focus()

    def _end_upload(self) -> None:
        from servicetui.tui.web.uploads import remove_box

        if self._upload_timer is not None:
            self._upload_timer.stop()
            self._upload_timer = None
        remove_box(self._upload_box)
        self._upload_box = None

    def on_unmount(self) -> None:
        self._end_upload()

    def action_start(self) -> None:
        if self.running:
            return
        lang = self.lang
        raw = self.query_one("#path", FieldInput).value.strip()
        if not raw:
            self._message(t("x_need_path", lang), error=True)
            return
        path = Path(raw).expanduser()
        if not path.is_file():
            self._message(t("i_no_file", lang, path=str(path)), error=True)
            return
        kind = self.query_one("#kind", Select).value
        dry = self.query_one("#dry", Checkbox).value
        table = self.query_one("#report", DataTable)
        table.clear()
        table.display = False
        self._busy(True)
        self._message(t("i_running", lang))
        self.run_import(path, None if kind == "auto" else kind, dry)

    @work(thread=True, exclusive=True, group="import")
    def run_import(self, path: Path, kind: str | None, dry_run: bool) -> None:
        from servicetui.reports.importer import import_file

        app = self.app

        def progress(done: int, total: int) -> None:
            app.call_from_thread(self._progress, done, total)

        try:
            result = import_file(app.ctx(), path, kind=kind, dry_run=dry_run, progress=progress)
        except Exception as exc:
            app.call_from_thread(self._failed, one_line(exc, self.lang))
            return
        app.call_from_thread(self._finished, result)

    def _failed(self, text: str) -> None:
        self._busy(False)
        self._message(text, error=True)
        self.app.notify(text, severity="error", timeout=10)

    def _finished(self, res) -> None:
        self._busy(False)
        self.result = res
        lang = self.lang
        what = t("i_projects" if res.kind == "projects" else "i_problems", lang)
        table = self.query_one("#report", DataTable)
        with self.app.batch_update():
            table.clear()
            for issue in res.errors:
                table.add_row(str(issue.row), issue.column or "—", issue.en if lang == "en" else issue.zh)
            for issue in res.duplicates:
                why = issue.en if lang == "en" else issue.zh
                table.add_row(str(issue.row), issue.column or "—",
                              Text(f"{t('i_dup', lang)}：{why}" if lang != "en" else f"{t('i_dup', lang)}: {why}",
                                   style="dim"))
        table.display = table.row_count > 0
        if not res.ok:
            more_n = res.error_count - len(res.errors)
            more = t("i_more", lang, n=more_n) if more_n > 0 else ""
            text = t("i_failed", lang, n=res.error_count, more=more)
            self._message(text, error=True)
            self.app.notify(text, severity="error", timeout=10)
            table.focus()
            return
        if res.dry_run:
            self._message(t("i_dry_ok", lang, n=res.created, what=what, dup=len(res.duplicates)))
            return
        text = t("i_done", lang, n=res.created, what=what, dup=len(res.duplicates))
        self.app.after_write(text)
        if res.duplicates:
            self._message(text)
        else:
            self.dismiss(res)


def open_import(app) -> None:
    if isinstance(app.screen, ModalScreen):
        return
    app.push_screen(ImportScreen())
