"""BatchRunner against real parts: the fake server on a socket, a real SQLite file,
the real client pool. Counts come from what the server received."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from chatdesk.core.arena.prices import Price, PriceTable
from chatdesk.core.clients import ClientPool
from chatdesk.core.runs.batch import (
    BatchObserver,
    BatchOutcome,
    BatchProgress,
    BatchRunner,
    column_spec,
    judge_spec,
    spec_connector,
)
from chatdesk.core.runs.judge import load_template
from chatdesk.core.runs.promptset import PromptItem
from chatdesk.core.runs.runexport import load_run, run_json
from chatdesk.core.services import Endpoint
from chatdesk.core.settings import AppSettings
from chatdesk.store import Store
from tests.fakeserver import FakeServer, RecordedRequest, Reply

JUDGE = "judge-model"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


@pytest.fixture
def endpoint(fake_server: FakeServer) -> Endpoint:
    return Endpoint(None, fake_server.base_url, None, None, "none", "url:fake")


@pytest_asyncio.fixture
async def pool(store: Store) -> AsyncIterator[ClientPool]:
    pool = ClientPool(store, AppSettings())
    yield pool
    await pool.close()


def prompts(n: int) -> list[PromptItem]:
    return [PromptItem(i, f"q{i}", f"question number {i}") for i in range(n)]


def make_run(
    store: Store,
    endpoint: Endpoint,
    models: list[str],
    n: int,
    *,
    judge: bool = False,
    concurrency: int = 4,
) -> int:
    columns = [column_spec(m, endpoint, {"temperature": 0.5}) for m in models]
    spec = judge_spec(JUDGE, endpoint, load_template()) if judge else None
    return store.runs.create_run("test", columns, prompts(n), judge=spec, concurrency=concurrency)


def runner(store: Store, pool: ClientPool, **kw: Any) -> BatchRunner:
    return BatchRunner(store, pool, spec_connector(store, pool), **kw)


def question_of(req: RecordedRequest) -> str:
    return str(req.json["messages"][-1]["content"])


def cell_requests(server: FakeServer) -> list[tuple[str, str]]:
    """(model, question) of every answer request (judge calls left out; a request
    stopped while its body was being sent has no JSON and reached no model)."""
    return [
        (r.json["model"], question_of(r))
        for r in server.chat_requests
        if isinstance(r.json, dict) and r.json["model"] != JUDGE
    ]


class Log(BatchObserver):
    def __init__(self) -> None:
        self.progress_seen: list[BatchProgress] = []
        self.paused: list[tuple[str, float]] = []
        self.finished: list[BatchOutcome] = []

    def progress(self, runner: BatchRunner, progress: BatchProgress) -> None:
        self.progress_seen.append(
            BatchProgress(
                progress.run_id,
                progress.cells_total,
                progress.cells_done,
                progress.cells_failed,
                progress.judge_total,
                progress.judge_done,
                eta_s=progress.eta_s,
                cost=dict(progress.cost),
            )
        )

    def provider_paused(self, runner: BatchRunner, provider: str, seconds: float) -> None:
        self.paused.append((provider, seconds))

    def run_finished(self, runner: BatchRunner, outcome: BatchOutcome) -> None:
        self.finished.append(outcome)


@pytest.mark.asyncio
async def test_concurrency_bound_over_the_whole_run(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    for model in ("m1", "m2", "m3"):
        fake_server.default_for(model, Reply(text=f"answer {model}", first_delay_s=0.05))
    run_id = make_run(store, endpoint, ["m1", "m2", "m3"], 8, concurrency=3)
    log = Log()
    outcome = await runner(store, pool, observer=log).run(run_id)
    assert outcome.status == "done" and outcome.complete
    assert fake_server.max_in_flight == 3  # reached, never passed
    assert len(fake_server.chat_requests) == 24
    cells = store.runs.cells(run_id)
    assert len(cells) == 24 and all(c.status == "done" for c in cells)
    first = cells[0]
    assert first.content == "answer m1"
    assert first.ttft_ms is not None and first.ttft_ms >= 50
    assert first.duration_ms is not None and first.usage is not None
    assert first.usage["completion_tokens"] > 0
    assert store.runs.get_run(run_id).status == "done"  # type: ignore[union-attr]
    assert log.progress_seen[-1].cells_done == 24
    assert all(r.json["temperature"] == 0.5 for r in fake_server.chat_requests)
    assert any(p.eta_s is not None for p in log.progress_seen[1:-1])


@pytest.mark.asyncio
async def test_429_pauses_the_provider_and_the_cell_succeeds(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.script_for("m1", Reply.rate_limited(retry_after=0.6))
    run_id = make_run(store, endpoint, ["m1", "m2"], 3, concurrency=1)
    log = Log()
    began = time.monotonic()
    outcome = await runner(store, pool, observer=log).run(run_id)
    assert outcome.status == "done"
    assert time.monotonic() - began >= 0.6
    assert log.paused and log.paused[0][1] == pytest.approx(0.6)
    cells = store.runs.cells(run_id)
    assert all(c.status == "done" and c.error is None for c in cells)
    # the 429'd cell went again first, after the wait: 6 cells + 1 refused request
    asked = cell_requests(fake_server)
    assert len(asked) == 7
    assert asked[0] == asked[1] == ("m1", "question number 0")


@pytest.mark.asyncio
async def test_a_failing_model_saves_errors_and_the_rest_is_done(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.default_for("broken", Reply.error(400, "model broken is not supported"))
    run_id = make_run(store, endpoint, ["ok", "broken"], 3)
    outcome = await runner(store, pool).run(run_id)
    assert outcome.status == "failed" and not outcome.complete
    assert outcome.progress.cells_done == 3 and outcome.progress.cells_failed == 3
    by_model = {(c.prompt_index, c.model_index): c for c in store.runs.cells(run_id)}
    for p in range(3):
        assert by_model[(p, 0)].status == "done"
        bad = by_model[(p, 1)]
        assert bad.status == "error" and bad.error is not None
        assert bad.error["category"] == "bad_request"
        assert bad.error["http_status"] == 400
        assert "model broken is not supported" in bad.error["message"]
    errors = [c["error"] for c in run_json(load_run(store, run_id))["cells"]]  # type: ignore[arg-type]
    assert sum(e is not None for e in errors) == 3

    # one failed cell retried alone: one request, that cell only
    fake_server.default_for("broken", Reply(text="fixed now"))
    before = len(fake_server.chat_requests)
    again = await runner(store, pool).retry_cell(run_id, 1, 1)
    assert len(fake_server.chat_requests) == before + 1
    assert question_of(fake_server.chat_requests[-1]) == "question number 1"
    assert again.progress.cells_done == 4 and again.progress.cells_failed == 2
    fixed = [c for c in store.runs.cells(run_id) if (c.prompt_index, c.model_index) == (1, 1)]
    assert fixed[0].status == "done" and fixed[0].content == "fixed now"
    assert fixed[0].error is None
    assert store.runs.get_run(run_id).status == "failed"  # type: ignore[union-attr]

    # a done cell is final: retrying it sends nothing
    await runner(store, pool).retry_cell(run_id, 1, 1)
    assert len(fake_server.chat_requests) == before + 1


def judge_says(text: str) -> Any:
    def respond(request: dict[str, Any]) -> Reply | None:
        return Reply(text=text) if request.get("model") == JUDGE else None

    return respond


@pytest.mark.asyncio
async def test_a_judge_that_always_says_A_gives_ties_only(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    for model in ("m1", "m2", "m3"):
        fake_server.default_for(model, Reply(text=f"answer of {model}"))
    fake_server.responder = judge_says("Both are fine, but the first is better. [[A]]")
    run_id = make_run(store, endpoint, ["m1", "m2", "m3"], 2, judge=True)
    outcome = await runner(store, pool).run(run_id)
    assert outcome.status == "done"
    judge_calls = [r for r in fake_server.chat_requests if r.json["model"] == JUDGE]
    assert len(judge_calls) == 2 * 2 * 3  # prompts x pairs x two orders
    data = run_json(load_run(store, run_id))  # type: ignore[arg-type]
    assert len(data["verdicts"]) == 6
    assert {v["winner"] for v in data["verdicts"]} == {"tie"}
    assert all(s["judge_ties"] == 4 and s["judge_wins"] == 0 for s in data["summary"])
    # the two orders showed the answers both ways round
    pair = [
        q
        for q in map(question_of, judge_calls)
        if "question number 0" in q and "answer of m3" not in q
    ]
    assert len(pair) == 2
    assert sorted(q.index("answer of m1") < q.index("answer of m2") for q in pair) == [
        False,
        True,
    ]


@pytest.mark.asyncio
async def test_a_judge_reply_without_verdict_is_invalid_and_judging_starts_early(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.default_for("m1", Reply(text="one"))
    fake_server.default_for("m2", Reply(text="two", first_delay_s=0.02))
    fake_server.responder = judge_says("I cannot decide.")
    run_id = make_run(store, endpoint, ["m1", "m2"], 6, judge=True, concurrency=2)
    outcome = await runner(store, pool).run(run_id)
    assert outcome.status == "done"
    data = run_json(load_run(store, run_id))  # type: ignore[arg-type]
    assert {v["winner"] for v in data["verdicts"]} == {"invalid"}
    assert all(v["raw"] == ["I cannot decide.", "I cannot decide."] for v in data["verdicts"])
    models = [r.json["model"] for r in fake_server.chat_requests]
    last_cell = max(i for i, m in enumerate(models) if m != JUDGE)
    assert models.index(JUDGE) < last_cell  # pairs are judged while the grid fills


@pytest.mark.asyncio
async def test_the_judge_uses_the_template_stored_with_the_run(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.responder = judge_says("[[B]]")
    template = "OWN TEMPLATE {question} / {answer_a} / {answer_b} -- pick"
    columns = [column_spec(m, endpoint) for m in ("m1", "m2")]
    spec = judge_spec(JUDGE, endpoint, template)
    run_id = store.runs.create_run("t", columns, prompts(1), judge=spec)
    await runner(store, pool).run(run_id)
    calls = [question_of(r) for r in fake_server.chat_requests if r.json["model"] == JUDGE]
    assert len(calls) == 2 and all(c.startswith("OWN TEMPLATE question number 0 /") for c in calls)


@pytest.mark.asyncio
async def test_stop_leaves_cells_to_do_and_a_resume_asks_only_them(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    for model in ("m1", "m2"):
        fake_server.default_for(model, Reply(text="x" * 40, chunk_chars=2, delay_s=0.01))
    run_id = make_run(store, endpoint, ["m1", "m2"], 6, concurrency=2)
    batch = runner(store, pool)

    class StopAfterFour(BatchObserver):
        def cell_saved(self, r: BatchRunner, rid: int, p: int, m: int, status: str) -> None:
            if status == "done" and r.progress is not None and r.progress.cells_done == 4:
                r.stop()

    batch.observe(StopAfterFour())
    outcome = await batch.run(run_id)
    assert outcome.status == "stopped"
    done = {(c.prompt_index, c.model_index) for c in store.runs.cells(run_id) if c.status == "done"}
    assert len(done) == 4
    assert store.runs.get_run(run_id).status == "stopped"  # type: ignore[union-attr]
    partial = [c for c in store.runs.cells(run_id) if c.status == "pending"]
    assert all(c.content and len(c.content) < 40 for c in partial)  # kept, not done
    again = await runner(store, pool).run(run_id)
    assert again.status == "done"
    # Counted over both drives (a request stopped in flight may be recorded late):
    # a cell done before the stop was asked once, never again.
    names = {"m1": 0, "m2": 1}
    asked = Counter((int(q.rsplit(" ", 1)[1]), names[m]) for m, q in cell_requests(fake_server))
    assert all(asked[cell] == 1 for cell in done)
    assert set(asked) == {(p, m) for p in range(6) for m in range(2)}
    assert all(c.status == "done" for c in store.runs.cells(run_id))


@pytest.mark.asyncio
async def test_cost_from_prices(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    usage = {"prompt_tokens": 1000, "completion_tokens": 2000, "total_tokens": 3000}
    fake_server.default_for("m1", Reply(text="priced", usage=usage, usage_mode="always_final"))
    prices = PriceTable({("", "m1"): Price(1.0, 2.0, "USD")})
    run_id = make_run(store, endpoint, ["m1", "m2"], 2)
    outcome = await runner(store, pool, prices=prices).run(run_id)
    assert outcome.progress.cost == {"USD": pytest.approx(2 * 0.005)}
    cells = {c.model_index: c for c in store.runs.cells(run_id) if c.prompt_index == 0}
    assert cells[0].cost == pytest.approx(0.005) and cells[0].currency == "USD"
    assert cells[1].cost is None
    data = json.loads(json.dumps(run_json(load_run(store, run_id))))  # type: ignore[arg-type]
    assert data["summary"][0]["cost"] == pytest.approx(0.01)


@pytest.mark.asyncio
async def test_cancelling_the_drive_stops_requests_and_marks_the_run_stopped(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    fake_server.default_for("m1", Reply(text="slow", first_delay_s=5))
    fake_server.default_for("m2", Reply(text="slow", first_delay_s=5))
    run_id = make_run(store, endpoint, ["m1", "m2"], 2)
    task = asyncio.ensure_future(runner(store, pool).run(run_id))
    while fake_server.in_flight < 4:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.runs.get_run(run_id).status == "stopped"  # type: ignore[union-attr]
    assert store.runs.cells_to_do(run_id) == [(0, 0), (0, 1), (1, 0), (1, 1)]


@pytest.mark.asyncio
async def test_the_eta_does_not_wait_for_judge_calls_a_failed_answer_blocks(
    store: Store, pool: ClientPool, endpoint: Endpoint, fake_server: FakeServer
) -> None:
    """m2 fails every answer: its pairs can never be judged in this run, so when all
    that can be done is done, nothing is left to wait for (it used to show an ETA)."""
    fake_server.default_for("m1", Reply(text="one"))
    fake_server.default_for("m2", Reply.error(400, "bad model parameters"))
    fake_server.default_for("m3", Reply(text="three"))
    fake_server.responder = judge_says("The first. [[A]]")
    run_id = make_run(store, endpoint, ["m1", "m2", "m3"], 3, judge=True, concurrency=2)
    log = Log()
    outcome = await runner(store, pool, observer=log).run(run_id)
    assert outcome.progress.cells_failed == 3
    last = log.progress_seen[-1]
    assert last.judge_done == 3 * 2  # prompts x the one judgeable pair x two orders
    assert last.judge_total == 3 * 3 * 2
    assert last.eta_s == 0
