"""A 50 MB tool result: how long until the call answers, and the peak memory it costs.

The server is tests/mcpraw.py (one 50 MB JSON-RPC line). Before the bounded stdio
transport the SDK read it whole (issue figure: 19.9 s, 338 MB); now the reader stops
at the message limit and answers the call with an error at once.

Run: .venv/bin/python tests/benchmarks/bench_mcp_result.py
"""

from __future__ import annotations

import asyncio
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from chatdesk.core.tools.mcpconfig import ServerConfig  # noqa: E402
from chatdesk.core.tools.mcpmanager import McpManager  # noqa: E402


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main() -> None:
    config = ServerConfig(
        "raw", command=sys.executable, args=[str(ROOT / "tests" / "mcpraw.py")], timeout_s=120
    )
    manager = McpManager({"raw": config}.get)
    try:
        await manager.ensure("raw")
        await manager.call("raw", "echo", {"text": "warm"})
        before = rss_mb()
        start = time.perf_counter()
        result = await manager.call("raw", "big", {"mb": 50})
        took = time.perf_counter() - start
        peak = rss_mb()
    finally:
        await manager.aclose()
    print(f"50 MB tool result: answered in {took * 1000:.0f} ms")
    print(f"peak RSS {peak:.0f} MB (+{peak - before:.0f} MB over the idle manager)")
    print(f"answer: {result.error or result.text[:80]}")


if __name__ == "__main__":
    asyncio.run(main())
