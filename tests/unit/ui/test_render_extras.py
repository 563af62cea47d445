"""Markdown that models write beyond the basics (issue 11): strikethrough, task lists,
footnotes and block quotes with a bar; the hostile-input limits still hold for them."""

from __future__ import annotations

import re

from chatdesk.ui import render


def test_strikethrough() -> None:
    html = render.render_markdown("a ~~b c~~ d, but ~~ spaced ~~ and a~b~c stay").html
    assert "<s>b c</s>" in html
    assert "~~ spaced ~~" in html and "a~b~c" in html


def test_task_list_boxes() -> None:
    html = render.render_markdown("- [x] keyring\n- [ ] proxy\n").html
    assert "☑ keyring" in html and "☐ proxy" in html
    assert "[x]" not in html and "[ ]" not in html
    assert "list-style-type: none" in html
    loose = render.render_markdown("- [x] one\n\n- [ ] two\n").html
    assert "☑ one" in loose and "☐ two" in loose
    plain = render.render_markdown("- [link](http://a.b) item\n").html
    assert "☐" not in plain and "☑" not in plain


def test_footnote_reference_and_definition() -> None:
    html = render.render_markdown("A claim.[^1]\n\n[^1]: The source.\n").html
    assert "<sup>1</sup>" in html
    assert "[^1]" not in html
    assert re.search(r'<p style="[^"]*font-size: small;[^"]*"><sup>1</sup> The source\.</p>', html)


def test_block_quote_has_a_bar_in_both_themes() -> None:
    for dark in (False, True):
        html = render.render_markdown("> quoted **text**\n> more\n", dark).html
        bar = render.code_colors(dark).quote_bar
        assert f'bgcolor="{bar}"' in html
        assert "<blockquote" not in html
        assert "<strong>text</strong>" in html


def test_unclosed_strike_markers_stay_linear() -> None:
    # Each opener could scan to the end of the block: spans are bounded, and a block
    # with more markers than the budget is shown as plain text.
    many = render.render_markdown("~~a " * 6000)
    assert many.fallback == "marks"
    few = render.render_markdown("~~a " * 200 + "b" * 20000)
    assert few.fallback is None and "<s>" not in few.html


def test_stream_matches_whole_render_with_extras() -> None:
    text = "- [x] done\n\n> quote\n\nx ~~y~~ z[^2]\n\n[^2]: note\n"
    stream = render.StreamRenderer()
    blocks: list[str] = []
    for end in range(1, len(text) + 1):
        new, _ = stream.update(text[:end])
        blocks.extend(new)
    assert "\n".join([*blocks, stream.tail_html]) == render.render_markdown(text).html
