"""Markdown to Qt rich-text HTML, safe for untrusted model output (no Qt import here).

Why a package of its own: rendering is the hot path of the message view, so it is pure
Python that tests and benchmarks can drive without a display. One module per job:

* :mod:`.stream`: whole messages (:func:`render_markdown`) and growing replies
  (:class:`StreamRenderer`), block by block, so that each update costs only the open
  last block; :mod:`.blocks` finds where blocks end.
* :mod:`.convert`: one block through ``markdown`` (imported on first use, not with
  this package: the window's first paint does not pay for it).
* :mod:`.treeproc`: raw HTML in the Markdown is shown as text, links keep their target
  only for http/https/mailto, and no remote image is ever fetched: ``<img>`` may only
  point at our own ``math:`` and ``img:`` resource names.
* :mod:`.highlight`: code blocks highlighted with Pygments as inline styles
  (QTextDocument ignores CSS classes), each with a ``copycode:N`` link; the raw code is
  kept for the clipboard.
* :mod:`.mathtex`: LaTeX math becomes ``<img src="math:HASH">``; the SVG bytes live in
  :data:`MATH_SVGS`. Its engine state (``background_math``, ``math_generation``) is
  read and set on that module.
* :mod:`.base`: the result type, the colours, the plain-text fallbacks.

Hostile input never freezes the window or raises (issue 8): each block is screened for
costly shapes first (:mod:`chatdesk.core.mdguard`: nesting, delimiter and bracket runs,
size) and shown as escaped plain text when it has them or when conversion fails; math is
capped per message and per formula, long fences are not highlighted.

The names below are the package's interface; the hooks a window replaces (``copy_label``
in :mod:`.highlight`, ``fallback_note`` in :mod:`.base`) and the math engine's switches
are set on the module that owns them, so that every reader sees the new value.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from chatdesk.ui.render.base import RenderResult, code_colors, escape_text, plain_block
from chatdesk.ui.render.highlight import render_code
from chatdesk.ui.render.mathtex import (
    MATH_SIZES,
    MATH_SVGS,
    render_math,
    start_math_engine,
    tex_ok,
)

if TYPE_CHECKING:
    from chatdesk.ui.render.blocks import LONG_LINE, split_blocks
    from chatdesk.ui.render.convert import warm_up, warm_up_steps
    from chatdesk.ui.render.stream import MESSAGE_BUDGET_S, StreamRenderer, render_markdown

#: Loaded on first use (PEP 562): the window paints its first frame before any message
#: is rendered, and these modules were ~3 ms of that frame.
_LAZY = {
    "LONG_LINE": "blocks",
    "split_blocks": "blocks",
    "warm_up": "convert",
    "warm_up_steps": "convert",
    "MESSAGE_BUDGET_S": "stream",
    "StreamRenderer": "stream",
    "render_markdown": "stream",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "LONG_LINE",
    "MATH_SIZES",
    "MATH_SVGS",
    "MESSAGE_BUDGET_S",
    "RenderResult",
    "StreamRenderer",
    "code_colors",
    "escape_text",
    "plain_block",
    "render_code",
    "render_markdown",
    "render_math",
    "split_blocks",
    "start_math_engine",
    "tex_ok",
    "warm_up",
    "warm_up_steps",
]
