"""Times in the history: checked when they come in, formatted without ever failing.

Times are epoch seconds (floats). An imported file may hold milliseconds (year ~58,900),
``1e300``, ``NaN`` or ``Infinity``; Python's ``datetime`` refuses anything past year
9999, so one such value stored would break every listing and export that formats it.
Imports repair what is clearly a larger unit and replace what is not a date at all;
formatting tolerates whatever a database already holds.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

#: 0001-01-01 and 9999-12-31 23:59:59 UTC: what ``datetime`` can represent.
MIN_SECONDS = -62_135_596_800.0
MAX_SECONDS = 253_402_300_799.0
#: What a date that cannot be shown reads as (never an exception).
UNKNOWN = "unknown date"

# Larger units a clock may have written, tried in order: ms, µs, ns.
_UNITS = (1e3, 1e6, 1e9)


def is_valid(value: Any) -> bool:
    """True for a finite real number of seconds that ``datetime`` can represent."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and MIN_SECONDS <= value <= MAX_SECONDS
    )


def repair(value: Any) -> tuple[float | None, str]:
    """Check one imported time.

    Returns ``(seconds, "")`` for a good value, ``(seconds, "unit")`` for a value that was
    clearly milliseconds (or micro-/nanoseconds) and was scaled down, and
    ``(None, "invalid")`` for anything that is no date (not finite, out of range).
    """
    if is_valid(value):
        return float(value), ""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value > MAX_SECONDS
    ):
        for unit in _UNITS:
            scaled = value / unit
            if 0.0 <= scaled <= MAX_SECONDS:
                return scaled, "unit"
    return None, "invalid"


def _datetime(value: Any) -> datetime | None:
    if not is_valid(value):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):  # platform limits narrower than datetime's
        return None


def format_utc(value: Any, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    """``value`` (epoch seconds) formatted in UTC, or :data:`UNKNOWN` for a bad value."""
    when = _datetime(value)
    return UNKNOWN if when is None else when.strftime(fmt)


def iso_utc(value: Any) -> str | None:
    """ISO 8601 UTC (``2026-01-02T03:04:05Z``), or ``None`` for a missing or bad value."""
    when = _datetime(value)
    if when is None:
        return None
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")
