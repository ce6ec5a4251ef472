"""Before / after numbers for every FAIL of run.py, at one scale (default large):

    python benchmarks/investigate.py [--scale large] [--budget 20] [--json FILE]

"before" runs src/ as it is on benchmarks/data/<scale>.db; "after" runs the proposed fixes, all of
them COPIES living in benchmarks/ (nothing in src/ is touched):

* benchmarks/data/<scale>-fixed.db — a copy of the database with the indexes of fastpaths.INDEXES;
* fastpaths.py — join-free problem_count, two-phase problem_rows, the alembic-free start-up check,
  LazyTable loading once, the board counting once per keystroke (monkeypatched in the child process);
* fast_export.py — the CSV writer on raw rows (byte-identical file) and a streamed XLSX writer.

It also prints EXPLAIN QUERY PLAN of the board's count/page and of the home screen's list, before
and after. Every measurement runs in a fresh process (drivers.py), like run.py.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run  # noqa: E402

TODAY = date(2022, 9, 30)


def fixed_copy(db: Path) -> Path:
    import fastpaths

    fixed = db.with_name(db.stem + "-fixed.db")
    if not fixed.exists() or fixed.stat().st_mtime < db.stat().st_mtime:
        run.log(f"  making {fixed.name}: copy + {len(fastpaths.INDEXES)} indexes")
        fixed.unlink(missing_ok=True)
        run.copy_db(db, fixed)
        t0 = time.perf_counter()
        fastpaths.apply_indexes(fixed)
        run.log(f"  indexes built in {time.perf_counter() - t0:.1f} s")
    return fixed


def plans(db: Path, patched: bool) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of the statements behind a keystroke and the home screen."""
    import fastpaths
    from servicetui.services import queries as Q
    from servicetui.store.db import make_engine

    impl = fastpaths if patched else Q
    engine = make_engine(db)
    seen: list[tuple[str, tuple]] = []
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def grab(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    out: dict[str, list[str]] = {}
    f = Q.ProblemFilter(open_only=True, text="钢")
    for label, call in (("board count", lambda: impl.problem_count(engine, f, today=TODAY)),
                        ("board page", lambda: impl.problem_rows(engine, f, today=TODAY, limit=100, with_note=False)),
                        ("home list", lambda: Q.project_rows(engine, today=TODAY, limit=100))):
        seen.clear()
        call()
        stmt, params = seen[-1]
        with engine.connect() as conn:
            out[label] = [r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + stmt, params)]
    engine.dispose()
    return out


def paint(db: Path, patched: bool, n: int) -> dict:
    runs, cpu, last = [], [], {}
    for _ in range(n):
        res = run.drive("firstpaint", "--db", str(db), *(["--patched"] if patched else []), timeout=120)
        if "error" in res:
            return {"error": res["error"]}
        runs.append(res["_marks"].get("PAINTED"))
        cpu.append(res["cpu_s"])
        last = res
    return {"seconds": round(statistics.median(runs), 3), "cpu_s": round(statistics.median(cpu), 3),
            "in_process": {k: v for k, v in last.items() if k.endswith("_s")}}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", default="large", choices=run.SCALES)
    ap.add_argument("--budget", type=float, default=20)
    ap.add_argument("--paint-runs", type=int, default=3)
    ap.add_argument("--json", dest="json_path")
    ap.add_argument("--skip", default="", help="comma list of: queries,paint,board,export,import,plans")
    opts = ap.parse_args()
    skip = set(filter(None, opts.skip.split(",")))
    db, _info = run.ensure_db(opts.scale, False)
    small, _ = run.ensure_db("small", False)
    fixed = fixed_copy(db)
    B = ["--budget", str(opts.budget)]
    res: dict = {"scale": opts.scale, "db": str(db), "fixed_db": str(fixed)}

    if "plans" not in skip:
        res["plans"] = {"before": plans(db, False), "after": plans(fixed, True)}
    if "queries" not in skip:
        run.log("queries …")
        res["queries"] = {"before": run.drive("queries", "--db", str(db), *B, timeout=900),
                          "after": run.drive("queries", "--db", str(fixed), "--patched", "--counts-per-keystroke", "1",
                                             *B, timeout=900)}
    if "paint" not in skip:
        run.log("first paint …")
        res["first_paint"] = {"before": paint(db, False, opts.paint_runs),
                              "after_startup_and_single_load": paint(db, True, opts.paint_runs),
                              "after_all": paint(fixed, True, opts.paint_runs)}
    if "board" not in skip:
        run.log("board …")
        res["board"] = {"before": run.drive("board", "--db", str(db), *B, timeout=900),
                        "after": run.drive("board", "--db", str(fixed), "--patched", *B, timeout=900)}
    if "export" not in skip:
        run.log("exports …")
        import tempfile

        tmp = Path(tempfile.mkdtemp(prefix="bench-"))
        res["export"] = {}
        for fmt in ("csv", "xlsx"):
            res["export"][fmt] = {
                "before": run.drive("export", "--db", str(db), "--fmt", fmt, "--out", str(tmp / f"a.{fmt}"), timeout=900),
                "after": run.drive("export", "--db", str(db), "--fmt", fmt, "--out", str(tmp / f"b.{fmt}"), "--patched",
                                   timeout=900)}
        for p in tmp.iterdir():
            p.unlink()
        tmp.rmdir()
    if "import" not in skip:
        run.log("import breakdown …")
        n_rows = {"small": 1_000, "medium": 20_000, "large": 200_000}[opts.scale]
        csv_path = run.import_csv(small, n_rows)
        target = HERE / "data" / "investigate-import.db"
        target.unlink(missing_ok=True)
        run.copy_db(small, target)
        res["import"] = run.drive("import", "--db", str(target), "--csv", str(csv_path), "--breakdown", timeout=1800)
        target.unlink(missing_ok=True)

    print(report(res))
    text = json.dumps(res, ensure_ascii=False, default=str)
    out = Path(opts.json_path) if opts.json_path else HERE / "data" / f"investigate-{opts.scale}.json"
    out.write_text(text + "\n", encoding="utf-8")
    run.log(f"written {out}")
    return 0


def report(res: dict) -> str:
    def g(d, *path):
        for p in path:
            if not isinstance(d, dict) or d.get(p) is None:
                return None
            d = d[p]
        return d

    lines = [f"before → after at {res['scale']}"]
    q = res.get("queries")
    if q:
        b, a = q["before"], q["after"]
        lines += [
            f"  keystroke CPU median (rows + 2 counts → rows + 1 count): {g(b, 'keystroke', 'cpu_ms', 'median')} → "
            f"{g(a, 'keystroke', 'cpu_ms', 'median')} ms (worst {g(b, 'keystroke', 'cpu_ms', 'worst')} → "
            f"{g(a, 'keystroke', 'cpu_ms', 'worst')})",
            f"    page query {g(b, 'keystroke', 'rows_cpu_ms', 'median')} → {g(a, 'keystroke', 'rows_cpu_ms', 'median')} ms,"
            f" count {g(b, 'keystroke', 'count_cpu_ms', 'median')} → {g(a, 'keystroke', 'count_cpu_ms', 'median')} ms",
            f"  scroll a page median: {g(b, 'scroll_page', 'cpu_ms', 'median')} → {g(a, 'scroll_page', 'cpu_ms', 'median')} ms"
            f" (last page {g(b, 'scroll_page', 'last_page_cpu_ms')} → {g(a, 'scroll_page', 'last_page_cpu_ms')})",
            f"  home list first page: {g(b, 'project_list_page', 'cpu_ms')} → {g(a, 'project_list_page', 'cpu_ms')} ms",
            f"  open a project median/worst: {g(b, 'open_project', 'cpu_ms', 'median')}/{g(b, 'open_project', 'cpu_ms', 'worst')}"
            f" → {g(a, 'open_project', 'cpu_ms', 'median')}/{g(a, 'open_project', 'cpu_ms', 'worst')} ms",
        ]
    p = res.get("first_paint")
    if p:
        lines.append(f"  first paint wall/CPU: {g(p, 'before', 'seconds')}/{g(p, 'before', 'cpu_s')} s → "
                     f"{g(p, 'after_startup_and_single_load', 'seconds')}/{g(p, 'after_startup_and_single_load', 'cpu_s')} s"
                     f" (no alembic, one load) → {g(p, 'after_all', 'seconds')}/{g(p, 'after_all', 'cpu_s')} s (+ indexes)")
    bd = res.get("board")
    if bd:
        lines.append(f"  board keystroke CPU (Pilot) median/worst: {g(bd, 'before', 'keystroke', 'cpu_ms', 'median')}/"
                     f"{g(bd, 'before', 'keystroke', 'cpu_ms', 'worst')} → {g(bd, 'after', 'keystroke', 'cpu_ms', 'median')}/"
                     f"{g(bd, 'after', 'keystroke', 'cpu_ms', 'worst')} ms; open board "
                     f"{g(bd, 'before', 'open_board_cpu_ms')} → {g(bd, 'after', 'open_board_cpu_ms')} ms CPU")
    e = res.get("export")
    if e:
        for fmt in ("csv", "xlsx"):
            lines.append(f"  {fmt} export: {g(e, fmt, 'before', 'seconds')} s → {g(e, fmt, 'after', 'seconds')} s "
                         f"(peak RSS {g(e, fmt, 'before', 'peak_rss_mb')} → {g(e, fmt, 'after', 'peak_rss_mb')} MB)")
    i = res.get("import")
    if i:
        lines.append(f"  import {i.get('rows')} rows: {i.get('seconds')} s wall, {i.get('cpu_s')} s CPU = inserts "
                     f"{i.get('flush_cpu_s')} s + read/check/commit {i.get('read_check_commit_cpu_s')} s")
    pl = res.get("plans")
    if pl:
        for when in ("before", "after"):
            for k, v in pl[when].items():
                lines.append(f"  plan {when:6s} {k:11s}: " + " | ".join(v))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
