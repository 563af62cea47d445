"""``chatdesk providers list|add|remove``: the servers ChatDesk knows by name."""

from __future__ import annotations

import argparse

from chatdesk.cli._common import EXIT_USAGE, UsageError, open_store, print_json


def cmd_providers(args: argparse.Namespace) -> int:
    from chatdesk.api.baseurl import normalize_base_url
    from chatdesk.core.keys import KeyStore, env_key_for
    from chatdesk.core.urls import mask_credentials
    from chatdesk.store.rows import ProviderRow

    store = open_store()
    try:
        if args.action == "list":
            keys = KeyStore()
            rows = store.list_providers()
            default = store.get_setting("default_provider")
            stored = {r.name: keys.has_key(r.name) for r in rows}
            # The key a request would carry: the stored one, else the environment's.
            from_env = {r.name: env_key_for(r.base_url)[1] for r in rows}
            if args.json:
                print_json(
                    {
                        "providers": [
                            {
                                "name": r.name,
                                "base_url": mask_credentials(r.base_url),
                                "default_model": r.default_model,
                                "has_key": stored[r.name],
                                "key_from": "keyring" if stored[r.name] else from_env[r.name],
                            }
                            for r in rows
                        ]
                    }
                )
            else:
                for r in rows:
                    mark = "*" if r.name == default else " "
                    env = from_env[r.name]
                    key = (
                        "key stored"
                        if stored[r.name]
                        else (f"key from {env} (environment)" if env else "no key")
                    )
                    url = mask_credentials(r.base_url)  # a row saved before the check
                    print(f"{mark} {r.name}\t{url}\t{r.default_model or '-'}\t{key}")
            return 0
        if args.action == "add":
            url = normalize_base_url(args.base_url)
            store.upsert_provider(
                ProviderRow(name=args.name, base_url=url, default_model=args.default_model)
            )
            if args.set_default:
                store.set_setting("default_provider", args.name)
            print(f"provider {args.name} saved ({url})")
            return 0
        if args.action == "remove":
            if not store.delete_provider(args.name):
                raise UsageError(f"no provider named {args.name!r}")
            print(f"provider {args.name} removed")
            return 0
    finally:
        store.close()
    return EXIT_USAGE
