"""Text from a server made safe to print on a terminal.

Tool names and descriptions, model ids and the like are chosen by whoever runs
the server. Printed raw, an escape sequence can recolour, move the cursor, retitle
the window or hide lines, and a right-to-left override can make text read
backwards; a line break can forge a line of our own output. :func:`visible`
shows such characters as escapes instead.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, bidirectional marks/embeddings/overrides/isolates, and the
# Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control or direction character shown as ``\\xNN``/``\\uNNNN``."""
    return _UNSAFE.sub(_escape, text)
