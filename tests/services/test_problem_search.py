"""The board's search-as-you-type index finds exactly what the SQL text filter finds, in board order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from servicetui.services import queries
from servicetui.services.demo import build_demo
from servicetui.services.queries.search import ProblemSearch

TODAY = date(2022, 9, 30)
TEXTS = ["钢", "钢柱", "钢柱加工", "供电", "思思", "食品", "管委会", "工业园区管委会", "自然资源局", "暖泉",
         "LED", " 供电 ", "无此问题", "%", "_"]


@pytest.fixture(scope="module")
def demo(module_engine):
    build_demo(module_engine)
    return module_engine


def _sql_ids(engine, f, text, sort):
    g = replace(f, text=text)
    return [r.id for r in queries.problem_rows(engine, g, today=TODAY, sort=sort, limit=None, with_note=False)]


@pytest.mark.parametrize("sort", queries.SORTS)
@pytest.mark.parametrize("base", [queries.ProblemFilter(open_only=True), queries.ProblemFilter(),
                                  queries.ProblemFilter(lights=("red", "yellow"))],
                         ids=["open", "all", "red-yellow"])
def test_the_index_finds_the_same_problems_in_the_same_order_as_sql(demo, sort, base):
    index = ProblemSearch(demo, base, today=TODAY, sort=sort)
    for text in TEXTS:
        want = _sql_ids(demo, base, text, sort)
        assert index.ids_for(text) == want, text
        assert index.count(text) == len(want)
        assert [r.id for r in index.rows(text, 0, 3)] == want[:3]


def test_typing_and_deleting_character_by_character_matches_a_fresh_search(demo):
    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    typed = "思思食品"
    steps = [typed[:i] for i in range(1, len(typed) + 1)] + [typed[:i] for i in range(len(typed) - 1, 0, -1)]
    steps += ["钢", "钢柱", "柱", "供电公司", "电", "公", "公司", "公司。", "司"]  # 公, 公司: in most rows
    for text in steps:
        fresh = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
        assert index.ids_for(text) == fresh.ids_for(text), text


def test_percent_and_underscore_match_themselves_not_everything(demo):
    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    assert index.count("%") == 0 and index.count("_") == 0
    assert index.count("") == len(index) > 0


def test_pages_are_windows_of_the_matches_with_the_rows_columns(demo):
    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    ids = index.ids_for("")  # no text: every problem of the filter
    assert len(ids) == len(index) == queries.problem_count(demo, queries.ProblemFilter(), today=TODAY)
    page = index.rows("", 5, 4)
    assert [r.id for r in page] == ids[5:9]
    assert all(r.project_name and r.light for r in page)
    assert index.rows("", len(ids), 10) == []


def test_upper_and_lower_case_find_the_same_rows(demo):
    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    assert index.ids_for("led") == index.ids_for("LED") != []
    # the SQL filter too, on SQLite and PostgreSQL (whose LIKE alone is case-sensitive)
    assert _sql_ids(demo, queries.ProblemFilter(), "led", "urgency") == index.ids_for("led")
    assert _sql_ids(demo, queries.ProblemFilter(), "LED", "urgency") == index.ids_for("led")


def test_the_sql_text_filter_takes_percent_underscore_and_slash_literally(demo):
    f = queries.ProblemFilter()
    assert _sql_ids(demo, f, "%", "urgency") == [] and _sql_ids(demo, f, "_", "urgency") == []
    assert _sql_ids(demo, f, "/", "urgency") == ProblemSearch(demo, f, today=TODAY).ids_for("/")
    count = queries.project_count
    assert count(demo, queries.ProjectFilter(text="%"), today=TODAY) == 0
    assert count(demo, queries.ProjectFilter(text="_"), today=TODAY) == 0
    assert count(demo, queries.ProjectFilter(text="led"), today=TODAY) == count(
        demo, queries.ProjectFilter(text="LED"), today=TODAY) >= 1


def test_an_index_belongs_to_one_filter_sort_and_day(demo):
    f = queries.ProblemFilter(open_only=True)
    index = ProblemSearch(demo, replace(f, text="钢"), today=TODAY, sort="due")
    assert index.matches(replace(f, text="供电"), sort="due", today=TODAY, warn_days=3)
    assert not index.matches(f, sort="urgency", today=TODAY, warn_days=3)
    assert not index.matches(queries.ProblemFilter(), sort="due", today=TODAY, warn_days=3)
    assert not index.matches(f, sort="due", today=date(2022, 10, 1), warn_days=3)


def test_a_page_fetches_only_the_rows_the_search_has_not_shown_yet(demo, monkeypatch):
    from servicetui.services.queries import search

    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    fetched: list[list[int]] = []
    real = search.ProblemSearch._fetch

    def counting(self, ids, with_note):
        fetched.append(list(ids))
        return real(self, ids, with_note)

    monkeypatch.setattr(search.ProblemSearch, "_fetch", counting)
    first = index.rows("钢", 0, 20)
    assert fetched == [[r.id for r in first]]
    narrower = index.rows("钢柱", 0, 20)  # its matches are among the first text's
    assert fetched[1:] == [] or all(i not in {r.id for r in first} for i in fetched[1])
    want = queries.problem_rows(demo, queries.ProblemFilter(text="钢柱"), today=TODAY, limit=20, with_note=False)
    assert narrower == want
    assert index.rows("钢柱", 0, 20, with_note=True) == queries.problem_rows(
        demo, queries.ProblemFilter(text="钢柱"), today=TODAY, limit=20, with_note=True)


@pytest.mark.parametrize("sample, dense", [(10**9, 8), (2, 3), (1, 10**9)],
                         ids=["find-only", "switch-when-dense", "switch-at-first-match"])
def test_a_first_search_over_the_whole_text_finds_each_row_once_as_a_test_per_row_would(demo, sample, dense,
                                                                                       monkeypatch):
    import random

    from servicetui.services.queries import search
    from servicetui.services.queries.search import SEP

    monkeypatch.setattr(search, "SAMPLE", sample)  # every `sample` matches: row by row once dense
    monkeypatch.setattr(search, "DENSE", dense)
    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    rows = [index._text[index._starts[k]:index._starts[k + 1] - 1] for k in range(len(index))]
    assert len(rows) == len(index.ids) >= 20 and SEP.join(rows) == index._text
    rng = random.Random(7)
    texts = {rows[0][:3], rows[-1][-2:], rows[-1][-1:], rows[len(rows) // 2][5:9], "a", "。", "无此问题", "公司", "局",
             rows[1][-1:] + SEP + rows[2][:1]}  # the last one spans two rows: it must match none
    texts |= {rows[k][i:i + n] for k, i, n in ((rng.randrange(len(rows)), rng.randrange(8), rng.randrange(1, 4))
                                               for _ in range(40))}
    for text in sorted(t for t in texts if t.strip() == t and t):
        index._last = None
        assert index._positions(text) == [k for k, row in enumerate(rows) if text in row], text


@pytest.mark.parametrize("with_note", [False, True])
def test_the_row_select_has_problem_rows_fields_in_order(with_note):
    from dataclasses import fields

    from servicetui.services.queries.problems import ProblemRow, _problem_select

    names = [c.name for c in _problem_select(TODAY, 3, with_note=with_note).selected_columns]
    want = [f.name for f in fields(ProblemRow)]
    assert names == (want if with_note else want[:-1])  # rows are made positionally: ProblemRow(*row)


def test_warming_runs_the_page_select_once_and_keeps_nothing(demo, monkeypatch):
    index = ProblemSearch(demo, queries.ProblemFilter(), today=TODAY)
    calls = []
    fetch = index._fetch
    monkeypatch.setattr(index, "_fetch", lambda ids, with_note: calls.append(list(ids)) or fetch(ids, with_note))
    index.warm()
    assert calls == [index.ids[:1]] and not any(index._rows.values())
    empty = ProblemSearch(demo, queries.ProblemFilter(text="", ids=(-1,)), today=TODAY)
    empty.warm()  # no rows: nothing to run
    assert len(empty) == 0
