"""``chatdesk models``: the models a server offers (or the fallback list, said so)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from chatdesk.cli._common import EXIT_API, open_store, print_json


def cmd_models(args: argparse.Namespace) -> int:
    import asyncio

    from chatdesk.api.client import ChatClient
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.services import fetch_models, resolve_endpoint

    store = open_store()
    try:
        endpoint = resolve_endpoint(
            store, KeyStore(), provider=args.provider, base_url=args.base_url
        )

        async def go() -> Any:
            async with ChatClient(endpoint.base_url, endpoint.api_key, max_retries=0) as client:
                return await fetch_models(client, store, endpoint.cache_key)

        models, source, error = asyncio.run(go())
    finally:
        store.close()
    if args.json:
        out: dict[str, Any] = {
            "models": [{"id": m.get("id"), "owned_by": m.get("owned_by")} for m in models],
            "source": source,
        }
        if error is not None:
            out["error"] = str(error)
        print_json(out)
    else:
        if error is not None:
            # Said before the list: these are not the server's models.
            from chatdesk.core.urls import mask_credentials

            where = endpoint.name or mask_credentials(endpoint.base_url)
            label = (
                "the list cached from an earlier answer of this server (may be out of date)"
                if source == "cache"
                else "ChatDesk's built-in list, NOT this server's models"
            )
            sys.stderr.write(
                f"chatdesk: could not fetch the models of {where} ({error}); showing {label}\n"
            )
        from chatdesk.core.textsafe import visible

        for m in models:  # ids and owners are the server's: no raw terminal escapes
            owner = f"  ({m['owned_by']})" if m.get("owned_by") else ""
            print(visible(f"{m.get('id')}{owner}"))
    # A fallback list is not the server's: scripts must be able to tell.
    return 0 if error is None else EXIT_API
