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
            providers = [(p.name, p.base_url) for p in store.list_providers()]
        finally:
            store.close()
        from chatdesk.core.keys import KeyringProblem, env_key, env_key_for

        entries = []
        problem: KeyringProblem | None = None
        for name, base_url in providers:
            stored: str | None = None
            try:
                stored = keys.get(name) if problem is None else None
            except KeyringProblem as exc:
                problem = exc
            # Without a stored key a request takes the environment's, where it belongs.
            from_env = None if stored else env_key_for(base_url)[1]
            entries.append(
                {
                    "provider": name,
                    "has_key": bool(stored),
                    "masked": mask_key(stored),
                    "key_from": "keyring" if stored else from_env,
                }
            )

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
                uses = f"requests use {e['key_from']} ({mask_key(env)})" if e["key_from"] else ""
                if e["has_key"]:
                    shown = e["masked"]
                elif problem is not None:  # the keyring could not say
                    shown = "unknown" + (f"; {uses}" if uses else "")
                else:
                    shown = f"no stored key; {uses}" if uses else "no key"
                print(f"  {e['provider']}: {shown}")
            if env:
                print(f"  environment: {mask_key(env)}")
            if problem is not None:
                sys.stderr.write(f"chatdesk: {problem.explain_cli()}\n")
        return 0 if problem is None else EXIT_API
    return EXIT_USAGE
