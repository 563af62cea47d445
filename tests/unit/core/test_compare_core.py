"""Comparison (core): columns, blind shuffle, turns and their threads, carry-forward, votes."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.api.errors import ServerError, ValidationError
from chatdesk.api.types import ChatRequest
from chatdesk.core.arena.compare import ColumnSpec, CompareError, Comparison
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus
from chatdesk.core.chat.turns import Draft
from chatdesk.core.services import Endpoint
from chatdesk.store import Store
from tests.unit.core.fakeclient import FakeClient, Reply

ENDPOINT = Endpoint("zero", "http://127.0.0.1:9/v1", "sk-x", None, "keyring", "zero")
MODELS = ["alpha-1", "beta-2", "gamma-3"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.fixture
def client() -> FakeClient:
    return FakeClient()


def _columns(models: list[str] = MODELS) -> list[ColumnSpec]:
    return [ColumnSpec(m, {"temperature": 0.1 * i}) for i, m in enumerate(models)]


def _client_for(client: FakeClient):  # type: ignore[no-untyped-def]
    def pick(spec: ColumnSpec) -> tuple[FakeClient, Endpoint]:
        return client, ENDPOINT

    return pick


def _script(client: FakeClient, comp: Comparison, turn: int) -> None:
    for i, model in enumerate(comp.models()):
        client.enqueue_for(model, Reply(text=f"{comp.labels[i]}{turn} says {model}", chunk_size=3))


async def _run(exchanges: list[Exchange]) -> None:
    await asyncio.gather(*(ex.start() for ex in exchanges))
    assert all(ex.finished for ex in exchanges)


def _sent_texts(request: ChatRequest) -> list[str]:
    return [str(m.content) for m in request.messages]


def test_create_keeps_the_order_unless_blind(store: Store) -> None:
    comp = Comparison.create(store, _columns(), title="Three models", system_prompt="Sys")
    assert comp.models() == MODELS and comp.labels == ["A", "B", "C"]
    assert comp.state["column_order"] == [0, 1, 2] and not comp.blind
    conv = store.get_conversation(comp.conversation_id)
    assert conv is not None and (conv.title, conv.model, conv.system_prompt) == (
        "Three models",
        "alpha-1",
        "Sys",
    )
    assert not comp.names_hidden()
    again = Comparison.for_conversation(store, comp.conversation_id)
    assert again is not None and again.id == comp.id and again.models() == MODELS
    assert Comparison.for_conversation(store, store.create_conversation("plain")) is None


def test_blind_shuffles_with_the_given_random_and_hides_the_model(store: Store) -> None:
    expected = list(range(4))
    random.Random(7).shuffle(expected)
    models = ["m0", "m1", "m2", "m3"]
    comp = Comparison.create(store, _columns(models), blind=True, rng=random.Random(7))
    assert comp.blind and comp.state["column_order"] == expected
    assert comp.models() == [models[i] for i in expected]
    conv = store.get_conversation(comp.conversation_id)
    assert conv is not None and conv.model is None
    row = store.get_comparison(comp.id)
    assert row is not None and [c["label"] for c in row.columns] == ["A", "B", "C", "D"]
    assert comp.names_hidden()


@pytest.mark.parametrize("count", [0, 1, 5])
def test_two_to_four_columns(store: Store, count: int) -> None:
    with pytest.raises(CompareError):
        Comparison.create(store, _columns([f"m{i}" for i in range(count)]))
    with pytest.raises(CompareError):
        Comparison.create(store, [ColumnSpec("a"), ColumnSpec("  ")])
    assert store.count_conversations() == 0


@pytest.mark.asyncio
async def test_first_turn_is_one_prompt_with_sibling_answers(
    store: Store, client: FakeClient
) -> None:
    comp = Comparison.create(store, _columns(), system_prompt="Be brief.")
    _script(client, comp, 1)
    exchanges = comp.start_turn(Draft("Hello?"), _client_for(client))
    assert [ex.status for ex in exchanges] == [ExchangeStatus.PENDING] * 3  # not started
    assert [ex.label for ex in exchanges] == ["A", "B", "C"]
    await _run(exchanges)

    tree = store.list_messages(comp.conversation_id)
    users = [m for m in tree if m.role == "user"]
    assert len(users) == 1 and users[0].parent_id is None
    answers = store.children(users[0].id, comp.conversation_id)
    assert sorted(a.meta["column"] for a in answers) == [0, 1, 2]
    for i, model in enumerate(MODELS):
        answer = comp.answer(i)
        assert answer is not None and answer.content == f"{comp.labels[i]}1 says {model}"
        assert answer.model_requested == model and answer.meta["column"] == i
        assert comp.leaf(i) == answer.id
    assert comp.last_prompt() == "Hello?"
    sent = {r.model: r for r in client.requests}
    assert _sent_texts(sent["beta-2"]) == ["Be brief.", "Hello?"]
    assert sent["gamma-3"].temperature == pytest.approx(0.2)  # each column's own params
    saved = Comparison(store, comp.id)  # the turn is in the stored state
    assert saved.turns[0]["answers"] == {str(i): comp.leaf(i) for i in range(3)}


@pytest.mark.asyncio
async def test_follow_up_keeps_each_columns_own_thread(store: Store, client: FakeClient) -> None:
    comp = Comparison.create(store, _columns())
    _script(client, comp, 1)
    await _run(comp.start_turn(Draft("First"), _client_for(client)))
    first_answers = [comp.leaf(i) for i in range(3)]
    _script(client, comp, 2)
    await _run(comp.start_turn(Draft("Second"), _client_for(client)))

    seconds = [m for m in store.list_messages(comp.conversation_id) if m.content == "Second"]
    assert len(seconds) == 3  # one prompt per column...
    assert sorted(m.parent_id for m in seconds) == sorted(first_answers)  # ...under its answer
    for i, model in enumerate(MODELS):
        sent = [r for r in client.requests if r.model == model][-1]
        assert _sent_texts(sent) == ["First", f"{comp.labels[i]}1 says {model}", "Second"]
        path = comp.path(i)
        assert [m.content for m in path][-1] == f"{comp.labels[i]}2 says {model}"


@pytest.mark.asyncio
async def test_carry_forward_shares_one_answer(store: Store, client: FakeClient) -> None:
    comp = Comparison.create(store, _columns())
    _script(client, comp, 1)
    await _run(comp.start_turn(Draft("First"), _client_for(client)))
    carried = comp.answer(1)
    assert carried is not None
    comp.set_carry(1)
    assert Comparison(store, comp.id).carry == 1  # saved, shown as the rule in force
    _script(client, comp, 2)
    await _run(comp.start_turn(Draft("Next"), _client_for(client)))

    nexts = [m for m in store.list_messages(comp.conversation_id) if m.content == "Next"]
    assert len(nexts) == 1 and nexts[0].parent_id == carried.id
    others = {comp.answer(i, 0).content for i in (0, 2)}  # type: ignore[union-attr]
    for model in MODELS:
        body = _sent_texts([r for r in client.requests if r.model == model][-1])
        assert body == ["First", carried.content, "Next"]
        assert not others & set(body)
    assert comp.carry is None  # the rule holds for one turn
    assert comp.turns[-1]["carry"] == 1
    for i in range(3):  # each column answered under the shared prompt
        answer = comp.answer(i)
        assert answer is not None and answer.parent_id == nexts[0].id


@pytest.mark.asyncio
async def test_carry_forward_of_a_turn_cut_on_tool_results(
    store: Store, client: FakeClient
) -> None:
    """A carried column whose turn stopped after its tool results: the next prompt hangs
    under those results, so no request carries a tool call without its result."""
    comp = Comparison.create(store, _columns(MODELS[:2]))
    _script(client, comp, 1)
    await _run(comp.start_turn(Draft("First"), _client_for(client)))
    answer = comp.answer(0)
    assert answer is not None
    result = store.add_message(
        comp.conversation_id, "tool", "42", parent_id=answer.id, tool_call_id="c1"
    )
    comp.set_leaf(0, result)
    comp.set_carry(0)
    _script(client, comp, 2)
    await _run(comp.start_turn(Draft("Next"), _client_for(client)))
    nexts = [m for m in store.list_messages(comp.conversation_id) if m.content == "Next"]
    assert len(nexts) == 1 and nexts[0].parent_id == result


@pytest.mark.asyncio
async def test_retry_one_column(store: Store, client: FakeClient) -> None:
    comp = Comparison.create(store, _columns(MODELS[:2]))
    client.enqueue_for("alpha-1", Reply(error=ServerError("overloaded", http_status=503)))
    client.enqueue_for("beta-2", Reply(text="B fine"))
    exchanges = comp.start_turn(Draft("Q"), _client_for(client))
    await _run(exchanges)
    assert [ex.status for ex in exchanges] == [ExchangeStatus.ERROR, ExchangeStatus.DONE]
    failed = comp.answer(0)
    assert failed is not None and failed.status == "error" and failed.meta["column"] == 0
    b_answer = comp.answer(1)

    client.enqueue_for("alpha-1", Reply(text="A at last"))
    retry = comp.make_exchange(0, _client_for(client))
    assert comp.exchanges[0] is retry and retry.label == "A"
    await retry.start()
    answer = comp.answer(0)
    assert answer is not None and answer.id != failed.id
    assert (answer.content, answer.parent_id) == ("A at last", failed.parent_id)
    assert comp.answer(1) == b_answer  # the other column is untouched
    assert _sent_texts(client.requests[-1]) == ["Q"]  # the failed answer is not sent


def test_a_bad_column_parameter_saves_nothing(store: Store, client: FakeClient) -> None:
    comp = Comparison.create(store, [ColumnSpec("a"), ColumnSpec("b", {"top_p": 7})])
    with pytest.raises(ValidationError):
        comp.start_turn(Draft("Q"), _client_for(client))
    assert store.list_messages(comp.conversation_id) == [] and comp.turns == []
    with pytest.raises(CompareError):
        comp.make_exchange(0, _client_for(client))


@pytest.mark.asyncio
async def test_a_vote_reveals_blind_names(store: Store, client: FakeClient) -> None:
    comp = Comparison.create(store, _columns(MODELS[:2]), blind=True, rng=random.Random(1))
    with pytest.raises(CompareError):
        comp.vote("A")
    assert not comp.voted_latest() and comp.names_hidden()
    _script(client, comp, 1)
    await _run(comp.start_turn(Draft("Which is better?"), _client_for(client)))
    assert comp.names_hidden()

    comp.vote("B")
    assert comp.voted_latest() and not comp.names_hidden()
    (vote,) = comp.votes()
    assert (vote.winner, vote.models, vote.prompt) == ("B", comp.models(), "Which is better?")
    assert vote.column_order == comp.state["column_order"]

    _script(client, comp, 2)
    await _run(comp.start_turn(Draft("And now?"), _client_for(client)))
    assert not comp.voted_latest()  # a new turn waits for its own vote...
    assert not comp.names_hidden()  # ...but names once revealed stay on screen
    comp.vote("tie")
    assert comp.voted_latest() and [v.winner for v in comp.votes()] == ["B", "tie"]
    with pytest.raises(ValueError):
        comp.vote("C")  # no third column


@pytest.mark.asyncio
async def test_columns_are_fixed_after_the_first_prompt(store: Store, client: FakeClient) -> None:
    comp = Comparison.create(store, _columns(MODELS[:2]))
    assert comp.can_edit_columns()
    comp.set_columns(_columns(["x", "y", "z"]))
    assert Comparison(store, comp.id).models() == ["x", "y", "z"]
    assert comp.exchanges == [None, None, None]
    with pytest.raises(CompareError):
        comp.set_columns(_columns(["only-one"]))
    await _run(comp.start_turn(Draft("Go"), _client_for(client)))
    assert not comp.can_edit_columns()
    with pytest.raises(CompareError):
        comp.set_columns(_columns(["p", "q"]))
    assert Comparison(store, comp.id).models() == ["x", "y", "z"]


def test_malformed_stored_columns_load_as_valid_columns(store: Store) -> None:
    assert ColumnSpec.from_dict("nonsense") == ColumnSpec("?")
    spec = ColumnSpec.from_dict({"model": "m" * 500, "params": [1], "provider": 3})
    assert len(spec.model) == 200 and spec.params == {} and spec.provider is None
