"""How the compare controller words its figures, and which rows a column shows (pure).

Kept apart from the controller, which is long enough with the running of the columns.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chatdesk.store.rows import MessageRow


def host_of(base_url: str) -> str:
    """The host (and port) of a base URL, as a network error names it."""
    try:
        return urlsplit(base_url).netloc[:200]
    except ValueError:
        return ""


def ms_text(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def secs_text(value: float | None) -> str:
    """Seconds with a tenth; under a second in ms (a fast answer is not "0.0 s")."""
    if value is None:
        return "–"
    return ms_text(value) if value < 1000 else f"{value / 1000:.1f} s"


def int_text(value: int | None) -> str:
    return "–" if value is None else str(value)


def without_prompt(rows: list[MessageRow], user: object) -> list[MessageRow]:
    """The rows without the prompt ``user`` (the current turn's, shown once above the
    columns), unless it carries images: the card above shows text only."""
    if not isinstance(user, int):
        return rows
    return [r for r in rows if r.id != user or _has_image(r)]


def _has_image(row: MessageRow) -> bool:
    return any(isinstance(p, dict) and p.get("type") == "image" for p in row.parts or [])
