"""Glue shared by the window and the command line: endpoints, model lists, user messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatdesk.api.errors import ApiError, ChatdeskError
from chatdesk.core.keys import KeyStore
from chatdesk.core.urls import URL_REF

if TYPE_CHECKING:
    from chatdesk.store import Store

DEFAULT_PROVIDER = "zero"
DEFAULT_BASE_URL = "https://api000.com/v1"
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_PROVIDER_LABEL = "Zero API"  # what the relay is called in its own documentation


class SetupError(ChatdeskError):
    """Something the user must configure first (no provider, no model...)."""


@dataclass(slots=True)
class Endpoint:
    """Where to send requests and with which key; ``cache_key`` names its model cache."""

    name: str | None
    base_url: str
    api_key: str | None
    default_model: str | None
    key_source: str
    cache_key: str


def open_store() -> Store:
    """Open (and migrate) the history; answers left streaming by a crash become interrupted."""
    from chatdesk.paths import database_path
    from chatdesk.store import Store

    store = Store(database_path())
    store.mark_interrupted()
    return store


def ensure_default_provider(store: Store) -> None:
    """The default relay (``DEFAULT_BASE_URL``) is set up out of the box, once; the user
    may remove it."""
    from chatdesk.store.rows import ProviderRow

    if store.get_setting("default_provider_seeded"):
        return
    if store.get_provider(DEFAULT_PROVIDER) is None:
        store.upsert_provider(
            ProviderRow(
                name=DEFAULT_PROVIDER, base_url=DEFAULT_BASE_URL, default_model=DEFAULT_MODEL
            )
        )
    store.set_setting("default_provider_seeded", True)
    if not store.get_setting("default_provider"):
        store.set_setting("default_provider", DEFAULT_PROVIDER)


def resolve_endpoint(
    store: Store,
    keys: KeyStore,
    *,
    provider: str | None = None,
    base_url: str | None = None,
) -> Endpoint:
    """Pick the server: an explicit base URL, a named provider, or the default provider."""
    from chatdesk.api.baseurl import normalize_base_url

    if base_url and not provider:
        url = normalize_base_url(base_url)
        key, source = keys.resolve(None, url)
        return Endpoint(None, url, key, None, source, URL_REF + url)
    name = provider or store.get_setting("default_provider") or DEFAULT_PROVIDER
    row = store.get_provider(name)
    if row is None:
        known = ", ".join(p.name for p in store.list_providers()) or "none"
        raise SetupError(
            f"No provider named '{name}' (configured: {known}). "
            "Add one with: chatdesk providers add NAME --base-url URL"
        )
    url = normalize_base_url(base_url or row.base_url)
    key, source = keys.resolve(name, url)
    return Endpoint(name, url, key, row.default_model, source, provider_cache_key(name))


def provider_cache_key(name: str) -> str:
    """The model cache (and recent models) key of a named provider's endpoint."""
    return f"provider:{name}"


def server_ref(endpoint: Endpoint) -> str:
    """What a conversation stores as its server (``provider`` column): the provider's
    name, or ``url:`` and the base URL of a server given by URL only, so that the next
    turn (window or ``ask --continue``) goes back to the same server."""
    return endpoint.name or URL_REF + endpoint.base_url


def server_from_ref(ref: str | None) -> tuple[str | None, str | None]:
    """(provider, base URL) from a stored :func:`server_ref`; (None, None) when unknown."""
    if not ref:
        return None, None
    if ref.startswith(URL_REF):
        return None, ref[len(URL_REF) :] or None
    return ref, None


def server_label(name: str | None, base_url: str) -> str:
    """How a server is named in messages: the relay's own name, a provider, or its URL."""
    if name == DEFAULT_PROVIDER:
        return DEFAULT_PROVIDER_LABEL
    return name or base_url


async def fetch_models(
    client: Any, store: Store | None, cache_key: str
) -> tuple[list[dict[str, Any]], str, ApiError | None]:
    """The model list: the server's (then cached), else the cache, else the built-in list."""
    from chatdesk.api.builtin_models import builtin_models

    try:
        models = await client.list_models()
    except ApiError as exc:
        cached = store.cached_models(cache_key) if store is not None else None
        if cached:
            return cached, "cache", exc
        return builtin_models(), "builtin", exc
    if store is not None:
        store.cache_models(cache_key, models)
    return models, "server", None


def add_user_message(
    store: Store,
    conversation_id: int,
    text: str,
    *,
    parent_id: int | None,
    images: list[tuple[bytes, str]] | None = None,
    image_urls: list[str] | None = None,
) -> int:
    """Save what the user sent; images are stored once by hash and referenced by parts."""
    parts: list[dict[str, Any]] | None = None
    if images or image_urls:
        parts = [{"type": "text", "text": text}] if text else []
        for data, mime in images or []:
            parts.append({"type": "image", "hash": store.put_image(data, mime), "mime": mime})
        for url in image_urls or []:
            parts.append({"type": "image_url", "image_url": {"url": url, "detail": "auto"}})
    return store.add_message(
        conversation_id, "user", text, parent_id=parent_id, parts=parts, make_current=True
    )


def title_from_text(text: str, limit: int = 48) -> str:
    """A fallback title: the first words of the first message."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words or "New chat"
    cut = words[:limit].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]
    return cut + "…"


def include_usage_for(store: Store, cache_key: str) -> bool:
    """Whether to ask this server for usage in the stream (False once it refused it)."""
    return not store.get_setting(f"rejects_include_usage:{cache_key}", False)


def remember_include_usage(store: Store, cache_key: str, client: Any) -> None:
    """The client found the server rejects stream_options: remember it for next time."""
    if not getattr(client, "include_usage", True):
        store.set_setting(f"rejects_include_usage:{cache_key}", True)


def builtin_model_list() -> list[dict[str, Any]]:
    """The models ChatDesk knows without asking a server (the offline fallback)."""
    from chatdesk.api.builtin_models import builtin_models

    return builtin_models()
