"""``chatdesk keys set|delete|status``: API keys in the system keyring."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chatdesk.cli._common import EXIT_API, EXIT_USAGE, UsageError, open_store, print_json


def cmd_keys(args: argparse.Namespace) -> int:
    from chatdesk.core.keys import KeyStore, mask_key

    keys = KeyStore()
    if args.action == "set":
        if sys.stdin.isatty():
            import getpass

            key = getpass.getpass(f"API key for {args.provider}: ")
        else:
            key = sys.stdin.readline()
        if not key.strip():
            raise UsageError("no key given on standard input")
        keys.set(args.provider, key)
        print(f"key for {args.provider} stored in the system keyring ({mask_key(key.strip())})")
        return 0
    if args.action == "delete":
        if keys.delete(args.provider):
            print(f"key for {args.provider} deleted")
            return 0
        raise UsageError(f"no stored key for {args.provider}")
    if args.action == "status":
        store = open_store()
        try:
            names = [p.name for p in store.list_providers()]
        finally:
            store.close()
        from chatdesk.core.keys import KeyringProblem

        entries = []
        problem: KeyringProblem | None = None
        for name in names:
            stored: str | None = None
            try:
                stored = keys.get(name) if problem is None else None
            except KeyringProblem as exc:
                problem = exc
            entries.append({"provider": name, "has_key": bool(stored), "masked": mask_key(stored)})
        from chatdesk.core.keys import env_key

        env = env_key()
        if args.json:
            report: dict[str, Any] = {
                "backend": keys.backend_name(),
                "keys": entries,
                "env_key": mask_key(env) or None,
            }
            if problem is not None:
                report["keyring_error"] = problem.explain_cli()
            print_json(report)
        else:
            print(f"keyring backend: {keys.backend_name()}")
            for e in entries:
                shown = e["masked"] if e["has_key"] else ("unknown" if problem else "no key")
                print(f"  {e['provider']}: {shown}")
            if env:
                print(f"  environment: {mask_key(env)}")
            if problem is not None:
                sys.stderr.write(f"chatdesk: {problem.explain_cli()}\n")
        return 0 if problem is None else EXIT_API
    return EXIT_USAGE
