"""The rules a request's ``tools`` list must follow, written once.

The request check (:func:`chatdesk.api.validate.validate_request`) and the window's
tools editor (through :mod:`chatdesk.core.chat.params`) both ask :func:`tool_problem`, so
the editor never accepts a list that sending would refuse, or refuses one it would
send. A problem comes back as a code, not a sentence: each caller words it in its own
language. Light on purpose: the parameters panel loads it before its first paint.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

TOOL_NAME_RE = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class ToolProblem(NamedTuple):
    """The first thing wrong with a tools list.

    ``position`` is the tool's index (0-based; -1 for the list itself), ``code`` one of
    ``not_list``, ``not_object``, ``not_function``, ``function_not_object``,
    ``name_missing``, ``name_format``, ``description``, ``parameters_not_object``,
    ``parameters_type`` or ``duplicate``; ``field`` the request field it concerns
    (``tools[0].function.name``) and ``value`` the offending value, for the message.
    """

    position: int
    code: str
    field: str
    value: Any = None


def tool_problem(tools: Any) -> ToolProblem | None:
    """The first problem of ``tools`` (a decoded JSON value), or None when it can be sent."""
    if not isinstance(tools, list):
        return ToolProblem(-1, "not_list", "tools")
    names: set[str] = set()
    for i, tool in enumerate(tools):
        field = f"tools[{i}]"
        if not isinstance(tool, dict):
            return ToolProblem(i, "not_object", field)
        if tool.get("type") != "function":
            return ToolProblem(i, "not_function", field, tool.get("type"))
        fn = tool.get("function")
        if not isinstance(fn, dict):
            return ToolProblem(i, "function_not_object", f"{field}.function")
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            return ToolProblem(i, "name_missing", f"{field}.function.name", name)
        if not TOOL_NAME_RE.match(name):
            return ToolProblem(i, "name_format", f"{field}.function.name", name)
        if "description" in fn and not isinstance(fn["description"], str):
            return ToolProblem(i, "description", f"{field}.function.description")
        params = fn.get("parameters")
        if params is not None:
            if not isinstance(params, dict):
                return ToolProblem(i, "parameters_not_object", f"{field}.function.parameters")
            if "type" in params and params["type"] != "object":
                return ToolProblem(
                    i, "parameters_type", f"{field}.function.parameters", params["type"]
                )
        if name in names:
            return ToolProblem(i, "duplicate", f"{field}.function.name", name)
        names.add(name)
    return None
