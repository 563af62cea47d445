"""Markdown to HTML for one block: one configured ``markdown.Markdown`` per theme.

``markdown`` is imported on first use, not with this module: the window's first paint
does not pay for it (:func:`warm_up` pays it right after). Fenced code and math go to
Markdown's stash before Markdown can mangle them; a block that
:func:`~chatdesk.core.mdguard.screen` finds too costly, or whose conversion fails, comes
back as plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chatdesk.core.mdguard import LIMITS, outside_fences, screen
from chatdesk.ui.render.base import THEMES, RenderResult, plain_block
from chatdesk.ui.render.blocks import iter_fences
from chatdesk.ui.render.highlight import render_code
from chatdesk.ui.render.mathtex import admit, find_math, math_html, render_math, strip_math
from chatdesk.ui.render.treeproc import FOOTNOTE_REF_RE, extras, footnote_ref_class, sanitise

if TYPE_CHECKING:  # pragma: no cover
    import markdown

__all__ = ["Renderer", "renderer", "warm_up", "warm_up_steps"]

_LANG_RE = re.compile(r"^\{?\s*\.?(?P<lang>[\w#.+-]*)")

# ~~ markers in one block beyond which it is shown as plain text (mdguard's mark budget
# does not count them: ~~struck~~ is ours). A struck span is at most 300 characters on
# one line, so an unclosed ~~ costs a bounded scan, never one to the end of the block.
_MAX_STRIKES = LIMITS.max_marks // 4


class Renderer:
    """One configured ``markdown.Markdown`` per theme, reused (``reset()``) between calls."""

    def __init__(self, dark: bool) -> None:
        import markdown
        from markdown.inlinepatterns import SimpleTagInlineProcessor
        from markdown.preprocessors import Preprocessor
        from markdown.treeprocessors import Treeprocessor

        _FootnoteRef = footnote_ref_class()

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
                sanitise(root)

        class ModelMarkdown(Treeprocessor):
            """Task lists, footnotes and block quotes as models write them (see extras)."""

            def run(self, root: Any) -> None:
                extras(root, outer.theme)

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
        md.inlinePatterns.register(_FootnoteRef(FOOTNOTE_REF_RE, md), "chatdesk_fnref", 175)
        md.treeprocessors.register(ModelMarkdown(md), "chatdesk_extras", 6)
        md.treeprocessors.register(SafeTree(md), "chatdesk_safe", 5)
        self.md: markdown.Markdown = md
        # The preprocessors that run before ours (whitespace normalisation).
        pre = list(md.preprocessors)
        self.pre_fence = pre[: md.preprocessors.get_index_for_name("chatdesk_fence_math")]
        th = THEMES[dark]
        self.theme = th
        self.table_tag = (
            f'<table border="1" cellspacing="0" cellpadding="6" '
            f'style="border-color:{th.border}; border-style: solid; '
            f'margin-top: 4px; margin-bottom: 8px;">'
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
        for i, j, m in iter_fences(lines):
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
        for i, j, m in iter_fences(lines) if fenced else ():
            for _s, _e, tex, _d in find_math("\n".join(lines[prev:i])) if mathy else ():
                admit(used, tex)
            codes.append(self._fence_code(lines, i, j, m, n))
            prev = j + 1
        for _s, _e, tex, _d in find_math("\n".join(lines[prev:])) if mathy else ():
            admit(used, tex)
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
        for start, end, tex, display in find_math(text):
            allowed = admit(self.math_used, tex)
            frag, name = math_html(tex, display, self.dark, text[start:end], allowed)
            if name:
                self.math.append(name)
            out.append(text[prev:start])
            out.append(md.htmlStash.store(frag))
            prev = end
        out.append(text[prev:])
        return "".join(out)

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
            found = find_math(body)
            if len(found) > LIMITS.max_block_math:
                reason = "math"
            elif reason is not None:  # math is stashed first: its & and \\ are harmless
                reason = screen(strip_math(body, found))
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


_renderers: dict[bool, Renderer] = {}


def renderer(dark: bool) -> Renderer:
    """The shared renderer of a theme (built on first use: building imports Markdown)."""
    r = _renderers.get(bool(dark))
    if r is None:
        r = Renderer(bool(dark))
        _renderers[bool(dark)] = r
    return r


def warm_up(math: bool = False) -> None:
    """Pay the 75-95 ms of Markdown/Pygments imports after the first paint, not on first use."""
    r = renderer(False)
    r.render("*x*\n\n```python\nx = 1\n```\n\n| a |\n|---|\n| b |\n", 0)
    renderer(True).render("```python\nx = 1\n```\n", 0)
    if math:
        render_math("x", False, False)


def warm_up_steps() -> list[Callable[[], None]]:
    """Start-up work split into small steps the app runs one per idle tick.

    The first Markdown render imports its extensions and Pygments (75-95 ms). Lexers
    and the math engine load in the background on first need instead (see
    :func:`~chatdesk.ui.render.highlight.lexer` and
    :func:`~chatdesk.ui.render.mathtex.math_engine`), which keeps idle memory low.
    """
    return [warm_up]
