"""One pool of HTTP clients for the window and the CLI.

A client is made per (server, key, proxy, timeouts) on first use and reused by every
exchange that talks to that server, so several compare columns on one relay share
one connection pool. A client whose settings changed is retired, and closed once
no exchange reads from it any more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatdesk.core.services import Endpoint, include_usage_for, remember_include_usage
from chatdesk.core.settings import AppSettings

if TYPE_CHECKING:
    from chatdesk.api.client import ChatClient
    from chatdesk.store import Store


@dataclass(frozen=True, slots=True)
class _Key:
    base_url: str
    api_key: str | None
    proxy: str | None
    trust_env: bool
    connect_timeout: float
    read_timeout: float
    total_timeout: float | None = None
    retry_rate_limits: bool = True


class ClientPool:
    """Hands out shared :class:`ChatClient` objects; closes them all at the end."""

    def __init__(self, store: Store | None = None, settings: AppSettings | None = None) -> None:
        self.store = store
        self.settings = settings or AppSettings()
        self._clients: dict[_Key, ChatClient] = {}
        self._users: dict[int, int] = {}
        self._retired: list[ChatClient] = []

    def _key(self, endpoint: Endpoint) -> _Key:
        proxy, trust_env = self.settings.proxy()
        return _Key(
            endpoint.base_url,
            endpoint.api_key,
            proxy,
            trust_env,
            float(self.settings.connect_timeout),
            float(self.settings.read_timeout),
            float(self.settings.total_timeout) or None,
        )

    def get(self, endpoint: Endpoint, **overrides: Any) -> ChatClient:
        """The client for this endpoint (created on first use; httpx loads then).

        ``overrides`` (CLI flags such as a read timeout; ``retry_rate_limits=False``
        for a caller that handles 429 itself) make a client of their own.

        Raises:
            ValidationError: a malformed key or proxy URL.
        """
        key = self._key(endpoint)
        if overrides:
            key = _Key(
                key.base_url,
                key.api_key,
                key.proxy,
                key.trust_env,
                float(overrides.get("connect_timeout", key.connect_timeout)),
                float(overrides.get("read_timeout", key.read_timeout)),
                overrides.get("total_timeout", key.total_timeout),
                bool(overrides.get("retry_rate_limits", key.retry_rate_limits)),
            )
        client = self._clients.get(key)
        if client is None:
            from chatdesk.api.client import ChatClient

            include = True
            if self.store is not None:
                include = include_usage_for(self.store, endpoint.cache_key)
            client = ChatClient(
                key.base_url,
                key.api_key,
                connect_timeout=key.connect_timeout,
                idle_timeout=key.read_timeout,
                total_timeout=key.total_timeout,
                proxy=key.proxy,
                trust_env=key.trust_env,
                include_usage=include,
                retry_rate_limits=key.retry_rate_limits,
            )
            self._clients[key] = client
        return client

    def peek(self, endpoint: Endpoint) -> ChatClient | None:
        """The client if one exists already (never creates one)."""
        return self._clients.get(self._key(endpoint))

    def acquire(self, client: Any) -> None:
        """An exchange starts reading from ``client``."""
        self._users[id(client)] = self._users.get(id(client), 0) + 1

    async def release(self, client: Any, endpoint: Endpoint | None = None) -> None:
        """An exchange is done with ``client``; a retired client closes with its last user."""
        left = self._users.get(id(client), 1) - 1
        if left <= 0:
            self._users.pop(id(client), None)
        else:
            self._users[id(client)] = left
        if endpoint is not None and self.store is not None:
            remember_include_usage(self.store, endpoint.cache_key, client)
        if left <= 0 and client in self._retired:
            self._retired.remove(client)
            await client.close()

    def in_use(self, client: Any) -> int:
        """How many exchanges read from ``client`` now (a retired one closes at 0)."""
        return self._users.get(id(client), 0)

    @asynccontextmanager
    async def leased(self, client: Any, endpoint: Endpoint | None = None) -> AsyncIterator[Any]:
        """``acquire`` now, ``release`` on the way out, whatever happens in between."""
        self.acquire(client)
        try:
            yield client
        finally:
            await self.release(client, endpoint)

    def reconfigure(self, settings: AppSettings) -> None:
        """New proxy/timeouts: later requests get new clients; old ones retire.

        Synchronous on purpose: a request made right after this call can never be
        handed a client that is about to close. Call :meth:`close_idle` to close the
        retired clients nobody reads from.
        """
        self.settings = settings
        self._retired.extend(self._clients.values())
        self._clients = {}

    async def close_idle(self) -> None:
        """Close the retired clients that no exchange reads from any more."""
        for client in list(self._retired):
            if not self._users.get(id(client)):
                self._retired.remove(client)
                await client.close()

    async def close(self) -> None:
        for client in [*self._clients.values(), *self._retired]:
            await client.close()
        self._clients.clear()
        self._retired.clear()
        self._users.clear()
