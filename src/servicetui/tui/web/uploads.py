"""A file from the officer's own computer, for an import in the browser (`servicetui serve`).

A browser cannot hand a file to the app, which runs on the server. So:

1. the import modal makes an *upload box*: a folder named by a random token (128 bits) under the
   server's upload folder (`SERVICETUI_UPLOAD_DIR`, made by the server and handed to every session
   through the environment);
2. it asks the page to let the officer pick a file (`App.open_url("servicetui-upload:<token>")`; the
   page's patched textual.js shows its upload dialog for that address instead of opening it);
3. the page posts the file to `/servicetui/upload/<token>`; the server takes it only into an existing
   box, once, up to MAX_BYTES, as .xlsx or .csv, and writes it under a safe name (`.part` first, then
   renamed, so the modal never sees half a file);
4. the modal, watching its box, puts the file's path into the path field; the import runs as
   always; the box goes when the modal closes.

Nothing here imports Textual or aiohttp: the app and the server share it.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

ENV = "SERVICETUI_UPLOAD_DIR"
SCHEME = "servicetui-upload:"
TOKEN = re.compile(r"[0-9a-f]{32}")
SUFFIXES = (".xlsx", ".csv")
MAX_BYTES = 64 * 2**20  # a county ledger of 200 000 problems is about 36 MB as csv
PART = ".part"


class UploadError(Exception):
    """Why an upload was refused: (zh, en) and an HTTP status."""

    def __init__(self, status: int, zh: str, en: str):
        super().__init__(en)
        self.status, self.zh, self.en = status, zh, en


def upload_root() -> Path | None:
    """The server's upload folder, when this session runs under `servicetui serve`."""
    root = os.environ.get(ENV)
    return Path(root) if root and Path(root).is_dir() else None


def new_box(root: Path) -> tuple[str, Path]:
    """(token, folder) of a new, empty upload box under `root`."""
    token = secrets.token_hex(16)
    box = root / token
    box.mkdir(mode=0o700)
    return token, box


def box_for(root: Path, token: str) -> Path:
    """The existing upload box of `token` (UploadError 404 for anything else)."""
    if not TOKEN.fullmatch(token or ""):
        raise UploadError(404, "没有这个上传位置", "no such upload box")
    box = root / token
    if not box.is_dir():
        raise UploadError(404, "上传位置已失效，请在程序中重新选择“上传”", "the upload box has expired: choose upload again")
    return box


def checked_name(filename: str) -> str:
    """The name the file is kept under: its base name, made safe; .xlsx or .csv only (UploadError 415)."""
    from servicetui.reports.common import safe_filename

    base = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUFFIXES:
        raise UploadError(415, f"只能上传 xlsx 或 csv 文件：{base or '（无文件名）'}",
                          f"only xlsx or csv files can be uploaded: {base or '(no name)'}")
    return safe_filename(stem, "上传") + suffix


def uploaded(box: Path) -> Path | None:
    """The file uploaded into `box`, once it is complete."""
    try:
        done = [p for p in box.iterdir() if p.is_file() and not p.name.endswith(PART)]
    except OSError:
        return None
    return done[0] if done else None


def remove_box(box: Path | None) -> None:
    if box is not None:
        shutil.rmtree(box, ignore_errors=True)
