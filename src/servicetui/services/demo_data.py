"""The demo county's data: the seed report's county as it stood at the end of September 2022
(`services.demo.build_demo` writes it through the services).

The seed report (seed/county-investment-report-2022-q3.txt) hides its numbers with "*". Every
number below that the seed hides, or does not give, is invented; the README may cite this table.

Invented numbers
================

| What | Seed text | Demo value |
|---|---|---|
| county name | *县 | 示范县 |
| park name | *工业园区 | 示范工业园区 (德胜、金贵、暖泉片区) |
| 思思食品 yearly output | 年产*吨 | 年产2万吨 |
| beer line yearly volume | 年罐装*亿升 | 年罐装1亿升 |
| delegation trip to 广东、福建 | *月*日-*日 | 2022-05-16 – 2022-05-20 |
| signing of 晶兰特 and 思思食品 | (at the trip's 企业恳谈会) | 2022-05-18, 深圳 |
| report assigning the follow-up (分工方案) | *月*日 | 2022-06-10 |
| 晶兰特 外出方案 drafted | *月底 | 2022-08-29 (task closed 2022-08-31) |
| training sessions | *次 | 2 (2022-04-20, 2022-06-28) |
| 走出去 batches in 2022 Jan–Sep | *批次 | 4 |
| 请进来 visits in 2022 Jan–Sep | *次 | 4 |
| projects in the ledger | *个 | 12 (7 新引进, 5 续建) |
| projects under negotiation (在谈) | *个 | 3 (beer, 枸杞, 成功红) |
| agreed investment, all projects | *亿元 | 52.0 亿元 (520,000 万元) |
| agreed investment, 新引进 / 续建 | *亿元 | 23.8 / 28.2 亿元 |
| funds in place 2022 Jan–Sep | *亿元 | 4.0840 亿元 (40,840 万元) |
| funds in place 2021 Jan–Sep | (for 同比) | 3.4060 亿元 (34,060 万元); whole 2021: 48,640 万元 |
| year-on-year growth | *% | +19.9 % |
| funds in place 2022 Jan–Sep, 新引进 / 续建 | *亿元 | 1.6180 / 2.4660 亿元 |
| projects 在建 at the end of September | *个 | 6 (plus 1 开工, 1 投产) |
| annual plan of the 在建 projects | *亿元 | 5.95 亿元 (59,500 万元) |
| 在建 projects planning ≥ 1 亿元 this year | *% | 33 % (2 of 6: 思思食品, 图兰朵) |

Agreed investments (万元): 晶兰特 50,000; 思思食品 30,000; 爱至礼 80,000; 图兰朵 120,000;
电子陶瓷 60,000; 啤酒 40,000; 枸杞 8,000; 成功红 35,000; 新型建材 25,000; 有机肥 12,000;
铝型材 45,000; 冷链物流 15,000. Annual plans 2022 (万元): 晶兰特 5,000; 思思食品 15,000; 爱至礼 8,000;
图兰朵 12,000; 电子陶瓷 9,000; 新型建材 6,000; 有机肥 3,000; 铝型材 9,500; 冷链物流 4,000; 在谈 0.

Problems on 2022-09-30 (17 问题 + 3 任务): 待交办 1, 已交办 5, 办理中 7 (one reopened), 已办结 2 (awaiting
销号), 已销号 5 (4 on time, 1 late); overdue 4 (德胜片区土地 30 days, 县领导督办; 融资 督办), due within 3
days 3 (用电 today, 钢柱 10-02, 规划许可 10-03).

Company names other than 深圳市晶兰特科技有限公司, all people,
phone numbers, dates of milestones, problems and funds are invented too.

Monthly funds (万元) are `base × SEASON[month] // 100` (see `FUNDS`), so 2021 and 2022 can be
compared month by month; 晶兰特 and the three 在谈 projects have no funds; 工商联、住建局、财政局
have a yearly funds target but lead no project, so "departments with zero funds" is not empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from servicetui.domain.enums import (
    ActivityKind,
    Category,
    MilestoneStatus,
    ProblemKind,
    ProjectKind,
    Role,
    Stage,
)

DEMO_TODAY = date(2022, 9, 30)
DEMO_USER = "liming"  # 李明, 首席服务官 of 晶兰特, 思思食品, 啤酒 and 铝型材
DEMO_ACTOR = "demo"  # who "typed in" the ledger (not a person; department and officer steps use names)

D = date
NOT, RUN, DONE, BLOCKED = (
    MilestoneStatus.NOT_STARTED.value,
    MilestoneStatus.IN_PROGRESS.value,
    MilestoneStatus.DONE.value,
    MilestoneStatus.BLOCKED.value,
)

SETTINGS = {"county": "示范县", "bureau": "县投资促进局", "warn_days": "3"}

PARK = "示范工业园区"
ZONES = ("德胜片区", "金贵片区", "暖泉片区")

# name, short name, yearly funds target (万元), phone
DEPARTMENTS: tuple[tuple[str, str, int, str], ...] = (
    ("自然资源局", "自然资源", 0, "0951-5010001"),
    ("供电公司", "供电", 0, "0951-5010002"),
    ("人社局", "人社", 0, "0951-5010003"),
    ("工业园区管委会", "管委会", 20_000, "0951-5010004"),
    ("工商联", "工商联", 5_000, "0951-5010005"),
    ("发改局", "发改", 10_000, "0951-5010006"),
    ("住建局", "住建", 3_000, "0951-5010007"),
    ("生态环境局", "生态环境", 0, "0951-5010008"),
    ("行政审批服务局", "审批", 0, "0951-5010009"),
    ("商务和投资促进局", "投促", 30_000, "0951-5010010"),
    ("农业农村局", "农业农村", 8_000, "0951-5010011"),
    ("文旅局", "文旅", 6_000, "0951-5010012"),
    ("财政局", "财政", 2_000, "0951-5010013"),
)

# name, login, role, title, department
PEOPLE: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("张建国", "zhangjianguo", Role.LEADER.value, "县委副书记、县长", None),
    ("王志强", "wangzhiqiang", Role.LEADER.value, "县委常委、常务副县长", None),
    ("马玉兰", "mayulan", Role.LEADER.value, "副县长", None),
    ("李明", DEMO_USER, Role.OFFICER.value, "县投资促进局副局长", "商务和投资促进局"),
    ("陈静", "chenjing", Role.OFFICER.value, "县投资促进局招商股股长", "商务和投资促进局"),
    ("刘洋", "liuyang", Role.OFFICER.value, "工业园区管委会副主任", "工业园区管委会"),
    ("赵磊", "zhaolei", Role.OFFICER.value, "发改局副局长", "发改局"),
    ("孙涛", "suntao", Role.CONTACT.value, "自然资源局用地股", "自然资源局"),
    ("周伟", "zhouwei", Role.CONTACT.value, "供电公司客户服务中心", "供电公司"),
    ("吴敏", "wumin", Role.CONTACT.value, "人社局就业股", "人社局"),
    ("郑浩", "zhenghao", Role.CONTACT.value, "工业园区管委会企业服务科", "工业园区管委会"),
    ("何丽", "heli", Role.CONTACT.value, "工商联办公室", "工商联"),
    ("高峰", "gaofeng", Role.CONTACT.value, "行政审批服务局项目代办中心", "行政审批服务局"),
    ("杨帆", "yangfan", Role.CONTACT.value, "住建局建管股", "住建局"),
)

TRIP = "自治区党政代表团赴广东福建考察签约"


@dataclass(frozen=True)
class P:
    """A project of the demo ledger."""

    code: str
    name: str
    company: str
    industry: str
    park: str | None
    kind: str
    stage: str
    agreed: int
    plan: int
    signed: date | None
    start: date | None
    target: date | None
    leader: str
    officer: str
    dept: str
    source: str = ""
    stalled: bool = False
    notes: str = ""


NEW, CONT = ProjectKind.NEW.value, ProjectKind.CONTINUING.value

PROJECTS: tuple[P, ...] = (
    P("XM2022-001", "深圳市晶兰特科技有限公司LED电子屏生产线项目", "深圳市晶兰特科技有限公司", "电子信息",
      "金贵片区", NEW, Stage.SIGNED.value, 50_000, 5_000, D(2022, 5, 18), None, D(2023, 12, 31),
      "张建国", "李明", "商务和投资促进局", TRIP,
      notes="按分工方案对接企业；8月底已起草外出方案，计划由县政府主要领导再次赴深圳考察对接。"),
    P("XM2022-002", "思思食品年产2万吨航空系列食品加工项目", "福建思思食品有限公司", "食品加工",
      "金贵片区", NEW, Stage.BUILDING.value, 30_000, 15_000, D(2022, 5, 18), D(2022, 6, 15), D(2023, 6, 30),
      "王志强", "李明", "工业园区管委会", TRIP,
      notes="一、二、三号车间已完成地基工程，正在进行屋顶C型钢、拉筋安装施工；二号车间正在进行地面硬化；"
            "四号车间已完成地面基础施工，正在等待钢柱加工生产。"),
    P("XM2022-003", "爱至礼观光产业园", "爱至礼文化旅游发展有限公司", "文化旅游",
      None, CONT, Stage.BUILDING.value, 80_000, 8_000, D(2021, 3, 18), D(2021, 5, 10), D(2023, 10, 31),
      "马玉兰", "陈静", "文旅局", "2021年春季重点项目集中签约"),
    P("XM2022-004", "图兰朵葡萄酒小镇", "图兰朵酒庄有限公司", "葡萄酒",
      None, CONT, Stage.BUILDING.value, 120_000, 12_000, D(2020, 9, 25), D(2021, 4, 1), D(2024, 9, 30),
      "张建国", "陈静", "农业农村局", "2020年葡萄酒产业招商推介会签约"),
    P("XM2022-005", "电子陶瓷封装材料项目", "华瓷电子材料有限公司", "新材料",
      "德胜片区", NEW, Stage.BUILDING.value, 60_000, 9_000, D(2022, 1, 20), D(2022, 4, 15), D(2023, 12, 31),
      "王志强", "刘洋", "工业园区管委会", "赴浙江产业链招商对接",
      notes="一期一号厂房在建；二期用地涉及德胜片区土地遗留问题。"),
    P("XM2022-006", "年罐装1亿升易拉罐啤酒生产线项目", "海川啤酒有限公司", "食品饮料",
      "暖泉片区", NEW, Stage.NEGOTIATING.value, 40_000, 0, None, None, None,
      "王志强", "李明", "发改局", "赴山东考察对接", notes="相对成熟的在谈项目，正在办理前期手续。"),
    P("XM2022-007", "枸杞食品车间及职工宿舍楼建设项目", "杞源食品有限公司", "枸杞深加工",
      "暖泉片区", NEW, Stage.NEGOTIATING.value, 8_000, 0, None, None, None,
      "马玉兰", "刘洋", "农业农村局", "企业来县考察", notes="相对成熟的在谈项目，正在办理前期手续。"),
    P("XM2022-008", "成功红葡萄酒产学研及文旅综合开发项目", "成功红酒业有限公司", "葡萄酒、文旅",
      None, NEW, Stage.NEGOTIATING.value, 35_000, 0, None, None, None,
      "马玉兰", "陈静", "文旅局", "企业来县考察", notes="相对成熟的在谈项目，正在办理前期手续。"),
    P("XM2022-009", "年产10万吨新型环保建材项目", "金石建材有限公司", "建材",
      "金贵片区", CONT, Stage.BUILDING.value, 25_000, 6_000, D(2020, 11, 12), D(2021, 3, 20), D(2022, 12, 31),
      "王志强", "赵磊", "工业园区管委会", "", stalled=True,
      notes="企业流动资金紧张，5月起停工。"),
    P("XM2022-010", "年产5万吨有机肥加工项目", "绿源生物科技有限公司", "农业",
      "暖泉片区", CONT, Stage.PRODUCING.value, 12_000, 3_000, D(2020, 12, 8), D(2021, 4, 18), D(2022, 7, 31),
      "马玉兰", "刘洋", "农业农村局", "", notes="2022年7月20日投产。"),
    P("XM2022-011", "光伏组件边框铝型材生产项目", "光华铝业有限公司", "新材料",
      "德胜片区", CONT, Stage.BUILDING.value, 45_000, 9_500, D(2021, 6, 22), D(2021, 8, 10), D(2023, 3, 31),
      "张建国", "李明", "发改局", "2021年招商引资项目推介会签约"),
    P("XM2022-012", "冷链物流园项目", "丰达冷链物流有限公司", "现代物流",
      "金贵片区", NEW, Stage.STARTED.value, 15_000, 4_000, D(2022, 6, 28), D(2022, 8, 8), D(2023, 8, 31),
      "张建国", "赵磊", "商务和投资促进局", "请进来考察对接"),
)

# -- funds ------------------------------------------------------------------------------------
# Monthly share of the base (percent): winter months are slow on building sites.
SEASON = {1: 30, 2: 40, 3: 80, 4: 100, 5: 120, 6: 120, 7: 110, 8: 110, 9: 120, 10: 110, 11: 100, 12: 60}

# code -> {year: (base 万元 per month, first month, last month)}; amount = base * SEASON // 100
FUNDS: dict[str, dict[int, tuple[int, int, int]]] = {
    "XM2022-002": {2022: (1_000, 6, 9)},  # 思思食品: from the start of construction
    "XM2022-003": {2021: (600, 5, 12), 2022: (700, 1, 9)},  # 爱至礼
    "XM2022-004": {2021: (1_200, 1, 12), 2022: (800, 1, 9)},  # 图兰朵
    "XM2022-005": {2022: (1_500, 4, 9)},  # 电子陶瓷
    "XM2022-009": {2021: (800, 3, 12), 2022: (300, 1, 4)},  # 新型建材: stalled since May
    "XM2022-010": {2021: (1_800, 4, 12), 2022: (250, 1, 7)},  # 有机肥: built in 2021
    "XM2022-011": {2021: (1_000, 8, 12), 2022: (1_200, 1, 9)},  # 铝型材
    "XM2022-012": {2022: (600, 8, 9)},  # 冷链物流
}


def monthly_funds() -> list[tuple[str, int, int, int]]:
    """(code, year, month, amount 万元) of every funds report of the demo, in order."""
    out = []
    for code, years in FUNDS.items():
        for year, (base, first, last) in sorted(years.items()):
            for month in range(first, last + 1):
                if year == DEMO_TODAY.year and month > DEMO_TODAY.month:
                    break
                out.append((code, year, month, base * SEASON[month] // 100))
    return out


# -- units and milestones ---------------------------------------------------------------------
# One row per milestone in standard order: (status, planned, actual start, actual finish, blocker).
# A planned date given as (baseline, replanned) is set twice, so the milestone records one slip.
M = tuple[str, Any, date | None, date | None, str]


def _later(*, equip: date, accept: date, produce: date) -> list[M]:
    """设备安装, 竣工验收, 投产: not started, with their planned dates."""
    return [
        (NOT, equip, None, None, ""),
        (NOT, accept, None, None, ""),
        (NOT, produce, None, None, ""),
    ]


SISI_TAIL = dict(equip=D(2023, 3, 31), accept=D(2023, 5, 31), produce=D(2023, 6, 30))

UNITS: dict[str, list[tuple[str, list[M]]]] = {
    # 思思食品: exactly as the seed report on 2022-09-30.
    "XM2022-002": [
        ("一号车间", [
            (DONE, D(2022, 7, 20), D(2022, 6, 20), D(2022, 7, 18), ""),  # 地基
            (DONE, D(2022, 8, 31), D(2022, 7, 22), D(2022, 8, 28), ""),  # 主体钢结构
            (RUN, D(2022, 10, 15), D(2022, 9, 5), None, ""),  # 屋面钢结构: C型钢、拉筋
            (NOT, D(2022, 10, 31), None, None, ""),  # 地面硬化
            *_later(**SISI_TAIL),
        ]),
        ("二号车间", [
            (DONE, D(2022, 7, 25), D(2022, 6, 22), D(2022, 7, 22), ""),
            (DONE, D(2022, 9, 5), D(2022, 7, 26), D(2022, 9, 2), ""),
            (RUN, D(2022, 10, 20), D(2022, 9, 8), None, ""),
            (RUN, D(2022, 10, 20), D(2022, 9, 20), None, ""),  # 地面硬化 in progress
            *_later(**SISI_TAIL),
        ]),
        ("三号车间", [
            (DONE, D(2022, 7, 31), D(2022, 6, 28), D(2022, 7, 29), ""),
            (DONE, D(2022, 9, 10), D(2022, 8, 2), D(2022, 9, 8), ""),
            (RUN, D(2022, 10, 25), D(2022, 9, 14), None, ""),
            (NOT, D(2022, 11, 10), None, None, ""),
            *_later(**SISI_TAIL),
        ]),
        ("四号车间", [
            (DONE, D(2022, 8, 20), D(2022, 7, 25), D(2022, 8, 18), ""),  # 地面基础施工完成
            (BLOCKED, D(2022, 9, 25), None, None, "等待钢柱加工"),
            (NOT, D(2022, 11, 15), None, None, ""),
            (NOT, D(2022, 11, 30), None, None, ""),
            *_later(equip=D(2023, 4, 15), accept=D(2023, 5, 31), produce=D(2023, 6, 30)),
        ]),
    ],
    # 电子陶瓷: the steel frame of 一号厂房 slipped once and is still behind; 二期 waits for land.
    "XM2022-005": [
        ("一号厂房", [
            (DONE, D(2022, 5, 31), D(2022, 4, 20), D(2022, 5, 28), ""),
            (RUN, (D(2022, 8, 31), D(2022, 9, 20)), D(2022, 6, 10), None, ""),  # 10 days behind
            (NOT, D(2022, 10, 31), None, None, ""),
            (NOT, D(2022, 11, 20), None, None, ""),
            *_later(equip=D(2023, 6, 30), accept=D(2023, 10, 31), produce=D(2023, 12, 31)),
        ]),
        ("二期厂房", [
            (BLOCKED, D(2022, 10, 31), None, None, "等待德胜片区遗留地块处置"),
            (NOT, D(2023, 3, 31), None, None, ""),
            (NOT, D(2023, 5, 31), None, None, ""),
            (NOT, D(2023, 6, 30), None, None, ""),
            *_later(equip=D(2023, 9, 30), accept=D(2023, 11, 30), produce=D(2023, 12, 31)),
        ]),
    ],
    # 图兰朵: the winery is being fitted out; the visitor centre is on schedule.
    "XM2022-004": [
        ("酒庄主楼", [
            (DONE, D(2021, 6, 30), D(2021, 4, 5), D(2021, 6, 25), ""),
            (DONE, D(2021, 10, 31), D(2021, 7, 1), D(2021, 10, 28), ""),
            (DONE, D(2022, 5, 31), D(2022, 3, 20), D(2022, 5, 26), ""),
            (DONE, D(2022, 7, 31), D(2022, 6, 1), D(2022, 7, 20), ""),
            (RUN, D(2022, 10, 31), D(2022, 8, 10), None, ""),
            (NOT, D(2023, 3, 31), None, None, ""),
            (NOT, D(2023, 9, 30), None, None, ""),
        ]),
        ("游客中心", [
            (DONE, D(2022, 4, 30), D(2022, 3, 25), D(2022, 4, 28), ""),
            (RUN, D(2022, 10, 20), D(2022, 6, 15), None, ""),
            (NOT, D(2022, 11, 30), None, None, ""),
            (NOT, D(2023, 4, 30), None, None, ""),
            (NOT, D(2023, 6, 30), None, None, ""),
            (NOT, D(2023, 8, 31), None, None, ""),
            (NOT, D(2024, 9, 30), None, None, ""),
        ]),
    ],
    # 新型建材 (stalled): work stopped with the steel frame half done.
    "XM2022-009": [
        ("生产车间", [
            (DONE, D(2021, 6, 30), D(2021, 3, 25), D(2021, 6, 20), ""),
            (BLOCKED, D(2022, 6, 30), D(2021, 9, 1), None, "企业流动资金紧张，施工暂停"),
            (NOT, D(2022, 8, 31), None, None, ""),
            (NOT, D(2022, 9, 30), None, None, ""),
            (NOT, D(2022, 11, 15), None, None, ""),
            (NOT, D(2022, 12, 15), None, None, ""),
            (NOT, D(2022, 12, 31), None, None, ""),
        ]),
    ],
    # 有机肥: in production since July.
    "XM2022-010": [
        ("发酵车间", [
            (DONE, D(2021, 6, 15), D(2021, 4, 20), D(2021, 6, 10), ""),
            (DONE, D(2021, 9, 15), D(2021, 6, 15), D(2021, 9, 10), ""),
            (DONE, D(2021, 10, 31), D(2021, 9, 12), D(2021, 10, 25), ""),
            (DONE, D(2022, 4, 30), D(2022, 3, 25), D(2022, 4, 26), ""),
            (DONE, D(2022, 6, 15), D(2022, 5, 5), D(2022, 6, 12), ""),
            (DONE, D(2022, 7, 10), D(2022, 6, 20), D(2022, 7, 8), ""),
            (DONE, D(2022, 7, 31), D(2022, 7, 20), D(2022, 7, 20), ""),
        ]),
    ],
    # 铝型材: the extrusion shop's floor is 10 days behind plan.
    "XM2022-011": [
        ("熔铸车间", [
            (DONE, D(2021, 10, 31), D(2021, 8, 15), D(2021, 10, 26), ""),
            (DONE, D(2022, 5, 31), D(2022, 3, 15), D(2022, 5, 25), ""),
            (DONE, D(2022, 7, 15), D(2022, 6, 1), D(2022, 7, 12), ""),
            (DONE, D(2022, 8, 31), D(2022, 7, 20), D(2022, 8, 26), ""),
            (RUN, D(2022, 11, 30), D(2022, 9, 1), None, ""),
            (NOT, D(2023, 2, 28), None, None, ""),
            (NOT, D(2023, 3, 31), None, None, ""),
        ]),
        ("挤压车间", [
            (DONE, D(2021, 11, 15), D(2021, 9, 1), D(2021, 11, 10), ""),
            (DONE, D(2022, 6, 15), D(2022, 3, 20), D(2022, 6, 12), ""),
            (DONE, D(2022, 8, 15), D(2022, 6, 20), D(2022, 8, 10), ""),
            (RUN, D(2022, 9, 20), D(2022, 8, 20), None, ""),  # 10 days behind
            (NOT, D(2022, 12, 31), None, None, ""),
            (NOT, D(2023, 2, 28), None, None, ""),
            (NOT, D(2023, 3, 31), None, None, ""),
        ]),
    ],
    # 冷链物流: just started.
    "XM2022-012": [
        ("冷库", [
            (RUN, D(2022, 10, 31), D(2022, 8, 10), None, ""),
            (NOT, D(2022, 12, 31), None, None, ""),
            (NOT, D(2023, 3, 31), None, None, ""),
            (NOT, D(2023, 4, 30), None, None, ""),
            (NOT, D(2023, 6, 30), None, None, ""),
            (NOT, D(2023, 7, 31), None, None, ""),
            (NOT, D(2023, 8, 31), None, None, ""),
        ]),
    ],
}


# -- problems and tasks -----------------------------------------------------------------------
@dataclass(frozen=True)
class S:
    """One step in a problem's life: what happened on which day, by whom (None = the usual actor:
    the department's contact for advance/done/note, the project's officer for close/escalate/
    reopen/due)."""

    on: date
    action: str  # advance | done | close | note | escalate | reopen | due
    text: str = ""
    actor: str | None = None
    due: date | None = None


@dataclass(frozen=True)
class Q:
    """A problem (问题) or task (任务) of the demo with its history."""

    project: str
    title: str
    category: str
    dept: str | None
    raised: date
    due: date | None
    steps: tuple[S, ...] = ()
    kind: str = ProblemKind.PROBLEM.value
    co: str = ""
    detail: str = ""
    assign: bool = True


C = Category
PROBLEMS: tuple[Q, ...] = (
    # -- the seed's problems ------------------------------------------------------------------
    Q("XM2022-005", "德胜片区土地遗留问题：二期用地涉及3宗历史遗留地块未完成处置", C.LAND, "自然资源局",
      D(2022, 6, 15), D(2022, 8, 31), co="工业园区管委会",
      detail="德胜片区因土地等遗留问题较多，二期厂房无法按期开工。",
      steps=(
          S(D(2022, 6, 20), "advance", "已调取德胜片区历史用地档案，逐宗核查权属"),
          S(D(2022, 7, 15), "note", "3宗地块中1宗已完成权属核查，另2宗涉及村集体补偿，尚未谈妥"),
          S(D(2022, 9, 5), "escalate", "逾期未办结，列入督办"),
          S(D(2022, 9, 20), "escalate", "提请县领导协调村集体补偿事宜"),
          S(D(2022, 9, 26), "note", "王志强副县长召集专题会，明确10月底前签订补偿协议", actor="王志强"),
      )),
    Q("XM2022-009", "要素保障部门对项目困难和问题解决缓慢，项目推进滞后", C.OTHER, "发改局",
      D(2022, 7, 20), D(2022, 9, 15), co="自然资源局、供电公司、住建局",
      detail="要素保障部门对落地项目存在的困难和问题解决缓慢，致使项目推进滞后。"),
    Q("XM2022-012", "招商引资信息及考察对接成果上报不及时", C.OTHER, "商务和投资促进局",
      D(2022, 8, 5), D(2022, 9, 30), co="各招商引资责任单位",
      detail="个别责任部门存在招商引资信息及考察对接成果上报不及时的情况，影响月通报数据统计。",
      steps=(
          S(D(2022, 8, 10), "advance", "已下发通知，要求各责任单位每月25日前报送", actor="陈静"),
          S(D(2022, 9, 28), "done", "9月各责任单位均已按时报送，建立月报提醒机制", actor="陈静"),
      )),
    Q("XM2022-002", "四号车间钢柱加工延迟", C.OTHER, "工业园区管委会",
      D(2022, 9, 26), D(2022, 10, 2), co="",
      detail="四号车间已完成地面基础施工，钢柱由外地钢构厂加工，交货延迟，主体钢结构无法施工。",
      steps=(
          S(D(2022, 9, 27), "advance", "管委会已联系钢构加工厂，催促加快加工进度"),
          S(D(2022, 9, 29), "note", "加工厂反馈预计10月上旬分两批发货"),
      )),
    # -- 要素保障: power, labour, financing, approvals, water, infrastructure ------------------
    Q("XM2022-011", "生产线用电负荷不足，需新建10千伏专线", C.POWER, "供电公司",
      D(2022, 7, 5), D(2022, 9, 30), co="工业园区管委会",
      steps=(
          S(D(2022, 7, 12), "advance", "已完成现场勘察，编制供电方案"),
          S(D(2022, 8, 30), "note", "供电方案已批复，线路施工招标中"),
          S(D(2022, 9, 26), "note", "线路已架设完成80%，计划9月底送电"),
      )),
    Q("XM2022-010", "投产后缺少一线操作工约60人", C.LABOUR, "人社局",
      D(2022, 7, 15), D(2022, 8, 15),
      steps=(
          S(D(2022, 7, 18), "advance", "已发布招聘信息，组织专场招聘会"),
          S(D(2022, 8, 12), "done", "专场招聘会达成就业意向72人，已到岗61人"),
          S(D(2022, 8, 16), "close", "企业确认用工已满足，销号"),
      )),
    Q("XM2022-009", "企业流动资金紧张，申请续贷及政银企对接", C.FINANCE, "工商联",
      D(2022, 5, 10), D(2022, 7, 31), co="财政局",
      steps=(
          S(D(2022, 5, 16), "advance", "已组织两家银行与企业对接"),
          S(D(2022, 7, 20), "note", "银行要求补充抵押物，企业正在评估"),
          S(D(2022, 8, 8), "escalate", "逾期未办结，列入督办"),
          S(D(2022, 9, 15), "due", "银行授信审批延长，调整办结时限", due=D(2022, 9, 25)),
      )),
    Q("XM2022-006", "项目立项备案及环评手续办理", C.APPROVAL, "行政审批服务局",
      D(2022, 8, 20), D(2022, 10, 20), co="发改局、生态环境局",
      detail="项目审批手续由专人代办。",
      steps=(
          S(D(2022, 8, 25), "advance", "项目代办员已对接企业，立项备案材料已受理"),
          S(D(2022, 9, 22), "note", "立项备案已完成，环评报告编制中"),
      )),
    Q("XM2022-007", "项目用地规划许可办理", C.PLANNING, "自然资源局",
      D(2022, 9, 1), D(2022, 10, 3)),
    Q("XM2022-008", "文旅综合开发用地性质调整", C.LAND, "自然资源局",
      D(2022, 9, 20), None, assign=False,
      detail="拟用地现为农用地，需调整用地性质后方可落地，待研究交办。"),
    Q("XM2022-004", "游客中心施工用水管网接入", C.WATER, "住建局",
      D(2022, 6, 1), D(2022, 7, 15),
      steps=(
          S(D(2022, 6, 6), "advance", "已完成管网接入设计"),
          S(D(2022, 7, 10), "done", "管网已接通并试压合格"),
          S(D(2022, 7, 12), "close", "现场核实已通水，销号"),
      )),
    Q("XM2022-003", "观光道路与县道连接线建设", C.INFRA, "住建局",
      D(2022, 4, 10), D(2022, 6, 30),
      steps=(
          S(D(2022, 4, 18), "advance", "连接线纳入年度道路建设计划"),
          S(D(2022, 6, 28), "note", "受疫情影响，施工队伍进场推迟"),
          S(D(2022, 7, 20), "done", "连接线已通车"),
          S(D(2022, 7, 25), "close", "现场核实已通车，逾期办结，销号"),
      )),
    Q("XM2022-002", "施工临时用电接入", C.POWER, "供电公司",
      D(2022, 6, 10), D(2022, 6, 25),
      steps=(
          S(D(2022, 6, 13), "advance", "已安排施工临时变压器"),
          S(D(2022, 6, 22), "done", "临时用电已接通"),
          S(D(2022, 6, 24), "close", "企业确认已用电，销号"),
      )),
    Q("XM2022-002", "招聘食品加工技术工人", C.LABOUR, "人社局",
      D(2022, 9, 15), D(2022, 11, 30),
      detail="一期投产前需招聘食品加工技术工人约120人，并开展岗前培训。"),
    Q("XM2022-012", "冷库建设用气接入", C.GAS, "住建局",
      D(2022, 8, 25), D(2022, 9, 29)),
    Q("XM2022-010", "环保验收整改：除尘设施", C.APPROVAL, "生态环境局",
      D(2022, 8, 1), D(2022, 8, 31),
      steps=(
          S(D(2022, 8, 3), "advance", "已现场检查，提出整改意见"),
          S(D(2022, 8, 30), "done", "企业已完成除尘设施整改", actor="demo"),
          S(D(2022, 9, 1), "close", "整改完成，销号"),
          S(D(2022, 9, 10), "reopen", "复查发现除尘设施未整改到位"),
          S(D(2022, 9, 12), "due", "整改期限延长", due=D(2022, 10, 10)),
      )),
    Q("XM2022-011", "厂房施工许可证办理", C.APPROVAL, "行政审批服务局",
      D(2022, 8, 1), D(2022, 9, 15),
      steps=(
          S(D(2022, 8, 3), "advance", "代办员已受理"),
          S(D(2022, 9, 13), "done", "施工许可证已核发"),
      )),
    # -- tasks of the 分工方案 -----------------------------------------------------------------
    Q("XM2022-001", "根据分工方案对接晶兰特科技，起草外出方案", C.OTHER, "商务和投资促进局",
      D(2022, 6, 10), D(2022, 8, 31), kind=ProblemKind.TASK.value,
      detail="贯彻落实自治区党政代表团赴广东福建考察合作成果分工方案。",
      steps=(
          S(D(2022, 6, 15), "advance", "已与企业对接，了解项目选址需求", actor="李明"),
          S(D(2022, 8, 29), "done", "已起草赴深圳考察外出方案", actor="李明"),
          S(D(2022, 8, 31), "close", "外出方案已报县政府，销号"),
      )),
    Q("XM2022-001", "县政府主要领导带队赴深圳再次考察晶兰特科技", C.OTHER, "商务和投资促进局",
      D(2022, 9, 1), D(2022, 10, 31), kind=ProblemKind.TASK.value),
    Q("XM2022-002", "根据分工方案做好思思食品项目建设服务保障", C.OTHER, "工业园区管委会",
      D(2022, 6, 10), D(2022, 12, 31), kind=ProblemKind.TASK.value,
      steps=(S(D(2022, 6, 20), "advance", "管委会已明确专人负责企业服务"),)),
)


# -- activities -------------------------------------------------------------------------------
ACTIVITIES: tuple[dict[str, Any], ...] = (
    dict(kind=ActivityKind.OUTBOUND.value, on=D(2022, 3, 21), title="赴北京开展招商引资考察", place="北京",
         people="张建国、李明、陈静", projects_contacted="电子信息产业项目\n新能源装备项目"),
    dict(kind=ActivityKind.OUTBOUND.value, on=D(2022, 5, 16), title="随自治区党政代表团赴广东、福建考察学习",
         place="深圳、泉州、厦门、福州", people="张建国、王志强、李明",
         projects_contacted="深圳市晶兰特科技有限公司LED电子屏生产线项目\n思思食品年产2万吨航空系列食品加工项目\n"
                            "电子陶瓷封装材料二期项目\n冷链物流园项目",
         notes="5月16日-20日；深化东西部协作，加强粤宁、闽宁合作。"),
    dict(kind=ActivityKind.OUTBOUND.value, on=D(2022, 7, 12), title="赴山东青岛、烟台考察对接啤酒及食品企业",
         place="青岛、烟台", people="王志强、李明、赵磊",
         projects_contacted="年罐装1亿升易拉罐啤酒生产线项目\n食品包装材料项目"),
    dict(kind=ActivityKind.OUTBOUND.value, on=D(2022, 8, 22), title="赴浙江杭州对接电子陶瓷产业链企业",
         place="杭州", people="王志强、刘洋", projects_contacted="电子陶瓷封装材料项目\n电子元器件配套项目"),
    dict(kind=ActivityKind.INBOUND.value, on=D(2022, 4, 8), title="啤酒企业来县考察暖泉片区", place="暖泉片区",
         people="王志强、李明", projects_contacted="年罐装1亿升易拉罐啤酒生产线项目"),
    dict(kind=ActivityKind.INBOUND.value, on=D(2022, 6, 15), title="成功红酒业来县考察葡萄酒产区",
         place="图兰朵葡萄酒小镇", people="马玉兰、陈静",
         projects_contacted="成功红葡萄酒产学研及文旅综合开发项目"),
    dict(kind=ActivityKind.INBOUND.value, on=D(2022, 8, 10), title="枸杞食品企业来县考察", place="暖泉片区",
         people="马玉兰、刘洋", projects_contacted="枸杞食品车间及职工宿舍楼建设项目"),
    dict(kind=ActivityKind.INBOUND.value, on=D(2022, 9, 16), title="冷链物流企业来县对接二期项目", place="金贵片区",
         people="张建国、赵磊", projects_contacted="冷链物流园二期项目"),
    dict(kind=ActivityKind.SIGNING.value, on=D(2022, 5, 18), title="企业恳谈会暨项目现场签约", place="深圳",
         people="张建国、王志强、李明",
         projects_contacted="深圳市晶兰特科技有限公司LED电子屏生产线项目\n思思食品年产2万吨航空系列食品加工项目"),
    dict(kind=ActivityKind.PROMOTION.value, on=D(2022, 7, 28), title="葡萄酒及文旅产业招商推介会", place="县会议中心",
         people="马玉兰、陈静", projects_contacted="成功红葡萄酒产学研及文旅综合开发项目\n葡萄酒庄集群项目"),
    dict(kind=ActivityKind.TRAINING.value, on=D(2022, 4, 20), title="招商引资业务培训会（分管领导和业务骨干）",
         place="县会议中心", people="全县招商引资责任部门分管领导和业务骨干", contacted_count=0),
    dict(kind=ActivityKind.TRAINING.value, on=D(2022, 6, 28), title="招商引资业务培训会（主要领导）",
         place="县会议中心", people="全县招商引资责任部门主要领导", contacted_count=0),
)
