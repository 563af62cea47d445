"""The tool loop of one turn: answer, run the tools it asks for, answer again.

A turn with MCP servers chosen runs an :class:`~chatdesk.core.chat.exchange.Exchange`
with the servers' tools in the request. When the answer asks for tool calls, each
call is approved (or not) by the caller's callback, the approved ones run in
parallel on their servers, every result is saved as a ``tool`` message chained
under the answer (server, tool, arguments, result, error and duration in its
``meta``), and the next request carries them. It ends when an answer asks for no
tool, after ``max_rounds`` rounds, on an error, or on Stop (which also cancels the
tool calls running). A denied, failed or cut call still gets a result, an error
the model can read, so the conversation stays valid for the server.

The window, the CLI and tests share this: only the approval callback and the
observer differ.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from chatdesk.api.types import ChatMessage, ChatRequest, ToolCall
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus, ExchangeTarget
from chatdesk.core.chat.session import ClientLike
from chatdesk.core.tools.mcpconfig import tool_alias
from chatdesk.core.tools.mcpmanager import McpManager, ServerState, ServerStatus, ToolSpec, bounded

DEFAULT_MAX_ROUNDS = 10
MAX_ARGUMENT_CHARS = 1 << 20


class Approval(StrEnum):
    """The user's answer to one tool call."""

    ONCE = "once"
    ALWAYS = "always"
    DENY = "deny"


@dataclass(slots=True)
class PendingCall:
    """A tool call the model asked for, resolved to its server."""

    call_id: str
    alias: str
    server: str
    tool: str
    arguments_text: str
    arguments: dict[str, Any] | None
    problem: str | None = None  # the arguments cannot be used


@dataclass(slots=True)
class ToolRun:
    """One call as run (or refused), what the model got back, and its saved row."""

    call_id: str
    server: str
    tool: str
    arguments: Any
    result: str
    error: str | None
    duration_ms: float
    message_id: int | None = None

    def content(self) -> str:
        """What the model reads."""
        if self.error is None:
            return self.result
        return f"Error: {self.error}"

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "tool": self.tool,
            "arguments": self.arguments,
            "result": self.result,
            "error": self.error,
            "duration_ms": self.duration_ms,
        }


class ToolStore(Protocol):
    """What the loop needs of the store (also a :class:`PatientStore`)."""

    def add_message(self, conversation_id: int, role: str, content: str = "", **kw: Any) -> int: ...

    def update_message(self, id: int, **fields: Any) -> None: ...

    def get_image(self, hash: str) -> tuple[bytes, str] | None: ...

    def update_conversation(self, id: int, **fields: Any) -> None: ...


class ApprovalsLike(Protocol):
    """The "always allow" memory (:class:`chatdesk.core.tools.mcpconfig.McpSettings`)."""

    def always_allowed(self, server: str, tool: str) -> bool: ...

    def allow_always(self, server: str, tool: str) -> None: ...


ApproveFn = Callable[[PendingCall], Awaitable[Approval]]


async def approve_all(_call: PendingCall) -> Approval:
    """``--approve auto``: every call runs."""
    return Approval.ONCE


async def deny_all(_call: PendingCall) -> Approval:
    """``--approve never``: every call is refused (the model is told so)."""
    return Approval.DENY


class ToolCatalog:
    """The tools of the ready servers, under names that cannot collide."""

    def __init__(self, statuses: list[ServerStatus], taken: list[str] | None = None) -> None:
        self.by_alias: dict[str, ToolSpec] = {}
        self.tools: list[dict[str, Any]] = []
        used = set(taken or [])
        for status in statuses:
            if status.state is not ServerState.READY:
                continue
            for spec in status.tools:
                alias = tool_alias(spec.server, spec.name, used)
                used.add(alias)
                self.by_alias[alias] = spec
                function: dict[str, Any] = {"name": alias, "parameters": spec.parameters}
                if spec.description:
                    function["description"] = spec.description
                self.tools.append({"type": "function", "function": function})


class ToolLoopObserver:
    """Override what you need; called on the caller's event loop."""

    def exchange_created(self, turn: ToolTurn, exchange: Exchange) -> None:
        """A new exchange is about to run (bind it to a view here)."""

    def tools_started(self, turn: ToolTurn, calls: list[PendingCall]) -> None:
        """Approved calls are running."""

    def tools_saved(self, turn: ToolTurn, runs: list[ToolRun]) -> None:
        """The results of one round are saved (show them)."""


@dataclass(slots=True)
class ToolSetup:
    """What a turn needs to offer MCP tools: the servers, who approves, how many rounds.

    The window and the CLI differ only here (their approval and the manager they
    own); :meth:`turn` makes the loop that replaces a planned exchange.
    """

    manager: McpManager
    servers: list[str]
    approve: ApproveFn
    approvals: ApprovalsLike | None = None
    max_rounds: int = DEFAULT_MAX_ROUNDS

    def turn(self, first: Exchange, observer: ToolLoopObserver | None = None) -> ToolTurn:
        """The tool loop in place of ``first`` (its client, request, store and target)."""
        return ToolTurn(
            first.client,
            first.request,
            manager=self.manager,
            servers=self.servers,
            approve=self.approve,
            approvals=self.approvals,
            store=first.store,  # type: ignore[arg-type]
            target=first.target,
            max_rounds=self.max_rounds,
            observer=observer,
        )


@dataclass(slots=True)
class TurnOutcome:
    """How a tool turn ended: the status of its last exchange, or stopped."""

    status: ExchangeStatus
    exchanges: list[Exchange] = field(default_factory=list)
    tool_runs: list[ToolRun] = field(default_factory=list)
    rounds: int = 0
    limit_reached: bool = False
    notes: list[str] = field(default_factory=list)


def _parse_arguments(text: str) -> tuple[dict[str, Any] | None, str | None]:
    if len(text) > MAX_ARGUMENT_CHARS:
        return None, "the arguments are larger than 1 MB"
    try:
        value = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        return None, f"the arguments are not valid JSON ({exc})"
    except RecursionError:
        return None, "the arguments are nested too deeply"
    if not isinstance(value, dict):
        return None, "the arguments must be a JSON object"
    return value, None


class ToolTurn:
    """One user turn that may take several exchanges and tool rounds.

    Args:
        request: the first request (its ``tools`` get the servers' tools added).
        servers: the MCP servers whose tools are offered.
        approve: asks whether one call may run.
        approvals: where "always allow" is read and remembered (None: not at all).
        store, target: where answers and tool results are saved (None: not saved).
    """

    def __init__(
        self,
        client: ClientLike,
        request: ChatRequest,
        *,
        manager: McpManager,
        servers: list[str],
        approve: ApproveFn,
        approvals: ApprovalsLike | None = None,
        store: ToolStore | None = None,
        target: ExchangeTarget | None = None,
        max_rounds: int = DEFAULT_MAX_ROUNDS,
        observer: ToolLoopObserver | None = None,
    ) -> None:
        self.client = client
        self.request = request
        self.manager = manager
        self.servers = list(servers)
        self.approve = approve
        self.approvals = approvals
        self.store = store
        self.target = target or ExchangeTarget()
        self.max_rounds = max_rounds
        self.observer = observer or ToolLoopObserver()
        self.exchange: Exchange | None = None
        self.catalog: ToolCatalog | None = None
        self.caller_tools: set[str] = set()
        self.outcome = TurnOutcome(ExchangeStatus.PENDING)
        self._stopped = False
        self._waiting: asyncio.Future[Any] | None = None

    # --- control ------------------------------------------------------------------

    @property
    def stopped(self) -> bool:
        return self._stopped

    def stop(self) -> None:
        """Stop the answer streaming, the approval asked and the tool calls running."""
        self._stopped = True
        if self.exchange is not None:
            self.exchange.stop()
        if self._waiting is not None and not self._waiting.done():
            self._waiting.cancel()

    async def _guarded(self, awaitable: Awaitable[Any]) -> Any:
        """Await something Stop may cancel (callers check :attr:`stopped` on a cancel)."""
        self._waiting = asyncio.ensure_future(awaitable)
        try:
            return await self._waiting
        finally:
            self._waiting = None

    # --- the loop -----------------------------------------------------------------

    async def prepare(self) -> ChatRequest:
        """Start the servers and put their tools into the request."""
        statuses = await self.manager.ensure_all(self.servers)
        outcome = self.outcome
        for status in statuses:
            if status.state is not ServerState.READY:
                outcome.notes.append(f"MCP server {status.name}: {status.summary()}")
        taken = [
            t["function"]["name"]
            for t in self.request.tools or []
            if isinstance(t, dict) and isinstance(t.get("function"), dict)
        ]
        self.caller_tools = set(taken)
        self.catalog = ToolCatalog(statuses, taken)
        if self.catalog.tools:
            tools = [*(self.request.tools or []), *self.catalog.tools]
            self.request = dataclasses.replace(self.request, tools=tools)
        return self.request

    async def run(self) -> TurnOutcome:
        """Run the turn to its end; never raises for a server's or a tool's sake."""
        outcome = self.outcome
        try:
            request = await self._guarded(self.prepare())
        except asyncio.CancelledError:
            if not self._stopped:
                raise
            outcome.status = ExchangeStatus.STOPPED
            return outcome
        assert self.catalog is not None
        target = self.target
        while True:
            exchange = Exchange(self.client, request, store=self.store, target=target)
            self.exchange = exchange
            outcome.exchanges.append(exchange)
            self.observer.exchange_created(self, exchange)
            if self._stopped:
                outcome.status = ExchangeStatus.STOPPED
                break
            await exchange.run()
            outcome.status = exchange.status
            if exchange.status is not ExchangeStatus.DONE or exchange.outcome is None:
                break
            choice = exchange.outcome.result.choices.get(0)
            calls = list(choice.tool_calls) if choice is not None else []
            if not calls:
                break
            unknown = [c.name for c in calls if c.name not in self.catalog.by_alias]
            if any(name in self.caller_tools for name in unknown):
                # The caller's own tools: its caller runs them (the request builder
                # answers any it leaves unanswered, so the history stays valid).
                outcome.notes.append(
                    "the answer asks for tools that are not MCP tools: " + ", ".join(unknown)
                )
                break
            answer_id = exchange.message_ids.get(0)
            if outcome.rounds >= self.max_rounds:
                outcome.limit_reached = True
                reason = (
                    f"not run: the limit of {self.max_rounds} tool rounds for one turn was reached"
                )
                runs = [self._refused(self._pending(c), reason) for c in calls]
                self._save(runs, answer_id)
                outcome.tool_runs.extend(runs)
                self.observer.tools_saved(self, runs)
                break
            outcome.rounds += 1
            runs = await self._round([self._pending(c) for c in calls])
            last_id = self._save(runs, answer_id)
            outcome.tool_runs.extend(runs)
            self.observer.tools_saved(self, runs)
            if self._stopped:
                outcome.status = ExchangeStatus.STOPPED
                break
            assistant = ChatMessage(
                role="assistant",
                content=choice.content if choice is not None and choice.content else None,
                tool_calls=[c.to_openai() for c in calls],
            )
            replies = [
                ChatMessage(role="tool", content=r.content(), tool_call_id=r.call_id) for r in runs
            ]
            request = dataclasses.replace(
                request, messages=[*request.messages, assistant, *replies], n=None
            )
            # The next answer follows the tool results; the target's meta (a compare
            # column) goes with it.
            target = ExchangeTarget(self.target.conversation_id, last_id, meta=self.target.meta)
        return outcome

    def _pending(self, call: ToolCall) -> PendingCall:
        assert self.catalog is not None
        spec = self.catalog.by_alias.get(call.name)
        if spec is None:
            # A name the model made up: it still gets a result, an error it can read,
            # or the next request would carry a tool call without its answer (HTTP 400).
            unknown = f"there is no tool named {call.name[:128]!r}; use one of the tools offered"
            return PendingCall(call.id, call.name, "", call.name, call.arguments, None, unknown)
        arguments, problem = _parse_arguments(call.arguments)
        return PendingCall(
            call.id, call.name, spec.server, spec.name, call.arguments, arguments, problem
        )

    @staticmethod
    def _refused(call: PendingCall, reason: str) -> ToolRun:
        args = bounded(call.arguments) if call.arguments is not None else call.arguments_text
        return ToolRun(call.call_id, call.server, call.tool, args, "", reason, 0.0)

    async def _round(self, calls: list[PendingCall]) -> list[ToolRun]:
        """Ask approval for each call, then run the approved ones in parallel."""
        decided: list[tuple[PendingCall, str | None]] = []
        for call in calls:
            if call.problem is not None:
                decided.append((call, call.problem))
                continue
            if self._stopped:
                decided.append((call, "stopped by the user"))
                continue
            if self.approvals is not None and self.approvals.always_allowed(call.server, call.tool):
                decided.append((call, None))
                continue
            try:
                answer = await self._guarded(self.approve(call))
            except asyncio.CancelledError:
                if not self._stopped:
                    raise
                decided.append((call, "stopped by the user"))
                continue
            if answer is Approval.ALWAYS and self.approvals is not None:
                self.approvals.allow_always(call.server, call.tool)
            allowed = answer in (Approval.ONCE, Approval.ALWAYS)
            decided.append((call, None if allowed else "the user denied this tool call"))
        approved = [c for c, why in decided if why is None]
        if approved:
            self.observer.tools_started(self, approved)
        results: dict[str, ToolRun] = {}
        if approved and not self._stopped:
            tasks = [asyncio.ensure_future(self._call(c)) for c in approved]
            try:
                await self._guarded(asyncio.wait(tasks))
            except asyncio.CancelledError:
                for task in tasks:
                    task.cancel()  # Stop: the calls are cancelled on their servers too
                await asyncio.wait(tasks)
                if not self._stopped:
                    raise
            for call, task in zip(approved, tasks, strict=True):
                if not task.cancelled() and task.exception() is None:
                    results[call.call_id] = task.result()
                elif not task.cancelled():
                    failure = f"ChatDesk failed: {task.exception()}"
                    results[call.call_id] = self._refused(call, failure)
        runs = []
        for call, why in decided:
            if why is not None:
                runs.append(self._refused(call, why))
            else:
                runs.append(results.get(call.call_id) or self._refused(call, "stopped by the user"))
        return runs

    async def _call(self, call: PendingCall) -> ToolRun:
        assert call.arguments is not None
        result = await self.manager.call(call.server, call.tool, call.arguments)
        return ToolRun(
            call.call_id,
            call.server,
            call.tool,
            bounded(call.arguments),
            result.text,
            result.error,
            result.duration_ms,
        )

    def _save(self, runs: list[ToolRun], parent_id: int | None) -> int | None:
        """Chain the results under the answer, in the order of the calls."""
        conv = self.target.conversation_id
        if self.store is None or conv is None or parent_id is None:
            return parent_id
        for run in runs:
            run.message_id = self.store.add_message(
                conv,
                "tool",
                run.content(),
                parent_id=parent_id,
                tool_call_id=run.call_id,
                name=run.tool,
                meta={"mcp": run.to_json()},
                make_current=True,
            )
            parent_id = run.message_id
        return parent_id
