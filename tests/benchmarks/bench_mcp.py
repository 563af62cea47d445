"""MCP figures: the SDK's import cost, a server's start, and a tool call's round trip.

Run: .venv/bin/python tests/benchmarks/bench_mcp.py
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatdesk.core.tools.mcpmanager import McpManager  # noqa: E402
from tests.mcpservers import time_server  # noqa: E402

IMPORT = (
    "import resource, time; r0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
    "t = time.perf_counter(); import mcp, mcp.client.stdio, mcp.client.streamable_http; "
    "print(round((time.perf_counter() - t) * 1000), "
    "(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - r0) // 1024)"
)


def main() -> None:
    runs = [
        subprocess.run(
            [sys.executable, "-c", IMPORT], capture_output=True, text=True, check=True
        ).stdout.split()
        for _ in range(5)
    ]
    ms = statistics.median(int(r[0]) for r in runs)
    mb = statistics.median(int(r[1]) for r in runs)
    print(f"import mcp: {ms:.0f} ms, +{mb:.0f} MB RSS (median of 5; chatdesk.cli does not load it)")

    async def calls() -> None:
        config = time_server()
        manager = McpManager({"time": config}.get)
        start = time.perf_counter()
        await manager.ensure("time")
        print(
            f"mcp-server-time ready (spawn, handshake, tools/list): "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )
        times = []
        for _ in range(50):
            t = time.perf_counter()
            await manager.call("time", "get_current_time", {"timezone": "UTC"})
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"tool call round trip: first {times[0]:.1f} ms, "
            f"median {statistics.median(times[1:]):.1f} ms over 49"
        )
        start = time.perf_counter()
        await manager.aclose()
        print(f"shutdown: {(time.perf_counter() - start) * 1000:.0f} ms")

    asyncio.run(calls())


if __name__ == "__main__":
    main()
