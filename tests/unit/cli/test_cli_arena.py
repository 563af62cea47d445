"""``chatdesk vote`` and ``chatdesk leaderboard`` run as real processes on a real history."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatdesk.store import Store

ROOT = Path(__file__).resolve().parents[3]


def chatdesk(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, CHATDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("CHATDESK_RAISE_ERRORS", None)
    return subprocess.run(
        [sys.executable, "-m", "chatdesk", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def db(home: Path) -> Store:
    return Store(home / "history.sqlite3")


def make_comparison(
    store: Store,
    models: list[str],
    prompts: list[str],
    *,
    state: dict[str, object] | None = None,
    blind: bool = False,
    speeds: list[tuple[float, float, int]] | None = None,
) -> tuple[int, list[int]]:
    """A comparison with one turn per prompt (sibling replies with meta.column).

    A chat is created first, so the comparison's row id and its conversation's id
    (the number the commands take) differ."""
    store.create_conversation("a chat before")
    cid = store.create_conversation("compare")
    columns = [
        {"label": "ABCD"[i], "model": m, "provider": None, "params": {}}
        for i, m in enumerate(models)
    ]
    comp = store.create_comparison(cid, columns, blind=blind, state=state)
    users = []
    parent = None
    for prompt in prompts:
        user = store.add_message(cid, "user", prompt, parent_id=parent, make_current=True)
        users.append(user)
        for i, model in enumerate(models):
            ttft, duration, tokens = (speeds or [(100.0, 1100.0, 50)] * len(models))[i]
            reply = store.add_message(
                cid,
                "assistant",
                f"answer from {model}",
                parent_id=user,
                model_requested=model,
                ttft_ms=ttft,
                duration_ms=duration,
                usage={"completion_tokens": tokens},
                meta={"column": i},
            )
            if i == 0:
                parent = reply
    return comp, users


def number(home: Path, comp: int) -> str:
    """The id the commands take for comparison row ``comp``: its conversation's."""
    with db(home) as store:
        row = store.get_comparison(comp)
        assert row is not None and row.conversation_id != comp
        return str(row.conversation_id)


def test_vote_records_on_the_latest_turn(chatdesk_home: Path) -> None:
    with db(chatdesk_home) as store:
        comp, users = make_comparison(
            store, ["gpt-4o", "llama-3"], ["first question", "写一首关于秋天的诗 🍂"]
        )
    proc = chatdesk(chatdesk_home, "vote", number(chatdesk_home, comp), "B")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 1
    assert "B is best" in proc.stdout and "B = llama-3" in proc.stdout
    with db(chatdesk_home) as store:
        (vote,) = store.votes_for(comp)
    assert vote.winner == "B"
    assert vote.models == ["gpt-4o", "llama-3"]
    assert vote.prompt == "写一首关于秋天的诗 🍂"
    assert vote.user_message_id == users[-1]
    assert vote.column_order == [0, 1]
    assert abs(vote.created - time.time()) < 600


def test_voting_again_changes_the_vote(chatdesk_home: Path) -> None:
    with db(chatdesk_home) as store:
        comp, _ = make_comparison(store, ["x", "y"], ["q"])
    assert chatdesk(chatdesk_home, "vote", number(chatdesk_home, comp), "a").returncode == 0
    proc = chatdesk(chatdesk_home, "vote", number(chatdesk_home, comp), "TIE")
    assert proc.returncode == 0, proc.stderr
    assert "changed" in proc.stdout and "a tie" in proc.stdout
    with db(chatdesk_home) as store:
        assert [v.winner for v in store.votes_for(comp)] == ["tie"]


def test_vote_keeps_the_blind_shuffle(chatdesk_home: Path) -> None:
    with db(chatdesk_home) as store:
        comp, _ = make_comparison(
            store, ["m1", "m2", "m3"], ["q"], blind=True, state={"column_order": [2, 0, 1]}
        )
    proc = chatdesk(chatdesk_home, "vote", number(chatdesk_home, comp), "C")
    assert proc.returncode == 0, proc.stderr
    with db(chatdesk_home) as store:
        (vote,) = store.votes_for(comp)
    assert vote.winner == "C" and vote.models == ["m1", "m2", "m3"]
    assert vote.column_order == [2, 0, 1]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["vote", "999", "A"], "no comparison with id 999"),
        (["vote", "{comp}", "C"], "there is no C"),
        (["vote", "{comp}", "best"], "A, B, C, D, tie or bad"),
        (["vote", "{empty}", "A"], "no answered turn"),
        (["vote", "abc", "A"], "invalid int value"),
        (["vote", "1", "A"], "conversation 1 is a chat, not a comparison"),
        (["vote", str(2**64), "A"], f"no comparison with id {2**64}"),
        (["leaderboard", "--since", "last week"], "expected a date"),
        (["leaderboard", "--since", "2026-02-01", "--until", "2026-01-01"], "after --until"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    chatdesk_home: Path, argv: list[str], needle: str
) -> None:
    with db(chatdesk_home) as store:
        comp, _ = make_comparison(store, ["x", "y"], ["q"])
        empty = store.create_conversation()
        store.create_comparison(empty, [{"model": "x"}, {"model": "y"}])
    comp_id = number(chatdesk_home, comp)
    proc = chatdesk(chatdesk_home, *[a.format(comp=comp_id, empty=empty) for a in argv])
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("chatdesk: error:")]
    assert len(errors) == 1
    with db(chatdesk_home) as store:
        assert store.list_votes() == []


def test_leaderboard_json_and_table(chatdesk_home: Path) -> None:
    with db(chatdesk_home) as store:
        comp, _ = make_comparison(
            store,
            ["strong", "weak"],
            ["q"],
            speeds=[(200.0, 2200.0, 100), (1000.0, 3000.0, 40)],  # 50 and 20 tok/s
        )
        for winner in ("A", "A", "A", "B"):
            store.add_vote(comp, winner, models=["strong", "weak"], prompt="q", column_order=[0, 1])
    proc = chatdesk(chatdesk_home, "leaderboard", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert list(data) == ["models", "min_votes", "votes_in_history"]
    assert data["min_votes"] == 5 and data["votes_in_history"] == 4
    strong, weak = data["models"]
    assert set(strong) == {
        "model",
        "rank",
        "rating",
        "ci_low",
        "ci_high",
        "votes",
        "wins",
        "losses",
        "ties",
        "median_ttft_ms",
        "median_tokens_per_s",
    }
    assert (strong["model"], weak["model"]) == ("strong", "weak")
    assert strong["rating"] > 1000 > weak["rating"]
    assert strong["ci_low"] < strong["rating"] < strong["ci_high"]
    assert (strong["votes"], strong["wins"], strong["losses"], strong["ties"]) == (4, 3, 1, 0)
    assert strong["rank"] is None and weak["rank"] is None  # 4 votes: too few to rank
    # Core's generation speed: tokens after the first over the time after it.
    assert strong["median_ttft_ms"] == 200.0 and strong["median_tokens_per_s"] == 49.5
    assert weak["median_ttft_ms"] == 1000.0 and weak["median_tokens_per_s"] == 19.5

    proc = chatdesk(chatdesk_home, "leaderboard")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:3] == ["#", "model", "rating"]
    assert lines[1].split()[:2] == ["-", "strong"] and lines[2].split()[:2] == ["-", "weak"]
    assert "3/1/0" in lines[1] and "49.5" in lines[1]
    assert "too few votes to rank (a model needs 5; 2 of 2 have fewer)" in proc.stdout


def test_leaderboard_ranks_only_with_enough_votes_and_shares_overlaps(
    chatdesk_home: Path,
) -> None:
    """Issue 15: after 2 votes the board said "1256, CI 835-1677" as a sure first place."""
    with db(chatdesk_home) as store:
        comp, _ = make_comparison(store, ["x", "y"], ["q"])
        for winner in ("A", "A"):
            store.add_vote(comp, winner, models=["x", "y"], prompt="q", column_order=[0, 1])
    data = json.loads(chatdesk(chatdesk_home, "leaderboard", "--json").stdout)
    assert [m["rank"] for m in data["models"]] == [None, None]
    with db(chatdesk_home) as store:
        for winner in ("A", "B", "A", "tie"):
            store.add_vote(comp, winner, models=["x", "y"], prompt="q", column_order=[0, 1])
    data = json.loads(chatdesk(chatdesk_home, "leaderboard", "--json").stdout)
    assert [m["rank"] for m in data["models"]] == ["1-2", "1-2"]  # 6 votes, overlapping
    proc = chatdesk(chatdesk_home, "leaderboard")
    assert proc.stdout.splitlines()[1].split()[:2] == ["1-2", "x"]
    assert "A rank like 1-3 is shared" in proc.stdout
    with db(chatdesk_home) as store:
        for _ in range(40):
            store.add_vote(comp, "A", models=["x", "y"], prompt="q", column_order=[0, 1])
    data = json.loads(chatdesk(chatdesk_home, "leaderboard", "--json").stdout)
    assert [m["rank"] for m in data["models"]] == ["1", "2"]  # now clearly apart


def test_leaderboard_date_range(chatdesk_home: Path) -> None:
    with db(chatdesk_home) as store:
        comp, _ = make_comparison(store, ["old", "new"], ["q"])
        jan = time.mktime((2026, 1, 15, 12, 0, 0, 0, 0, -1))
        mar = time.mktime((2026, 3, 15, 12, 0, 0, 0, 0, -1))
        models = ["old", "new"]
        store.add_vote(comp, "A", models=models, prompt="q", column_order=[0, 1], created=jan)
        store.add_vote(comp, "B", models=models, prompt="q", column_order=[0, 1], created=mar)
        store.add_vote(comp, "B", models=models, prompt="q", column_order=[0, 1], created=mar)

    def board(*argv: str) -> list[dict[str, object]]:
        proc = chatdesk(chatdesk_home, "leaderboard", "--json", *argv)
        assert proc.returncode == 0, proc.stderr
        models_: list[dict[str, object]] = json.loads(proc.stdout)["models"]
        return models_

    assert [m["model"] for m in board()] == ["new", "old"]
    january = board("--until", "2026-01-15")  # the whole day is included
    assert [m["model"] for m in january] == ["old", "new"]
    assert january[0]["votes"] == 1
    assert [m["votes"] for m in board("--since", "2026-02-01")] == [2, 2]
    assert board("--since", "2026-04-01") == []
    # Votes outside the range are not "no votes yet" (issue 15).
    proc = chatdesk(chatdesk_home, "leaderboard", "--since", "2027-01-01")
    assert proc.returncode == 0, proc.stderr
    assert "No votes yet" not in proc.stdout
    assert "No votes between 2027-01-01 00:00 and now (3 votes in all" in proc.stdout
    # The edge of the calendar is a date like any other (was "invalid parse value").
    for edge in ("0001-01-01", "9999-12-31"):
        proc = chatdesk(chatdesk_home, "leaderboard", "--json", "--since", edge)
        assert proc.returncode == 0, proc.stderr
    assert [m["votes"] for m in board("--since", "0001-01-01")] == [3, 3]
    assert board("--since", "9999-12-31") == []
    assert [m["votes"] for m in board("--until", "9999-12-31")] == [3, 3]


def test_empty_leaderboard(chatdesk_home: Path) -> None:
    proc = chatdesk(chatdesk_home, "leaderboard")
    assert proc.returncode == 0 and "No votes yet" in proc.stdout
    proc = chatdesk(chatdesk_home, "leaderboard", "--json")
    assert json.loads(proc.stdout)["models"] == []


def test_arena_commands_never_import_qt(chatdesk_home: Path) -> None:
    code = (
        "import sys; from chatdesk.cli import main; main(['leaderboard', '--json']);"
        "assert not [m for m in sys.modules if m.startswith(('PySide6', 'httpx'))], 'imported'"
    )
    env = dict(os.environ, CHATDESK_HOME=str(chatdesk_home), PYTHONPATH=str(ROOT))
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["models"] == []


def test_vote_after_the_threads_diverged(chatdesk_home: Path) -> None:
    """From the second turn on each column asks with its own copy of the prompt: the
    vote still sees every column's answer (and the board counts it)."""
    with db(chatdesk_home) as store:
        store.create_conversation("a chat before")
        cid = store.create_conversation("compare")
        columns = [{"label": "AB"[i], "model": m} for i, m in enumerate(["p", "q"])]
        first = store.add_message(cid, "user", "one", make_current=True)
        a1 = store.add_message(
            cid, "assistant", "p one", parent_id=first, meta={"column": 0}, model_requested="p"
        )
        b1 = store.add_message(
            cid, "assistant", "q one", parent_id=first, meta={"column": 1}, model_requested="q"
        )
        ua = store.add_message(cid, "user", "two", parent_id=a1)
        ub = store.add_message(cid, "user", "two", parent_id=b1)
        a2 = store.add_message(
            cid, "assistant", "p two", parent_id=ua, meta={"column": 0}, model_requested="p"
        )
        b2 = store.add_message(
            cid, "assistant", "q two", parent_id=ub, meta={"column": 1}, model_requested="q"
        )
        turns = [
            {"users": {"0": first, "1": first}, "answers": {"0": a1, "1": b1}, "carry": None},
            {"users": {"0": ua, "1": ub}, "answers": {"0": a2, "1": b2}, "carry": None},
        ]
        comp = store.create_comparison(cid, columns, state={"turns": turns})
    proc = chatdesk(chatdesk_home, "vote", str(cid), "B")
    assert proc.returncode == 0, proc.stderr
    assert "B is best" in proc.stdout
    with db(chatdesk_home) as store:
        (vote,) = store.votes_for(comp)
    assert vote.user_message_id == ua and vote.prompt == "two"
    board = json.loads(chatdesk(chatdesk_home, "leaderboard", "--json").stdout)["models"]
    assert [(m["model"], m["wins"], m["losses"]) for m in board] == [("q", 1, 0), ("p", 0, 1)]
