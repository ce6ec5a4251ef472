"""Shared pieces of every report: safe files, the formula guard (from `formula`), money and percent display.

Money is integer 万元; 亿元 is shown as a Decimal with two places (never float).
"""

from __future__ import annotations

import gc
import os
import re
import shutil
import tempfile
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Callable, Iterator

from servicetui.reports.formula import FORMULA_TRIGGERS, neutralise, unneutralise  # noqa: F401  (the writers' guard)
from servicetui.services.errors import ServiceError

Progress = Callable[[int, int], None] | None


class ReportError(ServiceError):
    """A report or import that cannot be done; one clear bilingual message."""


@dataclass
class WriteResult:
    """What a writer made: the file(s) and how many data rows went in."""

    paths: list[Path] = field(default_factory=list)
    rows: int = 0

    @property
    def path(self) -> Path | None:
        return self.paths[0] if self.paths else None


# -- files --------------------------------------------------------------------------------------
@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off for a bulk import or export: they allocate millions of
    short-lived tuples and bytes (each allocation burst triggers a pass over every live object) and
    make no cycles worth collecting. Back on afterwards if it was on."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def check_target(path: str | os.PathLike) -> Path:
    """Refuse early, with one clear message, a path that cannot be written."""
    p = Path(path).expanduser()
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise ReportError(f"无法写入 {p}：目录 {parent} 不存在", f"cannot write {p}: directory {parent} does not exist")
    if not parent.is_dir():
        raise ReportError(f"无法写入 {p}：{parent} 不是目录", f"cannot write {p}: {parent} is not a directory")
    if p.is_dir():
        raise ReportError(f"无法写入 {p}：这是一个目录", f"cannot write {p}: it is a directory")
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise ReportError(f"无法写入 {p}：没有写权限", f"cannot write {p}: permission denied")
    return p


@contextmanager
def atomic_target(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a new path beside `path` (its name, in a private hidden directory); on success the file
    written there replaces `path`, on error it is removed.

    A failed or interrupted export never leaves a half-written file under the real name. The writer
    creates the file: an empty one opened again with truncation would, on ext4, make its close start
    writing the whole file to disk (the safeguard for files rewritten in place): 20–45 ms for a 50 MB csv.
    """
    target = check_target(path)
    prefix = f".{target.name}."
    sweep_stale_parts(target.parent, prefix, ".part")
    box = Path(tempfile.mkdtemp(prefix=prefix, suffix=".part", dir=target.parent))
    tmp_path = box / target.name
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except OSError as exc:
        raise ReportError(f"无法写入 {target}：{exc.strerror or exc}", f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(box, ignore_errors=True)


STALE_PART_S = 3600  # a private directory of an export this old was left by a process that was killed


def sweep_stale_parts(directory: Path, prefix: str, suffix: str = "") -> None:
    """Remove the private directories (`tempfile.mkdtemp(prefix=prefix, suffix=suffix)`: eight random
    characters between them) that an export killed on its way left in `directory` more than
    STALE_PART_S ago; a newer one may be another export's, still running."""
    shape = re.compile(re.escape(prefix) + "[a-z0-9_]{8}" + re.escape(suffix))
    old = time.time() - STALE_PART_S
    try:
        with os.scandir(directory) as entries:
            stale = [e.path for e in entries if shape.fullmatch(e.name) and e.is_dir(follow_symlinks=False)
                     and e.stat(follow_symlinks=False).st_mtime < old]
    except OSError:
        return
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


def check_source(path: str | os.PathLike) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise ReportError(f"找不到文件：{p}", f"file not found: {p}")
    if p.is_dir():
        raise ReportError(f"{p} 是目录，不是文件", f"{p} is a directory, not a file")
    if not os.access(p, os.R_OK):
        raise ReportError(f"无法读取 {p}：没有读权限", f"cannot read {p}: permission denied")
    return p


_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def safe_filename(name: str, fallback: str = "未命名") -> str:
    """A file name from a department name: no path separators, control or reserved characters."""
    s = unicodedata.normalize("NFC", name or "")
    s = _UNSAFE_NAME.sub("_", s).strip(" ._")
    s = s[:80]
    if not s or s.upper() in {"CON", "PRN", "AUX", "NUL"} or re.fullmatch(r"(?i)(COM|LPT)[0-9]", s):
        s = fallback
    return s


# -- display ------------------------------------------------------------------------------------
def yi(wan: int) -> Decimal:
    """万元 → 亿元 with two places, half up."""
    return (Decimal(wan) / Decimal(10000)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yi_text(wan: int) -> str:
    return f"{yi(wan)}"


def percent(num: int, den: int, places: int = 1) -> Decimal | None:
    """num/den in percent, half up; None when den is 0."""
    if not den:
        return None
    q = Decimal(1).scaleb(-places) if places else Decimal(1)
    return (Decimal(num) * 100 / Decimal(den)).quantize(q, rounding=ROUND_HALF_UP)


def pct_text(value: Decimal | None, dash: str = "—") -> str:
    """"33.3%"; a whole number drops the ".0" ("50%")."""
    if value is None:
        return dash
    text = f"{value}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def zh_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""
