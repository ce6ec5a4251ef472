"""User settings: a TOML file in the user config dir (language, money unit, default user, db).

    ~/.config/servicetui/settings.toml      lang = "en"; money_unit = "亿"; user = "liming"
    ~/.config/servicetui/keymap.toml        binding id = "keys", e.g.  "problem.close" = "x"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

APP_NAME = "servicetui"
DEFAULTS: dict[str, Any] = {"lang": "zh", "money_unit": "万", "warn_days": 3}


def data_dir() -> Path:
    """Where the database lives by default (platformdirs: ~/.local/share/servicetui on Linux)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def config_dir() -> Path:
    """$SERVICETUI_CONFIG_DIR, else the user config dir (~/.config/servicetui on Linux)."""
    override = os.environ.get("SERVICETUI_CONFIG_DIR")
    if override:
        return Path(override)
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
        return {}


def load_settings() -> dict[str, Any]:
    return {**DEFAULTS, **_read_toml(settings_path())}


FILE_ONLY_NOT = ("warn_days",)  # in DEFAULTS for reading, but a database setting: never written here


def update_settings(**values: Any) -> None:
    """Set these keys in settings.toml, keeping the rest of what the file holds."""
    stored = {**load_settings(), **values}
    for key in FILE_ONLY_NOT:
        stored.pop(key, None)
    save_settings(stored)


def save_settings(values: dict[str, Any]) -> None:
    """Write settings.toml (simple key = value pairs of str/int/bool)."""
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for key, value in values.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, int):
            lines.append(f"{key} = {value}")
        else:
            escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{key} = "{escaped}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_keymap() -> dict[str, str]:
    return {str(k): str(v) for k, v in _read_toml(keymap_path()).items()}


def os_user() -> str:
    """The login name of whoever runs the program (the default --user)."""
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return os.environ.get("USER", "unknown")
