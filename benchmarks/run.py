"""The performance harness (`make bench`).

    python benchmarks/run.py                      # small, medium, large
    python benchmarks/run.py --quick              # small only
    python benchmarks/run.py --scales medium,large --json results.json

Databases are generated into benchmarks/data/<scale>.db when missing (or made by another version
of generate.py) and reused after. Every measurement runs in a fresh interpreter
(benchmarks/drivers.py); a failing one is recorded as null with its error, never a crash.

Prints a readable table (stderr gets progress) and then ONE JSON object on stdout's last line.
Targets apply at the large scale; each figure is marked PASS/FAIL against its target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ROOT = HERE.parent
PY = sys.executable
SCALES = ("small", "medium", "large")
DRIVER = str(HERE / "drivers.py")

# metric -> (label, unit, target at large, lower is better)
TARGETS: dict[str, tuple[str, str, float | None]] = {
    "first_paint_s": ("first paint, cold process (wall)", "s", 0.5),
    "first_paint_cpu_s": ("first paint, cold process (CPU)", "s", 0.5),
    "home_rows_s": ("home list with its rows, cold process (wall)", "s", None),
    "home_rows_cpu_s": ("home list with its rows, cold process (CPU)", "s", None),
    "keystroke_cpu_ms_median": ("filter keystroke CPU, median (query)", "ms", 50),
    "keystroke_cpu_ms_worst": ("filter keystroke CPU, worst (query)", "ms", 50),
    "search_index_build_ms": ("search index build, once per `/` (CPU, worker)", "ms", None),
    "keystroke_sql_cpu_ms_median": ("filter keystroke CPU, median (SQL, before the index)", "ms", None),
    "pilot_keystroke_cpu_ms_median": ("filter keystroke CPU, median (Pilot)", "ms", 50),
    "pilot_keystroke_cpu_ms_worst": ("filter keystroke CPU, worst (Pilot)", "ms", 50),
    "home_keystroke_cpu_ms_median": ("projects list filter keystroke CPU, median (Pilot)", "ms", None),
    "home_keystroke_cpu_ms_worst": ("projects list filter keystroke CPU, worst (Pilot)", "ms", None),
    "open_project_ms_median": ("open a project, median", "ms", 30),
    "open_project_ms_worst": ("open a project, worst", "ms", 30),
    "open_project_screen_cpu_ms_median": ("open a project screen through Pilot, CPU median", "ms", None),
    "scroll_page_ms_median": ("scroll a page, median", "ms", None),
    "scroll_page_ms_worst": ("scroll a page, worst", "ms", None),
    "project_list_page_ms": ("projects list, first page", "ms", None),
    "export_csv_s": ("CSV export, all problems", "s", 1.5),
    "export_csv_peak_mb": ("CSV export, peak memory over idle", "MB", None),
    "export_xlsx_s": ("XLSX export, all problems", "s", 10),
    "export_xlsx_peak_mb": ("XLSX export, peak memory over idle", "MB", 80),
    "import_s": ("import problems CSV (rows = scale's problems)", "s", 15),
    "board_rss_mb": ("resident memory, board open", "MB", 220),
    "stock_first_paint_s": ("BASELINE stock Textual app: first paint, same run (wall)", "s", None),
    "datatable_startup_s": ("BASELINE stock Textual app: first paint (cached, in-process)", "s", None),
    "datatable_load_s": ("BASELINE DataTable: load all rows", "s", None),
    "datatable_rss_mb": ("BASELINE DataTable: resident memory", "MB", None),
    "datatable_filter_ms_median": ("BASELINE DataTable: filter, median", "ms", None),
}
# ours / DataTable ratios: (our metric, DataTable metric)
RATIOS = {
    "first_paint_s": "stock_first_paint_s",
    "board_rss_mb": "datatable_rss_mb",
    "pilot_keystroke_cpu_ms_median": "datatable_filter_ms_median",
    "keystroke_cpu_ms_median": "datatable_filter_ms_median",
}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def env() -> dict:
    e = dict(os.environ)
    cfg = DATA / "config"  # an empty config dir: never the developer's settings or keymap
    cfg.mkdir(parents=True, exist_ok=True)
    e["SERVICETUI_CONFIG_DIR"] = str(cfg)
    e.pop("SERVICETUI_DB", None)
    return e


def speed_probe() -> float:
    """CPU seconds of a fixed piece of pure Python (ints, bytes, a dict, a join: the kind of work the
    exports do), the median of three: this machine's speed drifts by tens of percent within minutes,
    so each scale's figures are printed beside the probe taken just before them (lower is faster)."""
    def once() -> float:
        c0 = time.process_time()
        d = {i: b"%d" % (i * 7) for i in range(300_000)}
        b",".join(d.values()).split(b",")
        sorted(d.values())
        return time.process_time() - c0

    return round(sorted(once() for _ in range(3))[1], 3)


def compile_bytecode() -> None:
    """The app's .pyc files, as an installed package has them: pip compiles a wheel's modules when it
    installs them, and an editable install writes them on its first run, unless PYTHONDONTWRITEBYTECODE
    is set (as in some sandboxes); then every start would compile the whole package from source."""
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "servicetui"), quiet=1)


def drive(task: str, *args: str, timeout: float = 600) -> dict:
    """Run one driver task in a fresh interpreter; its RESULT dict, or {"error": …}. A task still
    running after `timeout` seconds is killed and recorded as a lower bound ("timed_out")."""
    import threading

    cmd = [PY, DRIVER, task, *args]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True, env=env())
        except OSError as exc:
            return {"error": str(exc)}
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            proc.kill()

        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        result: dict = {}
        marks: dict[str, float] = {}
        try:
            for line in proc.stdout:  # type: ignore[union-attr]
                line = line.rstrip("\n")
                if line.startswith("RESULT "):
                    result = json.loads(line[7:])
                elif line:
                    marks.setdefault(line, round(time.perf_counter() - t0, 4))
            proc.wait()
        finally:
            watchdog.cancel()
        if fired.is_set() and not result:
            return {"error": f"stopped after {timeout:g} s (time cap)", "timed_out": True, "lower_bound_s": timeout}
        if not result:
            err.seek(0)
            tail = err.read().strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            return {"error": tail[0]}
    result["_marks"] = marks
    result["_process_s"] = round(time.perf_counter() - t0, 3)
    return result


# -- data -----------------------------------------------------------------------------------------
def ensure_db(scale: str, regenerate: bool) -> tuple[Path, dict]:
    sys.path.insert(0, str(HERE))
    import generate

    path = DATA / f"{scale}.db"
    want = f"{generate.GENERATOR_VERSION}:{scale}:20220930"
    info: dict = {"path": str(path)}
    if regenerate or not path.exists() or generate.marker(path) != want:
        log(f"  generating {scale} → {path}")
        DATA.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        proc = subprocess.run([PY, str(HERE / "generate.py"), "--scale", scale, "-o", str(path), "--force"],
                              env=env(), capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"generate {scale} failed:\n{proc.stderr}")
        info["generated_s"] = round(time.perf_counter() - t0, 1)
        info["counts"] = json.loads(proc.stdout.strip().splitlines()[-1])
    else:
        # a cached database made before a new migration: bring it to head, as a user's file would be
        from servicetui.store import migrate
        from servicetui.store.db import make_engine

        engine = make_engine(path)
        try:
            if migrate.needs_upgrade(engine):
                log(f"  migrating cached {scale} database to {migrate.head_revision()}")
                migrate.upgrade(engine, backup=False)
                info["migrated_to"] = migrate.head_revision()
        finally:
            engine.dispose()
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        info["counts"] = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                          for t in ("project", "unit", "milestone", "problem", "problemevent", "fundsreport",
                                    "auditentry")}
    finally:
        con.close()
    info["file_mb"] = round(path.stat().st_size / 2**20, 1)
    return path, info


def import_csv(small_db: Path, rows: int) -> Path:
    """A problems ledger of `rows` rows against the small db's projects and departments (cached)."""
    path = DATA / f"import-{rows}.csv"
    if path.exists():
        return path
    import csv
    import random

    con = sqlite3.connect(f"file:{small_db}?mode=ro", uri=True)
    projects = con.execute("SELECT code, name FROM project").fetchall()
    depts = [r[0] for r in con.execute("SELECT name FROM department")]
    con.close()
    rng = random.Random(1)
    cats = ["土地", "规划", "用电", "用水", "用气", "用工", "融资", "审批手续", "基础设施", "其他"]
    words = ["用地指标未落实", "用电增容", "供水管网接入", "招工缺口", "流动资金贷款", "环评批复", "园区道路未通",
             "钢柱加工延迟", "施工许可证办理", "天然气管道接入"]
    statuses = ["已交办"] * 3 + ["办理中"] * 4 + ["已办结", "已销号", "已销号"]
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["重点项目问题清单（导入测试）"])
        w.writerow(["项目编号", "项目名称", "问题", "类别", "责任单位", "配合单位", "提出日期", "办结时限", "状态", "办理进展"])
        for i in range(rows):
            st = rng.choice(statuses)
            raised = date(2022, 1, 1) + timedelta(days=rng.randint(0, 260))
            due = raised + timedelta(days=rng.randint(7, 120))
            code, name = rng.choice(projects)
            w.writerow([code, name, f"{rng.choice(words)}（导入第{i + 1}条）", rng.choice(cats),
                        rng.choice(depts), "", raised, due, st, "已对接，正在办理" if rng.random() < 0.5 else ""])
    tmp.replace(path)
    return path


def copy_db(src: Path, dst: Path) -> None:
    a = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    b = sqlite3.connect(dst)
    a.backup(b)
    b.close()
    a.close()


# -- one scale ------------------------------------------------------------------------------------
def cap(target: float, opts) -> float:
    """Time cap of a whole-file task: a FAIL is certain well before it, and the run must stay short."""
    return max(target * opts.cap_factor, opts.cap_floor)


def datatable_baseline(scale: str, db: Path, opts) -> dict:
    """The stock-DataTable baseline does not depend on our code: measured once per (data, Textual,
    task version) and cached in benchmarks/data/baseline-<scale>.json (--refresh-baseline re-measures)."""
    sys.path.insert(0, str(HERE))
    import drivers
    import generate

    try:
        import textual

        tv = textual.__version__
    except Exception:
        tv = "?"
    key = {"textual": tv, "data": generate.marker(db), "task": drivers.DATATABLE_VERSION,
           "filters": opts.baseline_filters}
    path = DATA / f"baseline-{scale}.json"
    if path.exists() and not opts.refresh_baseline:
        try:
            cached = json.loads(path.read_text(encoding="utf-8"))
            if cached.get("key") == key:
                cached["result"]["cached"] = True
                return cached["result"]
        except (ValueError, KeyError):
            pass
    res = drive("datatable", "--db", str(db), "--filters", str(opts.baseline_filters), "--budget", str(opts.budget),
                "--rows-budget", str(opts.baseline_rows_budget), timeout=opts.baseline_rows_budget * 4 + 120)
    if "error" not in res:
        path.write_text(json.dumps({"key": key, "result": res}, ensure_ascii=False), encoding="utf-8")
    return res


def measure_scale(scale: str, db: Path, opts, small_db: Path) -> dict:
    r: dict = {}
    db_s = str(db)
    budget = ["--budget", str(opts.budget)]

    # 2–4. the queries behind a keystroke, a project screen, a page (this also warms the file cache)
    q = drive("queries", "--db", db_s, *budget, timeout=opts.budget * 6 + 120)
    r["queries"] = q
    log(f"  queries: {'error ' + q['error'] if 'error' in q else 'ok'}")

    # 1. first paint: N fresh processes; the parent's clock from spawn to the PAINTED line
    #    and, alternately, a stock Textual app's (the floor, in the same minutes: this machine's speed drifts)
    runs, cpu, rows, rows_cpu, errors, detail, stock = [], [], [], [], [], {}, []
    for _ in range(opts.paint_runs):
        res = drive("firstpaint", "--db", db_s, timeout=120)
        if "error" in res:
            errors.append(res["error"])
            break
        base = drive("datatable", "--db", db_s, "--paint-only", timeout=120)
        stock.append(base.get("_marks", {}).get("PAINTED"))
        runs.append(res["_marks"].get("PAINTED"))
        rows.append(res["_marks"].get("ROWS"))
        cpu.append(res.get("cpu_s"))
        rows_cpu.append(res.get("cpu_rows_s"))
        detail = res
    if runs and all(x is not None for x in runs):
        r["first_paint"] = {"seconds": round(statistics.median(runs), 3), "runs": runs,
                            "cpu_s": round(statistics.median(cpu), 3),
                            "rows_seconds": round(statistics.median(rows), 3) if None not in rows else None,
                            "rows_cpu_s": round(statistics.median(rows_cpu), 3) if None not in rows_cpu else None,
                            "rows_shown": detail.get("rows_shown"),
                            "db_layer_loaded_before_paint": detail.get("db_layer_loaded_before_paint"),
                            "in_process": {k: v for k, v in detail.items() if k.endswith("_s")},
                            "screen": detail.get("screen"), "rss_mb": detail.get("rss_mb_painted"),
                            "heavy_modules_loaded": detail.get("heavy_modules_loaded"),
                            "stock_seconds": round(statistics.median(stock), 3) if stock and None not in stock else None,
                            "stock_runs": stock}
    else:
        r["first_paint"] = {"seconds": None, "error": errors[0] if errors else "no PAINTED mark"}
    log(f"  first paint: {r['first_paint'].get('seconds')} s")

    # 2b + 7. the board through Pilot: keystrokes and resident memory
    b = drive("board", "--db", db_s, *budget, timeout=opts.budget * 3 + 120)
    r["board"] = b
    log(f"  board (Pilot): {'error ' + b['error'] if 'error' in b else 'ok'}")

    # 5. exports: time, and peak memory over an idle interpreter with the same imports
    tmpdir = Path(tempfile.mkdtemp(prefix="bench-"))
    for fmt, target in (("csv", 1.5), ("xlsx", 10)):
        idle = drive("export", "--db", db_s, "--fmt", fmt, "--idle")
        done = []  # the median run of --export-runs fresh processes (the first that fails or hits the cap ends it)
        for _ in range(max(1, opts.export_runs)):
            res = drive("export", "--db", db_s, "--fmt", fmt, "--out", str(tmpdir / f"problems.{fmt}"),
                        timeout=cap(target, opts))
            if "error" in res or res.get("timed_out"):
                break
            done.append(res)
        if done and res is done[-1]:
            res = dict(sorted(done, key=lambda x: x["seconds"])[len(done) // 2])
            res["runs_s"] = [x["seconds"] for x in done]
            res["peak_rss_mb"] = max(x["peak_rss_mb"] for x in done)
        if "error" not in res and "error" not in idle:
            res["idle_rss_mb"] = idle["peak_rss_mb"]
            res["peak_over_idle_mb"] = round(res["peak_rss_mb"] - idle["peak_rss_mb"], 1)
        r[f"export_{fmt}"] = res
        log(f"  export {fmt}: {res.get('seconds', res.get('error'))}")

    # 6. import: a CSV of as many problems as the scale holds, into a fresh copy of the small db
    n_rows = {"small": 1_000, "medium": 20_000, "large": 200_000}[scale]
    if opts.skip_import:
        r["import"] = {"error": "skipped (--skip-import)"}
    else:
        csv_path = import_csv(small_db, n_rows)
        target_db = tmpdir / "import.db"
        copy_db(small_db, target_db)
        idle = drive("import", "--db", str(target_db), "--csv", str(csv_path), "--idle")
        res = drive("import", "--db", str(target_db), "--csv", str(csv_path), timeout=cap(15, opts))
        if "error" not in res and "error" not in idle:
            res["peak_over_idle_mb"] = round(res["peak_rss_mb"] - idle["peak_rss_mb"], 1)
        res["csv_rows"] = n_rows
        r["import"] = res
        log(f"  import {n_rows}: {res.get('seconds', res.get('error'))}")
    for p in tmpdir.iterdir():
        p.unlink()
    tmpdir.rmdir()

    # 8. BASELINE: a stock DataTable holding every row (cached: it does not change with our code)
    if opts.no_baseline:
        r["datatable"] = {"error": "skipped (--no-baseline)"}
    else:
        d = datatable_baseline(scale, db, opts)
        r["datatable"] = d
        log(f"  DataTable baseline: {d.get('load_s', d.get('error'))}{' (cached)' if d.get('cached') else ''}")
    return r


def figures(r: dict) -> dict[str, float | None]:
    """The flat figures of one scale (None where the measurement failed; a time cap's lower bound
    where the task was stopped, see `bounds`)."""

    def g(d, *path):
        for p in path:
            if not isinstance(d, dict) or d.get(p) is None:
                return None
            d = d[p]
        return d

    def secs(key):
        return g(r, key, "seconds") if g(r, key, "seconds") is not None else g(r, key, "lower_bound_s")

    return {
        "first_paint_s": g(r, "first_paint", "seconds"),
        "first_paint_cpu_s": g(r, "first_paint", "cpu_s"),
        "home_rows_s": g(r, "first_paint", "rows_seconds"),
        "home_rows_cpu_s": g(r, "first_paint", "rows_cpu_s"),
        "keystroke_cpu_ms_median": g(r, "queries", "keystroke", "cpu_ms", "median"),
        "keystroke_cpu_ms_worst": g(r, "queries", "keystroke", "cpu_ms", "worst"),
        "search_index_build_ms": g(r, "queries", "search_index", "build_cpu_ms"),
        "keystroke_sql_cpu_ms_median": g(r, "queries", "keystroke_sql", "cpu_ms", "median"),
        "pilot_keystroke_cpu_ms_median": g(r, "board", "keystroke", "cpu_ms", "median"),
        "pilot_keystroke_cpu_ms_worst": g(r, "board", "keystroke", "cpu_ms", "worst"),
        "home_keystroke_cpu_ms_median": g(r, "board", "home_keystroke", "cpu_ms", "median"),
        "home_keystroke_cpu_ms_worst": g(r, "board", "home_keystroke", "cpu_ms", "worst"),
        "open_project_ms_median": g(r, "queries", "open_project", "cpu_ms", "median"),
        "open_project_ms_worst": g(r, "queries", "open_project", "cpu_ms", "worst"),
        "open_project_screen_cpu_ms_median": g(r, "board", "open_project_screen", "cpu_ms", "median"),
        "scroll_page_ms_median": g(r, "queries", "scroll_page", "cpu_ms", "median"),
        "scroll_page_ms_worst": g(r, "queries", "scroll_page", "cpu_ms", "worst"),
        "project_list_page_ms": g(r, "queries", "project_list_page", "cpu_ms"),
        "export_csv_s": secs("export_csv"),
        "export_csv_peak_mb": g(r, "export_csv", "peak_over_idle_mb"),
        "export_xlsx_s": secs("export_xlsx"),
        "export_xlsx_peak_mb": g(r, "export_xlsx", "peak_over_idle_mb"),
        "import_s": secs("import"),
        "board_rss_mb": g(r, "board", "rss_mb_after_typing") or g(r, "board", "rss_mb_board_open"),
        "stock_first_paint_s": g(r, "first_paint", "stock_seconds"),
        "datatable_startup_s": g(r, "datatable", "startup_paint_s"),
        "datatable_load_s": g(r, "datatable", "load_s"),
        "datatable_rss_mb": g(r, "datatable", "rss_mb_loaded"),
        "datatable_filter_ms_median": g(r, "datatable", "filter", "cpu_ms", "median"),
    }


def bounds(r: dict) -> set[str]:
    """Metrics whose figure is only a lower bound (the task hit its time cap)."""
    return {m for m, key in (("export_csv_s", "export_csv"), ("export_xlsx_s", "export_xlsx"), ("import_s", "import"))
            if isinstance(r.get(key), dict) and r[key].get("timed_out")}


def verdict(metric: str, value, lower_bound: bool = False) -> str:
    target = TARGETS[metric][2]
    if target is None:
        return ""
    if value is None:
        return "n/a"
    if lower_bound:
        return "FAIL" if value >= target else "n/a"
    return "PASS" if value <= target else "FAIL"


def fmt(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
    return str(v)


def table(results: dict, scales: list[str]) -> str:
    figs = {s: figures(results[s]) for s in scales}
    lows = {s: bounds(results[s]) for s in scales}
    top = scales[-1]
    head = ["metric", *scales, f"target ({'large' if 'large' in scales else top + '*'})", "ours/DataTable"]
    rows = []
    for m, (label, unit, target) in TARGETS.items():
        cells = [f"{label} ({unit})"]
        for s in scales:
            v, low = figs[s][m], m in lows[s]
            mark = verdict(m, v, low) if s == top else ""
            cells.append(f"{'> ' if low else ''}{fmt(v)} {mark}".strip())
        cells.append(f"≤ {target:g}" if target is not None else "")
        ratio = ""
        if m in RATIOS:
            a, b = figs[top][m], figs[top][RATIOS[m]]
            if a is not None and b:
                ratio = f"{a / b:.2f}"
        cells.append(ratio)
        rows.append(cells)
    widths = [max(_w(r[i]) for r in [head, *rows]) for i in range(len(head))]
    out = [" | ".join(_pad(c, widths[i]) for i, c in enumerate(head)),
           "-+-".join("-" * w for w in widths)]
    out += [" | ".join(_pad(c, widths[i]) for i, c in enumerate(r)) for r in rows]
    note = ("" if "large" in scales else
            f"\n* targets are stated for the large scale; marked here against {top}.")
    return "\n".join(out) + note


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _w(s))


def errors_of(results: dict) -> list[str]:
    out = []
    for scale, r in results.items():
        for k, v in r.items():
            if isinstance(v, dict) and v.get("error"):
                out.append(f"{scale}/{k}: {v['error']}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scales", default=",".join(SCALES), help="comma-separated: small,medium,large")
    ap.add_argument("--quick", action="store_true", help="small only")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the databases even if cached")
    ap.add_argument("--json", dest="json_path", help="also write the JSON object to this file")
    ap.add_argument("--paint-runs", type=int, default=3)
    ap.add_argument("--budget", type=float, default=20, help="seconds per sampling loop (fewer samples when slow)")
    ap.add_argument("--cap-factor", type=float, default=4, help="whole-file tasks stop at factor × target …")
    ap.add_argument("--cap-floor", type=float, default=30, help="… but never before this many seconds")
    ap.add_argument("--baseline-filters", type=int, default=20, help="DataTable filters (budgeted)")
    ap.add_argument("--baseline-rows-budget", type=float, default=60,
                    help="seconds of DataTable loading before extrapolating to every row")
    ap.add_argument("--refresh-baseline", action="store_true", help="re-measure the cached DataTable baseline")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--export-runs", type=int, default=3, help="CSV/XLSX exports: the median of this many runs")
    opts = ap.parse_args(argv)
    scales = ["small"] if opts.quick else [s.strip() for s in opts.scales.split(",") if s.strip()]
    for s in scales:
        if s not in SCALES:
            ap.error(f"unknown scale {s!r}")
    scales = [s for s in SCALES if s in scales]
    t0 = time.perf_counter()
    small_db, small_info = ensure_db("small", opts.regenerate)
    results: dict = {}
    infos: dict = {"small": small_info}
    compile_bytecode()
    drive("firstpaint", "--db", str(small_db), timeout=120)  # warm-up: the OS cache of the code
    probes: dict[str, float] = {}
    for s in scales:
        log(f"== {s}")
        db, info = (small_db, small_info) if s == "small" else ensure_db(s, opts.regenerate)
        infos[s] = info
        probes[s] = speed_probe()
        log(f"  speed probe: {probes[s]} s")
        results[s] = measure_scale(s, db, opts, small_db)
        results[s]["dataset"] = info
    probes["end"] = speed_probe()
    try:
        import textual

        tv = textual.__version__
    except Exception:
        tv = None
    obj = {
        "meta": {"when": datetime.now().isoformat(timespec="seconds"), "python": platform.python_version(),
                 "sqlite": sqlite3.sqlite_version, "textual": tv, "cpus": os.cpu_count(),
                 "load_avg": os.getloadavg(), "speed_probe_s": probes,
                 "total_s": round(time.perf_counter() - t0, 1)},
        "targets": {m: {"label": label, "unit": unit, "target_at_large": target}
                    for m, (label, unit, target) in TARGETS.items()},
        "figures": {s: figures(results[s]) for s in scales},
        "lower_bounds": {s: sorted(bounds(results[s])) for s in scales},
        "verdicts": {m: verdict(m, figures(results[scales[-1]])[m], m in bounds(results[scales[-1]]))
                     for m in TARGETS if TARGETS[m][2] is not None},
        "scales": results,
        "errors": errors_of(results),
    }
    print(table(results, scales))
    if obj["errors"]:
        print("\nerrors:\n  " + "\n  ".join(obj["errors"]))
    print(f"\n(total {obj['meta']['total_s']} s, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"speed probe before each scale and at the end, s, lower is faster: "
          f"{', '.join(f'{k} {v}' for k, v in probes.items())})\n")
    text = json.dumps(obj, ensure_ascii=False, default=str)
    if opts.json_path:
        Path(opts.json_path).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
