"""An import in the browser: the file comes from the officer's computer into an upload box that a
session made (servicetui.tui.web.uploads), through the server's /servicetui/upload/<token>."""

from __future__ import annotations

import os

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient, TestServer

from servicetui.tui.web import server as web_server
from servicetui.tui.web import uploads


@pytest.fixture
async def client(monkeypatch):
    monkeypatch.delenv(uploads.ENV, raising=False)
    clients = []

    async def _start(lang: str = "zh"):
        srv = web_server.ServiceServer("true", host="127.0.0.1", port=8123, lang=lang)
        c = TestClient(TestServer(await srv._make_app()))
        await c.start_server()
        clients.append(c)
        return srv, c

    yield _start
    for c in clients:
        await c.close()


def _form(name: str, data: bytes, quoted: bool = False) -> FormData:
    """A form as a browser sends it (the file name as UTF-8), or percent-encoded as aiohttp's client does."""
    form = FormData(quote_fields=quoted)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


async def test_a_file_goes_into_the_sessions_box_once(client):
    srv, c = await client()
    assert os.environ[uploads.ENV] == str(srv.upload_root), "sessions find the upload folder in their environment"
    token, box = uploads.new_box(srv.upload_root)
    assert uploads.uploaded(box) is None
    resp = await c.post(f"/servicetui/upload/{token}", data=_form("县重点项目台账.xlsx", b"PK\x03\x04 ledger"))
    assert resp.status == 200 and await resp.json() == {"ok": True, "name": "县重点项目台账.xlsx", "bytes": 11}
    assert uploads.uploaded(box) == box / "县重点项目台账.xlsx"
    assert (box / "县重点项目台账.xlsx").read_bytes() == b"PK\x03\x04 ledger"
    again = await c.post(f"/servicetui/upload/{token}", data=_form("other.csv", b"a,b\n"))
    assert again.status == 409 and "重新选择" in (await again.json())["message"]
    assert [p.name for p in box.iterdir()] == ["县重点项目台账.xlsx"]


async def test_only_a_box_a_session_made_takes_a_file(client):
    srv, c = await client()
    missing = "0" * 32
    resp = await c.post(f"/servicetui/upload/{missing}", data=_form("a.csv", b"x"))
    assert resp.status == 404 and (await resp.json())["ok"] is False
    resp = await c.post("/servicetui/upload/not-a-token", data=_form("a.csv", b"x"))
    assert resp.status == 404
    assert list(srv.upload_root.iterdir()) == []


async def test_a_file_name_cannot_leave_its_box(client):
    srv, c = await client()
    token, box = uploads.new_box(srv.upload_root)
    resp = await c.post(f"/servicetui/upload/{token}", data=_form("../../etc/问题.CSV", b"a,b\r\n", quoted=True))
    assert resp.status == 200 and (await resp.json())["name"] == "问题.csv"
    assert [p.name for p in box.iterdir()] == ["问题.csv"]
    assert sorted(p.name for p in srv.upload_root.iterdir()) == [token]


@pytest.mark.parametrize("name,data,status,why", [
    ("程序.exe", b"MZ", 415, "只能上传 xlsx 或 csv 文件：程序.exe"),
    ("台账", b"x", 415, "只能上传 xlsx 或 csv 文件"),
    ("空.csv", b"", 400, "文件是空的"),
])
async def test_a_refused_file_leaves_nothing_and_says_why(client, name, data, status, why):
    srv, c = await client()
    token, box = uploads.new_box(srv.upload_root)
    resp = await c.post(f"/servicetui/upload/{token}", data=_form(name, data))
    body = await resp.json()
    assert resp.status == status and body["ok"] is False and why in body["message"]
    assert list(box.iterdir()) == [], "nothing kept, no .part left"


async def test_a_file_over_the_limit_is_refused_midway(client, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_BYTES", 1000)
    srv, c = await client(lang="en")
    token, box = uploads.new_box(srv.upload_root)
    resp = await c.post(f"/servicetui/upload/{token}", data=_form("big.csv", b"x" * 5000))
    assert resp.status == 413 and (await resp.json())["message"].startswith("the file is over")
    assert list(box.iterdir()) == []


async def test_a_post_without_a_file_is_refused(client):
    srv, c = await client()
    token, box = uploads.new_box(srv.upload_root)
    resp = await c.post(f"/servicetui/upload/{token}", data=b"just bytes", headers={"Content-Type": "text/plain"})
    assert resp.status == 400 and "没有收到文件" in (await resp.json())["message"]
    form = FormData()
    form.add_field("other", "value")
    resp = await c.post(f"/servicetui/upload/{token}", data=form)
    assert resp.status == 400


async def test_the_page_carries_the_upload_dialog_and_the_script_opens_it(client):
    srv, c = await client()
    html = await (await c.get("/")).text()
    assert 'id="servicetui-upload"' in html and 'accept=".xlsx,.csv"' in html
    assert "window.servicetuiUpload = function" in html and "上传要导入的文件" in html
    js = await (await c.get("/servicetui/textual.js")).text()
    assert f'e.startsWith("{uploads.SCHEME}")&&window.servicetuiUpload' in js


async def test_the_upload_folder_goes_with_the_server(monkeypatch):
    monkeypatch.delenv(uploads.ENV, raising=False)
    srv = web_server.ServiceServer("true", host="127.0.0.1", port=8123)
    c = TestClient(TestServer(await srv._make_app()))
    await c.start_server()
    uploads.new_box(srv.upload_root)
    await c.close()
    assert not srv.upload_root.exists()


def test_the_box_name_and_file_name_rules():
    assert uploads.checked_name("C:\\Users\\李明\\台账.XLSX") == "台账.xlsx"
    assert uploads.checked_name("a/b/c.csv") == "c.csv"
    with pytest.raises(uploads.UploadError):
        uploads.checked_name("evil.xlsx.exe")
    assert uploads.TOKEN.fullmatch("0123456789abcdef" * 2) and not uploads.TOKEN.fullmatch("../x")
