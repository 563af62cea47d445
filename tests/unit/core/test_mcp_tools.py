"""The tool loop against real MCP servers, driven by the fake OpenAI server.

mcp-server-time and server-everything are reference servers nobody here wrote;
tests/mcpbroken.py is ours and misbehaves on purpose (fails to start, crashes
mid-call, hangs, floods, nests too deep, prints garbage).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chatdesk.api.client import ChatClient
from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat.exchange import ExchangeTarget
from chatdesk.core.tools.mcpconfig import McpSettings, ServerConfig
from chatdesk.core.tools.mcpmanager import (
    MAX_DEPTH,
    McpManager,
    ServerState,
    render_content,
    truncate,
)
from chatdesk.core.tools.toolloop import Approval, PendingCall, ToolTurn, approve_all, deny_all
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply
from tests.mcpservers import (
    ROOT,
    alive,
    broken_server,
    children_of,
    everything_server,
    needs_everything,
    time_server,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


class Servers:
    """The configured servers of a test, and one manager over them."""

    def __init__(self, *configs: ServerConfig, start_timeout: float = 30.0) -> None:
        self.configs = {c.name: c for c in configs}
        self.manager = McpManager(self.configs.get, start_timeout=start_timeout)


@pytest_asyncio.fixture
async def client(fake_server: FakeServer) -> AsyncIterator[ChatClient]:
    async with ChatClient(fake_server.base_url, "sk-test", max_retries=0) as c:
        yield c


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"id": call_id, "name": name, "arguments": json.dumps(arguments)}


def first_request(
    store: Store, text: str = "What time is it in Paris?"
) -> tuple[int, int, ChatRequest]:
    conv = store.create_conversation("tools")
    user = store.add_message(conv, "user", text, make_current=True)
    request = ChatRequest(model="gpt-4o", messages=[ChatMessage(role="user", content=text)])
    return conv, user, request


@pytest.mark.asyncio
async def test_time_server_round_trip_is_saved_and_sent_back(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(time_server())
    fake_server.script(
        Reply(
            text="Let me check.",
            tool_calls=[call("c1", "time__get_current_time", timezone="Europe/Paris")],
            finish_reason="tool_calls",
        ),
        Reply(text="It is evening in Paris."),
    )
    conv, user, request = first_request(store)
    asked: list[PendingCall] = []

    async def approve(pending: PendingCall) -> Approval:
        asked.append(pending)
        return Approval.ONCE

    try:
        turn = ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["time"],
            approve=approve,
            store=store,
            target=ExchangeTarget(conv, user),
        )
        outcome = await turn.run()
    finally:
        await servers.manager.aclose()
    assert outcome.status == "done" and outcome.rounds == 1 and not outcome.limit_reached
    assert [(p.server, p.tool, p.arguments) for p in asked] == [
        ("time", "get_current_time", {"timezone": "Europe/Paris"})
    ]
    first, second = fake_server.chat_requests
    names = [t["function"]["name"] for t in first.json["tools"]]
    assert sorted(names) == ["time__convert_time", "time__get_current_time"]
    sent = second.json["messages"]
    assert sent[-2]["role"] == "assistant" and sent[-2]["tool_calls"][0]["id"] == "c1"
    assert sent[-1]["role"] == "tool" and sent[-1]["tool_call_id"] == "c1"
    assert "Europe/Paris" in sent[-1]["content"] and second.json["tools"] == first.json["tools"]

    path = store.active_path(conv)
    assert [m.role for m in path] == ["user", "assistant", "tool", "assistant"]
    tool_row = path[2]
    mcp = tool_row.meta["mcp"]
    assert (mcp["server"], mcp["tool"], mcp["error"]) == ("time", "get_current_time", None)
    assert mcp["arguments"] == {"timezone": "Europe/Paris"} and mcp["duration_ms"] > 0
    assert tool_row.tool_call_id == "c1" and "Europe/Paris" in tool_row.content
    assert path[3].content == "It is evening in Paris." and path[3].status == "done"
    assert outcome.tool_runs[0].message_id == tool_row.id


@pytest.mark.asyncio
@needs_everything
async def test_everything_server_parallel_calls_progress_and_errors(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(everything_server(), time_server())
    fake_server.script(
        Reply(
            text="",
            tool_calls=[
                call("e1", "everything__echo", message="你好 MCP"),
                call("s1", "everything__get-sum", a=2, b=40),
                call("l1", "everything__trigger-long-running-operation", duration=1, steps=3),
                call("t1", "time__get_current_time", timezone="Asia/Shanghai"),
            ],
            finish_reason="tool_calls",
        ),
        Reply(
            text="",
            tool_calls=[call("x1", "everything__get-sum", a="two")],
            finish_reason="tool_calls",
        ),
        Reply(text="All done."),
    )
    conv, user, request = first_request(store, "Use the tools")
    try:
        started = time.monotonic()
        outcome = await ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["everything", "time"],
            approve=approve_all,
            store=store,
            target=ExchangeTarget(conv, user),
        ).run()
        elapsed = time.monotonic() - started
    finally:
        await servers.manager.aclose()
    runs = {r.call_id: r for r in outcome.tool_runs}
    assert outcome.status == "done" and outcome.rounds == 2
    assert runs["e1"].result == "Echo: 你好 MCP" and runs["e1"].error is None
    assert "42" in runs["s1"].result
    assert "Long running operation completed" in runs["l1"].result
    assert "Asia/Shanghai" in runs["t1"].result
    assert runs["x1"].error is not None and "get-sum" in runs["x1"].error
    # The failed call still reaches the model, as an error it can read.
    last = fake_server.chat_requests[-1].json["messages"][-1]
    assert last["role"] == "tool" and last["content"].startswith("Error: ")
    path = store.active_path(conv)
    assert [m.role for m in path] == [
        "user",
        "assistant",
        "tool",
        "tool",
        "tool",
        "tool",
        "assistant",
        "tool",
        "assistant",
    ]
    assert [m.tool_call_id for m in path[2:6]] == ["e1", "s1", "l1", "t1"]  # in call order
    print(f"one round of 4 parallel calls (one of 1 s) in {elapsed:.2f} s")


@pytest.mark.asyncio
async def test_denied_and_always_allowed(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(time_server())
    settings = McpSettings(store, None)
    settings.save(time_server())
    fake_server.script(
        Reply(
            text="",
            tool_calls=[call("c1", "time__get_current_time", timezone="UTC")],
            finish_reason="tool_calls",
        ),
        Reply(text="ok, no time then"),
    )
    conv, user, request = first_request(store)
    try:
        outcome = await ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["time"],
            approve=deny_all,
            approvals=settings,
            store=store,
            target=ExchangeTarget(conv, user),
        ).run()
        assert outcome.tool_runs[0].error == "the user denied this tool call"
        assert fake_server.chat_requests[1].json["messages"][-1]["content"] == (
            "Error: the user denied this tool call"
        )

        asked: list[str] = []

        async def always(pending: PendingCall) -> Approval:
            asked.append(pending.call_id)
            return Approval.ALWAYS

        fake_server.script(
            Reply(
                text="",
                tool_calls=[call("a1", "time__get_current_time", timezone="UTC")],
                finish_reason="tool_calls",
            ),
            Reply(
                text="",
                tool_calls=[call("a2", "time__get_current_time", timezone="UTC")],
                finish_reason="tool_calls",
            ),
            Reply(text="twice"),
        )
        outcome = await ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["time"],
            approve=always,
            approvals=settings,
            store=store,
            target=ExchangeTarget(conv, user),
        ).run()
    finally:
        await servers.manager.aclose()
    assert asked == ["a1"]  # the second call ran without asking
    assert [r.error for r in outcome.tool_runs] == [None, None]
    assert settings.approvals() == [("time", "get_current_time")]


@pytest.mark.asyncio
async def test_round_limit_answers_the_last_calls_with_an_error(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(time_server())
    loop_call = Reply(
        text="",
        tool_calls=[call("c", "time__get_current_time", timezone="UTC")],
        finish_reason="tool_calls",
    )
    fake_server.script(loop_call, loop_call, loop_call, Reply(text="never asked"))
    conv, user, request = first_request(store)
    try:
        outcome = await ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["time"],
            approve=approve_all,
            store=store,
            target=ExchangeTarget(conv, user),
            max_rounds=2,
        ).run()
    finally:
        await servers.manager.aclose()
    assert outcome.limit_reached and outcome.rounds == 2 and len(fake_server.chat_requests) == 3
    assert "limit of 2 tool rounds" in (outcome.tool_runs[-1].error or "")
    assert store.active_path(conv)[-1].role == "tool"  # every call has its result


@pytest.mark.asyncio
async def test_a_server_that_fails_to_start_leaves_the_turn_going(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(broken_server("fail"), broken_server("mute", "mute"), start_timeout=3)
    fake_server.script(Reply(text="No tools today."))
    conv, user, request = first_request(store)
    try:
        status = await servers.manager.ensure("broken")
        assert status.state is ServerState.FAILED
        assert "missing configuration file" in status.stderr_tail
        assert (await servers.manager.ensure("mute")).error == "not ready within 3 s"
        assert (await servers.manager.ensure("nosuch")).state is ServerState.FAILED
        outcome = await ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["broken", "mute"],
            approve=approve_all,
            store=store,
            target=ExchangeTarget(conv, user),
        ).run()
    finally:
        await servers.manager.aclose()
    assert outcome.status == "done" and len(outcome.notes) == 2
    assert "tools" not in fake_server.chat_requests[0].json
    assert store.active_path(conv)[-1].content == "No tools today."


@pytest.mark.asyncio
async def test_crash_hang_flood_and_garbage() -> None:
    servers = Servers(
        broken_server("serve", timeout_s=1.5),
        broken_server("garbage", "chatty"),
        ServerConfig("nothere", command=str(ROOT / "no-such-server")),
    )
    manager = servers.manager
    try:
        ready = await manager.ensure("broken")
        assert ready.state is ServerState.READY and {t.name for t in ready.tools} >= {
            "crash",
            "hang",
        }
        first_pid = int((await manager.call("broken", "pid", {})).text)

        crashed = await manager.call("broken", "crash", {})
        assert crashed.error is not None
        assert manager.status("broken").state is ServerState.FAILED
        assert "crashing now" in manager.status("broken").stderr_tail
        # The next use starts it again.
        assert (await manager.ensure("broken")).state is ServerState.READY
        second_pid = int((await manager.call("broken", "pid", {})).text)
        assert second_pid != first_pid and not alive(first_pid)

        hung = await manager.call("broken", "hang", {})
        assert hung.error == "no answer from broken within 1.5 s"
        assert (
            await manager.call("broken", "echo", {"text": "still here"})
        ).text == "echo: still here"

        huge = await manager.call("broken", "huge", {"chars": 300_000})
        assert huge.truncated and len(huge.text) < 60_000
        assert "250000 more characters not shown" in huge.text

        deep = await manager.call("broken", "deep", {})
        assert deep.error is None and json.loads(deep.text)["down"]["down"]

        failed = await manager.call("broken", "fail", {"reason": "disk on fire"})
        assert failed.error == "Error executing tool fail"  # the server's own wording

        assert (await manager.ensure("chatty")).state is ServerState.READY
        assert (await manager.call("chatty", "echo", {"text": "hi"})).text == "echo: hi"
        missing = await manager.ensure("nothere")
        assert missing.state is ServerState.FAILED and "command not found" in missing.error
    finally:
        await manager.aclose()
    assert not alive(second_pid)


@pytest.mark.asyncio
async def test_stop_cancels_a_running_tool_call(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(broken_server("serve"))
    fake_server.script(
        Reply(
            text="",
            tool_calls=[call("h1", "broken__hang"), call("e1", "broken__echo", text="quick")],
            finish_reason="tool_calls",
        )
    )
    conv, user, request = first_request(store)
    started: list[str] = []

    class Seen:
        def exchange_created(self, turn: ToolTurn, exchange: Any) -> None:
            pass

        def tools_started(self, turn: ToolTurn, calls: list[PendingCall]) -> None:
            started.extend(c.call_id for c in calls)
            asyncio.get_running_loop().call_later(1.0, turn.stop)

        def tools_saved(self, turn: ToolTurn, runs: Any) -> None:
            pass

    try:
        turn = ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["broken"],
            approve=approve_all,
            store=store,
            target=ExchangeTarget(conv, user),
            observer=Seen(),  # type: ignore[arg-type]
        )
        outcome = await asyncio.wait_for(turn.run(), 20)
    finally:
        await servers.manager.aclose()
    assert started == ["h1", "e1"] and outcome.status == "stopped"
    runs = {r.call_id: r for r in outcome.tool_runs}
    assert runs["h1"].error == "stopped by the user" and runs["e1"].result == "echo: quick"
    assert [m.role for m in store.active_path(conv)] == ["user", "assistant", "tool", "tool"]
    assert len(fake_server.chat_requests) == 1  # nothing was sent after Stop


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.asynccontextmanager
async def http_server() -> AsyncIterator[str]:
    """tests/mcpbroken.py serving streamable HTTP on a free port: its MCP URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "mcpbroken.py"), "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            await asyncio.sleep(0.1)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.asyncio
async def test_streamable_http_server() -> None:
    async with http_server() as url:
        config = ServerConfig("web", url=url, headers={"X-Token": "t"})
        manager = McpManager({"web": config}.get)
        try:
            assert (await manager.ensure("web")).state is ServerState.READY
            assert (
                await manager.call("web", "echo", {"text": "over http"})
            ).text == "echo: over http"
        finally:
            await manager.aclose()


@pytest.mark.asyncio
@needs_everything
async def test_no_orphan_processes_after_shutdown() -> None:
    servers = Servers(time_server(), everything_server(), broken_server("serve"))
    manager = servers.manager
    before = set(children_of(os.getpid()))
    await manager.ensure_all(["time", "everything", "broken"])
    spawned = set(children_of(os.getpid())) - before
    assert len(spawned) == 3
    busy = asyncio.ensure_future(manager.call("broken", "hang", {}))  # mid-call at exit
    await asyncio.sleep(0.3)
    await manager.aclose()
    assert busy.done()
    assert not [pid for pid in spawned if alive(pid)]
    assert set(children_of(os.getpid())) - before == set()
    assert not manager.started


def test_close_without_a_loop_stops_everything() -> None:
    """The CLI's and atexit's way: a synchronous close after asyncio.run ended."""
    servers = Servers(broken_server("serve"))

    async def start() -> int:
        await servers.manager.ensure("broken")
        return int((await servers.manager.call("broken", "pid", {})).text)

    pid = asyncio.run(start())
    assert alive(pid)
    servers.manager.close()
    assert not alive(pid)


def test_results_are_bounded_in_depth_and_size() -> None:
    """Structured content only (no text block) is rendered with its nesting cut."""
    value: Any = "leaf"
    for _ in range(5000):
        value = {"down": [value]}
    text = render_content([], value)
    assert text.count("down") <= MAX_DEPTH and "…" in text
    blocks = [
        {"type": "text", "text": "a"},
        {"type": "image", "mimeType": "image/png", "data": "AAAA" * 10},
        {"type": "resource", "resource": {"uri": "file:///x", "text": "inside"}},
        {"type": "resource_link", "uri": "file:///y", "name": "y"},
        {"type": "weird", "x": 1},
    ]
    assert render_content(blocks, None).splitlines() == [
        "a",
        "[image: image/png, 30 bytes]",
        "inside",
        "[resource link: file:///y y]",
        '{"type": "weird", "x": 1}',
    ]
    cut, was_cut = truncate("é" * 10, 4)
    assert was_cut and cut.startswith("éééé") and "6 more characters" in cut


@pytest.mark.asyncio
async def test_a_call_to_a_tool_that_does_not_exist_gets_an_error_result(
    store: Store, client: ChatClient, fake_server: FakeServer
) -> None:
    servers = Servers(time_server())
    fake_server.script(
        Reply(
            text="",
            tool_calls=[
                call("u1", "web_search", query="news"),
                call("u2", "time__get_current_time", timezone="UTC"),
            ],
            finish_reason="tool_calls",
        ),
        Reply(text="I have no web search; it is noon UTC."),
    )
    conv, user, request = first_request(store)
    try:
        outcome = await ToolTurn(
            client,
            request,
            manager=servers.manager,
            servers=["time"],
            approve=approve_all,
            store=store,
            target=ExchangeTarget(conv, user),
        ).run()
    finally:
        await servers.manager.aclose()
    assert outcome.status == "done" and outcome.rounds == 1
    errors = {r.call_id: r.error for r in outcome.tool_runs}
    assert "no tool named 'web_search'" in (errors["u1"] or "") and errors["u2"] is None
    second = fake_server.chat_requests[1].json["messages"]
    assert [m["role"] for m in second] == ["user", "assistant", "tool", "tool"]
    assert [m["tool_call_id"] for m in second[2:]] == ["u1", "u2"]
    roles = [m.role for m in store.active_path(conv)]
    assert roles == ["user", "assistant", "tool", "tool", "assistant"]


def test_a_saved_call_without_its_result_is_answered_in_the_next_request(store: Store) -> None:
    """Histories saved by older versions (tool_calls, no result) can go on."""
    from chatdesk.core.chat.turns import build_request

    conv = store.create_conversation("old")
    user = store.add_message(conv, "user", "search", make_current=True)
    calls = [
        {"id": "a", "type": "function", "function": {"name": "web_search", "arguments": "{}"}},
        {"id": "b", "type": "function", "function": {"name": "other", "arguments": "{}"}},
    ]
    answer = store.add_message(
        conv, "assistant", "", parent_id=user, tool_calls=calls, make_current=True
    )
    result = store.add_message(
        conv, "tool", "ok", parent_id=answer, tool_call_id="b", make_current=True
    )
    store.add_message(conv, "user", "and now?", parent_id=result, make_current=True)
    path = store.active_path(conv)
    request = build_request(store, store.get_conversation(conv), path, "gpt-4o", {})
    wire = [(m.role, m.tool_call_id) for m in request.messages]
    assert wire == [
        ("user", None),
        ("assistant", None),
        ("tool", "b"),
        ("tool", "a"),
        ("user", None),
    ]
    assert "never run" in str(request.messages[3].content)


@pytest.mark.asyncio
async def test_a_huge_answer_over_http_is_cut_while_read() -> None:
    """Streamable HTTP: a tool answer over the message bound is not read whole; the
    call fails at once saying why, and the server is started again at the next use."""
    async with http_server() as url:
        config = ServerConfig("web", url=url, timeout_s=60)
        manager = McpManager({"web": config}.get, max_message_bytes=1 << 20)
        try:
            assert (await manager.ensure("web")).state is ServerState.READY
            result = await manager.call("web", "huge", {"chars": 3_000_000})
            assert result.error is not None
            assert "larger than 1 MB" in result.error and "disconnected" in result.error
            assert result.duration_ms is not None
            assert result.duration_ms < 30_000  # failed at once, not at the timeout
            status = await manager.ensure("web")  # what the tool loop does before a call
            assert status.state is ServerState.READY
            again = await manager.call("web", "echo", {"text": "still there"})
            assert again.text == "echo: still there"
        finally:
            await manager.aclose()
