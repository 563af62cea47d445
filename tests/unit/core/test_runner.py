"""TurnRunner: lease, run (or tool loop), stop, release, settle; against real parts.

The fake OpenAI server on a real socket, the real ChatClient out of a real ClientPool,
a real SQLite file, the reference MCP time server. Every test checks that the pool
counts its client as free again, whatever way the turn ended.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chatdesk.api.types import ChatMessage, ChatRequest
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus, ExchangeTarget
from chatdesk.core.chat.patient import PatientStore
from chatdesk.core.chat.runner import TurnObserver, TurnResult, TurnRunner, TurnStatus
from chatdesk.core.clients import ClientPool
from chatdesk.core.services import Endpoint
from chatdesk.core.settings import AppSettings
from chatdesk.core.tools.mcpmanager import McpManager
from chatdesk.core.tools.toolloop import (
    Approval,
    PendingCall,
    ToolRun,
    ToolSetup,
    approve_all,
)
from chatdesk.store import Store, StoreError
from tests.fakeserver import FakeServer, Reply
from tests.mcpservers import time_server
from tests.unit.core.fakeclient import wait_until

LONG = "word " * 400


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with Store(db) as s:
        yield s


@pytest.fixture
def endpoint(fake_server: FakeServer) -> Endpoint:
    return Endpoint("fake", fake_server.base_url, "sk-test", "m", "test", "fake-cache")


@pytest_asyncio.fixture
async def pool(store: Store) -> AsyncIterator[ClientPool]:
    pool = ClientPool(store, AppSettings())
    yield pool
    await pool.close()


class Recorder(TurnObserver):
    """Every hook in order, and the pool's count of the client when the turn began."""

    def __init__(self, pool: ClientPool) -> None:
        self.pool = pool
        self.calls: list[str] = []
        self.texts: list[str] = []
        self.leased_while_running: list[int] = []
        self.results: list[TurnResult] = []
        self.saved: list[ToolRun] = []

    def exchange_created(self, runner: TurnRunner, exchange: Exchange) -> None:
        self.calls.append("exchange")
        self.leased_while_running.append(self.pool.in_use(exchange.client))

    def text_arrived(
        self, runner: TurnRunner, exchange: Exchange, index: int, text: str, reasoning: bool
    ) -> None:
        if not self.texts:
            self.calls.append("text")
        self.texts.append(text)

    def tools_started(self, runner: TurnRunner, calls: list[PendingCall]) -> None:
        self.calls.append("tools_started")

    def tools_saved(self, runner: TurnRunner, runs: list[ToolRun]) -> None:
        self.calls.append("tools_saved")
        self.saved.extend(runs)

    def turn_finished(self, runner: TurnRunner, result: TurnResult) -> None:
        self.calls.append("finished")
        self.results.append(result)


def plan(
    store: Store,
    pool: ClientPool,
    endpoint: Endpoint,
    text: str = "Hi",
    *,
    patient: PatientStore | None = None,
) -> tuple[Exchange, int]:
    conv = store.create_conversation("t", model="m")
    user = store.add_message(conv, "user", text, make_current=True)
    request = ChatRequest(model="m", messages=[ChatMessage(role="user", content=text)])
    exchange = Exchange(
        pool.get(endpoint),
        request,
        store=patient or PatientStore(store, stream_wait=0.0),
        target=ExchangeTarget(conv, user),
    )
    return exchange, user


@pytest.mark.asyncio
async def test_plain_turn_runs_saves_reports_and_releases(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.script(Reply(text="Hello there", chunk_chars=3))
    first, user = plan(store, pool, endpoint)
    seen = Recorder(pool)
    runner = TurnRunner(pool, first, endpoint=endpoint, observer=seen)

    result = await runner.run()

    assert result.status is TurnStatus.DONE and result.error is None and result.failure is None
    assert result.final is first and result.exchanges == [first] and runner.exchanges == [first]
    assert result.outcome is not None and result.outcome.result.content == "Hello there"
    assert seen.calls == ["exchange", "text", "finished"] and seen.results == [result]
    assert "".join(seen.texts) == "Hello there"
    row = store.get_message(first.message_ids[0])
    assert row is not None and (row.content, row.status, row.parent_id) == (
        "Hello there",
        "done",
        user,
    )
    # The figures the exchange measured come with the result.
    assert result.stats is first.stats and result.stats.ttft_ms is not None
    assert result.duration_ms is not None and result.duration_ms >= result.stats.ttft_ms
    assert not result.unsaved and result.tool_runs == [] and result.max_rounds is None
    assert seen.leased_while_running == [1] and pool.in_use(first.client) == 0
    with pytest.raises(RuntimeError):
        await runner.run()  # one turn per runner


@pytest.mark.asyncio
async def test_stop_mid_stream_keeps_the_partial_answer(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.script(Reply(text=LONG, chunk_chars=5, delay_s=0.005))
    first, _ = plan(store, pool, endpoint)
    seen = Recorder(pool)
    runner = TurnRunner(pool, first, endpoint=endpoint, observer=seen)
    task = asyncio.ensure_future(runner.run())
    await wait_until(lambda: len(seen.texts) >= 3)
    assert runner.running and pool.in_use(first.client) == 1
    runner.stop()
    result = await task

    assert result.status is TurnStatus.STOPPED and first.status is ExchangeStatus.STOPPED
    row = store.get_message(first.message_ids[0])
    assert row is not None and row.status == "stopped"
    assert row.content and LONG.startswith(row.content) and row.content != LONG
    assert not runner.running and pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_stop_before_the_run_sends_nothing(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    first, _ = plan(store, pool, endpoint)
    seen = Recorder(pool)
    runner = TurnRunner(pool, first, observer=seen)
    runner.stop()  # e.g. Esc pressed while the turn was being set up
    result = await runner.run()

    assert result.status is TurnStatus.STOPPED and first.status is ExchangeStatus.STOPPED
    assert fake_server.chat_requests == [] and first.message_ids == {}
    assert seen.calls == ["exchange", "finished"] and pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_server_error_settles_as_error_and_releases(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.script(Reply.error(400, "model 'm' does not exist", code="model_not_found"))
    first, _ = plan(store, pool, endpoint)
    result = await TurnRunner(pool, first, endpoint=endpoint).run()

    assert result.status is TurnStatus.ERROR and result.failure is None
    assert result.error is not None and result.error is first.error
    assert result.error.http_status == 400
    row = store.get_message(first.message_ids[0])
    assert row is not None and row.status == "error"
    assert pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_store_failure_is_reported_not_raised(
    db: Path, store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.script(Reply(text="lost?"))
    conv = store.create_conversation("t", model="m")
    user = store.add_message(conv, "user", "Hi", make_current=True)
    with Store(db, readonly=True) as readonly:  # every write refused at once
        first = Exchange(
            pool.get(endpoint),
            ChatRequest(model="m", messages=[ChatMessage(role="user", content="Hi")]),
            store=PatientStore(readonly, stream_wait=0.0),
            target=ExchangeTarget(conv, user),
        )
        result = await TurnRunner(pool, first).run()

    assert result.status is TurnStatus.ERROR and result.error is None
    assert isinstance(result.failure, StoreError) and result.failure is first.failure
    assert pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_refused_writes_stay_in_memory_and_are_saved_later(
    db: Path, store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.script(Reply(text=LONG, chunk_chars=20, delay_s=0.002))
    first, _ = plan(store, pool, endpoint)
    seen = Recorder(pool)
    runner = TurnRunner(pool, first, observer=seen)
    task = asyncio.ensure_future(runner.run())
    await wait_until(lambda: bool(first.message_ids) and len(seen.texts) >= 2)
    other = sqlite3.connect(db, isolation_level=None, timeout=30)
    other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        result = await task
        # The stream was read to its end; the answer is whole, in memory.
        assert result.status is TurnStatus.DONE and result.failure is None
        assert result.outcome is not None and result.outcome.result.content == LONG
        assert result.unsaved and runner.unsaved
        assert result.store_error is not None and result.store_error.kind == "locked"
        assert runner.settle(timeout=0.2) is not None  # still locked: refused, kept
        row = store.get_message(first.message_ids[0])
        assert row is not None and (row.content, row.status) != (LONG, "done")
        assert isinstance(first.store, PatientStore)
        shown = first.store.get_message(first.message_ids[0])  # what a view shows
        assert (shown.content, shown.status) == (LONG, "done")
    finally:
        other.rollback()
        other.close()
    assert await runner.save_later(every_s=0.01, attempts=50) is None
    assert not result.unsaved and result.store_error is None
    row = store.get_message(first.message_ids[0])
    assert row is not None and (row.content, row.status) == (LONG, "done")
    assert pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_many_turns_share_one_client_and_a_retired_client_closes_last(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    turns = 4
    fake_server.script(*[Reply(text=f"answer {i} " * 40, delay_s=0.003) for i in range(turns)])
    runners = [TurnRunner(pool, plan(store, pool, endpoint)[0]) for _ in range(turns)]
    client = runners[0].first.client
    assert all(r.first.client is client for r in runners)  # one pooled client
    tasks = [asyncio.ensure_future(r.run()) for r in runners]
    await wait_until(lambda: pool.in_use(client) == turns)
    pool.reconfigure(AppSettings())  # settings changed: the client retires...
    results = await asyncio.gather(*tasks)
    assert [r.status for r in results] == [TurnStatus.DONE] * turns
    assert pool.in_use(client) == 0
    assert client not in pool._retired  # ...and closed with its last user


# --- tool turns --------------------------------------------------------------------


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    return {"id": call_id, "name": name, "arguments": json.dumps(arguments)}


@pytest_asyncio.fixture
async def manager() -> AsyncIterator[McpManager]:
    configs = {"time": time_server()}
    manager = McpManager(configs.get, start_timeout=30.0)
    yield manager
    await manager.aclose()


def tool_call_reply(max_rounds: int = 1) -> list[Reply]:
    ask = Reply(
        text="Let me check.",
        tool_calls=[call("c1", "time__get_current_time", timezone="Europe/Paris")],
        finish_reason="tool_calls",
    )
    return [ask] * max_rounds


@pytest.mark.asyncio
async def test_tool_turn_runs_the_loop_with_one_observer(
    store: Store,
    pool: ClientPool,
    endpoint: Endpoint,
    fake_server: FakeServer,
    manager: McpManager,
) -> None:
    fake_server.script(*tool_call_reply(), Reply(text="It is evening in Paris."))
    first, user = plan(store, pool, endpoint, "What time is it in Paris?")
    seen = Recorder(pool)
    tools = ToolSetup(manager, ["time"], approve_all)
    runner = TurnRunner(pool, first, endpoint=endpoint, tools=tools, observer=seen)

    result = await runner.run()

    assert result.status is TurnStatus.DONE, result.notes
    assert seen.calls == [
        "exchange",
        "text",
        "tools_started",
        "tools_saved",
        "exchange",
        "finished",
    ]
    assert len(result.exchanges) == 2 and first not in result.exchanges  # replaced
    assert result.outcome is not None
    assert result.outcome.result.content == "It is evening in Paris."
    assert (result.rounds, result.limit_reached, result.max_rounds) == (1, False, 10)
    (run,) = result.tool_runs
    assert run is seen.saved[0] and (run.server, run.tool, run.error) == (
        "time",
        "get_current_time",
        None,
    )
    # Saved as one chain: question, answer asking for the tool, its result, the answer.
    final_id = result.exchanges[-1].message_ids[0]
    path = [(r.role, r.id) for r in store.path_to(final_id)]
    assert [role for role, _ in path] == ["user", "assistant", "tool", "assistant"]
    assert path[0][1] == user and path[2][1] == run.message_id
    second = fake_server.chat_requests[1].json
    assert second["messages"][-1]["role"] == "tool"
    assert seen.leased_while_running == [1, 1] and pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_tool_round_limit_is_a_note_of_the_result(
    store: Store,
    pool: ClientPool,
    endpoint: Endpoint,
    fake_server: FakeServer,
    manager: McpManager,
) -> None:
    fake_server.script(*tool_call_reply(2))
    first, _ = plan(store, pool, endpoint, "Again and again")
    tools = ToolSetup(manager, ["time"], approve_all, max_rounds=1)
    result = await TurnRunner(pool, first, tools=tools).run()

    assert result.status is TurnStatus.DONE
    assert (result.rounds, result.limit_reached, result.max_rounds) == (1, True, 1)
    assert [r.error is None for r in result.tool_runs] == [True, False]  # 2nd refused
    assert pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_one_stop_ends_a_tool_turn_waiting_for_approval(
    store: Store,
    pool: ClientPool,
    endpoint: Endpoint,
    fake_server: FakeServer,
    manager: McpManager,
) -> None:
    fake_server.script(*tool_call_reply())
    asked: list[PendingCall] = []

    async def ask_forever(pending: PendingCall) -> Approval:
        asked.append(pending)
        await asyncio.Event().wait()  # the user never answers
        return Approval.DENY

    first, _ = plan(store, pool, endpoint, "What time is it?")
    seen = Recorder(pool)
    runner = TurnRunner(pool, first, tools=ToolSetup(manager, ["time"], ask_forever), observer=seen)
    task = asyncio.ensure_future(runner.run())
    await wait_until(lambda: bool(asked), timeout=30.0)
    assert pool.in_use(first.client) == 1
    runner.stop()
    result = await task

    assert result.status is TurnStatus.STOPPED
    (run,) = result.tool_runs
    assert run.error == "stopped by the user" and run.message_id is not None
    assert len(fake_server.chat_requests) == 1  # nothing more was asked
    assert seen.calls[-1] == "finished" and pool.in_use(first.client) == 0


@pytest.mark.asyncio
async def test_cancelled_tool_turn_releases_and_reraises(
    store: Store,
    pool: ClientPool,
    endpoint: Endpoint,
    fake_server: FakeServer,
    manager: McpManager,
) -> None:
    fake_server.script(*tool_call_reply())
    asked = asyncio.Event()

    async def ask_forever(_pending: PendingCall) -> Approval:
        asked.set()
        await asyncio.Event().wait()
        return Approval.DENY

    first, _ = plan(store, pool, endpoint, "What time is it?")
    runner = TurnRunner(pool, first, tools=ToolSetup(manager, ["time"], ask_forever))
    task = asyncio.ensure_future(runner.run())
    await asyncio.wait_for(asked.wait(), 30.0)
    task.cancel()  # the program ends (Ctrl-C, the window closes), not a Stop
    with pytest.raises(asyncio.CancelledError):
        await task
    assert runner.result is None and not runner.running
    assert pool.in_use(first.client) == 0
