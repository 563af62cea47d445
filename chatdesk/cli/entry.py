"""The ``chatdesk`` entry point: parse, then open the window or run one command.

A command's module is imported only when that command runs, so the window's start
and ``chatdesk --version`` load none of them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from chatdesk.cli import server
from chatdesk.cli._common import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_SIGPIPE,
    EXIT_USAGE,
    fail,
    silence_stdout,
)
from chatdesk.cli.parser import parse
from chatdesk.errors import ChatdeskError

Command = Callable[[argparse.Namespace], int]


def command(name: str) -> Command:
    """The handler of subcommand ``name`` (its module imported now, not at start)."""
    if name == "ask":
        from chatdesk.cli.ask import cmd_ask

        return cmd_ask
    if name == "models":
        from chatdesk.cli.models import cmd_models

        return cmd_models
    if name == "providers":
        from chatdesk.cli.providers import cmd_providers

        return cmd_providers
    if name == "history":
        from chatdesk.cli.history import cmd_history

        return cmd_history
    if name == "keys":
        from chatdesk.cli.keys import cmd_keys

        return cmd_keys
    if name in ("export", "import"):
        from chatdesk.cli.transfer import cmd_export, cmd_import

        return cmd_export if name == "export" else cmd_import
    if name == "backup":
        from chatdesk.cli.backup import cmd_backup

        return cmd_backup
    if name == "batch":
        from chatdesk.cli.batch import cmd_batch

        return cmd_batch
    if name == "compare":
        from chatdesk.cli.compare import cmd_compare

        return cmd_compare
    if name in ("vote", "leaderboard"):
        from chatdesk.cli.arena import cmd_leaderboard, cmd_vote

        return cmd_vote if name == "vote" else cmd_leaderboard
    if name == "mcp":
        from chatdesk.cli.mcp import cmd_mcp

        return cmd_mcp
    raise KeyError(name)


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """The first argument that was not valid UTF-8 (Python keeps such bytes as lone
    surrogates, which no server and no JSON encoder accepts), named as on the command
    line; ``None`` if all are fine."""
    for dest, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and any("\udc80" <= ch <= "\udcff" for ch in item):
                return "the prompt" if dest == "prompt" else f"--{dest.replace('_', '-')}"
    return None


def main(
    argv: Sequence[str] | None = None,
    *,
    window: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Entry point of the ``chatdesk`` command; ``window`` runs the window (no subcommand)."""
    parser, args = parse(argv)
    problem = server.global_options(args)
    if problem is not None:
        parser.exit(EXIT_USAGE, f"chatdesk: error: {problem}\n")
    bad = _undecodable_argument(args)
    if bad is not None:
        parser.exit(EXIT_USAGE, f"chatdesk: error: {bad} is not valid UTF-8 text\n")
    if getattr(args, "base_url", None):
        from chatdesk.core.urls import CredentialsInUrlError, reject_credentials

        try:  # before anything uses, stores or echoes it
            reject_credentials(args.base_url)
        except CredentialsInUrlError as exc:
            parser.exit(EXIT_USAGE, f"chatdesk: error: {exc}\n")
    if args.command is None:
        return _start_window(parser, args, window)
    return _run_command(args)


def _start_window(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    window: Callable[[argparse.Namespace], int] | None,
) -> int:
    """No subcommand: the launcher entry, or the window (after checking it can show)."""
    if args.desktop_entry:
        from chatdesk import desktop

        return desktop.main(args.desktop_entry)
    models = getattr(args, "models", None) or []
    args.model = models[-1] if models else None
    if args.compare and models and not 2 <= len(models) <= 4:
        parser.exit(EXIT_USAGE, "chatdesk: error: --compare needs 2 to 4 -m models\n")
    if sys.platform.startswith("linux") and not any(
        os.environ.get(v) for v in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    ):
        # Qt would abort with a core dump; say what is wrong instead.
        sys.stderr.write(
            "chatdesk: no display found (DISPLAY is not set). Run it in a desktop session, "
            "or use the terminal commands: chatdesk ask, history, models (see --help).\n"
        )
        return 1
    import gc

    # Start-up allocates a great deal and frees little: automatic collections took
    # ~8 ms before the first paint. The window collects from a timer instead
    # (chatdesk.app.install_gc_pacer, from the first paint on).
    gc.disable()
    if window is None:  # the window is started by chatdesk.__main__, the wiring's one user
        parser.exit(EXIT_USAGE, "chatdesk: error: no window in this entry point\n")
    return window(args)


def _run_command(args: argparse.Namespace) -> int:
    """Run the subcommand; every failure becomes one line (or JSON) and an exit code."""
    as_json = bool(getattr(args, "json", False))
    try:
        code = command(args.command)(args)
        sys.stdout.flush()  # a full device fails here, not in the interpreter's exit
        return code
    except BrokenPipeError:  # the reader went away (`| head`): quiet, like cat
        silence_stdout()
        return EXIT_SIGPIPE
    except (ChatdeskError, ValueError) as exc:
        if os.environ.get("CHATDESK_RAISE_ERRORS"):
            raise
        return fail(exc, as_json)
    except KeyboardInterrupt:
        sys.stderr.write("chatdesk: interrupted\n")
        return EXIT_INTERRUPTED
    except OSError as exc:
        if os.environ.get("CHATDESK_RAISE_ERRORS"):
            raise
        silence_stdout()  # most often stdout itself failed (`> /dev/full`)
        target = exc.filename or "standard output"
        sys.stderr.write(f"chatdesk: error: cannot write to {target}: {exc.strerror or exc}\n")
        return EXIT_API
