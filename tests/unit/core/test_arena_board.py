"""What the leaderboard reads: votes only between the columns that answered (issue 15)."""

from __future__ import annotations

from pathlib import Path

from chatdesk.core.arena.arena import fit_board, read_board
from chatdesk.core.chat.exchange import generation_speed
from chatdesk.store import Store


def turn(store: Store, models: list[str], statuses: list[str]) -> tuple[int, int]:
    """A comparison with one turn whose column replies end with ``statuses``."""
    cid = store.create_conversation("compare")
    comp = store.create_comparison(
        cid, [{"label": "ABCD"[i], "model": m} for i, m in enumerate(models)]
    )
    user = store.add_message(cid, "user", "q", make_current=True)
    for i, (model, status) in enumerate(zip(models, statuses, strict=True)):
        failed = status == "error"
        store.add_message(
            cid,
            "assistant",
            "" if failed else f"answer from {model}",
            parent_id=user,
            model_requested=model,
            status=status,
            error="HTTP 500" if failed else None,
            meta={"column": i},
        )
    return comp, user


def test_a_failed_column_has_not_lost_the_vote(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as store:
        models = ["good", "fine", "broken"]
        comp, user = turn(store, models, ["done", "done", "error"])
        for _ in range(3):
            store.add_vote(
                comp,
                "A",
                models=models,
                prompt="q",
                column_order=[0, 1, 2],
                user_message_id=user,
            )
        # A turn where only one column answered says nothing about anyone.
        lone, lone_user = turn(store, ["good", "broken"], ["done", "error"])
        store.add_vote(
            lone,
            "A",
            models=["good", "broken"],
            prompt="q",
            column_order=[0, 1],
            user_message_id=lone_user,
        )
        data = read_board(store, None, None)
    rows = {r.standing.model: r.standing for r in fit_board(data)}
    assert set(rows) == {"good", "fine"}  # "broken" played no game
    assert (rows["good"].votes, rows["good"].wins) == (3, 3)
    assert (rows["fine"].votes, rows["fine"].losses) == (3, 3)
    assert data.total_votes == 4


def test_board_speed_is_cores_generation_speed(tmp_path: Path) -> None:
    """The board's tok/s was above the server's cap (404 > 300): one definition now."""
    with Store(tmp_path / "h.sqlite3") as store:
        comp, user = turn(store, ["a", "b"], ["done", "done"])
        store.add_vote(comp, "A", models=["a", "b"], prompt="q", column_order=[0, 1])
        cid = store.create_conversation("speeds")
        parent = store.add_message(cid, "user", "hi")
        # 5 tokens at 300 tok/s after the first: 4 gaps of 3.33 ms... the old formula
        # counted the first token too and said 5 / (13.3 ms) = 375 tok/s.
        store.add_message(
            cid,
            "assistant",
            "x",
            parent_id=parent,
            model_requested="a",
            ttft_ms=100.0,
            duration_ms=100.0 + 4000 / 300,
            usage={"completion_tokens": 5},
        )
        data = read_board(store, None, None)
    speed = {r.standing.model: r.median_tokens_per_s for r in fit_board(data)}
    assert speed["a"] == generation_speed(5, 100.0, 100.0 + 4000 / 300) == 300.0
    assert speed["b"] is None
