"""Traffic-light rules, urgency and 形象进度 — pure functions over plain facts.

Every verdict carries a Chinese and an English reason so that the UI, the reports and the
SQL-backed lists can explain *why* something is red.  Nothing here touches the database:
callers copy rows into `ProblemFacts` / `MilestoneFacts` first.  SQL queries that colour
rows must use `light_bounds` so that their light always agrees with `problem_light`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from math import floor
from typing import Iterable

from servicetui.domain.enums import (
    LIGHT_RANK,
    Category,
    Light,
    MilestoneKind,
    MilestoneStatus,
    ProblemKind,
    ProblemStatus,
)

DEFAULT_WARN_DAYS = 3  # yellow when due within this many days
MILESTONE_RED_AFTER_DAYS = 14  # a late milestone turns red when more than this many days behind

MILESTONE_WEIGHTS: dict[str, int] = {
    MilestoneKind.FOUNDATION.value: 15,
    MilestoneKind.STEEL.value: 25,
    MilestoneKind.ROOF.value: 15,
    MilestoneKind.FLOOR.value: 10,
    MilestoneKind.EQUIPMENT.value: 15,
    MilestoneKind.ACCEPTANCE.value: 10,
    MilestoneKind.PRODUCTION.value: 10,
}
CUSTOM_MILESTONE_WEIGHT = 10

CLOSED_URGENCY = -(10**6)

_LIGHT_EN = {Light.RED: "Red", Light.YELLOW: "Yellow", Light.GREEN: "Green", Light.NONE: "None"}
_CATEGORY_EN = {
    Category.LAND: "land",
    Category.PLANNING: "planning",
    Category.POWER: "power",
    Category.WATER: "water",
    Category.GAS: "gas",
    Category.LABOUR: "labour",
    Category.FINANCE: "financing",
    Category.APPROVAL: "approval",
    Category.INFRA: "infrastructure",
    Category.OTHER: "other",
}
_KIND_EN = {
    ProblemKind.PROBLEM: "problem",
    ProblemKind.TASK: "task",
    ProblemKind.DECISION: "agreed item",
}
_MILESTONE_EN = {
    MilestoneKind.FOUNDATION: "foundation",
    MilestoneKind.STEEL: "main steel structure",
    MilestoneKind.ROOF: "roof steel structure",
    MilestoneKind.FLOOR: "floor hardening",
    MilestoneKind.EQUIPMENT: "equipment installation",
    MilestoneKind.ACCEPTANCE: "completion acceptance",
    MilestoneKind.PRODUCTION: "production start",
}
_ESCALATION = {1: ("（已督办）", " (escalated)"), 2: ("（县领导督办）", " (escalated to county leader)")}


@dataclass(frozen=True)
class Verdict:
    light: Light
    zh: str  # e.g. "红：用电问题逾期 12 天"
    en: str  # e.g. "Red: power problem overdue by 12 days"

    def reason(self, lang: str) -> str:
        return self.en if lang.lower().startswith("en") else self.zh


@dataclass(frozen=True)
class ProblemFacts:
    title: str
    status: str  # a ProblemStatus value
    due: date | None
    category: str = "其他"
    escalation: int = 0  # 0 none, 1 督办, 2 county leader
    kind: str = "问题"  # 问题/任务/议定事项


@dataclass(frozen=True)
class MilestoneFacts:
    unit: str  # e.g. "四号车间"
    kind: str  # e.g. "主体钢结构"
    status: str  # a MilestoneStatus value
    planned_on: date | None = None
    actual_start_on: date | None = None
    actual_finish_on: date | None = None
    blocker: str = ""


def _verdict(light: Light, zh: str, en: str) -> Verdict:
    """Prefix the reasons with the light word: "红：…" / "Red: …"."""
    return Verdict(light, f"{light.value}：{zh}", f"{_LIGHT_EN[light]}: {en}")


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def days_overdue(due: date | None, today: date) -> int:
    """Whole days past `due`; 0 when there is no due date or it has not passed."""
    return max(0, (today - due).days) if due else 0


def closed_on_time(due: date | None, finished_on: date | None) -> bool | None:
    """None while unfinished; True when there was no deadline or it was met."""
    if finished_on is None:
        return None
    return due is None or finished_on <= due


def light_bounds(today: date, warn_days: int = DEFAULT_WARN_DAYS) -> tuple[date, date]:
    """(red_before, yellow_until) for open, not-yet-reported (not 已办结) problems.

    red when due < red_before (== today), yellow when red_before <= due <= yellow_until,
    green otherwise (or without a due date).  SQL queries use these same bounds so the SQL
    light and `problem_light` always agree.
    """
    return today, today + timedelta(days=warn_days)


def problem_light(p: ProblemFacts, today: date, warn_days: int = DEFAULT_WARN_DAYS) -> Verdict:
    if p.status == ProblemStatus.CLOSED:
        return Verdict(Light.NONE, "已销号", "Closed")
    if p.status == ProblemStatus.DONE:
        v = _verdict(Light.GREEN, "已办结，待销号", "done, awaiting sign-off")
    elif p.due is None:
        v = _verdict(Light.GREEN, "未设办结时限", "no deadline set")
    else:
        red_before, yellow_until = light_bounds(today, warn_days)
        cat_zh = "" if p.category in ("", Category.OTHER) else p.category
        what_zh = f"{cat_zh}{p.kind}"
        what_en = " ".join(
            w for w in (_CATEGORY_EN.get(cat_zh, cat_zh), _KIND_EN.get(p.kind, p.kind)) if w
        )
        if p.due < red_before:
            n = days_overdue(p.due, today)
            v = _verdict(Light.RED, f"{what_zh}逾期 {n} 天", f"{what_en} overdue by {_days(n)}")
        elif p.due <= yellow_until:
            n = (p.due - today).days
            if n == 0:
                v = _verdict(Light.YELLOW, f"{what_zh}今天到期", f"{what_en} due today")
            else:
                v = _verdict(Light.YELLOW, f"{what_zh} {n} 天后到期", f"{what_en} due in {_days(n)}")
        else:
            n = (p.due - today).days
            v = _verdict(Light.GREEN, f"距办结时限 {n} 天", f"{_days(n)} to deadline")
    if p.escalation > 0:
        zh, en = _ESCALATION[min(p.escalation, 2)]
        v = Verdict(v.light, v.zh + zh, v.en + en)
    return v


def milestone_light(m: MilestoneFacts, today: date) -> Verdict:
    if m.status == MilestoneStatus.DONE:
        return Verdict(Light.NONE, "已完成", "Done")
    what_zh = f"{m.unit}{m.kind}"
    what_en = f"{m.unit} {_MILESTONE_EN.get(m.kind, m.kind)}".strip()
    late = days_overdue(m.planned_on, today)
    if m.status == MilestoneStatus.BLOCKED:
        light = Light.RED if late > 0 else Light.YELLOW
        why_zh, why_en = (f"：{m.blocker}", f": {m.blocker}") if m.blocker else ("", "")
        return _verdict(light, f"{what_zh}受阻{why_zh}", f"{what_en} blocked{why_en}")
    if m.planned_on is None:
        return _verdict(Light.GREEN, "未设计划时间", "no planned date")
    if late > 0:
        light = Light.RED if late > MILESTONE_RED_AFTER_DAYS else Light.YELLOW
        return _verdict(light, f"{what_zh}滞后 {late} 天", f"{what_en} {_days(late)} behind schedule")
    return _verdict(Light.GREEN, "按计划推进", "on schedule")


def _lateness(ref: date | None, live: bool, today: date) -> int:
    """Signed days past the reference date, used to pick the worst of equal lights."""
    return (today - ref).days if live and ref else -(10**9)


def project_light(
    problems: Iterable[ProblemFacts],
    milestones: Iterable[MilestoneFacts],
    today: date,
    stalled: bool = False,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Verdict:
    """Worst light of the project's problems and milestones.

    The representative is the item with the highest light rank, then the most days past its
    date; remaining ties keep the first item (problems before milestones).  Several reds add a
    count: "红：用电问题逾期 12 天（另有 2 项红灯）".  A stalled project is at least yellow
    ("黄：项目停滞", which also replaces a yellow item's reason).  Only 已销号 problems and
    finished milestones, or nothing at all, give "绿：无待办问题".
    """
    settled, done = (ProblemStatus.DONE, ProblemStatus.CLOSED), MilestoneStatus.DONE
    scored = [
        (problem_light(p, today, warn_days), _lateness(p.due, p.status not in settled, today))
        for p in problems
    ] + [
        (milestone_light(m, today), _lateness(m.planned_on, m.status != done, today))
        for m in milestones
    ]
    # max() keeps the first of equal keys, so ties go to the earlier item.
    worst = max(scored, key=lambda s: (LIGHT_RANK[s[0].light], s[1]), default=None)
    if worst is None or worst[0].light == Light.NONE:
        worst_v = _verdict(Light.GREEN, "无待办问题", "no open problems")
    else:
        worst_v = worst[0]
    if worst_v.light == Light.RED:
        others = sum(v.light == Light.RED for v, _ in scored) - 1
        if others:
            zh, en = f"（另有 {others} 项红灯）", f" (+{others} more red)"
            return Verdict(Light.RED, worst_v.zh + zh, worst_v.en + en)
        return worst_v
    if stalled:
        return _verdict(Light.YELLOW, "项目停滞", "project stalled")
    return worst_v


def urgency(p: ProblemFacts, today: date) -> int:
    """Sort key for problem lists; higher = more urgent.

    Formula (days_late = today - due, negative while due is ahead):
        已销号                      -> -1_000_000
        已办结 (awaiting sign-off)  -> 1
        open, no due date          -> 10 + escalation
        open with due date         -> 1000 + max(days_late, -900) + 7 * escalation

    So overdue problems rank by days overdue, then those nearest their deadline; each escalation
    level counts like one more week of lateness; open problems without a deadline rank lowest
    among those needing action.  Non-decreasing in days overdue.  In SQL:

        CASE WHEN status = '已销号' THEN -1000000
             WHEN status = '已办结' THEN 1
             WHEN due IS NULL THEN 10 + escalation
             ELSE 1000 + MAX(julianday(:today) - julianday(due), -900) + 7 * escalation END
        -- Postgres: GREATEST(:today - due, -900)

    Plain SQL lists may instead sort ORDER BY light rank DESC, due ASC NULLS LAST (light from
    `light_bounds`); that matches this order except for the escalation weight and for 已办结
    rows, which it mixes in among the green ones.
    """
    if p.status == ProblemStatus.CLOSED:
        return CLOSED_URGENCY
    if p.status == ProblemStatus.DONE:
        return 1
    if p.due is None:
        return 10 + p.escalation
    return 1000 + max((today - p.due).days, -900) + 7 * p.escalation


def project_progress(milestones: Iterable[MilestoneFacts]) -> int:
    """形象进度 in percent (0..100), weighted by MILESTONE_WEIGHTS (custom kinds weigh 10).

    Done counts 1, in progress or blocked 0.5, not started 0; rounded half up; none -> 0.
    """
    half = Fraction(1, 2)
    share = {
        MilestoneStatus.DONE: 1,
        MilestoneStatus.IN_PROGRESS: half,
        MilestoneStatus.BLOCKED: half,
    }
    total = got = Fraction(0)
    for m in milestones:
        w = MILESTONE_WEIGHTS.get(m.kind, CUSTOM_MILESTONE_WEIGHT)
        total += w
        got += w * share.get(m.status, 0)
    return floor(got * 100 / total + Fraction(1, 2)) if total else 0
