"""Smaller compare view faults: focus after a vote, the vote bar's width, the status line,
the host of an unreachable server, and what a retried column shows."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from chatdesk.store.rows import ProviderRow
from chatdesk.ui.comparecolumn import ColumnState
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import MODELS, send, start


def test_voting_keeps_focus_in_the_compare_view(harness: Harness) -> None:
    h = harness
    h.window.activateWindow()
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "q")
    button = ctl.view.vote_buttons["A"]
    button.setFocus()
    QApplication.processEvents()
    button.click()
    QApplication.processEvents()
    focus = QApplication.focusWidget()
    assert focus is not None and ctl.view.isAncestorOf(focus), focus
    assert focus is ctl.view.composer.focusProxy() or ctl.view.composer.isAncestorOf(focus)


def test_the_vote_bar_fits_an_800_pixel_window(harness: Harness) -> None:
    h = harness
    h.window.resize(800, 600)
    ctl = start(h, MODELS)
    send(h, "four")
    for _ in range(5):
        QApplication.processEvents()
    bar = ctl.view.vote_bar
    assert bar.isVisibleTo(ctl.view)
    # The buttons alone; the question wraps above them (it sat in their row before).
    assert bar.minimumSizeHint().width() <= ctl.view.width()
    assert ctl.view.vote_label.minimumSizeHint().width() < 100
    assert h.window.width() == 800


def test_status_line_keeps_the_server_and_drops_the_rerun_hint(harness: Harness) -> None:
    h = harness
    status = h.window.status_label
    assert status.text().startswith("Server: ")
    server = status.text()
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "first")
    assert status.text() == server  # still named after a send
    ctl.rerun(send=False)
    assert "then send" in status.text()
    ctl.view.composer.send()
    h.wait(lambda: not ctl.busy and bool(ctl.exchanges))
    assert status.text() == server  # the hint went with the send


def test_an_unreachable_column_names_its_host(harness: Harness) -> None:
    h = harness
    h.store.upsert_provider(ProviderRow(name="dead", base_url="http://127.0.0.1:9/v1"))
    h.desk.services.keys.set_for_session("dead", "sk-dead-0123456789")
    h.server.script_for("gpt-4o", Reply(text="fine"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    ctl.set_column_provider(1, "dead")
    send(h, "hello?", wait=False)
    h.wait(lambda: not ctl.busy, timeout=30)
    text = ctl.view.columns[1].state_label.text()
    assert "reach" in text and "127.0.0.1:9" in text, text


def test_a_retried_column_shows_that_it_ran_again(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply.error(404, "model not found", code="model_not_found"),
                        Reply(text="second try", first_delay_s=0.3))  # fmt: skip
    h.server.script_for("gpt-4o-mini", Reply(text="fine"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "q")
    column = ctl.view.columns[0]
    ctl.retry_column(0)
    assert "attempt 2" in column.state_label.text().lower()
    h.wait(lambda: not ctl.busy)
    assert "attempt 2" in column.state_label.text().lower()
    assert ctl.view.columns[1].state_label.text() == ""


def test_a_chat_send_keeps_the_server_named(harness: Harness) -> None:
    h = harness
    server = h.window.status_label.text()
    assert server.startswith("Server: ")
    h.server.script(Reply(text="hi"))
    h.send("hello")
    h.idle()
    assert h.window.status_label.text() == server


def test_a_column_says_where_its_turn_is_as_a_state(harness: Harness) -> None:
    """The controller decides from the column's state, never from its translated text."""
    h = harness
    slow = Reply(text="second try " * 20, first_delay_s=0.3, delay_s=0.02)
    h.server.script_for("gpt-4o", Reply.error(404, "model not found", code="model_not_found"), slow)
    h.server.script_for("gpt-4o-mini", Reply(text="fine"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "q")
    column, other = ctl.view.columns
    assert column.state is ColumnState.FAILED and column.has_state_text
    assert other.state is ColumnState.DONE and not other.has_state_text
    ctl.retry_column(0)
    assert column.state is ColumnState.WAITING
    h.wait(lambda: column.state is ColumnState.STREAMING)
    assert "attempt 2" in column.state_label.text().lower()
    h.wait(lambda: not ctl.busy)
    assert column.state is ColumnState.DONE
