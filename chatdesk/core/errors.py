"""The errors controllers catch, and how to say them in one line.

Controllers ask core, never the HTTP layer: this module is where they find the
error types of a request (a bad parameter, a failed exchange).
"""

from __future__ import annotations

from chatdesk.api.errors import ApiError, ValidationError
from chatdesk.errors import ChatdeskError

__all__ = ["ApiError", "ChatdeskError", "ValidationError", "plain"]


def plain(exc: BaseException, language: str = "en") -> str:
    """A readable one-line reason (never a traceback)."""
    if isinstance(exc, ApiError):
        return exc.explain(language)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return text or type(exc).__name__


def explain_category(
    category: str, language: str = "en", retry_after_s: float | None = None
) -> str:
    """What a stored error category means, in the user's language (a saved failed answer)."""
    err = ApiError("", retry_after_s=retry_after_s)
    err.category = category or "network"
    return err.explain(language)
