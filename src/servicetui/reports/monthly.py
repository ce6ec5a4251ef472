"""月通报: the monthly bulletin, structured like the seed report.

    一、工作落实情况      （一）项目资金到位情况 — the seed's sentence with real numbers
                          （二）重点项目推进情况 — the largest projects under construction
                          （三）问题办理情况
    二、存在的问题        （一）到位资金为"零"的单位 （二）问题办理不及时 （三）项目储备
    三、下一步工作计划    an outline with 【请补充】 placeholders the officer completes

`build_bulletin` makes a format-free model (paragraphs with their outline level); `write_md`
renders Markdown here and `monthly_docx.write_docx` renders the Word file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from servicetui.reports.common import ReportError, WriteResult, atomic_target, pct_text, yi_text, zh_date
from servicetui.reports.figures import MonthlyFigures, month_end, monthly_figures

FORMATS = ("docx", "md")
TODO = "【请补充】"
CN_NUM = "一二三四五六七八九十"


@dataclass
class Para:
    """A paragraph. `lead` is its outline heading run ("（一）项目资金到位情况。"), `text` the body.

    level 1 = 一、(its own line, 黑体); 2 = （一）(楷体 lead); 3 = 1. ; 4 = （1）; 0 = body only.
    """

    text: str = ""
    lead: str = ""
    level: int = 0


@dataclass
class Bulletin:
    title: str
    paras: list[Para] = field(default_factory=list)
    signature: str = ""
    date_line: str = ""
    figures: MonthlyFigures | None = None

    def text(self) -> str:
        return "\n".join([self.title, *(p.lead + p.text for p in self.paras), self.signature, self.date_line])


def parse_month(value: str) -> tuple[int, int]:
    """"2022-09" / "2022-9" / "2022年9月" → (2022, 9)."""
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?\s*", value or "")
    if not m or not 1 <= int(m[2]) <= 12 or not 1990 <= int(m[1]) <= 2100:
        raise ReportError(f"月份格式应为 2022-09：{value}", f"month must look like 2022-09: {value}")
    return int(m[1]), int(m[2])


def _money_sentence(f: MonthlyFigures) -> str:
    if f.growth is None:
        growth = "（上年同期无到位资金，不计同比）"
    elif f.growth >= 0:
        growth = f"，同比增长{pct_text(f.growth)}"
    else:
        growth = f"，同比下降{pct_text(-f.growth)}"
    return (
        f"{f.period}，全县实施招商引资项目{f.all.projects}个，协议总投资{yi_text(f.all.agreed)}亿元，"
        f"实际到位资金{yi_text(f.all.funds)}亿元{growth}。"
        f"其中，新引进、新开工项目{f.new.projects}个，协议总投资{yi_text(f.new.agreed)}亿元，"
        f"实际到位资金{yi_text(f.new.funds)}亿元；续建项目{f.continuing.projects}个，"
        f"协议总投资{yi_text(f.continuing.agreed)}亿元，实际到位资金{yi_text(f.continuing.funds)}亿元。"
        f"全县组织招商引资活动共计{f.activities}批次，其中“走出去”{f.outbound}批次，“请进来”{f.inbound}次，"
        f"对接在谈项目{f.contacted}个。"
    )


def _as_of_label(f: MonthlyFigures) -> str:
    return f"{f.month}月底" if f.report_date == month_end(f.year, f.month) else zh_date(f.report_date)


def build_bulletin(engine, year: int, month: int, *, as_of: datetime | None = None,
                   today: date | None = None) -> Bulletin:
    from servicetui.services.entities import get_setting

    county, bureau = get_setting(engine, "county"), get_setting(engine, "bureau")
    f = monthly_figures(engine, year, month, as_of=as_of)
    until = _as_of_label(f)
    b = Bulletin(title=f"{county}{year}年{f.period}招商引资工作情况及下一步工作计划", figures=f)
    add = b.paras.append
    add(Para(f"今年以来，{county}招商引资工作对标上级招商引资工作要求，紧紧围绕全县经济工作会议精神，以创新招商引资方式、"
             "增强招商引资实效、形成招商引资合力为工作重点，稳步推进各项目标任务落实，具体情况如下："))

    add(Para(lead="一、工作落实情况", level=1))
    add(Para(_money_sentence(f), lead="（一）项目资金到位情况。", level=2))
    if f.key_projects:
        add(Para(f"认真落实“首席服务官”责任制，截至{until}，重点跟踪服务项目推进情况如下：",
                 lead="（二）重点项目推进情况。", level=2))
        for i, k in enumerate(f.key_projects, 1):
            problems = f"，未销号问题{k.open_problems}个" + (f"（其中逾期{k.overdue_problems}个）" if k.overdue_problems else "")
            add(Para(f"{k.name}（{k.company}），{k.stage}，协议总投资{yi_text(k.agreed)}亿元，形象进度{k.progress}%，"
                     f"本年到位资金{k.funds}万元{problems if k.open_problems else '，无未销号问题'}。",
                     lead=f"{i}.", level=3))
    else:
        add(Para(f"{TODO}重点项目推进情况。", lead="（二）重点项目推进情况。", level=2))
    add(Para(f"今年以来共收集项目问题{f.problems}个，已销号{f.problems_closed}个；截至{until}，"
             f"全县未销号问题{f.problems_open}个，其中逾期{f.overdue}个。",
             lead="（三）问题办理情况。", level=2))
    add(Para(f"{TODO}招商基础、签约活动等其他工作。", lead="（四）其他工作。", level=2))

    add(Para(lead="二、存在的问题", level=1))
    if f.zero_funds_departments:
        zero = f"截至{until}，{'、'.join(f.zero_funds_departments)}等{len(f.zero_funds_departments)}个责任单位到位资金为“零”。"
    else:
        zero = f"截至{until}，各责任单位均有到位资金。"
    add(Para(zero + f"个别责任单位招商引资信息及考察对接成果上报不及时。{TODO}",
             lead="（一）招商引资“头号工程”意识树立不牢。", level=2))
    if f.overdue_by_department:
        late = "、".join(f"{name}{n}个" for name, n in f.overdue_by_department)
        overdue = f"截至{until}，逾期未办结问题{f.overdue}个，其中：{late}。"
    else:
        overdue = f"截至{until}，无逾期未办结问题。"
    add(Para(overdue + f"要素保障部门对落地项目存在的困难和问题解决缓慢，致使项目推进滞后。{TODO}",
             lead="（二）要素保障水平有待提升。", level=2))
    share = pct_text(f.building_big_share)
    add(Para(f"截至{until}，全县招商引资入库在建项目{f.building}个，年度计划总投资{yi_text(f.building_plan)}亿元，"
             f"年度投资亿元以上的项目{f.building_big}个，仅占在建项目数量的{share}。目前在谈项目{f.negotiating}个。{TODO}",
             lead="（三）招商引资项目储备不足且质量不高。", level=2))

    add(Para(lead="三、下一步工作计划", level=1))
    for i, (lead, hint) in enumerate((
        ("进一步优化营商环境。", "强化要素保障、强化服务意识的具体措施"),
        ("进一步加大产业链招商。", "重点产业、外出招商计划和推介活动"),
        ("进一步凝聚工作合力。", "重点项目保障服务和各责任单位任务"),
    )):
        add(Para(f"一是{TODO}（{hint}）。二是{TODO}。", lead=f"（{CN_NUM[i]}）{lead}", level=2))
    b.signature = bureau
    b.date_line = zh_date(today or f.report_date)
    return b


# -- Markdown -----------------------------------------------------------------------------------
def render_md(b: Bulletin) -> str:
    out = [f"# {b.title}", ""]
    for p in b.paras:
        if p.level == 1:
            out += [f"## {p.lead}", ""]
        elif p.level == 2:
            out += [f"**{p.lead}**{p.text}", ""]
        elif p.level in (3, 4):
            lead = p.lead.replace(".", "\\.")
            out += [f"{lead}{p.text}", ""]
        else:
            out += [p.text, ""]
    out += [f"<p align=\"right\">{b.signature}<br>{b.date_line}</p>", ""]
    return "\n".join(out)


def write_monthly(engine, year: int, month: int, path: str | os.PathLike, fmt: str = "docx", *,
                  as_of: datetime | None = None, today: date | None = None, progress=None) -> WriteResult:
    if fmt not in FORMATS:
        raise ReportError(f"月通报不支持格式：{fmt}", f"the monthly bulletin cannot be written as {fmt}")
    b = build_bulletin(engine, year, month, as_of=as_of, today=today)
    if progress:
        progress(1, 2)
    with atomic_target(path) as tmp:
        if fmt == "md":
            tmp.write_text(render_md(b), encoding="utf-8")
        else:
            from servicetui.reports.monthly_docx import write_docx

            write_docx(b, tmp)
    if progress:
        progress(2, 2)
    return WriteResult([Path(path)], len(b.paras))
