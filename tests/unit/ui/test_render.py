"""Markdown rendering: safety of untrusted output, math, code blocks, streaming equivalence."""

from __future__ import annotations

import re

import pytest

from chatdesk.ui import render
from chatdesk.ui.render import MATH_SVGS, StreamRenderer, render_markdown, split_blocks
from chatdesk.ui.render.convert import renderer

SAMPLE = (
    "# 标题 Title 😀\n\n"
    "Intro with **bold**, `inline $x$ code` and math $E=mc^2$; it costs $5 and $10.\n\n"
    "```python\ndef f(x):\n    return x * 2  # 注释\n```\n\n"
    "1. first\n2. second\n\n"
    "   continued paragraph of item two\n\n"
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n"
    "$$\\int_0^1 x^2\\,dx$$\n\n"
    "~~~\nplain code\n\nwith a blank line\n~~~\n\n"
    "Last paragraph 完。\n"
)


def test_raw_html_is_escaped() -> None:
    res = render_markdown('Hi <script>alert(1)</script> <b>x</b>\n\n<div onclick="x">y</div>')
    assert "<script" not in res.html
    assert "&lt;script&gt;" in res.html
    assert "<b>" not in res.html and "&lt;b&gt;" in res.html
    assert "<div" not in res.html


def test_links_filtered_by_scheme() -> None:
    res = render_markdown(
        "[ok](https://example.com) [mail](mailto:a@b.c) [bad](javascript:alert(1)) "
        "[file](file:///etc/passwd) <https://auto.link>"
    )
    hrefs = re.findall(r'href="([^"]*)"', res.html)
    assert "https://example.com" in hrefs
    assert "mailto:a@b.c" in hrefs
    assert "https://auto.link" in hrefs
    assert not any(h.startswith(("javascript:", "file:")) for h in hrefs)
    assert "bad" in res.html and "file" in res.html  # kept as plain text


def test_no_remote_image() -> None:
    res = render_markdown("![cat](https://evil.example/cat.png) ![x](file:///tmp/a.png)")
    srcs = re.findall(r'<img[^>]*src="([^"]*)"', res.html)
    assert srcs == []
    assert 'href="https://evil.example/cat.png"' in res.html  # shown as a link instead


def test_math_produces_svg_resource() -> None:
    res = render_markdown("Inline $a^2+b^2=c^2$ and block\n\n$$\\frac{1}{2}$$\n\n\\(x\\) \\[y\\]")
    assert len(res.math) == 4
    for name in res.math:
        assert name.startswith("math:")
        assert f'src="{name}"' in res.html
        assert MATH_SVGS[name].startswith(b"<svg")


def test_currency_and_code_are_not_math() -> None:
    res = render_markdown("It costs $5 and $10. Also `$x$` stays code.")
    assert res.math == []
    assert "$5 and $10" in res.html
    assert "<code>$x$</code>" in res.html


def test_bad_math_shown_as_code() -> None:
    res = render_markdown("Broken $\\frac{a}{$ here")
    assert res.math == []
    assert "<code>" in res.html and "frac" in res.html


def test_code_blocks_copy_links_and_text() -> None:
    res = render_markdown(
        "```python\nx = 1 < 2\n```\n\ntext\n\n```\nraw <b>\n```\n\n```nosuchlang\nzz\n```"
    )
    assert res.code_blocks == ["x = 1 < 2", "raw <b>", "zz"]
    for i in range(3):
        assert f'href="copycode:{i}"' in res.html
    assert "<b>" not in res.html.split("copycode:1")[1].split("copycode:2")[0]
    assert 'style="color:' in res.html or 'style="color: ' in res.html  # inline Pygments


def test_dark_and_light_code_colours_differ() -> None:
    code = "```python\ndef f():\n    pass\n```"
    assert render_markdown(code, dark=False).html != render_markdown(code, dark=True).html


def test_chinese_and_emoji_preserved() -> None:
    res = render_markdown("你好，世界 😀🎉\n\n- 列表 ✅")
    assert "你好，世界 😀🎉" in res.html
    assert "列表 ✅" in res.html


def test_split_keeps_fences_and_indented_continuations() -> None:
    blocks = split_blocks(SAMPLE)
    assert any("plain code\n\nwith a blank line" in b for b in blocks)
    assert any("2. second\n\n   continued" in b for b in blocks)


@pytest.mark.parametrize("step", [1, 3, 7, 50])
def test_stream_renderer_equals_full_render(step: int) -> None:
    sr = StreamRenderer()
    finished: list[str] = []
    for end in range(step, len(SAMPLE) + step, step):
        new, _tail = sr.update(SAMPLE[:end])
        finished.extend(new)
    sr.finish()
    full = render_markdown(SAMPLE)
    assert "\n".join([*finished, sr.tail_html]) == full.html
    assert sr.full_html() == full.html
    assert sr.code_blocks == full.code_blocks


def test_stream_renderer_only_rerenders_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    sr = StreamRenderer()
    sr.update(SAMPLE)
    calls: list[str] = []
    r = renderer(False)
    orig = r.render

    def spy(text: str, *a: object, **k: object) -> render.RenderResult:
        calls.append(text)
        return orig(text, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(r, "render", spy)
    sr.update(SAMPLE + "more words")
    assert calls == ["Last paragraph 完。\nmore words"]


def test_open_fence_tail_is_closed_and_not_highlighted() -> None:
    sr = StreamRenderer()
    _new, tail = sr.update("Text\n\n```python\ndef f():\n")
    assert "copycode:0" in tail
    assert "def f():" in tail and 'style="color: #' not in tail  # plain while open
    assert sr.code_blocks == ["def f():"]
    _new, tail = sr.update("Text\n\n```python\ndef f():\n    pass\n```\n")
    assert 'style="color: #' in tail  # highlighted once closed


def test_stream_budget_catches_up() -> None:
    text = "\n\n".join(f"Paragraph {i} with *emphasis* and `code`." for i in range(400))
    sr = StreamRenderer()
    sr.update(text, budget_s=0.0005)
    assert sr.behind
    for _ in range(1000):
        if not sr.behind:
            break
        sr.update(text, budget_s=0.0005)
    assert not sr.behind
    assert sr.full_html() == render_markdown(text).html


def test_edit_restarts_stream() -> None:
    sr = StreamRenderer()
    sr.update("one\n\ntwo")
    sr.update("other text")
    assert sr.restarted
    assert sr.full_html() == render_markdown("other text").html
