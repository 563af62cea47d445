"""The compare controller: 2 to 4 columns answering one prompt, side by side.

It drives :class:`~chatdesk.core.arena.compare.Comparison` (saving, threads, carry-forward,
votes) and binds each column's :class:`~chatdesk.core.chat.exchange.Exchange` to that
column's message view with a :class:`~chatdesk.ctl.pane.PaneBinder`. Columns stream
concurrently on the one event loop; a failing column shows its own error and Retry
while the others go on. In blind mode no model name reaches a widget before the vote.
"""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from chatdesk.core.arena.compare import (
    LABELS,
    MAX_COLUMNS,
    MIN_COLUMNS,
    CarryNote,
    ColumnSpec,
    CompareError,
    Comparison,
)
from chatdesk.core.arena.prices import PriceTable
from chatdesk.core.chat import figures as figs
from chatdesk.core.chat.exchange import Exchange, ExchangeStatus
from chatdesk.core.chat.turns import Draft, title_from_text
from chatdesk.core.errors import ChatdeskError, explain_category, plain
from chatdesk.core.keys import KeyringProblem
from chatdesk.core.services import DEFAULT_MODEL, SetupError
from chatdesk.core.settings import SettingKey
from chatdesk.core.tools.mcpconfig import CONVERSATION_PARAM, conversation_servers
from chatdesk.core.tools.mcpmanager import ServerState
from chatdesk.ctl.compareactions import CompareActions
from chatdesk.ctl.comparerun import ColumnRuns
from chatdesk.ctl.comparetext import int_text, ms_text, secs_text, without_prompt
from chatdesk.ctl.services import WINDOW_STORE_WAIT_S
from chatdesk.store.rows import MessageRow, MessageStatus
from chatdesk.ui.columnstate import ColumnState

if TYPE_CHECKING:
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.services import Services, ToolHost
    from chatdesk.ui.compareview import CompareView
    from chatdesk.ui.mainwindow import MainWindow


#: How often the live figures of streaming columns are refreshed.
FIGURES_MS = 250


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
        self.runs = ColumnRuns(self, services, endpoint, tools, self)
        self.runs.column_ended.connect(self._column_ended)
        self.actions = CompareActions(self, window, services, self)
        self.actions.voted.connect(self.voted)
        self._prices: PriceTable | None = None
        # Live figures four times a second: numbers to read, not an animation (at ten,
        # four streaming columns repainted their strips forty times a second).
        self._timer = QTimer(self)
        self._timer.setInterval(FIGURES_MS)
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
            v.vote_cast.connect(self.actions.vote)
            v.rerun_requested.connect(lambda: self.rerun(send=False))
            v.leaderboard_requested.connect(self.open_leaderboard)
            v.prices_requested.connect(self.open_prices)
            v.diff_toggled.connect(self.actions.set_diff)
            v.sync_toggled.connect(self._on_sync)
            v.column_model_changed.connect(self.set_column_model)
            v.column_params_requested.connect(self.edit_column_params)
            v.column_stop_requested.connect(self.stop_column)
            v.column_retry_requested.connect(self.retry_column)
            v.column_remove_requested.connect(self.remove_column)
            v.column_move_requested.connect(self.move_column)
            v.column_carry_toggled.connect(self.set_carry)
            v.column_continue_requested.connect(self.actions.continue_in_chat)
            v.column_action_requested.connect(self.actions.on_action)
            v.column_tools_opening.connect(self.fill_tools_menu)
            v.column_tools_changed.connect(self.set_column_tools)
            v.column_tools_manage_requested.connect(
                lambda: self.tools.open_manager() if self.tools else None
            )
            self._view = v
        return self._view

    @property
    def busy(self) -> bool:
        """Whether a column's turn is still running (between tool rounds too)."""
        return self.runs.busy

    @property
    def exchanges(self) -> dict[int, Exchange]:
        """Each column's current exchange (its live figures)."""
        return self.runs.exchanges

    def owns(self, conversation_id: int) -> bool:
        """Whether this conversation is a comparison (it opens in the compare view)."""
        return self.store.comparison_for_conversation(conversation_id) is not None

    def names_hidden(self) -> bool:
        if self.comparison is not None:
            return self.comparison.names_hidden()
        return False  # before the first prompt the user picks the models, in the open

    def scrub(self, row: MessageRow) -> MessageRow:
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
        self.runs.reset()
        self.window.show_compare(True)
        self.window.conversations.select_conversation(-1)
        self.show_page()
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
        self.runs.reset()
        self.window.show_compare(True)
        self.show_page()

    def show_page(self) -> None:
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
            column.model.set_messages(self.shown_rows(i), {})
            column.set_state(ColumnState.IDLE)
            answer = self.comparison.answer(i) if self.comparison is not None else None
            if answer is not None and answer.status == MessageStatus.ERROR:
                column.set_state(ColumnState.FAILED, self._error_text(answer), retry=True)
        v.set_editable(editable)
        v.clear_diff()
        if self.comparison is not None:
            conv = self.store.get_conversation(self.comparison.conversation_id)
            v.set_title(conv.title if conv else self.tr("Comparison"))
        else:
            v.set_title(self.tr("New comparison"))
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
        v.clear_diff()
        for i, column in enumerate(v.columns):
            column.show_diff(None)
            column.set_carry(False)
            column.model.set_messages(self.shown_rows(i), {})
        v.set_prompt(self.comparison.last_prompt())
        self._show_vote()
        self._show_rule()

    def shown_rows(self, index: int) -> list[MessageRow]:
        """The column's thread without the current prompt: the view shows that once,
        above the columns (see :func:`~chatdesk.ctl.comparetext.without_prompt`)."""
        if self.comparison is None or not self.comparison.turns:
            return self.thread_rows(index)
        user = (self.comparison.turns[-1].get("users") or {}).get(str(index))
        return without_prompt(self.thread_rows(index), user)

    def thread_rows(self, index: int) -> list[MessageRow]:
        """The column's own turns (never another column's answer, even a carried one),
        with a note where a turn continued from a carried answer."""
        if self.comparison is None:
            return []
        rows: list[MessageRow] = []
        for item in self.comparison.shown(index):
            if not isinstance(item, CarryNote):
                rows.append(self.scrub(item))
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
        self.show_page()

    def remove_column(self, index: int) -> None:
        if not self._editable() or len(self.specs) <= MIN_COLUMNS:
            return
        del self.specs[index]
        self._save_specs()
        self.show_page()

    def move_column(self, index: int, step: int) -> None:
        target = index + step
        if not self._editable() or not 0 <= target < len(self.specs):
            return
        self.specs[index], self.specs[target] = self.specs[target], self.specs[index]
        self._save_specs()
        self.show_page()

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
                running = status.state is not ServerState.STOPPED
                servers.append((cfg.name, status.summary() if running else ""))
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
            exchanges = self.comparison.start_turn(draft, self.runs.client_for)
        except Exception:
            if created:  # nothing was sent: leave no empty comparison behind
                self.store.delete_conversation(self.comparison.conversation_id)
                self.comparison = None
            raise
        if created:
            self.window.conversations.reload()
            self.window.conversations.select_conversation(self.comparison.conversation_id)
        if created:
            self.show_page()  # blind mode may have shuffled and hidden the columns
        else:
            self._show_turn()
        self.runs.reset()
        for i, exchange in enumerate(exchanges):
            self.runs.launch(i, exchange)
        self.view.set_busy(True)
        self._timer.start()
        self._show_server()  # in place of a hint ("…then send.") that no longer applies

    def _show_server(self) -> None:
        self.endpoint.show_server()

    def stop_column(self, index: int) -> None:
        self.runs.stop(index)

    def stop_all(self) -> None:
        self.runs.stop_all()

    def retry_column(self, index: int) -> None:
        """Send this column's prompt again; the other columns are left as they are."""
        if self.runs.retry(index):
            self.view.set_busy(True)
            self._timer.start()

    def _column_ended(self, _index: int) -> None:
        self.refresh_figures()
        if not self.busy:
            self._timer.stop()
            self.view.set_busy(False)
            self._show_vote()
            self._show_rule()
            self.turn_finished.emit()

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
            live = exchange is not None and exchange.stats.started is not None
            # The saved answer is read only once the exchange ended (a refresh a second
            # while four columns stream read four whole answers each time).
            running = live and exchange is not None and not exchange.finished
            row = None if running or self.comparison is None else self.comparison.answer(i)
            if live and exchange is not None and (running or row is None):
                # Live while it runs; once saved, from the saved answer like the footer
                # and a reopened comparison (one set of inputs, one tok/s).
                failed = exchange.status in (ExchangeStatus.ERROR, ExchangeStatus.STOPPED)
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
                if column.state is ColumnState.WAITING:
                    attempt = self.runs.attempts.get(i)
                    column.set_state(
                        ColumnState.STREAMING,
                        self.tr("Attempt %1: streaming…").replace("%1", str(attempt))
                        if attempt
                        else self.tr("Streaming…"),
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

    # --- actions (vote, diff, links, continue in chat: see compareactions) -------------

    def vote(self, winner: str) -> None:
        self.actions.vote(winner)

    def continue_in_chat(self, index: int) -> None:
        self.actions.continue_in_chat(index)

    def set_diff(self, on: bool, left: int, right: int) -> None:
        if self._view is not None:
            self.actions.set_diff(on, left, right)

    # --- other actions ----------------------------------------------------------------------

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
        self.show_page()
        self.view.composer.set_text(prompt)
        if send:
            self.view.composer.send()
        else:
            self.window.set_status(self.tr("Change the models if you like, then send."))

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
        await self.runs.aclose()
