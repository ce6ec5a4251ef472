"""Measurement tasks, each run by benchmarks/run.py in a FRESH interpreter:

    python benchmarks/drivers.py TASK --db FILE [options]

Each task prints progress to stderr and, last, one line `RESULT {json}` on stdout. Peak memory is
`ru_maxrss` of this process (MB); `--idle` variants do the same imports and set-up but not the work,
so run.py can subtract an idle interpreter's baseline.

    firstpaint  the CLI's start path (CliState.ready_engine) + ServiceApp under run_test, until the
                first screen is mounted and idle; prints "PAINTED" the moment it is
    queries     the queries the screens run: board keystroke (problem_rows + problem_count per
                prefix), project_detail of 20 projects, 20 pages of the board
    board       the problems board through Pilot: `2`, `/`, then one keystroke per prefix; RSS
    export      reports.problem_list.write_problem_list (or the baseline writer below) as csv/xlsx
    import      reports.importer.import_file of a problems CSV into a copy of a database
    datatable   BASELINE: every problem row in a stock Textual DataTable (add_rows), then filters
                (clear + add_rows of the rows matching each prefix)
"""

from __future__ import annotations

import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

TODAY = date(2022, 9, 30)
SIZE = (160, 45)
USER = "x"

# What an officer types into the board's `/` box: 1-char first keystrokes, 2-char words (the usual
# Chinese search), longer phrases, one that matches nothing, and texts in most rows (公司 in every
# company's name, 局 in most departments': the most rows to show as matching).
PREFIXES = [
    "钢", "钢柱", "钢柱加工", "供", "供电", "供电公司", "用电增容", "土地", "土地征收", "食品",
    "公司", "环评", "消防验收", "融资", "暖泉", "暖泉片区", "自然资源局", "二号车间", "局", "无此问题",
]

# ... and into the projects list's box: a project's name, its company or its code.
PROJECT_PREFIXES = ["钢", "钢铁", "食品", "食品加工", "公司", "有限", "新材料", "暖泉", "项目", "无此项目"]


def rss_mb() -> float:
    """Peak resident set size of this process so far, MB.

    VmHWM of /proc/self/status, not getrusage's ru_maxrss: on Linux ru_maxrss survives fork + exec
    (the kernel keeps the high-water mark in signal->maxrss and folds the pre-exec image into it), so
    a child spawned by a 75 MB parent reports at least 75 MB however little it uses. ru_maxrss is the
    fallback where /proc is missing (and is what `maxrss_mb` records, for reference)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return None


def log(msg: str) -> None:
    print(f"    [{time.perf_counter() - T_START:6.2f}s] {msg}", file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    result.setdefault("peak_rss_mb", round(rss_mb(), 1))
    result.setdefault("maxrss_mb", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1))
    print("RESULT " + json.dumps(result, ensure_ascii=False, default=str), flush=True)


def stats(values: list[float]) -> dict:
    if not values:
        return {"median": None, "worst": None, "n": 0}
    return {"median": round(statistics.median(values), 2), "worst": round(max(values), 2),
            "best": round(min(values), 2), "n": len(values)}


class Budget:
    """A sampling loop that stops early (after at least `minimum` samples) once `seconds` of wall time
    are spent, so a slow build cannot make the whole run slow; the sample count is reported."""

    def __init__(self, seconds: float, minimum: int = 3):
        self.seconds, self.minimum = seconds, minimum

    def over(self, items):
        t0 = time.perf_counter()
        for i, x in enumerate(items):
            if i >= self.minimum and self.seconds and time.perf_counter() - t0 > self.seconds:
                log(f"budget of {self.seconds}s spent after {i} samples")
                return
            yield x


def page_size() -> int:
    """The board's page: what LazyTable fetches per query (falls back to 60, one screenful and a bit)."""
    try:
        from servicetui.tui.lazy_table import LazyTable

        return int(getattr(LazyTable, "PAGE", 60))
    except Exception:
        return 60


def app_kwargs(cls, engine) -> tuple[tuple, dict]:
    """Construct ServiceApp whatever its exact signature (engine first or by keyword)."""
    import inspect

    params = inspect.signature(cls.__init__).parameters
    kw = {k: v for k, v in {"lang": "zh", "user": USER, "today": TODAY}.items() if k in params}
    if "engine" in params and list(params)[1] != "engine":
        kw["engine"] = engine
        return (), kw
    return (engine,), kw


# -- firstpaint ---------------------------------------------------------------------------------
def task_firstpaint(args) -> dict:
    """What `servicetui --db FILE` does: the CLI module, then ServiceApp with an opener (the app paints
    the frame of the home screen first and opens + checks the database, loads the data layer and the
    home list's first page in a worker). Two moments: PAINTED (the first frame is drawn) and ROWS
    (the home list is on screen with its rows)."""
    import asyncio

    out: dict = {}
    import gc

    gc.disable()  # what the console script does first (servicetui.cli.start; the app turns it back on)
    from servicetui.cli.main import CliState

    out["import_cli_s"] = round(time.perf_counter() - T_START, 4)
    out["cpu_import_cli_s"] = round(time.process_time(), 4)
    state = CliState(db=args.db, lang="zh", user=USER, today=TODAY)
    from servicetui.tui.app import ServiceApp

    out["import_app_s"] = round(time.perf_counter() - T_START, 4)
    out["cpu_import_app_s"] = round(time.process_time(), 4)
    out["db_layer_loaded_before_paint"] = "sqlalchemy" in sys.modules
    app = ServiceApp(opener=lambda: (state.ready_engine(), state.today), lang="zh", user=USER, today=TODAY)
    out["app_constructed_s"] = round(time.perf_counter() - T_START, 4)

    async def go() -> None:
        async with app.run_test(size=SIZE) as pilot:
            while app.boot_painted_at is None:
                await asyncio.sleep(0.002)
            print("PAINTED", flush=True)
            out["painted_s"] = round(app.boot_painted_at - T_START, 4)
            out["cpu_s"] = round(time.process_time(), 4)
            out["rss_mb_painted"] = round(rss_mb(), 1)
            while app.opened_at is None and app.open_error is None:
                await asyncio.sleep(0.005)
            if app.open_error is not None:
                raise app.open_error
            await pilot.pause()  # the list drawn with its rows
            print("ROWS", flush=True)
            out["rows_s"] = round(time.perf_counter() - T_START, 4)
            out["cpu_rows_s"] = round(time.process_time(), 4)
            out["screen"] = type(app.screen).__name__
            table = app.screen.query_one("#list")
            out["rows_shown"] = table.row_count
            mods = sys.modules
            out["heavy_modules_loaded"] = [m for m in ("xlsxwriter", "openpyxl", "docx") if m in mods]
            app.exit()

    asyncio.run(go())
    return out


# -- queries ------------------------------------------------------------------------------------
def task_queries(args) -> dict:
    import random

    from servicetui.services import queries
    from servicetui.store.db import make_engine

    impl = queries
    engine = make_engine(args.db)
    page = args.page or page_size()
    PF = queries.ProblemFilter
    out: dict = {"page": page, "impl": impl.__name__}

    def timed(fn):
        c0, w0 = time.process_time(), time.perf_counter()
        r = fn()
        return r, (time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000

    # warm the connection pool and SQLite's page cache once (the board is already open when one types)
    impl.problem_rows(engine, PF(open_only=True), today=TODAY, limit=page, with_note=False)
    impl.problem_count(engine, PF(open_only=True), today=TODAY)

    # the board's keystroke. Since the search index (services/queries/search.py) the board, once `/`
    # is pressed, builds a ProblemSearch of its filter in a worker (timed once here: "search_index"),
    # and a keystroke is: matches of the new text (narrowed from the previous text's matches, as
    # when typing: the text before the keystroke is matched first, untimed) + count + one page.
    search = None
    try:
        from servicetui.services.queries.search import ProblemSearch
    except ImportError:
        ProblemSearch = None
    if ProblemSearch is not None:
        (search, c_build, w_build) = timed(lambda: ProblemSearch(engine, PF(open_only=True), today=TODAY))
        out["search_index"] = {"build_cpu_ms": round(c_build, 1), "build_wall_ms": round(w_build, 1),
                               "rows": len(search), "rss_mb": current_rss_mb()}
        per = []
        for p in Budget(args.budget).over(PREFIXES):
            search.count(p[:-1])  # the text before the keystroke (its own work is not measured)

            def keystroke():
                n = search.count(p)
                search.rows(p, 0, page)
                return n

            n, c, w = timed(keystroke)
            per.append({"prefix": p, "matches": n, "keystroke_ms": round(c, 2), "wall_ms": round(w, 2)})
        out["keystroke"] = {"filter": "ProblemSearch(open_only=True), text=prefix",
                            "cpu_ms": stats([x["keystroke_ms"] for x in per]),
                            "wall_ms": stats([x["wall_ms"] for x in per]), "per_prefix": per}

    # the same keystroke in SQL (what the board does before its index is ready): one page without
    # the latest note + one count
    per = []
    budget = Budget(args.budget)
    for p in budget.over(PREFIXES):
        f = PF(open_only=True, text=p)
        rows, c_rows, w_rows = timed(lambda: impl.problem_rows(engine, f, today=TODAY, limit=page, offset=0,
                                                               with_note=False))
        n, c_cnt, w_cnt = timed(lambda: impl.problem_count(engine, f, today=TODAY))
        per.append({"prefix": p, "matches": n, "rows_ms": round(c_rows, 2), "count_ms": round(c_cnt, 2),
                    "keystroke_ms": round(c_rows + c_cnt * args.counts_per_keystroke, 2),
                    "wall_ms": round(w_rows + w_cnt * args.counts_per_keystroke, 2)})
    out["keystroke_sql" if search is not None else "keystroke"] = {"filter": "ProblemFilter(open_only=True, text=prefix)",
                        "counts_per_keystroke": args.counts_per_keystroke,
                        "cpu_ms": stats([x["keystroke_ms"] for x in per]),
                        "wall_ms": stats([x["wall_ms"] for x in per]),
                        "rows_cpu_ms": stats([x["rows_ms"] for x in per]),
                        "count_cpu_ms": stats([x["count_ms"] for x in per]),
                        "per_prefix": per}
    # the brief's literal variant: all statuses, default with_note, one count
    per2 = []
    for p in Budget(args.budget).over(PREFIXES):
        f = PF(text=p)
        _r, c_rows, _w = timed(lambda: impl.problem_rows(engine, f, today=TODAY, limit=page))
        _n, c_cnt, _w = timed(lambda: impl.problem_count(engine, f, today=TODAY))
        per2.append(c_rows + c_cnt)
    out["keystroke_all_statuses"] = {"filter": "ProblemFilter(text=prefix), with_note, 1 count",
                                     "cpu_ms": stats(per2)}
    log(f"keystroke median {out['keystroke']['cpu_ms']['median']} ms"
        + (f" (SQL: {out['keystroke_sql']['cpu_ms']['median']} ms)" if "keystroke_sql" in out else ""))

    # opening a project screen
    rng = random.Random(7)
    with engine.connect() as conn:
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM project WHERE archived = false")]
    pick = rng.sample(ids, min(20, len(ids)))
    # the app reads one project's screen in a worker once the home list is up (ServiceApp._opened), so
    # the statements are compiled before the officer opens one: the same here, with a project not timed
    warm = next((i for i in ids if i not in set(pick)), None)
    if warm is not None:
        impl.project_detail(engine, warm, today=TODAY)
    cpu, wall, nprob = [], [], []
    for pid in Budget(args.budget).over(pick):
        d, c, w = timed(lambda: impl.project_detail(engine, pid, today=TODAY))
        cpu.append(c)
        wall.append(w)
        nprob.append(len(d.problems))
    out["open_project"] = {"cpu_ms": stats(cpu), "wall_ms": stats(wall), "problems_per_project": stats(nprob)}

    # scrolling the board: 20 consecutive pages, and the last page, as the board asks for them (with the
    # row count it holds, so a page in the far half is read from the other end) when its query can
    total = impl.problem_count(engine, PF(open_only=True), today=TODAY)
    f = PF(open_only=True)
    counted = {"total": total} if "total" in inspect.signature(impl.problem_rows).parameters else {}
    cpu, wall = [], []
    for k in Budget(args.budget).over(range(20)):
        _r, c, w = timed(lambda: impl.problem_rows(engine, f, today=TODAY, offset=k * page, limit=page,
                                                   with_note=False, **counted))
        cpu.append(c)
        wall.append(w)
    _r, c_last, _w = timed(lambda: impl.problem_rows(engine, f, today=TODAY, offset=max(0, total - page),
                                                     limit=page, with_note=False, **counted))
    out["scroll_page"] = {"cpu_ms": stats(cpu), "wall_ms": stats(wall), "last_page_cpu_ms": round(c_last, 2),
                          "rows_in_board": total}

    # the projects list's first page (what the first screen shows)
    _r, c, w = timed(lambda: impl.project_rows(engine, today=TODAY, limit=page))
    out["project_list_page"] = {"cpu_ms": round(c, 2), "wall_ms": round(w, 2)}
    return out


# -- board (Pilot) ------------------------------------------------------------------------------
async def _type_last_keys(pilot, box, texts, out: dict) -> dict:
    """For each text: the box holds all but its last character (not timed), then the last key is pressed
    through Pilot; the CPU (all threads) and wall time from the press until the screen settles."""
    per = []
    for p in texts:
        box.value = p[:-1]  # the text before the keystroke (its own query is not measured)
        box.cursor_position = len(box.value)
        await pilot.pause()
        c0, w0 = time.process_time(), time.perf_counter()
        await pilot.press(p[-1])
        await pilot.pause()
        c, w = (time.process_time() - c0) * 1000, (time.perf_counter() - w0) * 1000
        if box.value != p:
            out["error"] = f"typed {p!r} into {type(box.screen).__name__} but the box holds {box.value!r}"
        per.append({"prefix": p, "cpu_ms": round(c, 2), "wall_ms": round(w, 2)})
    return {"cpu_ms": stats([x["cpu_ms"] for x in per]), "wall_ms": stats([x["wall_ms"] for x in per]),
            "per_prefix": per}


def task_board(args) -> dict:
    import asyncio

    from servicetui.store.db import make_engine
    from servicetui.tui.app import ServiceApp

    engine = make_engine(args.db)
    a, kw = app_kwargs(ServiceApp, engine)
    app = ServiceApp(*a, **kw)
    out: dict = {}

    async def go() -> None:
        from textual.widgets import Input

        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            out["rss_mb_first_screen"] = round(rss_mb(), 1)
            c0, w0 = time.process_time(), time.perf_counter()
            await pilot.press("2")  # the problems board
            await pilot.pause()
            out["open_board_cpu_ms"] = round((time.process_time() - c0) * 1000, 1)
            out["open_board_wall_ms"] = round((time.perf_counter() - w0) * 1000, 1)
            out["screen"] = type(app.screen).__name__
            out["rss_mb_board_open"] = round(rss_mb(), 1)
            out["current_rss_mb_board_open"] = current_rss_mb()
            inputs = [w for w in app.screen.query(Input) if (w.id or "") in ("search", "filter")] or \
                list(app.screen.query(Input))
            if not inputs:
                out["error"] = f"no search input on {type(app.screen).__name__}"
                return
            box = inputs[0]
            w0 = time.perf_counter()
            await pilot.press("slash")  # the board starts building its search index in a worker
            await app.workers.wait_for_complete()
            await pilot.pause()
            out["search_index_ready_wall_ms"] = round((time.perf_counter() - w0) * 1000, 1)
            if app.focused is not box:
                box.focus()
                await pilot.pause()
            out["keystroke"] = await _type_last_keys(pilot, box, Budget(args.budget).over(PREFIXES[: args.filters]),
                                                     out)
            out["rss_mb_after_typing"] = round(rss_mb(), 1)
            # the projects list (1, home) has the same `/` search: the same measurement on its box
            await pilot.press("escape", "1")
            await pilot.pause()
            home = app.screen
            await pilot.press("slash")
            await app.workers.wait_for_complete()
            await pilot.pause()
            box = home.query_one("#search", Input)
            out["home_keystroke"] = {"screen": type(home).__name__,
                                     **await _type_last_keys(pilot, box, PROJECT_PREFIXES, out)}
            # opening a project screen from the list, as an officer does (enter; esc; the next row)
            await pilot.press("escape", "c")
            await app.workers.wait_for_complete()
            await pilot.pause()
            per = []
            for _ in range(6):
                c0, w0 = time.process_time(), time.perf_counter()
                await pilot.press("enter")
                await pilot.pause()
                await app.workers.wait_for_complete()
                await pilot.pause()
                per.append({"screen": type(app.screen).__name__, "cpu_ms": round((time.process_time() - c0) * 1000, 2),
                            "wall_ms": round((time.perf_counter() - w0) * 1000, 2)})
                await pilot.press("escape", "j")
                await pilot.pause()
            out["open_project_screen"] = {"cpu_ms": stats([x["cpu_ms"] for x in per]),
                                          "wall_ms": stats([x["wall_ms"] for x in per]), "per_open": per}
            app.exit()

    asyncio.run(go())
    return out


# -- export -------------------------------------------------------------------------------------
def baseline_write(engine, path: Path, fmt: str) -> int:
    """Stand-in writer (used only when reports.problem_list is missing): iter_problem_rows → csv (BOM)
    or xlsxwriter in constant_memory mode."""
    from servicetui.services.queries import ProblemFilter, iter_problem_rows

    cols = ["id", "project_name", "company", "park", "title", "category", "department", "co_departments", "owner",
            "raised_on", "due", "status", "latest_note", "closed_on", "leader", "officer", "light"]
    n = 0
    if fmt == "csv":
        import csv

        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(cols)
            for r in iter_problem_rows(engine, ProblemFilter(), today=TODAY):
                w.writerow(["" if getattr(r, c) is None else str(getattr(r, c)) for c in cols])
                n += 1
        return n
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    ws = wb.add_worksheet("问题清单")
    ws.write_row(0, 0, cols)
    for r in iter_problem_rows(engine, ProblemFilter(), today=TODAY):
        n += 1
        ws.write_row(n, 0, ["" if getattr(r, c) is None else str(getattr(r, c)) for c in cols])
    wb.close()
    return n


def task_export(args) -> dict:
    from servicetui.services.queries import ProblemFilter
    from servicetui.store.db import make_engine

    writer = "baseline (benchmarks/drivers.py: iter_problem_rows + csv / xlsxwriter constant_memory)"
    try:
        from servicetui.reports import problem_list
    except ImportError as exc:
        problem_list = None
        why = str(exc)
    if args.fmt == "xlsx":
        import xlsxwriter  # noqa: F401  (same imports in the idle run)
    engine = make_engine(args.db)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT count(*) FROM setting").all()
    if args.idle:
        return {"idle": True}
    out = Path(args.out)
    c0, w0 = time.process_time(), time.perf_counter()
    if problem_list is not None and hasattr(problem_list, "write_problem_list"):
        writer = "servicetui.reports.problem_list.write_problem_list"
        opts = problem_list.ProblemListOptions(filter=ProblemFilter(), today=TODAY)
        res = problem_list.write_problem_list(engine, opts, out, args.fmt)
        rows = res.rows
    else:
        rows = baseline_write(engine, out, args.fmt)
        writer += f" [reports missing: {why if problem_list is None else 'no write_problem_list'}]"
    res = {"seconds": round(time.perf_counter() - w0, 3), "cpu_s": round(time.process_time() - c0, 3),
           "rows": rows, "file_mb": round(out.stat().st_size / 2**20, 2), "writer": writer}
    out.unlink()
    return res


# -- import -------------------------------------------------------------------------------------
def task_import(args) -> dict:
    try:
        from servicetui.reports import importer
    except ImportError as exc:
        return {"error": f"no importer: {exc}"}
    from servicetui.services.context import Ctx
    from servicetui.store.db import make_engine

    engine = make_engine(args.db)
    ctx = Ctx(engine, actor=args.actor, today=TODAY)
    _ = ctx.role  # look the actor up before timing
    if args.idle:
        return {"idle": True}
    flush_cpu = [0.0]
    if args.breakdown:  # CPU inside _flush (the inserts) vs the rest (read + check + commit)
        original = importer._flush

        def timed_flush(*a, **k):
            c = time.process_time()
            original(*a, **k)
            flush_cpu[0] += time.process_time() - c

        importer._flush = timed_flush
    c0, w0 = time.process_time(), time.perf_counter()
    res = importer.import_file(ctx, args.csv, kind="problems")
    out = {"seconds": round(time.perf_counter() - w0, 3), "cpu_s": round(time.process_time() - c0, 3),
           "rows": res.rows, "created": res.created, "errors": res.error_count, "duplicates": len(res.duplicates),
           "written": res.written}
    if args.breakdown:
        out["flush_cpu_s"] = round(flush_cpu[0], 3)
        out["read_check_commit_cpu_s"] = round(out["cpu_s"] - flush_cpu[0], 3)
    if res.errors:
        e = res.errors[0]
        out["first_error"] = str(getattr(e, "zh", e))
    with engine.connect() as conn:
        out["problems_after"] = conn.exec_driver_sql("SELECT count(*) FROM problem").scalar()
    return out


# -- DataTable baseline -------------------------------------------------------------------------
DATATABLE_VERSION = "2"  # bump when this task changes (run.py caches its result per scale)


def task_datatable(args) -> dict:
    import asyncio

    from textual.app import App
    from textual.widgets import DataTable

    out: dict = {"version": DATATABLE_VERSION}
    cols = ("灯", "项目", "问题", "类别", "责任单位", "办结时限", "状态", "球在谁手", "督办")

    class Baseline(App):
        def compose(self):
            yield DataTable(id="t")

    app = Baseline()

    async def go() -> None:
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(DataTable)
            table.add_columns(*cols)
            await pilot.pause()
            out["startup_rss_mb"] = round(rss_mb(), 1)
            # the floor: a stock Textual app's cold start to its first painted (empty) screen
            out["startup_paint_s"] = round(time.perf_counter() - T_START, 3)
            out["startup_cpu_s"] = round(time.process_time(), 3)
            print("PAINTED", flush=True)
            if args.paint_only:
                app.exit()
                return
            from servicetui.services.queries import ProblemFilter, iter_problem_rows
            from servicetui.store.db import make_engine

            engine = make_engine(args.db)

            def as_row(r) -> tuple:
                return (r.light, r.project_name, r.title, r.category, r.department,
                        r.due.isoformat() if r.due else "—", r.status, r.turn, str(r.escalation))

            c0, w0 = time.process_time(), time.perf_counter()
            with engine.connect() as conn:
                total = conn.exec_driver_sql("SELECT count(*) FROM problem WHERE archived = false").scalar()
            data: list[tuple] = []
            chunk: list[tuple] = []
            complete = True
            for r in iter_problem_rows(engine, ProblemFilter(), today=TODAY):
                chunk.append(as_row(r))
                if len(chunk) == 20_000:
                    table.add_rows(chunk)
                    data += chunk
                    chunk = []
                    if args.rows_budget and time.perf_counter() - w0 > args.rows_budget:
                        complete = False
                        break
            if chunk:
                table.add_rows(chunk)
                data += chunk
            await pilot.pause()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            scale = total / max(1, len(data))
            out["rows"] = table.row_count
            out["rows_total"] = total
            out["extrapolated"] = not complete
            out["load_s"] = round(wall * scale, 3)
            out["load_cpu_s"] = round(cpu * scale, 3)
            rss = rss_mb()
            out["rss_mb_loaded"] = round(rss if complete else out["startup_rss_mb"] + (rss - out["startup_rss_mb"]) * scale, 1)
            per = []
            for p in Budget(args.budget).over(PREFIXES[: args.filters]):
                c0, w0 = time.process_time(), time.perf_counter()
                table.clear()
                table.add_rows([r for r in data if any(p in cell for cell in r)])
                await pilot.pause()
                k = scale  # the same filter over every row would do proportionally more work
                per.append({"prefix": p, "cpu_ms": round((time.process_time() - c0) * 1000 * k, 1),
                            "wall_ms": round((time.perf_counter() - w0) * 1000 * k, 1), "rows": table.row_count})
            out["filter"] = {"cpu_ms": stats([x["cpu_ms"] for x in per]), "wall_ms": stats([x["wall_ms"] for x in per]),
                             "per_prefix": per}
            app.exit()

    asyncio.run(go())
    return out


def task_idle(args) -> dict:
    """An interpreter with the given modules imported and nothing done: the memory floor."""
    import importlib

    for m in filter(None, (args.modules or "").split(",")):
        importlib.import_module(m)
    return {"idle": True, "modules": args.modules}


TASKS = {"firstpaint": task_firstpaint, "queries": task_queries, "board": task_board, "export": task_export,
         "import": task_import, "datatable": task_datatable, "idle": task_idle}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=list(TASKS))
    ap.add_argument("--db")
    ap.add_argument("--out")
    ap.add_argument("--csv")
    ap.add_argument("--fmt", choices=["csv", "xlsx"], default="csv")
    ap.add_argument("--actor", default="u0021")
    ap.add_argument("--idle", action="store_true")
    ap.add_argument("--page", type=int, default=0)
    ap.add_argument("--counts-per-keystroke", type=int, default=1)
    ap.add_argument("--filters", type=int, default=len(PREFIXES))
    ap.add_argument("--budget", type=float, default=0, help="seconds per sampling loop (0 = no limit)")
    ap.add_argument("--rows-budget", type=float, default=0, help="datatable: seconds for loading rows")
    ap.add_argument("--modules", default="")
    ap.add_argument("--breakdown", action="store_true", help="import: CPU of the inserts vs the rest")
    ap.add_argument("--paint-only", action="store_true", help="datatable: stop at the first paint")
    args = ap.parse_args()
    try:
        result = TASKS[args.task](args)
    except Exception as exc:  # recorded, never a crash of the whole run
        import traceback

        traceback.print_exc(file=sys.stderr)
        result = {"error": f"{type(exc).__name__}: {exc}"}
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
