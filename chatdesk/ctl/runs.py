"""The run controller: prompt-set runs in the window (new, open, drive, export).

A run is made and driven with the same core calls as ``chatdesk batch``
(:func:`~chatdesk.core.runs.batch.column_spec`, ``RunRepository.create_run``,
:class:`~chatdesk.core.runs.batch.BatchRunner` on the window's loop), so the window is
one more observer of the one run path. The grid is told one cell at a time
(``dataChanged`` for that cell); the summary and judge replies are recomputed from
saved rows at most once a second while the run fills. A row opens as a blind
comparison (:mod:`chatdesk.core.runs.runrows`) in the compare view.

What only a run needs (the runner, the prompt-set parser, the summary, the dialog, the
grid's words) is imported on first use: every start builds this controller, and those
imports were ~2 MiB of the window's idle memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from chatdesk.core.errors import ChatdeskError, plain
from chatdesk.core.runs.batchtypes import BatchObserver, RunBusy

if TYPE_CHECKING:
    from chatdesk.core.runs.batch import BatchOutcome, BatchProgress, BatchRunner
    from chatdesk.core.runs.promptset import PromptItem
    from chatdesk.core.services import Endpoint
    from chatdesk.ctl.endpoint import EndpointService
    from chatdesk.ctl.runtext import RunText
    from chatdesk.ctl.services import Services
    from chatdesk.store import Store
    from chatdesk.store.runs import CellRow, JudgementKey, JudgementRow
    from chatdesk.ui.mainwindow import MainWindow
    from chatdesk.ui.rundialog import CheckResult, NewRunDialog, RunDraft
    from chatdesk.ui.runview import RunView

#: The summary and judge replies are recomputed at most this often while a run fills.
SUMMARY_EVERY_MS = 1000
#: The sidebar counts runs up to this many ("200+" beyond).
SIDEBAR_COUNT_LIMIT = 200
#: The progress line is rewritten at most this often.
PROGRESS_EVERY_S = 0.1


class RunController(QObject):
    """Wires the run page and the New run dialog to core (see the module docstring)."""

    def __init__(self, window: MainWindow, services: Services, endpoint: EndpointService) -> None:
        super().__init__(services)
        self.window = window
        self.services = services
        self.endpoint = endpoint
        self.run_id: int | None = None  # the run on screen
        self.runner: BatchRunner | None = None
        self.driving: int | None = None  # the run being driven
        self.last_outcome: BatchOutcome | None = None
        self.dialog: NewRunDialog | None = None
        self._task: asyncio.Task[Any] | None = None
        self._view: RunView | None = None
        self._names: list[str] = []
        self._columns: list[dict[str, Any]] = []
        self._cells: dict[tuple[int, int], CellRow] = {}
        self._judgements: list[JudgementRow] = []
        self._summary_dirty = False
        self._judge_dirty = False
        self._progress_at = 0.0
        self._row = -1  # the prompt whose judge replies are shown
        self._template: str | None = None
        self._observer = _Observer(self)
        self._text: RunText | None = None
        services.settings_changed.connect(self._on_settings)
        self._timer = QTimer(self)
        self._timer.setInterval(SUMMARY_EVERY_MS)
        self._timer.timeout.connect(self._refresh_summary)
        services.running.register("runs", lambda: self.busy, background=True)
        services.store_replaced.connect(self._on_store_replaced)
        window.run_requested.connect(lambda: self.new_run())
        window.runs_requested.connect(self.show_runs)
        services.open_run_requested.connect(self.open_run)
        window.conversations.filter_changed.connect(self.update_sidebar)
        self._sidebar_filter = ""
        window.closing.connect(self.stop)
        self._mark_interrupted(services.store)
        self.update_sidebar("")

    # --- state ------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self.services.store

    @property
    def text(self) -> RunText:
        """The run page's words (made on first use: see the module docstring)."""
        if self._text is None:
            from chatdesk.ctl.runtext import RunText

            self._text = RunText(self.services.language(), self)
        return self._text

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def view(self) -> RunView:
        """The run page, connected on first use."""
        if self._view is None:
            v = self.window.run_view
            v.new_run_requested.connect(lambda: self.new_run())
            v.run_chosen.connect(self.open_run)
            v.search_changed.connect(self.list_runs)
            v.stop_requested.connect(self.stop)
            v.resume_requested.connect(self.resume)
            v.retry_requested.connect(self.retry)
            v.compare_row_requested.connect(self.compare_row)
            v.row_selected.connect(self.show_judge)
            v.rerun_requested.connect(self.rerun)
            v.export_requested.connect(self.export)
            self._view = v
        return self._view

    def _mark_interrupted(self, store: Store) -> None:
        """A run left "running" by a killed window shows as stopped (Resume finishes it)."""
        try:
            store.runs.mark_interrupted()
        except ChatdeskError as exc:
            self.services.set_status(plain(exc))

    def _on_settings(self, _settings: dict[str, Any]) -> None:
        if self._text is not None:
            self._text.language = self.services.language()

    def _on_store_replaced(self, store: Store) -> None:
        self.stop()
        self._mark_interrupted(store)
        self.update_sidebar()
        self.run_id = None
        self._cells = {}
        if self._view is not None:
            self.view.grid_model.load([], [], {})
            self.view.set_open(False)
            self.list_runs()

    # --- the page ---------------------------------------------------------------------

    def update_sidebar(self, text: str | None = None) -> None:
        """The sidebar's Runs entry: how many runs match its filter (hidden: no run yet)."""
        if text is not None:
            self._sidebar_filter = text.strip()
        button = self.window.runs_button
        try:
            runs = self.store.runs
            if not runs.list_runs(limit=1):
                button.hide()
                return
            if self._sidebar_filter:
                found = len(runs.search_runs(self._sidebar_filter))
                label = self.tr("Prompt-set runs matching: %1").replace("%1", str(found))
            else:
                total = len(runs.list_runs(limit=SIDEBAR_COUNT_LIMIT))
                shown = f"{total}+" if total >= SIDEBAR_COUNT_LIMIT else str(total)
                label = self.tr("Prompt-set runs (%1)").replace("%1", shown)
        except ChatdeskError:
            button.hide()
            return
        button.setText(label)
        button.show()

    def show_runs(self) -> None:
        """The run page with the runs listed (those matching the sidebar's filter when it
        has one) and the open one, if any."""
        view = self.view  # connected before it shows
        self.window.show_runs()
        if self._sidebar_filter and view.search.text() != self._sidebar_filter:
            view.search.setText(self._sidebar_filter)
        self.list_runs(view.search.text())
        view.runs.setFocus()

    def list_runs(self, text: str = "") -> None:
        runs = self.store.runs
        rows = runs.search_runs(text) if text.strip() else runs.list_runs()
        self.view.set_runs([self.text.run_item(r) for r in rows], self.run_id)

    def open_run(self, run_id: int) -> None:
        """Show a stored run: its grid, progress, summary (offline: nothing is sent)."""
        from chatdesk.core.runs.runsummary import column_names
        from chatdesk.ctl import runtext

        run = self.store.runs.get_run(run_id)
        if run is None:
            return
        v = self.view
        if not self.window.showing_runs():
            self.window.show_runs()
            self.list_runs(v.search.text())
        self.run_id = run_id
        self._columns = run.columns
        self._names = column_names(run.columns)
        self._cells = {
            (c.prompt_index, c.model_index): self._slim(c) for c in self.store.runs.cells(run_id)
        }
        prompts = self.store.runs.prompts(run_id)
        cells = {k: self.text.grid_cell(c) for k, c in self._cells.items()}
        v.grid_model.load(
            self._names, runtext.row_titles(prompts), {k: c for k, c in cells.items() if c}
        )
        v.set_open(True)
        title = run.name
        if run.judge is not None:
            title += " · " + self.tr("judge: %1").replace("%1", str(run.judge.get("model") or ""))
        v.title.setText(title)
        self._row = -1
        self._judge_dirty = True
        self._refresh_summary(force=True)
        self._show_state()
        if self.runner is not None and self.driving == run_id and self.runner.progress:
            self._show_progress(self.runner.progress)

    def _slim(self, cell: CellRow) -> CellRow:
        """A cell as kept for the grid and summary: the start of its answer only."""
        from chatdesk.ui.rungrid import PREVIEW_CHARS

        if len(cell.content) > PREVIEW_CHARS:
            return replace(cell, content=cell.content[:PREVIEW_CHARS])
        return cell

    def _show_state(self) -> None:
        """Progress bar and buttons from the saved rows (an idle run)."""
        if self.run_id is None or self._view is None:
            return
        run = self.store.runs.get_run(self.run_id)
        if run is None:
            return
        running = self.driving == run.id
        elsewhere = not running and run.status == "running"  # another process drives it
        if not running:
            text = self.text.status_word(run.status)
            if elsewhere:
                text = self.tr("running in another ChatDesk window or terminal")
            if run.error_cells:
                text += " · " + self.tr("%1 failed").replace("%1", str(run.error_cells))
            self.view.set_progress(run.done_cells, run.total_cells, text)
        to_do = run.done_cells < run.total_cells or (
            run.judge is not None and bool(self.store.runs.judgements_to_do(run.id))
        )
        self.view.set_running(running, can_resume=to_do and self.driving is None and not elsewhere)

    # --- new run ----------------------------------------------------------------------

    def new_run(self, prefill: dict[str, Any] | None = None) -> NewRunDialog:
        """The New prompt-set run dialog (``prefill``: a re-run's prompts and columns)."""
        from chatdesk.core.runs.batch import DEFAULT_CONCURRENCY
        from chatdesk.ui.rundialog import NewRunDialog

        models = self.window.model_picker.models()
        providers = [p.name for p in self.store.list_providers()]
        dialog = NewRunDialog(self.check, models, providers, self.window)
        if prefill:
            dialog.name.setText(str(prefill.get("name") or ""))
            dialog.set_prompts_text(str(prefill.get("text") or ""))
            dialog.set_columns(prefill.get("columns") or [])
            dialog.set_judge(prefill.get("judge"))
            dialog.concurrency.setValue(int(prefill.get("concurrency") or DEFAULT_CONCURRENCY))
            dialog.recheck()
        dialog.accepted.connect(lambda: self._start_from(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _prompts(self, draft: RunDraft) -> list[PromptItem]:
        from chatdesk.core.runs.promptset import load_prompt_set, parse_prompt_set

        if draft.path:
            return load_prompt_set(draft.path)
        if not draft.text.strip():
            raise ValueError(self.tr("Type or paste prompts, or open a file."))
        return parse_prompt_set(draft.text)

    def _endpoint(self, provider: str | None) -> Endpoint:
        from chatdesk.core.services import SetupError, resolve_endpoint

        if provider:
            return resolve_endpoint(self.store, self.services.keys, provider=provider)
        endpoint = self.endpoint.endpoint
        if endpoint is None:
            raise SetupError(self.tr("Set up a server and key first."))
        return endpoint

    def _judge_template(self) -> str:
        if self._template is None:
            from chatdesk import paths
            from chatdesk.core.runs.judge import load_template

            self._template = load_template(config_dir=paths.config_dir())
        return self._template

    def _specs(
        self, draft: RunDraft, prompts: list[PromptItem]
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """The stored column and judge specs, each request checked on the first prompt
        (a refused parameter would otherwise fail every cell of the run)."""
        from chatdesk.core.chat.extrabody import extra_body_for
        from chatdesk.core.chat.turns import Draft, build_request
        from chatdesk.core.runs.batch import column_spec, judge_spec

        if not 2 <= len(draft.columns) <= 4 or not all(c.model for c in draft.columns):
            raise ValueError(self.tr("Choose 2 to 4 models."))
        columns = []
        for choice in draft.columns:
            endpoint = self._endpoint(choice.provider)
            extra = extra_body_for(self.store, endpoint.name, choice.model)
            spec = column_spec(choice.model, endpoint, choice.params, extra_body=extra)
            build_request(
                self.store,
                None,
                [],
                choice.model,
                choice.params,
                draft=Draft(prompts[0].prompt),
                system_prompt=prompts[0].system,
                extra_body=extra,
            )
            columns.append(spec)
        judge = None
        if draft.judge:
            endpoint = self._endpoint(None)
            extra = extra_body_for(self.store, endpoint.name, draft.judge)
            judge = judge_spec(draft.judge, endpoint, self._judge_template(), extra_body=extra)
        return columns, judge

    def check(self, draft: RunDraft) -> CheckResult:
        """The dialog's check: the parse error naming the line, or what the run asks."""
        from chatdesk.core.arena.prices import PriceTable
        from chatdesk.core.runs.judge import JudgeTemplateError
        from chatdesk.core.runs.promptset import PromptSetError
        from chatdesk.core.runs.runsummary import estimate
        from chatdesk.ctl import runtext
        from chatdesk.ui.rundialog import CheckResult

        lang = self.services.language()
        try:
            prompts = self._prompts(draft)
            columns, judge = self._specs(draft, prompts)
        except PromptSetError as exc:
            return CheckResult(False, exc.explain(lang))
        except JudgeTemplateError as exc:
            return CheckResult(False, exc.explain(lang))
        except (ChatdeskError, ValueError) as exc:
            return CheckResult(False, plain(exc, lang))
        template = str((judge or {}).get("template") or "")
        guess = estimate(
            prompts,
            columns,
            judge=judge,
            prices=PriceTable.load(self.store),
            template_chars=len(template),
        )
        text = (
            self.tr("%1 prompts × %2 models: %3 requests (%4 answers + %5 judge calls).")
            .replace("%1", str(len(prompts)))
            .replace("%2", str(len(columns)))
            .replace("%3", str(guess.requests))
            .replace("%4", str(guess.cells))
            .replace("%5", str(guess.judge_requests))
        )
        if guess.cost:
            text += " " + self.tr("Estimated cost: %1.").replace("%1", runtext.money(guess.cost))
            if guess.unpriced:
                text += " " + self.tr("No price for %1.").replace("%1", ", ".join(guess.unpriced))
            text += "\n" + guess.explain(lang)
        else:
            text += " " + self.tr("No prices set: the cost is not estimated.")
        return CheckResult(True, text)

    def _start_from(self, dialog: NewRunDialog) -> None:
        draft = dialog.draft()
        try:
            run_id = self.create_run(draft)
        except (ChatdeskError, ValueError) as exc:
            self.window.set_status(self.tr("The run was not started: %1").replace("%1", plain(exc)))
            return
        self.open_run(run_id)
        self.list_runs(self.view.search.text())
        self.update_sidebar()
        self.start(run_id)

    def create_run(self, draft: RunDraft) -> int:
        """Store the run the dialog describes (status pending); its id."""
        prompts = self._prompts(draft)
        columns, judge = self._specs(draft, prompts)
        name = draft.name or (os.path.basename(draft.path) if draft.path else "")
        name = name or self.tr("Run of %1 prompts").replace("%1", str(len(prompts)))
        return self.store.runs.create_run(
            name, columns, prompts, judge=judge, concurrency=draft.concurrency
        )

    def rerun(self) -> NewRunDialog | None:
        """The New run dialog with this run's prompts, models and judge (change them)."""
        from chatdesk.ui.rundialog import ColumnChoice

        if self.run_id is None:
            return None
        run = self.store.runs.get_run(self.run_id)
        if run is None:
            return None
        lines = []
        for p in self.store.runs.prompts(run.id):
            item: dict[str, Any] = {"prompt": p.prompt}
            if p.id:
                item["id"] = p.id
            if p.system:
                item["system"] = p.system
            lines.append(json.dumps(item, ensure_ascii=False))
        columns = []
        for c in run.columns:
            params = c.get("params") if isinstance(c.get("params"), dict) else {}
            provider = c.get("provider") if isinstance(c.get("provider"), str) else None
            columns.append(ColumnChoice(str(c.get("model") or ""), provider, dict(params or {})))
        prefill = {
            "name": self.tr("%1 (re-run)").replace("%1", run.name),
            "text": "\n".join(lines),
            "columns": columns,
            "judge": (run.judge or {}).get("model"),
            "concurrency": run.concurrency,
        }
        return self.new_run(prefill)

    # --- driving ----------------------------------------------------------------------

    def start(self, run_id: int) -> bool:
        """Drive the run (what is not done yet) on the window's loop."""
        return self._drive(run_id, None)

    def resume(self) -> None:
        if self.run_id is not None:
            self.start(self.run_id)

    def retry(self, prompt_index: int, model_index: int) -> None:
        """Ask one failed cell again (then judge its pairs); the rest is left alone."""
        if self.run_id is not None:
            self._drive(self.run_id, (prompt_index, model_index))

    def _drive(self, run_id: int, cell: tuple[int, int] | None) -> bool:
        from chatdesk.core.arena.prices import PriceTable
        from chatdesk.core.runs.batch import BatchRunner, spec_connector

        if self.busy:
            self.window.set_status(self.tr("A run is going on: stop it or wait for it first."))
            return False
        store, pool = self.store, self.services.pool
        runner = BatchRunner(
            store,
            pool,
            spec_connector(store, pool, self.services.keys),
            prices=PriceTable.load(store),
            observer=self._observer,
        )
        self.runner = runner
        self.driving = run_id
        if cell is None:
            coro: Coroutine[Any, Any, BatchOutcome] = runner.run(run_id)
        else:
            coro = runner.retry_cell(run_id, *cell)
        self._task = asyncio.ensure_future(self._go(run_id, coro))
        self._timer.start()
        self._show_state()
        return True

    async def _go(self, run_id: int, coro: Coroutine[Any, Any, BatchOutcome]) -> None:
        try:
            self.last_outcome = await coro
        except RunBusy as exc:
            self.window.set_status(
                self.tr("Run %1 is going on in another ChatDesk window or terminal.").replace(
                    "%1", str(exc.run_id)
                )
            )
        except (ChatdeskError, ValueError) as exc:  # a provider that cannot be used
            self.window.set_status(self.tr("The run did not start: %1").replace("%1", plain(exc)))
        finally:
            self.driving = None
            self._timer.stop()
            self.update_sidebar()
            if self.run_id == run_id and self._view is not None:
                self._refresh_summary(force=True)
                self._show_state()
                self.list_runs(self.view.search.text())

    def stop(self) -> None:
        """Stop the run: requests in flight end, their cells stay to do (Resume)."""
        if self.runner is not None and self.busy:
            self.runner.stop()

    async def aclose(self) -> None:
        self.stop()
        task = self._task
        if task is not None and not task.done():
            try:
                await task
            except asyncio.CancelledError:
                pass

    # --- observer hooks -----------------------------------------------------------------

    def cell_started(self, run_id: int, prompt: int, model: int) -> None:
        if run_id == self.run_id and self._view is not None:
            self.view.grid_model.set_cell(prompt, model, self.text.running_cell())

    def cell_saved(self, run_id: int, prompt: int, model: int) -> None:
        if run_id != self.run_id or self._view is None:
            return
        cell = self.store.runs.get_cell(run_id, prompt, model)
        if cell is None:
            return
        self._cells[(prompt, model)] = self._slim(cell)
        shown = self.text.grid_cell(cell)
        if shown is not None:
            self.view.grid_model.set_cell(prompt, model, shown)
        self._summary_dirty = True

    def judgement_saved(self, run_id: int, key: JudgementKey) -> None:
        if run_id == self.run_id:
            self._judge_dirty = True

    def progress(self, progress: BatchProgress, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._progress_at < PROGRESS_EVERY_S:
            return
        self._progress_at = now
        if progress.run_id == self.run_id and self._view is not None:
            self._show_progress(progress)

    def _show_progress(self, progress: BatchProgress) -> None:
        self.view.set_progress(
            progress.cells_done, progress.cells_total, self.text.progress_text(progress)
        )

    def run_finished(self, outcome: BatchOutcome) -> None:
        p = outcome.progress
        text = (
            self.tr("Run %1: %2, %3/%4 answers.")
            .replace("%1", str(outcome.run_id))
            .replace("%2", self.text.status_word(outcome.status))
            .replace("%3", str(p.cells_done))
            .replace("%4", str(p.cells_total))
        )
        if outcome.failure is not None:
            text += " " + plain(outcome.failure, self.services.language())
        self.window.set_status(text)
        if outcome.run_id == self.run_id and self._view is not None:
            self._show_progress(p)

    # --- summary, judge replies -----------------------------------------------------------

    def _refresh_summary(self, *, force: bool = False) -> None:
        from chatdesk.core.runs.runsummary import summarize
        from chatdesk.ctl import runtext

        if self.run_id is None or self._view is None:
            return
        if self._judge_dirty or force:
            self._judgements = self.store.runs.judgements(self.run_id)
        if not (force or self._summary_dirty or self._judge_dirty):
            return
        judge_changed = self._judge_dirty or force
        self._summary_dirty = self._judge_dirty = False
        summary = summarize(self._columns, self._cells.values(), self._judgements)
        self.view.set_summary(self.text.summary_headers(), runtext.summary_rows(summary))
        if judge_changed and self._row >= 0:
            self.show_judge(self._row)

    def show_judge(self, prompt_index: int) -> None:
        """The judge replies of one prompt, pair by pair (the Judge replies tab)."""
        from chatdesk.core.runs.runsummary import pair_verdicts

        self._row = prompt_index
        if self.run_id is None or self._view is None:
            return
        verdicts = pair_verdicts(self._names, self._judgements)
        self.view.set_judge_text(
            self.text.judge_text(self._names, prompt_index, self._judgements, verdicts)
        )

    # --- rows as comparisons, export ----------------------------------------------------

    def compare_row(self, prompt_index: int) -> int | None:
        """Open the row as a blind comparison in the compare view (made on first open)."""
        from chatdesk.core.arena.compare import CompareError
        from chatdesk.core.runs.runrows import row_comparison

        if self.run_id is None:
            return None
        try:
            conv = row_comparison(self.store, self.run_id, prompt_index)
        except (CompareError, ValueError, ChatdeskError) as exc:
            self.window.set_status(plain(exc, self.services.language()))
            return None
        self.window.conversations.reload()
        self.services.show_conversation(conv)
        self.window.conversations.select_conversation(conv)
        return conv

    def export(self, fmt: str) -> None:
        """Ask where, then write the run as CSV, JSON or an HTML report."""
        from PySide6.QtWidgets import QFileDialog

        if self.run_id is None:
            return
        run = self.store.runs.get_run(self.run_id)
        name = "".join(
            ch if ch.isalnum() or ch in "-_" else "-" for ch in (run.name if run else "")
        )
        filters = {
            "csv": self.tr("CSV (*.csv)"),
            "json": self.tr("JSON (*.json)"),
            "html": self.tr("HTML report (*.html)"),
        }
        path, _ = QFileDialog.getSaveFileName(
            self.window,
            self.tr("Export the run"),
            f"{name or 'run'}.{fmt}",
            filters.get(fmt, ""),
        )
        if path:
            self.export_to(fmt, path)

    def export_to(self, fmt: str, path: str) -> bool:
        """Write the shown run to ``path`` whole or not at all (a temporary file renamed)."""
        from chatdesk.core.atomicfile import write_text_atomic
        from chatdesk.core.runs.runexport import load_run, run_text

        if self.run_id is None:
            return False
        data = load_run(self.store, self.run_id)
        if data is None:
            return False
        lang = "zh" if self.services.language().startswith("zh") else "en"
        text = run_text(data, fmt, lang)
        try:
            write_text_atomic(path, text, prefix=".chatdesk-run-")
        except OSError as exc:
            self.window.set_status(
                self.tr("Not exported: %1").replace("%1", exc.strerror or str(exc))
            )
            return False
        self.window.set_status(self.tr("Exported to %1").replace("%1", path))
        return True


class _Observer(BatchObserver):
    """Hands the runner's callbacks to the controller (on the loop's thread)."""

    def __init__(self, ctl: RunController) -> None:
        self.ctl = ctl

    def cell_started(self, runner: BatchRunner, run_id: int, prompt: int, model: int) -> None:
        self.ctl.cell_started(run_id, prompt, model)

    def cell_saved(
        self, runner: BatchRunner, run_id: int, prompt: int, model: int, status: str
    ) -> None:
        self.ctl.cell_saved(run_id, prompt, model)

    def judgement_saved(
        self, runner: BatchRunner, run_id: int, key: JudgementKey, status: str
    ) -> None:
        self.ctl.judgement_saved(run_id, key)

    def progress(self, runner: BatchRunner, progress: BatchProgress) -> None:
        self.ctl.progress(progress)

    def run_finished(self, runner: BatchRunner, outcome: BatchOutcome) -> None:
        self.ctl.progress(outcome.progress, force=True)
        self.ctl.run_finished(outcome)
