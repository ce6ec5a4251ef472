"""Errors the services raise. Each carries a Chinese and an English message; none is a crash."""

from __future__ import annotations

from datetime import datetime


class ServiceError(Exception):
    """Base: a refusal the user can understand and act on."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh)
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class ValidationError(ServiceError):
    """One or more fields are wrong. `errors` maps field -> (zh, en)."""

    def __init__(self, errors: dict[str, tuple[str, str]]):
        self.errors = dict(errors)
        zh = "；".join(f"{zh}" for zh, _ in self.errors.values())
        en = "; ".join(f"{en}" for _, en in self.errors.values())
        super().__init__(zh, en)

    @classmethod
    def one(cls, field: str, zh: str, en: str) -> "ValidationError":
        return cls({field: (zh, en)})

    def field_message(self, field: str, lang: str = "zh") -> str | None:
        pair = self.errors.get(field)
        if pair is None:
            return None
        return pair[1] if lang == "en" else pair[0]


class RuleError(ServiceError):
    """A business rule forbids this (e.g. only an officer may close a problem)."""

    def __init__(self, zh: str, en: str, field: str | None = None):
        super().__init__(zh, en)
        self.field = field


class NotFoundError(ServiceError):
    def __init__(self, entity: str, entity_id: object):
        from servicetui import i18n

        super().__init__(
            f"找不到{i18n.entity(entity)} #{entity_id}（可能已归档）",
            f"{i18n.entity(entity, 'en')} #{entity_id} not found (maybe archived)",
        )
        self.entity = entity
        self.entity_id = entity_id


class ConflictError(ServiceError):
    """The row changed since the caller read it. Names who changed what and when."""

    def __init__(
        self,
        entity: str,
        entity_id: int,
        expected_version: int,
        current_version: int,
        changed_by: str | None,
        changed_at: datetime | None,
        fields: list[str],
    ):
        who = changed_by or "另一位用户"
        who_en = changed_by or "another user"
        when = changed_at.astimezone().strftime("%Y-%m-%d %H:%M") if changed_at else ""
        from servicetui import i18n

        flds = "、".join(i18n.label(f) for f in fields)
        zh = f"冲突：{i18n.entity(entity)} #{entity_id} 已被 {who} 于 {when} 修改（{flds}），请重新载入后再改"
        en = (
            f"Conflict: {i18n.entity(entity, 'en')} #{entity_id} was changed by {who_en} at {when} "
            f"({', '.join(i18n.label(f, 'en') for f in fields)}); "
            "reload and apply your change again"
        )
        super().__init__(zh, en)
        self.entity = entity
        self.entity_id = entity_id
        self.expected_version = expected_version
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.fields = fields
