"""The request field names shared across the api boundary, apart from the types.

The window's parameters panel lists :data:`PARAM_FIELDS` before its first paint; kept
here, that costs nothing, while :mod:`chatdesk.api.types` (a dozen slotted dataclasses,
~4 ms to import) loads with the first request.
"""

from __future__ import annotations

ROLES = ("system", "user", "assistant", "tool")
MAX_STOP = 4  # stop sequences in one request (OpenAI's limit)
# Every optional field of a chat/completions request body, in the relay's documented
# order. The window's parameters panel, the stored conversation parameters and the body
# builder share it.
PARAM_FIELDS = (
    "temperature",
    "top_p",
    "max_tokens",
    "n",
    "stop",
    "presence_penalty",
    "frequency_penalty",
    "response_format",
    "seed",
    "tools",
    "tool_choice",
    "user",
)
