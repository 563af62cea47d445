"""The app's settings as one dataclass with one set of defaults.

The window, the CLI and the client pool read the same values; anything loaded from
the database is checked here (a hand-edited or damaged value falls back to its
default instead of breaking a start).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any


class SettingKey(StrEnum):
    """The names of the stored settings (keys of ``app_settings``)."""

    THEME = "theme"
    FONT_SIZE = "font_size"
    LANGUAGE = "language"
    SEND_KEY = "send_key"
    PROXY_MODE = "proxy_mode"
    PROXY_URL = "proxy_url"
    CONNECT_TIMEOUT = "connect_timeout"
    READ_TIMEOUT = "read_timeout"
    TOTAL_TIMEOUT = "total_timeout"
    TITLE_MODEL = "title_model"
    NOTIFY = "notify"


# Allowed ranges of the number settings that differ from (0, 3600] seconds.
_RANGES: dict[str, tuple[float, float]] = {"total_timeout": (0.0, 86400.0)}

_CHOICES: dict[str, tuple[str, ...]] = {
    "theme": ("system", "light", "dark"),
    "send_key": ("enter", "ctrl+enter"),
    "proxy_mode": ("system", "none", "custom"),
}


@dataclass(slots=True)
class AppSettings:
    """Every user setting with its default; ``from_dict`` never raises."""

    theme: str = "system"
    font_size: int = 11
    language: str = "en"
    send_key: str = "enter"
    proxy_mode: str = "system"
    proxy_url: str = ""
    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # idle: no byte for this long ends a reply
    total_timeout: float = 0.0  # a whole reply's deadline; 0 = none
    title_model: str = ""
    notify: bool = True  # a desktop notification when an answer ends in the background

    @classmethod
    def from_dict(cls, raw: Any) -> AppSettings:
        """Known keys of the right type and range; everything else keeps its default."""
        out = cls()
        if not isinstance(raw, dict):
            return out
        for f in fields(cls):
            value = raw.get(f.name)
            default = getattr(out, f.name)
            checked = _check(f.name, value, default)
            setattr(out, f.name, checked)
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def proxy(self) -> tuple[str | None, bool]:
        """(proxy URL or None, whether to trust the environment's proxy variables)."""
        if self.proxy_mode == "custom" and self.proxy_url:
            return self.proxy_url, True
        if self.proxy_mode == "none":
            return None, False
        return None, True


def _check(name: str, value: Any, default: Any) -> Any:
    if value is None:
        return default
    if isinstance(default, bool):  # only a real true/false (JSON), never 0/1 or "yes"
        return value if isinstance(value, bool) else default
    if isinstance(value, bool):
        return default
    if isinstance(default, int):
        # The range first: math.isfinite() raises on an int too large for a float.
        if isinstance(value, int | float) and 0 <= value <= 72 and math.isfinite(value):
            return int(value)
        return default
    if isinstance(default, float):
        low, high = _RANGES.get(name, (0.001, 3600.0))
        if isinstance(value, int | float) and low <= value <= high and math.isfinite(value):
            return float(value)
        return default
    if isinstance(value, str) and len(value) <= 2000:
        choices = _CHOICES.get(name)
        if choices is not None and value not in choices:
            return default
        return value
    return default


DEFAULTS = AppSettings().to_dict()
