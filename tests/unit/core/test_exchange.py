"""Exchange: statuses, observer order, live figures, stop, concurrency, meta (no Qt, no HTTP)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatdesk.api.errors import RateLimitError, ServerError
from chatdesk.api.types import ChatMessage, ChatRequest, StreamEvent, Usage
from chatdesk.core.chat.exchange import Exchange, ExchangeObserver, ExchangeStatus, ExchangeTarget
from chatdesk.store import Store
from tests.unit.core.fakeclient import FakeClient, Reply, ToolCallSpec, wait_until


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def _request(model: str = "m", text: str = "Hi") -> ChatRequest:
    return ChatRequest(model=model, messages=[ChatMessage(role="user", content=text)])


def _turn(store: Store, text: str = "Hi") -> tuple[int, int]:
    conv = store.create_conversation("t", model="m")
    return conv, store.add_message(conv, "user", text, make_current=True)


class Recorder(ExchangeObserver):
    """Every hook call in order, with what the exchange showed at that moment."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.ttft_at_first_text: float | None = None
        self.status_at_first_text: ExchangeStatus | None = None
        self.texts: list[str] = []

    def exchange_started(self, exchange: Exchange) -> None:
        self.calls.append(("started", exchange.status))

    def message_created(self, exchange: Exchange, index: int, message_id: int) -> None:
        self.calls.append(("message", (index, message_id)))

    def stream_event(self, exchange: Exchange, event: StreamEvent) -> None:
        self.calls.append(("event", type(event).__name__))

    def text_arrived(self, exchange: Exchange, index: int, text: str, reasoning: bool) -> None:
        if not self.texts:
            self.ttft_at_first_text = exchange.stats.ttft_ms
            self.status_at_first_text = exchange.status
        self.texts.append(text)
        self.calls.append(("text", (index, text, reasoning)))

    def exchange_finished(self, exchange: Exchange) -> None:
        self.calls.append(("finished", exchange.status))


@pytest.mark.asyncio
async def test_done_saves_answer_usage_finish_and_figures(store: Store) -> None:
    conv, uid = _turn(store)
    client = FakeClient(
        Reply(text=["Hel", "lo ", "world"], usage=Usage(7, 3, 10), finish="stop", model="m-1")
    )
    ex = Exchange(client, _request(), store=store, target=ExchangeTarget(conv, uid))
    outcome = await ex.start()

    assert ex.status is ExchangeStatus.DONE and ex.finished and not ex.running
    assert outcome is not None and outcome.result.content == "Hello world"
    row = store.get_message(ex.message_ids[0])
    assert row is not None
    assert (row.content, row.status, row.parent_id) == ("Hello world", "done", uid)
    assert (row.finish_reason, row.model, row.model_requested) == ("stop", "m-1", "m")
    assert row.usage == {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}
    assert ex.stats.finish_reason == "stop" and ex.stats.model == "m-1"
    assert (ex.stats.prompt_tokens, ex.stats.completion_tokens) == (7, 3)
    assert ex.stats.chunks == 3 and ex.stats.chars == len("Hello world")
    assert ex.stats.duration_ms is not None and ex.stats.ttft_ms is not None
    assert client.requests[0].messages[0].content == "Hi"


@pytest.mark.asyncio
async def test_observer_hooks_come_in_order(store: Store) -> None:
    conv, uid = _turn(store)
    rec = Recorder()
    ex = Exchange(
        FakeClient(Reply(text=["a", "b"], reasoning=["r"], usage=Usage(1, 2, 3))),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid),
    )
    ex.observe(rec)
    await ex.start()

    mid = ex.message_ids[0]
    assert rec.calls == [
        ("started", ExchangeStatus.STREAMING),
        ("message", (0, mid)),
        ("event", "ModelEvent"),
        ("text", (0, "r", True)),
        ("event", "ReasoningDelta"),
        ("text", (0, "a", False)),
        ("event", "TextDelta"),
        ("text", (0, "b", False)),
        ("event", "TextDelta"),
        ("event", "FinishEvent"),
        ("event", "UsageEvent"),
        ("finished", ExchangeStatus.DONE),
    ]


@pytest.mark.asyncio
async def test_ttft_is_live_and_tokens_per_s_is_there_at_the_end(store: Store) -> None:
    conv, uid = _turn(store)
    delay = 0.08
    rec = Recorder()
    ex = Exchange(
        FakeClient(Reply(text=[f"t{i} " for i in range(20)], first_delay=delay, chunk_delay=0.002)),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid),
    )
    ex.observe(rec)
    assert ex.stats.tokens_per_s() is None  # nothing yet
    await ex.start()

    # Measured when the first token came, while the exchange was still streaming.
    assert rec.status_at_first_text is ExchangeStatus.STREAMING
    assert rec.ttft_at_first_text is not None
    assert rec.ttft_at_first_text >= delay * 1000 * 0.9
    assert ex.stats.ttft_ms is not None and ex.stats.ttft_ms >= delay * 1000 * 0.9
    speed = ex.stats.tokens_per_s()
    assert speed is not None and speed > 0
    row = store.get_message(ex.message_ids[0])
    assert row is not None and row.ttft_ms is not None and row.ttft_ms >= delay * 1000 * 0.9


@pytest.mark.asyncio
async def test_error_keeps_partial_and_meta(store: Store) -> None:
    conv, uid = _turn(store)
    err = RateLimitError("slow down", http_status=429, retry_after_s=3)
    ex = Exchange(
        FakeClient(Reply(text=["par", "tial", " never"], error=err, error_after=2)),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid, meta={"column": 1}),
    )
    rec = Recorder()
    ex.observe(rec)
    outcome = await ex.start()  # awaiting never raises

    assert ex.status is ExchangeStatus.ERROR and ex.error is err and ex.failure is None
    assert outcome is not None and outcome.status == "error"
    assert rec.calls[-1] == ("finished", ExchangeStatus.ERROR)
    row = store.get_message(ex.message_ids[0])
    assert row is not None
    assert (row.status, row.content, row.error_category) == ("error", "partial", "rate_limit")
    assert row.error == "slow down"
    assert row.meta["column"] == 1  # the column survives the error's own meta
    assert row.meta["http_status"] == 429 and row.meta["retry_after_s"] == 3


@pytest.mark.asyncio
async def test_error_before_any_text(store: Store) -> None:
    conv, uid = _turn(store)
    ex = Exchange(
        FakeClient(Reply(error=ServerError("boom", http_status=500))),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid, meta={"column": 0}),
    )
    await ex.start()
    row = store.get_message(ex.message_ids[0])
    assert row is not None
    assert (row.status, row.content, row.error_category) == ("error", "", "server")
    assert row.meta["column"] == 0
    assert ex.stats.ttft_ms is None


@pytest.mark.asyncio
async def test_meta_is_stored_on_done_rows(store: Store) -> None:
    conv, uid = _turn(store)
    ex = Exchange(
        FakeClient(Reply(text="ok")),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid, meta={"column": 3, "label": "D"}),
    )
    await ex.start()
    row = store.get_message(ex.message_ids[0])
    assert row is not None and row.meta["column"] == 3 and row.meta["label"] == "D"


@pytest.mark.asyncio
async def test_stop_mid_stream_keeps_the_partial_as_stopped(store: Store) -> None:
    conv, uid = _turn(store)
    client = FakeClient(Reply(text=["one ", "two ", "three"], hang_after=2))
    rec = Recorder()
    ex = Exchange(client, _request(), store=store, target=ExchangeTarget(conv, uid))
    ex.observe(rec)
    ex.start()
    await wait_until(lambda: len(rec.texts) == 2)
    assert ex.running
    row = store.get_message(ex.message_ids[0])
    assert row is not None and row.status == "streaming"

    ex.stop()
    outcome = await ex.wait()  # never raises

    assert outcome is None
    assert ex.status is ExchangeStatus.STOPPED and ex.finished and not ex.running
    assert rec.calls[-1] == ("finished", ExchangeStatus.STOPPED)
    row = store.get_message(ex.message_ids[0])
    assert row is not None and (row.status, row.content) == ("stopped", "one two ")
    assert client.streams_closed == client.streams_opened == 1  # the stream was closed
    assert ex.stats.duration_ms is not None


@pytest.mark.asyncio
async def test_stop_before_start_and_after_end_do_nothing(store: Store) -> None:
    conv, uid = _turn(store)
    ex = Exchange(
        FakeClient(Reply(text="fine")), _request(), store=store, target=ExchangeTarget(conv, uid)
    )
    ex.stop()
    assert ex.status is ExchangeStatus.PENDING
    await ex.start()
    ex.stop()
    assert ex.status is ExchangeStatus.DONE
    assert (await ex.wait()) is ex.outcome


@pytest.mark.asyncio
async def test_store_failure_ends_as_error_with_the_failure(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite3")
    conv, uid = _turn(store)
    rec = Recorder()
    ex = Exchange(
        FakeClient(Reply(text=["a", "b", "c"], hang_after=1)),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid),
    )
    ex.observe(rec)
    ex.start()
    await wait_until(lambda: len(rec.texts) == 1)
    store.close()  # the disk went away under a running exchange
    ex.stop()  # the stop's own save fails: the failure is reported, not raised
    await ex.wait()
    assert ex.status is ExchangeStatus.ERROR and ex.failure is not None
    assert rec.calls[-1] == ("finished", ExchangeStatus.ERROR)


@pytest.mark.asyncio
async def test_store_failure_while_saving_the_end(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.sqlite3")
    conv, uid = _turn(store)

    class CloseOnFinish(ExchangeObserver):
        def stream_event(self, exchange: Exchange, event: StreamEvent) -> None:
            if type(event).__name__ == "FinishEvent":
                store.close()

    ex = Exchange(
        FakeClient(Reply(text="abc")), _request(), store=store, target=ExchangeTarget(conv, uid)
    )
    ex.observe(CloseOnFinish())
    rec = Recorder()
    ex.observe(rec)
    outcome = await ex.start()

    assert outcome is None
    assert ex.status is ExchangeStatus.ERROR and ex.failure is not None and ex.error is None
    assert rec.calls[-1] == ("finished", ExchangeStatus.ERROR)
    assert ex.stats.duration_ms is not None


@pytest.mark.asyncio
async def test_without_a_conversation_nothing_is_saved(store: Store) -> None:
    ex = Exchange(FakeClient(Reply(text="free")), _request(), store=store)
    outcome = await ex.start()
    assert outcome is not None and outcome.result.content == "free"
    assert ex.status is ExchangeStatus.DONE and ex.message_ids == {}


@pytest.mark.asyncio
async def test_run_awaited_directly_and_not_streamed(store: Store) -> None:
    conv, uid = _turn(store)
    req = _request()
    req.stream = False
    client = FakeClient(Reply(text="whole", usage=Usage(1, 1, 2)))
    ex = Exchange(client, req, store=store, target=ExchangeTarget(conv, uid))
    outcome = await ex.run()
    assert outcome is not None and ex.status is ExchangeStatus.DONE
    row = store.get_message(ex.message_ids[0])
    assert row is not None and (row.content, row.status) == ("whole", "done")


@pytest.mark.asyncio
async def test_tool_calls_and_extra_candidates_are_saved(store: Store) -> None:
    conv, uid = _turn(store)
    call = ToolCallSpec("call_1", "get_weather", '{"city": "Paris"}')
    ex = Exchange(
        FakeClient(
            Reply(text="", tool_calls=[call], finish="tool_calls", extra_choices={1: ["second"]})
        ),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid),
    )
    await ex.start()
    first = store.get_message(ex.message_ids[0])
    second = store.get_message(ex.message_ids[1])
    assert first is not None and second is not None
    assert first.tool_calls == [call_openai(call)] and first.finish_reason == "tool_calls"
    assert (second.content, second.choice_index, second.parent_id) == ("second", 1, uid)
    conv_row = store.get_conversation(conv)
    assert conv_row is not None and conv_row.current_leaf_id == first.id  # not the extra


def call_openai(call: ToolCallSpec) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


@pytest.mark.asyncio
async def test_append_to_continues_the_cut_answer(store: Store) -> None:
    conv, uid = _turn(store)
    cut = store.add_message(
        conv, "assistant", "first half", parent_id=uid, status="stopped", meta={"column": 2}
    )
    row = store.get_message(cut)
    assert row is not None
    ex = Exchange(
        FakeClient(Reply(text=", second half")),
        _request(),
        store=store,
        target=ExchangeTarget(conv, uid, append_to=row),
    )
    await ex.start()
    assert ex.message_ids == {0: cut}
    done = store.get_message(cut)
    assert done is not None and (done.content, done.status) == ("first half, second half", "done")
    assert len(store.children(uid, conv)) == 1


@pytest.mark.asyncio
async def test_several_exchanges_at_once_each_get_their_answer(store: Store) -> None:
    conv, uid = _turn(store)
    client = FakeClient()
    models = ["a", "b", "c", "d"]
    for i, model in enumerate(models):
        words = [f"{model}{k} " for k in range(10)]
        hang = 3 if model == "c" else None
        client.enqueue_for(
            model, Reply(text=words, first_delay=0.01 * (4 - i), chunk_delay=0.001, hang_after=hang)
        )
    exchanges = [
        Exchange(
            client,
            _request(model),
            store=store,
            target=ExchangeTarget(conv, uid, meta={"column": i}),
            label=model,
        )
        for i, model in enumerate(models)
    ]
    tasks = [ex.start() for ex in exchanges]
    await wait_until(lambda: exchanges[2].stats.chunks == 3)
    exchanges[2].stop()  # one column stopped does not stop the others
    await asyncio.gather(*tasks)

    for i, (ex, model) in enumerate(zip(exchanges, models, strict=True)):
        row = store.get_message(ex.message_ids[0])
        assert row is not None and row.meta["column"] == i
        if i == 2:
            assert ex.status is ExchangeStatus.STOPPED and row.status == "stopped"
            assert row.content == "c0 c1 c2 "
        else:
            assert ex.status is ExchangeStatus.DONE
            assert row.content == "".join(f"{model}{k} " for k in range(10))
    siblings = store.children(uid, conv)
    assert len(siblings) == 4


@pytest.mark.asyncio
async def test_text_arrived_only_for_text(store: Store) -> None:
    events: list[str] = []

    class Texts(ExchangeObserver):
        def text_arrived(self, exchange: Exchange, index: int, text: str, reasoning: bool) -> None:
            events.append(text)

    ex = Exchange(FakeClient(Reply(text=["x", "y"], usage=Usage(1, 2, 3))), _request())
    ex.observe(Texts())
    outcome = await ex.start()
    assert events == ["x", "y"]
    assert outcome is not None and outcome.result.usage == Usage(1, 2, 3)


@pytest.mark.asyncio
async def test_stop_right_after_start_ends_stopped_and_sends_nothing(store: Store) -> None:
    """Stop (or Stop all) pressed before the task had its first turn on the loop."""
    conv, uid = _turn(store)
    client = FakeClient(Reply(text="never"))
    rec = Recorder()
    ex = Exchange(client, _request(), store=store, target=ExchangeTarget(conv, uid))
    ex.observe(rec)
    task = ex.start()
    ex.stop()
    assert (await task) is None  # awaiting the task never raises
    assert ex.status is ExchangeStatus.STOPPED and ex.finished
    assert rec.calls == [
        ("started", ExchangeStatus.STREAMING),
        ("finished", ExchangeStatus.STOPPED),
    ]
    assert client.requests == [] and ex.message_ids == {}


@pytest.mark.asyncio
async def test_observers_hooked_any_way_hear_every_event() -> None:
    """Only listening observers are called per event: listening by a parent class's
    override, or by a hook set on the instance, still counts; order is kept."""
    heard: list[tuple[str, str]] = []

    class Parent(ExchangeObserver):
        def stream_event(self, exchange: Exchange, event: StreamEvent) -> None:
            heard.append(("parent", type(event).__name__))

    class Child(Parent):
        pass

    by_instance = ExchangeObserver()
    by_instance.text_arrived = lambda ex, i, text, r: heard.append(("instance", text))  # type: ignore[method-assign]
    ex = Exchange(FakeClient(Reply(text=["a", "b"])), _request())
    ex.observe(ExchangeObserver())  # listens to nothing
    ex.observe(Child())
    ex.observe(by_instance)
    await ex.start()
    texts = [what for who, what in heard if who == "instance"]
    assert texts == ["a", "b"]
    assert [what for who, what in heard if who == "parent"].count("TextDelta") == 2
    # each text is heard by the instance hook before its stream_event, as before
    assert heard.index(("instance", "a")) < heard.index(("parent", "TextDelta"))
