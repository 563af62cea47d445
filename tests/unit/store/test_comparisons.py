"""Comparisons and votes (m005): store methods, migration from m004, cascades, search filter."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path

import pytest

from chatdesk.core.chat.speed import generation_speed
from chatdesk.store import ComparisonRow, Store, VoteRow, migrations as mig

COLUMNS = [
    {"label": "A", "model": "gpt-4o", "provider": None, "params": {"temperature": 0.2}},
    {"label": "B", "model": "llama-3", "provider": "local", "params": {}},
]


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def turn(store: Store, cid: int, prompt: str, answers: list[str]) -> tuple[int, list[int]]:
    """One compare turn: a user message and one sibling reply per column."""
    user = store.add_message(cid, "user", prompt, make_current=True)
    replies = [
        store.add_message(cid, "assistant", text, parent_id=user, meta={"column": i})
        for i, text in enumerate(answers)
    ]
    return user, replies


@pytest.fixture
def comparison(store: Store) -> tuple[int, int]:
    cid = store.create_conversation("Which is better?")
    return cid, store.create_comparison(cid, COLUMNS, state={"sync_scroll": True})


# -- migration ------------------------------------------------------------------------


def test_m005_migrates_an_m004_database_and_keeps_its_data(db_path: Path) -> None:
    conn = raw(db_path)
    mig.migrate(conn, mig.MIGRATIONS[:4])
    assert mig.applied_migrations(conn)[-1] == "m004_short_terms"
    conn.execute("INSERT INTO conversations (id, title, created, updated) VALUES (7, 'old', 1, 2)")
    conn.execute(
        "INSERT INTO messages (id, conversation_id, role, content, created, updated)"
        " VALUES (3, 7, 'user', 'kept across the upgrade', 1, 1)"
    )
    conn.close()
    with Store(db_path) as s:
        assert "m005_comparisons" in s.applied_migrations()
        assert [h.message_id for h in s.search("upgrade")] == [3]
        comp = s.create_comparison(7, COLUMNS)
        assert s.comparison_for_conversation(7) == s.get_comparison(comp)
        names = {
            r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        assert {"comparisons_conversation", "votes_comparison", "votes_user_message"} <= names
        assert s.conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_one_comparison_per_conversation(store: Store, comparison: tuple[int, int]) -> None:
    cid, _ = comparison
    with pytest.raises(sqlite3.IntegrityError):
        store.create_comparison(cid, COLUMNS)


# -- comparisons ------------------------------------------------------------------------


def test_create_get_and_update_comparison(store: Store, comparison: tuple[int, int]) -> None:
    cid, comp = comparison
    row = store.get_comparison(comp)
    assert isinstance(row, ComparisonRow)
    assert row.conversation_id == cid
    assert row.columns == COLUMNS
    assert row.blind is False
    assert row.state == {"sync_scroll": True}
    assert row.created > 0

    three = [*COLUMNS, {"label": "C", "model": "qwen", "provider": None, "params": {}}]
    store.update_comparison(comp, columns=three, blind=True)
    row = store.get_comparison(comp)
    assert row is not None and row.columns == three and row.blind is True
    assert row.state == {"sync_scroll": True}  # untouched when not given
    store.update_comparison(comp, state={"carry_forward": 1, "列": "中文"})
    row = store.get_comparison(comp)
    assert row is not None and row.state == {"carry_forward": 1, "列": "中文"}
    assert row.columns == three
    store.update_comparison(comp)  # nothing to change is fine
    assert store.get_comparison(comp) == row
    assert store.get_comparison(comp + 100) is None
    assert store.comparison_for_conversation(cid + 100) is None


@pytest.mark.parametrize(
    "columns",
    [
        [],
        [COLUMNS[0]],
        COLUMNS * 3,
        [{"label": "A"}, {"label": "B"}],
        "not a list",
        [COLUMNS[0], "gpt-4o"],
    ],
)
def test_bad_columns_are_refused(store: Store, columns: object) -> None:
    cid = store.create_conversation()
    with pytest.raises(ValueError):
        store.create_comparison(cid, columns)  # type: ignore[arg-type]
    assert store.comparison_for_conversation(cid) is None


def test_comparison_needs_an_existing_conversation(store: Store) -> None:
    with pytest.raises(ValueError, match="no conversation"):
        store.create_comparison(12345, COLUMNS)


def test_list_comparisons_newest_first_paged(store: Store) -> None:
    ids = []
    for i in range(5):
        cid = store.create_conversation(f"c{i}")
        ids.append(store.create_comparison(cid, COLUMNS, created=1000.0 + i))
    assert [c.id for c in store.list_comparisons(limit=2)] == [ids[4], ids[3]]
    assert [c.id for c in store.list_comparisons(limit=10, offset=3)] == [ids[1], ids[0]]


def test_deleting_the_conversation_removes_comparison_and_votes(
    store: Store, comparison: tuple[int, int]
) -> None:
    cid, comp = comparison
    user, _ = turn(store, cid, "Hi", ["a", "b"])
    store.add_vote(
        comp, "A", models=["gpt-4o", "llama-3"], prompt="Hi", column_order=[0, 1],
        user_message_id=user,
    )  # fmt: skip
    other = store.create_conversation("other")
    other_comp = store.create_comparison(other, COLUMNS)
    store.add_vote(other_comp, "tie", models=["gpt-4o", "llama-3"], prompt="x", column_order=[1, 0])
    store.delete_conversation(cid)
    assert store.get_comparison(comp) is None
    assert store.votes_for(comp) == []
    assert [v.comparison_id for v in store.list_votes()] == [other_comp]
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


# -- votes ----------------------------------------------------------------------------


def test_add_vote_and_read_it_back(store: Store, comparison: tuple[int, int]) -> None:
    cid, comp = comparison
    user, _ = turn(store, cid, "写一首诗 🌸", ["a", "b"])
    vid = store.add_vote(
        comp,
        "B",
        models=["gpt-4o", "llama-3"],
        prompt="写一首诗 🌸",
        column_order=[1, 0],
        user_message_id=user,
        created=1234.5,
    )
    assert store.votes_for(comp) == [
        VoteRow(
            id=vid,
            comparison_id=comp,
            winner="B",
            models=["gpt-4o", "llama-3"],
            prompt="写一首诗 🌸",
            column_order=[1, 0],
            created=1234.5,
            user_message_id=user,
        )
    ]
    stored = store.conn.execute("SELECT models, column_order FROM votes").fetchone()
    assert json.loads(stored[0]) == ["gpt-4o", "llama-3"] and json.loads(stored[1]) == [1, 0]


@pytest.mark.parametrize(
    ("columns", "winner", "ok"),
    [
        (2, "A", True),
        (2, "B", True),
        (2, "C", False),
        (2, "D", False),
        (3, "C", True),
        (3, "D", False),
        (4, "D", True),
        (2, "tie", True),
        (4, "bad", True),
        (2, "a", False),
        (2, "E", False),
        (2, "", False),
    ],
)
def test_winner_must_name_an_existing_column(
    store: Store, columns: int, winner: str, ok: bool
) -> None:
    cid = store.create_conversation()
    cols = [{"label": "ABCD"[i], "model": f"m{i}", "params": {}} for i in range(columns)]
    comp = store.create_comparison(cid, cols)
    models = [f"m{i}" for i in range(columns)]
    order = list(range(columns))
    if ok:
        store.add_vote(comp, winner, models=models, prompt="p", column_order=order)
        assert [v.winner for v in store.votes_for(comp)] == [winner]
    else:
        with pytest.raises(ValueError):
            store.add_vote(comp, winner, models=models, prompt="p", column_order=order)
        assert store.votes_for(comp) == []


def test_vote_lists_must_match_the_columns(store: Store, comparison: tuple[int, int]) -> None:
    cid, comp = comparison
    with pytest.raises(ValueError, match="models"):
        store.add_vote(comp, "A", models=["x"], prompt="p", column_order=[0, 1])
    with pytest.raises(ValueError, match="column_order"):
        store.add_vote(comp, "A", models=["x", "y"], prompt="p", column_order=[0, 0])
    with pytest.raises(ValueError, match="no comparison"):
        store.add_vote(comp + 9, "A", models=["x", "y"], prompt="p", column_order=[0, 1])
    elsewhere = store.add_message(store.create_conversation(), "user", "elsewhere")
    with pytest.raises(ValueError, match="not in comparison"):
        store.add_vote(
            comp, "A", models=["x", "y"], prompt="p", column_order=[0, 1],
            user_message_id=elsewhere,
        )  # fmt: skip
    assert store.votes_for(comp) == []


def test_non_strict_vote_is_checked_against_its_own_models(
    store: Store, comparison: tuple[int, int]
) -> None:
    """Import: a vote cast when the comparison had three columns still goes in."""
    _, comp = comparison
    store.add_vote(
        comp, "C", models=["a", "b", "c"], prompt="p", column_order=[2, 0, 1], strict=False
    )
    with pytest.raises(ValueError):
        store.add_vote(comp, "D", models=["a", "b", "c"], prompt="p", column_order=[0, 1, 2],
                       strict=False)  # fmt: skip
    assert [v.winner for v in store.votes_for(comp)] == ["C"]


def test_deleting_the_voted_message_keeps_the_vote(
    store: Store, comparison: tuple[int, int]
) -> None:
    cid, comp = comparison
    user, _ = turn(store, cid, "Hi", ["a", "b"])
    store.add_vote(
        comp, "A", models=["gpt-4o", "llama-3"], prompt="Hi", column_order=[0, 1],
        user_message_id=user,
    )  # fmt: skip
    store.delete_message(user)
    (vote,) = store.votes_for(comp)
    assert vote.user_message_id is None and vote.prompt == "Hi"


def test_list_votes_by_date_and_delete_vote(store: Store, comparison: tuple[int, int]) -> None:
    _, comp = comparison
    ids = [
        store.add_vote(comp, w, models=["x", "y"], prompt="p", column_order=[0, 1], created=t)
        for w, t in (("A", 100.0), ("B", 200.0), ("tie", 300.0))
    ]
    assert [v.id for v in store.list_votes()] == ids
    assert [v.id for v in store.list_votes(since=200.0)] == ids[1:]
    assert [v.id for v in store.list_votes(until=200.0)] == ids[:2]
    assert [v.id for v in store.list_votes(since=150.0, until=250.0)] == [ids[1]]
    assert store.delete_vote(ids[1]) is True
    assert store.delete_vote(ids[1]) is False
    assert [v.winner for v in store.votes_for(comp)] == ["A", "tie"]


# -- speed statistics -------------------------------------------------------------------


def answer(
    store: Store,
    cid: int,
    model: str,
    ttft: float | None,
    duration: float | None,
    tokens: object,
    *,
    status: str = "done",
    reported: str | None = None,
) -> None:
    usage = None if tokens is None else {"completion_tokens": tokens, "prompt_tokens": 5}
    store.add_message(
        cid,
        "assistant",
        "x",
        model_requested=model,
        model=reported,
        ttft_ms=ttft,
        duration_ms=duration,
        usage=usage,
        status=status,
    )


def test_model_speed_stats_medians(store: Store) -> None:
    cid = store.create_conversation()
    # core's one definition: (tokens - 1) / ((duration - ttft) / 1000); the store has
    # no formula of its own (its old one, tokens / ..., gave 200 and 15 here)
    answer(store, cid, "fast", 100.0, 1100.0, 100)  # 99 tok/s
    answer(store, cid, "fast", 200.0, 1200.0, 200)  # 199 tok/s
    answer(store, cid, "fast", 300.0, 2300.0, 600)  # 299.5 tok/s
    answer(store, cid, "slow", 1000.0, 3000.0, 20, reported="slow-2024-01")  # 9.5 tok/s
    answer(store, cid, "slow", 3000.0, 5000.0, 40)  # 19.5 tok/s
    answer(store, cid, "slow", 9.0, 99.0, 50, status="error")  # not finished: ignored
    store.add_message(cid, "user", "q", ttft_ms=1.0)  # not an answer
    stats = store.model_speed_stats(None, generation_speed)
    assert stats == {
        "fast": {"median_ttft_ms": 200.0, "median_tokens_per_s": 199.0, "answers": 3},
        "slow": {"median_ttft_ms": 2000.0, "median_tokens_per_s": 14.5, "answers": 2},
    }
    assert set(store.model_speed_stats(["slow", "unknown"], generation_speed)) == {"slow"}


def test_model_speed_stats_ignores_broken_figures(store: Store) -> None:
    cid = store.create_conversation()
    answer(store, cid, "m", 100.0, 1100.0, 50)  # the one good answer: 49 tok/s
    answer(store, cid, "m", math.nan, math.nan, 10)
    answer(store, cid, "m", -5.0, 1000.0, 10)  # negative ttft
    answer(store, cid, "m", 500.0, 400.0, 10)  # ends before its first token
    answer(store, cid, "m", 500.0, 500.0, 10)  # zero generation time
    answer(store, cid, "m", 10.0, 10.001, 10_000)  # 10 million tok/s: absurd
    answer(store, cid, "m", 1e12, 1e13, 10)  # absurd times
    answer(store, cid, "m", 100.0, 200.0, "many")  # not a number
    answer(store, cid, "m", 100.0, 200.0, -3)
    answer(store, cid, "m", None, 1000.0, 10)
    answer(store, cid, "m", 100.0, None, None)
    store.conn.execute(  # a corrupt usage column must not break the statistics
        "INSERT INTO messages (conversation_id, role, model, usage, ttft_ms, created, updated)"
        " VALUES (?, 'assistant', 'm', '{not json', 100.0, 1, 1)",
        (cid,),
    )
    (stats,) = store.model_speed_stats(None, generation_speed).values()
    assert stats["answers"] == 12
    assert stats["median_tokens_per_s"] == 49.0
    # Valid ttfts: 100, 500, 500, 10, 100, 100, 100, 100 -> median 100.
    assert stats["median_ttft_ms"] == 100.0


def test_model_speed_stats_without_figures(store: Store) -> None:
    cid = store.create_conversation()
    answer(store, cid, "quiet", None, None, None)
    assert store.model_speed_stats(None, generation_speed) == {
        "quiet": {"median_ttft_ms": None, "median_tokens_per_s": None, "answers": 1}
    }
    assert Store.memory().model_speed_stats(None, generation_speed) == {}


# -- "Comparisons only" -----------------------------------------------------------------


def test_comparisons_filter_in_search_count_and_list(
    store: Store, comparison: tuple[int, int]
) -> None:
    cid, _ = comparison
    turn(store, cid, "explain quicksort 排序", ["quicksort is fast", "quicksort 排序 pivots"])
    plain = store.create_conversation("plain chat")
    store.add_message(plain, "user", "explain quicksort 排序", make_current=True)

    def conversations(query: str, comparisons: bool | None) -> set[int]:
        return {h.conversation_id for h in store.search(query, comparisons=comparisons)}

    for query in ("quicksort", "排序", "序", "quicksort 排序"):
        assert conversations(query, None) == {cid, plain}, query
        assert conversations(query, True) == {cid}, query
        assert conversations(query, False) == {plain}, query
    assert store.count_search("quicksort", comparisons=True) == 3
    assert store.count_search("quicksort", comparisons=False) == 1
    assert store.count_search("quicksort", comparisons=True, role="user") == 1
    hits = store.search("quicksort", comparisons=True, sort="relevance")
    assert {h.conversation_id for h in hits} == {cid}
    # Inside one conversation the filter still applies.
    assert store.search("quicksort", conversation_id=plain, comparisons=True) == []
    assert [c.id for c in store.list_conversations(comparisons=True)] == [cid]
    assert [c.id for c in store.list_conversations(comparisons=False)] == [plain]
    listed = store.list_conversations(comparisons=True, title_filter="better")
    assert [c.id for c in listed] == [cid]
    assert store.list_conversations(comparisons=True, title_filter="plain") == []
