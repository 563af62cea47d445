"""Markdown to Qt rich-text HTML, safe for untrusted model output (no Qt import here).

Why a module of its own: rendering is the hot path of the message view (RECIPES.md section 6),
so it is pure Python that tests and benchmarks can drive without a display.

* Raw HTML in the Markdown is shown as text, links keep their target only for
  http/https/mailto, and no remote image is ever fetched: ``<img>`` may only point at our own
  ``math:`` and ``img:`` resource names.
* Code blocks are highlighted with Pygments as inline styles (QTextDocument ignores CSS
  classes) and each gets a ``copycode:N`` link; the raw code is kept for the clipboard.
* LaTeX math becomes ``<img src="math:HASH">``; the SVG bytes live in :data:`MATH_SVGS`.
* :class:`StreamRenderer` renders a growing reply block by block so that each update costs
  only the open last block.
* Hostile input never freezes the window or raises (issue 8): each block is screened for
  costly shapes first (:mod:`chatdesk.core.mdguard`: nesting, delimiter and bracket runs,
  size) and shown as escaped plain text when it has them or when conversion fails; math is
  capped per message and per formula, long fences are not highlighted.
"""

from __future__ import annotations

import html
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chatdesk.core.mdguard import LIMITS, outside_fences, screen

if TYPE_CHECKING:  # pragma: no cover
    import markdown

__all__ = [
    "MATH_SVGS",
    "RenderResult",
    "StreamRenderer",
    "code_colors",
    "escape_text",
    "fallback_note",
    "render_code",
    "render_markdown",
    "split_blocks",
    "warm_up",
]

# name ("math:<hash>") -> SVG bytes; shared by every message, filled as math is rendered.
MATH_SVGS: dict[str, bytes] = {}
# name -> (width, height) in CSS pixels of the SVG.
MATH_SIZES: dict[str, tuple[float, float]] = {}

MATH_FONT_PX = 16.0
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_RESOURCE_SCHEMES = ("math:", "img:")

_FENCE_OPEN_RE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n]*)$")
_LANG_RE = re.compile(r"^\{?\s*\.?(?P<lang>[\w#.+-]*)")

# Where a code span or math may start (see _find_math); without \[ or \( once their closer
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


@dataclass(slots=True)
class RenderResult:
    """HTML of one message (or block) plus what the view needs to act on it."""

    html: str
    code_blocks: list[str] = field(default_factory=list)
    math: list[str] = field(default_factory=list)  # resource names used, e.g. "math:ab12"
    # Formulas admitted for typesetting and their TeX length: the per-message caps of the
    # next block start from these (see _admit).
    math_spans: int = 0
    math_chars: int = 0
    # Why the block is shown as plain text ("depth", "error", ...), None when it is not.
    fallback: str | None = None


# --------------------------------------------------------------------------- colours


@dataclass(frozen=True, slots=True)
class _Theme:
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


_THEMES = {
    False: _Theme(
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
    True: _Theme(
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


def code_colors(dark: bool) -> _Theme:
    """The colours used for code blocks and math in one theme (the view matches them)."""
    return _THEMES[bool(dark)]


# --------------------------------------------------------------------------- helpers


def escape_text(text: str) -> str:
    """Escape text for rich text, keeping line breaks visible."""
    return html.escape(text, quote=False).replace("\n", "<br>")


_formatters: dict[bool, Any] = {}
_lexers: dict[str, Any] = {}
# True inside StreamRenderer.update: then lexers and math never block on a first load.
_streaming = False
_lock = threading.Lock()


def _formatter(dark: bool) -> Any:
    f = _formatters.get(dark)
    if f is None:
        from pygments.formatters import HtmlFormatter

        f = HtmlFormatter(noclasses=True, nowrap=True, style=_THEMES[dark].pygments_style)
        _formatters[dark] = f
    return f


_lexers_loading: dict[str, threading.Thread] = {}


def _lexer(lang: str, wait: bool = True) -> Any:
    """Lexer by name, never guessed (guessing costs 10-190 ms, RECIPES.md section 6).

    Loading a lexer's module the first time costs 10-100 ms. With ``wait=False`` (while
    an answer streams) it loads in a background thread and None is returned meanwhile:
    the block is shown plain now and highlighted when the message is complete.
    """
    lang = lang.lower()
    lx = _lexers.get(lang)
    if lx is None and not wait:
        if lang not in _lexers_loading:
            thread = threading.Thread(target=_lexer, args=(lang,), daemon=True)
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


# The text of the Copy link on code blocks. This module has no Qt import, so the message view
# replaces this with a function that translates it.
copy_label: Callable[[], str] = _copy_label


def _fallback_note() -> str:
    return "Shown as plain text: too complex to format."


# The note under a block shown as plain text (see :func:`plain_block`); the window may
# replace it with a translated one, as with :data:`copy_label`.
fallback_note: Callable[[], str] = _fallback_note


def plain_block(text: str, dark: bool) -> str:
    """``text`` escaped and pre-wrapped, with a small note: the fallback for one block."""
    th = _THEMES[bool(dark)]
    return (
        f'<p style="white-space: pre-wrap;">{html.escape(text, quote=False)}</p>'
        f'<p style="color:{th.muted}; font-size: small;">{html.escape(fallback_note())}</p>'
    )


def render_code(code: str, lang: str, index: int, dark: bool, highlight: bool = True) -> str:
    """A code block as a table (header with language and a Copy link, then the code).

    ``highlight=False`` skips Pygments: used for a fence still being streamed, which is
    re-rendered on every update.
    """
    th = _THEMES[bool(dark)]
    if len(code) > LIMITS.max_highlight_chars or code.count("\n") >= LIMITS.max_highlight_lines:
        highlight = False  # Pygments costs ~120 us a line: a huge fence is shown plain
    lexer = _lexer(lang, wait=not _streaming) if highlight and lang else None
    if lexer is not None:
        from pygments import highlight as _hl

        body = _hl(code, lexer, _formatter(bool(dark)))
    else:
        body = html.escape(code, quote=False)
    body = body.rstrip("\n")
    label = html.escape(lang or "code")
    copy = html.escape(copy_label())
    return (
        f'<table width="100%" cellspacing="0" cellpadding="6" border="0" '
        f'style="background-color:{th.code_bg}; border: 1px solid {th.border}; '
        f'margin-top: 4px; margin-bottom: 6px;">'
        f'<tr><td width="85%" style="background-color:{th.code_head_bg};">'
        f'<span style="color:{th.muted}; font-size: small;">{label}</span></td>'
        f'<td align="right" style="background-color:{th.code_head_bg};">'
        f'<a href="copycode:{index}" style="color:{th.link}; font-size: small;">{copy}</a>'
        f"</td></tr>"
        f'<tr><td colspan="2"><pre style="color:{th.code_fg}; white-space: pre-wrap; '
        f'margin: 0;">{body}</pre></td></tr></table>'
    )


# --------------------------------------------------------------------------- math


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
    if _streaming:
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


def render_math(tex: str, display: bool, dark: bool) -> str | None:
    """Render LaTeX to SVG (cached in :data:`MATH_SVGS`); None when it does not parse
    (or, while streaming, when the math engine is still loading)."""
    color = _THEMES[bool(dark)].math
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


def _math_html(
    tex: str, display: bool, dark: bool, source: str, allowed: bool = True
) -> tuple[str, str | None]:
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


# --------------------------------------------------------------------------- markdown


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


def _admit(used: list[int], tex: str) -> bool:
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


def _strip_math(text: str, spans: list[tuple[int, int, str, bool]]) -> str:
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


def _find_math(text: str) -> list[tuple[int, int, str, bool]]:
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


def _iter_fences(lines: list[str]) -> Any:
    """Yield ``(open, close, match)`` for each fenced code block of ``lines``.

    ``lines[open]`` is the opening fence, ``lines[close]`` the closing one (``close ==
    len(lines)`` when the fence is still open); ``match`` is the opening line's match.
    """
    i, n = 0, len(lines)
    while i < n:
        m = _FENCE_OPEN_RE.match(lines[i])
        if m is None or ("`" in m.group("info") and m.group("fence")[0] == "`"):
            i += 1
            continue
        fence = m.group("fence")
        close_re = re.compile(
            r"^[ \t]*" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$"
        )
        j = i + 1
        while j < n and not close_re.match(lines[j]):
            j += 1
        yield i, j, m
        i = j + 1


# ~~ markers in one block beyond which it is shown as plain text (mdguard's mark budget
# does not count them: ~~struck~~ is ours). A struck span is at most 300 characters on
# one line, so an unclosed ~~ costs a bounded scan, never one to the end of the block.
_MAX_STRIKES = LIMITS.max_marks // 4
_FOOTNOTE_REF_RE = r"\[\^([^\]\s]{1,32})\](?!:)"
_FOOTNOTE_DEF_RE = re.compile(r"\[\^([^\]\s]{1,32})\]:[ \t]*")
_TASK_RE = re.compile(r"\[([ xX])\][ \t]+")


def _footnote_ref_class() -> Any:
    """The inline processor for ``[^1]`` (built on first use: Markdown loads lazily)."""
    import xml.etree.ElementTree as ET

    from markdown.inlinepatterns import InlineProcessor

    class FootnoteRef(InlineProcessor):
        """``[^id]`` becomes a superscript ``id`` (its definition is shown where written)."""

        def handleMatch(  # noqa: N802 (Markdown's naming)
            self, m: re.Match[str], data: str
        ) -> tuple[Any, int, int]:
            sup = ET.Element("sup")
            sup.text = m.group(1)
            return sup, m.start(0), m.end(0)

    return FootnoteRef


def _task_box(li: Any) -> bool:
    """``- [ ] item`` / ``- [x] item``: a ballot box instead of the brackets."""
    holder = li
    if not (li.text or "").strip() and len(li) and li[0].tag == "p":
        holder = li[0]  # a loose list wraps the item in a paragraph
    text = holder.text or ""
    m = _TASK_RE.match(text)
    if m is None:
        return False
    holder.text = ("☑ " if m.group(1) in "xX" else "☐ ") + text[m.end() :]
    return True


class _Renderer:
    """One configured ``markdown.Markdown`` per theme, reused (``reset()``) between calls."""

    def __init__(self, dark: bool) -> None:
        import markdown
        from markdown.inlinepatterns import SimpleTagInlineProcessor
        from markdown.preprocessors import Preprocessor
        from markdown.treeprocessors import Treeprocessor

        _FootnoteRef = _footnote_ref_class()

        self.dark = dark
        self.code_blocks: list[str] = []
        self.math: list[str] = []
        self.code_offset = 0
        # Formulas admitted in this message so far (previous blocks too) and their length.
        self.math_used = [0, 0]
        self.highlight_open = True
        self.open_fence = False
        outer = self

        class FenceMathPre(Preprocessor):
            """Fenced code and math go to the stash before Markdown can mangle them."""

            def run(self, lines: list[str]) -> list[str]:
                return outer._preprocess(self.md, lines)

        class SafeTree(Treeprocessor):
            """Unsafe links become text; remote images become links; nothing is fetched."""

            def run(self, root: Any) -> None:
                outer._sanitise(root)

        class ModelMarkdown(Treeprocessor):
            """Task lists, footnotes and block quotes as models write them (see _extras)."""

            def run(self, root: Any) -> None:
                outer._extras(root)

        md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.preprocessors.register(FenceMathPre(md), "chatdesk_fence_math", 25)
        # ~~struck~~ (GitHub style; no space inside the markers) and [^1] references.
        md.inlinePatterns.register(
            SimpleTagInlineProcessor(r"(~~)(?=[^\s~])([^~\n]{1,300}?)(?<=[^\s~])~~", "s"),
            "chatdesk_strike",
            65,
        )
        md.inlinePatterns.register(_FootnoteRef(_FOOTNOTE_REF_RE, md), "chatdesk_fnref", 175)
        md.treeprocessors.register(ModelMarkdown(md), "chatdesk_extras", 6)
        md.treeprocessors.register(SafeTree(md), "chatdesk_safe", 5)
        self.md: markdown.Markdown = md
        # The preprocessors that run before ours (whitespace normalisation).
        pre = list(md.preprocessors)
        self.pre_fence = pre[: md.preprocessors.get_index_for_name("chatdesk_fence_math")]
        th = _THEMES[dark]
        self.theme = th
        self.table_tag = (
            f'<table border="1" cellspacing="0" cellpadding="4" '
            f'style="border-color:{th.border}; border-style: solid; margin-bottom: 6px;">'
        )

    # -- preprocessing
    def _preprocess(self, md: markdown.Markdown, lines: list[str]) -> list[str]:
        out: list[str] = []
        text_buf: list[str] = []

        def flush_text() -> None:
            if text_buf:
                out.extend(self._extract_math(md, "\n".join(text_buf)).split("\n"))
                text_buf.clear()

        n = len(lines)
        prev = 0
        for i, j, m in _iter_fences(lines):
            text_buf.extend(lines[prev:i])
            indent = m.group("indent")
            lang_m = _LANG_RE.match(m.group("info").strip())
            lang = lang_m.group("lang") if lang_m else ""
            closed = j < n
            flush_text()
            code = self._fence_code(lines, i, j, m, n)
            index = self.code_offset + len(self.code_blocks)
            self.code_blocks.append(code)
            highlight = closed or self.highlight_open
            placeholder = md.htmlStash.store(render_code(code, lang, index, self.dark, highlight))
            out.append("")
            out.append(indent + placeholder)
            out.append("")
            prev = j + 1
        text_buf.extend(lines[prev:])
        flush_text()
        return out

    def count_code_blocks(self, text: str) -> int:
        """How many code blocks :meth:`render` would find in ``text`` (no Markdown pass)."""
        return len(self.scan(text)[0])

    def scan(self, text: str, math_offset: tuple[int, int] = (0, 0)) -> tuple[list[str], int, int]:
        """What :meth:`render` would find in ``text`` without a Markdown pass: the code of
        each fenced block, and how many formulas (and TeX characters) it would admit after
        ``math_offset``."""
        fenced = "```" in text or "~~~" in text or "\x02" in text or "\x03" in text
        mathy = "$" in text or "\\" in text
        if not fenced and not mathy:
            return [], 0, 0  # (STX/ETX are removed before fences are looked for)
        lines = text.split("\n")
        for prep in self.pre_fence:
            lines = prep.run(lines)
        codes: list[str] = []
        used = list(math_offset)
        prev = 0
        n = len(lines)
        for i, j, m in _iter_fences(lines) if fenced else ():
            for _s, _e, tex, _d in _find_math("\n".join(lines[prev:i])) if mathy else ():
                _admit(used, tex)
            codes.append(self._fence_code(lines, i, j, m, n))
            prev = j + 1
        for _s, _e, tex, _d in _find_math("\n".join(lines[prev:])) if mathy else ():
            _admit(used, tex)
        return codes, used[0] - math_offset[0], used[1] - math_offset[1]

    @staticmethod
    def _fence_code(lines: list[str], i: int, j: int, m: re.Match[str], n: int) -> str:
        indent = m.group("indent")
        code_lines = [
            line[len(indent) :] if line.startswith(indent) else line.lstrip()
            for line in lines[i + 1 : j]
        ]
        code = "\n".join(code_lines)
        return code if j < n else code.rstrip("\n")  # Markdown pads the source with blanks

    def _extract_math(self, md: markdown.Markdown, text: str) -> str:
        if "$" not in text and "\\" not in text:
            return text
        out: list[str] = []
        prev = 0
        for start, end, tex, display in _find_math(text):
            allowed = _admit(self.math_used, tex)
            frag, name = _math_html(tex, display, self.dark, text[start:end], allowed)
            if name:
                self.math.append(name)
            out.append(text[prev:start])
            out.append(md.htmlStash.store(frag))
            prev = end
        out.append(text[prev:])
        return "".join(out)

    # -- what models write beyond plain Markdown
    def _extras(self, root: Any) -> None:
        """Task-list boxes, footnote definitions in small type, quotes with a bar.

        Each block renders alone (a footnote's reference and its definition are in
        different blocks), so footnotes are shown where they are written, not collected.
        """
        import xml.etree.ElementTree as ET

        th = self.theme
        for parent in list(root.iter()):
            for idx, el in enumerate(list(parent)):
                if el.tag == "li":
                    if _task_box(el):
                        parent.set("style", "list-style-type: none;")
                elif el.tag == "p" and el.text and el.text.startswith("[^"):
                    m = _FOOTNOTE_DEF_RE.match(el.text)
                    if m is not None:
                        sup = ET.Element("sup")
                        sup.text = m.group(1)
                        sup.tail = " " + el.text[m.end() :]
                        el.text = ""
                        el.insert(0, sup)
                        el.set("style", f"color:{th.muted}; font-size: small;")
                elif el.tag == "blockquote":
                    table = ET.Element(
                        "table",
                        {
                            "cellspacing": "0",
                            "cellpadding": "0",
                            "style": "margin-top: 4px; margin-bottom: 8px;",
                        },
                    )
                    row = ET.SubElement(table, "tr")
                    ET.SubElement(row, "td", {"width": "3", "bgcolor": th.quote_bar})
                    body = ET.SubElement(
                        row, "td", {"style": f"padding-left: 12px; color: {th.quote_fg};"}
                    )
                    body.text = el.text
                    for child in list(el):
                        body.append(child)
                    table.tail = el.tail
                    parent[idx] = table

    # -- sanitising
    def _sanitise(self, root: Any) -> None:
        for parent in root.iter():
            for idx, el in enumerate(list(parent)):
                if el.tag == "a":
                    href = _clean_url(el.get("href", ""))
                    if href.lower().startswith(_SAFE_SCHEMES):
                        el.attrib = {"href": href}
                    else:
                        el.tag = "span"
                        el.attrib = {}
                elif el.tag == "img":
                    src = _clean_url(el.get("src", ""))
                    alt = el.get("alt") or ""
                    tail = el.tail
                    if src.lower().startswith(_RESOURCE_SCHEMES):
                        el.attrib = {"src": src, "alt": alt}
                        continue
                    el.clear()
                    el.tail = tail
                    if src.lower().startswith(("http://", "https://")):
                        el.tag = "a"
                        el.set("href", src)
                        el.text = "🖼 " + (alt or src)
                    else:
                        el.tag = "span"
                        el.text = alt or src
                    parent[idx] = el

    def render(
        self,
        text: str,
        code_offset: int,
        highlight_open: bool = True,
        math_offset: tuple[int, int] = (0, 0),
    ) -> RenderResult:
        """Render one block; ``math_offset`` is (spans, TeX chars) of the blocks before it.

        Never raises: a block that :func:`~chatdesk.core.mdguard.screen` finds too costly,
        or whose conversion fails (RecursionError included), comes back as plain text.
        """
        reason = screen(text)
        body = outside_fences(text)  # "$HOME/$USER" in a shell fence is no math
        if "$" in body or "\\" in body:
            found = _find_math(body)
            if len(found) > LIMITS.max_block_math:
                reason = "math"
            elif reason is not None:  # math is stashed first: its & and \\ are harmless
                reason = screen(_strip_math(body, found))
        if reason is None and body.count("~~") > _MAX_STRIKES:
            reason = "marks"  # each struck span is stashed like * and _ (~15 us)
        if reason is not None:
            return self.plain(text, reason, math_offset)
        self.code_blocks = []
        self.math = []
        self.code_offset = code_offset
        self.math_used = list(math_offset)
        self.highlight_open = highlight_open
        try:
            self.md.reset()
            out = self.md.convert(text)
        except Exception:  # noqa: BLE001 - untrusted input: any failure shows the text
            self.md.reset()
            return self.plain(text, "error", math_offset)
        if "<table>" in out:  # Markdown tables: Qt draws no grid unless asked
            out = out.replace("<table>", self.table_tag)
        spans = self.math_used[0] - math_offset[0]
        chars = self.math_used[1] - math_offset[1]
        return RenderResult(out, self.code_blocks, self.math, spans, chars)

    def plain(self, text: str, reason: str, math_offset: tuple[int, int] = (0, 0)) -> RenderResult:
        """The block as escaped plain text; code blocks and math are still counted so that
        ``copycode:N`` numbers and the math caps of later blocks do not shift."""
        try:
            codes, spans, chars = self.scan(text, math_offset)
        except Exception:  # noqa: BLE001 - only the numbering of later blocks suffers
            codes, spans, chars = [], 0, 0
        return RenderResult(plain_block(text, self.dark), codes, [], spans, chars, reason)


def _clean_url(url: str) -> str:
    return "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")


_renderers: dict[bool, _Renderer] = {}


def _renderer(dark: bool) -> _Renderer:
    r = _renderers.get(bool(dark))
    if r is None:
        r = _Renderer(bool(dark))
        _renderers[bool(dark)] = r
    return r


def warm_up(math: bool = False) -> None:
    """Pay the 75-95 ms of Markdown/Pygments imports after the first paint, not on first use."""
    r = _renderer(False)
    r.render("*x*\n\n```python\nx = 1\n```\n\n| a |\n|---|\n| b |\n", 0)
    _renderer(True).render("```python\nx = 1\n```\n", 0)
    if math:
        render_math("x", False, False)


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


def warm_up_steps() -> list[Callable[[], None]]:
    """Start-up work split into small steps the app runs one per idle tick.

    The first Markdown render imports its extensions and Pygments (75-95 ms). Lexers
    and the math engine load in the background on first need instead (see
    :func:`_lexer` and :func:`math_engine`), which keeps idle memory low.
    """
    return [warm_up]


# --------------------------------------------------------------------------- blocks

#: Lines longer than this are cut into blocks of this size (see _BlockScanner). A block
#: that long is shown as plain text anyway (mdguard's size limit), so nothing is lost.
LONG_LINE = LIMITS.max_chars


class _BlockScanner:
    """Split text at blank lines outside fences, incrementally (only new lines are scanned).

    A blank line ends a block only if the next non-blank line starts at column 0, so that
    indented list continuations stay with their list.

    A line longer than :data:`LONG_LINE` (a model repeating one letter) is cut every
    LONG_LINE characters from its start, even before it ends: an open block would
    otherwise be laid out whole on every update, and Qt's layout of one huge paragraph
    froze the window (issue 16). The cuts fall at the same offsets however the text
    arrives. Blocks from the block holding the first cut up to that block's natural end
    are shown as plain text (:attr:`plain_starts`; the open tail when :attr:`cutting`).
    """

    def __init__(self) -> None:
        self.text = ""
        self.scan = 0  # first character of the first unscanned line
        self.block_start = 0
        self.boundaries: list[int] = []  # start offsets of blocks after the first
        self.fence: str | None = None  # the opening fence while inside one
        self.pending_blank = False
        self.plain_starts: set[int] = set()  # blocks of a cut region (plain text)
        self.cutting = False  # the open block belongs to a cut region
        self._begun = -1  # start of the long line whose beginning was handled
        self._cut = 0  # the last cut made

    def feed(self, text: str) -> list[tuple[int, int]]:
        """Scan complete new lines of ``text`` (which extends the previous text).

        Returns the (start, end) spans of blocks that became finished.
        """
        self.text = text
        finished: list[tuple[int, int]] = []
        pos = self.scan
        while True:
            nl = text.find("\n", pos)
            if nl < 0:
                break
            if nl - pos > LONG_LINE:
                self._long(text, pos, nl, finished)
            line = text[pos:nl]
            self._line(line, pos, finished)
            pos = nl + 1
        self.scan = pos
        if len(text) - pos > LONG_LINE:  # an open line already too long: cut it now
            self._long(text, pos, len(text), finished)
        return finished

    def _finish(self, end: int, finished: list[tuple[int, int]], cut: bool) -> None:
        if self.cutting or cut:
            self.plain_starts.add(self.block_start)
        self.cutting = cut
        finished.append((self.block_start, end))
        self.block_start = end

    def _long(self, text: str, start: int, end: int, finished: list[tuple[int, int]]) -> None:
        """Cut the long line at ``start`` every LONG_LINE characters before ``end``."""
        if self._begun != start:
            self._begun = start
            self._begin(text[start], start, finished)
        c = start + LONG_LINE
        while c < end:
            if c > self._cut:
                self._cut = c
                self._finish(c, finished, cut=True)
            c += LONG_LINE

    def _begin(self, first: str, start: int, finished: list[tuple[int, int]]) -> None:
        """What the start of a non-blank line decides: a new block after a blank line."""
        if self.fence is not None:
            return
        if self.pending_blank and not first.isspace() and start > self.block_start:
            self._finish(start, finished, cut=False)
        self.pending_blank = False

    def _line(self, line: str, start: int, finished: list[tuple[int, int]]) -> None:
        if self.fence is not None:
            s = line.strip()
            if s and set(s) == {self.fence[0]} and len(s) >= len(self.fence):
                self.fence = None
            return
        long = len(line) > LONG_LINE  # counted as text even if blank: cut the same way
        if not long and not line.strip():
            self.pending_blank = True
            return
        if self._begun != start:
            self._begin(line[0], start, finished)
        m = _FENCE_OPEN_RE.match(line)
        if m and not ("`" in m.group("info") and m.group("fence")[0] == "`"):
            self.fence = m.group("fence")

    @property
    def tail(self) -> str:
        return self.text[self.block_start :]


def plain_piece(text: str) -> RenderResult:
    """One block of a cut region (a line too long to lay out): plain text, no note, no
    code or math counted, so streaming and the final render number the same way."""
    html_ = f'<p style="white-space: pre-wrap;">{html.escape(text, quote=False)}</p>'
    return RenderResult(html_, [], [], 0, 0, "long line")


def split_blocks(text: str) -> list[str]:
    """The blocks :class:`StreamRenderer` would render, for a complete text."""
    sc = _BlockScanner()
    spans = sc.feed(text + "\n")
    blocks = [text[a:b] for a, b in spans]
    blocks.append(text[sc.block_start :])
    return blocks


# Second line of defence behind the structural limits: once rendering one message has taken
# this long, its remaining blocks are shown as plain text (a message of many blocks, each
# just under the limits). Not reached by any real answer; it makes output depend on speed.
MESSAGE_BUDGET_S = 0.5


def render_markdown(
    text: str, dark: bool = False, budget_s: float | None = MESSAGE_BUDGET_S
) -> RenderResult:
    """Render a whole message the same way the streaming path does (block by block).

    Never raises; blocks that are too costly (or past ``budget_s``) come back as plain text.
    """
    r = _renderer(dark)
    parts: list[str] = []
    codes: list[str] = []
    maths: list[str] = []
    used = (0, 0)
    fallback: str | None = None
    sc = _BlockScanner()
    spans = sc.feed(text if text.endswith("\n") else text + "\n")
    blocks = [(text[a:b], a in sc.plain_starts) for a, b in spans]
    blocks.append((text[sc.block_start :], sc.cutting))
    deadline = None if budget_s is None else time.perf_counter() + budget_s
    for block, cut in blocks:
        if not block.strip():
            continue
        if cut:
            res = plain_piece(block)
        elif deadline is not None and time.perf_counter() > deadline:
            res = r.plain(block, "time", used)
        else:
            res = r.render(block, len(codes), math_offset=used)
        parts.append(res.html)
        codes.extend(res.code_blocks)
        maths.extend(res.math)
        used = (used[0] + res.math_spans, used[1] + res.math_chars)
        fallback = fallback or res.fallback
    return RenderResult("\n".join(parts), codes, maths, used[0], used[1], fallback)


_UNDERLINE_RE = re.compile(r"[ \t]*[-=][-= \t]*$")


class StreamRenderer:
    """Render a growing Markdown text: finished blocks once, the open last block each time.

    ``update(full_text)`` returns the HTML of blocks that became finished since the last call
    (to be appended to the document) and the HTML of the open tail (to replace the old tail).
    The concatenation ``"\\n".join(all finished + [tail])`` equals
    ``render_markdown(full_text).html``.

    With ``lazy=True`` finished blocks are only recorded (:attr:`sources`, with the index
    of their first code block) and :meth:`render_block` renders one on request, with the
    same HTML as the eager path; the tail is rendered as before.
    """

    def __init__(self, dark: bool = False, lazy: bool = False) -> None:
        self.dark = dark
        self.lazy = lazy
        self._sc = _BlockScanner()
        self._text = ""
        self._queue: deque[tuple[int, int]] = deque()  # finished spans not rendered yet
        self.restarted = False
        self.finished_html: list[str] = []
        self.finished_codes: list[str] = []
        self.finished_math: list[str] = []
        self.tail_html = ""
        self.tail_codes: list[str] = []
        self.tail_math: list[str] = []
        self._tail_src: str | None = None
        self.held = False  # the tail's last line is held back (see _shown_tail)
        # Lazy mode: finished blocks are kept as source and rendered on request.
        self.sources: list[str] = []
        self.code_starts: list[int] = []  # index of each block's first code block
        self.math_starts: list[tuple[int, int]] = []  # math (spans, chars) before each block
        self.block_codes: list[list[str] | None] = []  # None: not rendered yet
        self.block_plain: list[bool] = []  # a piece of a cut long line (plain text)
        self._code_count = 0  # code blocks in all finished blocks
        self._math_used = (0, 0)  # math (spans, chars) in all finished blocks

    @property
    def code_blocks(self) -> list[str]:
        """Raw code of every block so far (index = N of ``copycode:N``).

        In lazy mode only rendered blocks contribute: render them all first.
        """
        if self.lazy:
            return [c for cs in self.block_codes if cs for c in cs] + self.tail_codes
        return self.finished_codes + self.tail_codes

    @property
    def unrendered(self) -> int:
        """Lazy mode: how many finished blocks have not been rendered yet."""
        return sum(1 for cs in self.block_codes if cs is None)

    def render_block(self, k: int, streaming: bool = False) -> RenderResult:
        """Lazy mode: render finished block ``k`` (the same HTML as the eager path)."""
        global _streaming
        _streaming = streaming
        try:
            if self.block_plain[k]:
                res = plain_piece(self.sources[k])
            else:
                res = _renderer(self.dark).render(
                    self.sources[k], self.code_starts[k], math_offset=self.math_starts[k]
                )
        finally:
            _streaming = False
        self.block_codes[k] = res.code_blocks
        return res

    @property
    def math(self) -> list[str]:
        return self.finished_math + self.tail_math

    @property
    def text(self) -> str:
        return self._text

    @property
    def behind(self) -> bool:
        """True when a time budget left finished blocks unrendered: call update() again."""
        return bool(self._queue)

    def reset(self) -> None:
        self.__init__(self.dark, self.lazy)  # type: ignore[misc]

    def update(self, text: str, budget_s: float | None = None) -> tuple[list[str], str]:
        """See :meth:`_update`; math met while streaming never waits for its engine."""
        global _streaming
        _streaming = True
        try:
            return self._update(text, budget_s)
        finally:
            _streaming = False

    def _update(self, text: str, budget_s: float | None = None) -> tuple[list[str], str]:
        """Feed the full text so far; returns (newly finished block HTMLs, tail HTML).

        With ``budget_s``, rendering stops once that much time is spent, so a burst of text
        never blocks the UI for long; :attr:`behind` then says more calls are needed, and
        the tail stays empty until the finished blocks have caught up.
        If ``text`` does not extend the previous text (an edit), everything starts again
        and :attr:`restarted` is set: callers should then drop what they show.
        """
        self.restarted = False
        if not text.startswith(self._text):
            self.reset()
            self.restarted = True
        self._text = text
        self._queue.extend(self._sc.feed(text))
        deadline = None if budget_s is None else time.perf_counter() + budget_s
        if self.lazy:
            return self._update_lazy(text, deadline)
        r = _renderer(self.dark)
        new_html: list[str] = []
        while self._queue:
            a, b = self._queue.popleft()
            block = text[a:b]
            if not block.strip():
                continue
            if a in self._sc.plain_starts:
                res = plain_piece(block)
            else:
                res = r.render(block, len(self.finished_codes), math_offset=self._math_used)
            new_html.append(res.html)
            self.finished_codes.extend(res.code_blocks)
            self.finished_math.extend(res.math)
            self._math_used = (
                self._math_used[0] + res.math_spans,
                self._math_used[1] + res.math_chars,
            )
            if deadline is not None and time.perf_counter() > deadline:
                break
        self.finished_html.extend(new_html)
        if self._queue:
            self._tail_src = None
            self.tail_html, self.tail_codes, self.tail_math = "", [], []
            return new_html, ""
        tail = self._shown_tail(text[self._sc.block_start :])
        if new_html or tail != self._tail_src:
            self._tail_src = tail
            if tail.strip():
                # The preprocessor closes an open fence at the end of the text; such a fence
                # is re-rendered on every update, so Pygments waits until it closes.
                self._render_tail(tail, highlight_open=False)
            else:
                self.tail_html, self.tail_codes, self.tail_math = "", [], []
        return new_html, self.tail_html

    def _update_lazy(self, text: str, deadline: float | None) -> tuple[list[str], str]:
        """Lazy mode: record finished blocks (returned as source); render only the tail."""
        r = _renderer(self.dark)
        new_src: list[str] = []
        while self._queue:
            a, b = self._queue.popleft()
            block = text[a:b]
            if not block.strip():
                continue
            new_src.append(block)
            self.sources.append(block)
            self.code_starts.append(self._code_count)
            self.math_starts.append(self._math_used)
            self.block_codes.append(None)
            cut = a in self._sc.plain_starts
            self.block_plain.append(cut)
            if cut:
                continue
            codes, spans, chars = r.scan(block, self._math_used)
            self._code_count += len(codes)
            self._math_used = (self._math_used[0] + spans, self._math_used[1] + chars)
            if deadline is not None and time.perf_counter() > deadline:
                break
        if self._queue:
            self._tail_src = None
            self.tail_html, self.tail_codes, self.tail_math = "", [], []
            return new_src, ""
        tail = self._shown_tail(text[self._sc.block_start :])
        if new_src or tail != self._tail_src:
            self._tail_src = tail
            if tail.strip():
                self._render_tail(tail, highlight_open=False)
            else:
                self.tail_html, self.tail_codes, self.tail_math = "", [], []
        return new_src, self.tail_html

    def finish(self) -> str:
        """The reply is complete: render the tail once more, highlighting an unclosed fence."""
        if _math_wanted and background_math:
            start_math_engine()
        tail = self._text[self._sc.block_start :]
        if self._queue:
            return self.tail_html
        if self.held:  # the end is known now: the held-back line is shown as it is
            self.held = False
            self._tail_src = tail
            if tail.strip():
                self._render_tail(tail, highlight_open=self._sc.fence is not None)
            else:
                self.tail_html, self.tail_codes, self.tail_math = "", [], []
        elif tail.strip() and self._sc.fence is not None and not self._sc.cutting:
            self._render_tail(tail, highlight_open=True)
        return self.tail_html

    def _shown_tail(self, tail: str) -> str:
        """The open tail without an unfinished last line of only ``-`` / ``=``.

        Such a line ("- item" then "-", on its way to "- next") makes the line before it
        a setext heading: shown while streaming, it flashed a bold heading that the
        final text did not have (issue 15). It is shown once its line ends or the
        answer is complete (:meth:`finish`).
        """
        cut = tail.rfind("\n") + 1
        last = tail[cut:]
        self.held = (
            self._sc.fence is None
            and cut > 0
            and bool(last.strip())
            and _UNDERLINE_RE.match(last) is not None
        )
        return tail[:cut] if self.held else tail

    def _render_tail(self, tail: str, highlight_open: bool) -> None:
        if self._sc.cutting:
            res = plain_piece(tail)
            self.tail_html, self.tail_codes, self.tail_math = res.html, [], []
            return
        base = self._code_count if self.lazy else len(self.finished_codes)
        res = _renderer(self.dark).render(tail, base, highlight_open, self._math_used)
        self.tail_html, self.tail_codes, self.tail_math = res.html, res.code_blocks, res.math

    def full_html(self) -> str:
        parts = list(self.finished_html)
        if self.tail_html:
            parts.append(self.tail_html)
        return "\n".join(parts)
