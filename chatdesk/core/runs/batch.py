"""A stored prompt-set run, driven to completion: bounded, resumable, judged as it goes.

:class:`BatchRunner` reads what is still to do from the run tables
(:meth:`~chatdesk.store.runs.RunRepository.cells_to_do`,
:meth:`~chatdesk.store.runs.RunRepository.judgements_to_do`), so a run killed at any
point resumes without asking a done cell again. Every request, answers and judge
calls alike, is a :class:`~chatdesk.core.chat.runner.TurnRunner` turn (the one run path),
and at most ``concurrency`` of them are in flight over the whole run.

- A 429 pauses that provider (a gate: no new request to it until its Retry-After
  has passed) and puts the cell back at the head of its queue; only after
  :data:`MAX_RATE_LIMIT_TRIES` refusals is it saved as an error.
- Any other failure saves the cell as ``error`` with ``{category, http_status,
  message}`` and the partial text; :meth:`BatchRunner.retry_cell` asks it again.
- A pair of answers is judged (both orders) as soon as both exist, with the
  template stored in the run's judge spec when the run was made.
- :meth:`BatchRunner.stop` stops the requests in flight: their cells stay not done.

Progress goes to a :class:`BatchObserver` (a terminal line, a window's grid). No Qt.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatdesk.core.arena.prices import PriceTable, cost
from chatdesk.core.chat.exchange import Exchange
from chatdesk.core.chat.runner import TurnRunner, TurnStatus
from chatdesk.core.chat.turns import Draft, build_request
from chatdesk.core.runs.batchtypes import (
    BatchObserver,
    BatchOutcome,
    BatchProgress,
    Connect,
    RunBusy,
    column_spec,
    judge_spec,
    spec_connector,
)
from chatdesk.core.runs.judge import judge_request_count, render_job, verdict
from chatdesk.store.runs import JudgementKey

if TYPE_CHECKING:
    from chatdesk.api.errors import ApiError
    from chatdesk.api.types import ChatRequest
    from chatdesk.core.chat.runner import TurnResult
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.services import Endpoint
    from chatdesk.store import Store
    from chatdesk.store.runs import RunPrompt, RunRow

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_PAUSE_S",
    "MAX_RATE_LIMIT_TRIES",
    "BatchObserver",
    "BatchOutcome",
    "BatchProgress",
    "BatchRunner",
    "Connect",
    "column_spec",
    "judge_spec",
    "spec_connector",
]

DEFAULT_CONCURRENCY = 4
#: Requests one cell may make while the server keeps answering 429.
MAX_RATE_LIMIT_TRIES = 6
#: A Retry-After longer than this fails the cell instead (resume the run later).
MAX_PAUSE_S = 600.0
#: A 429 without Retry-After pauses 1, 2, 4... s (at most :data:`NO_HINT_MAX_PAUSE_S`).
NO_HINT_FIRST_PAUSE_S = 1.0
NO_HINT_MAX_PAUSE_S = 60.0

# --------------------------------------------------------------------------- the run


@dataclass(slots=True, eq=False)
class _Job:
    """One request to make: a cell (``key`` None) or a judge call."""

    prompt: int
    model: int = -1
    key: JudgementKey | None = None
    tries: int = 0


class _Drive:
    """One drive of one run: its connections, queues, gates and counts."""

    def __init__(self, run: RunRow, prompts: list[RunPrompt], limit: int, started: float) -> None:
        self.run = run
        self.prompts = prompts
        self.limit = limit
        self.started = started
        self.columns: list[tuple[Any, Endpoint, str]] = []  # client, endpoint, gate
        self.judge: tuple[Any, Endpoint, str] | None = None
        self.cells: dict[str, deque[_Job]] = {}
        self.judging: dict[str, deque[_Job]] = {}
        self.gates: dict[str, float] = {}  # provider -> loop time it reopens
        self.queued_judge: set[JudgementKey] = set()
        self.done: set[tuple[int, int]] = set()
        self.errors: set[tuple[int, int]] = set()
        self.judged: set[JudgementKey] = set()  # saved done
        self.judge_errors: set[JudgementKey] = set()
        self.finished = 0  # requests settled in this drive (for the rate)
        self.requests = 0
        self.in_flight: dict[int, TurnRunner] = {}
        self.progress = BatchProgress(run.id, run.total_cells)

    def queued(self) -> bool:
        return any(self.cells.values()) or any(self.judging.values())

    def take(self, now: float) -> _Job | None:
        """The next job whose provider is open: judge calls first (they finish pairs),
        then the cell with the lowest prompt (rows fill in order, pairs get judged)."""
        for gate, jobs in self.judging.items():
            if jobs and self.gates.get(gate, 0.0) <= now:
                return jobs.popleft()
        best: deque[_Job] | None = None
        for gate, jobs in self.cells.items():
            if jobs and self.gates.get(gate, 0.0) <= now:
                if best is None or jobs[0].prompt < best[0].prompt:
                    best = jobs
        return best.popleft() if best is not None else None

    def next_open(self, now: float) -> float | None:
        """Seconds until a closed provider with queued work reopens (None: none)."""
        waits = [
            self.gates[g] - now
            for queues in (self.cells, self.judging)
            for g, jobs in queues.items()
            if jobs and self.gates.get(g, 0.0) > now
        ]
        return max(0.0, min(waits)) if waits else None

    def gate_of(self, job: _Job) -> str:
        if job.key is not None:
            assert self.judge is not None
            return self.judge[2]
        return self.columns[job.model][2]

    def requeue(self, job: _Job) -> None:
        queues = self.judging if job.key is not None else self.cells
        queues.setdefault(self.gate_of(job), deque()).appendleft(job)

    def queue_judge(self, keys: list[JudgementKey]) -> None:
        if self.judge is None:
            return
        queue = self.judging.setdefault(self.judge[2], deque())
        for key in keys:
            if key not in self.queued_judge:
                self.queued_judge.add(key)
                queue.append(_Job(key.prompt_index, key=key))


class BatchRunner:
    """Drives stored runs (one at a time) on the current event loop.

    Args:
        store: the history database holding the run tables.
        pool: the shared client pool (each request leases its client through
            :class:`TurnRunner`).
        connect: maps a stored column or judge spec to (client, endpoint); see
            :func:`spec_connector`.
        prices: costs cells and judge calls where a price exists.
        observer: told about progress (more with :meth:`observe`).
    """

    def __init__(
        self,
        store: Store,
        pool: ClientPool,
        connect: Connect,
        *,
        prices: PriceTable | None = None,
        observer: BatchObserver | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.connect = connect
        self.prices = prices or PriceTable()
        self._observers: list[BatchObserver] = [observer] if observer is not None else []
        self._drive: _Drive | None = None
        self._stopping = False
        self._failure: BaseException | None = None
        self._waiters: list[asyncio.Future[None]] = []

    def observe(self, observer: BatchObserver) -> None:
        self._observers.append(observer)

    @property
    def running(self) -> bool:
        return self._drive is not None

    @property
    def progress(self) -> BatchProgress | None:
        """The live counts of the run being driven (None when idle)."""
        return self._drive.progress if self._drive is not None else None

    def stop(self) -> None:
        """Stop now: no new request, the ones in flight are stopped (their cells stay
        not done, a partial answer is kept as ``pending``)."""
        self._stopping = True
        if self._drive is not None:
            for runner in list(self._drive.in_flight.values()):
                runner.stop()
        self._kick()

    # --- entry points -----------------------------------------------------------------

    async def run(self, run_id: int, *, concurrency: int | None = None) -> BatchOutcome:
        """Ask every cell and judge call of the run that is not saved ``done``.

        Raises ``ValueError`` for an unknown run, and what ``connect`` raises for a
        provider that cannot be used (nothing is sent then).
        """
        runs = self.store.runs
        return await self._go(
            run_id, runs.cells_to_do(run_id), runs.judgements_to_do(run_id), concurrency
        )

    async def retry_cell(self, run_id: int, prompt_index: int, model_index: int) -> BatchOutcome:
        """Ask one cell again (a failed or unfinished one; a done cell is final), then
        judge its pairs that are complete."""
        runs = self.store.runs
        cells = [c for c in runs.cells_to_do(run_id) if c == (prompt_index, model_index)]
        keys = [k for k in runs.judgements_to_do(run_id) if k.prompt_index == prompt_index]
        return await self._go(run_id, cells, keys, None)

    # --- the drive --------------------------------------------------------------------

    async def _go(
        self,
        run_id: int,
        cells: list[tuple[int, int]],
        keys: list[JudgementKey],
        concurrency: int | None,
    ) -> BatchOutcome:
        if self._drive is not None:
            raise RuntimeError("this BatchRunner is already driving a run")
        runs = self.store.runs
        run = runs.get_run(run_id)
        if run is None:
            raise ValueError(f"no run with id {run_id}")
        if run.status == "running":  # its runner lives (a dead one reads "stopped")
            raise RunBusy(run_id)
        limit = max(1, int(concurrency or run.concurrency or DEFAULT_CONCURRENCY))
        drive = _Drive(run, runs.prompts(run_id), limit, time.monotonic())
        for spec in run.columns:  # every provider resolved before anything is sent
            client, endpoint = self.connect(spec)
            drive.columns.append((client, endpoint, endpoint.base_url))
        if run.judge is not None:
            client, endpoint = self.connect(run.judge)
            drive.judge = (client, endpoint, endpoint.base_url)
        self._count_saved(drive)
        for p, m in cells:
            drive.cells.setdefault(drive.columns[m][2], deque()).append(_Job(p, m))
        drive.queue_judge(keys)
        self._drive = drive
        self._stopping = False
        self._failure = None
        failure: BaseException | None = None
        runs.set_status(run_id, "running")
        self._tell_progress()
        try:
            failure = await self._dispatch(drive)
        except asyncio.CancelledError:
            self.stop()
            await self._settle_in_flight(drive)
            self._finish(drive, None)
            raise
        except Exception as exc:  # a bug: the run is not left "running" behind it
            self.stop()
            self._finish(drive, exc)
            raise
        return self._finish(drive, failure)

    def _count_saved(self, drive: _Drive) -> None:
        """Counts and cost so far, from the saved rows (a resumed run goes on from them)."""
        progress = drive.progress
        for cell in self.store.runs.cells(drive.run.id):
            if cell.status == "done":
                drive.done.add((cell.prompt_index, cell.model_index))
            elif cell.status == "error":
                drive.errors.add((cell.prompt_index, cell.model_index))
            if cell.cost is not None and cell.currency:
                progress.cost[cell.currency] = progress.cost.get(cell.currency, 0.0) + cell.cost
        progress.cells_done = len(drive.done)
        progress.cells_failed = len(drive.errors)
        if drive.run.judge is not None:
            progress.judge_total = judge_request_count(
                drive.run.prompt_count, len(drive.run.columns)
            )
            for row in self.store.runs.judgements(drive.run.id):
                if row.status == "done":
                    drive.judged.add(row.key)
                else:
                    drive.judge_errors.add(row.key)
            progress.judge_done = len(drive.judged)
            progress.judge_failed = len(drive.judge_errors)

    async def _dispatch(self, drive: _Drive) -> BaseException | None:
        """``drive.limit`` workers, each taking the next job as soon as its last one is
        saved (no task and no loop turn per cell: the run keeps up with a fast server)."""
        loop = asyncio.get_running_loop()
        busy = [0]

        async def worker() -> None:
            me = asyncio.current_task()
            while not self._stopping and not (me is not None and me.cancelling()):
                job = drive.take(loop.time())
                if job is None:
                    if busy[0] == 0 and not drive.queued():
                        self._kick()  # the others see it too and end
                        return
                    # Wait for a job to be queued (a pair completed, a 429 requeued),
                    # the run to end, or a closed provider to reopen.
                    wake = loop.create_future()
                    self._waiters.append(wake)
                    try:
                        await asyncio.wait_for(wake, drive.next_open(loop.time()))
                    except TimeoutError:
                        pass
                    continue
                busy[0] += 1
                try:
                    await self._job(drive, job)
                finally:
                    busy[0] -= 1
                    self._kick()

        await asyncio.gather(*(worker() for _ in range(drive.limit)))
        return self._failure

    def _kick(self) -> None:
        """Wake the waiting workers (something was queued, saved or stopped)."""
        waiters, self._waiters = self._waiters, []
        for wake in waiters:
            if not wake.done():
                wake.set_result(None)

    async def _settle_in_flight(self, drive: _Drive) -> None:
        """After a cancel: let the stopped requests end (each saves its partial text)."""
        for _ in range(200):
            if not drive.in_flight:
                return
            await asyncio.sleep(0.01)

    def _finish(self, drive: _Drive, failure: BaseException | None) -> BatchOutcome:
        self._drive = None
        progress = drive.progress
        if self._stopping or failure is not None:
            status = "stopped"
        elif progress.cells_done == progress.cells_total and not drive.judge_errors:
            status = "done"
        else:
            status = "failed"
        try:
            self.store.runs.set_status(drive.run.id, status)
        except Exception as exc:  # the store is failing: say why the run ended
            failure = failure or exc
        progress.in_flight = 0
        progress.eta_s = None
        outcome = BatchOutcome(drive.run.id, status, progress, drive.requests, failure)
        for observer in list(self._observers):
            observer.run_finished(self, outcome)
        return outcome

    # --- one request ------------------------------------------------------------------

    async def _job(self, drive: _Drive, job: _Job) -> BaseException | None:
        """Run one job; a store failure is returned (and stops the run), never raised."""
        try:
            if job.key is None:
                await self._cell(drive, job)
            else:
                await self._judge(drive, job)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the store refused a write (disk full, read-only...)
            self._failure = exc
            self.stop()
            return exc
        return None

    async def _turn(
        self, drive: _Drive, job: _Job, client: Any, endpoint: Endpoint, request: ChatRequest
    ) -> TurnResult:
        runner = TurnRunner(self.pool, Exchange(client, request), endpoint=endpoint)
        slot = id(job)
        drive.in_flight[slot] = runner
        drive.requests += 1
        drive.progress.in_flight = len(drive.in_flight)
        if self._stopping:
            runner.stop()
        try:
            return await runner.run()
        finally:
            drive.in_flight.pop(slot, None)
            drive.progress.in_flight = len(drive.in_flight)

    def _rate_limited(self, drive: _Drive, job: _Job, result: TurnResult) -> bool:
        """A 429 with tries left: close the provider's gate and put the job back."""
        error = result.error
        if result.status is not TurnStatus.ERROR or error is None:
            return False
        if error.category != "rate_limit" or job.tries + 1 >= MAX_RATE_LIMIT_TRIES:
            return False
        wait = error.retry_after_s
        if wait is None:
            wait = min(NO_HINT_MAX_PAUSE_S, NO_HINT_FIRST_PAUSE_S * 2**job.tries)
        if wait > MAX_PAUSE_S:
            return False
        gate = drive.gate_of(job)
        now = asyncio.get_running_loop().time()
        drive.gates[gate] = max(drive.gates.get(gate, 0.0), now + wait)
        job.tries += 1
        drive.requeue(job)
        for observer in list(self._observers):
            observer.provider_paused(self, gate, wait)
        return True

    async def _cell(self, drive: _Drive, job: _Job) -> None:
        run = drive.run
        spec = run.columns[job.model]
        client, endpoint, _gate = drive.columns[job.model]
        prompt = drive.prompts[job.prompt]
        model = str(spec.get("model") or "")
        try:
            request = build_request(
                self.store,
                None,
                [],
                model,
                _dict(spec.get("params")),
                draft=Draft(prompt.prompt),
                system_prompt=prompt.system or _text(spec.get("system")),
                stream=True,
                extra_body=_dict(spec.get("extra_body")) or None,
            )
        except ValueError as exc:  # a stored parameter the checks refuse now
            error = {"category": "bad_request", "http_status": None, "message": str(exc)}
            self._save_cell(drive, job, "error", error=error)
            return
        for observer in list(self._observers):
            observer.cell_started(self, run.id, job.prompt, job.model)
        result = await self._turn(drive, job, client, endpoint, request)
        if self._rate_limited(drive, job, result):
            return
        final = result.final
        outcome = final.outcome if final is not None else None
        answer = outcome.result if outcome is not None else None
        choice = answer.choices.get(0) if answer is not None else None
        content = choice.content if choice is not None else ""
        if result.status is TurnStatus.STOPPED or final is None:
            if content:  # the partial text stays, the cell stays to do
                self._save_cell(drive, job, "pending", content=content)
            return
        stats = final.stats
        usage = answer.usage.to_dict() if answer is not None and answer.usage else None
        price = self.prices.get(_text(spec.get("provider")), model)
        cell_cost = cost(
            price, (usage or {}).get("prompt_tokens"), (usage or {}).get("completion_tokens")
        )
        figures: dict[str, Any] = {
            "content": content,
            "finish_reason": stats.finish_reason,
            "usage": usage,
            "ttft_ms": stats.ttft_ms,
            "duration_ms": stats.duration_ms,
            "tokens_per_s": stats.tokens_per_s(),
            "cost": cell_cost,
            "currency": price.currency if price is not None and cell_cost is not None else None,
        }
        if result.status is TurnStatus.DONE:
            self._save_cell(drive, job, "done", **figures)
        else:
            self._save_cell(drive, job, "error", error=_error_json(result), **figures)

    def _save_cell(self, drive: _Drive, job: _Job, status: str, **fields: Any) -> None:
        run_id = drive.run.id
        written = self.store.runs.save_cell(run_id, job.prompt, job.model, status=status, **fields)
        where = (job.prompt, job.model)
        progress = drive.progress
        if written and status != "pending":
            drive.finished += 1
            if status == "done":
                drive.done.add(where)
                drive.errors.discard(where)
            else:
                drive.errors.add(where)
            progress.cells_done = len(drive.done)
            progress.cells_failed = len(drive.errors)
            if fields.get("cost") is not None and fields.get("currency"):
                currency = str(fields["currency"])
                progress.cost[currency] = progress.cost.get(currency, 0.0) + fields["cost"]
        for observer in list(self._observers):
            observer.cell_saved(self, run_id, job.prompt, job.model, status)
        if status == "done" and drive.judge is not None:
            drive.queue_judge(self._ready_pairs(drive, job))
        self._tell_progress()

    def _ready_pairs(self, drive: _Drive, job: _Job) -> list[JudgementKey]:
        """The judge calls a newly done cell completes (its pairs whose other answer is
        done too), both orders, unless already saved done."""
        keys = []
        for other in range(len(drive.run.columns)):
            if other == job.model or (job.prompt, other) not in drive.done:
                continue
            a, b = sorted((job.model, other))
            keys += [JudgementKey(job.prompt, a, b, order) for order in ("AB", "BA")]
        return [k for k in keys if k not in drive.judged]

    async def _judge(self, drive: _Drive, job: _Job) -> None:
        key = job.key
        run = drive.run
        assert key is not None and drive.judge is not None and run.judge is not None
        client, endpoint, _gate = drive.judge
        runs = self.store.runs
        cell_a = runs.get_cell(run.id, key.prompt_index, key.a_index)
        cell_b = runs.get_cell(run.id, key.prompt_index, key.b_index)
        if cell_a is None or cell_b is None or not cell_a.status == cell_b.status == "done":
            drive.queued_judge.discard(key)
            return
        answers = [""] * len(run.columns)
        answers[key.a_index], answers[key.b_index] = cell_a.content, cell_b.content
        template = _text(run.judge.get("template")) or ""
        text = render_job(template, key, drive.prompts[key.prompt_index].prompt, answers)
        model = str(run.judge.get("model") or "")
        request = build_request(
            self.store,
            None,
            [],
            model,
            _dict(run.judge.get("params")),
            draft=Draft(text),
            stream=True,
            extra_body=_dict(run.judge.get("extra_body")) or None,
        )
        result = await self._turn(drive, job, client, endpoint, request)
        if self._rate_limited(drive, job, result):
            return
        drive.queued_judge.discard(key)
        if result.status is TurnStatus.STOPPED or result.final is None:
            return
        outcome = result.final.outcome
        answer = outcome.result if outcome is not None else None
        reply = answer.content if answer is not None else ""
        progress = drive.progress
        if result.status is TurnStatus.DONE:
            runs.save_judgement(run.id, key, reply=reply, verdict=verdict(reply))
            drive.judged.add(key)
            drive.judge_errors.discard(key)
            status = "done"
        else:
            runs.save_judgement(run.id, key, reply=reply, status="error", error=_error_json(result))
            drive.judge_errors.add(key)
            status = "error"
        progress.judge_done = len(drive.judged)
        progress.judge_failed = len(drive.judge_errors)
        if answer is not None and answer.usage is not None:
            price = self.prices.get(_text(run.judge.get("provider")), model)
            judge_cost = cost(price, answer.usage.prompt_tokens, answer.usage.completion_tokens)
            if price is not None and judge_cost is not None:
                progress.cost[price.currency] = progress.cost.get(price.currency, 0.0) + judge_cost
        drive.finished += 1
        for observer in list(self._observers):
            observer.judgement_saved(self, run.id, key, status)
        self._tell_progress()

    # --- progress ---------------------------------------------------------------------

    def _tell_progress(self) -> None:
        drive = self._drive
        if drive is None:
            return
        progress = drive.progress
        now = time.monotonic()
        progress.elapsed_s = now - drive.started
        # Cells queued or running, and every judge call not saved yet (most of them
        # wait for answers still to come).
        left = sum(len(q) for q in drive.cells.values()) + len(drive.in_flight)
        if drive.run.judge is not None:
            judge_left = progress.judge_total - progress.judge_done - progress.judge_failed
            left += max(0, judge_left - _blocked_judge_calls(drive))
        rate = drive.finished / progress.elapsed_s if progress.elapsed_s > 0 else 0.0
        progress.eta_s = left / rate if drive.finished and rate > 0 else None
        loop_now = asyncio.get_running_loop().time()
        progress.paused = {g: t - loop_now for g, t in drive.gates.items() if t > loop_now}
        for observer in list(self._observers):
            observer.progress(self, progress)


# --------------------------------------------------------------------------- helpers


def _blocked_judge_calls(drive: _Drive) -> int:
    """Judge calls that cannot be made while an answer of their pair has failed (a
    retry of that cell may free them): the ETA does not wait for them."""
    if not drive.errors:
        return 0
    columns = len(drive.run.columns)
    pairs = {
        (p, min(m, other), max(m, other))
        for p, m in drive.errors
        for other in range(columns)
        if other != m
    }
    return 2 * len(pairs)  # both orders; none was judged (a done answer is final)


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _error_json(result: TurnResult) -> dict[str, Any]:
    """``{category, http_status, message}``: what the failure means, then the server's
    own words when it gave any (never its raw body)."""
    error: ApiError | None = result.error
    if error is None:
        failure = result.failure
        return {
            "category": "internal",
            "http_status": None,
            "message": str(failure) if failure is not None else "the request failed",
        }
    message = error.explain()
    said = (error.message or "").strip()
    if said and said not in message:
        message = f"{message} The server said: {said}"
    return {"category": error.category, "http_status": error.http_status, "message": message}
