"""What the problems board and the projects list share for search as you type: an in-memory index of
the list (queries.search), built in a worker off the UI thread when `/` is pressed, when text is
typed, or when a page read in SQL was slow; used while it is the index of the list as it is now
(filter without its text, sort, day), and dropped when the data changes."""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial
from typing import Any, Callable

from rich.text import Text
from textual.widgets import Static

from servicetui.services.queries.search import SearchKey, TextIndex, search_key
from servicetui.tui.lazy_table import LazyTable
from servicetui.tui.strings import t


class SearchedList:
    """Mixin for a list screen with `filter` (a dataclass with `text`) and `sort`; the screen calls
    `_init_search()` in its __init__, gives its LazyTable `_count` and `_fetch` (the index's answer
    once there is one, else its own `_sql_count` / `_sql_page`), and calls `_drop_search()` when its
    data changes."""

    SLOW_PAGE_S = 0.15  # a SQL page slower than this: the list pages from an index (built in a worker)

    filter: Any
    sort: str

    def _init_search(self) -> None:
        self._search: TextIndex | None = None
        self._search_building: tuple[SearchKey, int] | None = None
        self._generation = 0  # bumped when the data changes: an index built before is stale
        self._slow_key: SearchKey | None = None  # the filter and sort whose SQL pages were slow

    # -- what a screen provides --------------------------------------------------------------
    def _search_filter(self) -> Any:
        """The filter the list shows (text included)."""
        return self.filter

    def _new_index(self, f: Any, sort: str) -> TextIndex:  # pragma: no cover - overridden
        """Build the index of filter `f` (text aside) in order `sort` (runs in a worker thread)."""
        raise NotImplementedError

    def _sql_count(self) -> int:  # pragma: no cover - overridden
        """How many rows the list has, counted in SQL."""
        raise NotImplementedError

    def _sql_page(self, offset: int, limit: int) -> list:  # pragma: no cover - overridden
        """One page of the list, read in SQL."""
        raise NotImplementedError

    # -- the line beside the search box ------------------------------------------------------
    def _show_filters(self, bits: list[str]) -> None:
        """The row count first (a narrow terminal cuts the end of the line, and the count is what
        changes as you type), then the filters (`bits`) and the sort. Called after the list's reload,
        which counted the rows."""
        lang = self.lang
        desc = " · ".join(bits) if bits else t("no_filters", lang)
        colon = ": " if lang == "en" else "："
        n = self.query_one("#list", LazyTable).row_count
        line = f"{t('n_rows', lang, n=n)}  {t('active_filters', lang, f=desc)}  {t('sort', lang)}{colon}" \
               f"{t(f'sort_{self.sort}', lang)}"
        # one line of fixed size: no layout pass on every keystroke
        self.query_one("#filterdesc", Static).update(Text(line), layout=False)

    # -- the LazyTable's count and fetch -------------------------------------------------------
    def _count(self) -> int:
        index = self._search_index()
        return index.count(self.filter.text) if index is not None else self._sql_count()

    def _fetch(self, offset: int, limit: int) -> list:
        index = self._search_index()
        if index is not None:
            return index.rows(self.filter.text, offset, limit)
        return self._timed(lambda: self._sql_page(offset, limit))

    # -- the index -----------------------------------------------------------------------------
    def _search_key(self) -> SearchKey:
        app = self.app
        return search_key(self._search_filter(), sort=self.sort, today=app.today, warn_days=app.warn_days)

    def _wants_index(self) -> bool:
        """Text to search, or SQL pages found slow for this filter and sort."""
        return bool(self.filter.text.strip()) or self._slow_key == self._search_key()

    def _search_index(self) -> TextIndex | None:
        """The index of the current filter and sort, once built (searching builds one, and so do slow
        SQL pages); else None (SQL)."""
        index = self._search
        if index is not None and index.key == self._search_key():
            return index
        if self._wants_index():
            self._build_search()
        return None

    def _timed(self, read: Callable[[], list]) -> list:
        """A page read in SQL; when it was slow (an order no index serves, over many rows), the list
        pages from an index from then on."""
        started = time.perf_counter()
        rows = read()
        if time.perf_counter() - started > self.SLOW_PAGE_S:
            self._slow_key = self._search_key()
            self._build_search()
        return rows

    def _build_search(self) -> None:
        key = self._search_key()
        if self._search is not None and self._search.key == key:
            return
        if self._search_building == (key, self._generation):
            return
        self._search_building = (key, self._generation)
        self.run_worker(partial(self._search_worker, replace(self._search_filter()), self.sort, self._generation),
                        thread=True, exclusive=True, group="search", exit_on_error=False)

    def _search_worker(self, f: Any, sort: str, generation: int) -> None:
        app = self.app
        index = self._new_index(f, sort)
        index.warm()  # the page select compiled here, not on the first keystroke
        try:
            app.call_from_thread(self._search_ready, index, generation)
        except RuntimeError:  # the app has gone meanwhile
            pass

    def _search_ready(self, index: TextIndex, generation: int) -> None:
        if self._search_building and self._search_building[0] == index.key:
            self._search_building = None
        if generation == self._generation:
            self._search = index
            self.app.settle_memory()

    def _drop_search(self) -> None:
        """The data changed: the index is a stale snapshot (a new one is built when searching)."""
        self._generation += 1
        self._search = None
        self._search_building = None
        if self._wants_index():
            self._build_search()
