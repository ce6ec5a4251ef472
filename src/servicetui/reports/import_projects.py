"""Imported project rows (项目台账) → clean inserts, with the services' own field checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from servicetui.domain.parsing import ParseError, parse_money_wan_int
from servicetui.reports.import_rows import Fail, Issue, _Rows, nfc, text
from servicetui.services.errors import ValidationError
from servicetui.store.models import Park, Project


class ProjectRows(_Rows):
    model, entity, summary = Project, "project", "导入项目台账"
    FIELD_SOURCE = {"park_id": "park", "leader_id": "leader", "officer_id": "officer",
                    "lead_department_id": "lead_department"}

    def __init__(self, ctx, conn, header):
        super().__init__(ctx, conn, header)
        self.codes = set(conn.scalars(select(Project.code)))
        self.names = set(nfc(x) for x in conn.scalars(select(Project.name).where(Project.archived == False)))  # noqa: E712
        self.parks = {nfc(name): pid for pid, name in conn.execute(
            select(Park.id, Park.name).where(Park.archived == False))}  # noqa: E712
        self.prefix = f"XM{ctx.today.year}-"
        nums = [int(c[len(self.prefix):]) for c in self.codes if c.startswith(self.prefix) and c[len(self.prefix):].isdigit()]
        self.next_num = max(nums, default=0) + 1

    def money(self, n, cells, field, fail) -> int:
        value = self.get(cells, field)
        if value is None or value == "":
            return 0
        unit = self.header.units.get(field, "万")
        if isinstance(value, bool):
            raw = str(value)
        elif isinstance(value, (int, float)):
            raw = f"{Decimal(str(value))}{unit}"
        else:
            raw = text(value)
            raw = raw if any(u in raw for u in "亿万元") else raw + unit
        try:
            return parse_money_wan_int(raw)
        except ParseError as exc:
            fail(n, self.col(field), exc.zh, exc.en)
            return 0

    def check(self, n: int, cells: list[Any], fail: Fail):
        from servicetui.services.entities import _check_project
        from servicetui.services.validate import Checker

        reported: set[str] = set()

        def bad(*a, field):
            reported.add(field)
            fail(*a)

        name, code = text(self.get(cells, "name")), text(self.get(cells, "code"))
        if (code and code in self.codes) or (name and name in self.names):
            return Issue(n, self.col("name"), f"项目「{name or code}」已存在，未重复导入", f"project '{name or code}' already present (skipped)")
        park = text(self.get(cells, "park"))
        park_id = self.parks.get(park) if park else None
        if park and park_id is None:
            bad(n, self.col("park"), f"园区「{park}」不存在", f"no park named '{park}'", field="park")
        stage = text(self.get(cells, "stage")) or "签约"
        stalled = stage.endswith(("（停滞）", "(停滞)"))
        stage = stage.removesuffix("（停滞）").removesuffix("(停滞)")
        data = dict(
            code=code or self._next_code(), name=name, company=text(self.get(cells, "company")),
            industry=text(self.get(cells, "industry")), park_id=park_id,
            kind=text(self.get(cells, "kind")) or "新引进", stage=stage, stalled=stalled,
            agreed_investment=self.money(n, cells, "agreed_investment", lambda *a: bad(*a, field="agreed_investment")),
            annual_plan=self.money(n, cells, "annual_plan", lambda *a: bad(*a, field="annual_plan")),
            leader_id=self.person(n, cells, "leader", lambda *a: bad(*a, field="leader")),
            officer_id=self.person(n, cells, "officer", lambda *a: bad(*a, field="officer")),
            lead_department_id=self.department(n, cells, "lead_department", lambda *a: bad(*a, field="lead_department")),
            source_event=text(self.get(cells, "source_event")), notes=text(self.get(cells, "notes")),
            **{f: self.date(n, cells, f, lambda *a, f=f: bad(*a, field=f))
               for f in ("signed_on", "start_on", "target_production_on")},
        )
        c = Checker()
        clean = _check_project(self.tx, c, data, None)
        if c.errors:
            self.report(n, ValidationError(c.errors), fail, reported)
            return None
        if reported:
            return None
        self.codes.add(clean["code"])
        self.names.add(clean["name"])
        return {**clean, "archived": False}, ""

    def _next_code(self) -> str:
        while f"{self.prefix}{self.next_num:03d}" in self.codes:
            self.next_num += 1
        return f"{self.prefix}{self.next_num:03d}"

    def project_of(self, obj_id: int, row: dict) -> int:
        return obj_id

    def note_events(self, ids, rows, notes, now):
        return {"problem_id": [], "text": []}, {}, []
