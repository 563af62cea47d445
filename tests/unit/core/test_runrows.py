"""A run's row as a blind comparison: made once, remembered, votable (real SQLite)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.arena.compare import Comparison
from chatdesk.core.runs.promptset import PromptItem
from chatdesk.core.runs.runrows import RowNotReady, linked_rows, row_comparison
from chatdesk.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def make_run(store: Store) -> int:
    columns = [
        {"model": "alpha", "provider": None, "params": {"temperature": 0.2}},
        {"model": "beta", "provider": None, "params": {}},
        {"model": "gamma", "provider": None, "params": {}},
    ]
    prompts = [PromptItem(0, "p0", "first question", "be brief"), PromptItem(1, None, "second")]
    return store.runs.create_run("r", columns, prompts)


def test_a_row_becomes_one_blind_comparison_with_the_saved_answers(store: Store) -> None:
    run_id = make_run(store)
    store.runs.save_cell(run_id, 0, 0, status="done", content="alpha's answer", ttft_ms=12.0)
    store.runs.save_cell(run_id, 0, 1, status="done", content="beta's answer")
    store.runs.save_cell(
        run_id,
        0,
        2,
        status="error",
        error={"category": "server", "http_status": 500, "message": "it broke"},
    )
    conv = row_comparison(store, run_id, 0, rng=random.Random(3))
    comparison = Comparison.for_conversation(store, conv)
    assert comparison is not None and comparison.blind and comparison.names_hidden()
    order = comparison.state["column_order"]
    shown = [comparison.answer(i) for i in range(3)]
    by_model = {s.model: row for s, row in zip(comparison.columns, shown, strict=True)}
    assert by_model["alpha"].content == "alpha's answer"  # type: ignore[union-attr]
    assert by_model["alpha"].ttft_ms == 12.0  # type: ignore[union-attr]
    assert by_model["gamma"].status == "error"  # type: ignore[union-attr]
    assert by_model["gamma"].error_category == "server"  # type: ignore[union-attr]
    assert [comparison.columns[i].model for i in range(3)] == [
        ["alpha", "beta", "gamma"][o] for o in order
    ]
    assert comparison.last_prompt() == "first question"
    conversation = store.get_conversation(conv)
    assert conversation is not None and conversation.system_prompt == "be brief"
    # Opened again: the same comparison, and a vote on it is an ordinary vote.
    assert row_comparison(store, run_id, 0) == conv
    comparison.vote("A")
    vote = store.votes_for(comparison.id)[0]
    assert vote.models == comparison.models() and vote.prompt == "first question"
    run = store.runs.get_run(run_id)
    assert run is not None and linked_rows(run.options) == {0: conv}


def test_a_row_still_answering_is_refused_and_nothing_is_made(store: Store) -> None:
    run_id = make_run(store)
    store.runs.save_cell(run_id, 1, 0, status="done", content="a")
    store.runs.save_cell(run_id, 1, 1, status="pending", content="partial")
    before = len(store.list_conversations())
    with pytest.raises(RowNotReady):
        row_comparison(store, run_id, 1)
    with pytest.raises(ValueError):
        row_comparison(store, run_id, 5)
    assert len(store.list_conversations()) == before


def test_a_deleted_comparison_is_made_again(store: Store) -> None:
    run_id = make_run(store)
    for m in range(3):
        store.runs.save_cell(run_id, 1, m, status="done", content=f"answer {m}")
    first = row_comparison(store, run_id, 1)
    store.delete_conversation(first)
    second = row_comparison(store, run_id, 1)
    assert second != first and Comparison.for_conversation(store, second) is not None
