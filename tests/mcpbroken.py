"""A deliberately badly behaved MCP server for the failure tests (ours, on purpose).

Usage: python -m tests.mcpbroken MODE [PORT]
  fail       writes a reason to stderr and exits before speaking MCP
  mute       prints garbage to stdout and never answers (start timeout)
  serve      a normal server whose tools misbehave (crash, hang, huge, deep, fail, echo)
  garbage    like serve, after a few lines of garbage on stdout
  http PORT  ``serve`` over streamable HTTP on 127.0.0.1:PORT
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def _server() -> Any:
    from mcp.server.mcpserver import MCPServer

    server = MCPServer("broken")

    @server.tool()
    def echo(text: str) -> str:
        """Say it back."""
        return f"echo: {text}"

    @server.tool()
    def crash() -> str:
        """Die in the middle of the call."""
        sys.stderr.write("broken: crashing now\n")
        sys.stderr.flush()
        os._exit(7)

    @server.tool()
    def hang() -> str:
        """Never answer."""
        time.sleep(3600)
        return "late"

    @server.tool()
    def huge(chars: int = 300_000) -> str:
        """Far too much output."""
        return "x" * chars

    @server.tool()
    def deep() -> dict[str, Any]:
        """Structured output nested far too deep."""
        value: dict[str, Any] = {"leaf": 1}
        for _ in range(60):
            value = {"down": value}
        return value

    @server.tool()
    def fail(reason: str = "nope") -> str:
        """Raise: the server reports an error result."""
        raise RuntimeError(f"the tool failed: {reason}")

    @server.tool()
    def pid() -> str:
        """The server's process id (to check it is gone after shutdown)."""
        return str(os.getpid())

    return server


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "serve"
    if mode == "fail":
        sys.stderr.write("broken: missing configuration file /etc/broken.conf\n")
        sys.exit(3)
    if mode == "mute":
        sys.stdout.write("this is not JSON-RPC\n")
        sys.stdout.flush()
        time.sleep(3600)
    if mode == "garbage":
        sys.stdout.write("hello from a chatty server\n{not json either\n")
        sys.stdout.flush()
    server = _server()
    if mode == "http":
        server.run("streamable-http", host="127.0.0.1", port=int(sys.argv[2]))
    else:
        server.run()


if __name__ == "__main__":
    main()
