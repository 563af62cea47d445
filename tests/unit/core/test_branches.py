"""Branch rules: what path is shown, sibling positions, where the next message hangs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.api.errors import ServerError
from chatdesk.core.chat.branches import (
    branch_view,
    parent_for_new_message,
    resend_parent,
    switch_sibling,
    tool_result_parent,
)
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus, ExchangeTarget
from chatdesk.core.chat.turns import Draft, build_request, save_user_turn
from chatdesk.store import Store
from tests.unit.core.fakeclient import FakeClient, Reply


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def test_no_conversation_is_an_empty_view(store: Store) -> None:
    view = branch_view(store, None)
    assert view.path == [] and view.siblings == {}


def test_branch_view_positions_and_switching(store: Store) -> None:
    conv = store.create_conversation("t")
    q = store.add_message(conv, "user", "Q", make_current=True)
    a1 = store.add_message(conv, "assistant", "A1", parent_id=q, make_current=True)
    a2 = store.add_message(conv, "assistant", "A2", parent_id=q)  # a candidate, not shown
    a3 = store.add_message(conv, "assistant", "A3", parent_id=q)
    follow = store.add_message(conv, "user", "under A2", parent_id=a2)

    view = branch_view(store, conv)
    assert [m.id for m in view.path] == [q, a1]
    assert view.siblings == {q: (1, 1), a1: (1, 3)}

    leaf = switch_sibling(store, a1, +1)  # to A2: its latest branch is shown
    assert leaf == follow
    view = branch_view(store, conv)
    assert [m.id for m in view.path] == [q, a2, follow]
    assert view.siblings[a2] == (2, 3) and view.siblings[follow] == (1, 1)

    assert switch_sibling(store, a2, +1) == a3
    assert branch_view(store, conv).siblings[a3] == (3, 3)
    assert switch_sibling(store, a3, +1) is None  # past the end: nothing moves
    assert switch_sibling(store, a1, -1) is None
    assert switch_sibling(store, 987654, 1) is None
    row = store.get_conversation(conv)
    assert row is not None and row.current_leaf_id == a3


def test_a_missing_leaf_falls_back_to_the_newest_message(store: Store) -> None:
    conv = store.create_conversation("t")
    q = store.add_message(conv, "user", "Q")  # the leaf never moved
    a = store.add_message(conv, "assistant", "A", parent_id=q)
    view = branch_view(store, conv)
    assert [m.id for m in view.path] == [q, a]


@pytest.mark.asyncio
async def test_after_a_failed_exchange_the_next_message_replaces_the_question(
    store: Store,
) -> None:
    draft = Draft("First question")
    conv, uid = save_user_turn(
        store, None, draft, parent_id=None, model="m", provider=None, system_prompt="", params={}
    )
    request = build_request(store, None, store.path_to(uid), "m", {})
    client = FakeClient(Reply(error=ServerError("down", http_status=503)))
    ex = Exchange(client, request, store=store, target=ExchangeTarget(conv, uid))
    await ex.start()
    assert ex.status is ExchangeStatus.ERROR
    row = store.get_conversation(conv)
    assert row is not None and row.current_leaf_id == ex.message_ids[0]

    shown = branch_view(store, conv).path
    assert [m.role for m in shown] == ["user", "assistant"] and shown[-1].status == "error"
    parent = parent_for_new_message(shown)
    assert parent is None  # a sibling of the failed question (here: a new root)
    _conv, retry_q = save_user_turn(
        store,
        conv,
        Draft("First question, again"),
        parent_id=parent,
        model="m",
        provider=None,
        system_prompt="",
        params={},
    )
    again = build_request(store, None, store.path_to(retry_q), "m", {})
    assert [m.content for m in again.messages] == ["First question, again"]


def test_parent_for_new_message_normal_cases(store: Store) -> None:
    conv = store.create_conversation("t")
    q = store.add_message(conv, "user", "Q")
    ok = store.add_message(conv, "assistant", "A", parent_id=q)
    cut = store.add_message(conv, "assistant", "partial", parent_id=q, status="error")
    assert parent_for_new_message([]) is None
    path = store.path_to(ok)
    assert parent_for_new_message(path) == ok
    # An error that kept some text is a real answer: the next message goes under it.
    assert parent_for_new_message(store.path_to(cut)) == cut
    deeper_q = store.add_message(conv, "user", "Q2", parent_id=ok)
    failed = store.add_message(conv, "assistant", "", parent_id=deeper_q, status="error")
    assert parent_for_new_message(store.path_to(failed)) == ok
    assert resend_parent(store.get_message(failed)) == deeper_q  # type: ignore[arg-type]


def test_tool_results_chain_below_the_calls(store: Store) -> None:
    conv = store.create_conversation("t")
    q = store.add_message(conv, "user", "Weather in Paris and Rome?")
    calls = [
        {"id": "c1", "type": "function", "function": {"name": "w", "arguments": "{}"}},
        {"id": "c2", "type": "function", "function": {"name": "w", "arguments": "{}"}},
    ]
    a = store.add_message(conv, "assistant", "", parent_id=q, tool_calls=calls)
    path = store.path_to(a)
    assert tool_result_parent(path, a) == (a, set())
    r1 = store.add_message(conv, "tool", "18C", parent_id=a, tool_call_id="c1")
    assert tool_result_parent(store.path_to(r1), a) == (r1, {"c1"})
    r2 = store.add_message(conv, "tool", "21C", parent_id=r1, tool_call_id="c2")
    follow = store.add_message(conv, "assistant", "Paris 18C, Rome 21C", parent_id=r2)
    assert tool_result_parent(store.path_to(follow), a) == (r2, {"c1", "c2"})
    assert tool_result_parent(path, 424242) == (424242, set())  # not on the path
