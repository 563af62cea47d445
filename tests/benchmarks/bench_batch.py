"""A prompt-set run of 200 prompts x 4 models (800 cells) at full speed, concurrency 8.

    python tests/benchmarks/bench_batch.py [--prompts 200] [--chunks 100] [--concurrency 8]

Against the fake server in its own process (so it does not share our GIL), each reply
``--chunks`` content events written at once. Prints:
- the run's wall time (BatchRunner: request building, TurnRunner, the client's
  checked SSE parsing, one SQLite transaction per saved cell);
- the wall time of a bare httpx loop making the same requests (same bodies, streamed,
  each SSE line read and its JSON parsed) with the same concurrency;
- their ratio (target <= 1.3), best of ``--rounds`` alternated rounds each (the
  machine's other load moves both), and the process RSS after a run minus before it
  (target < 50 MiB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

MODELS = ["bench-a", "bench-b", "bench-c", "bench-d"]
KEY = "sk-bench-batch-0000"

SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.fakeserver import FakeServer, Reply
with FakeServer(api_key=sys.argv[2]) as server:
    for model in sys.argv[3].split(","):
        server.default_for(model, Reply.bulk(int(sys.argv[4]), "word ", model=model))
    print(server.base_url, flush=True)
    time.sleep(3600)
"""


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def bare_loop(base_url: str, bodies: list[dict[str, object]], concurrency: int) -> float:
    """The same streamed requests with httpx alone: the floor for the run's wall time."""
    import httpx

    limit = asyncio.Semaphore(concurrency)
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=60) as client:

        async def one(body: dict[str, object]) -> int:
            async with limit:
                parts = 0
                async with client.stream("POST", "/chat/completions", json=body) as response:
                    async for line in response.aiter_lines():
                        if line.startswith("data: ") and line != "data: [DONE]":
                            json.loads(line[6:])
                            parts += 1
                return parts

        began = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        return time.perf_counter() - began


async def batch_run(base_url: str, prompts: int, concurrency: int) -> tuple[float, int]:
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.runs.batch import BatchRunner, column_spec
    from chatdesk.core.runs.promptset import PromptItem
    from chatdesk.core.services import Endpoint
    from chatdesk.core.settings import AppSettings
    from chatdesk.store import Store

    folder = tempfile.mkdtemp(prefix="bench-batch-")
    with Store(os.path.join(folder, "history.sqlite3")) as store:
        endpoint = Endpoint(None, base_url, KEY, None, "bench", "url:bench")
        text = "Question number {}: say something."
        items = [PromptItem(i, None, text.format(i)) for i in range(prompts)]
        columns = [column_spec(m, endpoint, {"temperature": 0.7}) for m in MODELS]
        run_id = store.runs.create_run("bench", columns, items, concurrency=concurrency)
        pool = ClientPool(store, AppSettings())

        def connect(spec: object) -> tuple[object, Endpoint]:
            """As spec_connector, without a keyring: the same pooled client."""
            return pool.get(endpoint, retry_rate_limits=False), endpoint

        runner = BatchRunner(store, pool, connect)
        began = time.perf_counter()
        outcome = await runner.run(run_id)
        wall = time.perf_counter() - began
        await pool.close()
        return wall, outcome.progress.cells_done


def request_bodies(prompts: int) -> list[dict[str, object]]:
    return [
        {
            "model": model,
            "messages": [{"role": "user", "content": f"Question number {i}: say something."}],
            "stream": True,
            "temperature": 0.7,
            "stream_options": {"include_usage": True},
        }
        for i in range(prompts)
        for model in MODELS
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prompts", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2, help="alternated rounds (best kept)")
    args = parser.parse_args()
    root = str(Path(__file__).resolve().parents[2])
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, root, KEY, ",".join(MODELS), str(args.chunks)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        bodies = request_bodies(args.prompts)
        asyncio.run(bare_loop(base_url, bodies[:16], args.concurrency))  # warm-up, imports
        asyncio.run(batch_run(base_url, 2, args.concurrency))  # warm-up, imports
        # Alternated, best of --rounds each: the machine's other load moves both alike.
        bares: list[tuple[float, float]] = []
        runs: list[tuple[float, float]] = []
        growth: list[float] = []
        done = 0
        for _ in range(args.rounds):
            cpu = time.process_time()
            bares.append((asyncio.run(bare_loop(base_url, bodies, args.concurrency)), 0.0))
            bares[-1] = (bares[-1][0], time.process_time() - cpu)
            before = rss_mib()
            cpu = time.process_time()
            wall, done = asyncio.run(batch_run(base_url, args.prompts, args.concurrency))
            runs.append((wall, time.process_time() - cpu))
            growth.append(rss_mib() - before)
    finally:
        server.terminate()
        server.wait()
    cells = args.prompts * len(MODELS)
    print(f"cells: {done}/{cells} done, {args.chunks} chunks each, concurrency {args.concurrency}")
    for i, ((wall, cpu), (bare, bare_cpu)) in enumerate(zip(runs, bares, strict=True)):
        print(
            f"round {i + 1}: batch run {wall:.2f} s (CPU {cpu:.2f} s), "
            f"bare httpx loop {bare:.2f} s (CPU {bare_cpu:.2f} s), ratio {wall / bare:.2f}"
        )
    wall, bare = min(r[0] for r in runs), min(b[0] for b in bares)
    print(f"batch run wall time (best): {wall:.2f} s ({cells / wall:.0f} cells/s)")
    print(f"bare httpx loop (best):     {bare:.2f} s ({cells / bare:.0f} requests/s)")
    print(f"ratio: {wall / bare:.2f} (target <= 1.3)")
    print(f"RSS after - before (worst round): {max(growth):.1f} MiB (target < 50)")


if __name__ == "__main__":
    main()
