"""``chatdesk history list|show|search``: past conversations, read-only."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from chatdesk.cli._common import EXIT_USAGE, UsageError, iso, print_json

if TYPE_CHECKING:
    from chatdesk.store import Store


def _conversation_json(store: Store, cid: int) -> dict[str, Any] | None:
    conv = store.get_conversation(cid)
    if conv is None:
        return None
    return {
        "id": conv.id,
        "title": conv.title,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "reasoning": m.reasoning or None,
                "model": m.model or m.model_requested,
                "status": m.status,
                "error": m.error,  # why it failed (None unless status is error)
                "finish_reason": m.finish_reason,
                "usage": m.usage,
                "ttft_ms": m.ttft_ms,
                "duration_ms": m.duration_ms,
                "created": iso(m.created),
            }
            for m in store.list_messages(cid)
        ],
    }


def cmd_history(args: argparse.Namespace) -> int:
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    store = Store.for_reading(database_path())
    try:
        if args.action == "list":
            from chatdesk.cli.arena import comparison_ids

            rows = store.list_conversations(limit=args.limit, pinned_first=False)
            compared = comparison_ids(store, [c.id for c in rows])
            if args.json:
                print_json(
                    {
                        "conversations": [
                            {
                                "id": c.id,
                                "title": c.title,
                                "created": iso(c.created),
                                "updated": iso(c.updated),
                                "model": c.model,
                                "message_count": c.message_count,
                                "comparison": c.id in compared,
                            }
                            for c in rows
                        ]
                    }
                )
            else:
                for c in rows:
                    stamp = iso(c.updated) or ""
                    kind = "compare" if c.id in compared else "chat"
                    print(f"{c.id:>6}  {stamp}  {c.message_count:>4} msgs  {kind:<7}  {c.title}")
            return 0
        if args.action == "show":
            data = _conversation_json(store, args.id)
            if data is None:
                raise UsageError(f"no conversation with id {args.id}")
            from chatdesk.cli.arena import hidden_names

            hidden = hidden_names(store, args.id)  # blind, not voted: A, B, C, D only
            for m in data["messages"]:
                if hidden is not None and m["id"] in hidden:
                    m["model"] = hidden[m["id"]]
            if args.json:
                print_json(data)
            else:
                print(f"# {data['title']}\n")
                for m in data["messages"]:
                    who = m["role"] + (
                        f" ({m['model']})" if m["model"] and m["role"] == "assistant" else ""
                    )
                    status = "" if m["status"] == "done" else f" [{m['status']}]"
                    reason = f"error: {m['error']}\n" if m["error"] else ""
                    print(f"## {who}{status}\n{m['content']}\n{reason}")
            return 0
        if args.action == "search":
            from chatdesk.core.arena.blindsearch import count_hits, search_hits

            # Unvoted blind comparisons name no model (as in the window's search).
            hits = search_hits(
                store, args.query, limit=args.limit, model=args.model, sort=args.sort
            )
            total = count_hits(store, args.query, model=args.model, cap=None)  # exact
            if args.json:
                print_json(
                    {
                        "total": total,
                        "hits": [
                            {
                                "conversation_id": h.conversation_id,
                                "message_id": h.message_id,
                                "role": h.role,
                                "model": h.model,
                                "created": iso(h.created),
                                "snippet": h.snippet,
                            }
                            for h in hits
                        ],
                    }
                )
            else:
                for h in hits:
                    print(
                        f"{h.conversation_id}:{h.message_id}  {h.conversation_title}  "
                        f"[{h.role}]  {h.snippet}"
                    )
                print(f"{total} match{'es' if total != 1 else ''}")
            return 0
    finally:
        store.close()
    return EXIT_USAGE
