"""The request parameters a conversation can carry (names as on the wire).

The parameters panel lists these; it asks core, never the HTTP layer.
"""

from __future__ import annotations

from chatdesk.api.fields import PARAM_FIELDS

__all__ = ["PARAM_FIELDS"]
