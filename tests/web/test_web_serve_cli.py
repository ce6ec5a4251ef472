"""`servicetui serve` without a browser: refusals (port taken, non-local host), the session command
line, and the page the server hands out (every URL on this server, a Content-Security-Policy)."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
from datetime import date


import servicetui.cli.serve as serve_mod  # registers `serve` until cli/main.py imports it
from servicetui.tui.web import server as web_server


def run_serve(serve_argv, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(serve_argv(*args), capture_output=True, text=True, timeout=timeout)


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("servicetui: "), lines[0]
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_serve_on_a_taken_port_exits_2_with_one_line(serve_argv, web_demo_db):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_serve(serve_argv, "--db", str(web_demo_db), "--port", str(port))
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    line = one_line_error(proc)
    assert str(port) in line and "占用" in line
    assert proc.stdout == ""


def test_serve_on_a_taken_port_speaks_english_with_lang_en(serve_argv, web_demo_db):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = run_serve(serve_argv, "--db", str(web_demo_db), "--port", str(port), "--lang", "en")
    assert proc.returncode == 2
    assert "already in use" in one_line_error(proc)


def test_serve_refuses_a_non_local_host_without_public(serve_argv, web_demo_db, free_port):
    proc = run_serve(serve_argv, "--db", str(web_demo_db), "--host", "0.0.0.0", "--port", str(free_port))
    assert proc.returncode == 2
    line = one_line_error(proc)
    assert "0.0.0.0" in line and "--public" in line


def test_serve_refuses_user_and_login_together(serve_argv, web_demo_db, free_port):
    proc = run_serve(serve_argv, "--db", str(web_demo_db), "--port", str(free_port), "--user", "liming", "--login")
    assert proc.returncode == 2
    assert "--login" in one_line_error(proc)


def test_serve_on_a_missing_database_exits_2_with_one_line(serve_argv, tmp_path, free_port):
    proc = run_serve(serve_argv, "--db", str(tmp_path / "nope.db"), "--port", str(free_port))
    assert proc.returncode == 2
    assert "nope.db" in one_line_error(proc)
    assert not (tmp_path / "nope.db").exists()


def test_loopback_addresses_are_local_and_others_are_not():
    assert serve_mod.is_loopback(serve_mod.resolve_host("127.0.0.1", 8000))
    assert serve_mod.is_loopback(serve_mod.resolve_host("localhost", 8000))
    assert not serve_mod.is_loopback(serve_mod.resolve_host("0.0.0.0", 8000))
    assert not serve_mod.is_loopback([(socket.AF_INET, ("192.168.1.10", 8000))])


def test_the_session_command_line_survives_the_shell(tmp_path):
    db = str(tmp_path / "县 数据's.db")
    argv = serve_mod.app_argv(db=db, lang="zh", user="王 'x'", python="/opt/py 3/bin/python")
    assert argv == ["/opt/py 3/bin/python", "-m", "servicetui", "--db", db, "--lang", "zh", "--user", "王 'x'"]
    line = serve_mod.command_line(argv)
    assert shlex.split(line) == argv
    # what textual-serve does with it: /bin/sh -c
    out = subprocess.run(["/bin/sh", "-c", serve_mod.command_line(["printf", "%s\\n", db, "王 'x'"])],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [db, "王 'x'"]


def test_the_login_session_runs_the_login_module_without_a_user():
    argv = serve_mod.app_argv(db="/d.db", lang="en", user="liming", login=True, today=date(2022, 9, 30))
    assert argv[1:] == ["-m", "servicetui.cli.login_session", "--db", "/d.db", "--lang", "en", "--today", "2022-09-30"]
    assert argv[0] == sys.executable


def test_sessions_get_an_absolute_sqlite_path_and_a_password_only_through_the_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db, env = serve_mod.database_for_sessions("rel.db")
    assert db == str(tmp_path / "rel.db") and env == {}
    db, env = serve_mod.database_for_sessions("postgresql://officer:s3cret@db.county/servicetui")
    assert db is None and "s3cret" in env["SERVICETUI_DB"]
    db, env = serve_mod.database_for_sessions("postgresql://officer@db.county/servicetui")
    assert db is not None and db.startswith("postgresql") and env == {}


def test_the_installed_textual_serve_script_takes_both_patches():
    text, missing = web_server.patched_textual_js()
    assert missing == [], "textual-serve's textual.js changed: update servicetui.tui.web.server.JS_PATCHES"
    assert "window.servicetuiTerminals" in text and "Noto Sans Mono CJK SC" in text
    assert "fonts.googleapis.com" not in text


def test_an_unknown_script_is_served_as_it_is():
    text, missing = web_server.patched_textual_js("console.log('other version')")
    assert text == "console.log('other version')" and len(missing) == len(web_server.JS_PATCHES)


async def test_the_page_names_only_this_server_and_forbids_everything_else():
    from aiohttp.test_utils import TestClient, TestServer

    public = "http://127.0.0.1:8123"
    srv = web_server.ServiceServer("true", host="127.0.0.1", port=8123, public_url=public,
                                   title="servicetui 首席服务官工作台")
    client = TestClient(TestServer(await srv._make_app()))
    await client.start_server()
    try:
        resp = await client.get("/")
        assert resp.status == 200
        html = await resp.text()
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "googleapis" not in csp
        assert "googleapis" not in html and "<title>servicetui 首席服务官工作台</title>" in html
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']|url\(["']?([^"')]+)""", html)
        urls = [a or b for a, b in urls] + re.findall(r'data-session-websocket-url="([^"]+)"', html)
        assert urls, html
        for url in urls:
            assert url.startswith((public + "/", "ws://127.0.0.1:8123/")), url
        # every file the page names is there
        for url in urls:
            if url.startswith("http"):
                got = await client.get(url[len(public):])
                assert got.status == 200, url
        js = await client.get("/servicetui/textual.js")
        assert "servicetuiTerminals" in await js.text()
        assert js.headers["Content-Type"].startswith("application/javascript")
    finally:
        await client.close()


async def test_without_a_public_url_the_page_follows_the_origin_the_browser_used():
    from aiohttp.test_utils import TestClient, TestServer

    srv = web_server.ServiceServer("true", host="127.0.0.1", port=8000)
    client = TestClient(TestServer(await srv._make_app()))
    await client.start_server()
    try:
        behind_proxy = {"Host": "fwg.example.gov.cn", "X-Forwarded-Proto": "https"}
        resp = await client.get("/", headers=behind_proxy)
        html = await resp.text()
        assert 'data-session-websocket-url="wss://fwg.example.gov.cn/ws"' in html
        assert 'src="https://fwg.example.gov.cn/servicetui/textual.js"' in html
        assert "wss://fwg.example.gov.cn" in resp.headers["Content-Security-Policy"]
        assert "http://" not in html.replace("http://www.w3.org", "")
        resp = await client.get("/", headers={"Host": "localhost:8000"})
        assert 'data-session-websocket-url="ws://localhost:8000/ws"' in await resp.text()
        # a Host that is not a host name never reaches the page
        resp = await client.get("/", headers={"Host": 'evil"><script>x</script>'})
        html = await resp.text()
        assert "<script>x" not in html and 'data-session-websocket-url="ws://127.0.0.1:8000/ws"' in html
    finally:
        await client.close()


def test_the_public_url_behind_a_proxy_gives_wss_and_https_only():
    csp = web_server.content_security_policy("https://fwg.example.gov.cn")
    assert "wss://fwg.example.gov.cn" in csp and "ws://" not in csp and "http://" not in csp
    assert serve_mod.default_public_url("::1", 8000) == "http://[::1]:8000"
