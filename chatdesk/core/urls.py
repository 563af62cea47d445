"""Base URLs above the wire: credentials, identities, and where a server lives.

The one wire-level rule (what a pasted URL becomes, so that ``{base}/chat/completions``
works) is :func:`chatdesk.api.baseurl.normalize_base_url`; everything else a caller asks
of a URL is here, once.

Base URLs must not carry credentials. ``http://user:PASSWORD@host/v1`` would put a
secret in the history database (the providers table), in ``providers list`` and in the
window's code snippets. ChatDesk keeps secrets in the keyring only, so such a URL is
refused before anything uses or stores it, with a message that never repeats the
password. Every place that accepts a base URL from the user (the CLI's ``--base-url``,
``providers add``, the window's settings) calls :func:`reject_credentials` first.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chatdesk.errors import ChatdeskError


class CredentialsInUrlError(ChatdeskError, ValueError):
    """A base URL holds a user name or password (the message shows it masked)."""

    kind = "usage"


def _netloc(url: str) -> str:
    text = url.strip()
    if "://" not in text:
        text = "//" + text  # "user:pw@host/v1" pasted without a scheme
    try:
        return urlsplit(text).netloc
    except ValueError:
        return ""


def has_credentials(url: str) -> bool:
    """Does ``url`` carry ``user[:password]@`` before the host?"""
    return "@" in _netloc(url)


def mask_credentials(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@`` (for display)."""
    netloc = _netloc(url)
    if "@" not in netloc:
        return url
    return url.replace(netloc, "***@" + netloc.rpartition("@")[2], 1)


def reject_credentials(url: str) -> str:
    """Return ``url`` unchanged, or raise :class:`CredentialsInUrlError` if it has
    ``user[:password]@`` before the host."""
    if "@" in _netloc(url):
        raise CredentialsInUrlError(
            f"the base URL holds a user name or password ({mask_credentials(url)}); ChatDesk "
            "does not store or send secrets in URLs. Remove them and store the API key "
            "instead: `chatdesk keys set PROVIDER` (or set CHATDESK_API_KEY)."
        )
    return url


#: The prefix of a server given by URL only (no provider): "url:" + its normalised base
#: URL names its keyring entry, its model cache and a conversation's server.
URL_REF = "url:"


def normalized_base_url(base_url: str) -> str:
    """A base URL in its one canonical form (raises ValidationError with the reason)."""
    from chatdesk.api.baseurl import normalize_base_url

    return normalize_base_url(base_url)


def same_base_url(a: str, b: str) -> bool:
    """Do ``a`` and ``b`` name the same server (False when either is not a base URL)?"""
    from chatdesk.api.errors import ValidationError

    try:
        return normalized_base_url(a) == normalized_base_url(b)
    except ValidationError:
        return False


def url_identity(base_url: str) -> str:
    """The keyring entry name for a server given by URL only (``--base-url`` runs)."""
    from chatdesk.api.errors import ValidationError

    try:
        return URL_REF + normalized_base_url(base_url)
    except ValidationError:
        return URL_REF + str(base_url)


def url_host(url: str) -> str:
    """The host name of ``url`` in lower case ("" when there is none or it is not a URL)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def is_local_url(url: str) -> bool:
    """A server on this machine (llama.cpp, vLLM...): often runs without a key."""
    import ipaddress

    host = url_host(url)
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
