"""Blank import templates: sheet 1 「导入」 holds only the header row (fill it in, import it back);
sheet 2 「填写示例」 shows one example row. Header cells carry a comment with the allowed values,
and the choice columns get drop-down lists.
"""

from __future__ import annotations

import os
from pathlib import Path

from servicetui.domain.enums import Category, ProblemKind, ProblemStatus, ProjectKind, Stage
from servicetui.reports.common import ReportError, WriteResult, atomic_target
from servicetui.reports.xlsx_sheet import close_workbook

KINDS = ("projects", "problems")

# (header, width, comment, choices, example)
PROBLEM_TEMPLATE = [
    ("项目编号", 12, "可不填；填写时按编号匹配项目（项目名称重名时必须填写）", None, "XM2022-002"),
    ("项目名称", 30, "必填，须与系统中的项目名称一致", None, "思思食品年产2万吨航空系列食品加工项目"),
    ("问题", 36, "必填：问题/诉求的简要描述", None, "四号车间钢柱加工延迟"),
    ("类别", 10, "可选值见下拉列表；不填为「其他」", [c.value for c in Category], "基础设施"),
    ("事项类型", 10, "问题 / 任务 / 议定事项；不填为「问题」", [k.value for k in ProblemKind], "问题"),
    ("责任单位", 16, "须为系统中已有的责任单位（全称或简称）", None, "工业园区管委会"),
    ("配合单位", 16, "多个单位用「、」分隔", None, "发改局、住建局"),
    ("责任人", 10, "可不填；须为系统中已有的人员", None, ""),
    ("提出日期", 12, "如 2022-09-20；不填为导入当天", None, "2022-09-20"),
    ("办结时限", 12, "如 2022-10-14、10月14日", None, "2022-10-14"),
    ("状态", 10, "待交办 / 已交办 / 办理中 / 已办结 / 已销号；不填时有责任单位即为「已交办」",
     [s.value for s in ProblemStatus], "已交办"),
    ("办理进展", 36, "可不填；导入后记为一条办理进展", None, "已协调钢构厂加班生产"),
    ("详情", 30, "可不填", None, ""),
]
PROJECT_TEMPLATE = [
    ("项目编号", 12, "可不填，系统自动编号（XM年份-序号）", None, "XM2022-101"),
    ("项目名称", 30, "必填", None, "年产5000吨果蔬冻干项目"),
    ("企业", 24, "签约企业名称", None, "示例食品有限公司"),
    ("行业", 12, "", None, "食品加工"),
    ("园区/片区", 12, "须为系统中已有的园区或片区", None, ""),
    ("阶段", 8, "储备 / 在谈 / 签约 / 开工 / 在建 / 投产 / 达效；不填为「签约」", [s.value for s in Stage], "签约"),
    ("新引进/续建", 10, "不填为「新引进」", [k.value for k in ProjectKind], "新引进"),
    ("协议总投资（万元）", 12, "单位见表头：万元（表头写「亿元」时按亿元读取）；也可写「1.2亿」", None, 12000),
    ("年度计划（万元）", 12, "本年度计划投资，单位见表头", None, 3000),
    ("签约日期", 12, "", None, "2022-09-18"),
    ("开工日期", 12, "", None, ""),
    ("计划投产日期", 12, "", None, "2023-12-31"),
    ("包抓县领导", 10, "须为系统中已有的人员", None, ""),
    ("首席服务官", 10, "须为系统中已有的人员", None, ""),
    ("牵头单位", 16, "须为系统中已有的责任单位", None, ""),
    ("来源", 16, "签约活动等", None, ""),
    ("备注", 30, "", None, ""),
]


def write_template(kind: str, path: str | os.PathLike) -> WriteResult:
    if kind not in KINDS:
        raise ReportError(f"模板类型须为 projects 或 problems：{kind}", f"template must be projects or problems: {kind}")
    import xlsxwriter

    spec = PROBLEM_TEMPLATE if kind == "problems" else PROJECT_TEMPLATE
    with atomic_target(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        try:
            head = wb.add_format({"bold": True, "font_name": "宋体", "bg_color": "#D9D9D9", "border": 1,
                                  "align": "center", "valign": "vcenter", "text_wrap": True})
            cell = wb.add_format({"font_name": "宋体", "border": 1})
            sheet, example = wb.add_worksheet("导入"), wb.add_worksheet("填写示例")
            for ws in (sheet, example):
                ws.set_row(0, 30)
                ws.freeze_panes(1, 0)
            for i, (header, width, comment, choices, sample) in enumerate(spec):
                for ws in (sheet, example):
                    ws.set_column(i, i, width)
                    ws.write_string(0, i, header, head)
                if comment:
                    sheet.write_comment(0, i, comment, {"x_scale": 2})
                if choices:
                    sheet.data_validation(1, i, 5000, i, {"validate": "list", "source": choices})
                if isinstance(sample, int):
                    example.write_number(1, i, sample, cell)
                else:
                    example.write_string(1, i, sample, cell)
        finally:
            close_workbook(wb)
    return WriteResult([Path(path)], 0)
