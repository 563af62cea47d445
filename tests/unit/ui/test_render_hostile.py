"""Hostile model output (issue 8): the renderer and the exports stay bounded and never raise.

Each family once froze the window for seconds or raised RecursionError. The figures are in
tests/benchmarks/bench_hostile.py; these tests check the output, never the time.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core import mdguard
from chatdesk.core.history import transfer
from chatdesk.core.history.transfer import html_out
from chatdesk.core.mdguard import LIMITS
from chatdesk.store import Store
from chatdesk.ui.render import (
    StreamRenderer,
    base,
    convert,
    mathtex,
    render_markdown,
    split_blocks,
)

MATRIX_60 = (
    "$$\\begin{pmatrix}"
    + " \\\\ ".join(" & ".join(str(i * 60 + j) for j in range(60)) for i in range(60))
    + "\\end{pmatrix}$$"
)
FENCE_5000 = "```python\n" + "\n".join(f"x_{i} = {i} * 2  # <{i}>" for i in range(5000))

FAMILIES = {
    "list markers 600 deep": "- " * 600 + "deep",
    "indented list 600 deep": "\n".join("    " * i + f"- item {i}" for i in range(600)),
    "quotes 600 deep": ">" * 600 + " deep",
    "stars 50k": "*" * 50_000,
    "spaced stars 25k": "* " * 25_000 + "end",
    "brackets 10k": "[" * 10_000,
    "bracket words 10k": "[a " * 10_000,
    "link openers 5k": "[a](" * 5_000,
    "escaped brackets 10k": "\\[" * 10_000,
    "unclosed backticks 10k": "`a " * 10_000,
    "formulas 3000": " ".join("$x$" for _ in range(3000)),
    "distinct formulas 3000": " ".join(f"$x_{{{i}}}$" for i in range(3000)),
    "matrix 60x60": MATRIX_60,
    "unclosed fence 5000 lines": FENCE_5000,
}
MIXED = "\n\n".join(
    [
        "Intro with **bold** and $E=mc^2$.",
        FAMILIES["list markers 600 deep"],
        FAMILIES["stars 50k"][:5000],
        FAMILIES["brackets 10k"][:3000],
        FAMILIES["formulas 3000"][:3000],
        MATRIX_60,
        "| a | b |\n|---|---|\n| 1 | 2 |",
        FENCE_5000[:20_000],
    ]
)
FAMILIES["mixed"] = MIXED


@pytest.fixture
def math_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Typeset math synchronously, as ``chatdesk ask`` and the rendering tests do."""
    monkeypatch.setattr(mathtex, "background_math", False)
    yield


def _visible(text: str) -> str:
    """What the user must see of ``text`` somewhere in the HTML (escaped, shortened)."""
    return html.escape(text.strip()[:2000], quote=False)


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_hostile_family_renders_its_text(name: str, math_now: None) -> None:
    text = FAMILIES[name]
    res = render_markdown(text)
    assert res.html.strip()
    if name == "mixed":
        assert "bold" in res.html and _visible(MATRIX_60) in res.html
    elif name.startswith(("formulas", "distinct")):
        assert res.fallback == "math"  # too many spans for one block: shown as source
        assert res.math_spans == LIMITS.max_math  # still counted for the next blocks
        assert "<img" not in res.html and _visible(text) in res.html
    elif name.startswith("unclosed fence"):
        assert res.code_blocks and res.code_blocks[0].count("\n") == 4999
        assert html.escape("x_4999 = 4999 * 2  # <4999>", quote=False) in res.html
    else:
        assert _visible(text) in res.html


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_hostile_family_streams_without_raising(name: str) -> None:
    text = FAMILIES[name]
    for lazy in (False, True):
        sr = StreamRenderer(lazy=lazy)
        step = max(1, len(text) // 7)
        for end in range(step, len(text) + step, step):
            sr.update(text[:end], budget_s=0.05)
        while sr.behind:
            sr.update(text, budget_s=0.05)
        sr.finish()
        if lazy:
            for k in range(len(sr.sources)):
                assert sr.render_block(k).html
        assert sr.tail_html or sr.sources or sr.finished_html


def test_deep_nesting_falls_back_to_plain_text_with_a_note() -> None:
    res = render_markdown("Before\n\n" + "- " * 600 + "x")
    assert res.fallback == "depth"
    assert "<p>Before</p>" in res.html  # only the hostile block is plain
    assert '<p style="white-space: pre-wrap;">' + "- " * 600 + "x</p>" in res.html
    assert base.fallback_note() in res.html


def test_note_can_be_replaced_for_translation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "fallback_note", lambda: "纯文本显示")
    assert "纯文本显示" in render_markdown("[" * 10_000).html


def test_recursion_error_in_conversion_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the screen, Python-Markdown itself raises on 600 levels: still no exception."""
    monkeypatch.setattr(convert, "screen", lambda text: None)
    text = "\n".join("    " * i + "- x" for i in range(600))
    res = render_markdown(text, budget_s=None)
    assert res.fallback == "error"
    assert html.escape(text, quote=False) in res.html
    assert render_markdown("*fine*").html == "<p><em>fine</em></p>"  # renderer still usable


def test_math_caps_are_per_message_and_equal_in_lazy_blocks(math_now: None) -> None:
    # 30 blocks of 5 formulas: the cap falls in the middle of a block.
    blocks = [" ".join(f"$a_{{{b * 5 + i}}}$" for i in range(5)) for b in range(30)]
    text = "\n\n".join(blocks)
    full = render_markdown(text, budget_s=None)
    assert full.math_spans == LIMITS.max_math
    assert full.html.count("<img") == LIMITS.max_math
    assert "<code>$a_{149}$</code>" in full.html
    lazy = StreamRenderer(lazy=True)
    lazy.update(text + "\n\n")
    lazy.finish()
    html_blocks = [lazy.render_block(k).html for k in range(len(lazy.sources))]
    assert "\n".join([*html_blocks, lazy.tail_html]) == full.html


def test_big_matrix_and_long_formula_shown_as_source(math_now: None) -> None:
    res = render_markdown(MATRIX_60 + "\n\nand $" + "x+" * 400 + "y$ and $z$")
    assert res.fallback is None
    assert res.html.count("<img") == 1  # only $z$
    assert "<code>" + html.escape(MATRIX_60, quote=False) + "</code>" in res.html


def test_huge_fence_is_not_highlighted_small_one_is() -> None:
    res = render_markdown(FENCE_5000 + "\n```")
    assert 'style="color: #' not in res.html and "copycode:0" in res.html
    assert 'style="color: #' in render_markdown("```python\nx = 1\n```").html


def test_dollars_in_a_fence_are_not_math() -> None:
    script = "```bash\n" + 'echo "$HOME/$USER"\n' * 300 + "```"
    res = render_markdown(script)
    assert res.fallback is None and "copycode:0" in res.html


def test_fallback_keeps_code_numbering() -> None:
    """A plain-text block still counts its fences: later Copy links keep their numbers."""
    hostile = "```\nfirst\n```\n" + "- " * 600 + "x"
    res = render_markdown(hostile + "\n\n```\nsecond\n```")
    assert res.code_blocks == ["first", "second"]
    assert 'href="copycode:1"' in res.html


def test_normal_markdown_is_not_screened() -> None:
    normal = (
        "# Title\n\n- a\n  - b\n    - c\n\n> quote > more\n\n"
        "| a | b |\n|---|---|\n" + "| [x](https://e.com) | **y** |\n" * 150 + "\n"
        "Costs $5 and $10, a [link](https://example.com) and `code`.\n"
    )
    for block in split_blocks(normal):
        assert mdguard.screen(block) is None, block[:60]
    assert render_markdown(normal).fallback is None


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "hostile.sqlite3") as s:
        yield s


def test_export_survives_600_nested_list_markers(store: Store, tmp_path: Path) -> None:
    cid = store.create_conversation("Hostile", created=1_700_000_000.0)
    u = store.add_message(cid, "user", "nest please", created=1_700_000_001.0)
    deep = "- " * 600 + "bottom"
    a1 = store.add_message(cid, "assistant", deep, parent_id=u, created=1_700_000_002.0)
    u2 = store.add_message(cid, "user", "and fences", parent_id=a1, created=1_700_000_003.0)
    a2 = store.add_message(
        cid, "assistant", "```python\nopen = True\n", parent_id=u2, created=1_700_000_004.0
    )
    u3 = store.add_message(cid, "user", "still there?", parent_id=a2, created=1_700_000_005.0)
    store.add_message(cid, "assistant", "Yes, **fine**.", parent_id=u3, created=1_700_000_006.0)

    dest = tmp_path / "out.html"
    assert transfer.export_to_file(store, [cid], "html", dest) == 1
    page = dest.read_text(encoding="utf-8")
    assert html.escape(deep, quote=False) in page  # the hostile answer, as plain text
    assert "<strong>fine</strong>" in page  # the messages after it still render
    assert "open = True" in page

    md_dest = tmp_path / "out.md"
    assert transfer.export_to_file(store, [cid], "md", md_dest) == 1
    md = md_dest.read_text(encoding="utf-8")
    assert deep in md
    # The unclosed fence is closed, so the next heading is not swallowed as code.
    assert "```python\nopen = True\n\n```\n" in md
    assert md.index("open = True\n\n```") < md.index("still there?")


def test_export_html_renderer_raising_still_exports(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the screen, the export's own Markdown pass raises RecursionError: no failure."""
    cid = store.create_conversation("Deep", created=1_700_000_000.0)
    text = "\n".join("    " * i + "- x" for i in range(600))
    store.add_message(cid, "assistant", text, created=1_700_000_001.0)
    monkeypatch.setattr(html_out, "screen", lambda text, limits=None: None)
    page = transfer.export_html(store, [cid])
    assert html.escape(text, quote=False) in page


def test_export_renders_long_ordinary_messages(store: Store) -> None:
    """Exports refuse only recursive or quadratic shapes, not size: a 600-row table renders."""
    cid = store.create_conversation("Long", created=1_700_000_000.0)
    table = "| n | square |\n|---|---|\n" + "".join(f"| {i} | **{i * i}** |\n" for i in range(600))
    store.add_message(cid, "assistant", table, created=1_700_000_001.0)
    page = transfer.export_html(store, [cid])
    assert "<td><strong>358801</strong></td>" in page
    assert render_markdown(table).fallback == "lines"  # the window shows it as plain text
