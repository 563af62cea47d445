"""The window's tool loop: choose servers, approve in the dialog, Stop, servers end with it."""

from __future__ import annotations

import json
import os

from chatdesk.core.tools.mcpconfig import McpSettings
from tests.fakeserver import Reply
from tests.mcpservers import alive, broken_server, children_of, time_server
from tests.unit.ui.harness import Harness


def _tool_call(call_id: str, name: str, **arguments: object) -> Reply:
    return Reply(
        text="",
        tool_calls=[{"id": call_id, "name": name, "arguments": json.dumps(arguments)}],
        finish_reason="tool_calls",
    )


def test_tool_turn_with_approval_dialog(harness: Harness) -> None:
    h = harness
    mcp = h.desk.mcp
    assert mcp is not None
    McpSettings(h.store, None).save(time_server())
    mcp.refresh_button()
    mcp.button.set_chosen(["time"])
    mcp.set_conversation_servers(["time"])
    assert "time" in mcp.button.text()
    h.server.script(
        _tool_call("c1", "time__get_current_time", timezone="Europe/Berlin"),
        _tool_call("c2", "time__get_current_time", timezone="UTC"),
        Reply(text="Berlin and UTC, done."),
    )
    h.send("What time is it in Berlin?", wait=False)
    h.wait(lambda: mcp.dialog is not None, timeout=30)
    dialog = mcp.dialog
    assert dialog is not None and "Europe/Berlin" in dialog.arguments.toPlainText()
    dialog.always_button.click()  # the second call runs without asking
    h.wait(lambda: h.controller._task is not None and h.controller._task.done(), timeout=30)
    roles = [r.role for r in h.rows()]
    assert roles == ["user", "assistant", "tool", "assistant", "tool", "assistant"]
    assert h.rows()[-1].content == "Berlin and UTC, done."
    assert h.rows()[2].meta["mcp"]["server"] == "time"
    names = sorted(t["function"]["name"] for t in h.body()["tools"])
    assert names == ["time__convert_time", "time__get_current_time"]
    assert McpSettings(h.store, None).approvals() == [("time", "get_current_time")]
    conv = h.store.get_conversation(h.controller.conversation_id or 0)
    assert conv is not None and conv.params["mcp_servers"] == ["time"]


def test_stop_closes_the_dialog_and_the_servers_end_with_the_window(harness: Harness) -> None:
    h = harness
    mcp = h.desk.mcp
    assert mcp is not None
    McpSettings(h.store, None).save(broken_server("serve"))
    mcp.set_conversation_servers(["broken"])
    h.server.script(_tool_call("p1", "broken__pid"), _tool_call("h1", "broken__hang"))
    finished: list[str] = []
    h.controller.exchange_finished.connect(finished.append)
    h.send("go", wait=False)
    h.wait(lambda: mcp.dialog is not None, timeout=30)
    assert mcp.dialog is not None
    mcp.dialog.once_button.click()
    h.wait(lambda: mcp.dialog is not None, timeout=30)  # the second round asks again
    assert mcp.dialog is not None
    mcp.dialog.once_button.click()
    h.wait(lambda: "broken.hang" in h.window.status_label.text(), timeout=30)
    h.controller.stop()
    h.idle()
    h.wait(lambda: bool(finished), timeout=30)
    # The turn was stopped, though its last answer (the tool call) had ended well.
    assert finished == ["stopped"]
    rows = h.rows()
    assert [r.role for r in rows][-2:] == ["assistant", "tool"]
    assert rows[-1].content == "Error: stopped by the user"
    pid = int(rows[2].content)
    assert alive(pid)
    h.loop.run_until_complete(mcp.aclose())
    assert not alive(pid) and not children_of(os.getpid())


def test_continue_a_cut_answer_runs_the_tool_loop(harness: Harness) -> None:
    """Continue offers the tools too; a tool call in the continuation runs and the model
    answers after its result (the cut row keeps its text and gets the calls)."""
    h = harness
    mcp = h.desk.mcp
    assert mcp is not None
    settings = McpSettings(h.store, None)
    settings.save(time_server())
    settings.allow_always("time", "get_current_time")
    mcp.set_conversation_servers(["time"])
    h.server.script(
        Reply(text="Let me look up the ti", finish_reason="length"),
        Reply(
            text="me.",
            tool_calls=[
                {
                    "id": "c9",
                    "name": "time__get_current_time",
                    "arguments": json.dumps({"timezone": "Asia/Shanghai"}),
                }
            ],
            finish_reason="tool_calls",
        ),
        Reply(text="It is morning in Shanghai."),
    )
    h.send("Time in Shanghai?")
    cut = h.rows()[-1]
    assert cut.finish_reason == "length" and cut.content == "Let me look up the ti"
    h.controller._action_continue(cut.id, None)
    h.wait(lambda: h.controller._task is not None and h.controller._task.done(), timeout=30)
    h.idle()
    rows = h.rows()
    assert [r.role for r in rows] == ["user", "assistant", "tool", "assistant"]
    assert rows[1].id == cut.id and rows[1].content == "Let me look up the time."
    assert rows[1].tool_calls and rows[1].tool_calls[0]["id"] == "c9"
    assert "Asia/Shanghai" in rows[2].content and rows[2].meta["mcp"]["server"] == "time"
    assert rows[3].content == "It is morning in Shanghai."
    bodies = h.chat_bodies()
    assert len(bodies) == 3 and all(b.get("tools") for b in bodies)
    cont = bodies[1]["messages"]
    assert cont[-2]["content"] == "Let me look up the ti" and cont[-1]["role"] == "user"
    last = bodies[2]["messages"]
    assert last[-2]["tool_calls"][0]["id"] == "c9" and last[-1]["tool_call_id"] == "c9"


def test_a_server_that_did_not_start_stays_said_after_the_answer(harness: Harness) -> None:
    """The loop's note is not replaced by the server's name when the answer is done."""
    h = harness
    mcp = h.desk.mcp
    assert mcp is not None
    McpSettings(h.store, None).save(broken_server("fail"))
    mcp.set_conversation_servers(["broken"])
    h.server.script(Reply(text="Answered without tools."))
    h.send("hello")
    h.wait(lambda: h.controller.runner is not None and h.controller.runner.result is not None)
    assert h.rows()[-1].content == "Answered without tools."
    status = h.window.status_label.text()
    assert "MCP server broken" in status, status
    h.loop.run_until_complete(mcp.aclose())
