"""The compare columns' turns: launch, stop, retry, and each column's state after.

Every column's turn is a :class:`~chatdesk.core.chat.runner.TurnRunner` (plain, or the MCP
tool loop when the column offers tools), bound to the column's message view with a
:class:`~chatdesk.ctl.pane.PaneBinder`. Columns run concurrently on the one event
loop; one that fails shows its own error and Retry while the others go on. The
compare controller owns a :class:`ColumnRuns` and hears :attr:`ColumnRuns.column_ended`
to refresh its figures and, when the last column ends, the vote.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, Signal

from chatdesk.core.arena.compare import LABELS, ColumnSpec, CompareError, Comparison
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus
from chatdesk.core.chat.patient import PatientStore
from chatdesk.core.chat.runner import TurnObserver, TurnRunner
from chatdesk.core.errors import ChatdeskError, ValidationError, plain
from chatdesk.core.services import Endpoint, SetupError, resolve_endpoint
from chatdesk.core.tools.mcpconfig import conversation_servers
from chatdesk.core.tools.toolloop import PendingCall, ToolRun
from chatdesk.ctl.comparetext import host_of, without_prompt
from chatdesk.ctl.pane import PaneBinder, turn_notes
from chatdesk.store.rows import MessageStatus
from chatdesk.ui.columnstate import ColumnState

if TYPE_CHECKING:
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.services import Services, ToolHost
    from chatdesk.store.rows import MessageRow
    from chatdesk.ui.compareview import CompareView


class RunHost(Protocol):
    """What the runs need of the compare controller that owns them (read only)."""

    specs: list[ColumnSpec]

    @property
    def view(self) -> CompareView: ...

    @property
    def comparison(self) -> Comparison | None: ...

    def names_hidden(self) -> bool: ...

    def scrub(self, row: MessageRow) -> MessageRow: ...

    def shown_rows(self, index: int) -> list[MessageRow]: ...

    def thread_rows(self, index: int) -> list[MessageRow]: ...


class ColumnRuns(QObject):
    """The turns the columns are running, and the last exchange of each column.

    Signals:
        column_ended(int): a column's turn is over and its state line says how.
    """

    column_ended = Signal(int)

    def __init__(
        self,
        host: RunHost,
        services: Services,
        endpoint: EndpointService,
        tools: ToolHost | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.services = services
        self.endpoint = endpoint
        self.tools = tools
        self.exchanges: dict[int, Exchange] = {}  # live figures come from these
        self.attempts: dict[int, int] = {}  # Retry presses per column in this turn
        self._runners: dict[int, TurnRunner] = {}  # the columns' turns running now
        self._hosts: dict[str | None, str] = {}  # base URL per column provider
        self._tasks: set[asyncio.Task[Any]] = set()

    def reset(self) -> None:
        """A new turn (or another comparison shown): no column's exchange is current."""
        self.exchanges = {}
        self.attempts = {}

    @property
    def busy(self) -> bool:
        """Whether a column's turn is still running (between tool rounds too)."""
        return bool(self._runners) or any(not ex.finished for ex in self.exchanges.values())

    def client_for(self, spec: ColumnSpec) -> tuple[Any, Endpoint]:
        """The pooled client of a column's provider (the window's server by default)."""
        endpoint = self.endpoint.endpoint
        if spec.provider and (endpoint is None or spec.provider != endpoint.name):
            store = self.services.store
            endpoint = resolve_endpoint(store, self.services.keys, provider=spec.provider)
        if endpoint is None:
            raise SetupError(self.tr("Set up a server and key first."))
        self._hosts[spec.provider] = endpoint.base_url  # named when it cannot be reached
        return self.services.pool.get(endpoint), endpoint

    def waiting_text(self, index: int) -> str:
        attempt = self.attempts.get(index)
        if attempt:
            return self.tr("Attempt %1: waiting for the first token…").replace("%1", str(attempt))
        return self.tr("Waiting for the first token…")

    # --- launching --------------------------------------------------------------------

    def launch(self, index: int, exchange: Exchange) -> None:
        """Run column ``index``'s planned turn, shown in its view as it streams."""
        host = self.host
        column = host.view.columns[index]
        reads = exchange.store if isinstance(exchange.store, PatientStore) else None
        binder = PaneBinder(column.model, reads or self.services.store, row_filter=host.scrub)
        exchange.observe(binder)
        self.exchanges[index] = exchange
        column.set_running(True)
        column.set_state(ColumnState.WAITING, self.waiting_text(index))
        spec = host.specs[index] if index < len(host.specs) else None
        servers = conversation_servers(spec.params) if spec is not None else []
        setup = None
        if servers and self.tools is not None:
            # The approval dialog names the column; in blind mode only by its letter.
            model = "" if host.names_hidden() or spec is None else spec.model
            setup = self.tools.tool_setup(servers, column=LABELS[index], model=model)
        # Registered at once: a Stop pressed before the task starts still counts.
        runner = TurnRunner(
            self.services.pool, exchange, tools=setup, observer=self._observer(index, exchange)
        )
        self._runners[index] = runner
        task = asyncio.ensure_future(self._run(index, runner))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _observer(self, index: int, first: Exchange) -> TurnObserver:
        """A tool turn's exchanges bound to the column's view as they come, its tool
        results shown as they land (``first`` is bound by :meth:`launch`)."""
        host = self.host
        assert host.comparison is not None
        comparison: Comparison = host.comparison
        runs = self
        column = host.view.columns[index]
        patient = first.store if isinstance(first.store, PatientStore) else None
        reads = patient or self.services.store

        class Observer(TurnObserver):
            def exchange_created(self, runner: TurnRunner, exchange: Exchange) -> None:
                if exchange is first:
                    return
                exchange.observe(PaneBinder(column.model, reads, row_filter=host.scrub))
                comparison.follow(index, exchange)
                runs.exchanges[index] = exchange

            def tools_started(self, runner: TurnRunner, calls: list[PendingCall]) -> None:
                names = ", ".join(f"{c.server}.{c.tool}" for c in calls)
                column.set_state(ColumnState.TOOLS, runs.tr("Running %1…").replace("%1", names))

            def tools_saved(self, runner: TurnRunner, results: list[ToolRun]) -> None:
                last = results[-1].message_id if results else None
                if last is not None:
                    comparison.set_leaf(index, last)  # the next prompt follows the results
                if last is not None and host.comparison is comparison:
                    column.model.set_messages(host.shown_rows(index), {})

        return Observer()

    async def _run(self, index: int, runner: TurnRunner) -> None:
        """The column's turn, plain or through the MCP tool loop; then its state."""
        try:
            result = await runner.run()
        finally:
            if self._runners.get(index) is runner:
                del self._runners[index]
        if result.unsaved:
            self.services.spawn(self.services.save_later(runner))
        columns = self.host.view.columns
        if index >= len(columns):
            return
        column = columns[index]
        final = result.final
        if final is None:  # stopped while the servers were starting: nothing was asked
            self.exchanges.pop(index, None)
            column.set_running(False)
            column.set_state(ColumnState.STOPPED, self.tr("Stopped"), retry=True)
            self.column_ended.emit(index)
            return
        if not self._show_end(index, final):
            return  # a retry replaced it
        notes = turn_notes(result, self.tr("Stopped after %1 tool rounds."))
        if notes and not column.has_state_text:
            column.set_state(column.state, notes)
        self.column_ended.emit(index)

    def _show_end(self, index: int, exchange: Exchange) -> bool:
        """The column's state line after its turn; False when a retry replaced it."""
        if self.exchanges.get(index) is not exchange:
            return False
        host = self.host
        column = host.view.columns[index]
        column.set_running(False)
        status = exchange.status
        if exchange.failure is not None:
            text = self.tr("Not saved: %1").replace("%1", plain(exchange.failure))
            column.set_state(ColumnState.FAILED, text)
        elif exchange.error is not None:
            text = exchange.error.explain(self.services.language())
            provider = host.specs[index].provider if index < len(host.specs) else None
            where = host_of(self._hosts.get(provider) or "")
            if exchange.error.category == "network" and where:
                text = self.tr("%1 (%2)").replace("%1", text).replace("%2", where)
            column.set_state(ColumnState.FAILED, text, retry=True)
        elif status is ExchangeStatus.STOPPED:
            column.set_state(ColumnState.STOPPED, self.tr("Stopped"), retry=True)
        elif index in self.attempts:  # a retry that worked looks different from before
            column.set_state(
                ColumnState.DONE,
                self.tr("Answered on attempt %1.").replace("%1", str(self.attempts[index])),
            )
        else:
            column.set_state(ColumnState.DONE)
        if status in (ExchangeStatus.STOPPED, ExchangeStatus.ERROR) and host.comparison is not None:
            host.comparison.keep_streamed(index, exchange.stats.tokens_out)
        return True

    # --- stop, retry ------------------------------------------------------------------

    def stop(self, index: int) -> None:
        """Its answer stops; a tool turn's queued or shown approval and tool calls too."""
        runner = self._runners.get(index)
        if runner is not None:
            runner.stop()

    def stop_all(self) -> None:
        for runner in list(self._runners.values()):
            runner.stop()

    def retry(self, index: int) -> bool:
        """Send this column's prompt again (the others are left as they are); whether
        a turn was launched."""
        comparison = self.host.comparison
        if comparison is None or not comparison.turns or index in self._runners:
            return False
        failed = comparison.answer(index)
        if failed is not None and failed.status == MessageStatus.ERROR and not failed.content:
            self.services.store.delete_message(failed.id)
        try:
            exchange = comparison.make_exchange(index, self.client_for)
        except (ChatdeskError, CompareError, ValueError) as exc:
            self.services.set_status(plain(exc))
            return False
        column = self.host.view.columns[index]
        user = (comparison.turns[-1].get("users") or {}).get(str(index))
        rows = self.host.thread_rows(index)
        ids = [r.id for r in rows]
        if user in ids:  # the column's earlier turns and this prompt, not the old answer
            rows = rows[: ids.index(user) + 1]
        column.model.set_messages(without_prompt(rows, user), {})
        self.attempts[index] = self.attempts.get(index, 1) + 1
        self.launch(index, exchange)
        return True

    async def aclose(self) -> None:
        self.stop_all()
        for task in list(self._tasks):
            try:
                await task
            except (asyncio.CancelledError, ChatdeskError, ValidationError):
                pass
