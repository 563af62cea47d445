"""The window keeps a streaming answer when another process holds the history's lock."""

from __future__ import annotations

import sqlite3

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness


def test_answer_kept_while_the_database_is_locked_then_saved(harness: Harness) -> None:
    h = harness
    text = "word " * 600
    h.server.script(Reply(text=text, chunk_chars=5, delay_s=0.002))
    h.send("first", wait=True)  # the conversation exists
    h.server.script(Reply(text=text, chunk_chars=5, delay_s=0.002))
    other = sqlite3.connect(h.store.path, timeout=0.1)
    try:
        h.window.composer.set_text("second")
        assert h.window.composer.send()
        h.wait(lambda: h.controller.busy)
        other.execute("BEGIN IMMEDIATE")  # another program takes the write lock
        h.idle()
        answer = h.rows()[-1]
        assert answer.content == text  # on screen in full
        assert "saved shortly" in h.window.status_label.text()
    finally:
        other.rollback()
        other.close()
    h.wait(lambda: h.store.get_message(answer.id).content == text, timeout=5)
    assert h.store.get_message(answer.id).status == "done"
    h.wait(lambda: h.window.status_label.text() == "The answer is saved.", timeout=5)
