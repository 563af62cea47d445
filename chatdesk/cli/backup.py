"""``chatdesk backup``: back up the history database, list the backups, restore one."""

from __future__ import annotations

import argparse

from chatdesk.cli._common import print_json


def cmd_backup(args: argparse.Namespace) -> int:
    """Back up now, list backups, or restore one (the old database is kept aside)."""
    from chatdesk.core.history.backup import backup_now, list_backups, restore_backup
    from chatdesk.paths import data_dir, database_path
    from chatdesk.store import Store

    folder = data_dir() / "backups"
    if args.list:
        backups = list_backups(folder)
        if args.json:
            print_json({"backups": [{"path": str(b), "bytes": b.stat().st_size} for b in backups]})
        else:
            for b in backups:
                print(f"{b}\t{b.stat().st_size} bytes")
            if not backups:
                print(f"no backups in {folder}")
        return 0
    if args.restore:
        previous = restore_backup(args.restore, database_path())
        if args.json:
            print_json({"restored": args.restore, "previous": previous and str(previous)})
        else:
            kept = f"; the previous history is kept as {previous}" if previous else ""
            print(f"restored {args.restore}{kept}")
        return 0
    store = Store(database_path())
    try:
        path = backup_now(store, folder)
    finally:
        store.close()
    if args.json:
        print_json({"backup": str(path)})
    else:
        print(f"backup written to {path}")
    return 0
