"""What every terminal command shares: exit codes, the usage error, argument types,
opening the store, and printing (JSON, one-line errors, a stdout that went away).

Light on purpose: the window's start imports it (through the parser), so anything
heavy is imported inside the function that needs it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from chatdesk.api.errors import ApiError, ChatdeskError, ValidationError

if TYPE_CHECKING:
    from chatdesk.store import Store

EXIT_API = 1
EXIT_USAGE = 2
EXIT_SIGPIPE = 128 + 13  # what a shell reports for a program killed by a closed pipe
EXIT_INTERRUPTED = 130


class UsageError(ChatdeskError):
    """Bad command-line input: exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse that reports errors as one line and exits 2 (never a traceback)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"chatdesk: error: {message}\n")


def float_arg(name: str, low: float, high: float) -> Any:
    """An argparse type: a number from ``low`` to ``high``, else a message naming it."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{name} must be between {low:g} and {high:g}, got {text}"
            )
        return value

    return parse


def int_arg(name: str, low: int | None = None) -> Any:
    """An argparse type: a whole number, at least ``low`` when given."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be a whole number, got {text!r}"
            ) from None
        if low is not None and value < low:
            raise argparse.ArgumentTypeError(f"{name} must be at least {low}, got {text}")
        return value

    return parse


def iso(ts: float | None) -> str | None:
    """A stored time as ISO 8601 UTC; None (never a traceback) for a bad stored time."""
    from chatdesk.core.history import timestamps

    return timestamps.iso_utc(ts)


def open_store() -> Store:
    """The history database for writing, with the default provider in place."""
    from chatdesk.core.services import ensure_default_provider, open_store as open_db

    store = open_db()
    ensure_default_provider(store)
    return store


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(exc: Exception, as_json: bool, partial: str = "") -> int:
    """Report an error as one readable line (or JSON) and return the exit code."""
    if isinstance(exc, ApiError):
        code = EXIT_API
        err = exc.to_json()
        line = str(exc)
    else:
        code = EXIT_USAGE if isinstance(exc, UsageError | ValidationError) else EXIT_API
        category = "usage" if code == EXIT_USAGE else getattr(exc, "kind", "error")
        err = {
            "category": category,
            "http_status": None,
            "message": str(exc),
            "retry_after_s": None,
        }
        if hasattr(exc, "explain_cli"):
            line = exc.explain_cli()  # the terminal's wording (no window buttons)
        elif hasattr(exc, "explain"):
            line = exc.explain()
        else:
            line = str(exc)
    if as_json:
        print_json({"error": err, "partial": {"content": partial}})
    else:
        sys.stderr.write(f"chatdesk: error: {line}\n")
    return code


def silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass
