"""textual-serve's `Server`, made fit for an offline government network.

textual-serve's own page (textual_serve/templates/app_index.html) loads "Roboto Mono" from
fonts.googleapis.com, and its terminal (static/js/textual.js, xterm.js) asks for
"'Roboto Mono', Monaco, 'Courier New', monospace" — no Chinese glyphs in any of them. Here:

* the page is ours (web/templates/app_index.html): every URL in it is on this server; Roboto Mono
  comes from the copy textual-serve ships (static/fonts), Chinese from the fonts on the officer's
  machine (CJK_FONT_STACK);
* textual.js is served patched (`/servicetui/textual.js`): the terminal's font family becomes
  FONT_FAMILY, and the xterm.js terminal is published as `window.servicetuiTerminals` so a test
  (or a support engineer in the browser console) can read the screen as text;
* every HTML answer carries a Content-Security-Policy that allows this server's origin only, so
  the browser itself refuses any outside font, script, style or connection;
* the page's URLs follow the origin the browser used (or `--public-url`), where textual-serve
  would write http://<--host>:<--port> into it — useless behind a proxy or with 0.0.0.0.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp_jinja2
import textual_serve
from aiohttp import BodyPartReader, web
from textual_serve.server import Server, to_int

from servicetui.tui.web import uploads

log = logging.getLogger("servicetui.tui.web")

WEB_DIR = Path(__file__).parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
UPSTREAM_JS = Path(textual_serve.__file__).parent / "static" / "js" / "textual.js"

# Monospace fonts with Chinese glyphs, the usual ones first on Linux desktops (Noto/思源, 文泉驿,
# 更纱黑体), then Windows (新宋体 is monospaced; 微软雅黑 is not, but has every glyph), then macOS.
CJK_FONT_STACK = (
    "'Noto Sans Mono CJK SC'", "'Source Han Mono SC'", "'Sarasa Mono SC'", "'WenQuanYi Zen Hei Mono'",
    "'WenQuanYi Micro Hei Mono'", "'Noto Sans CJK SC'", "NSimSun", "'Microsoft YaHei Mono'",
    "'Microsoft YaHei'", "'PingFang SC'", "'Heiti SC'",
)
FONT_FAMILY = ", ".join(("'Roboto Mono'", *CJK_FONT_STACK, "Menlo", "Consolas", "monospace"))

# The two places patched in textual.js (textual-serve 1.1.x). If a later textual-serve changes
# them, the page still works (the upstream script is served as it is, with a warning in the log),
# and tests/web notices that the terminal is no longer published.
JS_PATCHES = (
    ("fontFamily:\"'Roboto Mono', Monaco, 'Courier New', monospace\"", f'fontFamily:"{FONT_FAMILY}"'),
    ("this.terminal.open(e),",
     "this.terminal.open(e),(window.servicetuiTerminals=window.servicetuiTerminals||[]).push(this.terminal),"),
    # an export (App.deliver_binary) downloads in this tab: upstream opens a new window, which a browser
    # blocks as a pop-up when the export took longer than its few seconds of user activation
    ('window.open(n,"_blank")',
     '(()=>{const a=document.createElement("a");a.href=n;a.download="";document.body.appendChild(a);'
     'a.click();a.remove()})()'),
    # the import modal asks for a file from the officer's computer (web/uploads.py): the page shows its
    # upload dialog for that address instead of opening it
    ('window.open(e,t?"_blank":"_self")',
     f'(e.startsWith("{uploads.SCHEME}")&&window.servicetuiUpload?window.servicetuiUpload('
     f'e.slice({len(uploads.SCHEME)})):window.open(e,t?"_blank":"_self"))'),
)


def patched_textual_js(source: str | None = None) -> tuple[str, list[str]]:
    """textual.js with JS_PATCHES applied; and the patches that did not apply (empty when all did)."""
    text = UPSTREAM_JS.read_text(encoding="utf-8") if source is None else source
    missing = []
    for old, new in JS_PATCHES:
        if text.count(old) != 1:
            missing.append(old)
            continue
        text = text.replace(old, new)
    return text, missing


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(public_url: str) -> str:
    """This server's origin only (and its ws:/wss: twin), nothing outside."""
    origin = origin_of(public_url)
    ws_origin = ("wss:" if origin.startswith("https:") else "ws:") + origin.split(":", 1)[1]
    return "; ".join((
        "default-src 'none'",
        f"script-src 'self' {origin} 'unsafe-inline'",
        f"style-src 'self' {origin} 'unsafe-inline'",
        f"font-src 'self' {origin} data:",
        f"img-src 'self' {origin} data: blob:",
        f"connect-src 'self' {origin} {ws_origin}",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
    ))


HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


class ServiceServer(Server):
    """`Server` with our page, our static files and the patched terminal script.

    Without `public_url`, each page names the origin its browser asked for (Host, and
    X-Forwarded-Proto / X-Forwarded-Host from a reverse proxy), so http://localhost:8000,
    http://127.0.0.1:8000, an ssh tunnel and a proxy all work. With `public_url` (`--public-url`),
    every page names that one.
    """

    def __init__(self, command: str, *, host: str = "127.0.0.1", port: int = 8000, public_url: str | None = None,
                 title: str = "servicetui", lang: str = "zh", banner: str | None = None) -> None:
        # statics_path stays textual-serve's own (xterm.css, the Roboto Mono files, the background);
        # ours are mounted beside it under /servicetui/.
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        super().__init__(command, host=host, port=port, title=title, public_url=self.fixed_public_url,
                         templates_path=TEMPLATES_DIR)
        self.lang = "en" if lang == "en" else "zh"
        self.banner = banner
        self.textual_js, missing = patched_textual_js()
        if missing:
            log.warning("textual-serve's textual.js has changed; served unpatched (missing: %s)", missing)

    def base_url(self, request: web.Request) -> str:
        """scheme://host[:port] the browser reached us by (or the fixed public URL)."""
        if self.fixed_public_url:
            return self.fixed_public_url
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if proto not in ("http", "https"):
            proto = request.scheme
        host = request.headers.get("X-Forwarded-Host", "").split(",")[0].strip() or request.host
        if not HOST_RE.match(host or ""):  # not a host name: never put it into the page
            return self.public_url
        return f"{proto}://{host}"

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        # Registered after textual-serve's routes: "/servicetui/…" is a prefix of none of them.
        app.router.add_get("/servicetui/textual.js", self.handle_textual_js, name="servicetui-js")
        app.router.add_post("/servicetui/upload/{token}", self.handle_upload, name="servicetui-upload")
        app.router.add_static("/servicetui", STATIC_DIR, name="servicetui-static")
        app.on_response_prepare.append(self._add_headers)
        # the sessions (started later, with this environment) make their upload boxes in here
        self.upload_root = Path(tempfile.mkdtemp(prefix="servicetui-uploads-"))
        os.environ[uploads.ENV] = str(self.upload_root)
        app.on_cleanup.append(self._remove_uploads)
        return app

    async def _remove_uploads(self, _app: web.Application) -> None:
        shutil.rmtree(self.upload_root, ignore_errors=True)

    async def handle_upload(self, request: web.Request) -> web.Response:
        """A file from the officer's computer into an upload box a session made (web/uploads.py):
        JSON {"ok", "name", "bytes"} or {"ok": false, "message"} with the refusal's status."""
        try:
            name, size = await self._receive(request)
        except uploads.UploadError as exc:
            return web.json_response({"ok": False, "message": exc.en if self.lang == "en" else exc.zh},
                                     status=exc.status)
        return web.json_response({"ok": True, "name": name, "bytes": size})

    async def _receive(self, request: web.Request) -> tuple[str, int]:
        box = uploads.box_for(self.upload_root, request.match_info.get("token", ""))
        if any(box.iterdir()):
            raise uploads.UploadError(409, "这里已经上传过文件，请在程序中重新选择“上传”",
                                      "a file was already uploaded here: choose upload again")
        try:
            reader = await request.multipart()
        except (AssertionError, ValueError, KeyError) as exc:  # not multipart/form-data
            raise uploads.UploadError(400, "没有收到文件", "no file received") from exc
        field = await reader.next()
        while field is not None and getattr(field, "name", None) != "file":
            field = await reader.next()
        if field is None or not isinstance(field, BodyPartReader):
            raise uploads.UploadError(400, "没有收到文件", "no file received")
        # a browser sends the name as UTF-8; some clients (aiohttp's) percent-encode it
        name = uploads.checked_name(unquote(field.filename or ""))
        part = box / (name + uploads.PART)
        size = 0
        try:
            with open(part, "wb") as fh:
                while chunk := await field.read_chunk(256 * 1024):
                    size += len(chunk)
                    if size > uploads.MAX_BYTES:
                        raise uploads.UploadError(
                            413, f"文件超过 {uploads.MAX_BYTES // 2**20} MB", f"the file is over {uploads.MAX_BYTES // 2**20} MB")
                    fh.write(chunk)
            if not size:
                raise uploads.UploadError(400, "文件是空的", "the file is empty")
            os.replace(part, box / name)
        finally:
            part.unlink(missing_ok=True)
        return name, size

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """textual-serve's index context, with URLs on `base_url(request)`, plus `local_url`, `lang`."""
        base = self.base_url(request)
        router = request.app.router
        font_size = to_int(request.query.get("fontsize", "16"), 16)
        ws_url = base + str(router["websocket"].url_for())
        ws_url = ("wss:" if base.startswith("https:") else "ws:") + ws_url.split(":", 1)[1]
        return {
            "font_size": font_size,
            "app_websocket_url": ws_url,
            "config": {"static": {"url": base + str(router["static"].url_for(filename="/")).rstrip("/") + "/"}},
            "application": {"name": self.title},
            "local_url": f"{base}/servicetui/",
            "lang": self.lang,
        }

    async def handle_textual_js(self, request: web.Request) -> web.Response:
        return web.Response(text=self.textual_js, content_type="application/javascript", charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def _add_headers(self, request: web.Request, response: web.StreamResponse) -> None:
        if response.content_type == "text/html":
            response.headers["Content-Security-Policy"] = content_security_policy(self.base_url(request))
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "no-referrer"

    async def on_startup(self, app: web.Application) -> None:
        # textual-serve prints a logo and the whole command line (with the database path); one line
        # is enough for the officer who started it.
        self.console.print(self.banner or f"servicetui: {self.public_url}", highlight=False, markup=False)
