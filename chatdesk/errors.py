"""The root of every error meant for the user's eyes.

It lives above the layers so that api, store and core share one base class without
importing each other (the store must not depend on the HTTP client).
"""

from __future__ import annotations


class ChatdeskError(Exception):
    """Base of every error meant for the user's eyes (never a bug)."""
