"""Who is acting, on which database, on which day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, case, or_, select

from servicetui.config import os_user
from servicetui.domain.enums import Role


@dataclass
class Ctx:
    engine: Engine
    actor: str = field(default_factory=os_user)
    today: date = field(default_factory=date.today)
    lang: str = "zh"
    _role: str | None = field(default=None, init=False, repr=False)
    _person_id: int | None = field(default=None, init=False, repr=False)
    _looked_up: bool = field(default=False, init=False, repr=False)

    def _lookup(self) -> None:
        if self._looked_up:
            return
        from servicetui.store.models import Person

        with self.engine.connect() as conn:
            row = conn.execute(
                select(Person.id, Person.role)
                .where(or_(Person.login == self.actor, Person.name == self.actor), Person.archived == False)  # noqa: E712
                .order_by(case((Person.login == self.actor, 0), else_=1), Person.id)
            ).first()
        if row is not None:
            self._person_id, self._role = row[0], row[1]
        self._looked_up = True

    @property
    def role(self) -> str | None:
        """The actor's Role value, or None when the actor is not a known person."""
        self._lookup()
        return self._role

    @property
    def person_id(self) -> int | None:
        self._lookup()
        return self._person_id

    def can_close(self) -> bool:
        return self.role in (Role.OFFICER.value, Role.LEADER.value)
