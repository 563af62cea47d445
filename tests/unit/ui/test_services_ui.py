"""The controllers share one Services object: what runs is asked there, not of a peer."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness


def _finish(h: Harness, task: asyncio.Task[object]) -> object:
    h.wait(task.done, timeout=30)
    return task.result()


def test_restore_is_refused_while_a_comparison_runs(harness: Harness) -> None:
    """A restore closes the database: a comparison still writing its columns must end
    first (the chat pane is idle here, which is all the restore used to ask)."""
    h = harness
    history = h.desk.history
    history.quiet = True
    backup = _finish(h, history.backup_now())
    assert isinstance(backup, Path) and backup.exists()
    slow = Reply(text="x" * 4000, chunk_chars=4, delay_s=0.01)
    h.server.script_for("gpt-4o", slow)
    h.server.script_for("gpt-4o-mini", Reply(text="y" * 4000, chunk_chars=4, delay_s=0.01))
    compare = h.desk.compare
    assert compare.new_comparison(["gpt-4o", "gpt-4o-mini"])
    compare.view.composer.set_text("long please")
    assert compare.view.composer.send()
    h.wait(lambda: compare.busy)
    assert not h.controller.busy
    assert h.desk.services.running.active() == ["compare"]

    assert history.restore(backup) is False
    assert "Wait" in history.last_message
    assert h.desk.services.store is h.store  # the live database was not swapped

    compare.stop_all()
    h.wait(lambda: not compare.busy)
    assert history.restore(backup) is True
    h.store = h.desk.services.store  # the harness closes the live one


def test_a_new_chat_waits_for_a_running_comparison(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="x" * 4000, chunk_chars=4, delay_s=0.01))
    h.server.script_for("gpt-4o-mini", Reply(text="y" * 4000, chunk_chars=4, delay_s=0.01))
    compare = h.desk.compare
    assert compare.new_comparison(["gpt-4o", "gpt-4o-mini"])
    compare.view.composer.set_text("long please")
    assert compare.view.composer.send()
    h.wait(lambda: compare.busy)
    h.controller.new_conversation()
    assert h.window.comparing()  # refused: the comparison stays on screen
    compare.stop_all()
    h.wait(lambda: not compare.busy)
