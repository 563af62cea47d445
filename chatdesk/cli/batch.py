"""``chatdesk batch``: a prompt set x 2-4 models (and a judge), from the terminal.

The run is stored (the window's history lists it) and driven by
:class:`~chatdesk.core.runs.batch.BatchRunner`, so a run killed at any point finishes
with ``--resume`` without asking a done cell again. The file and the models are
checked before the run is made: a bad file sends nothing and exits 2.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.core.runs.batch import BatchOutcome, BatchProgress, BatchRunner
    from chatdesk.store import Store

from chatdesk.cli.batchargs import MAX_MODELS, MIN_MODELS

EXIT_INTERRUPTED = 130


def cmd_batch(args: argparse.Namespace) -> int:
    """Dispatch: a new run, --list, --resume or --export."""
    from chatdesk.cli._common import UsageError

    new_run_flags = [
        ("FILE", args.file is not None),
        ("-m", bool(args.models)),
        ("--judge", args.judge is not None),
        ("--name", args.name is not None),
    ]
    if args.list or args.resume is not None or args.export is not None:
        given = [flag for flag, present in new_run_flags if present]
        if given:
            raise UsageError(f"{given[0]} is for a new run, not with --list/--resume/--export")
    if (args.format or args.output) and args.export is None:
        raise UsageError("--format and -o go with --export RUN_ID")
    if args.list:
        return _list(args)
    if args.export is not None:
        return _export(args)
    if args.resume is not None:
        return _resume(args)
    if args.file is None:
        raise UsageError("give a prompt set FILE (or --list, --resume RUN_ID, --export RUN_ID)")
    return _new(args)


# --- a new run -----------------------------------------------------------------------


def _new(args: argparse.Namespace) -> int:
    """Check everything (file, models, flags, provider, parameters), make the run, run it."""
    from chatdesk import paths
    from chatdesk.cli._common import UsageError, open_store
    from chatdesk.cli.request import request_params, require_key
    from chatdesk.core.chat.extrabody import extra_body_for
    from chatdesk.core.chat.turns import Draft, build_request
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.runs.batch import DEFAULT_CONCURRENCY, column_spec, judge_spec
    from chatdesk.core.runs.judge import JudgeTemplateError, load_template
    from chatdesk.core.runs.promptset import PromptSetError, load_prompt_set
    from chatdesk.core.services import SetupError, resolve_endpoint

    models = [m.strip() for m in args.models or []]
    if not MIN_MODELS <= len(models) <= MAX_MODELS or not all(models):
        raise UsageError(f"give {MIN_MODELS} to {MAX_MODELS} models with -m (got {len(models)})")
    if args.judge is not None and not args.judge.strip():
        raise UsageError("--judge needs a model name")
    for flag, present in (
        ("-n", args.n not in (None, 1)),
        ("--image", bool(args.image)),
        ("--tools", args.tools is not None),
        ("--tool-choice", args.tool_choice is not None),
    ):
        if present:
            raise UsageError(f"{flag} is not available in batch (each cell is one plain answer)")
    if args.stop and len(args.stop) > 4:
        raise UsageError("at most 4 --stop sequences are allowed")
    try:
        prompts = load_prompt_set(args.file)
    except PromptSetError as exc:
        raise UsageError(f"{args.file}: {exc.explain()}") from None
    template = None
    if args.judge:
        try:
            template = load_template(args.judge_template, config_dir=paths.config_dir())
        except JudgeTemplateError as exc:
            raise UsageError(exc.explain()) from None
    params = request_params(args)

    store = open_store()
    try:
        store.runs.mark_interrupted()
        try:
            endpoint = resolve_endpoint(
                store, KeyStore(), provider=args.provider, base_url=args.base_url
            )
        except SetupError as exc:
            raise UsageError(str(exc)) from None
        require_key(endpoint)
        columns = []
        for model in models:
            extra = extra_body_for(store, endpoint.name, model, args.extra_body)
            spec = column_spec(model, endpoint, params, system=args.system, extra_body=extra)
            # Checked now, on the first prompt: a parameter the request refuses would
            # otherwise fail every cell of the run (ValidationError: exit 2).
            build_request(
                store,
                None,
                [],
                model,
                params,
                draft=Draft(prompts[0].prompt),
                system_prompt=prompts[0].system or args.system,
                extra_body=extra,
            )
            columns.append(spec)
        judge = None
        if args.judge and template is not None:
            judge_model = args.judge.strip()
            extra = extra_body_for(store, endpoint.name, judge_model)
            judge = judge_spec(judge_model, endpoint, template, extra_body=extra)
        name = args.name or os.path.basename(args.file)
        run_id = store.runs.create_run(
            name,
            columns,
            prompts,
            judge=judge,
            concurrency=args.concurrency or DEFAULT_CONCURRENCY,
        )
        _say_estimate(store, run_id)
        return _drive(store, run_id, args)
    finally:
        store.close()


def _say_estimate(store: Store, run_id: int) -> None:
    """How many requests the run will make and, where prices exist, what they may cost."""
    from chatdesk.core.arena.prices import PriceTable
    from chatdesk.core.runs.runsummary import estimate

    run = store.runs.get_run(run_id)
    assert run is not None
    template = str((run.judge or {}).get("template") or "")
    guess = estimate(
        store.runs.prompts(run_id),
        run.columns,
        judge=run.judge,
        prices=PriceTable.load(store),
        template_chars=len(template),
    )
    line = (
        f"chatdesk: run {run_id}: {guess.requests} requests "
        f"({guess.cells} answers + {guess.judge_requests} judge calls)"
    )
    if guess.cost:
        costs = ", ".join(f"{v:.4f} {c}" for c, v in sorted(guess.cost.items()))
        line += f"; estimated cost {costs}"
        if guess.unpriced:
            line += f" (no price for {', '.join(guess.unpriced)})"
        line += f"\n  {guess.explain()}"
    else:
        line += "; no prices set, cost not estimated"
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


# --- resume, list, export ------------------------------------------------------------


def _resume(args: argparse.Namespace) -> int:
    from chatdesk.cli._common import UsageError, open_store

    store = open_store()
    try:
        store.runs.mark_interrupted()
        run = store.runs.get_run(args.resume)
        if run is None:
            raise UsageError(f"no run with id {args.resume} (see `chatdesk batch --list`)")
        cells = len(store.runs.cells_to_do(run.id))
        judge = len(store.runs.judgements_to_do(run.id))
        sys.stderr.write(
            f"chatdesk: run {run.id}: {cells} answers to ask"
            + (f", {judge} judge calls ready (more as answers arrive)" if run.judge else "")
            + "\n"
        )
        return _drive(store, run.id, args)
    finally:
        store.close()


def _list(args: argparse.Namespace) -> int:
    from chatdesk.cli._common import open_store, print_json

    store = open_store()
    try:
        runs = store.runs.list_runs()
    finally:
        store.close()
    rows: list[dict[str, Any]] = [
        {
            "run_id": r.id,
            "name": r.name,
            "models": r.models,
            "prompts": r.prompt_count,
            "done_cells": r.done_cells,
            "total_cells": r.total_cells,
            "status": r.status,
        }
        for r in runs
    ]
    if args.json:
        print_json({"runs": rows})
        return 0
    if not rows:
        print("no runs yet (start one with: chatdesk batch FILE -m MODEL -m MODEL)")
    for row in rows:
        print(
            f"{row['run_id']:>5}  {row['status']:<8} {row['done_cells']:>6}/{row['total_cells']:<6}"
            f" {row['name']}  [{', '.join(row['models'])}]"
        )
    return 0


def _export(args: argparse.Namespace) -> int:

    from chatdesk.cli._common import UsageError
    from chatdesk.cli.transfer import _export_target
    from chatdesk.core.atomicfile import write_text_atomic
    from chatdesk.core.runs.runexport import load_run, run_text
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    fmt = args.format
    if fmt is None:
        suffix = os.path.splitext(args.output or "")[1].lower().lstrip(".")
        fmt = {"csv": "csv", "htm": "html", "html": "html", "json": "json"}.get(suffix)
        if fmt is None:
            raise UsageError("say which format: --format csv, json or html")
    store = Store.for_reading(database_path())
    try:
        data = load_run(store, args.export)
    finally:
        store.close()
    if data is None:
        raise UsageError(f"no run with id {args.export} (see `chatdesk batch --list`)")
    text = run_text(data, fmt)
    if args.output in (None, "-"):
        sys.stdout.write(text)
        return 0
    target = _export_target(args.output)
    if target is None:  # a pipe or a device: written through
        with open(args.output, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:  # whole or not at all: a temporary file renamed over the target
        write_text_atomic(target, text, prefix=".chatdesk-run-")
    print(f"exported run {args.export} to {args.output}")
    return 0


# --- driving -------------------------------------------------------------------------


def _drive(store: Store, run_id: int, args: argparse.Namespace) -> int:
    """Run it to the end (or Ctrl-C), then print the result; the exit code."""
    import asyncio

    from chatdesk.cli._common import UsageError, print_json
    from chatdesk.core.arena.prices import PriceTable
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.runs.batch import BatchObserver, BatchRunner, spec_connector
    from chatdesk.core.runs.runexport import load_run, run_json
    from chatdesk.core.settings import AppSettings

    class ProgressLine(BatchObserver):
        """One line on a terminal's stderr, rewritten at most ten times a second."""

        def __init__(self) -> None:
            self.last = 0.0
            self.width = 0

        def progress(self, runner: BatchRunner, progress: BatchProgress) -> None:
            now = time.monotonic()
            if now - self.last >= 0.1:
                self.last = now
                self.show(progress)

        def show(self, progress: BatchProgress) -> None:
            text = _progress_text(progress)
            pad = max(0, self.width - len(text))
            self.width = len(text)
            _err("\r" + text + " " * pad)

        def run_finished(self, runner: BatchRunner, outcome: BatchOutcome) -> None:
            self.show(outcome.progress)  # the last counts, whatever the throttle skipped

        def end(self) -> None:
            if self.width:
                _err("\n")
                self.width = 0

    from chatdesk.core.runs.batchtypes import RunBusy

    pool = ClientPool(store, AppSettings.from_dict(store.get_setting("app_settings")))
    observer = ProgressLine() if sys.stderr.isatty() else None
    batch = BatchRunner(
        store, pool, spec_connector(store, pool), prices=PriceTable.load(store), observer=observer
    )

    async def go() -> BatchOutcome:
        try:
            return await batch.run(run_id, concurrency=args.concurrency)
        finally:
            await pool.close()

    try:
        outcome = asyncio.run(go())
    except RunBusy as exc:
        if observer is not None:
            observer.end()
        raise UsageError(f"{exc}; wait for it, or stop it there first") from None
    except KeyboardInterrupt:
        if observer is not None:
            observer.end()
        sys.stderr.write(f"chatdesk: stopped; finish with: chatdesk batch --resume {run_id}\n")
        return EXIT_INTERRUPTED
    if observer is not None:
        observer.end()
    data = load_run(store, run_id)
    assert data is not None
    if args.json:
        print_json(run_json(data))
    else:
        _print_summary(run_id, outcome, [s.to_json() for s in data.summary()])
    if outcome.failure is not None:
        sys.stderr.write(f"chatdesk: error: the run stopped: {outcome.failure}\n")
        return 1
    return 0 if outcome.complete else 1


def _print_summary(run_id: int, outcome: BatchOutcome, summary: list[dict[str, Any]]) -> None:
    out = sys.stdout
    p = outcome.progress
    out.write(f"run {run_id}: {outcome.status}, {p.cells_done}/{p.cells_total} answers")
    if p.cells_failed:
        out.write(f", {p.cells_failed} failed (retry with: chatdesk batch --resume {run_id})")
    if p.judge_total:
        out.write(f"; judged {p.judge_done}/{p.judge_total}")
    out.write("\n")
    for s in summary:
        figures = [f"{s['ok']} ok", f"{s['errors']} errors"]
        if s["median_ttft_ms"] is not None:
            figures.append(f"first token {s['median_ttft_ms']:.0f} ms")
        if s["median_tokens_per_s"] is not None:
            figures.append(f"{s['median_tokens_per_s']:.1f} tok/s")
        if s["cost"] is not None:
            figures.append(f"cost {s['cost']:.4f}")
        if p.judge_total:
            figures.append(f"judge {s['judge_wins']}W/{s['judge_losses']}L/{s['judge_ties']}T")
            if s["rating"] is not None:
                figures.append(f"rating {s['rating']:.0f}")
        out.write(f"  {s['model']}: {', '.join(figures)}\n")
    out.write(f"export with: chatdesk batch --export {run_id} --format html -o run{run_id}.html\n")


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


def _progress_text(p: BatchProgress) -> str:
    parts = [f"answers {p.cells_done}/{p.cells_total}"]
    if p.cells_failed:
        parts.append(f"{p.cells_failed} failed")
    if p.judge_total:
        parts.append(f"judged {p.judge_done}/{p.judge_total}")
    if p.cost:
        parts.append(", ".join(f"{v:.4f} {c}" for c, v in sorted(p.cost.items())))
    if p.paused:
        parts.append(f"rate limited, waiting {_duration(max(p.paused.values()) + 1)}")
    if p.eta_s is not None:
        parts.append(f"ETA {_duration(p.eta_s)}")
    return " · ".join(parts)


def _err(text: str) -> None:
    """Progress on stderr; a closed terminal stops the line, never the run."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except OSError:
        pass
