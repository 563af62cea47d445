"""The event loop while a 30 MB answer finishes next to three slow columns.

    python tests/benchmarks/bench_large_save.py [--mb 30]

Runs four exchanges at once on one asyncio loop, as a comparison does (the real
runner, the real client, a real SQLite file, one PatientStore per column), against
the fake server in its own process: three columns at ~20 tokens/s and one that
streams ``--mb`` MB as fast as it can. A 1 ms ticker records the gaps between its
turns. Prints the longest stall of the loop, and the longest one in the second
around the moment the large answer is saved (the final save of a 30 MB row used to
hold the loop 0.4-0.66 s; issue 16: it must not block the loop).
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatdesk.api.client import ChatClient  # noqa: E402
from chatdesk.api.types import ChatMessage, ChatRequest  # noqa: E402
from chatdesk.core.chat.patient import PatientStore  # noqa: E402
from chatdesk.core.chat.session import run_exchange  # noqa: E402
from chatdesk.store import Store  # noqa: E402

KEY = "sk-bench-large-save-0000"
SLOW = ("slow-a", "slow-b", "slow-c")

SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.fakeserver import FakeServer, Reply
size = int(sys.argv[2])
with FakeServer(api_key=sys.argv[3]) as server:
    for model in ("slow-a", "slow-b", "slow-c"):
        server.script_for(model, Reply(text="word " * 200, chunk_chars=5, delay_s=0.05))
    server.script_for("fast", Reply.bulk(size // 8192, "x" * 8192, model="fast"))
    print(server.base_url, flush=True)
    time.sleep(900)
"""


async def run(base_url: str, db: Path) -> None:
    store = Store(db)
    conv = store.create_conversation("bench")
    user = store.add_message(conv, "user", "hello")
    gaps: list[tuple[float, float]] = []  # (when, gap)
    done_at: dict[str, float] = {}
    stop = asyncio.Event()

    async def ticker() -> None:
        last = time.monotonic()
        while not stop.is_set():
            await asyncio.sleep(0.001)
            now = time.monotonic()
            gaps.append((now, now - last))
            last = now

    async def column(model: str) -> None:
        client = ChatClient(base_url, KEY)
        try:
            request = ChatRequest(model=model, messages=[ChatMessage("user", "hello")])
            outcome = await run_exchange(
                client, request, store=PatientStore(store), conversation_id=conv, parent_id=user
            )
            done_at[model] = time.monotonic()
            assert outcome.status == "done", outcome.error
        finally:
            await client.close()

    tick = asyncio.create_task(ticker())
    start = time.monotonic()
    await asyncio.gather(*(column(m) for m in (*SLOW, "fast")))
    stop.set()
    await tick
    fast_done = done_at["fast"]
    near = [g for when, g in gaps if fast_done - 1.0 <= when <= fast_done + 1.0]
    # The first second holds the clients' set-up (TLS contexts), not saves.
    gaps = [(when, g) for when, g in gaps if when - start >= 1.0]
    rows = store.conn.execute(
        "SELECT model_requested, length(content), status FROM messages WHERE role='assistant'"
    ).fetchall()
    store.close()
    print(f"total {time.monotonic() - start:.2f} s; saved: {rows}")
    when, worst = max(gaps, key=lambda g: g[1])
    print(
        f"longest loop stall after the first second: {worst * 1000:.0f} ms,"
        f" {when - start:.2f} s after the start (large answer done at {fast_done - start:.2f} s)"
    )
    print(f"longest stall within 1 s of the large answer's end: {max(near) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=30)
    args = parser.parse_args()
    root = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, root, str(args.mb * 1_000_000), KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    try:
        base_url = proc.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="chatdesk-bench-") as tmp:
            asyncio.run(run(base_url, Path(tmp) / "history.sqlite3"))
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


if __name__ == "__main__":
    main()
