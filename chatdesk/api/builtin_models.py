"""The model ids the default relay documents, the fallback when ``GET /models`` fails.

Many relays fail to list models (Cherry #19962), so the model picker must still offer
something sensible without that call.
"""

from __future__ import annotations

# vendor (display name) -> model ids, in the order the relay's documentation lists them
BUILTIN_MODELS: dict[str, tuple[str, ...]] = {
    "OpenAI": ("gpt-4o", "gpt-4o-mini", "gpt-4-turbo", "o1", "o3-mini"),
    "Anthropic": ("claude-opus-4-5", "claude-sonnet-4-5", "claude-haiku-3-5"),
    "Google": ("gemini-2.5-pro", "gemini-2.0-flash"),
    "DeepSeek": ("deepseek-chat", "deepseek-reasoner"),
    "Grok": ("grok-3", "grok-2"),
    "Qwen": ("qwen-max", "qwen-plus", "qwen-turbo"),
    "Meta Llama": ("llama-3.3-70b-instruct", "llama-3.1-8b-instruct"),
}

# vendor display name -> the ``owned_by`` value the vendor's own API would report
_OWNED_BY: dict[str, str] = {
    "OpenAI": "openai",
    "Anthropic": "anthropic",
    "Google": "google",
    "DeepSeek": "deepseek",
    "Grok": "xai",
    "Qwen": "qwen",
    "Meta Llama": "meta",
}


def builtin_models() -> list[dict[str, str]]:
    """Return ``[{"id", "owned_by"}, ...]`` shaped like a ``GET /models`` answer (fresh list)."""
    return [
        {"id": model_id, "owned_by": _OWNED_BY[vendor]}
        for vendor, ids in BUILTIN_MODELS.items()
        for model_id in ids
    ]
