"""Ctrl+F counts and steps through every match, each scrolled into view."""

from __future__ import annotations

import pytest

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness

pytestmark = pytest.mark.ui

# A long reply with the word far apart: most matches start off screen.
PARAS = [f"Paragraph {i}: " + ("filler words to read " * 12) for i in range(60)]
LONG = "\n\n".join(p + (" The kestrel hovers." if i % 12 == 5 else "") for i, p in enumerate(PARAS))


def _chat(h: Harness, prompt: str, answer: str) -> None:
    h.server.script(Reply(text=answer))
    h.send(prompt)


def test_counts_matches_not_messages_and_scrolls_each_into_view(harness: Harness) -> None:
    h = harness
    h.window.resize(900, 600)
    _chat(h, "tell me about the kestrel", LONG)
    expected = 1 + LONG.count("kestrel")
    assert expected == 6
    bar = h.window.find_bar
    view = h.window.message_view
    bar.open_with("KESTREL")
    bar.find_requested.emit("KESTREL")
    assert bar.match_count() == expected
    assert bar.label_text() == f"1 of {expected}"
    seen_tops: list[int] = []
    for i in range(expected):
        if i:
            bar.next()
        assert bar.current() == i and bar.label_text() == f"{i + 1} of {expected}"
        rect = view.current_match_rect()
        assert rect is not None
        assert view.viewport().rect().contains(rect), (i, rect)
        seen_tops.append(rect.top() + view.verticalScrollBar().value())
    # Six different places, in reading order: the user's question, then the reply's five.
    assert seen_tops == sorted(seen_tops) and len(set(seen_tops)) == expected
    bar.next()  # wraps to the first
    assert bar.label_text() == f"1 of {expected}"
    assert view.viewport().rect().contains(view.current_match_rect())
    bar.previous()
    assert bar.label_text() == f"{expected} of {expected}"
    bar.close_bar()
    assert view.current_match_rect() is None and view._highlight is None


def test_match_past_the_rendered_ones_shows_the_last(harness: Harness) -> None:
    h = harness
    _chat(h, "hi", "one **kestrel** here")
    view = h.window.message_view
    mid = h.rows()[-1].id
    view.highlight(mid, "kestrel")
    assert view.scroll_to_match(mid, "kestrel", 0) is not None
    assert view.scroll_to_match(mid, "kestrel", 7) is not None  # clamped to the last
    assert view.scroll_to_match(mid, "absent", 0) is None
    assert view.current_match_rect() is None
