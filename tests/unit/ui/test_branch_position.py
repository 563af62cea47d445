"""Switching branches keeps the switched message where it was (issue 11)."""

from __future__ import annotations

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness


def test_branch_switch_keeps_the_message_in_place(harness: Harness) -> None:
    h = harness
    h.window.resize(900, 600)
    for i in range(8):
        h.server.script(Reply(text=f"answer {i}\n\n" + "words and more words\n\n" * 40))
        h.send(f"question {i}")
    target = h.rows()[5]  # an answer in the middle, then regenerate it
    h.server.script(Reply(text="another take\n\n" + "other words\n\n" * 40))
    h.controller.on_action("regenerate", target.id, None)
    h.idle()
    view = h.window.message_view
    new = [r for r in h.rows() if r.parent_id == target.parent_id][0]
    view.scroll_to_message(new.id)
    h.wait(lambda: view.message_rect(new.id) is not None)
    sb = view.verticalScrollBar()
    sb.setValue(sb.value() - 40)  # the reader scrolls a little, as a reader does
    h.wait(lambda: view.message_rect(new.id) is not None)
    before = view.message_rect(new.id).top()
    assert sb.value() < sb.maximum() - 50  # not at the bottom: a jump would show
    h.controller.on_action("branch_prev", new.id, None)
    h.idle()
    old = [r for r in h.rows() if r.parent_id == target.parent_id][0]
    assert old.id == target.id
    rect = view.message_rect(old.id)
    assert rect is not None and abs(rect.top() - before) <= 4, (before, rect)
