"""visible(): control and direction characters shown as escapes, everything else kept."""

from __future__ import annotations

from chatdesk.core.textsafe import visible


def test_controls_and_direction_marks_become_escapes() -> None:
    assert visible("a\x1b[31mb\x07\x00\x7f\x9b") == "a\\x1b[31mb\\x07\\x00\\x7f\\x9b"
    assert visible("x\u202ey\u2066z\u200f\u2028") == "x\\u202ey\\u2066z\\u200f\\u2028"
    assert visible("line\nnext\ttab\r") == "line\\x0anext\\x09tab\\x0d"


def test_ordinary_text_is_unchanged() -> None:
    text = "get_current_time: Zeit in 東京 — café ✓ 😀 עברית"
    assert visible(text) == text
