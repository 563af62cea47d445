"""Per-column MCP tools in compare: each column chooses its servers and runs the tool loop.

The choice lives in the column's parameters (``mcp_servers``) and never reaches the
server as a request field; a column with tools runs rounds (answer, tool, answer) in
its own view while a column without tools answers once.
"""

from __future__ import annotations

import json
from typing import Any

from chatdesk.core.arena.compare import Comparison
from chatdesk.core.tools.mcpconfig import McpSettings
from tests.fakeserver import Reply
from tests.mcpservers import broken_server, everything_server, needs_everything, time_server
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import send, start


def _call(call_id: str, name: str, **arguments: object) -> Reply:
    return Reply(
        text="",
        tool_calls=[{"id": call_id, "name": name, "arguments": json.dumps(arguments)}],
        finish_reason="tool_calls",
    )


def _menu_servers(column: object) -> list[str]:
    button = column.tools_button  # type: ignore[attr-defined]
    return [str(a.data()) for a in button.menu().actions() if a.isCheckable()]


def test_each_column_runs_its_own_servers_tools(harness: Harness) -> None:
    h = harness
    settings = McpSettings(h.store, None)
    settings.save(time_server())
    settings.save(broken_server("serve"))
    settings.allow_always("time", "get_current_time")
    settings.allow_always("broken", "echo")
    ctl = start(h, ["gpt-4o", "gpt-4o-mini", "deepseek-chat"])
    a, b, c = ctl.view.columns
    ctl.fill_tools_menu(0)  # what opening the column's Tools menu does
    assert _menu_servers(a) == ["time", "broken"]
    a.tools_button.menu().actions()[0].setChecked(True)  # A: time
    ctl.fill_tools_menu(1)
    b.tools_button.menu().actions()[1].setChecked(True)  # B: broken
    assert ctl.specs[0].params["mcp_servers"] == ["time"]
    assert ctl.specs[1].params["mcp_servers"] == ["broken"]
    assert "mcp_servers" not in ctl.specs[2].params and "off" in c.tools_button.text()

    h.server.script_for(
        "gpt-4o",
        _call("t1", "time__get_current_time", timezone="Asia/Tokyo"),
        Reply(text="A: Tokyo"),
    )
    h.server.script_for(
        "gpt-4o-mini", _call("e1", "broken__echo", text="ping"), Reply(text="B: pong")
    )
    h.server.script_for("deepseek-chat", Reply(text="C: no tools"))
    send(h, "Use your tools", wait=False)
    h.wait(lambda: not ctl.busy, timeout=60)

    bodies = h.chat_bodies()
    assert all("mcp_servers" not in body for body in bodies)  # never a request field
    by_model: dict[str, list[dict[str, Any]]] = {}
    for body in bodies:
        by_model.setdefault(body["model"], []).append(body)
    tools = {
        m: sorted(t["function"]["name"] for t in bs[0].get("tools", []))
        for m, bs in by_model.items()
    }
    assert tools["gpt-4o"] == ["time__convert_time", "time__get_current_time"]
    assert "broken__echo" in tools["gpt-4o-mini"] and not any(
        n.startswith("time__") for n in tools["gpt-4o-mini"]
    )
    assert tools["deepseek-chat"] == [] and len(by_model["deepseek-chat"]) == 1
    assert len(by_model["gpt-4o"]) == 2 and len(by_model["gpt-4o-mini"]) == 2

    comparison = ctl.comparison
    assert isinstance(comparison, Comparison)
    # Each column's thread ends at its final answer, after the tool result.
    roles = [[r.role for r in comparison.path(i)] for i in range(3)]
    assert roles[0] == ["user", "assistant", "tool", "assistant"]
    assert roles[1] == ["user", "assistant", "tool", "assistant"]
    assert roles[2] == ["user", "assistant"]
    assert comparison.answer(0).content == "A: Tokyo"  # type: ignore[union-attr]
    assert comparison.answer(1).content == "B: pong"  # type: ignore[union-attr]
    tool_a = comparison.path(0)[2]
    assert tool_a.meta["mcp"]["server"] == "time" and "Asia/Tokyo" in tool_a.content
    assert comparison.path(1)[2].content == "echo: ping"
    assert comparison.path(0)[3].meta.get("column") == 0  # the later round keeps its column
    # Each column's own view shows its rows, tool row included (the prompt is shown
    # once, above the columns).
    assert [r.role for r in a.model.messages()] == roles[0][1:]
    assert [r.role for r in b.model.messages()] == roles[1][1:]
    assert [r.content for r in c.model.messages()][-1] == "C: no tools"
    # After the first prompt the choice is fixed like the columns' other parameters.
    assert not a.tools_button.isEnabled()
    ctl.set_column_tools(0, [])
    assert ctl.specs[0].params["mcp_servers"] == ["time"]


def test_stop_in_a_column_cancels_its_tool_call(harness: Harness) -> None:
    h = harness
    settings = McpSettings(h.store, None)
    settings.save(broken_server("serve"))
    settings.allow_always("broken", "hang")
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    ctl.set_column_tools(0, ["broken"])
    h.server.script_for("gpt-4o", _call("h1", "broken__hang"))
    h.server.script_for("gpt-4o-mini", Reply(text="B done"))
    send(h, "hang please", wait=False)
    column = ctl.view.columns[0]
    h.wait(lambda: "broken.hang" in column.state_label.text(), timeout=30)
    assert ctl.busy
    ctl.stop_column(0)
    h.wait(lambda: not ctl.busy, timeout=30)
    path = ctl.comparison.path(0)
    assert path[-1].role == "tool" and path[-1].content == "Error: stopped by the user"
    assert ctl.comparison.answer(1).content == "B done"


@needs_everything
def test_everything_server_in_a_column(harness: Harness) -> None:
    h = harness
    settings = McpSettings(h.store, None)
    settings.save(everything_server())
    settings.allow_always("everything", "get-sum")
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    ctl.set_column_tools(1, ["everything"])
    h.server.script_for("gpt-4o", Reply(text="A plain"))
    h.server.script_for(
        "gpt-4o-mini", _call("s1", "everything__get-sum", a=2, b=40), Reply(text="B: 42")
    )
    send(h, "add 2 and 40", wait=False)
    h.wait(lambda: not ctl.busy, timeout=60)
    comparison = ctl.comparison
    assert comparison.answer(0).content == "A plain"
    assert comparison.answer(1).content == "B: 42"
    tool = comparison.path(1)[2]
    assert tool.meta["mcp"]["tool"] == "get-sum" and "42" in tool.content
    assert tool.meta["mcp"]["error"] is None
