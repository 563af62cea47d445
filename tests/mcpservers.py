"""MCP servers for the tests: two reference servers nobody here wrote, and our broken one.

``mcp-server-time`` (Python, from the test extra) always runs; the Node reference
server ``@modelcontextprotocol/server-everything`` runs where tests/run-all.sh could
install it (``CHATDESK_TEST_MCP_EVERYTHING``, else the copy in .venv/npm), and its
tests are skipped only when node or the package is truly absent.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from chatdesk.core.tools.mcpconfig import ServerConfig

ROOT = Path(__file__).resolve().parents[1]
_EVERYTHING_REL = "npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"


def everything_script() -> str | None:
    """The server-everything entry point, or None where Node or the package is missing."""
    if shutil.which("node") is None:
        return None
    for candidate in (
        os.environ.get("CHATDESK_TEST_MCP_EVERYTHING", ""),
        str(Path(sys.prefix) / _EVERYTHING_REL),
        str(ROOT / ".venv" / _EVERYTHING_REL),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


needs_everything = pytest.mark.skipif(
    everything_script() is None,
    reason="node or @modelcontextprotocol/server-everything is missing (see tests/run-all.sh)",
)


def time_server(name: str = "time") -> ServerConfig:
    return ServerConfig(name, command=sys.executable, args=["-m", "mcp_server_time"])


def everything_server(name: str = "everything") -> ServerConfig:
    script = everything_script()
    assert script is not None
    return ServerConfig(name, command="node", args=[script, "stdio"])


def broken_server(mode: str, name: str = "broken", timeout_s: float = 60.0) -> ServerConfig:
    return ServerConfig(
        name,
        command=sys.executable,
        args=[str(ROOT / "tests" / "mcpbroken.py"), mode],
        timeout_s=timeout_s,
    )


def alive(pid: int) -> bool:
    """Is the process still there (and not a zombie)?"""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(entry.name))
    return out
