"""Base URLs must not carry credentials.

``http://user:PASSWORD@host/v1`` would put a secret in the history database (the
providers table), in ``providers list`` and in the window's code snippets. ChatDesk
keeps secrets in the keyring only, so such a URL is refused before anything uses or
stores it, with a message that never repeats the password. Every place that accepts
a base URL from the user (the CLI's ``--base-url``, ``providers add``, the window's
settings) calls :func:`reject_credentials` first.
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
