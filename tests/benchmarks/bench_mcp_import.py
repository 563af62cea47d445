"""``mcp import`` of an mcpServers file with 5,000 servers (and 1,000 and 10,000 for the
trend): the list is read and written once, so the time grows linearly.

Before, each server rewrote the whole list (5,000 servers: 85 s). Servers without
secrets, so the keyring is not part of the figure.

Run: .venv/bin/python tests/benchmarks/bench_mcp_import.py
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatdesk.core.tools.mcpconfig import McpSettings  # noqa: E402
from chatdesk.store import Store  # noqa: E402


def main() -> None:
    for count in (1_000, 5_000, 10_000):
        servers = {
            f"server{i}": {"command": "npx", "args": ["-y", f"@example/server-{i}"]}
            for i in range(count)
        }
        text = json.dumps({"mcpServers": servers})
        if len(text) > 1 << 20:
            print(f"{count:>6} servers: {len(text) >> 10} KB, over the 1 MB file limit (skipped)")
            continue
        with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "h.sqlite3") as store:
            start = time.perf_counter()
            names = McpSettings(store, None).import_json(text)
            took = time.perf_counter() - start
        print(f"{count:>6} servers ({len(text) >> 10} KB): imported {len(names)} in {took:.2f} s")


if __name__ == "__main__":
    main()
