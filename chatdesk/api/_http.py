"""httpx, imported without its command-line client.

httpx imports its own CLI (click, rich and every Pygments lexer name: about 10 ms and
several MiB) whenever those packages happen to be installed, as the mcp SDK's
dependencies are. ChatDesk never runs it; with this entry httpx falls back to its stub.
The api modules that need httpx (client, classify) import it through here only.

httpcore asks which async library runs by importing ``sniffio`` on every connection
use; where sniffio is not installed, each failed import searched the whole import path
again (about a tenth of a streaming loop's CPU). Recording its absence once makes the
later imports fail at once; httpcore then assumes asyncio, as it did before.
"""

from __future__ import annotations

import importlib.util
import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

import httpx  # noqa: E402

__all__ = ["httpx"]
