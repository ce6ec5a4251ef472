from datetime import date, timedelta

import pytest

from servicetui.domain.enums import LIGHT_RANK, STANDARD_MILESTONES, Light
from servicetui.domain.rules import (
    DEFAULT_WARN_DAYS,
    MILESTONE_WEIGHTS,
    MilestoneFacts,
    ProblemFacts,
    Verdict,
    closed_on_time,
    days_overdue,
    light_bounds,
    milestone_light,
    problem_light,
    project_light,
    project_progress,
    urgency,
)

TODAY = date(2024, 5, 20)


def day(n: int) -> date:
    """TODAY shifted by n days."""
    return TODAY + timedelta(days=n)


def prob(due_in=None, status="办理中", category="用电", escalation=0, kind="问题", title="t"):
    due = None if due_in is None else day(due_in)
    return ProblemFacts(title, status, due, category, escalation, kind)


def ms(unit="四号车间", kind="主体钢结构", status="进行中", planned_in=None, blocker=""):
    planned = None if planned_in is None else day(planned_in)
    return MilestoneFacts(unit, kind, status, planned_on=planned, blocker=blocker)


# --- small helpers -----------------------------------------------------------------------------


def test_verdict_reason_picks_language():
    v = Verdict(Light.RED, "红：x", "Red: x")
    assert v.reason("zh") == "红：x"
    assert v.reason("en") == "Red: x"
    assert v.reason("en_US") == "Red: x"


def test_days_overdue_is_zero_unless_past_due():
    assert days_overdue(None, TODAY) == 0
    assert days_overdue(day(3), TODAY) == 0
    assert days_overdue(TODAY, TODAY) == 0
    assert days_overdue(day(-12), TODAY) == 12


def test_closed_on_time():
    assert closed_on_time(day(0), None) is None
    assert closed_on_time(None, TODAY) is True
    assert closed_on_time(day(0), TODAY) is True
    assert closed_on_time(day(-1), TODAY) is False


# --- problem_light -----------------------------------------------------------------------------


def test_closed_problem_has_no_light():
    v = problem_light(prob(-30, status="已销号", escalation=2), TODAY)
    assert (v.light, v.zh, v.en) == (Light.NONE, "已销号", "Closed")


def test_reported_done_problem_is_green_even_if_overdue():
    v = problem_light(prob(-30, status="已办结"), TODAY)
    assert (v.light, v.zh, v.en) == (Light.GREEN, "绿：已办结，待销号", "Green: done, awaiting sign-off")


@pytest.mark.parametrize("status", ["待交办", "已交办", "办理中"])
def test_open_problem_without_due_is_green(status):
    v = problem_light(prob(None, status=status), TODAY)
    assert (v.light, v.zh, v.en) == (Light.GREEN, "绿：未设办结时限", "Green: no deadline set")


def test_overdue_problem_is_red_with_category_and_days():
    v = problem_light(prob(-12), TODAY)
    assert (v.light, v.zh, v.en) == (
        Light.RED,
        "红：用电问题逾期 12 天",
        "Red: power problem overdue by 12 days",
    )


def test_overdue_reason_uses_kind_word_and_drops_other_category():
    task = problem_light(prob(-3, category="其他", kind="任务"), TODAY)
    assert (task.zh, task.en) == ("红：任务逾期 3 天", "Red: task overdue by 3 days")
    one = problem_light(prob(-1, category="土地", kind="议定事项"), TODAY)
    assert (one.zh, one.en) == ("红：土地议定事项逾期 1 天", "Red: land agreed item overdue by 1 day")


def test_yesterday_is_red_today_is_yellow_due_today():
    assert problem_light(prob(-1), TODAY).light == Light.RED
    v = problem_light(prob(0), TODAY)
    assert (v.light, v.zh, v.en) == (Light.YELLOW, "黄：用电问题今天到期", "Yellow: power problem due today")


def test_due_at_end_of_warning_window_is_yellow():
    v = problem_light(prob(DEFAULT_WARN_DAYS), TODAY)
    assert (v.light, v.zh, v.en) == (
        Light.YELLOW,
        "黄：用电问题 3 天后到期",
        "Yellow: power problem due in 3 days",
    )


def test_due_just_after_warning_window_is_green_with_days_left():
    v = problem_light(prob(DEFAULT_WARN_DAYS + 1), TODAY)
    assert (v.light, v.zh, v.en) == (Light.GREEN, "绿：距办结时限 4 天", "Green: 4 days to deadline")


def test_custom_warn_days_widens_yellow_window():
    assert problem_light(prob(7), TODAY, warn_days=7).light == Light.YELLOW
    assert problem_light(prob(1), TODAY, warn_days=0).light == Light.GREEN


def test_escalation_is_appended_without_changing_colour():
    plain, supervised, leader = (problem_light(prob(-12, escalation=e), TODAY) for e in (0, 1, 2))
    assert plain.light == supervised.light == leader.light == Light.RED
    assert supervised.zh == "红：用电问题逾期 12 天（已督办）"
    assert supervised.en == "Red: power problem overdue by 12 days (escalated)"
    assert leader.zh == "红：用电问题逾期 12 天（县领导督办）"
    assert leader.en == "Red: power problem overdue by 12 days (escalated to county leader)"
    green = problem_light(prob(10, escalation=1), TODAY)
    assert (green.light, green.zh) == (Light.GREEN, "绿：距办结时限 10 天（已督办）")


@pytest.mark.parametrize("warn_days", [0, 1, DEFAULT_WARN_DAYS, 10])
def test_light_bounds_agree_with_problem_light_for_every_due_date(warn_days):
    red_before, yellow_until = light_bounds(TODAY, warn_days)
    assert red_before == TODAY
    for n in range(-40, 40):
        due = day(n)
        expected = (
            Light.RED if due < red_before else Light.YELLOW if due <= yellow_until else Light.GREEN
        )
        assert problem_light(prob(n), TODAY, warn_days).light == expected, due


# --- milestone_light ---------------------------------------------------------------------------


def test_finished_milestone_has_no_light():
    v = milestone_light(ms(status="已完成", planned_in=-100), TODAY)
    assert (v.light, v.zh, v.en) == (Light.NONE, "已完成", "Done")


def test_blocked_milestone_past_plan_is_red_with_blocker():
    v = milestone_light(ms(status="受阻", planned_in=-1, blocker="等待钢柱加工"), TODAY)
    assert v.light == Light.RED
    assert v.zh == "红：四号车间主体钢结构受阻：等待钢柱加工"
    assert v.en == "Red: 四号车间 main steel structure blocked: 等待钢柱加工"


@pytest.mark.parametrize("planned_in", [None, 0, 30])
def test_blocked_milestone_not_yet_due_is_yellow(planned_in):
    v = milestone_light(ms(status="受阻", planned_in=planned_in), TODAY)
    assert (v.light, v.zh, v.en) == (
        Light.YELLOW,
        "黄：四号车间主体钢结构受阻",
        "Yellow: 四号车间 main steel structure blocked",
    )


def test_late_milestone_is_yellow_up_to_14_days_then_red():
    v = milestone_light(ms("二号车间", "地面硬化", planned_in=-5), TODAY)
    assert (v.light, v.zh, v.en) == (
        Light.YELLOW,
        "黄：二号车间地面硬化滞后 5 天",
        "Yellow: 二号车间 floor hardening 5 days behind schedule",
    )
    assert milestone_light(ms(status="未开始", planned_in=-14), TODAY).light == Light.YELLOW
    red = milestone_light(ms(status="未开始", planned_in=-15), TODAY)
    assert (red.light, red.zh) == (Light.RED, "红：四号车间主体钢结构滞后 15 天")


def test_custom_milestone_kind_keeps_its_name_in_english():
    v = milestone_light(ms("一号车间", "围墙", planned_in=-2), TODAY)
    assert v.en == "Yellow: 一号车间 围墙 2 days behind schedule"


@pytest.mark.parametrize("planned_in", [0, 10])
def test_milestone_on_or_before_plan_is_green(planned_in):
    v = milestone_light(ms(planned_in=planned_in), TODAY)
    assert (v.light, v.zh, v.en) == (Light.GREEN, "绿：按计划推进", "Green: on schedule")


def test_milestone_without_plan_is_green():
    assert milestone_light(ms(status="未开始"), TODAY).light == Light.GREEN


# --- project_light -----------------------------------------------------------------------------


def test_empty_project_is_green_no_open_problems():
    v = project_light([], [], TODAY)
    assert (v.light, v.zh, v.en) == (Light.GREEN, "绿：无待办问题", "Green: no open problems")


def test_project_with_only_closed_items_is_green_no_open_problems():
    v = project_light([prob(-5, status="已销号")], [ms(status="已完成")], TODAY)
    assert v.zh == "绿：无待办问题"


def test_project_takes_worst_light_across_problems_and_milestones():
    blocked = ms(status="受阻", planned_in=-1, blocker="等待钢柱加工")
    v = project_light([prob(10), prob(2)], [blocked], TODAY)
    assert (v.light, v.zh) == (Light.RED, "红：四号车间主体钢结构受阻：等待钢柱加工")
    v = project_light([prob(10), prob(2, category="用水")], [ms(planned_in=5)], TODAY)
    assert (v.light, v.zh) == (Light.YELLOW, "黄：用水问题 2 天后到期")


def test_several_reds_report_most_overdue_plus_count():
    problems = [prob(-3, category="土地"), prob(-12), prob(1)]
    milestones = [ms(status="受阻", planned_in=-2)]
    v = project_light(problems, milestones, TODAY)
    assert v.light == Light.RED
    assert v.zh == "红：用电问题逾期 12 天（另有 2 项红灯）"
    assert v.en == "Red: power problem overdue by 12 days (+2 more red)"


def test_equally_overdue_reds_keep_the_first():
    v = project_light([prob(-4, category="用水"), prob(-4, category="用气")], [], TODAY)
    assert v.zh == "红：用水问题逾期 4 天（另有 1 项红灯）"


def test_nearest_yellow_wins_over_later_yellow():
    v = project_light([prob(3, category="用水"), prob(0, category="用气")], [], TODAY)
    assert v.zh == "黄：用气问题今天到期"


def test_stalled_project_is_at_least_yellow():
    v = project_light([prob(20)], [], TODAY, stalled=True)
    assert (v.light, v.zh, v.en) == (Light.YELLOW, "黄：项目停滞", "Yellow: project stalled")
    assert project_light([], [], TODAY, stalled=True).zh == "黄：项目停滞"
    assert project_light([prob(1)], [], TODAY, stalled=True).zh == "黄：项目停滞"


def test_stalled_does_not_hide_red():
    v = project_light([prob(-12)], [], TODAY, stalled=True)
    assert (v.light, v.zh) == (Light.RED, "红：用电问题逾期 12 天")


def test_project_light_passes_warn_days_on():
    assert project_light([prob(5)], [], TODAY).light == Light.GREEN
    assert project_light([prob(5)], [], TODAY, warn_days=5).light == Light.YELLOW


# --- urgency -----------------------------------------------------------------------------------


def test_urgency_never_drops_as_days_overdue_grow():
    for escalation in (0, 1, 2):
        scores = [urgency(prob(-n, escalation=escalation), TODAY) for n in range(-2000, 2000)]
        assert scores == sorted(scores)
        assert len(set(scores[-1000:])) == 1000  # strictly increasing once near or past due


def test_urgency_orders_overdue_near_far_nodue_done_closed():
    order = [
        prob(-10),
        prob(-1),
        prob(0),
        prob(3),
        prob(400),
        prob(None),
        prob(-50, status="已办结"),
        prob(-50, status="已销号"),
    ]
    scores = [urgency(p, TODAY) for p in order]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)
    assert urgency(prob(-50, status="已办结"), TODAY) > 0
    assert urgency(prob(-50, status="已销号"), TODAY) <= -(10**6) < 0


def test_open_problem_without_due_is_least_urgent_open_one():
    no_due = urgency(prob(None, escalation=2), TODAY)
    assert all(urgency(prob(n), TODAY) > no_due for n in range(-5, 5000, 7))


def test_escalation_adds_urgency():
    for n in (-5, 0, 5, None):
        assert urgency(prob(n, escalation=0), TODAY) < urgency(prob(n, escalation=1), TODAY)
        assert urgency(prob(n, escalation=1), TODAY) < urgency(prob(n, escalation=2), TODAY)


def test_urgency_agrees_with_light_rank_without_escalation():
    problems = [prob(n) for n in range(-30, 30)] + [prob(None)]
    by_urgency = sorted(problems, key=lambda p: urgency(p, TODAY), reverse=True)
    ranks = [LIGHT_RANK[problem_light(p, TODAY).light] for p in by_urgency]
    assert ranks == sorted(ranks, reverse=True)


# --- project_progress --------------------------------------------------------------------------


def test_milestone_weights_cover_standard_kinds_and_sum_to_100():
    assert set(MILESTONE_WEIGHTS) == set(STANDARD_MILESTONES)
    assert sum(MILESTONE_WEIGHTS.values()) == 100
    assert MILESTONE_WEIGHTS["主体钢结构"] == 25


def test_no_milestones_means_zero_progress():
    assert project_progress([]) == 0


def test_all_done_is_100_and_none_started_is_0():
    assert project_progress([ms(kind=k, status="已完成") for k in STANDARD_MILESTONES]) == 100
    assert project_progress([ms(kind=k, status="未开始") for k in STANDARD_MILESTONES]) == 0


def test_in_progress_and_blocked_count_half():
    assert project_progress([ms(kind="地基", status="进行中"), ms(kind="投产", status="未开始")]) == 30
    assert project_progress([ms(kind="主体钢结构", status="受阻")]) == 50


def test_custom_kind_weighs_10():
    # 地基 15 done + 围墙 10 not started -> 15/25
    assert project_progress([ms(kind="地基", status="已完成"), ms(kind="围墙", status="未开始")]) == 60


def test_progress_rounds_half_up():
    def customs(half_done: int, total: int) -> list[MilestoneFacts]:
        return [ms(kind=f"自定义{i}", status="进行中" if i < half_done else "未开始") for i in range(total)]

    assert project_progress(customs(1, 4)) == 13  # 12.5 -> 13 (not banker's 12)
    assert project_progress(customs(3, 4)) == 38  # 37.5 -> 38
    assert project_progress(customs(1, 8)) == 6  # 6.25 -> 6
    assert project_progress(customs(1, 3)) == 17  # 16.67 -> 17


def _workshops(overrides: dict[tuple[str, str], str]) -> list[MilestoneFacts]:
    units = ["一号车间", "二号车间", "三号车间", "四号车间"]
    return [
        ms(unit, kind, overrides.get((unit, kind), "未开始"))
        for unit in units
        for kind in STANDARD_MILESTONES
    ]


SEED = {
    **{(u, "地基"): "已完成" for u in ("一号车间", "二号车间", "三号车间", "四号车间")},
    **{(u, "屋面钢结构"): "进行中" for u in ("一号车间", "二号车间", "三号车间")},
    ("二号车间", "地面硬化"): "进行中",
    ("四号车间", "主体钢结构"): "受阻",
}


def test_seed_four_workshops_progress():
    # per workshop of 100: 一/三 15+7.5, 二 15+7.5+5, 四 15+12.5 -> 100 of 400 = 25%
    assert project_progress(_workshops(SEED)) == 25


def test_seed_progress_counts_only_recorded_milestones():
    recorded = [ms(u, k, s) for (u, k), s in SEED.items()]
    # 100 earned of 140 weight recorded -> 71.4%
    assert project_progress(recorded) == 71


def test_seed_project_light_shows_blocked_steel():
    milestones = [
        ms(u, k, s, planned_in=-3, blocker="等待钢柱加工" if s == "受阻" else "")
        for (u, k), s in SEED.items()
    ]
    v = project_light([], milestones, TODAY)
    assert v.light == Light.RED
    assert v.zh == "红：四号车间主体钢结构受阻：等待钢柱加工"
