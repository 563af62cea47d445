"""One turn from lease to settled result: the run path every front end shares.

A turn is planned as an :class:`~chatdesk.core.chat.exchange.Exchange` (client, request,
store, target) by whoever knows the conversation: the chat pane, a compare column,
``chatdesk ask``, ``chatdesk compare``, a prompt-set run. :class:`TurnRunner` then
does what each of them used to write out by hand:

- lease the pooled client for the whole turn and release it in every case (done,
  stopped, failed, cancelled), so a retired client closes with its last user;
- run the planned exchange, or, with :class:`~chatdesk.core.tools.toolloop.ToolSetup`,
  the MCP tool loop in its place (one exchange per round);
- tell one :class:`TurnObserver` about every exchange, its text and the tool rounds;
- stop either kind of turn with one :meth:`TurnRunner.stop`;
- settle: a :class:`TurnResult` with the final exchange, all of them, a status,
  the error, a store failure, the loop's notes, and whether writes the database
  refused are still only in memory (:class:`~chatdesk.core.chat.patient.PatientStore`),
  with :meth:`TurnRunner.settle` (blocking, for a terminal) and
  :meth:`TurnRunner.save_later` (polite, for a window) to write them.

No global state and no Qt: one runner per turn is cheap, and many run at once on
one event loop (compare columns, a bounded prompt-set scheduler) with one pool.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from chatdesk.core.chat.exchange import (
    Exchange,
    ExchangeObserver,
    ExchangeStats,
    ExchangeStatus,
    listening,
)
from chatdesk.core.chat.patient import PatientStore

if TYPE_CHECKING:
    from chatdesk.api.errors import ApiError
    from chatdesk.core.chat.session import ExchangeOutcome
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.services import Endpoint
    from chatdesk.core.tools.toolloop import (
        PendingCall,
        ToolLoopObserver,
        ToolRun,
        ToolSetup,
        ToolTurn,
        TurnOutcome,
    )
    from chatdesk.store import StoreError


class TurnStatus(StrEnum):
    """How a turn ended (the same words as a saved answer's status)."""

    DONE = "done"
    STOPPED = "stopped"
    ERROR = "error"


class TurnObserver:
    """Override what you need; every hook runs on the event loop's thread.

    The one interface for plain and tool turns alike: a plain turn has one exchange
    and no tool rounds.
    """

    def exchange_created(self, runner: TurnRunner, exchange: Exchange) -> None:
        """An exchange of the turn is about to run: bind it to a view here."""

    def text_arrived(
        self, runner: TurnRunner, exchange: Exchange, index: int, text: str, reasoning: bool
    ) -> None:
        """A piece of answer text (or of its reasoning) for choice ``index``."""

    def tools_started(self, runner: TurnRunner, calls: list[PendingCall]) -> None:
        """Approved tool calls are running."""

    def tools_saved(self, runner: TurnRunner, runs: list[ToolRun]) -> None:
        """The results of one tool round are saved (show them)."""

    def turn_finished(self, runner: TurnRunner, result: TurnResult) -> None:
        """The turn is over and the client released; ``result`` says how it went."""


@dataclass(slots=True)
class TurnResult:
    """A settled turn. ``final`` is the exchange whose answer ends the turn."""

    status: TurnStatus
    exchanges: list[Exchange] = field(default_factory=list)
    error: ApiError | None = None  # the server's (or the network's) refusal
    failure: BaseException | None = None  # the store failed (disk full, read-only...)
    tool_runs: list[ToolRun] = field(default_factory=list)
    rounds: int = 0
    limit_reached: bool = False  # the tool round limit cut the turn
    max_rounds: int | None = None
    notes: list[str] = field(default_factory=list)  # servers that did not start, ...
    unsaved: bool = False  # some writes are only in memory: settle() or save_later()
    store_error: StoreError | None = None  # why they are not saved yet
    duration_ms: float | None = None  # the whole turn, tool calls included

    @property
    def final(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    @property
    def outcome(self) -> ExchangeOutcome | None:
        """The final exchange's outcome (None when it was stopped before an answer)."""
        final = self.final
        return final.outcome if final is not None else None

    @property
    def stats(self) -> ExchangeStats | None:
        """The figures the final exchange measured (ttft, duration, tokens, speed)."""
        final = self.final
        return final.stats if final is not None else None


class _TextRelay(ExchangeObserver):
    """Hands each exchange's text to the turn's observers."""

    def __init__(self, runner: TurnRunner) -> None:
        self.runner = runner

    def text_arrived(self, exchange: Exchange, index: int, text: str, reasoning: bool) -> None:
        runner = self.runner
        for observer in runner._texts:
            observer.text_arrived(runner, exchange, index, text, reasoning)


class TurnRunner:
    """Runs one planned turn (``first``) on a client leased from ``pool``.

    Args:
        pool: the shared pool the client came from (``first.client``).
        first: the planned exchange; a plain turn runs it, a tool turn replaces it.
        endpoint: given, the pool remembers what the server said about usage.
        tools: offer these MCP tools (None: a plain turn).
        observer: told about the turn (more with :meth:`observe`).
    """

    def __init__(
        self,
        pool: ClientPool,
        first: Exchange,
        *,
        endpoint: Endpoint | None = None,
        tools: ToolSetup | None = None,
        observer: TurnObserver | None = None,
    ) -> None:
        self.pool = pool
        self.first = first
        self.endpoint = endpoint
        self.tools = tools
        self.exchanges: list[Exchange] = []  # grows as the turn makes them
        self.result: TurnResult | None = None
        self._observers: list[TurnObserver] = [observer] if observer is not None else []
        self._texts = listening(self._observers, TurnObserver, "text_arrived")
        self._relay = _TextRelay(self)
        self._tool_turn: ToolTurn | None = None
        self._stopped = False
        self._started: float | None = None
        self._running = False

    def observe(self, observer: TurnObserver) -> None:
        self._observers.append(observer)
        self._texts = listening(self._observers, TurnObserver, "text_arrived")

    # --- state ----------------------------------------------------------------------

    @property
    def current(self) -> Exchange | None:
        """The exchange running now (or the last one): its stats are the live figures."""
        return self.exchanges[-1] if self.exchanges else None

    @property
    def running(self) -> bool:
        return self._running

    @property
    def stopped(self) -> bool:
        return self._stopped

    # --- control --------------------------------------------------------------------

    def stop(self) -> None:
        """Stop the turn at once, plain or with tools, running or not started yet.

        The partial answer stays, saved as stopped; a tool turn also withdraws its
        approval question and cancels the tool calls running.
        """
        self._stopped = True
        if self._tool_turn is not None:
            self._tool_turn.stop()
        elif self.exchanges:
            self.exchanges[-1].stop()

    async def run(self) -> TurnResult:
        """Lease, run, release, settle. Never raises for the server's or the store's sake.

        Cancelling the task that awaits this (Ctrl-C, a window closing) stops the
        answer streaming like :meth:`stop`; a tool turn cancelled outside a stream
        releases its client and re-raises.
        """
        if self._started is not None:
            raise RuntimeError("a TurnRunner runs one turn; make another for the next")
        self._started = time.monotonic()
        self._running = True
        client = self.first.client
        failure: BaseException | None = None
        loop_outcome: TurnOutcome | None = None
        try:
            async with self.pool.leased(client, self.endpoint):
                try:
                    if self.tools is None:
                        await self._run_plain()
                    else:
                        loop_outcome = await self._run_tools(self.tools)
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # the store refused a tool result row, ...
                    failure = exc
        finally:
            self._running = False
        result = self._settle(loop_outcome, failure)
        self.result = result
        for observer in list(self._observers):
            observer.turn_finished(self, result)
        return result

    async def _run_plain(self) -> None:
        exchange = self.first
        self._created(exchange)
        if self._stopped:
            # Stopped while being set up: a started, not yet running exchange ends at
            # once as stopped (its observers told), and sends nothing.
            exchange.start()
            exchange.stop()
            await exchange.wait()
            return
        await exchange.run()  # in this task: cancelling it stops the answer too

    async def _run_tools(self, tools: ToolSetup) -> TurnOutcome:
        turn = tools.turn(self.first, _loop_observer(self))
        self._tool_turn = turn
        try:
            if self._stopped:
                turn.stop()
            return await turn.run()
        finally:
            self._tool_turn = None

    def _created(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        exchange.observe(self._relay)
        for observer in list(self._observers):
            observer.exchange_created(self, exchange)

    def _tools_started(self, calls: list[PendingCall]) -> None:
        for observer in list(self._observers):
            observer.tools_started(self, calls)

    def _tools_saved(self, runs: list[ToolRun]) -> None:
        for observer in list(self._observers):
            observer.tools_saved(self, runs)

    # --- settling -------------------------------------------------------------------

    def _settle(self, loop: TurnOutcome | None, failure: BaseException | None) -> TurnResult:
        exchanges = list(self.exchanges)
        final = exchanges[-1] if exchanges else None
        if failure is None:
            failure = next((e.failure for e in exchanges if e.failure is not None), None)
        if failure is not None:
            status = TurnStatus.ERROR
        elif final is None or (loop is not None and loop.status is ExchangeStatus.STOPPED):
            status = TurnStatus.STOPPED
        elif final.status is ExchangeStatus.DONE:
            status = TurnStatus.DONE
        elif final.status is ExchangeStatus.ERROR:
            status = TurnStatus.ERROR
        else:  # stopped, or made and never run (the loop was stopped)
            status = TurnStatus.STOPPED
        result = TurnResult(
            status,
            exchanges,
            error=final.error if final is not None else None,
            failure=failure,
        )
        if loop is not None:
            result.tool_runs = list(loop.tool_runs)
            result.rounds = loop.rounds
            result.limit_reached = loop.limit_reached
            result.notes = list(loop.notes)
        if self.tools is not None:
            result.max_rounds = self.tools.max_rounds
        if self._started is not None:
            result.duration_ms = round((time.monotonic() - self._started) * 1000, 1)
        self._note_unsaved(result)
        return result

    def _patients(self) -> list[PatientStore]:
        """The stores that may keep writes in memory (one per turn in practice)."""
        found: list[PatientStore] = []
        for exchange in [self.first, *self.exchanges]:
            store = exchange.store
            if isinstance(store, PatientStore) and store not in found:
                found.append(store)
        return found

    def _note_unsaved(self, result: TurnResult | None) -> StoreError | None:
        patients = self._patients()
        error = next((p.last_error for p in patients if p.unsaved), None)
        if result is not None:
            result.unsaved = any(p.unsaved for p in patients)
            result.store_error = error
        return error

    @property
    def unsaved(self) -> bool:
        """Are some of the turn's writes only in memory?"""
        return any(p.unsaved for p in self._patients())

    def settle(self, timeout: float = 30.0) -> StoreError | None:
        """Write what the database refused, waiting (blocking) up to ``timeout`` s.

        For a terminal, after the loop or where nothing else needs it. ``None`` when
        everything is saved, else the database's last refusal.
        """
        for patient in self._patients():
            patient.settle(timeout)
        return self._note_unsaved(self.result)

    async def save_later(self, every_s: float = 1.0, attempts: int = 3600) -> StoreError | None:
        """Write what the database refused, one quick try every ``every_s`` seconds.

        For a window (or many turns at once): nothing blocks the loop for longer
        than one try. ``None`` once everything is saved, else the last refusal.
        """
        for _ in range(attempts):
            if not self.unsaved:
                break
            await asyncio.sleep(every_s)
            for patient in self._patients():
                patient.try_write()
        return self._note_unsaved(self.result)


def _loop_observer(runner: TurnRunner) -> ToolLoopObserver:
    """The tool loop's hooks, forwarded to the runner (imported only for tool turns)."""
    from chatdesk.core.tools.toolloop import ToolLoopObserver

    class Forward(ToolLoopObserver):
        def exchange_created(self, turn: ToolTurn, exchange: Exchange) -> None:
            runner._created(exchange)

        def tools_started(self, turn: ToolTurn, calls: list[PendingCall]) -> None:
            runner._tools_started(calls)

        def tools_saved(self, turn: ToolTurn, runs: list[ToolRun]) -> None:
            runner._tools_saved(runs)

    return Forward()
