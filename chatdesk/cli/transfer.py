"""``chatdesk export`` and ``chatdesk import``: conversations to and from files."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from chatdesk.cli._common import UsageError, print_json


def cmd_export(args: argparse.Namespace) -> int:
    """Write conversations (ids or --all) as md/json/html to a file or stdout."""
    from chatdesk.core.history.transfer import TransferError, export_text, export_to_file
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    if args.all and args.ids:
        raise UsageError("give conversation ids or --all, not both")
    if not args.all and not args.ids:
        raise UsageError(
            "say what to export: conversation ids (see `chatdesk history list`) or --all"
        )
    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower().lstrip(".") if args.output else ""
        fmt = {"md": "md", "markdown": "md", "htm": "html", "html": "html"}.get(suffix, "json")
    ids = None if args.all else args.ids
    store = Store.for_reading(database_path())
    try:
        _note_revealed(store, ids)
        if args.output in (None, "-"):
            sys.stdout.write(export_text(store, ids, fmt))
            sys.stdout.flush()
            return 0
        target = _export_target(args.output)
        if target is None:  # a character device or a pipe: write through, no rename
            text = export_text(store, ids, fmt)
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(text)
            print(f"exported to {args.output}")
            return 0
        count = export_to_file(store, ids, fmt, target)
    except TransferError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(f"exported {count} conversation{'s' if count != 1 else ''} to {args.output}")
    return 0


def _note_revealed(store: Any, ids: list[int] | None) -> None:
    """Say on stderr when the export names the models of blind comparisons nobody has
    voted on yet (an export is a backup: it keeps the names, but not silently)."""
    hidden = store.unvoted_blind_conversations()
    if ids is not None:
        hidden &= set(ids)
    if hidden:
        sys.stderr.write(
            f"chatdesk: note: this export names the models of {len(hidden)} blind "
            "comparison(s) with no vote yet\n"
        )


def _export_target(output: str) -> str | None:
    """Where ``export -o`` writes by rename: a symlink is followed (the link stays, its
    file gets the export); ``None`` for a character device or FIFO (written through,
    never replaced by a regular file); block devices, sockets and folders are refused."""
    import stat

    real = os.path.realpath(output)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return real
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode):
        return real
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return None
    kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
    raise UsageError(f"cannot export to {output}: it is {kind}")


def cmd_import(args: argparse.Namespace) -> int:
    """Import a file; progress on stderr; counts on stdout (or --json)."""
    from chatdesk.core.history.transfer import TransferError, import_file
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    def progress(done: int, total: int) -> None:
        if total >= 1000:
            sys.stderr.write(f"chatdesk: {done}/{total} conversations\n")
            sys.stderr.flush()

    if not Path(args.path).is_file():
        raise UsageError(f"no such file: {args.path}")
    store = Store(database_path())
    try:
        result = import_file(store, args.path, progress=progress)
    except TransferError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if args.json:
        print_json(result.to_json())
    else:
        print(
            f"added {result.conversations_added} conversations"
            f" ({result.messages_added} messages);"
            f" skipped {result.conversations_skipped} already imported"
        )
        for note in result.notes:  # repairs and left-out conversations, never silent
            print(f"note: {note}")
    return 0
