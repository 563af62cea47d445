"""Streaming throughput: bare httpx loop vs ChatClient.stream_chat vs the openai SDK.

Run ``python tests/benchmarks/bench_stream.py [chunks] [rounds]``. The FakeServer sends a
pre-built stream (``Reply.bulk``) in large writes, so the figures measure the client's
per-chunk cost. The target is ``ours >= 0.5 x bare``: the client does more per chunk
(typed events, tool/usage/error handling) but must not be the bottleneck of a UI.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import httpx  # noqa: E402

from chatdesk.api import ChatClient, ChatMessage, ChatRequest  # noqa: E402
from tests.fakeserver import FakeServer, Reply  # noqa: E402

MODEL = "fake-model"
MESSAGES = [{"role": "user", "content": "Count to a hundred thousand."}]


async def bare_loop(base_url: str) -> int:
    """The minimum any client must do: split lines, strip ``data: ``, parse JSON."""
    count = 0
    body = {"model": MODEL, "messages": MESSAGES, "stream": True}
    async with (
        httpx.AsyncClient(timeout=60) as http,
        http.stream("POST", base_url + "/chat/completions", json=body) as resp,
    ):
        async for line in resp.aiter_lines():
            if line.startswith("data: "):
                data = line[6:]
                if data == "[DONE]":
                    continue
                chunk = json.loads(data)
                if chunk["choices"]:
                    count += 1
    return count


async def ours(base_url: str) -> int:
    count = 0
    req = ChatRequest(model=MODEL, messages=[ChatMessage("user", MESSAGES[0]["content"])])
    async with ChatClient(base_url, "sk-bench", read_timeout=60) as client:
        async for event in client.stream_chat(req):
            # The pieces of one network read come joined: count the server's chunks.
            count += getattr(event, "pieces", 1)
    return count


async def openai_sdk(base_url: str) -> int:
    from openai import AsyncOpenAI

    count = 0
    client = AsyncOpenAI(base_url=base_url, api_key="sk-bench", max_retries=0)
    try:
        stream = await client.chat.completions.create(
            model=MODEL,
            messages=MESSAGES,  # type: ignore[arg-type]
            stream=True,
        )
        async for chunk in stream:
            if chunk.choices:
                count += 1
    finally:
        await client.close()
    return count


async def measure(
    server: FakeServer, reply: Reply, fn: Callable[[str], Awaitable[int]], chunks: int
) -> float:
    server.script(reply)
    start = time.perf_counter()
    count = await fn(server.base_url)
    elapsed = time.perf_counter() - start
    if count < chunks:
        raise RuntimeError(f"{fn.__name__} saw only {count} of {chunks} chunks")
    return chunks / elapsed


async def main(chunks: int, rounds: int) -> None:
    reply = Reply.bulk(chunks, model=MODEL)
    contenders: list[tuple[str, Callable[[str], Awaitable[int]]]] = [
        ("bare httpx aiter_lines + json.loads", bare_loop),
        ("ChatClient.stream_chat", ours),
    ]
    try:
        import openai  # noqa: F401

        contenders.append(("openai SDK (AsyncOpenAI, stream=True)", openai_sdk))
    except ImportError:
        print("openai SDK not installed: skipped")
    results: dict[str, list[float]] = {name: [] for name, _ in contenders}
    with FakeServer() as server:
        for _ in range(rounds):  # interleaved rounds so that noise hits everyone alike
            for name, fn in contenders:
                results[name].append(await measure(server, reply, fn, chunks))
    print(f"{chunks:,} chunks, best of {rounds} rounds (median in brackets):")
    best = {name: max(values) for name, values in results.items()}
    for name, values in results.items():
        print(f"  {name:<40} {best[name]:>10,.0f} chunks/s  ({statistics.median(values):,.0f})")
    bare = best[contenders[0][0]]
    mine = best[contenders[1][0]]
    ratio = mine / bare
    verdict = "OK" if ratio >= 0.5 else "BELOW TARGET"
    print(f"  ours / bare = {ratio:.2f}  (target >= 0.50: {verdict})")
    if len(contenders) > 2:
        sdk = best[contenders[2][0]]
        print(f"  ours / openai SDK = {mine / sdk:.2f}")


if __name__ == "__main__":
    n_chunks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    n_rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    asyncio.run(main(n_chunks, n_rounds))
