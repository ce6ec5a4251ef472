"""`servicetui serve`: the same app in a browser, for officers without a terminal.

    servicetui serve [--db DB] [--host 127.0.0.1] [--port 8000] [--user NAME | --login]
                     [--public-url https://…] [--public]

textual-serve runs one app process per browser tab: `python -m servicetui --db … --lang … --user …`
(or, with --login, `python -m servicetui.cli.login_session --db … --lang …`, which asks who is there first),
on the same database and settings as the terminal app. It listens on loopback unless --public says
otherwise; in a county it belongs behind the reverse proxy that terminates TLS (see README).
Everything the page loads comes from this server (servicetui.tui.web.server).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import shlex
import socket
import subprocess
import sys
from datetime import date

import click

from servicetui.cli.main import CliState, UserError, cli, one_line, service_errors

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def resolve_host(host: str, port: int) -> list[tuple[int, tuple]]:
    """(family, sockaddr) for each address `host` stands for, without duplicates."""
    try:
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UserError(f"无法解析主机名 {host}：{exc.strerror or exc}",
                        f"cannot resolve host {host}: {exc.strerror or exc}") from exc
    seen, out = set(), []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        key = (family, sockaddr[0])
        if key not in seen:
            seen.add(key)
            out.append((family, sockaddr))
    if not out:
        raise UserError(f"无法解析主机名 {host}", f"cannot resolve host {host}")
    return out


def is_loopback(addresses: list[tuple[int, tuple]]) -> bool:
    """Every address is a loopback one (127.0.0.0/8, ::1)."""
    for _family, sockaddr in addresses:
        try:
            if not ipaddress.ip_address(sockaddr[0].split("%", 1)[0]).is_loopback:
                return False
        except ValueError:
            return False
    return True


def check_port(host: str, port: int, addresses: list[tuple[int, tuple]]) -> None:
    """Bind (and release) the port on every address the server will listen on; a clear UserError
    when something already listens there. SO_REUSEADDR as aiohttp uses it, so a port left in
    TIME_WAIT by the previous run is not reported as taken."""
    bound = 0
    for family, sockaddr in addresses:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            if os.name == "posix":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind(sockaddr)
                sock.listen(1)
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                    raise UserError(
                        f"端口 {port} 已被占用（{host}）：请换一个端口，例如 --port {port + 1}",
                        f"port {port} is already in use on {host}: choose another one, e.g. --port {port + 1}",
                    ) from exc
                if exc.errno == errno.EADDRNOTAVAIL and family == socket.AF_INET6:
                    continue  # IPv6 switched off on this machine: asyncio skips it too
                if exc.errno == errno.EACCES:
                    raise UserError(
                        f"无权使用端口 {port}：1024 以下的端口需要管理员权限，请用 --port 8000 并由反向代理对外提供",
                        f"not allowed to listen on port {port}: ports below 1024 need privileges; "
                        "use --port 8000 behind the reverse proxy",
                    ) from exc
                reason = exc.strerror or one_line(exc)
                raise UserError(f"无法在 {host}:{port} 上监听：{reason}",
                                f"cannot listen on {host}:{port}: {reason}") from exc
            bound += 1
    if not bound:
        raise UserError(f"无法在 {host}:{port} 上监听：本机没有这个地址",
                        f"cannot listen on {host}:{port}: no such address on this machine")


def default_public_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return f"http://{shown}" if port == 80 else f"http://{shown}:{port}"


def app_argv(*, db: str | None, lang: str, user: str | None = None, login: bool = False,
             today: date | None = None, python: str | None = None) -> list[str]:
    """The command line of one browser session's app process."""
    argv = [python or sys.executable, "-m", "servicetui.cli.login_session" if login else "servicetui"]
    if db:
        argv += ["--db", db]
    argv += ["--lang", lang]
    if user and not login:
        argv += ["--user", user]
    if today is not None:
        argv += ["--today", today.isoformat()]
    return argv


def command_line(argv: list[str]) -> str:
    """One string for textual-serve, which runs it through the shell (/bin/sh; cmd.exe on Windows)."""
    return shlex.join(argv) if os.name == "posix" else subprocess.list2cmdline(argv)


def database_for_sessions(db: str | None) -> tuple[str | None, dict[str, str]]:
    """What to pass to each session: (--db value, extra environment). A SQLite file is passed as an
    absolute path; a URL with a password goes through SERVICETUI_DB instead, so it does not show in
    every user's `ps` listing."""
    from sqlalchemy.engine import make_url

    from servicetui.store.db import resolve_url, sqlite_path

    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        return str(path), {}
    if make_url(url).password:
        return None, {"SERVICETUI_DB": url}
    return url, {}


@cli.command("serve")
@click.option("--db", "db_opt", default=None, metavar="DB",
              help="数据库（同全局 --db）/ database (same as the global --db).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="监听地址；非本机地址须加 --public / address to listen on; a non-loopback one needs --public.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="端口 / port.")
@click.option("--user", "user_opt", default=None, metavar="NAME",
              help="每个网页会话都以此用户身份打开 / every browser session runs as this user.")
@click.option("--login", is_flag=True,
              help="每个网页会话先询问用户名 / each browser session asks who is there first.")
@click.option("--lang", "lang_opt", type=click.Choice(["zh", "en"]), default=None,
              help="界面语言（同全局 --lang）/ interface language.")
@click.option("--public-url", "public_url", default=None, metavar="URL",
              help="固定页面中的地址，如 https://fwg.example.gov.cn（默认取浏览器访问的地址；反向代理须转发 Host 与 "
                   "X-Forwarded-Proto）/ pin the URL the page uses (default: the one the browser asked for; a "
                   "reverse proxy passes Host and X-Forwarded-Proto).")
@click.option("--public", is_flag=True,
              help="允许监听非本机地址（不建议：请用反向代理）/ allow a non-loopback --host (not advised).")
@click.pass_obj
@service_errors
def serve(state: CliState, db_opt: str | None, host: str, port: int, user_opt: str | None, login: bool,
          lang_opt: str | None, public_url: str | None, public: bool) -> None:
    """在浏览器中使用（textual-serve）/ serve the app in a browser (textual-serve)."""
    if db_opt:
        state.db = db_opt
    if lang_opt:
        state.lang = lang_opt
    user = user_opt or (None if login else state.user)
    if user_opt and login:
        raise UserError("--user 与 --login 只能选一个", "--user and --login cannot be used together")
    if public_url is not None:
        if not public_url.startswith(("http://", "https://")):
            raise UserError(f"--public-url 须以 http:// 或 https:// 开头：{public_url}",
                            f"--public-url must start with http:// or https://: {public_url}")
        public_url = public_url.rstrip("/")

    addresses = resolve_host(host, port)
    if not is_loopback(addresses):
        if not public:
            raise UserError(
                f"--host {host} 不是本机回环地址：网页版默认只在本机提供（放在反向代理之后）；确需直接对外，请加 --public",
                f"--host {host} is not a loopback address: serve on 127.0.0.1 behind the reverse proxy, "
                "or add --public to listen on the network anyway",
            )
        click.echo(state.msg(
            f"servicetui: 警告：在 {host} 上直接对外提供，没有 TLS，也没有登录验证；请尽量放在反向代理之后",
            f"servicetui: warning: listening on {host} for the network, without TLS or authentication; "
            "prefer a reverse proxy",
        ), err=True)
    check_port(host, port, addresses)

    explicit_today = state.today  # --today given on the command line; otherwise each session reads the pin
    engine = state.ready_engine()
    try:
        from servicetui.tui.web.login import find_person

        if user and find_person(engine, user) is None:
            click.echo(state.msg(
                f"servicetui: 警告：数据库中没有“{user}”这个人，网页会话将以未登记的用户身份打开",
                f"servicetui: warning: no person “{user}” in the database; sessions open as an unregistered user",
            ), err=True)
    finally:
        engine.dispose()

    db_arg, env = database_for_sessions(state.db)
    os.environ.update(env)  # textual-serve hands its environment to every session
    command = command_line(app_argv(db=db_arg, lang=state.lang, user=user, login=login, today=explicit_today))
    url = public_url or default_public_url(socket.gethostname() if host in ("0.0.0.0", "::", "") else host, port)
    who = state.msg("每个会话先登录", "each session logs in") if login else (
        state.msg(f"用户 {user}", f"user {user}") if user else state.msg("本机用户", "the OS user"))
    banner = state.msg(f"servicetui 网页版：{url}（{who}；Ctrl+C 停止）",
                       f"servicetui in a browser: {url} ({who}; Ctrl+C to stop)")

    from servicetui.tui.web.server import ServiceServer

    title = state.msg("servicetui 首席服务官工作台", "servicetui — chief service officer desk")
    server = ServiceServer(command, host=host, port=port, public_url=public_url, title=title, lang=state.lang,
                           banner=banner)
    try:
        server.serve()
    except OSError as exc:  # lost the port between the check and the bind
        reason = exc.strerror or one_line(exc)
        raise UserError(f"无法在 {host}:{port} 上监听：{reason}", f"cannot listen on {host}:{port}: {reason}") from exc


if __name__ == "__main__":  # `python -m servicetui.cli.serve serve …` until cli/main.py imports this module
    from servicetui.cli.main import main

    main()
