"""Settings (key `,`, or "设置" in the command palette).

Language and money unit are the officer's own (settings.toml, `config.update_settings`); the warn
days, county name and bureau are the county's (database settings, `entities.set_setting`).
Changing the language or the money unit rebuilds every screen at once.
"""

from __future__ import annotations

from typing import Any

from servicetui.services import entities
from servicetui.services.errors import ValidationError
from servicetui.tui.forms import Field, FormScreen
from servicetui.tui.strings import t
from servicetui.tui.widgets import translate_bindings

DB_KEYS = ("warn_days", "county", "bureau")


def settings_fields(lang: str) -> list[Field]:
    return [
        Field("lang", t("s_lang", lang), "select", [("中文", "zh"), ("English", "en")], required=True),
        Field("money_unit", t("s_money", lang), "select", [(t("money_wan", lang), "万"), (t("money_yi", lang), "亿")],
              required=True),
        Field("warn_days", t("s_warn", lang), placeholder="3"),
        Field("county", t("s_county", lang), required=True),
        Field("bureau", t("s_bureau", lang), required=True),
    ]


def current_values(app) -> dict[str, Any]:
    values: dict[str, Any] = {"lang": app.lang, "money_unit": app.money_unit}
    for key in DB_KEYS:
        values[key] = entities.get_setting(app.engine, key)
    return values


def save(app, v: dict[str, Any]) -> dict[str, Any]:
    """Write the settings; a bad value raises ValidationError keyed by the form's field."""
    from servicetui.config import update_settings

    warn = str(v.get("warn_days") or "").strip()
    if not (warn.isdigit() and 0 <= int(warn) <= 60):
        raise ValidationError.one("warn_days", f"{t('s_warn', 'zh')}{t('s_warn_bad', 'zh')}",
                                  f"{t('s_warn', 'en')} {t('s_warn_bad', 'en')}")
    clean = {**v, "warn_days": str(int(warn))}
    entities.set_settings(app.ctx(), {key: str(clean[key] or "").strip() for key in DB_KEYS})
    update_settings(lang=clean["lang"], money_unit=clean["money_unit"])
    return clean


class SettingsScreen(FormScreen):
    def __init__(self, app) -> None:
        super().__init__(t("s_title", app.lang), settings_fields(app.lang), current_values(app),
                         lambda v: save(app, v), intro=_intro(app.lang))


def _intro(lang: str) -> str:
    from servicetui.config import settings_path

    return t("s_intro", lang, path=str(settings_path()))


def open_settings(app) -> None:
    before = {"lang": app.lang, "money_unit": app.money_unit}

    def done(result: dict[str, Any] | None) -> None:
        if not result:
            return
        app.warn_days = int(result["warn_days"])
        app.money_unit = result["money_unit"]
        if result["lang"] != before["lang"] or result["money_unit"] != before["money_unit"]:
            app.call_later(rebuild_screens, app, result["lang"])
        else:
            app.after_write(t("s_saved", app.lang))

    app.push_screen(SettingsScreen(app), done)


async def rebuild_screens(app, lang: str) -> None:
    """Apply a new language / money unit to every label: fresh bindings, fresh screens in every mode."""
    from textual.screen import ModalScreen

    app.lang = "en" if lang == "en" else "zh"
    app._bindings = app._merged_bindings.copy() if app._merged_bindings is not None else app._bindings
    translate_bindings(app, app.lang)
    app.user_label = app._user_label()
    app.title = t("app_title", app.lang)
    while isinstance(app.screen, ModalScreen):
        app.pop_screen()
    current = app.current_mode
    factories = dict(app._modes)
    for mode in list(factories):
        if mode != current:
            await app.remove_mode(mode)
            app.add_mode(mode, factories[mode])
    other = next((m for m in factories if m != current), None)
    if other is not None:
        await app.switch_mode(other)
        await app.remove_mode(current)
        app.add_mode(current, factories[current])
        await app.switch_mode(current)
    await app.drop_kept_screens()
    app.refresh_bindings()
    app.notify(t("s_saved", app.lang))
