"""How the compare controller words its figures and word differences (pure text).

Kept apart from the controller, which is long enough with the running of the columns.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

_DIFF_STYLE = {
    "removed": "background:#f8d7da; color:#842029; text-decoration: line-through;",
    "added": "background:#d1e7dd; color:#0f5132;",
}


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


def diff_html(segments: list[tuple[str, str]]) -> str:
    parts = []
    for text, kind in segments:
        escaped = html.escape(text).replace("\n", "<br>")
        style = _DIFF_STYLE.get(kind)
        parts.append(f'<span style="{style}">{escaped}</span>' if style else escaped)
    return "<div style='white-space: pre-wrap;'>" + "".join(parts) + "</div>"
