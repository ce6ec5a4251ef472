"""What checking an imported row needs whatever its kind: the row's issues, text cleaning, `_Refs`
and the `_Rows` base (memoised per-value checks, the services' messages); `import_problems.ProblemRows`
and `import_projects.ProjectRows` turn rows into clean inserts.

`problems._check_fields` and `entities._check_project` expect a transaction whose session answers
`get(model, id)` (and, for unique codes, `scalar(query)`). `_Refs` stands in for it, answering
`get` from rows loaded once, so checking 200 000 rows costs no query per row.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any, Callable

from sqlalchemy import select

from servicetui.domain.parsing import ParseError
from servicetui.i18n import label
from servicetui.reports.common import unneutralise
from servicetui.reports.import_read import Header, as_date, clean
from servicetui.services.context import Ctx
from servicetui.services.errors import ValidationError
from servicetui.store.models import Department, Person

Fail = Callable[[int, str, str, str], None]
YES = {"是", "已销号", "y", "yes", "√", "✓", "true", "1"}

# What `validate.Checker.text` refuses, as one character class: the control characters it scans
# for one by one (Unicode categories Cc and Cs, U+2028, U+2029, U+FEFF; a multi-line text may
# hold tabs and newlines) and its text-direction controls (`validate._BIDI`).
_REFUSED = "\x7f-\x9f\ud800-\udfff\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_REFUSED_LINE = re.compile(f"[\x00-\x1f{_REFUSED}]")
_REFUSED_MULTILINE = re.compile(f"[\x00-\x08\x0b-\x1f{_REFUSED}]")
_BAD = object()  # a memoised "not for the fast path"
_MISS = object()
_BY_NAME = object()  # an empty 项目编号: the project is found by its name
MEMO_MAX = 50_000  # entries per memo (a hostile file cannot grow it further)


def _plain(key: Any) -> bool:
    """A memo key made of text cells and empty ones only."""
    if type(key) is tuple:  # noqa: E721
        return all(x is None or type(x) is str for x in key)  # noqa: E721
    return key is None or type(key) is str  # noqa: E721


@dataclass
class Issue:
    row: int
    column: str
    zh: str
    en: str

    def message(self, lang: str = "zh") -> str:
        if lang == "en":
            return f"row {self.row}{' column ' + self.column if self.column else ''}: {self.en}"
        return f"第 {self.row} 行{'「' + self.column + '」' if self.column else ''}：{self.zh}"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return nfc(str(value))


def _text(raw: Any) -> str:
    """= text(clean(raw)): a cell as clean text ("" when empty)."""
    if type(raw) is str:  # noqa: E721
        s = raw.strip()
        if s[:1] == "'":
            s = unneutralise(s)
        return unicodedata.normalize("NFC", s).strip() if s else ""
    return text(clean(raw))


class _Refs:
    """Stands in for `tx.session` in the services' checks: `get` from preloaded rows."""

    def __init__(self, conn, archived: dict[type, dict[int, bool]]):
        self.conn, self.archived = conn, archived

    def get(self, model, entity_id, **_):
        table = self.archived.get(model)
        if table is None:
            table = self.archived[model] = dict(self.conn.execute(select(model.id, model.archived)).all())
        if entity_id not in table:
            return None
        return SimpleNamespace(id=entity_id, archived=table[entity_id])

    def scalar(self, query):
        return self.conn.scalar(query)


class _Rows:
    model: type
    entity: str
    summary: str
    FIELD_SOURCE: dict[str, str] = {}

    def __init__(self, ctx: Ctx, conn, header: Header):
        self.ctx, self.conn, self.header = ctx, conn, header
        self.people: dict[str, list[int]] = {}
        self.depts: dict[str, int] = {}
        archived: dict[type, dict[int, bool]] = {}
        for model in (Person, Department):
            archived[model] = {}
        for pid, name, arch in conn.execute(select(Person.id, Person.name, Person.archived)):
            archived[Person][pid] = arch
            if not arch:
                self.people.setdefault(nfc(name), []).append(pid)
        for did, name, short, arch in conn.execute(
                select(Department.id, Department.name, Department.short_name, Department.archived)):
            archived[Department][did] = arch
            if not arch:
                self.depts[nfc(name)] = did
                if short:
                    self.depts.setdefault(nfc(short), did)
        self.refs = _Refs(conn, archived)
        self.tx = SimpleNamespace(session=self.refs, ctx=ctx)

    def col(self, field: str) -> str:
        return self.header.labels.get(field) or label(field)

    def get(self, cells: list[Any], field: str) -> Any:
        i = self.header.columns.get(field)
        return clean(cells[i]) if i is not None and i < len(cells) else None

    def person(self, n, cells, field, fail) -> int | None:
        name = text(self.get(cells, field))
        if not name:
            return None
        ids = self.people.get(name, [])
        if len(ids) == 1:
            return ids[0]
        if not ids:
            fail(n, self.col(field), f"人员「{name}」不存在", f"no person named '{name}'")
        else:
            fail(n, self.col(field), f"有多位人员名为「{name}」，无法确定", f"several people are named '{name}'")
        return None

    def department(self, n, cells, field, fail) -> int | None:
        name = text(self.get(cells, field))
        if not name:
            return None
        did = self.depts.get(name)
        if did is None:
            fail(n, self.col(field), f"责任单位「{name}」不存在（请先在系统中添加）",
                 f"no department named '{name}' (add it first)")
        return did

    def date(self, n, cells, field, fail) -> date | None:
        value = self.get(cells, field)
        if value is None or value == "":
            return None
        try:
            return as_date(value, self.ctx.today)
        except ParseError as exc:
            fail(n, self.col(field), exc.zh, exc.en)
            return None

    def report(self, n: int, exc: ValidationError, fail: Fail, reported: set[str]) -> None:
        for f, (zh, en) in exc.errors.items():
            source = self.FIELD_SOURCE.get(f, f)
            if source not in reported:
                fail(n, self.col(source), zh, en)
