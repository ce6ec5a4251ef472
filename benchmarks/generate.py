"""Build a synthetic county database for the benchmarks.

    python benchmarks/generate.py --scale small|medium|large -o FILE.db [--seed N] [--force]

The schema is the real one (`migrate.upgrade(make_engine(path))`); the rows are then bulk-written
with SQLAlchemy Core executemany (`conn.execute(table.insert(), list_of_dicts)`) in chunks inside one
transaction — no ORM objects — and the file is ANALYZEd.

| scale  | projects | milestones | problems | units      | problem events | funds reports       |
|--------|----------|------------|----------|------------|----------------|---------------------|
| tiny   | 20       | 280        | 100      | 40         | ≈ problems     | 40 % of projects×24 |
| small  | 100      | 2 000      | 1 000    | ≈ ms / 7   | ≈ problems     | 40 % of projects×24 |
| medium | 2 000    | 40 000     | 20 000   | ≈ ms / 7   | ≈ problems     | 40 % of projects×24 |
| large  | 20 000   | 400 000    | 200 000  | ≈ ms / 7   | ≈ problems     | 40 % of projects×24 |

plus ~28 parks and zones, 60 departments, 500 people, a few hundred activities, two dozen dispatch
meetings and an audit trail with one 'create' entry per project, problem and problem event.
Dates are relative to a fixed today, 2022-09-30: about 60 % of problems closed (已销号), ~10 %
overdue, a few % due within the warning window, ~5 % reported done and waiting for 销号.

`tiny` is for the test suite (tests/test_benchmarks_smoke.py) and is hidden from --help.
The generator is deterministic for a given (scale, seed).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

TODAY = date(2022, 9, 30)
GENERATOR_VERSION = "3"
MARKER_KEY = "bench.generator"  # Setting row: f"{GENERATOR_VERSION}:{scale}:{seed}"
CHUNK = 20_000

# scale -> (projects, milestones, problems, activities)
SCALES: dict[str, tuple[int, int, int, int]] = {
    "tiny": (20, 280, 100, 20),
    "small": (100, 2_000, 1_000, 100),
    "medium": (2_000, 40_000, 20_000, 300),
    "large": (20_000, 400_000, 200_000, 500),
}
N_DEPARTMENTS = 60
N_PEOPLE = 500
FUNDS_SHARE = 0.4
FUNDS_MONTHS = 24  # 2020-10 … 2022-09

# -- word lists -------------------------------------------------------------------------------
PLACES = ["宁夏", "银川", "吴忠", "中卫", "固原", "石嘴山", "深圳", "广州", "东莞", "佛山", "厦门", "福州", "泉州",
          "杭州", "宁波", "苏州", "无锡", "青岛", "济南", "郑州", "成都", "西安", "包头", "兰州", "北京", "上海",
          "天津", "重庆", "长沙", "武汉", "合肥", "南京", "温州", "义乌", "昆明", "太原"]
BRAND_A = list("恒华鑫宏天瑞中博嘉润盛汇永金银德新凯正远丰泰兴隆昌荣佳顺海东思晶爱图")
BRAND_B = list("信瑞源达成丰恒远禾泽世通泰贵胜和康盛安宇辉祥鼎诚润雅美力邦科兰朵礼")
# industry -> (company word, [(product, capacity unit, process word)])
INDUSTRIES: list[tuple[str, str, list[tuple[str, str, str]]]] = [
    ("食品", "食品", [("航空系列食品", "吨", "加工"), ("牛羊肉制品", "吨", "精深加工"), ("枸杞饮品", "吨", "生产"),
                      ("乳制品", "吨", "加工"), ("速冻食品", "吨", "加工"), ("休闲食品", "吨", "生产")]),
    ("酒水饮料", "酒业", [("精酿啤酒", "千升", "罐装"), ("葡萄酒", "千升", "酿造"), ("枸杞原浆", "吨", "生产")]),
    ("新材料", "新材料科技", [("电子陶瓷", "吨", "生产"), ("碳化硅", "吨", "冶炼"), ("石墨电极", "吨", "生产"),
                          ("高纯硅", "吨", "提纯")]),
    ("建材", "建材", [("新型建材", "万立方米", "生产"), ("铝型材", "吨", "挤压加工"), ("装配式钢结构", "吨", "制造"),
                    ("商品混凝土", "万立方米", "生产")]),
    ("新能源", "新能源", [("光伏组件", "MW", "生产"), ("储能电池", "GWh", "生产"), ("风电塔筒", "套", "制造"),
                      ("氢能装备", "套", "制造")]),
    ("装备制造", "机械制造", [("农机装备", "台", "制造"), ("矿山机械", "台", "制造"), ("电线电缆", "公里", "生产")]),
    ("现代农业", "农业科技", [("有机肥", "吨", "生产"), ("饲料", "吨", "加工"), ("设施蔬菜", "亩", "种植"),
                          ("肉牛养殖", "头", "养殖")]),
    ("纺织", "纺织", [("羊绒制品", "万件", "加工"), ("功能性面料", "万米", "生产")]),
    ("现代物流", "物流", [("冷链物流", "吨", "仓储"), ("农产品集散", "吨", "仓储")]),
    ("生物医药", "生物科技", [("中药饮片", "吨", "加工"), ("医用耗材", "万件", "生产")]),
]
COMPANY_SUFFIX = ["有限公司", "股份有限公司", "集团有限公司", "有限责任公司"]
CAPACITY = [1, 2, 3, 5, 6, 8, 10, 12, 15, 20, 30, 50, 100]

PARKS: list[tuple[str, list[str]]] = [
    ("示范工业园区", ["德胜片区", "金贵片区", "暖泉片区"]),
    ("现代农业产业园", ["东区", "西区", "南区"]),
    ("高新技术产业开发区", ["创新片区", "智造片区", "孵化片区"]),
    ("物流园区", ["铁路港片区", "公路港片区"]),
    ("新材料产业园", ["北区", "南区", "化工片区"]),
    ("文旅康养园区", ["温泉片区", "古镇片区"]),
    ("综合保税区", ["一期", "二期"]),
]
DEPARTMENTS = [
    ("自然资源局", "自然资源"), ("供电公司", "供电"), ("人社局", "人社"), ("工业园区管委会", "园区"), ("工商联", "工商联"),
    ("发展和改革局", "发改"), ("住房和城乡建设局", "住建"), ("财政局", "财政"), ("商务局", "商务"), ("生态环境分局", "环保"),
    ("水务局", "水务"), ("交通运输局", "交通"), ("市场监督管理局", "市场监管"), ("税务局", "税务"), ("应急管理局", "应急"),
    ("农业农村局", "农业农村"), ("林业和草原局", "林草"), ("文化旅游广电局", "文旅"), ("教育局", "教育"),
    ("卫生健康局", "卫健"), ("公安局", "公安"), ("消防救援大队", "消防"), ("行政审批服务局", "审批"),
    ("地方金融服务中心", "金融"), ("人民银行支行", "人行"), ("统计局", "统计"), ("科学技术局", "科技"),
    ("工业和信息化局", "工信"), ("投资促进中心", "投促"), ("燃气公司", "燃气"), ("自来水公司", "供水"),
    ("电信分公司", "电信"), ("移动分公司", "移动"), ("联通分公司", "联通"), ("司法局", "司法"), ("审计局", "审计"),
    ("民政局", "民政"), ("退役军人事务局", "退役军人"), ("医疗保障局", "医保"), ("城市管理局", "城管"),
    ("气象局", "气象"), ("融媒体中心", "融媒体"), ("供销社", "供销"), ("国有资产服务中心", "国资"),
    ("不动产登记中心", "不动产"), ("公共资源交易中心", "交易中心"),
]
TOWNS = ["德胜镇", "金贵镇", "暖泉镇", "通贵乡", "月牙湖乡", "掌政镇", "大新镇", "丰登镇", "洪广镇", "常信乡",
         "立岗镇", "姚伏镇", "崇岗镇", "黄渠桥镇", "红果子镇", "宝丰镇"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢")
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "建国", "志强", "海燕", "晓东", "国庆", "玉兰", "宏伟",
         "春梅", "立新", "振华", "雪", "鹏", "浩", "宇"]
TITLES_LEADER = ["县委副书记", "副县长", "常务副县长", "县人大副主任", "县政协副主席"]
UNIT_NAMES = ["一号车间", "二号车间", "三号车间", "四号车间", "五号车间", "六号车间", "七号车间", "八号车间",
              "综合楼", "仓库", "研发楼", "宿舍楼", "锅炉房", "污水处理站", "配电房", "门卫室"]
MILESTONES = ["地基", "主体钢结构", "屋面钢结构", "地面硬化", "设备安装", "竣工验收", "投产"]
STAGES = [("储备", 5), ("在谈", 10), ("签约", 15), ("开工", 15), ("在建", 35), ("投产", 15), ("达效", 5)]
STAGE_PROGRESS = {"储备": (0, 0), "在谈": (0, 0), "签约": (0, 1), "开工": (0, 2), "在建": (1, 5), "投产": (6, 7),
                  "达效": (7, 7)}
LEAD_DEPTS = ["工业园区管委会", "商务局", "投资促进中心", "发展和改革局", "工业和信息化局", "农业农村局"]

# category -> (responsible departments, title templates); {u} a unit, {n} a number, {z} a zone
PROBLEMS: dict[str, tuple[list[str], list[str]]] = {
    "土地": (["自然资源局", "不动产登记中心", "工业园区管委会"],
             ["{z}用地指标未落实", "土地征收补偿未完成", "不动产权证办理滞后", "建设用地报批", "厂区用地红线调整",
              "二期用地{n}亩未供地"]),
    "规划": (["自然资源局", "住房和城乡建设局"], ["建设工程规划许可证办理", "规划方案调整审批", "厂区总平面图变更"]),
    "用电": (["供电公司", "发展和改革局"], ["用电增容{n}千伏安", "专用变压器安装", "10千伏线路迁改", "临时施工用电接入",
                                   "双回路供电"]),
    "用水": (["水务局", "自来水公司"], ["供水管网接入", "工业用水指标{n}万吨", "取水许可办理"]),
    "用气": (["燃气公司", "住房和城乡建设局"], ["天然气管道接入", "用气价格协调"]),
    "用工": (["人社局", "教育局"], ["招工缺口{n}人", "技术工人短缺", "员工宿舍不足", "职业技能培训"]),
    "融资": (["地方金融服务中心", "人民银行支行", "财政局"], ["流动资金贷款{n}万元", "项目融资担保", "设备融资租赁",
                                                   "技改资金申报"]),
    "审批手续": (["行政审批服务局", "生态环境分局", "应急管理局", "消防救援大队"],
                 ["环评批复", "节能审查", "施工许可证办理", "消防验收", "安全评价备案", "排污许可办理"]),
    "基础设施": (["工业园区管委会", "交通运输局", "住房和城乡建设局"],
                 ["园区道路未通", "雨污管网未接入", "通讯基站建设", "厂区围墙外排水沟", "{z}路灯安装"]),
    "其他": (["工业园区管委会", "工商联", "商务局", "市场监督管理局"],
             ["{u}钢柱加工延迟", "{u}设备进场延迟", "周边群众阻工", "施工队伍不足", "{u}屋面彩钢瓦供货延迟",
              "出口资质办理"]),
}
CATEGORY_WEIGHTS = [("土地", 14), ("规划", 8), ("用电", 14), ("用水", 6), ("用气", 4), ("用工", 10), ("融资", 12),
                    ("审批手续", 14), ("基础设施", 10), ("其他", 8)]
NOTES = ["已对接{d}，正在办理", "{d}已现场踏勘", "已报县领导协调", "企业补充材料已提交", "{d}答复本周内办结",
         "调度会议定：{d}牵头办理", "已完成，待服务官销号", "已督办{d}", "办结时限延期至月底", "现场核实已解决"]
ACTIVITY_KINDS = [("走出去", 35), ("请进来", 35), ("签约会", 10), ("推介会", 12), ("培训会", 8)]

CN_NUM = "一二三四五六七八九十"


def _now(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 9, 0, tzinfo=timezone.utc)


# Values are written in SQLite's storage format for the real column types (what SQLAlchemy's
# Date / DateTime / Boolean bind processors would produce), through a light `table()` clause
# with untyped columns: the per-value type processing was half the time of a large build.
def _iso_day(o: int) -> str:
    return date.fromordinal(o).isoformat()


def _iso_ts(o: int) -> str:
    return date.fromordinal(o).isoformat() + " 09:00:00.000000"


class Gen:
    def __init__(self, scale: str, seed: int = 20220930):
        self.scale = scale
        self.n_projects, self.n_milestones, self.n_problems, self.n_activities = SCALES[scale]
        self.rng = random.Random(f"{scale}:{seed}")
        self._rnd = self.rng.random
        self.seed = seed
        self._dates: dict[int, str] = {}
        self._stamps: dict[int, str] = {}
        self.ts = self.stamp(TODAY.toordinal())
        self.counts: dict[str, int] = {}

    def day(self, ordinal: int) -> str:
        d = self._dates.get(ordinal)
        if d is None:
            d = self._dates[ordinal] = _iso_day(ordinal)
        return d

    def stamp(self, ordinal: int) -> str:
        d = self._stamps.get(ordinal)
        if d is None:
            d = self._stamps[ordinal] = _iso_ts(ordinal)
        return d

    def pick(self, seq):
        """rng.choice, without the getrandbits round trip (the generator's hot path)."""
        return seq[int(self._rnd() * len(seq))]

    def rr(self, a: int, b: int | None = None) -> int:
        """rng.randrange(a, b) (or (0, a)), the fast way."""
        if b is None:
            a, b = 0, a
        return a + int(self._rnd() * (b - a))

    def batch(self) -> str:
        return "%032x" % self.rng.getrandbits(128)

    # -- reference data --------------------------------------------------------------------
    def parks(self) -> list[dict]:
        rows, pid = [], 0
        self.park_ids: list[int] = []
        self.zones_of: dict[int, list[tuple[int, str]]] = {}
        for name, zones in PARKS:
            pid += 1
            park_id = pid
            rows.append(self._versioned(id=park_id, name=name, parent_id=None, notes=""))
            self.park_ids.append(park_id)
            self.zones_of[park_id] = []
            for z in zones:
                pid += 1
                rows.append(self._versioned(id=pid, name=f"{name}{z}", parent_id=park_id, notes=""))
                self.zones_of[park_id].append((pid, z))
        return rows

    def departments(self) -> list[dict]:
        names = list(DEPARTMENTS) + [(f"{t}人民政府", t) for t in TOWNS]
        names = names[:N_DEPARTMENTS]
        self.dept_ids = {name: i + 1 for i, (name, _s) in enumerate(names)}
        return [self._versioned(id=i + 1, name=n, short_name=s,
                                funds_target=self.pick([0, 0, 5000, 10000, 20000, 50000]),
                                phone=f"0951-{self.rr(1000000, 9999999)}")
                for i, (n, s) in enumerate(names)]

    def people(self) -> list[dict]:
        rng = self.rng
        rows = []
        self.leader_ids, self.officer_ids = [], []
        self.person_names: dict[int, str] = {}
        seen: set[str] = set()
        dept_list = list(self.dept_ids.values())
        for i in range(1, N_PEOPLE + 1):
            if i <= 20:
                role, title = "县领导", self.pick(TITLES_LEADER)
            elif i <= 170:
                role, title = "首席服务官", "首席服务官"
            elif i <= 470:
                role, title = "部门联络员", "联络员"
            else:
                role, title = "工作人员", "科员"
            while True:
                name = self.pick(SURNAMES) + self.pick(GIVEN) + (self.pick(GIVEN) if rng.random() < 0.3 else "")
                if name not in seen:
                    break
            seen.add(name)
            self.person_names[i] = name
            (self.leader_ids if role == "县领导" else self.officer_ids if role == "首席服务官" else []).append(i)
            rows.append(self._versioned(
                id=i, name=name, login=f"u{i:04d}", role=role, title=title,
                department_id=self.pick(dept_list) if role == "部门联络员" else None,
                phone=f"13{self.rr(100000000, 999999999)}"))
        self.contacts_by_dept: dict[int, list[int]] = {}
        for r in rows:
            if r["department_id"]:
                self.contacts_by_dept.setdefault(r["department_id"], []).append(r["id"])
        return rows

    def _versioned(self, **kw) -> dict:
        kw.setdefault("version", 1)
        kw.setdefault("archived", False)
        kw.setdefault("created_at", self.ts)
        kw.setdefault("updated_at", self.ts)
        return kw

    # -- projects ----------------------------------------------------------------------------
    def projects(self) -> list[dict]:
        rng = self.rng
        stages = [s for s, _w in STAGES]
        weights = [w for _s, w in STAGES]
        rows = []
        self.projects_meta: list[tuple[int, str, int | None, str]] = []  # (id, stage, start ordinal, name)
        lead_depts = [self.dept_ids[n] for n in LEAD_DEPTS]
        base = TODAY.toordinal()
        for i in range(1, self.n_projects + 1):
            industry, word, products = self.pick(INDUSTRIES)
            product, unit, process = self.pick(products)
            brand = self.pick(BRAND_A) + self.pick(BRAND_B)
            place = self.pick(PLACES)
            company = f"{place}{brand}{word}{self.pick(COMPANY_SUFFIX)}"
            cap = self.pick(CAPACITY)
            if rng.random() < 0.75:
                name = f"{brand}{word[:2]}年产{cap}{'万' if unit == '吨' and cap < 50 else ''}{unit}{product}{process}项目"
            else:
                name = f"{brand}{word[:2]}{product}{process}{self.pick(['基地', '生产线', '产业园'])}建设项目"
            stage = rng.choices(stages, weights)[0]
            kind = "续建" if rng.random() < 0.4 else "新引进"
            signed = None if stage in ("储备", "在谈") else base - self.rr(30, 1400)
            start = None
            if stage in ("开工", "在建", "投产", "达效") and signed:
                start = min(base - 20, signed + self.rr(15, 200))
            target = start + self.rr(300, 900) if start else None
            park = self.pick(self.park_ids)
            zones = self.zones_of[park]
            park_id = self.pick(zones)[0] if zones and rng.random() < 0.7 else park
            agreed = self.pick([3000, 5000, 8000, 12000, 15000, 20000, 30000, 50000, 80000, 120000, 200000])
            rows.append(self._versioned(
                id=i, code=f"XM{2018 + i % 5}-{i:06d}", name=name, company=company, industry=industry,
                park_id=park_id, kind=kind, stage=stage, stalled=rng.random() < 0.06, agreed_investment=agreed,
                annual_plan=0 if stage in ("储备", "在谈") else agreed // self.pick([4, 5, 8, 10]),
                signed_on=signed and self.day(signed), start_on=start and self.day(start),
                target_production_on=target and self.day(target),
                leader_id=self.pick(self.leader_ids), officer_id=self.pick(self.officer_ids),
                lead_department_id=self.pick(lead_depts),
                source_event=self.pick(["", "", "深圳企业恳谈会", "银川投洽会", "福建招商推介会", "以商招商"]),
                notes=""))
            self.projects_meta.append((i, stage, start, name))
        return rows

    def units_and_milestones(self):
        """Yield (units, milestones) chunks; every unit has the 7 standard milestones (the last one fewer)."""
        rng = self.rng
        n_units = -(-self.n_milestones // 7)
        per = [1] * self.n_projects
        for _ in range(n_units - self.n_projects):
            per[self.rr(self.n_projects)] += 1
        uid = mid = 0
        left = self.n_milestones
        units: list[dict] = []
        ms: list[dict] = []
        base = TODAY.toordinal()
        for (pid, stage, start, _name), k in zip(self.projects_meta, per):
            lo, hi = STAGE_PROGRESS[stage]
            start_ord = start if start else base + self.rr(30, 200)
            for j in range(k):
                uid += 1
                name = UNIT_NAMES[j] if j < len(UNIT_NAMES) else f"{j + 1}号单体"
                units.append(self._versioned(id=uid, project_id=pid, name=name, seq=j))
                pos = self.rr(lo, hi + 1)  # milestones before pos done, pos in progress
                u_start = start_ord + j * self.rr(0, 40)
                for seq in range(7):
                    if left == 0:
                        break
                    left -= 1
                    mid += 1
                    planned = u_start + (seq + 1) * self.rr(20, 45)
                    slip = 0
                    a_start = a_finish = None
                    blocker = ""
                    if seq < pos:
                        status = "已完成"
                        a_start = self.day(min(base, planned - 20))
                        a_finish = self.day(min(base, planned + self.rr(-5, 15)))
                    elif seq == pos and stage not in ("储备", "在谈", "签约") and pos < 7:
                        r = rng.random()
                        status = "受阻" if r < 0.08 else "进行中"
                        if status == "受阻":
                            blocker = self.pick(["钢材供货延迟", "施工用电未接入", "资金未到位", "设计变更", "雨季停工"])
                        a_start = self.day(min(base, planned - 15))
                        if planned < base and r > 0.35:  # most running late ones got re-planned
                            slip = 1
                            planned = base + self.rr(-10, 60)
                    else:
                        status = "未开始"
                        if planned < base and rng.random() < 0.85:
                            slip = self.rr(1, 3)
                            planned = base + self.rr(0, 120) + seq * 20
                    ms.append(self._versioned(
                        id=mid, unit_id=uid, project_id=pid, kind=MILESTONES[seq], seq=seq,
                        baseline_on=self.day(u_start + (seq + 1) * 30), planned_on=self.day(planned),
                        actual_start_on=a_start, actual_finish_on=a_finish, status=status, blocker=blocker,
                        slip_count=slip))
                if len(ms) >= CHUNK:
                    yield units, ms
                    units, ms = [], []
        assert left == 0 and mid == self.n_milestones and uid == n_units, (left, mid, uid)
        self.counts["unit"] = uid
        self.counts["milestone"] = mid
        yield units, ms

    def review_sessions(self) -> list[dict]:
        rows = []
        self.session_days: list[tuple[int, int]] = []
        for i in range(24):
            y, m = divmod(2020 * 12 + 9 + i, 12)
            held = date(y, m + 1, 25).toordinal()
            rows.append(self._versioned(
                id=i + 1, title=f"{y}年{m + 1}月重点项目调度会", held_on=self.day(held), chair=self.person_names[1],
                attendees="各责任单位主要负责人", scope="all", order="light", status="finished", current_index=0,
                started_at=self.stamp(held), finished_at=self.stamp(held)))
            self.session_days.append((i + 1, held))
        return rows

    def problems(self):
        """Yield (problems, events) chunks."""
        rng = self.rng
        base = TODAY.toordinal()
        n = self.n_problems
        # a skewed spread over projects: some projects collect many problems
        weights = [rng.paretovariate(1.5) for _ in range(self.n_projects)]
        pids = rng.choices(range(1, self.n_projects + 1), weights, k=n)
        cats = [c for c, _w in CATEGORY_WEIGHTS]
        cw = list(itertools.accumulate(w for _c, w in CATEGORY_WEIGHTS))
        st_cw = list(itertools.accumulate([10, 35, 55]))
        esc_cw = list(itertools.accumulate([50, 35, 15]))
        ev_cw = list(itertools.accumulate([65, 25, 6, 4]))
        zones = [z for zs in self.zones_of.values() for _i, z in zs]
        names = self.person_names
        others = {d: [x for x in self.dept_ids if x != d] for d in self.dept_ids}
        evid = 0
        probs: list[dict] = []
        events: list[dict] = []
        self.problem_meta: list[tuple[int, int, int]] = []  # (id, project_id, raised ordinal)
        self.event_meta: list[tuple[int, int, int]] = []  # (id, project_id, on ordinal)
        for i in range(1, n + 1):
            pid = pids[i - 1]
            cat = rng.choices(cats, cum_weights=cw)[0]
            depts, templates = PROBLEMS[cat]
            title = self.pick(templates).format(u=self.pick(UNIT_NAMES[:4]), n=self.pick([20, 50, 80, 100, 200, 500]),
                                                 z=self.pick(zones))
            dept_name = self.pick(depts)
            dept = self.dept_ids.get(dept_name)
            k = self.pick((0, 0, 1, 2))
            co = "、".join(rng.sample(others[dept_name], k)) if k else ""
            contacts = self.contacts_by_dept.get(dept) or [None]
            r = rng.random()
            kind = "问题" if r < 0.85 else "任务" if r < 0.95 else "议定事项"
            session_id = None
            # status mix relative to TODAY
            r = rng.random()
            done_on = closed_on = None
            closed = None
            closed_by = resolution = ""
            escalation = 0
            if r < 0.60:  # closed (销号), mostly on time
                raised = base - self.rr(20, 720)
                due = raised + self.rr(7, 60)
                done = min(base - 1, due + (self.rr(-20, 0) if rng.random() < 0.8 else self.rr(1, 30)))
                done = max(done, raised + 1)
                status, turn = "已销号", "—"
                done_on = self.day(done)
                closed = min(base, done + self.rr(0, 5))
                closed_on = self.day(closed)
                closed_by, resolution = names[self.pick(self.officer_ids)], "已现场核实，问题解决"
            elif r < 0.65:  # reported done, waiting for 销号
                raised = base - self.rr(10, 120)
                due = raised + self.rr(7, 60)
                done_on = self.day(min(base, raised + self.rr(3, 40)))
                status, turn = "已办结", "服务官"
            else:
                status = rng.choices(["待交办", "已交办", "办理中"], cum_weights=st_cw)[0]
                turn = "服务官" if status == "待交办" else self.pick(["责任单位", "责任单位", "企业"])
                if r < 0.75:  # overdue (red)
                    due = base - self.rr(1, 90)
                    raised = due - self.rr(7, 60)
                    escalation = rng.choices([0, 1, 2], cum_weights=esc_cw)[0]
                elif r < 0.78:  # due within the warning window (yellow)
                    due = base + self.rr(0, 4)
                    raised = due - self.rr(7, 60)
                elif r < 0.80:  # no deadline yet
                    due = None
                    raised = base - self.rr(0, 30)
                else:  # due later (green)
                    due = base + self.rr(4, 120)
                    raised = min(base, due - self.rr(7, 90))
            if kind == "议定事项":
                sid, held = min(self.session_days, key=lambda s: abs(s[1] - raised))
                session_id, raised = sid, min(raised, held)
            raised_d = self.day(raised)
            probs.append(self._versioned(
                id=i, project_id=pid, kind=kind, title=title,
                detail=f"{title}，影响项目推进，需{dept_name}协调解决。" if rng.random() < 0.5 else "",
                category=cat, department_id=dept, co_departments=co, owner_id=self.pick(contacts),
                raised_on=raised_d, raised_by=names[self.pick(self.officer_ids)], due=self.day(due) if due else None,
                status=status, escalation=escalation, turn=turn, resolution=resolution, done_on=done_on,
                closed_on=closed_on, closed_by=closed_by, reopen_count=1 if rng.random() < 0.02 else 0,
                session_id=session_id, created_at=self.stamp(raised), updated_at=self.stamp(closed or raised)))
            self.problem_meta.append((i, pid, raised))
            # progress log: 0–2 entries, one on average
            for _ in range(self.pick((0, 1, 1, 2))):
                evid += 1
                on_o = min(base, raised + self.rr(0, 30))
                on = self.day(on_o)
                ek = rng.choices(["note", "status", "escalate", "due"], cum_weights=ev_cw)[0]
                text = self.pick(NOTES).format(d=dept_name)
                events.append({"id": evid, "problem_id": i, "at": self.stamp(on_o), "on": on, "actor": f"u{self.rr(1, 500):04d}",
                               "kind": ek, "text": text, "archived": False})
                self.event_meta.append((evid, pid, on_o))
            if len(probs) >= CHUNK:
                yield probs, events
                probs, events = [], []
        self.counts["problem_event"] = evid
        yield probs, events

    def funds(self) -> list[dict]:
        rng = self.rng
        rows = []
        fid = 0
        eligible = [m for m in self.projects_meta if m[1] in ("签约", "开工", "在建", "投产", "达效")]
        k = min(len(eligible), round(self.n_projects * FUNDS_SHARE))
        for pid, _stage, _start, _name in sorted(rng.sample(eligible, k)):
            base_amount = self.pick([50, 100, 200, 300, 500, 800, 1200])
            for i in range(FUNDS_MONTHS):
                y, m = divmod(2020 * 12 + 9 + i, 12)
                fid += 1
                rows.append(self._versioned(
                    id=fid, project_id=pid, year=y, month=m + 1,
                    amount=max(0, int(base_amount * rng.uniform(0.3, 1.8))) if rng.random() < 0.8 else 0,
                    reported_on=self.day(date(y, m + 1, 1).toordinal() + 34)))
        return rows

    def activities(self) -> list[dict]:
        rng = self.rng
        kinds = [k for k, _w in ACTIVITY_KINDS]
        kw = [w for _k, w in ACTIVITY_KINDS]
        rows = []
        for i in range(1, self.n_activities + 1):
            kind = rng.choices(kinds, kw)[0]
            place = self.pick(PLACES)
            on = self.day(TODAY.toordinal() - self.rr(0, 1000))
            contacted = [self.projects_meta[self.rr(self.n_projects)][3] for _ in range(self.rr(0, 6))]
            rows.append(self._versioned(
                id=i, kind=kind, on=on, title=f"赴{place}{kind}招商活动" if kind == "走出去" else f"{place}客商来访考察",
                place=place, people="、".join(self.person_names[self.rr(1, 40)] for _ in range(3)),
                projects_contacted="\n".join(contacted), contacted_count=len(contacted), notes=""))
        return rows


def _audit_row(aid: int, batch: str, entity: str, entity_id: int, project_id: int | None, new: dict, at: datetime,
               summary: str, actor: str) -> dict:
    return {"id": aid, "at": at, "actor": actor, "batch": batch, "action": "create", "entity": entity,
            "entity_id": entity_id, "project_id": project_id, "field": "", "old": None,
            "new": json.dumps(new, ensure_ascii=False, default=str), "summary": summary, "undo_of": None}


def generate(scale: str, out: str | Path, *, seed: int = 20220930, force: bool = False, quiet: bool = False,
             defer_indexes: bool = True) -> dict:
    """Build the database at `out`; returns {table: rows} and the seconds it took."""
    from sqlalchemy import column
    from sqlalchemy import table as table_clause
    from sqlmodel import SQLModel

    from servicetui.store import migrate
    from servicetui.store.db import make_engine
    import servicetui.store.models  # noqa: F401

    if scale not in SCALES:
        raise SystemExit(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    out = Path(out)
    t0 = time.perf_counter()
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(out) + suffix)
        if p.exists():
            if not force and suffix == "":
                raise SystemExit(f"{out} exists (use --force to replace it)")
            p.unlink()
    engine = make_engine(out)
    migrate.upgrade(engine, backup=False)
    T = SQLModel.metadata.tables
    g = Gen(scale, seed)
    counts: dict[str, int] = {}

    light = {name: table_clause(name, *[column(c.name) for c in t.c]) for name, t in T.items()}

    def put(conn, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        missing = set(T[table].c.keys()) ^ set(rows[0])
        assert not missing, (table, missing)  # every column given: the light clause has no defaults
        for i in range(0, len(rows), CHUNK):
            conn.execute(light[table].insert(), rows[i:i + CHUNK])
        counts[table] = counts.get(table, 0) + len(rows)

    def log(msg: str) -> None:
        if not quiet:
            print(f"  {time.perf_counter() - t0:6.1f}s wall {time.process_time():6.1f}s cpu  {msg}", file=sys.stderr, flush=True)

    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA cache_size=-262144")  # 256 MB page cache for this bulk load only
        # Secondary indexes are dropped for the load and re-created from their own DDL (as read from
        # sqlite_master) at the end, inside the same transaction: building an index once over the
        # filled table is several times cheaper than keeping it up to date row by row.
        indexes = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all()
        if defer_indexes:
            for name, _sql in indexes:
                conn.exec_driver_sql(f'DROP INDEX "{name}"')
        put(conn, "park", g.parks())
        put(conn, "department", g.departments())
        put(conn, "person", g.people())
        projects = g.projects()
        put(conn, "project", projects)
        log("projects")
        for units, ms in g.units_and_milestones():
            put(conn, "unit", units)
            put(conn, "milestone", ms)
        log("units, milestones")
        put(conn, "reviewsession", g.review_sessions())
        for probs, events in g.problems():
            put(conn, "problem", probs)
            put(conn, "problemevent", events)
        log("problems, events")
        put(conn, "fundsreport", g.funds())
        put(conn, "activity", g.activities())
        # audit trail: one 'create' entry per project, problem and problem event (as the services write)
        aid = 0
        rows: list[dict] = []
        officers = [f"u{i:04d}" for i in g.officer_ids]

        def flush() -> None:
            nonlocal rows
            put(conn, "auditentry", rows)
            rows = []

        for p in projects:
            aid += 1
            new = {k: p[k] for k in ("code", "name", "company", "industry", "park_id", "kind", "stage",
                                     "agreed_investment", "officer_id", "leader_id")}
            rows.append(_audit_row(aid, g.batch(), "project", p["id"], p["id"], new, p["created_at"], "新增项目",
                                   g.pick(officers)))
        del projects
        flush()
        for pid_, prid, raised in g.problem_meta:
            aid += 1
            rows.append(_audit_row(aid, g.batch(), "problem", pid_, prid, {"title": "…", "raised_on": g.day(raised)},
                                   g.stamp(raised), "新增问题", g.pick(officers)))
            if len(rows) >= CHUNK:
                flush()
        for eid, prid, on in g.event_meta:
            aid += 1
            rows.append(_audit_row(aid, g.batch(), "problem_event", eid, prid, {"kind": "note"}, g.stamp(on),
                                   "办理进展", g.pick(officers)))
            if len(rows) >= CHUNK:
                flush()
        flush()
        log("audit")
        conn.execute(T["setting"].insert(), [{"key": MARKER_KEY, "value": f"{GENERATOR_VERSION}:{scale}:{seed}"}])
        if defer_indexes:
            for _name, sql in indexes:
                conn.exec_driver_sql(sql)
            log("indexes")
    engine.dispose()
    import sqlite3

    con = sqlite3.connect(out, isolation_level=None)  # outside any transaction: ANALYZE, then fold the WAL in
    try:
        con.execute("ANALYZE")
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()
    log("analyze")
    counts["seconds"] = round(time.perf_counter() - t0, 2)
    return counts


def expected_counts(scale: str) -> dict[str, int]:
    projects, milestones, problems, activities = SCALES[scale]
    return {"project": projects, "milestone": milestones, "unit": -(-milestones // 7), "problem": problems,
            "activity": activities, "department": N_DEPARTMENTS, "person": N_PEOPLE}


def marker(path: str | Path) -> str | None:
    """The generator marker stored in a generated file, or None (not generated / unreadable)."""
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM setting WHERE key = ?", (MARKER_KEY,)).fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", required=True, choices=list(SCALES), metavar="{small,medium,large}")
    ap.add_argument("-o", "--output", required=True, help="the SQLite file to create")
    ap.add_argument("--seed", type=int, default=20220930)
    ap.add_argument("--force", action="store_true", help="replace the file if it exists")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    counts = generate(args.scale, args.output, seed=args.seed, force=args.force, quiet=args.quiet)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
