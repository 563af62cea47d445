"""What every part of rendering shares: the result type, the colours, the plain fallbacks.

No Qt here (see :mod:`chatdesk.ui.render`). :data:`streaming` is the one flag of the
rendering state that several parts read: :class:`~chatdesk.ui.render.stream.StreamRenderer`
sets it while it renders, and then lexers and math never block on a first load.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "THEMES",
    "RenderResult",
    "Theme",
    "code_colors",
    "escape_text",
    "fallback_note",
    "plain_block",
    "plain_piece",
]

# True inside StreamRenderer.update: then lexers and math never block on a first load.
streaming = False


@dataclass(slots=True)
class RenderResult:
    """HTML of one message (or block) plus what the view needs to act on it."""

    html: str
    code_blocks: list[str] = field(default_factory=list)
    math: list[str] = field(default_factory=list)  # resource names used, e.g. "math:ab12"
    # Formulas admitted for typesetting and their TeX length: the per-message caps of the
    # next block start from these (see :func:`~chatdesk.ui.render.mathtex.admit`).
    math_spans: int = 0
    math_chars: int = 0
    # Why the block is shown as plain text ("depth", "error", ...), None when it is not.
    fallback: str | None = None


# --------------------------------------------------------------------------- colours


@dataclass(frozen=True, slots=True)
class Theme:
    pygments_style: str
    code_bg: str
    code_head_bg: str
    code_fg: str
    border: str
    muted: str
    math: str
    link: str
    quote_bar: str
    quote_fg: str


THEMES = {
    False: Theme(
        "friendly",
        "#f6f8fa",
        "#eaeef2",
        "#1f2328",
        "#d0d7de",
        "#656d76",
        "#1f2328",
        "#0969da",
        "#c9ced4",
        "#424a53",
    ),
    True: Theme(
        "github-dark",
        "#161b22",
        "#22272e",
        "#e6edf3",
        "#30363d",
        "#8d96a0",
        "#e6edf3",
        "#58a6ff",
        "#4a4f57",
        "#b7bdc6",
    ),
}


def code_colors(dark: bool) -> Theme:
    """The colours used for code blocks and math in one theme (the view matches them)."""
    return THEMES[bool(dark)]


# --------------------------------------------------------------------------- helpers


def escape_text(text: str) -> str:
    """Escape text for rich text, keeping line breaks visible."""
    return html.escape(text, quote=False).replace("\n", "<br>")


def _fallback_note() -> str:
    return "Shown as plain text: too complex to format."


# The note under a block shown as plain text (see :func:`plain_block`); the window may
# replace it with a translated one (set it here, on this module), as with
# :data:`chatdesk.ui.render.highlight.copy_label`.
fallback_note: Callable[[], str] = _fallback_note


def plain_block(text: str, dark: bool) -> str:
    """``text`` escaped and pre-wrapped, with a small note: the fallback for one block."""
    th = THEMES[bool(dark)]
    return (
        f'<p style="white-space: pre-wrap;">{html.escape(text, quote=False)}</p>'
        f'<p style="color:{th.muted}; font-size: small;">{html.escape(fallback_note())}</p>'
    )


def plain_piece(text: str) -> RenderResult:
    """One block of a cut region (a line too long to lay out): plain text, no note, no
    code or math counted, so streaming and the final render number the same way."""
    html_ = f'<p style="white-space: pre-wrap;">{html.escape(text, quote=False)}</p>'
    return RenderResult(html_, [], [], 0, 0, "long line")
