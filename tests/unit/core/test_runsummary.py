"""Run summary from saved rows (a real store file) and the estimate before a run."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.arena.leaderboard import fit
from chatdesk.core.arena.prices import Price, PriceTable
from chatdesk.core.chat.exchange import generation_speed
from chatdesk.core.runs.promptset import PromptItem
from chatdesk.core.runs.runsummary import (
    ASSUMED_OUTPUT_TOKENS,
    column_names,
    estimate,
    pair_verdicts,
    summarize,
)
from chatdesk.store import Store
from chatdesk.store.rows import VoteRow
from chatdesk.store.runs import JudgementKey

COLUMNS = [{"model": "fast", "provider": "p"}, {"model": "slow", "provider": "p"}]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def new_run(store: Store, prompts: int = 3, columns: list[dict[str, str]] = COLUMNS) -> int:
    items = [PromptItem(i, None, f"prompt {i}") for i in range(prompts)]
    return store.runs.create_run("r", columns, items, judge={"model": "judge"})


def judge_all(store: Store, run_id: int, prompts: int, ab: str, ba: str) -> None:
    for p in range(prompts):
        store.runs.save_judgement(run_id, JudgementKey(p, 0, 1, "AB"), reply=ab)
        store.runs.save_judgement(run_id, JudgementKey(p, 0, 1, "BA"), reply=ba)


def answer_all(store: Store, run_id: int, prompts: int, columns: int = 2) -> None:
    for p in range(prompts):
        for m in range(columns):
            store.runs.save_cell(run_id, p, m, status="done", content=f"answer {p}/{m}")


def test_figures_per_model(store: Store) -> None:
    run_id = new_run(store)
    runs = store.runs
    figures = [(100.0, 1100.0, 51), (300.0, 2300.0, 101), (200.0, 700.0, 11)]
    for p, (ttft, total, tokens) in enumerate(figures):
        runs.save_cell(
            run_id,
            p,
            0,
            status="done",
            content="x",
            ttft_ms=ttft,
            duration_ms=total,
            usage={"prompt_tokens": 10, "completion_tokens": tokens},
            cost=0.5,
            currency="USD",
        )
    runs.save_cell(
        run_id,
        0,
        1,
        status="done",
        content="y",
        ttft_ms=900.0,
        duration_ms=950.0,
        tokens_per_s=42.0,
    )  # no usage: the speed measured live is kept
    runs.save_cell(run_id, 1, 1, status="error", error={"category": "server"}, cost=0.25)
    fast, slow = summarize(COLUMNS, runs.cells(run_id), runs.judgements(run_id))
    assert (fast.model, fast.ok, fast.errors, fast.tokens_out) == ("fast", 3, 0, 163)
    assert fast.median_ttft_ms == 200.0
    speeds = sorted(generation_speed(t, a, b) or 0 for a, b, t in figures)
    assert fast.median_tokens_per_s == speeds[1]
    assert fast.cost == pytest.approx(1.5) and fast.currency == "USD"
    assert (slow.ok, slow.errors, slow.tokens_out) == (1, 1, 0)
    assert slow.median_ttft_ms == 900.0 and slow.median_tokens_per_s == 42.0
    assert slow.cost == 0.25
    assert fast.rating is None and fast.judge_wins == fast.judge_ties == 0


def test_position_biased_judge_gives_ties_counted_once_per_pair(store: Store) -> None:
    run_id = new_run(store)
    answer_all(store, run_id, 3)
    judge_all(store, run_id, 3, "[[A]]", "Still the first one. [[A]]")
    fast, slow = summarize(COLUMNS, store.runs.cells(run_id), store.runs.judgements(run_id))
    assert (fast.judge_wins, fast.judge_losses, fast.judge_ties) == (0, 0, 3)
    assert (slow.judge_wins, slow.judge_losses, slow.judge_ties) == (0, 0, 3)
    assert fast.rating == pytest.approx(1000.0) and slow.rating == pytest.approx(1000.0)
    assert fast.ci_low is not None and fast.ci_high is not None
    assert fast.ci_low < 1000.0 < fast.ci_high


def test_consistent_winner_and_rating_match_the_leaderboard_fit(store: Store) -> None:
    run_id = new_run(store, 4)
    answer_all(store, run_id, 4)
    judge_all(store, run_id, 3, "[[A]]", "[[B]]")  # 'fast' wins prompts 0-2 in both orders
    store.runs.save_judgement(run_id, JudgementKey(3, 0, 1, "AB"), reply="[[C]]")
    store.runs.save_judgement(run_id, JudgementKey(3, 0, 1, "BA"), reply="[[B]]")
    fast, slow = summarize(COLUMNS, store.runs.cells(run_id), store.runs.judgements(run_id))
    assert (fast.judge_wins, fast.judge_losses, fast.judge_ties) == (3, 0, 1)
    assert (slow.judge_wins, slow.judge_losses, slow.judge_ties) == (0, 3, 1)
    votes = [VoteRow(0, 0, "A", ["fast", "slow"], "", [0, 1], 0.0) for _ in range(3)]
    votes.append(VoteRow(0, 0, "tie", ["fast", "slow"], "", [0, 1], 0.0))
    board = {r.model: r for r in fit(votes)}
    assert fast.rating == pytest.approx(board["fast"].rating)
    assert slow.ci_high == pytest.approx(board["slow"].ci_high)
    assert fast.rating is not None and slow.rating is not None and fast.rating > slow.rating


def test_invalid_and_half_judged_pairs_are_not_counted(store: Store) -> None:
    run_id = new_run(store)
    answer_all(store, run_id, 3)
    store.runs.save_judgement(run_id, JudgementKey(0, 0, 1, "AB"), reply="I cannot decide.")
    store.runs.save_judgement(run_id, JudgementKey(0, 0, 1, "BA"), reply="[[A]]")
    store.runs.save_judgement(run_id, JudgementKey(1, 0, 1, "AB"), reply="[[A]]")  # BA pending
    store.runs.save_judgement(run_id, JudgementKey(2, 0, 1, "AB"), reply="[[B]]")
    store.runs.save_judgement(
        run_id, JudgementKey(2, 0, 1, "BA"), status="error", error={"category": "server"}
    )
    names = column_names(COLUMNS)
    verdicts = pair_verdicts(names, store.runs.judgements(run_id))
    assert [(v.prompt_index, v.winner, v.raw) for v in verdicts] == [
        (0, "invalid", ("I cannot decide.", "[[A]]"))
    ]
    fast, slow = summarize(COLUMNS, store.runs.cells(run_id), store.runs.judgements(run_id))
    assert (fast.judge_wins, fast.judge_losses, fast.judge_ties, fast.judge_invalid) == (0, 0, 0, 1)
    assert fast.rating is None and slow.rating is None


def test_a_model_named_tie_can_still_win(store: Store) -> None:
    columns = [{"model": "tie"}, {"model": "other"}]
    run_id = new_run(store, 1, columns)
    answer_all(store, run_id, 1)
    judge_all(store, run_id, 1, "[[A]]", "[[B]]")
    tie, other = summarize(columns, store.runs.cells(run_id), store.runs.judgements(run_id))
    assert (tie.judge_wins, tie.judge_ties, other.judge_losses) == (1, 0, 1)


def test_column_names_are_distinct() -> None:
    assert column_names([{"model": "a"}, {"model": "b"}]) == ["a", "b"]
    assert column_names(
        [{"model": "a", "provider": "x"}, {"model": "a", "provider": "y"}, {"model": "b"}]
    ) == ["a @x", "a @y", "b"]
    assert column_names(
        [{"model": "a", "params": {"t": 0}}, {"model": "a", "params": {"t": 1}}]
    ) == [
        "a #1",
        "a #2",
    ]


def test_estimate_counts_requests_and_prices_what_it_can() -> None:
    prompts = [PromptItem(i, None, "x" * 400, "s" * 40 if i == 0 else None) for i in range(200)]
    columns = [{"model": f"m{i}", "provider": "p"} for i in range(4)]
    prices = PriceTable()
    prices.set("p", "m0", Price(1.0, 2.0, "USD"))
    prices.set("", "m1", Price(3.0, 6.0, "CNY"))
    prices.set("p", "judge", Price(10.0, 20.0, "USD"))
    est = estimate(
        prompts,
        columns,
        judge={"model": "judge", "provider": "p"},
        prices=prices,
        template_chars=800,
    )
    assert (est.cells, est.judge_requests, est.requests) == (800, 2400, 3200)
    input_tokens = 199 * 100 + 110  # chars / 4, rounded up per prompt
    output = 200 * ASSUMED_OUTPUT_TOKENS
    m0 = (input_tokens * 1.0 + output * 2.0) / 1e6
    m1 = (input_tokens * 3.0 + output * 6.0) / 1e6
    judge_in = 2400 * (math.ceil((800 + 400) / 4) + 2 * ASSUMED_OUTPUT_TOKENS)
    judge = (judge_in * 10.0 + 2400 * 300 * 20.0) / 1e6
    assert est.cost["USD"] == pytest.approx(m0 + judge)
    assert est.cost["CNY"] == pytest.approx(m1)
    assert est.priced_requests == 200 + 200 + 2400
    assert est.unpriced == ["m2", "m3"]
    assert "characters / 4" in est.explain() and "500 tokens" in est.explain()
    assert "估算" in est.explain("zh_CN")
    plain = estimate(prompts[:3], columns[:2])
    assert (plain.requests, plain.cost, plain.unpriced) == (6, {}, ["m0", "m1"])
