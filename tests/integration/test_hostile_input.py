"""Hostile input: every nasty value gets a clear bilingual message (or, when it is legitimate text,
is stored verbatim and read back unchanged), never a crash, and a refusal writes nothing."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from servicetui.domain.parsing import ParseError, parse_date, parse_money, parse_money_wan_int
from servicetui.services import entities, problems
from servicetui.services.errors import ServiceError, ValidationError
from servicetui.store.models import AuditEntry, Problem, Project

TODAY = date(2022, 10, 5)


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.scalar(select(func.count()).select_from(Problem)),
            conn.scalar(select(func.count()).select_from(Project)),
            conn.scalar(select(func.count()).select_from(AuditEntry)),
        )


BAD_TITLES = [
    ("empty", ""),
    ("blank", "   "),
    ("ideographic blank", "\u3000\u3000"),
    ("nul", "\x00"),
    ("nul inside", "钢柱\x00加工"),
    ("escape sequence", "\x1b[31m红色\x1b[0m"),
    ("bell", "问题\x07"),
    ("backspace", "问题\x08\x08"),
    ("carriage return", "问题\r覆盖"),
    ("newline in a one-line title", "第一行\n第二行"),
    ("vertical tab", "a\x0bb"),
    ("form feed", "a\x0cb"),
    ("delete char", "a\x7fb"),
    ("C1 control", "a\x85b"),
    ("bidi override", "\u202e项目名称"),
    ("bidi embedding", "\u202a嵌入"),
    ("bidi isolate", "\u2066隔离\u2069"),
    ("left-to-right mark", "\u200e标记"),
    ("right-to-left mark", "标记\u200f"),
    ("arabic letter mark", "\u061c标记"),
    ("line separator", "a\u2028b"),
    ("paragraph separator", "a\u2029b"),
    ("byte order mark", "\ufeff问题"),
    ("501 characters", "问" * 501),
    ("100k characters", "长" * 100_000),
    ("lone surrogate", "a\ud800b"),
]


@pytest.mark.parametrize("value", [v for _, v in BAD_TITLES], ids=[n for n, _ in BAD_TITLES])
def test_bad_problem_title_is_refused_with_a_message_and_nothing_written(world, make_ctx, engine, value):
    before = _counts(engine)
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(make_ctx(), project_id=world.project, title=value, department_id=world.dept)
    assert "title" in exc.value.errors
    zh, en = exc.value.errors["title"]
    assert zh and en and "标题" in zh and "Title" in en
    assert _counts(engine) == before


LEGIT_NASTY = [
    ("sql drop", "'; DROP TABLE problem; --"),
    ("sql or", "' OR 1=1 --"),
    ("sql union", "x UNION SELECT * FROM auditentry"),
    ("formula hyperlink", '=HYPERLINK("http://evil.example","点我")'),
    ("formula plus", "+cmd|' /C calc'!A0"),
    ("formula minus", "-2+3"),
    ("formula at", "@SUM(A1:A9)"),
    ("html", "<script>alert(1)</script>"),
    ("rich markup", "[bold red]不是标记[/]"),
    ("format string", "%s %d {0} {title}"),
    ("backslashes", "C:\\temp\\n\\x00"),
    ("quotes", "\"双引号\" '单引号' 「引号」"),
    ("emoji", "钢柱 🏗️ 延迟 👷"),
    ("arabic", "مشروع صناعي"),
    ("combining marks", "e\u0301\u0301\u0301"),
    ("null word", "NULL"),
    ("none word", "None"),
    ("full width", "ＡＢＣ１２３"),
    ("tab inside", "a\tb"),
    ("exactly 500", "问" * 500),
]


@pytest.mark.parametrize("value", [v for _, v in LEGIT_NASTY], ids=[n for n, _ in LEGIT_NASTY])
def test_nasty_but_legitimate_title_is_stored_verbatim(world, make_ctx, engine, value):
    if "\t" in value:  # a tab is a control character in a one-line field: refused, not stored
        with pytest.raises(ValidationError):
            problems.create_problem(make_ctx(), project_id=world.project, title=value)
        return
    pid = problems.create_problem(make_ctx(), project_id=world.project, title=value)
    with engine.connect() as conn:
        assert conn.scalar(select(Problem.title).where(Problem.id == pid)) == unicodedata.normalize("NFC", value).strip()
        assert conn.scalar(select(func.count()).select_from(Problem)) == 1  # the table is still there


BAD_PROJECT_FIELDS = [
    ("agreed_investment", -1),
    ("agreed_investment", 10**12),
    ("agreed_investment", 10_000_001),
    ("agreed_investment", 1.5),
    ("agreed_investment", "100"),
    ("agreed_investment", True),
    ("annual_plan", -100),
    ("annual_plan", float("nan")),
    ("annual_plan", float("inf")),
    ("signed_on", date(1900, 1, 1)),
    ("signed_on", date(2200, 1, 1)),
    ("signed_on", "2022-02-30"),
    ("signed_on", "not a date"),
    ("signed_on", 20221014),
    ("stage", "已完工"),
    ("stage", ""),
    ("kind", "新建"),
    ("park_id", 999_999),
    ("park_id", -1),
    ("park_id", "1"),
    ("leader_id", 424242),
    ("officer_id", True),
    ("lead_department_id", 3.0),
    ("code", "x" * 31),
    ("name", ""),
    ("name", "\x00"),
    ("company", "\u202e公司"),
    ("notes", "\x1b]0;title\x07"),
]


@pytest.mark.parametrize("field,value", BAD_PROJECT_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in BAD_PROJECT_FIELDS])
def test_bad_project_field_is_refused_next_to_its_field(world, make_ctx, engine, field, value):
    before = _counts(engine)
    data = {"name": "新项目", field: value}
    with pytest.raises(ValidationError) as exc:
        entities.create_project(make_ctx("admin"), **data)
    assert field in exc.value.errors
    assert _counts(engine) == before


BAD_PROBLEM_FIELDS = [
    ("due", date(1800, 1, 1)),
    ("due", "2022-13-01"),
    ("due", 5),
    ("raised_on", "yesterday"),
    ("department_id", 999_999),
    ("department_id", "供电公司"),
    ("owner_id", 12345),
    ("category", "DROP TABLE"),
    ("kind", "任务'"),
    ("co_departments", "配" * 501),
    ("detail", "详情\x00"),
    ("detail", "x" * 20_001),
    ("project_id", 987_654),
]


@pytest.mark.parametrize("field,value", BAD_PROBLEM_FIELDS, ids=[f"{f}={v!r}"[:40] for f, v in BAD_PROBLEM_FIELDS])
def test_bad_problem_field_is_refused_and_nothing_written(world, make_ctx, engine, field, value):
    before = _counts(engine)
    data = {"project_id": world.project, "title": "正常标题", field: value}
    with pytest.raises(ValidationError) as exc:
        problems.create_problem(make_ctx(), **data)
    assert field in exc.value.errors
    assert _counts(engine) == before


BAD_DATES = [
    "2022-02-30", "2022-13-01", "2021-02-29", "0000-00-00", "9999-12-31", "1e20", "", "   ", "NaN",
    "2022-10-14; DROP TABLE problem", "\x00", "2022年2月30日", "13月1日", "32号", "下下下下周五", "+99999d",
    "=HYPERLINK(1)", "10/11/2022", "2022年10月", "昨天的明天的后天吧",
]


@pytest.mark.parametrize("text", BAD_DATES)
def test_bad_date_text_gives_a_bilingual_parse_error(text):
    with pytest.raises(ParseError) as exc:
        parse_date(text, TODAY)
    assert exc.value.zh and exc.value.en


BAD_MONEY = [
    "1e20亿", "-5万", "NaN", "inf", "1亿亿", "99999999999999999999", "", "万", "1.23456万", "1,2,3万",
    "三千万", "0x10", "1/2亿", "=1+1", "1000000000万",
]


@pytest.mark.parametrize("text", BAD_MONEY)
def test_bad_money_text_gives_a_bilingual_parse_error(text):
    with pytest.raises(ParseError) as exc:
        parse_money(text)
    assert exc.value.zh and exc.value.en


def test_fractional_wan_is_refused_where_whole_wan_are_stored():
    with pytest.raises(ParseError):
        parse_money_wan_int("1,200.5万")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_title_either_stores_verbatim_or_raises_a_validation_error(tmp_path_factory, text):
    """Property: whatever is typed, the service either stores it (stripped) or refuses cleanly."""
    engine, project = _shared_project(tmp_path_factory)
    from servicetui.services.context import Ctx

    ctx = Ctx(engine, actor="fuzz", today=TODAY)
    try:
        pid = problems.create_problem(ctx, project_id=project, title=text)
    except ServiceError as exc:
        assert exc.zh and exc.en
        return
    with engine.connect() as conn:
        stored = conn.scalar(select(Problem.title).where(Problem.id == pid))
    assert stored == unicodedata.normalize("NFC", text).strip()


_SHARED: dict = {}


def _shared_project(tmp_path_factory):
    if "engine" not in _SHARED:
        from servicetui.services.context import Ctx
        from servicetui.store import migrate
        from servicetui.store.db import make_engine

        engine = make_engine(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
        migrate.upgrade(engine)
        _SHARED["engine"] = engine
        _SHARED["project"] = entities.create_project(Ctx(engine, actor="fuzz", today=TODAY), name="模糊测试项目")
    return _SHARED["engine"], _SHARED["project"]
