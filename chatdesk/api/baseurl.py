"""Turn whatever the user pasted into a base URL such that ``{base}/chat/completions`` works.

Users paste ``https://host``, ``https://host/v1/``, or the full endpoint URL copied from
a provider's docs. Appending ``/v1`` blindly gives ``/v1/v1`` (Chatbox #1152), so the rule
is: strip a trailing ``/chat/completions`` or ``/models`` and slashes; add ``/v1`` only
when no path is left; otherwise keep the path exactly (OpenRouter ``/api/v1``, Cloudflare
AI Gateway ``/v1/<acc>/<gw>/openai`` ...).
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from chatdesk.api.errors import ValidationError

_ENDPOINT_SUFFIXES = ("/chat/completions", "/completions", "/models")


def normalize_base_url(url: str) -> str:
    """Return the normalised base URL (no trailing slash); raise ValidationError if not http(s)."""
    if not isinstance(url, str):
        raise ValidationError("base_url", "must be a string")
    text = url.strip()
    if not text:
        raise ValidationError("base_url", "is empty; enter e.g. https://api.openai.com/v1")
    if "://" not in text:
        raise ValidationError(
            "base_url", f"{text!r} has no scheme; it must start with http:// or https://"
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises ValueError for a non-numeric port
    except ValueError as exc:
        raise ValidationError("base_url", f"{text!r} is not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError("base_url", f"scheme {parts.scheme!r} is not http or https")
    if not host:
        raise ValidationError("base_url", f"{text!r} has no host name")
    if any(ch.isspace() for ch in text):
        raise ValidationError("base_url", f"{text!r} contains spaces")

    path = parts.path.rstrip("/")
    stripped = True
    while stripped:  # ".../chat/completions/" or a doubled paste
        stripped = False
        for suffix in _ENDPOINT_SUFFIXES:
            if path.lower().endswith(suffix):
                path = path[: -len(suffix)].rstrip("/")
                stripped = True
                break
    if not path:
        path = "/v1"
    # Query and fragment never belong to a base URL (people paste "?model=..." links).
    return urlunsplit((scheme, parts.netloc, path, "", ""))
