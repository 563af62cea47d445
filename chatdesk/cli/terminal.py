"""Asking the user a question on the terminal itself (``/dev/tty``), not on stdin/stdout.

Standard input may hold the prompt and standard output the answer (piped elsewhere), so
a question such as "run this tool?" goes to the controlling terminal. A terminal device
cannot be opened with ``"r+"`` in text mode (Python wants a seekable file for that and
fails with "not seekable"), so it is opened twice: once to read, once to write, both
unbuffered so the question shows before the read waits.
"""

from __future__ import annotations

import os
import unicodedata

TTY = "/dev/tty"
MAX_ANSWER_BYTES = 256  # a y/a/n answer; a pasted page is not read past this
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


class NoTerminal(Exception):
    """There is no controlling terminal to ask on (a cron job, a pipe, a service)."""


def visible(text: str, limit: int = 2000) -> str:
    """``text`` on one line with every control or invisible formatting character shown
    escaped (``\\n``, ``\\x1b``, ``\\u202e``): a tool's arguments come from the model and
    must not move the cursor, clear the question or hide part of it."""
    out: list[str] = []
    for ch in text[:limit]:
        if ch in _NAMED:
            out.append(_NAMED[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    if len(text) > limit:
        out.append(f"… ({len(text) - limit} more characters)")
    return "".join(out)


def ask(question: str, tty: str = TTY) -> str:
    """Write ``question`` on the terminal and return the line typed (stripped, lower-case).

    Raises:
        NoTerminal: the terminal cannot be opened (no controlling terminal).
    """
    try:
        reader = open(tty, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError as exc:
        raise NoTerminal(str(exc)) from None
    try:
        # os.open: never create a file where /dev/tty is missing ("wb" would).
        with open(os.open(tty, os.O_WRONLY | os.O_NOCTTY), "wb", buffering=0) as writer:
            writer.write(question.encode("utf-8", "replace"))
        raw = reader.readline(MAX_ANSWER_BYTES)
    except OSError as exc:
        raise NoTerminal(str(exc)) from None
    finally:
        reader.close()
    return raw.decode("utf-8", "replace").strip().lower()
