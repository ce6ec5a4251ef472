"""User settings: a TOML file in the user config dir (language, money unit, default user, db).

    ~/.config/servicetui/settings.toml      lang = "en"; money_unit = "亿"; user = "liming"
    ~/.config/servicetui/keymap.toml        binding id = "keys", e.g.  "problem.close" = "x"
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {"lang": "zh", "money_unit": "万", "warn_days": 3}


def config_dir() -> Path:
    override = os.environ.get("SERVICETUI_CONFIG_DIR")
    if override:
        return Path(override)
    from servicetui.store.db import config_dir as default

    return default()


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
