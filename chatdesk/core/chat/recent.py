"""The recent-models rule: which models a server offers first in the model picker.

Kept per server (its model cache key), newest first, without repeats; bounded both per
server and in the number of servers remembered, because the table lives in a setting.
"""

from __future__ import annotations

#: Models remembered per server.
PER_SERVER = 8
#: Servers remembered (the ones used last).
SERVERS = 50


def recent_models(table: object, server: str) -> list[str]:
    """The models last used with ``server``, newest first (``table`` as stored)."""
    found = table.get(server) if isinstance(table, dict) else None
    if not isinstance(found, list):
        return []
    return [m for m in found if isinstance(m, str)][:PER_SERVER]


def remember_model(table: object, server: str, model: str) -> dict[str, list[str]]:
    """The table after ``model`` was used with ``server`` (a new dict; ``table`` is kept).

    Anything malformed in the stored table (a hand-edited or damaged setting) is dropped.
    """
    clean: dict[str, list[str]] = {}
    if isinstance(table, dict):
        for key, models in table.items():
            if isinstance(key, str) and isinstance(models, list):
                clean[key] = [m for m in models if isinstance(m, str)]
    previous = clean.pop(server, [])
    clean[server] = [model, *[m for m in previous if m != model]][:PER_SERVER]
    if len(clean) > SERVERS:
        clean = dict(list(clean.items())[-SERVERS:])
    return clean
