"""``chatdesk compare``: several models answer one prompt at once, from the terminal.

The same :class:`~chatdesk.core.arena.compare.Comparison` as the window's compare view, so
a comparison made here reopens there (and ``chatdesk vote`` votes on it). All columns
stream concurrently; each answer is printed when its column ends, so the output
stays readable.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chatdesk.cli._common import UsageError, open_store, print_json
from chatdesk.cli.request import request_params, require_key, split_images


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the comparison; print the columns (or the JSON object)."""
    import asyncio

    from chatdesk.core.arena.compare import MAX_COLUMNS, MIN_COLUMNS, ColumnSpec, Comparison
    from chatdesk.core.chat.runner import TurnRunner
    from chatdesk.core.chat.turns import Draft
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.services import resolve_endpoint, title_from_text
    from chatdesk.core.settings import AppSettings

    models = [m.strip() for m in args.models or []]
    if not MIN_COLUMNS <= len(models) <= MAX_COLUMNS or not all(models):
        raise UsageError(f"give {MIN_COLUMNS} to {MAX_COLUMNS} models with -m (got {len(models)})")
    prompt = args.prompt
    if prompt is None and not sys.stdin.isatty():
        prompt = sys.stdin.read()
    if prompt is None or not prompt.strip():
        raise UsageError("the prompt is empty: give it as an argument or on standard input")
    if args.stop and len(args.stop) > 4:
        raise UsageError("at most 4 --stop sequences are allowed")
    if args.n not in (None, 1):
        raise UsageError("-n is not available in compare (each column gives one answer)")
    images, urls = split_images(args.image)
    params = request_params(args)
    if args.system:
        params.pop("system", None)

    store = open_store()
    try:
        endpoint = resolve_endpoint(
            store, KeyStore(), provider=args.provider, base_url=args.base_url
        )
        require_key(endpoint)
        columns = [ColumnSpec(m, dict(params), endpoint.name) for m in models]
        comparison = Comparison.create(
            store,
            columns,
            title=title_from_text(prompt),
            system_prompt=args.system or "",
            blind=args.blind,
        )
        comparison.extra_body = args.extra_body
        overrides: dict[str, Any] = {}
        if args.timeout and 0 < args.timeout <= 86400:
            overrides = {"read_timeout": args.timeout, "connect_timeout": min(args.timeout, 10)}
        if args.deadline and 0 < args.deadline <= 86400:
            overrides["total_timeout"] = args.deadline
        pool = ClientPool(store, AppSettings.from_dict(store.get_setting("app_settings")))

        def client_for(_spec: ColumnSpec) -> tuple[Any, Any]:
            return pool.get(endpoint, **overrides), endpoint

        draft = Draft(prompt, images, urls)

        async def go() -> None:
            exchanges = comparison.start_turn(draft, client_for, stream=not args.no_stream)
            runners = [TurnRunner(pool, ex, endpoint=endpoint) for ex in exchanges]
            try:
                await asyncio.gather(*(runner.run() for runner in runners))
            finally:
                await pool.close()
                for runner in runners:  # writes the database refused mid-stream, now
                    runner.settle(timeout=5.0)

        try:
            asyncio.run(go())
        except KeyboardInterrupt:
            pass  # each column saved its partial answer as stopped; report what we have
        report = [_column_report(comparison, i) for i in range(len(comparison.columns))]
    finally:
        store.close()
    ok = any(c["error"] is None for c in report)
    if args.blind:  # before the vote the terminal says A, B, C, D only
        report = [_hide_name(c, comparison.columns) for c in report]
    number = comparison.conversation_id  # the one id history, export and vote take
    if args.json:
        print_json({"id": number, "blind": bool(args.blind), "columns": report})
    else:
        _print_columns(number, report, blind=args.blind)
    return 0 if ok else 1


def _answered(col: dict[str, Any]) -> bool:
    """A column with an answer to vote on: text, and no error (a stop keeps its text)."""
    error = col["error"]
    return bool(str(col["content"]).strip()) and (error is None or error["category"] == "stopped")


def _hide_name(col: dict[str, Any], columns: list[Any]) -> dict[str, Any]:
    """The column without its model's name (blind mode: also out of error messages)."""
    out = dict(col, model=None)
    if out["error"] is not None:
        message = str(out["error"]["message"])
        for spec in columns:
            if spec.model:
                message = message.replace(spec.model, f"model {col['label']}")
        out["error"] = dict(out["error"], message=message)
    return out


def _column_report(comparison: Any, index: int) -> dict[str, Any]:
    """One column as ``--json`` prints it (figures from the exchange, text from the store)."""
    from chatdesk.core.arena.compare import LABELS

    ex = comparison.exchanges[index]
    spec = comparison.columns[index]
    row = comparison.answer(index)
    error: dict[str, Any] | None = None
    if ex is not None and ex.error is not None:
        error = {
            "category": ex.error.category,
            "http_status": ex.error.http_status,
            "message": ex.error.explain(),
        }
    elif ex is not None and ex.failure is not None:
        error = {"category": "store", "http_status": None, "message": str(ex.failure)}
    elif ex is None or str(ex.status) == "stopped":
        error = {"category": "stopped", "http_status": None, "message": "stopped before the end"}
    stats = ex.stats if ex is not None else None
    usage = row.usage if row is not None and row.usage else None
    return {
        "label": LABELS[index],
        "model": spec.model,
        "content": row.content if row is not None else "",
        "finish_reason": row.finish_reason if row is not None else None,
        "usage": usage,
        "ttft_ms": stats.ttft_ms if stats else None,
        "duration_ms": stats.duration_ms if stats else None,
        "tokens_per_s": stats.tokens_per_s() if stats else None,
        "error": error,
    }


def _print_columns(comparison_id: int, report: list[dict[str, Any]], *, blind: bool) -> None:
    """Each column, then the id to vote with (only when two or more columns answered)."""
    out = sys.stdout
    for col in report:
        name = f"Model {col['label']}" if blind else col["model"]
        figures = []
        if col["ttft_ms"] is not None:
            figures.append(f"first token {col['ttft_ms']:.0f} ms")
        if col["duration_ms"] is not None:
            figures.append(f"total {col['duration_ms'] / 1000:.1f} s")
        if col["tokens_per_s"] is not None:
            figures.append(f"{col['tokens_per_s']:.1f} tok/s")
        head = f"── {col['label']} · {name}" + (f" ({', '.join(figures)})" if figures else "")
        out.write(head + "\n")
        if col["content"]:
            out.write(col["content"].rstrip("\n") + "\n")
        if col["error"] is not None:
            out.write(f"[error: {col['error']['message']}]\n")
        out.write("\n")
    answered = [col["label"] for col in report if _answered(col)]
    if len(answered) >= 2:
        choices = "|".join([*answered, "tie", "bad"])
        out.write(
            f"Comparison {comparison_id} saved. Vote with: chatdesk vote {comparison_id} "
            f"{choices}\n"
        )
    else:
        out.write(
            f"Comparison {comparison_id} saved. No vote: fewer than two columns answered "
            f"({', '.join(answered) or 'none'}).\n"
        )
    out.flush()
