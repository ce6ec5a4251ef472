"""Search-as-you-type over the problems board and the projects list.

`LIKE '%x%'` cannot use an index, so every keystroke on the board would scan every problem and
join its project and department (≈ 130 ms at 200 000 problems). Instead the board builds a
`ProblemSearch` once for its current filter and sort (one query: the ids in board order with the
text a search looks at, ≈ 0.3 s at that size, in a worker), and each keystroke is a substring test
in memory — narrowed to the previous matches while the text only grows — plus one page of joined
columns for the ids on screen. The projects list does the same with a `ProjectSearch`: at 20 000
projects a keystroke in SQL took 0.1–0.3 s (the light order of the matching projects is computed
from their problems and milestones each time), and every page of the progress order 0.6 s.

A keystroke's test stays near 20 ms at 200 000 rows however many rows match: a first search runs
`str.find` over all the text at once (a step per match: a few ms for a rare text), and once the
matches of a common one (局, 公司, a first 电) turn out dense (`SAMPLE`, `DENSE`) it tests the rest row
by row in C (`_containing`); narrowing tests only the previous matches, the same way (unless they are
more than half the rows). A step per match alone took 0.2–0.3 s for a text in most rows.

Matching is what the SQL filter does (`_problem_where`, `_project_where`): the stripped text anywhere
in the problem's title, its project's name or company, or its responsible department's name (a
project: its name, company or code), ignoring case. Unlike LIKE, `%` and `_` in the text match
themselves.

The index is a snapshot: whoever holds one drops it when the data changes (the lists do on every
write and on the change poll) and builds a new one.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import compress, islice, repeat
from operator import contains
from typing import Any

from sqlalchemy import select

from servicetui.domain import rules
from servicetui.services.queries import raw_rows
from servicetui.services.queries.problems import (
    ProblemFilter,
    ProblemRow,
    _order,
    _problem_select_by_ids,
    _problem_where,
)
from servicetui.services.queries.projects import ProjectFilter, ProjectRow, project_ids, project_rows_by_ids
from servicetui.store.models import Department, Problem, Project

SEP = "\x1f"  # between fields, so a match never spans two of them
ROWS_KEPT = 5000  # joined rows a search keeps between keystrokes (a few MB)
# A first search steps from match to match (about 2 µs a match) while matches are sparse; testing every
# row costs about 0.2 µs a row, so every SAMPLE matches it looks at how dense they are, and once more
# than one row in DENSE matches it tests the remaining rows one by one instead.
SAMPLE = 256
DENSE = 8


@dataclass(frozen=True)
class SearchKey:
    """What an index was built for: the filter without its text, the sort and the day."""

    filter: str
    sort: str
    today: date
    warn_days: int


def search_key(f: ProblemFilter | ProjectFilter, *, sort: str, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS) -> SearchKey:
    return SearchKey(repr(replace(f, text="")), sort, today, warn_days)


def normalise(text: str) -> str:
    return text.strip().lower()


class TextIndex:
    """Rows of a list (their ids, in the list's order) with the text a search looks at, matched in
    memory; pages of rows are read by id (`_fetch`) and kept while the index lives."""

    key: SearchKey

    def __init__(self, ids: list[int], hays: list[str]) -> None:
        self.ids = ids
        self._hays = hays  # each row's text (lower case), for the row-by-row tests
        # every row's text in one string, SEP between rows too: row k is text[starts[k]:starts[k + 1] - 1].
        # A first search is then str.find over the whole text (C speed) instead of a test per row.
        self._text = SEP.join(hays)
        starts = array("q", [0])
        end = 0
        for hay in hays:
            end += len(hay) + 1
            starts.append(end)
        self._starts = starts
        self._last: tuple[str, list[int]] | None = None  # (text, positions) of the last match
        # the rows of pages shown so far, by id (per variant of the row, see `_page`): the index lives
        # until the next write or change poll, so they are the rows as they are
        self._rows: dict[Any, dict[int, Any]] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def matches(self, f, *, sort: str, today: date, warn_days: int) -> bool:
        """Is this index the one for that list state?"""
        return self.key == search_key(f, sort=sort, today=today, warn_days=warn_days)

    def _positions(self, text: str) -> list[int]:
        """The rows whose text holds `text` (not empty: count and ids_for answer that from the ids)."""
        q = normalise(text)
        last = self._last
        if last is not None and last[0] == q:
            return last[1]
        if last is not None and last[0] and last[0] in q and len(last[1]) <= len(self.ids) // 2:
            # the text grew (or is the old text inside a longer one): only the old matches can match
            # (unless they are most rows: a first search is quicker then)
            pos = _containing(q, map(self._hays.__getitem__, last[1]), last[1])
        elif SEP in q:  # (typed into the box it cannot be; a match must not span two rows)
            pos = _containing(q, self._hays, range(len(self._hays)))
        else:
            pos = self._first(q)
        self._last = (q, pos)
        return pos

    def _first(self, q: str) -> list[int]:
        """The rows holding `q`: find over the whole text while matches are few, then row by row."""
        find, starts, n = self._text.find, self._starts, len(self._hays)
        pos: list[int] = []
        at = find(q)
        while at >= 0:  # the row of each match, once: go on from the start of the next row
            k = bisect_right(starts, at) - 1
            pos.append(k)
            if len(pos) % SAMPLE == 0 and len(pos) * DENSE > k + 1:
                # a common text: the rows after this one, tested one by one
                pos += _containing(q, islice(self._hays, k + 1, None), range(k + 1, n))
                break
            at = find(q, starts[k + 1])
        return pos

    def count(self, text: str) -> int:
        return len(self.ids) if not normalise(text) else len(self._positions(text))

    def ids_for(self, text: str, offset: int = 0, limit: int | None = None) -> list[int]:
        end = None if limit is None else offset + limit
        ids = self.ids
        if not normalise(text):  # no text: the list's pages in order (a list pages from its index then)
            return ids[offset:end]
        pos = self._positions(text)
        return [ids[k] for k in pos[offset:end]]

    def _fetch(self, ids: list[int], variant: Any) -> list:
        """The rows with these ids (any order), each with an `id`."""
        raise NotImplementedError

    def _page(self, text: str, offset: int, limit: int, variant: Any = None) -> list:
        """One page, in the list's order, read by id: only the rows not shown before."""
        page = self.ids_for(text, offset, limit)
        if not page:
            return []
        known = self._rows.setdefault(variant, {})
        missing = [i for i in page if i not in known]
        if missing:  # typing on narrows the matches: most of the next page has been fetched already
            got = self._fetch(missing, variant)
            if len(known) + len(got) > ROWS_KEPT:
                known.clear()
            known.update((r.id, r) for r in got)
            if any(i not in known for i in page):  # (a row deleted since the index was built)
                return [known[i] for i in page if i in known]
        return [known[i] for i in page]


class ProblemSearch(TextIndex):
    """Every problem of one filter (text aside), in board order, with its searchable text."""

    def __init__(self, engine, f: ProblemFilter, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                 sort: str = "urgency") -> None:
        self.engine = engine
        self.base = replace(f, text="")
        self.sort = sort
        self.today = today
        self.warn_days = warn_days
        self.key = search_key(f, sort=sort, today=today, warn_days=warn_days)
        # The problems alone, in board order (a join only for a sort by a joined column): SQLite's sorter
        # then carries ids and titles, not every row's project name and company (0.85 -> 0.4 s for
        # 80 000 open problems). Each project's and department's text is lowered once, by id.
        q = select(Problem.id, Problem.title, Problem.project_id, Problem.department_id).select_from(Problem)
        if sort == "project":
            q = q.join(Project, Project.id == Problem.project_id)
        elif sort == "department":
            q = q.outerjoin(Department, Department.id == Problem.department_id)
        q = q.where(*_problem_where(self.base, today, warn_days)).order_by(*_order(sort, today))
        ids: list[int] = []
        hays: list[str] = []
        with engine.connect() as conn:
            projects = {pid: f"{name}{SEP}{company or ''}".lower()
                        for pid, name, company in conn.execute(select(Project.id, Project.name, Project.company))}
            departments = {did: (name or "").lower() for did, name in conn.execute(select(Department.id, Department.name))}
            for part in raw_rows.batches(raw_rows.execute(conn, q), 5000):
                for problem_id, title, project_id, department_id in part:
                    project = projects.get(project_id)
                    if project is None:  # (as the board's join: a problem without its project is not listed)
                        continue
                    ids.append(problem_id)
                    hays.append(f"{(title or '').lower()}{SEP}{project}{SEP}{departments.get(department_id, '')}")
        super().__init__(ids, hays)

    def _fetch(self, ids: list[int], with_note: bool) -> list[ProblemRow]:
        """The joined columns of these problems (any order), made positionally."""
        q = _problem_select_by_ids(self.today, self.warn_days, with_note=with_note)
        with self.engine.connect() as conn:
            return [ProblemRow(*r) for r in conn.execute(q, {"page_ids": ids})]

    def warm(self, *, with_note: bool = False) -> None:
        """Run the page select once, for one row: SQLAlchemy compiles a statement on its first
        execution (10–20 ms), which would otherwise land on the first keystroke. For the worker
        that builds the index."""
        if self.ids:
            self._fetch(self.ids[:1], with_note)

    def rows(self, text: str, offset: int, limit: int, *, with_note: bool = False) -> list[ProblemRow]:
        """One page, in board order, with the joined columns of just those rows."""
        return self._page(text, offset, limit, with_note)


class ProjectSearch(TextIndex):
    """Every project of one filter (text aside), in the list's order, with the text the list's filter
    looks at (name, company, code). The progress order, which no index serves, pages from it too."""

    def __init__(self, engine, f: ProjectFilter, *, today: date, warn_days: int = rules.DEFAULT_WARN_DAYS,
                 sort: str = "light") -> None:
        self.engine = engine
        self.sort = sort
        self.today = today
        self.warn_days = warn_days
        self.key = search_key(f, sort=sort, today=today, warn_days=warn_days)
        with engine.connect() as conn:
            ids = project_ids(conn, replace(f, text=""), today=today, warn_days=warn_days, sort=sort)
            texts = {pid: f"{name}{SEP}{company or ''}{SEP}{code}".lower()
                     for pid, name, company, code in conn.execute(
                         select(Project.id, Project.name, Project.company, Project.code))}
        ids = [i for i in ids if i in texts]
        super().__init__(ids, [texts[i] for i in ids])

    def _fetch(self, ids: list[int], variant: Any) -> list[ProjectRow]:
        with self.engine.connect() as conn:
            return project_rows_by_ids(conn, ids, today=self.today, warn_days=self.warn_days)

    def warm(self) -> None:
        """The page select run once (see ProblemSearch.warm)."""
        if self.ids:
            self._fetch(self.ids[:1], None)

    def rows(self, text: str, offset: int, limit: int) -> list[ProjectRow]:
        return self._page(text, offset, limit)


def _containing(q: str, hays: Iterable[str], rows: Sequence[int]) -> list[int]:
    """The rows (in `rows`' order) whose text, from `hays` in the same order, holds `q`: a C loop."""
    return list(compress(rows, map(contains, hays, repeat(q))))
