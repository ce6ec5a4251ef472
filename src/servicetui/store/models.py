"""The data model: SQLModel tables for the whole glossary (see PRODUCT.md).

Money is integer 万元 (never float). Every editable row carries a `version` that the services
check and increment on each write. Rows are archived, never hard-deleted, by the app.
Timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


# Named constraints so Alembic batch migrations on SQLite can address them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Versioned(SQLModel):
    version: int = Field(default=1)
    archived: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Setting(SQLModel, table=True):
    """County-wide settings shared by everyone on one database (county name, warn days …)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", sa_column_kwargs={"nullable": False})


class Park(Versioned, table=True):
    """A park (园区) or a zone (片区) inside one: zones point at their park through parent_id."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="park.id")
    notes: str = Field(default="")


class Department(Versioned, table=True):
    """A responsible department (责任单位)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    short_name: str = Field(default="", max_length=50)
    # yearly target of funds in place (万元) for the quarterly assessment; 0 = none
    funds_target: int = Field(default=0, sa_type=BigInteger)
    phone: str = Field(default="", max_length=50)


class Person(Versioned, table=True):
    """A county leader (县领导), a service officer (首席服务官) or a department contact."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, index=True)
    login: str | None = Field(default=None, max_length=50, unique=True)
    role: str = Field(max_length=20)  # Role value
    title: str = Field(default="", max_length=100)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    phone: str = Field(default="", max_length=50)


class Project(Versioned, table=True):
    """A key investment project (重点项目)."""

    __table_args__ = (Index("ix_project_archived_stalled", "archived", "stalled"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=30, unique=True)
    name: str = Field(max_length=200, index=True)
    company: str = Field(default="", max_length=200, index=True)
    industry: str = Field(default="", max_length=100)
    park_id: int | None = Field(default=None, foreign_key="park.id", index=True)
    kind: str = Field(default="新引进", max_length=10)  # ProjectKind
    stage: str = Field(default="签约", max_length=10, index=True)  # Stage
    stalled: bool = Field(default=False)
    agreed_investment: int = Field(default=0, sa_type=BigInteger)  # 万元
    annual_plan: int = Field(default=0, sa_type=BigInteger)  # 万元, this year's planned investment
    signed_on: date | None = None
    start_on: date | None = None
    target_production_on: date | None = None
    leader_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    officer_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    lead_department_id: int | None = Field(default=None, foreign_key="department.id", index=True)
    source_event: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_type=Text)


class Unit(Versioned, table=True):
    """A building (单体 / 车间) of a project."""

    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(max_length=100)
    seq: int = Field(default=0)


class Milestone(Versioned, table=True):
    """A construction milestone (节点) of one unit."""

    __table_args__ = (
        UniqueConstraint("unit_id", "kind"),
        Index("ix_milestone_project_agg", "project_id", "archived", "kind", "status", "planned_on"),
        Index("ix_milestone_late", "status", "archived", "planned_on", "project_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)  # denormalised for fast lists
    kind: str = Field(max_length=50)  # MilestoneKind value or a custom name
    seq: int = Field(default=0)
    baseline_on: date | None = None
    planned_on: date | None = None
    actual_start_on: date | None = None
    actual_finish_on: date | None = None
    status: str = Field(default="未开始", max_length=10)  # MilestoneStatus
    blocker: str = Field(default="", max_length=500)
    slip_count: int = Field(default=0)


class ReviewSession(Versioned, table=True):
    """A dispatch meeting (调度会) that walks the projects one by one."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    held_on: date
    chair: str = Field(default="", max_length=100)
    attendees: str = Field(default="", sa_type=Text)
    scope: str = Field(default="all", max_length=100)  # all | leader:<id> | park:<id> | red_yellow
    order: str = Field(default="light", max_length=20)  # light | code
    status: str = Field(default="open", max_length=20, index=True)  # open | finished
    current_index: int = Field(default=0)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class ReviewItem(Versioned, table=True):
    """One project's place in a dispatch meeting: order, reviewed or skipped, minutes."""

    __table_args__ = (UniqueConstraint("session_id", "project_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="reviewsession.id", index=True)
    project_id: int = Field(foreign_key="project.id")
    seq: int = Field(default=0)
    reviewed: bool = Field(default=False)
    minutes: str = Field(default="", sa_type=Text)


class Problem(Versioned, table=True):
    """A problem (问题/诉求), a division-plan task (任务) or a meeting decision (议定事项)."""

    __table_args__ = (
        Index("ix_problem_status_due", "status", "due"),
        Index("ix_problem_department_stats", "department_id", "status", "archived", "due", "done_on", "closed_on"),
        Index("ix_problem_project_agg", "project_id", "archived", "status", "due"),
        Index("ix_problem_board", "status", "archived", "project_id", "department_id", "title", "due", "escalation"),
        Index("ix_problem_overdue", "status", "archived", "due", "project_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")  # indexed by ix_problem_project_agg (0005)
    kind: str = Field(default="问题", max_length=10, index=True)  # ProblemKind
    title: str = Field(max_length=500)
    detail: str = Field(default="", sa_type=Text)
    category: str = Field(default="其他", max_length=20, index=True)  # Category
    department_id: int | None = Field(default=None, foreign_key="department.id")  # ix_problem_department_stats
    co_departments: str = Field(default="", max_length=500)  # names joined by "、"
    owner_id: int | None = Field(default=None, foreign_key="person.id")  # 责任人
    raised_on: date | None = None
    raised_by: str = Field(default="", max_length=100)
    due: date | None = Field(default=None, index=True)
    status: str = Field(default="待交办", max_length=10)  # ProblemStatus; ix_problem_status_due …
    escalation: int = Field(default=0)  # 0 none, 1 督办, 2 county leader
    turn: str = Field(default="服务官", max_length=10)  # Turn
    resolution: str = Field(default="", sa_type=Text)
    done_on: date | None = None  # when the department reported 已办结
    closed_on: date | None = None  # 销号 date
    closed_by: str = Field(default="", max_length=100)
    reopen_count: int = Field(default=0)
    session_id: int | None = Field(default=None, foreign_key="reviewsession.id", index=True)


class ProblemEvent(SQLModel, table=True):
    """The progress log of a problem (办理进展). Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    problem_id: int = Field(foreign_key="problem.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    on: date | None = None  # the date the progress happened (defaults to today)
    actor: str = Field(default="", max_length=100)
    kind: str = Field(default="note", max_length=20)  # note | status | escalate | reassign | due
    text: str = Field(default="", sa_type=Text)
    archived: bool = Field(default=False)  # set only by undo of the note that created it


class FundsReport(Versioned, table=True):
    """Funds actually arrived for a project in one month (实际到位资金, 万元)."""

    __table_args__ = (UniqueConstraint("project_id", "year", "month"),)

    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    year: int = Field(index=True)
    month: int
    amount: int = Field(default=0, sa_type=BigInteger)  # 万元
    reported_on: date | None = None


class Activity(Versioned, table=True):
    """An investment-promotion activity: 走出去 / 请进来 / 签约会 / 推介会 / 培训会."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10, index=True)  # ActivityKind
    on: date = Field(index=True)
    title: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)
    people: str = Field(default="", max_length=500)
    projects_contacted: str = Field(default="", sa_type=Text)  # one project per line
    contacted_count: int = Field(default=0)  # 对接项目数
    notes: str = Field(default="", sa_type=Text)


class AuditEntry(SQLModel, table=True):
    """Who changed what, when: one row per changed field. Append-only: nothing updates or deletes it."""

    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_actor_batch", "actor", "batch"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(max_length=100)
    batch: str = Field(max_length=40)  # one service call = one batch (the unit of undo)
    action: str = Field(max_length=20)  # create | update | archive | restore | undo
    entity: str = Field(max_length=30)
    entity_id: int = Field(sa_type=BigInteger)
    project_id: int | None = Field(default=None, index=True)  # the project it belongs to, for history
    field: str = Field(default="", max_length=50)
    old: str | None = Field(default=None, sa_type=Text)  # JSON-encoded
    new: str | None = Field(default=None, sa_type=Text)  # JSON-encoded
    summary: str = Field(default="", max_length=200)  # what the user did, e.g. "销号"
    undo_of: str | None = Field(default=None, max_length=40, index=True)


ENTITIES: dict[str, type[SQLModel]] = {
    "park": Park,
    "department": Department,
    "person": Person,
    "project": Project,
    "unit": Unit,
    "milestone": Milestone,
    "problem": Problem,
    "problem_event": ProblemEvent,
    "funds": FundsReport,
    "activity": Activity,
    "review_session": ReviewSession,
    "review_item": ReviewItem,
    "setting": Setting,
}
