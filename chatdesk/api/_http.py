"""httpx, imported without its command-line client.

httpx imports its own CLI (click, rich and every Pygments lexer name: about 10 ms and
several MiB) whenever those packages happen to be installed, as the mcp SDK's
dependencies are. ChatDesk never runs it; with this entry httpx falls back to its stub.
The api modules that need httpx (client, classify) import it through here only.
"""

from __future__ import annotations

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

import httpx  # noqa: E402

__all__ = ["httpx"]
