"""Report commands: export problems / ledger, report monthly / quarterly, template, import.

    servicetui export problems --department 供电公司 --open-only -o 问题清单.xlsx
    servicetui export problems --split-by-department 清单/
    servicetui export problems --light red            # JSON on stdout, for scripts
    servicetui export ledger -o 项目台账.xlsx
    servicetui export decisions --session last -o 议定事项清单-2022-09-30.xlsx   # or --format md|docx
    servicetui report monthly --month 2022-09 -o 月通报.docx [--as-of 2022-09-30]
    servicetui report quarterly --quarter 2022Q3 -o 季考核.xlsx [--as-of 2022-09-30]
    servicetui template problems -o 问题导入模板.xlsx
    servicetui import 台账.xlsx [--dry-run] [--kind projects|problems]

Heavy libraries load only inside the writers. Every failure is one line on stderr, exit code 2.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from servicetui.cli.main import CliState, UserError, cli, parse_date_option, service_errors

STATUS_ALIASES = {"new": "待交办", "assigned": "已交办", "in-progress": "办理中", "done": "已办结", "closed": "已销号"}
LIGHT_ALIASES = {"red": "红", "yellow": "黄", "green": "绿", "r": "红", "y": "黄", "g": "绿"}
PATH = click.Path(dir_okay=False, path_type=Path)


def _today(state: CliState) -> date:
    return state.today or date.today()


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for raw in values for v in raw.replace("，", ",").split(",") if v.strip()]


def _format(fmt: str | None, output: Path | None, allowed: tuple[str, ...], default: str) -> str:
    if fmt:
        return fmt
    if output is not None and output.suffix.lower().lstrip(".") in allowed:
        return output.suffix.lower().lstrip(".")
    return default


def _done(state: CliState, zh: str, en: str) -> None:
    click.echo(state.msg(zh, en))


# -- look-ups ----------------------------------------------------------------------------------
def _department_id(engine, value: str) -> int:
    from sqlalchemy import or_, select

    from servicetui.store.models import Department

    value = value.strip()
    with engine.connect() as conn:
        if value.isdigit():
            found = conn.scalar(select(Department.id).where(Department.id == int(value)))
        else:
            found = conn.scalar(select(Department.id).where(
                or_(Department.name == value, Department.short_name == value), Department.archived == False)  # noqa: E712
                .order_by((Department.name == value).desc()))
    if found is None:
        raise UserError(f"找不到责任单位：{value}", f"no such department: {value}")
    return found


def _project_id(engine, value: str) -> int:
    from sqlalchemy import select

    from servicetui.store.models import Project

    value = value.strip()
    with engine.connect() as conn:
        if value.isdigit() and conn.scalar(select(Project.id).where(Project.id == int(value))):
            return int(value)
        found = conn.scalar(select(Project.id).where(Project.code == value))
        if found is None:
            ids = conn.scalars(select(Project.id).where(Project.name == value, Project.archived == False)).all()  # noqa: E712
            if len(ids) > 1:
                raise UserError(f"有多个项目名为「{value}」，请用项目编号", f"several projects are named '{value}'; use the code")
            found = ids[0] if ids else None
    if found is None:
        raise UserError(f"找不到项目：{value}", f"no such project: {value}")
    return found


def _problem_filter(engine, department, statuses, lights, project, open_only, kind, category):
    from servicetui.domain.enums import ProblemStatus
    from servicetui.services.queries import ProblemFilter

    flow = [s.value for s in ProblemStatus]
    status_values = [STATUS_ALIASES.get(s.lower(), s) for s in _split(statuses)]
    for s in status_values:
        if s not in flow:
            raise UserError(f"--status 须为：{'、'.join(flow)}", f"--status must be one of: {', '.join(STATUS_ALIASES)}")
    light_values = [LIGHT_ALIASES.get(x.lower(), x) for x in _split(lights)]
    for x in light_values:
        if x not in ("红", "黄", "绿"):
            raise UserError("--light 须为 红|黄|绿 或 red|yellow|green", "--light must be red, yellow or green")
    return ProblemFilter(
        department_id=_department_id(engine, department) if department else None,
        statuses=status_values, lights=light_values,
        project_id=_project_id(engine, project) if project else None,
        open_only=open_only, kind=kind, category=category,
    )


# -- export ------------------------------------------------------------------------------------
@cli.group()
def export() -> None:
    """导出问题清单、项目台账 / export the problem list or the project ledger."""


@export.command("problems")
@click.option("--department", help="责任单位（名称、简称或编号） / department name or id")
@click.option("--status", "statuses", multiple=True, help="状态，可多个（逗号分隔） / status(es)")
@click.option("--light", "lights", multiple=True, help="红|黄|绿 或 red|yellow|green")
@click.option("--project", help="项目编号、名称或 id / project code, name or id")
@click.option("--open-only", is_flag=True, help="只导出未销号的问题 / only problems not yet closed")
@click.option("--kind", type=click.Choice(["问题", "任务", "议定事项"]), help="事项类型 / kind")
@click.option("--category", help="问题类别 / category")
@click.option("--sort", default="urgency", type=click.Choice(["urgency", "due", "project", "department", "status", "raised"]))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv", "md", "json"]),
              help="默认按 -o 的扩展名；无 -o 时输出 JSON / default from -o's suffix, JSON without -o")
@click.option("-o", "--output", type=PATH, help="输出文件 / output file")
@click.option("--split-by-department", "split_dir", type=click.Path(file_okay=False, path_type=Path),
              help="每个责任单位一个 xlsx，写入此目录 / one xlsx per department into DIR")
@click.pass_obj
@service_errors
def export_problems(state: CliState, department, statuses, lights, project, open_only, kind, category, sort, fmt,
                    output, split_dir) -> None:
    """问题清单 / the problem list (xlsx ledger, csv, md, json)."""
    from servicetui.reports import problem_list as pl

    engine = state.ready_engine()
    f = _problem_filter(engine, department, statuses, lights, project, open_only, kind, category)
    opts = pl.ProblemListOptions(filter=f, today=_today(state), sort=sort)
    if split_dir is not None:
        if fmt not in (None, "xlsx") or output is not None:
            raise UserError("--split-by-department 只生成 xlsx，不能与 -o 同用", "--split-by-department writes xlsx files; do not combine it with -o")
        res = pl.write_by_department(engine, opts, split_dir)
        _done(state, f"已导出 {res.rows} 项问题，{len(res.paths)} 个文件 → {split_dir}",
              f"exported {res.rows} problems into {len(res.paths)} files in {split_dir}")
        return
    fmt = _format(fmt, output, pl.FORMATS, "json" if output is None else "xlsx")
    if output is None:
        if fmt == "xlsx":
            raise UserError("xlsx 需要用 -o 指定输出文件", "xlsx needs an output file (-o FILE)")
        if fmt == "json":
            pl.dump_json(engine, opts, sys.stdout)
        else:
            import tempfile

            with tempfile.TemporaryDirectory() as d:
                tmp = Path(d) / f"out.{fmt}"
                pl.write_problem_list(engine, opts, tmp, fmt)
                sys.stdout.write(tmp.read_text(encoding="utf-8-sig"))
        return
    res = pl.write_problem_list(engine, opts, output, fmt)
    _done(state, f"已导出 {res.rows} 项问题 → {output}", f"exported {res.rows} problems to {output}")


@export.command("ledger")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), help="默认按 -o 的扩展名 / default from -o")
@click.option("-o", "--output", type=PATH, required=True, help="输出文件 / output file")
@click.option("--year", type=click.IntRange(1990, 2100), help="本年（默认今年） / the year of 本年实际到位")
@click.pass_obj
@service_errors
def export_ledger(state: CliState, fmt, output, year) -> None:
    """项目台账 / the project ledger."""
    from servicetui.reports.ledger import FORMATS, LedgerOptions, write_ledger

    engine = state.ready_engine()
    res = write_ledger(engine, LedgerOptions(today=_today(state), year=year), output,
                       _format(fmt, output, FORMATS, "xlsx"))
    _done(state, f"已导出 {res.rows} 个项目 → {output}", f"exported {res.rows} projects to {output}")


@export.command("decisions")
@click.option("--session", "session", default="last", show_default=True,
              help="调度会编号，或 last（最近一次） / meeting id, or 'last' (the latest)")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "md", "docx"]),
              help="默认按 -o 的扩展名；无 -o 时输出 md / default from -o's suffix, md without -o")
@click.option("-o", "--output", type=PATH, help="输出文件；md 可省略（输出到屏幕） / output file")
@click.pass_obj
@service_errors
def export_decisions(state: CliState, session, fmt, output) -> None:
    """议定事项清单 / the decisions of a dispatch meeting (xlsx, md, docx)."""
    from servicetui.reports import decisions as dec

    engine = state.ready_engine()
    sid = dec.session_ref(engine, session)
    fmt = _format(fmt, output, dec.FORMATS, "xlsx" if output is not None else "md")
    if output is None:
        if fmt != "md":
            raise UserError(f"{fmt} 需要用 -o 指定输出文件", f"{fmt} needs an output file (-o FILE)")
        sys.stdout.write(dec.render_md(dec.build(engine, sid, today=_today(state))))
        return
    res = dec.write_decisions(engine, sid, output, fmt, today=_today(state))
    _done(state, f"已导出 {res.rows} 项议定事项 → {output}", f"exported {res.rows} decisions to {output}")


# -- reports -----------------------------------------------------------------------------------
@cli.group()
def report() -> None:
    """月通报、季考核 / monthly bulletin and quarterly assessment."""


def _as_of(state: CliState, value: str | None) -> datetime | None:
    if value is None:
        return None
    from servicetui.reports.asof import end_of_day, to_utc

    if "T" in value or ":" in value:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise UserError(f"--as-of 无法识别：{value}", f"--as-of not understood: {value}") from exc
        return to_utc(moment.astimezone() if moment.tzinfo is None else moment)
    return end_of_day(parse_date_option(state, value, "--as-of"))


@report.command("monthly")
@click.option("--month", required=True, help="如 2022-09 / e.g. 2022-09")
@click.option("--format", "fmt", type=click.Choice(["docx", "md"]), help="默认按 -o 的扩展名 / default from -o")
@click.option("-o", "--output", type=PATH, help="输出文件；md 可省略（输出到屏幕） / output file")
@click.option("--as-of", "as_of", help="按该日（含当天）当时的数据生成 / the numbers as they stood on DATE")
@click.pass_obj
@service_errors
def report_monthly(state: CliState, month, fmt, output, as_of) -> None:
    """月通报 / the monthly bulletin."""
    from servicetui.reports.monthly import FORMATS, build_bulletin, parse_month, render_md, write_monthly

    year, m = parse_month(month)
    moment = _as_of(state, as_of)
    engine = state.ready_engine()
    fmt = _format(fmt, output, FORMATS, "docx" if output is not None else "md")
    if output is None:
        if fmt != "md":
            raise UserError("docx 需要用 -o 指定输出文件", "docx needs an output file (-o FILE)")
        click.echo(render_md(build_bulletin(engine, year, m, as_of=moment, today=state.today)))
        return
    write_monthly(engine, year, m, output, fmt, as_of=moment, today=state.today)
    _done(state, f"已生成月通报 → {output}", f"wrote the monthly bulletin to {output}")


@report.command("quarterly")
@click.option("--quarter", required=True, help="如 2022Q3 / e.g. 2022Q3")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "md"]), help="默认按 -o 的扩展名 / default from -o")
@click.option("-o", "--output", type=PATH, required=True, help="输出文件 / output file")
@click.option("--as-of", "as_of", help="按该日（含当天）当时的数据生成 / the numbers as they stood on DATE")
@click.pass_obj
@service_errors
def report_quarterly(state: CliState, quarter, fmt, output, as_of) -> None:
    """季考核 / the quarterly assessment of departments."""
    from servicetui.reports.quarterly import FORMATS, parse_quarter, write_quarterly

    year, q = parse_quarter(quarter)
    moment = _as_of(state, as_of)
    engine = state.ready_engine()
    res = write_quarterly(engine, year, q, output, _format(fmt, output, FORMATS, "xlsx"), today=_today(state),
                          as_of=moment)
    _done(state, f"已生成季考核（{res.rows} 个单位）→ {output}", f"wrote the assessment ({res.rows} departments) to {output}")


# -- template and import -----------------------------------------------------------------------
@cli.command()
@click.argument("kind", type=click.Choice(["projects", "problems"]))
@click.option("-o", "--output", type=PATH, required=True, help="输出的 xlsx 文件 / output xlsx")
@click.pass_obj
@service_errors
def template(state: CliState, kind, output) -> None:
    """空白导入模板 / a blank import template."""
    from servicetui.reports.templates import write_template

    write_template(kind, output)
    _done(state, f"已生成导入模板 → {output}", f"wrote the template to {output}")


@cli.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(["projects", "problems"]), help="默认按表头判断 / default: from the header")
@click.option("--dry-run", is_flag=True, help="只检查，不写入 / check only, write nothing")
@click.pass_obj
@service_errors
def import_cmd(state: CliState, file, kind, dry_run) -> None:
    """导入项目台账或问题清单（xlsx / csv）；有任何错误则什么也不写 / import all or nothing."""
    from servicetui.reports.importer import import_file

    ctx = state.ctx()
    res = import_file(ctx, file, kind=kind, dry_run=dry_run)
    lang = state.lang
    for issue in res.duplicates:
        click.echo(state.msg("已存在，跳过：", "skipped: ") + issue.message(lang), err=True)
    for issue in res.errors:
        click.echo(issue.message(lang), err=True)
    if not res.ok:
        more = res.error_count - len(res.errors)
        extra = state.msg(f"（另有 {more} 处未列出）", f" ({more} more not listed)") if more > 0 else ""
        raise UserError(f"导入失败：{res.error_count} 处错误{extra}，未写入任何数据",
                        f"import failed: {res.error_count} error(s){extra}; nothing was written")
    what = state.msg("项目" if res.kind == "projects" else "问题", res.kind)
    if dry_run:
        _done(state, f"试导入：{res.created} 行{what}可以导入，{len(res.duplicates)} 行已存在；未写入任何数据",
              f"dry run: {res.created} {what} can be imported, {len(res.duplicates)} already present; nothing written")
    else:
        _done(state, f"已导入 {res.created} 行{what}（{len(res.duplicates)} 行已存在，已跳过）",
              f"imported {res.created} {what} ({len(res.duplicates)} already present, skipped)")
