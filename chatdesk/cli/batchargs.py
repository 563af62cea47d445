"""``chatdesk batch``'s arguments: built with the whole command tree (cli/parser.py)
without loading the command itself, which runs only when ``batch`` is asked for."""

from __future__ import annotations

import argparse
from typing import Any

MIN_MODELS, MAX_MODELS = 2, 4
MAX_CONCURRENCY = 64


def _concurrency(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_CONCURRENCY:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_CONCURRENCY}, got {text}")
    return value


def _run_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a run id is a number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"a run id is a positive number, got {text}")
    return value


def add_parser(subparsers: Any, add_request_flags: Any) -> None:
    """Register ``batch`` with the same per-request flags as ``ask``."""
    p = subparsers.add_parser(
        "batch",
        help="run a prompt set against 2-4 models (optionally judged), resumable",
        description=(
            'Send every prompt of FILE (.jsonl with a "prompt" per line, .txt one prompt '
            "per line, .csv with a prompt column) to 2 to 4 models, at most --concurrency "
            "requests at once, saving each answer as it completes. With --judge, each pair "
            "of answers is judged twice (both orders). Exit 0 when every cell answered, 1 "
            "when some failed (the rest is saved: --resume retries them), 2 on bad usage "
            "or a bad file (nothing sent)."
        ),
    )
    p.add_argument("file", nargs="?", metavar="FILE", help="the prompt set")
    p.add_argument(
        "-m",
        "--model",
        action="append",
        dest="models",
        metavar="MODEL",
        help="a model to run (repeat 2 to 4 times)",
    )
    p.add_argument("--judge", metavar="MODEL", help="judge each pair of answers with MODEL")
    p.add_argument(
        "--judge-template",
        metavar="FILE",
        help="the judge prompt ({question}, {answer_a}, {answer_b}; default: the shipped one)",
    )
    p.add_argument(
        "--concurrency",
        type=_concurrency,
        metavar="N",
        help="most requests in flight over the whole run (default 4)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--provider", help="configured provider for every model and the judge")
    where.add_argument("--base-url", help="OpenAI-compatible server for every model")
    add_request_flags(p)
    p.add_argument("--name", help="the run's name (default: the file's name)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--list", action="store_true", help="list the stored runs")
    mode.add_argument("--resume", type=_run_id, metavar="RUN_ID", help="finish a stored run")
    mode.add_argument(
        "--export", type=_run_id, metavar="RUN_ID", help="write a run as csv, json or html"
    )
    p.add_argument("--format", choices=("csv", "json", "html"), help="the --export format")
    p.add_argument("-o", "--output", metavar="FILE", help="where --export writes (default: stdout)")
    p.add_argument("--json", action="store_true", help="print the run as one JSON object")
