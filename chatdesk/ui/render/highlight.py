"""Code blocks: Pygments highlighting as inline styles, a header with a Copy link.

QTextDocument ignores CSS classes, so the formatter writes inline styles; lexers are
looked up by name (never guessed) and load in a background thread while an answer streams.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable
from typing import Any

from chatdesk.core.mdguard import LIMITS
from chatdesk.ui.render import base
from chatdesk.ui.render.base import THEMES

__all__ = ["COMMON_LANGUAGES", "NOWRAP_MAX", "copy_icon", "copy_label", "lexer", "render_code"]

#: Longest line (characters) a code block keeps unwrapped; a longer one wraps the block.
NOWRAP_MAX = 2000
_LONG_LINE = re.compile(rf"^[^\n]{{{NOWRAP_MAX + 1}}}", re.MULTILINE)  # tried at line starts

_formatters: dict[bool, Any] = {}
_lexers: dict[str, Any] = {}


def _formatter(dark: bool) -> Any:
    f = _formatters.get(dark)
    if f is None:
        from pygments.formatters import HtmlFormatter

        f = HtmlFormatter(noclasses=True, nowrap=True, style=THEMES[dark].pygments_style)
        _formatters[dark] = f
    return f


_lexers_loading: dict[str, threading.Thread] = {}


def lexer(lang: str, wait: bool = True) -> Any:
    """Lexer by name, never guessed (guessing costs 10-190 ms).

    Loading a lexer's module the first time costs 10-100 ms. With ``wait=False`` (while
    an answer streams) it loads in a background thread and None is returned meanwhile:
    the block is shown plain now and highlighted when the message is complete.
    """
    lang = lang.lower()
    lx = _lexers.get(lang)
    if lx is None and not wait:
        if lang not in _lexers_loading:
            thread = threading.Thread(target=lexer, args=(lang,), daemon=True)
            _lexers_loading[lang] = thread
            thread.start()
        return None
    if lx is None:
        from pygments.lexers import get_lexer_by_name
        from pygments.util import ClassNotFound

        try:
            lx = get_lexer_by_name(lang, stripnl=False, ensurenl=False) if lang else None
        except ClassNotFound:
            lx = None
        if lx is None:
            from pygments.lexers.special import TextLexer

            lx = TextLexer(stripnl=False, ensurenl=False)
        _lexers[lang] = lx
    return lx


def _copy_label() -> str:
    return "Copy"


# The text of the Copy link on code blocks. This package has no Qt import, so the message
# view replaces this with a function that translates it (set it here, on this module).
copy_label: Callable[[], str] = _copy_label


def _copy_icon() -> str:
    return ""


# Rich text of an icon put before the label (the view sets one from its icon font).
copy_icon: Callable[[], str] = _copy_icon


def render_code(code: str, lang: str, index: int, dark: bool, highlight: bool = True) -> str:
    """A code block as a table (header with language and a Copy link, then the code).

    ``highlight=False`` skips Pygments: used for a fence still being streamed, which is
    re-rendered on every update.

    Lines are not wrapped (``pre``): a block wider than the column scrolls sideways in
    the view (see chatdesk.ui.codescroll). A block with a line longer than
    :data:`NOWRAP_MAX` wraps (``pre-wrap``) instead: Qt lays an unwrapped line out in
    one piece, at a cost that grows faster than its length (a 1 MB line froze the
    window), while wrapped lines get break points (chatdesk.ui.breaks).
    """
    th = THEMES[bool(dark)]
    if len(code) > LIMITS.max_highlight_chars or code.count("\n") >= LIMITS.max_highlight_lines:
        highlight = False  # Pygments costs ~120 us a line: a huge fence is shown plain
    lx = lexer(lang, wait=not base.streaming) if highlight and lang else None
    if lx is not None:
        from pygments import highlight as _hl

        body = _hl(code, lx, _formatter(bool(dark)))
    else:
        body = html.escape(code, quote=False)
    body = body.rstrip("\n")
    wrap = "pre-wrap" if _LONG_LINE.search(code) else "pre"
    label = html.escape(lang or "code")
    icon = copy_icon()
    copy = (icon + "&nbsp;" if icon else "") + html.escape(copy_label())
    # A header bar (language, Copy) over the code: two header cells of one colour and no
    # inner border, so the bar reads as one (the view rounds the frame, see messageitem).
    head = f"background-color:{th.code_head_bg}; padding: 4px 12px;"
    return (
        f'<table width="100%" cellspacing="0" cellpadding="0" border="0" '
        f'style="background-color:{th.code_bg}; '
        f'margin-top: 4px; margin-bottom: 8px;">'
        f'<tr><td style="{head}">'
        f'<span style="color:{th.muted}; font-size: small;">{label}</span></td>'
        f'<td align="right" style="{head}"><a href="copycode:{index}" '
        f'style="color:{th.muted}; font-size: small;">{copy}</a></td></tr>'
        f'<tr><td colspan="2" style="padding: 8px 12px;"><pre style="color:{th.code_fg}; '
        f'white-space: {wrap}; margin: 0;">{body}</pre></td></tr></table>'
    )


COMMON_LANGUAGES = (
    "bash",
    "javascript",
    "typescript",
    "json",
    "rust",
    "go",
    "java",
    "c",
    "cpp",
    "sql",
    "yaml",
    "html",
    "css",
    "diff",
    "toml",
)
