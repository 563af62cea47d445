"""The compare controller: 2 to 4 columns answering one prompt, side by side.

It drives :class:`~chatdesk.core.compare.Comparison` (saving, threads, carry-forward,
votes) and binds each column's :class:`~chatdesk.core.exchange.Exchange` to that
column's message view with a :class:`~chatdesk.ctl.pane.PaneBinder`. Columns stream
concurrently on the one event loop; a failing column shows its own error and Retry
while the others go on. In blind mode no model name reaches a widget before the vote.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from chatdesk.core import figures as figs
from chatdesk.core.compare import (
    LABELS,
    MAX_COLUMNS,
    MIN_COLUMNS,
    CarryNote,
    ColumnSpec,
    CompareError,
    Comparison,
)
from chatdesk.core.errors import ChatdeskError, ValidationError, explain_category, plain
from chatdesk.core.exchange import Exchange
from chatdesk.core.keys import KeyringProblem
from chatdesk.core.mcpconfig import CONVERSATION_PARAM, conversation_servers
from chatdesk.core.patient import PatientStore
from chatdesk.core.prices import PriceTable
from chatdesk.core.services import DEFAULT_MODEL, Endpoint, SetupError, resolve_endpoint
from chatdesk.core.settings import SettingKey
from chatdesk.core.toolloop import PendingCall, ToolLoopObserver, ToolRun, ToolTurn
from chatdesk.core.turns import Draft, title_from_text
from chatdesk.ctl.comparetext import host_of, int_text, ms_text, secs_text, without_prompt
from chatdesk.ctl.pane import PaneBinder
from chatdesk.ctl.services import WINDOW_STORE_WAIT_S
from chatdesk.store.rows import MessageRow
from chatdesk.ui.actions import MessageAction

if TYPE_CHECKING:
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.services import Services, ToolHost
    from chatdesk.ui.compareview import CompareView
    from chatdesk.ui.mainwindow import MainWindow


class CompareController(QObject):
    """Wires the compare view to core.

    Signals:
        turn_finished(): every column of the current turn has ended.
        voted(str): a vote was stored (its value).
    """

    turn_finished = Signal()
    voted = Signal(str)

    def __init__(
        self,
        window: MainWindow,
        services: Services,
        endpoint: EndpointService,
        tools: ToolHost | None = None,
    ) -> None:
        super().__init__(services)
        self.services = services
        self.endpoint = endpoint
        self.tools = tools
        self.window = window
        self._comparison: Comparison | None = None
        self.specs: list[ColumnSpec] = []
        self.blind = False
        self.exchanges: dict[int, Exchange] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._tool_turns: dict[int, ToolTurn] = {}  # columns running the MCP tool loop
        self._hosts: dict[str | None, str] = {}  # base URL per column provider
        self._attempts: dict[int, int] = {}  # Retry presses per column in this turn
        self._prices: PriceTable | None = None
        self._diff: tuple[int, int] | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(100)
        self._timer.timeout.connect(self.refresh_figures)
        self._view: CompareView | None = None
        self._arena: Any = None
        self.window.compare_requested.connect(lambda: self.new_comparison())
        self.window.leaderboard_requested.connect(self.open_leaderboard)

    # --- the view ---------------------------------------------------------------------

    @property
    def store(self) -> Any:
        return self.services.store

    @property
    def view(self) -> CompareView:
        """The compare page, connected on first use."""
        if self._view is None:
            v = self.window.compare_view
            v.composer.submitted.connect(self.on_submitted)
            v.composer.stop_requested.connect(self.stop_all)
            v.composer.set_send_key(str(self.services.settings().get(SettingKey.SEND_KEY, "enter")))
            v.add_column_requested.connect(self.add_column)
            v.blind_toggled.connect(self.set_blind)
            v.vote_cast.connect(self.vote)
            v.rerun_requested.connect(lambda: self.rerun(send=False))
            v.leaderboard_requested.connect(self.open_leaderboard)
            v.prices_requested.connect(self.open_prices)
            v.diff_toggled.connect(self.set_diff)
            v.sync_toggled.connect(self._on_sync)
            v.column_model_changed.connect(self.set_column_model)
            v.column_params_requested.connect(self.edit_column_params)
            v.column_stop_requested.connect(self.stop_column)
            v.column_retry_requested.connect(self.retry_column)
            v.column_remove_requested.connect(self.remove_column)
            v.column_move_requested.connect(self.move_column)
            v.column_carry_toggled.connect(self.set_carry)
            v.column_continue_requested.connect(self.continue_in_chat)
            v.column_action_requested.connect(self.on_action)
            v.column_tools_opening.connect(self.fill_tools_menu)
            v.column_tools_changed.connect(self.set_column_tools)
            v.column_tools_manage_requested.connect(
                lambda: self.tools.open_manager() if self.tools else None
            )
            self._view = v
        return self._view

    @property
    def busy(self) -> bool:
        """Whether a column is still answering (a finished exchange counts as done even
        while its task unwinds)."""
        if self._tool_turns:  # between rounds, while tools run, no exchange is running
            return True
        return any(not ex.finished for ex in self.exchanges.values())

    def owns(self, conversation_id: int) -> bool:
        """Whether this conversation is a comparison (it opens in the compare view)."""
        return self.store.comparison_for_conversation(conversation_id) is not None

    def names_hidden(self) -> bool:
        if self.comparison is not None:
            return self.comparison.names_hidden()
        return False  # before the first prompt the user picks the models, in the open

    def _scrub(self, row: MessageRow) -> MessageRow:
        """In blind mode a row reaches the view without the models' names."""
        if not self.names_hidden():
            return row
        return dataclasses.replace(row, model=None, model_requested=None)

    # --- starting, opening --------------------------------------------------------------

    @property
    def comparison(self) -> Comparison | None:
        """The comparison in the view (None for a new, unsent one)."""
        return self._comparison

    @comparison.setter
    def comparison(self, comparison: Comparison | None) -> None:
        self._comparison = comparison  # told to the services: Export "current" uses it
        self.services.shown_comparison = comparison.conversation_id if comparison else None

    def new_comparison(self, models: list[str] | None = None, provider: str | None = None) -> bool:
        """An empty comparison (saved with its first prompt); False while one is running."""
        if self.services.running.any():
            self.window.set_status(self.tr("Wait for the answers to finish or stop them first."))
            self.window.compare_action.setChecked(self.window.comparing())
            return False
        if not models:
            first = self.endpoint.current_model()
            others = [m for m in self.window.model_picker.models() if m != first]
            models = [first, others[0] if others else first]
        models = [m for m in models if m.strip()][:MAX_COLUMNS]
        while len(models) < MIN_COLUMNS:
            models.append(models[-1] if models else DEFAULT_MODEL)
        self.specs = [ColumnSpec(m, {}, provider) for m in models]
        self.comparison = None
        self.blind = False
        self.exchanges = {}
        self._attempts = {}
        self._diff = None
        self.window.show_compare(True)
        self.window.conversations.select_conversation(-1)
        self._show()
        self.view.composer.focus_input()
        return True

    def open(self, conversation_id: int) -> None:
        """Show a saved comparison with its answers, figures and votes (offline)."""
        comparison = Comparison.for_conversation(self.store, conversation_id)
        if comparison is None:
            return
        comparison.stream_wait = WINDOW_STORE_WAIT_S
        self.comparison = comparison
        self.specs = list(comparison.columns)
        self.blind = comparison.blind
        self.exchanges = {}
        self._attempts = {}
        self._diff = None
        self.window.show_compare(True)
        self._show()

    def _show(self) -> None:
        """Everything on the page from the current state."""
        v = self.view
        self._prices = None
        v.set_column_count(len(self.specs))
        v.set_blind(self.blind)
        editable = self.comparison is None or self.comparison.can_edit_columns()
        hidden = self.names_hidden()
        models = self._model_list()
        for i, column in enumerate(v.columns):
            column.set_models([] if hidden else models)
            column.set_model_name(
                None if hidden else self.specs[i].model,
                editable=editable,
                provider=None if hidden else self._provider_name(self.specs[i]),
            )
            column.tools_button.set_chosen(conversation_servers(self.specs[i].params))
            column.set_running(False)
            column.set_carry(self.comparison is not None and self.comparison.carry == i)
            column.show_diff(None)
            column.model.image_loader = self.store.get_image
            column.model.set_messages(self._shown_rows(i), {})
            column.set_state("")
            answer = self.comparison.answer(i) if self.comparison is not None else None
            if answer is not None and answer.status == "error":
                column.set_state(self._error_text(answer), error=True, retry=True)
        v.set_editable(editable)
        v.diff_check.setChecked(False)
        if self.comparison is not None:
            conv = self.store.get_conversation(self.comparison.conversation_id)
            v.title.setText(conv.title if conv else self.tr("Comparison"))
        else:
            v.title.setText(self.tr("New comparison"))
        v.set_prompt(self.comparison.last_prompt() if self.comparison is not None else "")
        self.refresh_figures()
        self._show_rule()
        self._show_vote()

    def _provider_name(self, spec: ColumnSpec) -> str | None:
        """The provider the pill names: the column's own, else the window's."""
        endpoint = self.endpoint.endpoint
        return spec.provider or (endpoint.name if endpoint is not None else None)

    def _show_turn(self) -> None:
        """A new turn of a shown comparison: only each column's thread changes."""
        assert self.comparison is not None
        v = self.view
        v.set_editable(False)
        v.diff_check.setChecked(False)
        for i, column in enumerate(v.columns):
            column.show_diff(None)
            column.set_carry(False)
            column.model.set_messages(self._shown_rows(i), {})
        v.set_prompt(self.comparison.last_prompt())
        self._show_vote()
        self._show_rule()

    def _shown_rows(self, index: int) -> list[MessageRow]:
        """The column's thread without the current prompt: the view shows that once,
        above the columns (see :func:`~chatdesk.ctl.comparetext.without_prompt`)."""
        if self.comparison is None or not self.comparison.turns:
            return self._thread_rows(index)
        user = (self.comparison.turns[-1].get("users") or {}).get(str(index))
        return without_prompt(self._thread_rows(index), user)

    def _thread_rows(self, index: int) -> list[MessageRow]:
        """The column's own turns (never another column's answer, even a carried one),
        with a note where a turn continued from a carried answer."""
        if self.comparison is None:
            return []
        rows: list[MessageRow] = []
        for item in self.comparison.shown(index):
            if not isinstance(item, CarryNote):
                rows.append(self._scrub(item))
                continue
            if item.carried:
                text = self.tr("This answer was carried forward: every column continued from it.")
            else:
                who = LABELS[item.source]
                if not self.names_hidden() and item.source < len(self.specs):
                    who += f" ({self.specs[item.source].model})"
                text = self.tr("Continued from %1's answer.").replace("%1", who)
            # Shown only, never stored: an id no stored message has.
            rows.append(
                MessageRow(
                    id=-1 - len(rows),
                    conversation_id=self.comparison.conversation_id,
                    parent_id=None,
                    role="system",
                    content=text,
                    meta={"carry_note": item.source},
                )
            )
        return rows

    def _model_list(self) -> list[dict[str, Any]]:
        return [{"id": m} for m in self.window.model_picker.models()]

    def _error_text(self, row: MessageRow) -> str:
        retry = row.meta.get("retry_after_s") if isinstance(row.meta, dict) else None
        wait = float(retry) if isinstance(retry, int | float) and 0 < retry < 86400 else None
        return explain_category(row.error_category or "", self.services.language(), wait)

    # --- columns (before the first prompt) -------------------------------------------------

    def _editable(self) -> bool:
        if self.comparison is not None and not self.comparison.can_edit_columns():
            self.window.set_status(self.tr("Columns are fixed once the first prompt is sent."))
            return False
        return not self.busy

    def _save_specs(self) -> None:
        if self.comparison is not None:
            self.comparison.set_columns(self.specs)

    def add_column(self) -> None:
        if not self._editable() or len(self.specs) >= MAX_COLUMNS:
            return
        last = self.specs[-1]
        self.specs.append(ColumnSpec(last.model, dict(last.params), last.provider))
        self._save_specs()
        self._show()

    def remove_column(self, index: int) -> None:
        if not self._editable() or len(self.specs) <= MIN_COLUMNS:
            return
        del self.specs[index]
        self._save_specs()
        self._show()

    def move_column(self, index: int, step: int) -> None:
        target = index + step
        if not self._editable() or not 0 <= target < len(self.specs):
            return
        self.specs[index], self.specs[target] = self.specs[target], self.specs[index]
        self._save_specs()
        self._show()

    def set_column_model(self, index: int, model: str) -> None:
        if not model.strip() or not self._editable() or index >= len(self.specs):
            return
        self.specs[index] = dataclasses.replace(self.specs[index], model=model.strip())
        self._save_specs()

    def set_column_params(self, index: int, params: dict[str, Any]) -> None:
        if not self._editable() or index >= len(self.specs):
            return
        self.specs[index] = dataclasses.replace(self.specs[index], params=dict(params))
        self._save_specs()

    def edit_column_params(self, index: int) -> None:
        from chatdesk.ui.comparecolumn import ColumnParamsDialog

        if not self._editable():
            return
        spec = self.specs[index]
        dialog = ColumnParamsDialog(
            LABELS[index],
            spec.params,
            self.window,
            providers=[p.name for p in self.store.list_providers()],
            provider=spec.provider,
        )
        if dialog.exec():
            self.set_column_params(index, dialog.params())
            self.set_column_provider(index, dialog.provider())

    def fill_tools_menu(self, index: int) -> None:
        """The column's Tools menu: the enabled MCP servers, this column's checked."""
        mcp = self.tools
        if mcp is None or index >= len(self.specs):
            return
        servers = []
        for cfg in mcp.settings.servers():
            if cfg.enabled:
                status = mcp.manager.status(cfg.name)
                servers.append((cfg.name, status.summary() if status.state != "stopped" else ""))
        chosen = conversation_servers(self.specs[index].params)
        self.view.columns[index].tools_button.set_servers(servers, chosen)

    def set_column_tools(self, index: int, names: list[str]) -> None:
        """Kept in the column's parameters (``mcp_servers``; never sent as a request field)."""
        if index >= len(self.specs):
            return
        if not self._editable():
            chosen = conversation_servers(self.specs[index].params)
            self.view.columns[index].tools_button.set_chosen(chosen)
            return
        params = dict(self.specs[index].params)
        if names:
            params[CONVERSATION_PARAM] = list(names)
        else:
            params.pop(CONVERSATION_PARAM, None)
        self.set_column_params(index, params)

    def set_column_provider(self, index: int, provider: str | None) -> None:
        """A column may talk to another configured provider than the window's."""
        if not self._editable() or index >= len(self.specs):
            return
        if provider is not None and self.store.get_provider(provider) is None:
            self.window.set_status(self.tr("No provider named %1.").replace("%1", provider))
            return
        self.specs[index] = dataclasses.replace(self.specs[index], provider=provider)
        self._save_specs()

    def set_blind(self, blind: bool) -> None:
        if self.comparison is not None and not self.comparison.can_edit_columns():
            self.view.set_blind(self.blind)
            return
        self.blind = blind

    # --- sending -----------------------------------------------------------------------

    def on_submitted(self, text: str, attachments: list[Any]) -> None:
        """The compare composer sent a prompt: every column answers it at once."""
        composer = self.view.composer
        if self.busy:
            composer.set_text(text)
            composer.set_attachments(attachments)
            return
        try:
            self._send(text, attachments)
        except (ChatdeskError, CompareError, ValueError, KeyringProblem) as exc:
            composer.set_text(text)
            composer.set_attachments(attachments)
            self.window.set_status(self.tr("Not sent: %1").replace("%1", plain(exc)))

    def _send(self, text: str, attachments: list[Any]) -> None:
        if self.endpoint.endpoint is None:
            raise SetupError(self.tr("Set up a server and key first."))
        draft = Draft(text, [(a.data, a.mime) for a in attachments])
        created = False
        if self.comparison is None:
            self.comparison = Comparison.create(
                self.store, self.specs, title=title_from_text(text), blind=self.blind
            )
            self.specs = list(self.comparison.columns)  # blind mode shuffled them
            self.comparison.stream_wait = WINDOW_STORE_WAIT_S
            created = True
        try:
            exchanges = self.comparison.start_turn(draft, self._client_for)
        except Exception:
            if created:  # nothing was sent: leave no empty comparison behind
                self.store.delete_conversation(self.comparison.conversation_id)
                self.comparison = None
            raise
        if created:
            self.window.conversations.reload()
            self.window.conversations.select_conversation(self.comparison.conversation_id)
        self._diff = None
        if created:
            self._show()  # blind mode may have shuffled and hidden the columns
        else:
            self._show_turn()
        self.exchanges = {}
        self._attempts = {}
        for i, exchange in enumerate(exchanges):
            self._launch(i, exchange)
        self.view.set_busy(True)
        self._timer.start()
        self._show_server()  # in place of a hint ("…then send.") that no longer applies

    def _show_server(self) -> None:
        self.endpoint.show_server()

    def _client_for(self, spec: ColumnSpec) -> tuple[Any, Endpoint]:
        """The pooled client of a column's provider (the window's server by default)."""
        endpoint = self.endpoint.endpoint
        if spec.provider and (endpoint is None or spec.provider != endpoint.name):
            endpoint = resolve_endpoint(self.store, self.services.keys, provider=spec.provider)
        if endpoint is None:
            raise SetupError(self.tr("Set up a server and key first."))
        self._hosts[spec.provider] = endpoint.base_url  # named when it cannot be reached
        return self.services.pool.get(endpoint), endpoint

    def _launch(self, index: int, exchange: Exchange) -> None:
        column = self.view.columns[index]
        reads = exchange.store if isinstance(exchange.store, PatientStore) else self.store
        binder = PaneBinder(column.model, reads, row_filter=self._scrub)
        exchange.observe(binder)
        self.exchanges[index] = exchange
        column.set_running(True)
        column.set_state(self._waiting_text(index))
        servers = conversation_servers(self.specs[index].params) if index < len(self.specs) else []
        if servers and self.tools is not None:
            task = asyncio.ensure_future(self._run_tools(index, exchange, servers))
        else:
            task = asyncio.ensure_future(self._run(index, exchange))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _waiting_text(self, index: int) -> str:
        attempt = self._attempts.get(index)
        if attempt:
            return self.tr("Attempt %1: waiting for the first token…").replace("%1", str(attempt))
        return self.tr("Waiting for the first token…")

    async def _run(self, index: int, exchange: Exchange) -> None:
        pool = self.services.pool
        pool.acquire(exchange.client)
        try:
            await exchange.run()
        finally:
            await pool.release(exchange.client)
            self._column_done(index, exchange)
        if isinstance(exchange.store, PatientStore) and exchange.store.unsaved:
            self.services.spawn(self.services.save_later(exchange.store))

    async def _run_tools(self, index: int, first: Exchange, servers: list[str]) -> None:
        """The column's turn through the MCP tool loop, each round bound to its view.

        ``first`` is the template of the turn (client, request, store, target): the
        loop makes the exchanges it runs, and each is bound and recorded as it comes.
        """
        mcp = self.tools
        assert mcp is not None and self.comparison is not None
        comparison: Comparison = self.comparison
        ctl = self
        column = self.view.columns[index]
        reads = first.store if isinstance(first.store, PatientStore) else self.store

        class Observer(ToolLoopObserver):
            def exchange_created(self, turn: ToolTurn, exchange: Exchange) -> None:
                exchange.observe(PaneBinder(column.model, reads, row_filter=ctl._scrub))
                comparison.follow(index, exchange)
                ctl.exchanges[index] = exchange

            def tools_started(self, turn: ToolTurn, calls: list[PendingCall]) -> None:
                names = ", ".join(f"{c.server}.{c.tool}" for c in calls)
                column.set_state(ctl.tr("Running %1…").replace("%1", names))

            def tools_saved(self, turn: ToolTurn, runs: list[ToolRun]) -> None:
                last = runs[-1].message_id if runs else None
                if last is not None:
                    comparison.set_leaf(index, last)  # the next prompt follows the results
                if last is not None and ctl.comparison is comparison:
                    column.model.set_messages(ctl._shown_rows(index), {})

        # The approval dialog names the column; in blind mode only by its letter.
        model = "" if self.names_hidden() else self.specs[index].model
        turn = mcp.tool_turn(first, servers, Observer(), column=LABELS[index], model=model)
        self._tool_turns[index] = turn
        pool = self.services.pool
        pool.acquire(first.client)
        try:
            outcome = await turn.run()
        finally:
            self._tool_turns.pop(index, None)
            await pool.release(first.client)
        final = outcome.exchanges[-1] if outcome.exchanges else None
        if final is None:  # stopped while the servers were starting: nothing was asked
            self.exchanges.pop(index, None)
            column.set_running(False)
            column.set_state(self.tr("Stopped"), retry=True)
            if not self.busy:
                self._timer.stop()
                self.view.set_busy(False)
            return
        self._column_done(index, final)
        notes = list(outcome.notes)
        if outcome.limit_reached:
            notes.append(
                self.tr("Stopped after %1 tool rounds.").replace("%1", str(turn.max_rounds))
            )
        if notes and not column.state_label.text():
            column.set_state(" ".join(notes))
        for exchange in outcome.exchanges:
            if isinstance(exchange.store, PatientStore) and exchange.store.unsaved:
                self.services.spawn(self.services.save_later(exchange.store))
                break

    def _column_done(self, index: int, exchange: Exchange) -> None:
        if self._view is None or index >= len(self.view.columns):
            return
        if self.exchanges.get(index) is not exchange:
            return  # a retry replaced it
        column = self.view.columns[index]
        column.set_running(False)
        status = str(exchange.status)
        if exchange.failure is not None:
            column.set_state(
                self.tr("Not saved: %1").replace("%1", plain(exchange.failure)), error=True
            )
        elif exchange.error is not None:
            text = exchange.error.explain(self.services.language())
            host = host_of(self._hosts.get(self.specs[index].provider) or "")
            if exchange.error.category == "network" and host:
                text = self.tr("%1 (%2)").replace("%1", text).replace("%2", host)
            column.set_state(text, error=True, retry=True)
        elif status == "stopped":
            column.set_state(self.tr("Stopped"), retry=True)
        elif index in self._attempts:  # a retry that worked looks different from before
            column.set_state(
                self.tr("Answered on attempt %1.").replace("%1", str(self._attempts[index]))
            )
        else:
            column.set_state("")
        if status in ("stopped", "error") and self.comparison is not None:
            self.comparison.keep_streamed(index, exchange.stats.tokens_out)
        self.refresh_figures()
        if not self.busy:
            self._timer.stop()
            self.view.set_busy(False)
            self._show_vote()
            self._show_rule()
            self.turn_finished.emit()

    def on_action(self, index: int, action: str, message_id: int, arg: object) -> None:
        """A message link in a column: answers are regenerated per column; editing and
        deleting belong to a chat ("Continue in chat" turns a column into one)."""
        kind = MessageAction(action)  # an unknown action is a bug: ValueError
        if kind in (MessageAction.REGENERATE, MessageAction.RETRY):
            if self.comparison is not None and self.comparison.answer(index) is not None:
                if self.comparison.answer(index).id == message_id:  # type: ignore[union-attr]
                    self.retry_column(index)
                    return
            self.window.set_status(self.tr("Only the latest answer of a column can be redone."))
        elif kind in (MessageAction.EDIT, MessageAction.DELETE, MessageAction.CONTINUE):
            self.window.set_status(
                self.tr("To edit or delete messages, use “Continue in chat” on this column.")
            )

    def stop_column(self, index: int) -> None:
        turn = self._tool_turns.get(index)
        if turn is not None:
            turn.stop()  # its queued or shown approval and running tool calls too
        exchange = self.exchanges.get(index)
        if exchange is not None:
            exchange.stop()

    def stop_all(self) -> None:
        for turn in list(self._tool_turns.values()):
            turn.stop()
        for exchange in self.exchanges.values():
            exchange.stop()

    def retry_column(self, index: int) -> None:
        """Send this column's prompt again; the other columns are left as they are."""
        if self.comparison is None or not self.comparison.turns:
            return
        running = self.exchanges.get(index)
        if running is not None and not running.finished:
            return
        failed = self.comparison.answer(index)
        if failed is not None and failed.status == "error" and not failed.content:
            self.store.delete_message(failed.id)
        try:
            exchange = self.comparison.make_exchange(index, self._client_for)
        except (ChatdeskError, CompareError, ValueError) as exc:
            self.window.set_status(plain(exc))
            return
        column = self.view.columns[index]
        user = (self.comparison.turns[-1].get("users") or {}).get(str(index))
        rows = self._thread_rows(index)
        ids = [r.id for r in rows]
        if user in ids:  # the column's earlier turns and this prompt, not the old answer
            rows = rows[: ids.index(user) + 1]
        column.model.set_messages(without_prompt(rows, user), {})
        self._attempts[index] = self._attempts.get(index, 1) + 1
        self._launch(index, exchange)
        self.view.set_busy(True)
        self._timer.start()

    # --- figures ------------------------------------------------------------------------

    def _price(self, spec: ColumnSpec) -> Any:
        if self._prices is None:
            self._prices = PriceTable.load(self.store)
        provider = spec.provider or (
            self.endpoint.endpoint.name if self.endpoint.endpoint else None
        )
        return self._prices.get(provider, spec.model)

    def column_figures(self) -> list[figs.Figures]:
        """Every column's figures: live from its exchange, else from its saved answer."""
        out: list[figs.Figures] = []
        now = time.monotonic()
        for i, spec in enumerate(self.specs):
            price = None if self.names_hidden() else self._price(spec)
            exchange = self.exchanges.get(i)
            row = self.comparison.answer(i) if self.comparison is not None else None
            live = exchange is not None and exchange.stats.started is not None
            if live and exchange is not None and (not exchange.finished or row is None):
                # Live while it runs; once saved, from the saved answer like the footer
                # and a reopened comparison (one set of inputs, one tok/s).
                failed = str(exchange.status) in ("error", "stopped")
                f = figs.from_stats(exchange.stats, price, now, failed=failed)
                f.running = not exchange.finished
                out.append(f)
                continue
            out.append(figs.from_row(row, price) if row is not None else figs.Figures())
        return out

    def refresh_figures(self) -> None:
        if self._view is None:
            return
        values = self.column_figures()
        best = {key: figs.best(values, key) for key in figs.LOWER_IS_BETTER}
        for i, (column, f) in enumerate(zip(self.view.columns, values, strict=False)):
            column.set_figure("ttft", ms_text(f.ttft_ms), best=i in best["ttft"])
            column.set_figure("total", secs_text(f.total_ms), best=i in best["total"])
            tokens = "–"
            if f.tokens_in is not None or f.tokens_out is not None:
                tokens = f"{int_text(f.tokens_in)} / {int_text(f.tokens_out)}"
            column.set_figure("tokens", tokens)
            speed = (
                "–"
                if f.tokens_per_s is None
                else self.tr("%1 tok/s").replace("%1", f"{f.tokens_per_s:.1f}")
            )
            column.set_figure("speed", speed, best=i in best["speed"])
            column.set_figure("finish", f.finish or "–")
            cost = "–" if f.cost is None else f"{f.cost:.4f} {f.currency}".strip()
            column.set_figure("cost", cost, best=i in best["cost"])
            exchange = self.exchanges.get(i)
            if exchange is not None and not exchange.finished and exchange.stats.ttft_ms:
                if column.state_label.text() == self._waiting_text(i):
                    attempt = self._attempts.get(i)
                    column.set_state(
                        self.tr("Attempt %1: streaming…").replace("%1", str(attempt))
                        if attempt
                        else self.tr("Streaming…")
                    )

    # --- follow-up rule -------------------------------------------------------------------

    def set_carry(self, index: int, on: bool) -> None:
        """Make this column's latest answer every column's context for the next prompt."""
        comparison = self.comparison
        if comparison is None or comparison.answer(index) is None:
            self.view.columns[index].set_carry(False)
            self.window.set_status(self.tr("There is no answer to carry forward yet."))
            return
        comparison.set_carry(index if on else None)
        for i, column in enumerate(self.view.columns):
            column.set_carry(comparison.carry == i)
        self._show_rule()

    def _show_rule(self) -> None:
        if self._view is None:
            return
        carry = self.comparison.carry if self.comparison is not None else None
        if self.comparison is None or not self.comparison.turns:
            text = self.tr("One prompt goes to every column; each answers on its own.")
        elif carry is None:
            text = self.tr("Next prompt: each column continues its own thread.")
        else:
            who = LABELS[carry]
            if not self.names_hidden():
                who += f" ({self.specs[carry].model})"
            text = self.tr("Next prompt: every column continues from %1's answer.").replace(
                "%1", who
            )
        self.view.set_rule(text)
        self.view.show_carry(carry if self.comparison is not None else None)

    # --- votes ----------------------------------------------------------------------------

    def _show_vote(self) -> None:
        comparison = self.comparison
        if self._view is None:
            return
        if comparison is None or not comparison.turns or self.busy:
            self.view.show_vote(False)
            return
        answered = all(comparison.answer(i) is not None for i in range(len(self.specs)))
        if comparison.voted_latest():
            self.view.show_vote(False, self._reveal_text())
        else:
            self.view.show_vote(answered)

    def _reveal_text(self) -> str:
        assert self.comparison is not None
        votes = self.comparison.votes()
        last = votes[-1].winner if votes else ""
        names = " · ".join(f"{LABELS[i]} = {s.model}" for i, s in enumerate(self.specs))
        shown = {"tie": self.tr("tie"), "bad": self.tr("all bad")}.get(last, last)
        return self.tr("Your vote: %1. %2").replace("%1", shown).replace("%2", names)

    def vote(self, winner: str) -> None:
        """Store the vote on the latest turn; blind names are revealed by it."""
        if self.comparison is None or self.busy:
            return
        try:
            self.comparison.vote(winner)
        except (CompareError, ValueError) as exc:
            self.window.set_status(plain(exc))
            return
        self._show()  # names revealed, rows shown with their models
        # The vote buttons are gone: focus would fall to the next widget in the window
        # (the sidebar's filter, which the next typed text would then filter away).
        self.view.composer.focus_input()
        self.voted.emit(winner)

    # --- other actions ----------------------------------------------------------------------

    def continue_in_chat(self, index: int) -> None:
        """This column becomes an ordinary conversation with its whole history.

        Before the vote of a blind comparison that names the column's model, so the
        user is asked first (the dialog itself names no model)."""
        if self.comparison is None or self.comparison.answer(index) is None or self.busy:
            return
        if self.names_hidden():
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(
                QMessageBox.Icon.Question,
                self.tr("Reveal the model?"),
                self.tr(
                    "You have not voted yet. The new chat shows which model answered in "
                    "column %1, so this comparison is no longer blind for you. Continue?"
                ).replace("%1", LABELS[index]),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                self.window,
            )
            box.setObjectName("blind-continue-confirm")
            box.setDefaultButton(QMessageBox.StandardButton.Cancel)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            comparison = self.comparison

            def answered(_result: int) -> None:
                yes = box.button(QMessageBox.StandardButton.Yes)
                if box.clickedButton() is yes and self.comparison is comparison:
                    self._fork(index)

            box.finished.connect(answered)
            box.open()
            return
        self._fork(index)

    def _fork(self, index: int) -> None:
        if self.comparison is None or self.busy:
            return
        new_id = self.comparison.fork_column(index)
        self.window.show_compare(False)
        self.window.conversations.reload()
        self.services.show_conversation(new_id)
        self.window.conversations.select_conversation(new_id)

    def rerun(self, *, send: bool = False) -> None:
        """The saved prompt again, in a new comparison of the same columns (editable first)."""
        if self.comparison is None or self.busy:
            return
        prompt = self.comparison.last_prompt()
        specs = [dataclasses.replace(s, params=dict(s.params)) for s in self.comparison.columns]
        blind = self.comparison.blind
        if not self.new_comparison([s.model for s in specs]):
            return
        self.specs = specs
        self.blind = blind
        self._show()
        self.view.composer.set_text(prompt)
        if send:
            self.view.composer.send()
        else:
            self.window.set_status(self.tr("Change the models if you like, then send."))

    def set_diff(self, on: bool, left: int, right: int) -> None:
        """Word differences of two columns' latest answers, in those two columns."""
        if self._view is None:
            return
        for column in self.view.columns:
            column.show_diff(None)
        self._diff = None
        if not on or self.comparison is None or left == right:
            return
        a, b = self.comparison.answer(left), self.comparison.answer(right)
        if a is None or b is None:
            self.window.set_status(self.tr("Both columns need an answer to compare."))
            return
        self.view.show_word_diff(left, right, a.content, b.content)
        self._diff = (left, right)

    def _on_sync(self, on: bool) -> None:
        if self.comparison is not None:
            self.comparison.state["sync_scroll"] = on
            self.comparison.save_state()

    @property
    def arena(self) -> Any:
        """Leaderboard and price table (built on first use)."""
        if self._arena is None:
            from chatdesk.ctl.arena import ArenaController

            self._arena = ArenaController(lambda: self.services.store, self)
            self._arena.prices_changed.connect(self._on_prices_changed)
            self.voted.connect(lambda _v: self._arena.refresh_leaderboard())
        return self._arena

    def open_leaderboard(self) -> Any:
        return self.arena.open_leaderboard(self.window)

    def open_prices(self) -> Any:
        return self.arena.open_prices(self.window)

    def _on_prices_changed(self, table: Any) -> None:
        self._prices = table
        self.refresh_figures()

    async def aclose(self) -> None:
        self.stop_all()
        for task in list(self._tasks):
            try:
                await task
            except (asyncio.CancelledError, ChatdeskError, ValidationError):
                pass
