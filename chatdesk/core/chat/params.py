"""The request parameters a conversation can carry (names as on the wire), and the rules
the panel checks them by.

The parameters panel lists these and checks its tools JSON with :func:`tool_problem`,
the same rules a request is checked by before it is sent; it asks core, never the HTTP
layer.
"""

from __future__ import annotations

from chatdesk.api.fields import MAX_STOP, PARAM_FIELDS
from chatdesk.api.toolcheck import ToolProblem, tool_problem

__all__ = ["MAX_STOP", "PARAM_FIELDS", "ToolProblem", "tool_problem"]
