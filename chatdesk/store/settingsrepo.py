"""Configuration in the history database: providers (servers), their cached model
lists, and the JSON settings.

API keys are never stored here (the keyring holds them): provider options that look
like credentials are refused. Reach it as ``store.settings`` (or through the
:class:`~chatdesk.store.Store` methods of the same names).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping
from typing import Any

from chatdesk.store.common import Repository, dumps
from chatdesk.store.errors import guarded
from chatdesk.store.rows import ProviderRow

# Option names that look like credentials: those belong in the keyring, never here.
_SECRET_NAME = re.compile(
    r"api[_-]?key|secret|passw(or)?d|(^|[_-])token$|authorization|bearer|credential",
    re.IGNORECASE,
)


def _find_secret_names(value: Any, where: str = "options") -> list[str]:
    found: list[str] = []
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if isinstance(key, str) and _SECRET_NAME.search(key):
                found.append(f"{where}.{key}")
            found += _find_secret_names(sub, f"{where}.{key}")
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            found += _find_secret_names(sub, f"{where}[{i}]")
    return found


class SettingsRepository(Repository):
    """The providers, model_cache and settings tables."""

    __slots__ = ()

    @guarded
    def upsert_provider(self, provider: ProviderRow) -> None:
        """Insert or replace a provider by name. Options that look like credentials are
        refused (``ValueError``): API keys live in the keyring only."""
        secrets = _find_secret_names(provider.options)
        if secrets:
            raise ValueError(f"provider options must not hold credentials: {secrets}")
        now = time.time()
        with self.transaction():
            self.conn.execute(
                "INSERT INTO providers (name, base_url, default_model, options, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                " base_url = excluded.base_url, default_model = excluded.default_model,"
                " options = excluded.options, updated = excluded.updated",
                (
                    provider.name,
                    provider.base_url,
                    provider.default_model,
                    dumps(dict(provider.options or {})),
                    now,
                    now,
                ),
            )

    @guarded
    def get_provider(self, name: str) -> ProviderRow | None:
        """One provider by name, or ``None``."""
        row = self.conn.execute(
            "SELECT name, base_url, default_model, options FROM providers WHERE name = ?",
            (name,),
        ).fetchone()
        return None if row is None else ProviderRow(row[0], row[1], row[2], json.loads(row[3]))

    @guarded
    def list_providers(self) -> list[ProviderRow]:
        """All providers, by name (case-insensitive)."""
        rows = self.conn.execute(
            "SELECT name, base_url, default_model, options FROM providers"
            " ORDER BY name COLLATE NOCASE, name"
        )
        return [ProviderRow(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    @guarded
    def delete_provider(self, name: str) -> bool:
        """Remove a provider; ``True`` if it existed."""
        with self.transaction():
            cur = self.conn.execute("DELETE FROM providers WHERE name = ?", (name,))
        return cur.rowcount > 0

    # -- model cache ----------------------------------------------------------

    @guarded
    def cache_models(self, key: str, models: list[dict[str, Any]]) -> None:
        """Remember a provider's model list (``key`` is chosen by the caller)."""
        with self.transaction():
            self.conn.execute(
                "INSERT INTO model_cache (key, models, fetched) VALUES (?, ?, ?)"
                " ON CONFLICT (key) DO UPDATE SET models = excluded.models,"
                " fetched = excluded.fetched",
                (key, dumps(list(models)), time.time()),
            )

    @guarded
    def cached_models(
        self, key: str, *, max_age: float | None = None
    ) -> list[dict[str, Any]] | None:
        """The cached list, or ``None`` if absent or older than ``max_age`` seconds."""
        row = self.conn.execute(
            "SELECT models, fetched FROM model_cache WHERE key = ?", (key,)
        ).fetchone()
        if row is None or (max_age is not None and time.time() - row[1] > max_age):
            return None
        result: list[dict[str, Any]] = json.loads(row[0])
        return result

    @guarded
    def models_fetched_at(self, key: str) -> float | None:
        """When the cached list for ``key`` was stored, or ``None``."""
        row = self.conn.execute("SELECT fetched FROM model_cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else float(row[0])

    # -- settings -------------------------------------------------------------

    @guarded
    def get_setting(self, key: str, default: Any = None) -> Any:
        """A JSON setting, or ``default`` if never set."""
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return default if row is None else json.loads(row[0])

    @guarded
    def set_setting(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value (``TypeError`` otherwise)."""
        text = dumps(value)
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, text),
            )

    @guarded
    def delete_setting(self, key: str) -> None:
        """Forget a setting so ``get_setting`` returns the default again."""
        with self.transaction():
            self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))

    # -- comparisons and votes ------------------------------------------------
