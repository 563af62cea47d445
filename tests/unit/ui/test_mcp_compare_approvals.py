"""Tool-call approvals in a comparison: one queue per window, one dialog at a time.

Columns that ask at the same moment wait in turn; the dialog names the asking column
(only its letter in blind mode), the next question shows when one is answered, and
Stop on a column, or Esc (stop all), withdraws that column's question.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from chatdesk.core.arena.compare import LABELS, Comparison
from chatdesk.core.tools.mcpconfig import McpSettings
from chatdesk.ctl.mcpctl import McpController
from chatdesk.ui.mcpwidgets import ApprovalDialog
from tests.fakeserver import Reply
from tests.mcpservers import broken_server, time_server
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import _visible_strings, send, start
from tests.unit.ui.test_mcp_compare import _call


def _shown(h: Harness) -> list[ApprovalDialog]:
    return [d for d in h.window.findChildren(ApprovalDialog) if d.isVisible()]


def _mcp(h: Harness) -> McpController:
    mcp = h.desk.mcp
    assert mcp is not None
    return mcp


def test_two_columns_asking_get_one_dialog_after_the_other(harness: Harness) -> None:
    h = harness
    mcp = _mcp(h)
    settings = McpSettings(h.store, None)
    settings.save(time_server())
    settings.save(broken_server("serve"))
    ctl = start(h, ["gpt-4o", "deepseek-chat"])
    ctl.set_column_tools(0, ["time"])
    ctl.set_column_tools(1, ["broken"])
    h.server.script_for(
        "gpt-4o",
        _call("t1", "time__get_current_time", timezone="Asia/Tokyo"),
        Reply(text="A: Tokyo"),
    )
    h.server.script_for(
        "deepseek-chat", _call("e1", "broken__echo", text="ping"), Reply(text="B: pong")
    )
    send(h, "Use your tools", wait=False)
    h.wait(lambda: len(mcp.waiting()) == 2, timeout=60)

    first, second = mcp.waiting()
    assert {first, second} == {"A", "B"}
    models = {"A": "gpt-4o", "B": "deepseek-chat"}
    dialog = mcp.dialog
    assert dialog is not None and _shown(h) == [dialog]  # never stacked
    assert f"Column {first}" in dialog.column_label.text()
    assert models[first] in dialog.column_label.text()  # not blind: the model is named
    assert models[second] not in dialog.column_label.text()
    # Modeless: the columns' Stop buttons stay reachable while it asks.
    assert dialog.windowModality() is Qt.WindowModality.NonModal

    dialog.once_button.click()
    assert mcp.waiting() == [second]  # the next question shows at once
    nxt = mcp.dialog
    assert nxt is not None and nxt is not dialog and _shown(h) == [nxt]
    assert f"Column {second}" in nxt.column_label.text()
    assert models[second] in nxt.column_label.text()
    nxt.once_button.click()

    h.wait(lambda: not ctl.busy, timeout=60)
    assert mcp.waiting() == [] and mcp.dialog is None and _shown(h) == []
    comparison = ctl.comparison
    assert isinstance(comparison, Comparison)
    path_a, path_b = comparison.path(0), comparison.path(1)
    assert [r.role for r in path_a] == ["user", "assistant", "tool", "assistant"]
    assert [r.role for r in path_b] == ["user", "assistant", "tool", "assistant"]
    assert "Asia/Tokyo" in path_a[2].content and path_a[3].content == "A: Tokyo"
    assert path_b[2].content == "echo: ping" and path_b[3].content == "B: pong"


def test_stopping_a_column_withdraws_its_question(harness: Harness) -> None:
    h = harness
    mcp = _mcp(h)
    settings = McpSettings(h.store, None)
    settings.save(broken_server("serve"))
    secret = ["gpt-4o", "gpt-4o-mini", "deepseek-chat"]
    ctl = start(h, secret)
    for index in range(3):
        ctl.set_column_tools(index, ["broken"])
    ctl.set_blind(True)
    for model in secret:
        h.server.script_for(model, _call("e1", "broken__echo", text="ping"), Reply(text="done"))
    send(h, "Use your tools", wait=False)
    h.wait(lambda: len(mcp.waiting()) == 3, timeout=60)

    shown, queued, last = mcp.waiting()
    dialog = mcp.dialog
    assert dialog is not None and _shown(h) == [dialog]
    # Blind: the dialog says which column asks by its letter only.
    assert "Column " + shown in dialog.column_label.text()
    for name in secret:
        assert all(name not in s for s in _visible_strings(dialog))

    # Stop on a queued column: its question leaves the queue, the dialog stays.
    ctl.view.columns[LABELS.index(queued)].stop_button.click()
    h.wait(lambda: queued not in mcp.waiting())
    assert mcp.waiting() == [shown, last] and mcp.dialog is dialog and _shown(h) == [dialog]

    # Stop on the asking column: its dialog closes and the next question shows.
    ctl.view.columns[LABELS.index(shown)].stop_button.click()
    h.wait(lambda: mcp.waiting() == [last])
    nxt = mcp.dialog
    assert nxt is not None and nxt is not dialog and _shown(h) == [nxt]
    assert "Column " + last in nxt.column_label.text()
    nxt.once_button.click()

    h.wait(lambda: not ctl.busy, timeout=60)
    assert mcp.dialog is None and _shown(h) == []
    comparison = ctl.comparison
    assert isinstance(comparison, Comparison)
    for label in (shown, queued):
        path = comparison.path(LABELS.index(label))
        assert [r.role for r in path] == ["user", "assistant", "tool"]
        assert path[-1].content == "Error: stopped by the user"
    path = comparison.path(LABELS.index(last))
    assert [r.role for r in path] == ["user", "assistant", "tool", "assistant"]
    assert path[2].content == "echo: ping" and path[3].content == "done"


def test_esc_stops_all_and_withdraws_every_question(harness: Harness) -> None:
    h = harness
    mcp = _mcp(h)
    McpSettings(h.store, None).save(broken_server("serve"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    for index in range(2):
        ctl.set_column_tools(index, ["broken"])
    for model in ("gpt-4o", "gpt-4o-mini"):
        h.server.script_for(model, _call("e1", "broken__echo", text="ping"), Reply(text="done"))
    send(h, "Use your tools", wait=False)
    h.wait(lambda: len(mcp.waiting()) == 2, timeout=60)
    assert len(_shown(h)) == 1

    QTest.keyClick(ctl.view.composer.editor(), Qt.Key.Key_Escape)
    h.wait(lambda: not ctl.busy, timeout=30)
    assert mcp.waiting() == [] and mcp.dialog is None and _shown(h) == []
    comparison = ctl.comparison
    assert isinstance(comparison, Comparison)
    for index in range(2):
        assert comparison.path(index)[-1].content == "Error: stopped by the user"
