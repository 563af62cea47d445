"""httpx, imported without its command-line client.

httpx imports its own CLI (click, rich and every Pygments lexer name: about 10 ms and
several MiB) whenever those packages happen to be installed, as the mcp SDK's
dependencies are. ChatDesk never runs it; with this entry httpx falls back to its stub.
The api modules that need httpx (client, classify) import it through here only.

httpcore asks which async library runs by importing ``sniffio`` on every connection
use; where sniffio is not installed, each failed import searched the whole import path
again (about a tenth of a streaming loop's CPU). Recording its absence once makes the
later imports fail at once; httpcore then assumes asyncio, as it did before.

:class:`CookielessClient` keeps no cookies: the API key authenticates every request,
and a relay's or a CDN's cookies have no business following the user from request to
request. It also spares each response a trip through the standard library's cookie
jar (about 0.1 ms a request, a tenth of a prompt-set run's per-request cost).

Chunked response bodies are read by :mod:`chatdesk.api.chunked`, which hands over the
chunks of one network read together (one event each was ~40 % of a stream's CPU).
"""

from __future__ import annotations

import importlib.util
import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
    sys.modules["sniffio"] = None  # type: ignore[assignment]

from typing import Any  # noqa: E402

import httpx  # noqa: E402

from chatdesk.api import chunked  # noqa: E402

chunked.install()

__all__ = ["CookielessClient", "httpx"]


class _NoCookies(httpx.Cookies):
    """A jar that stays empty: nothing is taken from a response, nothing is sent."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None

    def set_cookie_header(self, request: httpx.Request) -> None:
        return None


class CookielessClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` without cookies (see the module's docstring)."""

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        """Cookies given to the client are dropped, as any from a server."""


_NO_COOKIES = _NoCookies()
