"""The app in a real browser: `servicetui serve` on the demo county, headless Chromium (Playwright
driving Debian's /usr/bin/chromium), keys typed into the page, the screen read back as text.

The terminal is xterm.js drawing on a canvas; servicetui.tui.web.server publishes it as
`window.servicetuiTerminals`, and its buffer gives the screen's text. Every request the page makes
is recorded: none may leave 127.0.0.1/localhost (the county's network is offline), and anything
that tries is aborted.

Without a browser (or without the `playwright` package) the tests skip, saying why; with CI=true
they fail instead (.ci/browser.sh installs chromium).
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = os.environ.get("SERVICETUI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
VIEWPORT = {"width": 1400, "height": 900}
SISI = "思思食品年产2万吨航空系列食品加工项目"

SCREEN_JS = """() => {
  const term = (window.servicetuiTerminals || [])[0];
  if (!term) return null;
  const buf = term.buffer.active, rows = [];
  for (let i = 0; i < term.rows; i++) {
    const line = buf.getLine(buf.viewportY + i);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
}"""


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the `playwright` Python package is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium chromium-driver, or source .ci/browser.sh)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true but the browser test cannot run: {reason}", pytrace=False)
        pytest.skip(f"browser test skipped: {reason}")
    from playwright.sync_api import sync_playwright

    # Playwright gives each launch a fresh temporary profile (its own --user-data-dir).
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Served:
    """A `servicetui serve` subprocess on a loopback port."""

    def __init__(self, argv: list[str], port: int, log: Path):
        self.url = f"http://127.0.0.1:{port}/"
        self.log = log
        self._out = open(log, "w")
        self.proc = subprocess.Popen(argv, stdout=self._out, stderr=subprocess.STDOUT, env={**os.environ})
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve exited with {self.proc.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"serve did not answer on {self.url}:\n{self.output()}")
            time.sleep(0.2)

    def output(self) -> str:
        self._out.flush()
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: textual-serve shuts down and quits its app processes
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._out.close()


@pytest.fixture
def serve(serve_argv, free_port, tmp_path):
    started: list[Served] = []

    def _start(*args: str) -> Served:
        served = Served(serve_argv(*args, "--port", str(free_port)), free_port, tmp_path / "serve.log")
        started.append(served)
        return served

    yield _start
    for served in started:
        served.stop()


class Page:
    """One browser tab on the served app, recording every URL it asks for."""

    def __init__(self, browser, url: str):
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(url)
        self.page.wait_for_function("() => (window.servicetuiTerminals || []).length > 0", timeout=20_000)
        # what the terminal sends to the app (for the failure messages)
        self.page.evaluate("() => { window.sentToApp = []; "
                           "window.servicetuiTerminals[0].onData(d => window.sentToApp.push(d)); }")

    def _route(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:  # recorded by the "request" listener; never let it out
            self.requests.append(route.request.url)
            route.abort()

    def focus_terminal(self) -> None:
        """Keys go where the focus is: xterm.js listens on its hidden textarea (an officer clicks
        the page). The app hears of the focus through the websocket; give it a moment."""
        self.page.locator(".xterm-helper-textarea").focus()
        self.page.wait_for_function("() => document.activeElement.classList.contains('xterm-helper-textarea')")
        time.sleep(0.3)

    def screen(self) -> str:
        return self.page.evaluate(SCREEN_JS) or ""

    def settled(self, quiet: float = 0.6, timeout: float = 20) -> str:
        """The screen once it has not changed for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        last, since = self.screen(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.screen()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                break
        return last

    def wait_for(self, predicate, what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            if predicate(text):
                return text
            if time.monotonic() > deadline:
                sent = self.page.evaluate("() => window.sentToApp")
                raise AssertionError(f"timed out waiting for {what}; keys sent: {sent!r}; the screen:\n{text}")
            time.sleep(0.2)

    def close(self) -> None:
        self.context.close()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname in LOCAL_HOSTS


def assert_all_local(page: Page) -> None:
    assert page.requests, "no request recorded"
    outside = [u for u in page.requests if not is_local(u)]
    assert outside == [], f"requests outside this machine: {outside}"
    assert page.failed == [], f"failed requests: {page.failed}"
    assert page.errors == [], f"page errors: {page.errors}"


def test_the_app_in_a_browser_finds_sisi_with_slash(browser, serve, web_demo_db, tmp_path):
    served = serve("--db", str(web_demo_db))
    page = Page(browser, served.url)
    try:
        # the projects screen, Chinese and all, finished loading (the search bar is drawn last)
        first = page.wait_for(lambda s: "项目" in s and SISI in s and "电子陶瓷封装材料项目" in s
                              and "按名称、企业、编号搜索" in s and "共 12 项" in s, "the projects screen")
        assert "首席服务官工作台" in first and "2022-09-30" in first
        page.page.screenshot(path=str(tmp_path / "projects.png"))
        # the terminal draws with our font stack (local fonts with Chinese glyphs)
        family = page.page.evaluate("() => window.servicetuiTerminals[0].options.fontFamily")
        assert "Noto Sans Mono CJK SC" in family and "Roboto Mono" in family

        page.focus_terminal()
        footer = page.settled().rstrip().splitlines()[-1]
        page.page.keyboard.press("/")
        # Textual moves the focus on its next turn: keys sent in the same instant would still reach
        # the list. Wait for the footer to show the search box's keys, as a person would see it.
        page.wait_for(lambda s: s.rstrip().splitlines()[-1] != footer, "the search box to take the keys")
        page.page.keyboard.type("思思")
        found = page.wait_for(lambda s: SISI in s and "电子陶瓷封装材料项目" not in s and "共 1 项" in s,
                              "the search for 思思")
        assert "光伏组件边框铝型材生产项目" not in found
        page.page.keyboard.press("Enter")  # leaves the search box, the list keeps its filter
        page.page.screenshot(path=str(tmp_path / "search-sisi.png"))

        # enter opens the project: the unit × milestone grid of the seed report
        page.page.keyboard.press("Enter")
        grid = page.wait_for(lambda s: "一号车间" in s and "四号车间" in s, "the project screen")
        assert "思思食品" in grid
        page.page.screenshot(path=str(tmp_path / "project-sisi.png"))
        for name in ("projects.png", "search-sisi.png", "project-sisi.png"):
            assert (tmp_path / name).stat().st_size > 10_000

        assert_all_local(page)
        assert any(u.startswith("ws://127.0.0.1:") for u in page.requests)
    finally:
        page.close()


def test_login_in_the_browser_opens_as_the_named_officer(browser, serve, demo_db_copy, tmp_path):
    served = serve("--db", str(demo_db_copy), "--login")
    page = Page(browser, served.url)
    try:
        page.wait_for(lambda s: "登录名或姓名" in s, "the login screen")
        assert SISI not in page.screen()
        page.page.screenshot(path=str(tmp_path / "login.png"))
        page.focus_terminal()
        page.page.keyboard.type("nobody")
        page.page.keyboard.press("Enter")
        page.wait_for(lambda s: "没有找到" in s, "the refusal")
        page.page.keyboard.type("liming")
        page.page.keyboard.press("Enter")
        text = page.wait_for(lambda s: "李明（liming）" in s and SISI in s, "the projects screen as 李明")
        assert "电子陶瓷封装材料项目" not in text  # 李明's own projects, as in the terminal
        page.page.screenshot(path=str(tmp_path / "login-liming.png"))
        assert_all_local(page)
    finally:
        page.close()


def test_an_export_in_the_browser_downloads_the_file(browser, serve, web_demo_db, tmp_path):
    served = serve("--db", str(web_demo_db))
    page = Page(browser, served.url)
    try:
        page.wait_for(lambda s: SISI in s and "共 12 项" in s, "the projects screen")
        page.focus_terminal()
        page.page.keyboard.press("Control+e")
        page.wait_for(lambda s: "项目台账-2022-09-30.xlsx" in s, "the export modal with a file name only")
        with page.page.expect_download(timeout=30_000) as info:
            page.page.keyboard.press("Control+s")
        download = info.value
        assert download.suggested_filename == "项目台账-2022-09-30.xlsx"
        saved = tmp_path / "download.xlsx"
        download.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK" and saved.stat().st_size > 5_000
        page.wait_for(lambda s: "浏览器正在下载" in s, "the notice that the browser is downloading")
        assert_all_local(page)
    finally:
        page.close()


def test_an_import_in_the_browser_uploads_the_file_from_this_computer(browser, serve, demo_db_copy, tmp_path):
    import csv
    import sqlite3

    ledger = tmp_path / "本机的问题台账.csv"
    with open(ledger, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows([["项目名称", "问题", "责任单位", "办结时限"],
                                  [SISI, "从浏览器上传的问题：围墙施工", "供电公司", "2022-10-20"]])
    served = serve("--db", str(demo_db_copy))
    page = Page(browser, served.url)
    try:
        page.wait_for(lambda s: SISI in s and "共 12 项" in s, "the projects screen")
        page.focus_terminal()
        page.page.keyboard.press("Control+o")
        page.wait_for(lambda s: "Ctrl+U" in s and "从本机上传" in s, "the import modal offering an upload")
        page.page.keyboard.press("Control+u")
        page.page.wait_for_selector("#servicetui-upload.-open", timeout=15_000)
        page.page.screenshot(path=str(tmp_path / "upload-dialog.png"))
        page.page.set_input_files("#servicetui-upload-file", str(ledger))  # choosing the file sends it
        page.page.wait_for_selector("#servicetui-upload.-open", state="hidden", timeout=15_000)
        page.wait_for(lambda s: "已上传 本机的问题台账.csv" in s, "the modal taking the uploaded file")
        page.focus_terminal()
        page.page.keyboard.press("Control+s")
        page.wait_for(lambda s: "已导入 1 行问题" in s, "the import's notice")
        with sqlite3.connect(demo_db_copy) as conn:
            titles = [r[0] for r in conn.execute("SELECT title FROM problem WHERE title LIKE '从浏览器上传%'")]
        assert titles == ["从浏览器上传的问题：围墙施工"]
        assert_all_local(page)
    finally:
        page.close()
