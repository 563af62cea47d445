"""Break opportunities in long unbroken runs of displayed text (issue 16).

Qt's text layout of one run with no break point (a model stuck repeating one letter)
grows much faster than its length: 100 KB took 0.4 s, 300 KB 3.5 s, 1 MB over 30 s on
the GUI thread. Displayed HTML gets a zero-width space (U+200B) every :data:`RUN`
characters of such a run, so every line has a break point near its end. Only what is
displayed changes: the stored text, Copy and exports keep the original.
"""

from __future__ import annotations

import re

__all__ = ["RUN", "ZWSP", "breakable", "breakable_plain", "longest_run"]

ZWSP = "\u200b"
#: Longest run of characters without a break opportunity that a document is given.
RUN = 80

# A tag is kept whole; in text, a run of more than RUN characters without white space or
# an inserted break (an entity counts as one character and is never cut).
_UNIT = r"(?:&#?\w{1,8};|[^\s<>&\u200b])"
_HTML_RE = re.compile(rf"<[^>]*>|[^\s<>\u200b]{{{RUN + 1},}}")
_PIECE_RE = re.compile(rf"{_UNIT}{{{RUN}}}(?=[^\s<>\u200b])")
_PLAIN_RE = re.compile(rf"[^\s\u200b]{{{RUN}}}(?=[^\s\u200b])")
_ANY_RUN = re.compile(rf"[^\s<>\u200b]{{{RUN + 1}}}")
_ANY_PLAIN_RUN = re.compile(rf"[^\s\u200b]{{{RUN + 1}}}")


def _cut(m: re.Match[str]) -> str:
    s = m.group()
    if s[0] == "<":
        return s
    if "&" in s:
        return _PIECE_RE.sub(lambda p: p.group() + ZWSP, s)
    return ZWSP.join([s[i : i + RUN] for i in range(0, len(s), RUN)])


def breakable(html: str) -> str:
    """``html`` with a zero-width space after every RUN characters of an unbroken run
    of text (tags and entities untouched). Cheap when there is no long run."""
    if _ANY_RUN.search(html) is None:
        return html
    return _HTML_RE.sub(_cut, html)


def breakable_plain(text: str) -> str:
    """The same for plain text (a QTextDocument's setPlainText)."""
    if _ANY_PLAIN_RUN.search(text) is None:
        return text
    return _PLAIN_RE.sub(lambda p: p.group() + ZWSP, text)


def longest_run(text: str) -> int:
    """Characters of the longest stretch of ``text`` without a break opportunity."""
    return max((len(m) for m in re.findall(r"[^\s\u200b]+", text)), default=0)
