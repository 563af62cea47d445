"""LaTeX math: finding formulas in a block, bounding them, typesetting them as SVG.

A formula becomes ``<img src="math:HASH">``; the SVG bytes live in :data:`MATH_SVGS`.
The math engine (ziamath, ~150 ms and ~12 MB) loads on first need; in the window it
loads in a background thread (:data:`background_math`), so formulas show as TeX source
until it is ready and :data:`math_generation` then tells the views to render again.
"""

from __future__ import annotations

import html
import re
import threading
from typing import Any

from chatdesk.core.mdguard import LIMITS
from chatdesk.ui.render import base
from chatdesk.ui.render.base import THEMES

__all__ = [
    "MATH_SIZES",
    "MATH_SVGS",
    "admit",
    "find_math",
    "math_engine",
    "math_html",
    "render_math",
    "start_if_wanted",
    "start_math_engine",
    "strip_math",
    "tex_ok",
]

# name ("math:<hash>") -> SVG bytes; shared by every message, filled as math is rendered.
MATH_SVGS: dict[str, bytes] = {}
# name -> (width, height) in CSS pixels of the SVG.
MATH_SIZES: dict[str, tuple[float, float]] = {}

MATH_FONT_PX = 16.0


# Where a code span or math may start (see find_math); without \[ or \( once their closer
# is known to be missing, so that thousands of them are skipped by the regex engine.
_MATH_START_RES = {
    (db, ip): re.compile(r"[`$]|\\\$" + (r"|\\\[" if db else "") + (r"|\\\(" if ip else ""))
    for db in (False, True)
    for ip in (False, True)
}
_TICKS_RE = re.compile(r"`+")
# $x$: no space after the opening or before the closing $, no digit after it,
# so "costs $5 and $10" stays text. It cannot cross a line, a $ or a backtick.
_INLINE_MATH_RE = re.compile(r"(?<![\\$\w])\$(?P<id>[^\s$`](?:[^$`\n]*?[^\s$`\\])?)\$(?![\d$])")

_lock = threading.Lock()


def _math_name(tex: str, display: bool, color: str) -> str:
    import hashlib  # here: OpenSSL's hashlib took ~2.5 ms of the window's first paint

    digest = hashlib.sha1(f"{display}|{color}|{tex}".encode()).hexdigest()[:16]
    return f"math:{digest}"


_math_engine: Any = None
_math_loading: threading.Thread | None = None
_math_wanted = False
# Bumped when the math engine has loaded: views re-render what showed TeX source meanwhile.
math_generation = 0
# The window sets this: the math engine (~150 ms, ~12 MB) then never loads on the GUI
# thread. It loads in a background thread on first need (the first formula met, also
# while an answer streams: formulas then show as math as soon as they are complete).
background_math = False


def _load_math_engine() -> None:
    global _math_engine, math_generation
    import ziamath

    ziamath.config.svg2 = False  # QtSvg (SVG Tiny) cannot draw <symbol>
    _math_engine = ziamath
    math_generation += 1


def start_math_engine() -> None:
    """Load the math engine in a background thread (once)."""
    global _math_loading
    if _math_engine is None and _math_loading is None:
        _math_loading = threading.Thread(target=_load_math_engine, daemon=True)
        _math_loading.start()


def math_engine() -> Any:
    """ziamath when it can be had now, else None (math is then shown as TeX source)."""
    global _math_wanted
    if _math_engine is not None:
        return _math_engine
    if base.streaming:
        _math_wanted = True
        if background_math:
            start_math_engine()  # never waited for: this formula shows as TeX for now
        return None
    if background_math:
        start_math_engine()
        return None
    if _math_loading is not None:
        _math_loading.join()
    else:
        _load_math_engine()
    return _math_engine


def start_if_wanted() -> None:
    """A reply is complete: load the engine now if a formula asked for it meanwhile."""
    if _math_wanted and background_math:
        start_math_engine()


def render_math(tex: str, display: bool, dark: bool) -> str | None:
    """Render LaTeX to SVG (cached in :data:`MATH_SVGS`); None when it does not parse
    (or, while streaming, when the math engine is still loading)."""
    color = THEMES[bool(dark)].math
    name = _math_name(tex, display, color)
    if name in MATH_SVGS:
        return name
    engine = math_engine()
    if engine is None:
        return None
    try:
        svg = engine.Latex(tex, size=MATH_FONT_PX, color=color, inline=not display).svg()
    except Exception:  # ziamath raises many kinds of error on bad input
        return None
    m = re.search(r'width="([\d.]+)"\s+height="([\d.]+)"', svg)
    if not m:
        return None
    with _lock:
        MATH_SVGS[name] = svg.encode()
        MATH_SIZES[name] = (float(m.group(1)), float(m.group(2)))
    return name


def tex_ok(tex: str) -> bool:
    """Whether one formula is small enough to typeset (else it is shown as source).

    ziamath costs ~0.3 ms per character and a 60x60 matrix took 4 s, so length, matrix
    cells and brace nesting are bounded.
    """
    if len(tex) > LIMITS.max_tex_chars:
        return False
    if tex.count("&") + tex.count("\\\\") > LIMITS.max_tex_cells:
        return False
    depth = deepest = 0
    for ch in tex:
        if ch == "{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == "}":
            depth -= 1
    return deepest <= LIMITS.max_tex_depth


def math_html(
    tex: str, display: bool, dark: bool, source: str, allowed: bool = True
) -> tuple[str, str | None]:
    """One formula as HTML and its resource name: the typeset image, or the TeX source
    as code (name None) when it is not ``allowed`` or does not typeset."""
    name = render_math(tex.strip(), display, dark) if allowed else None
    if name is None:
        code = html.escape(source, quote=False)
        return f"<code>{code}</code>", None
    w, h = MATH_SIZES[name]
    img = (
        f'<img src="{name}" width="{round(w)}" height="{round(h)}" style="vertical-align: middle;">'
    )
    if display:
        return f'<p align="center">{img}</p>', name
    return img, name


def _find_closer(text: str, closer: str, start: int, missing: dict[str, int]) -> int:
    """``text.find(closer, start)``, remembering where a closer is known to be absent."""
    if start >= missing.get(closer, len(text) + 1):
        return -1
    q = text.find(closer, start)
    if q < 0:
        missing[closer] = min(start, missing.get(closer, start))
    return q


_tick_res: dict[int, re.Pattern[str]] = {}


def _find_ticks(text: str, k: int, start: int, missing: dict[str, int]) -> int:
    """Start of the next run of exactly ``k`` backticks at or after ``start``, or -1."""
    key = "`" * k
    if start >= missing.get(key, len(text) + 1):
        return -1
    rx = _tick_res.get(k)
    if rx is None:
        rx = _tick_res[k] = re.compile(r"(?<!`)`{" + str(k) + r"}(?!`)")
    m = rx.search(text, start)
    if m is None:
        missing[key] = min(start, missing.get(key, start))
        return -1
    return m.start()


def admit(used: list[int], tex: str) -> bool:
    """Whether a formula is typeset, given ``used`` = [formulas, TeX chars] admitted so far
    in the message (updated). Per message the first ones are typeset, the rest are shown
    as source; a formula too big on its own is shown as source and uses up nothing."""
    if used[0] >= LIMITS.max_math or used[1] + len(tex) > LIMITS.max_math_chars:
        return False
    if not tex_ok(tex):
        return False
    used[0] += 1
    used[1] += len(tex)
    return True


def strip_math(text: str, spans: list[tuple[int, int, str, bool]]) -> str:
    """``text`` with each math span replaced by one letter: math never reaches Markdown
    (it is stashed first), so its ``&``, ``\\`` and brackets must not count in the screen."""
    out: list[str] = []
    prev = 0
    for start, end, _tex, _display in spans:
        out.append(text[prev:start])
        out.append("M")
        prev = end
    out.append(text[prev:])
    return "".join(out)


def find_math(text: str) -> list[tuple[int, int, str, bool]]:
    """Math spans of ``text`` as (start, end, tex, display), in one left-to-right pass.

    Code spans keep what is inside them literal and ``\\$`` is an escaped dollar. Closers
    (``$$``, ``\\]``, ``\\)``, a backtick run) are found with ``str.find``; once one is
    known to be missing from some point on it is not looked for again, so thousands of
    unclosed openers cost linear time (a single regex took 1.5 s for 10,000 ``\\[``).
    """
    spans: list[tuple[int, int, str, bool]] = []
    missing: dict[str, int] = {}
    pos = 0
    start_re = _MATH_START_RES[True, True]
    while True:
        if missing:
            start_re = _MATH_START_RES["\\]" not in missing, "\\)" not in missing]
        m = start_re.search(text, pos)
        if m is None:
            return spans
        p = m.start()
        ch = text[p]
        if ch == "`":
            run = _TICKS_RE.match(text, p)
            assert run is not None
            end = run.end()
            k = end - p
            close = _find_ticks(text, k, end, missing)
            pos = close + k if close >= 0 else end
            continue
        if ch == "\\":
            nxt = text[p + 1 : p + 2]
            if nxt == "$":
                pos = p + 2
                continue
            if nxt in ("[", "("):
                closer = "\\]" if nxt == "[" else "\\)"
                q = _find_closer(text, closer, p + 3, missing)
                if q >= 0:
                    spans.append((p, q + 2, text[p + 2 : q], nxt == "["))
                    pos = q + 2
                    continue
            pos = p + 1
            continue
        if text.startswith("$$", p):
            q = _find_closer(text, "$$", p + 3, missing)
            if q >= 0:
                spans.append((p, q + 2, text[p + 2 : q], True))
                pos = q + 2
                continue
        im = _INLINE_MATH_RE.match(text, p)
        if im is not None:
            spans.append((p, im.end(), im.group("id"), False))
            pos = im.end()
            continue
        pos = p + 1
