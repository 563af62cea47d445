"""Searching the history without naming the models of unvoted blind comparisons.

One rule for the window's search panel and ``chatdesk history search``: a hit from a
blind comparison nobody has voted on yet loses its model; filtered by a model, such
conversations are left out of the hits and of the count alike (being found by a
model's name would name it, and a count that includes them would say so too).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chatdesk.store import Store
from chatdesk.store.rows import SearchHit


def _hidden_for(store: Store, model: str | None) -> set[int] | None:
    return store.unvoted_blind_conversations() if model else None


def scrub_hits(store: Store, hits: list[SearchHit]) -> list[SearchHit]:
    """``hits`` with the model removed from those of unvoted blind comparisons."""
    if not any(h.model for h in hits):
        return hits
    hidden = store.unvoted_blind_conversations()
    return [dataclasses.replace(h, model=None) if h.conversation_id in hidden else h for h in hits]


def search_hits(store: Store, query: str, **filters: Any) -> list[SearchHit]:
    """:meth:`Store.search` that names no hidden model (see the module's docstring)."""
    hidden = _hidden_for(store, filters.get("model"))
    return scrub_hits(store, store.search(query, exclude_conversations=hidden, **filters))


def count_hits(store: Store, query: str, **filters: Any) -> int:
    """:meth:`Store.count_search` counting exactly what :func:`search_hits` finds."""
    hidden = _hidden_for(store, filters.get("model"))
    return store.count_search(query, exclude_conversations=hidden, **filters)
