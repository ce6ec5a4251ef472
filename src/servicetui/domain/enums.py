"""Vocabulary of the domain: the values officers use, stored as their Chinese words.

Stored values are the Chinese terms themselves (the ledgers officers already keep use them);
`servicetui.i18n` translates them for the English interface.
"""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    RESERVE = "储备"
    NEGOTIATING = "在谈"
    SIGNED = "签约"
    STARTED = "开工"
    BUILDING = "在建"
    PRODUCING = "投产"
    EFFECTIVE = "达效"


class ProjectKind(StrEnum):
    NEW = "新引进"
    CONTINUING = "续建"


class MilestoneKind(StrEnum):
    FOUNDATION = "地基"
    STEEL = "主体钢结构"
    ROOF = "屋面钢结构"
    FLOOR = "地面硬化"
    EQUIPMENT = "设备安装"
    ACCEPTANCE = "竣工验收"
    PRODUCTION = "投产"


STANDARD_MILESTONES: tuple[str, ...] = tuple(k.value for k in MilestoneKind)


class MilestoneStatus(StrEnum):
    NOT_STARTED = "未开始"
    IN_PROGRESS = "进行中"
    DONE = "已完成"
    BLOCKED = "受阻"


class ProblemKind(StrEnum):
    PROBLEM = "问题"
    TASK = "任务"
    DECISION = "议定事项"


class Category(StrEnum):
    LAND = "土地"
    PLANNING = "规划"
    POWER = "用电"
    WATER = "用水"
    GAS = "用气"
    LABOUR = "用工"
    FINANCE = "融资"
    APPROVAL = "审批手续"
    INFRA = "基础设施"
    OTHER = "其他"


class ProblemStatus(StrEnum):
    NEW = "待交办"
    ASSIGNED = "已交办"
    IN_PROGRESS = "办理中"
    DONE = "已办结"
    CLOSED = "已销号"


OPEN_STATUSES: tuple[str, ...] = (
    ProblemStatus.NEW.value,
    ProblemStatus.ASSIGNED.value,
    ProblemStatus.IN_PROGRESS.value,
    ProblemStatus.DONE.value,
)


class Turn(StrEnum):
    """Whose turn it is to act on a problem (球在谁手里)."""

    OFFICER = "服务官"
    DEPARTMENT = "责任单位"
    COMPANY = "企业"
    LEADER = "县领导"
    NONE = "—"


class Role(StrEnum):
    LEADER = "县领导"
    OFFICER = "首席服务官"
    CONTACT = "部门联络员"
    STAFF = "工作人员"


class ActivityKind(StrEnum):
    OUTBOUND = "走出去"
    INBOUND = "请进来"
    SIGNING = "签约会"
    PROMOTION = "推介会"
    TRAINING = "培训会"


class Light(StrEnum):
    RED = "红"
    YELLOW = "黄"
    GREEN = "绿"
    NONE = "无"


LIGHT_RANK = {Light.RED: 3, Light.YELLOW: 2, Light.GREEN: 1, Light.NONE: 0}


ESCALATION_LABELS = {0: "—", 1: "督办", 2: "县领导督办"}
