"""Memory over a day of chatting, and along one long conversation (issue 11).

    python tests/benchmarks/bench_memory.py day    [--exchanges 500]
    python tests/benchmarks/bench_memory.py long   [--exchanges 300]

``day``: the real window sends ~1,000-token Markdown replies from the fake server (in its
own process), starting a new conversation every 20 exchanges, and prints the resident
memory curve. Target: RSS grows by less than 20% between exchange 50 and the last.
``long``: the same replies, all in one conversation. Target: RSS after the last exchange
at most 2x the idle window's (memory must not grow with the length of the conversation
beyond what is on screen and near it).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication  # noqa: E402

from chatdesk.eventloop import EventLoop  # noqa: E402

KEY = "sk-bench-memory-0000"

SERVER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.fakeserver import FakeServer, Reply, markdown_reply
text = markdown_reply(1000)
with FakeServer(api_key=sys.argv[2]) as server:
    server.script(*[Reply(text=text, chunk_chars=8) for _ in range(int(sys.argv[3]) + 5)])
    print(server.base_url, flush=True)
    time.sleep(3600)
"""


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("day", "long"))
    parser.add_argument("--exchanges", type=int, default=0)
    args = parser.parse_args()
    n = args.exchanges or (500 if args.mode == "day" else 300)

    import subprocess

    os.environ["CHATDESK_HOME"] = tempfile.mkdtemp(prefix="chatdesk-bench-")
    os.environ["CHATDESK_API_KEY"] = KEY
    root = str(Path(__file__).resolve().parents[2])
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, root, KEY, str(n)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    base_url = proc.stdout.readline().strip()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    from chatdesk.app import build, freeze_startup_objects, install_gc_pacer
    from chatdesk.ui.render import mathtex, warm_up_steps

    mathtex.background_math = True
    store, window, desk = build(argparse.Namespace(base_url=base_url, model="bench", provider=None))
    controller = desk.chat
    install_gc_pacer(app, lambda: bool(controller.busy))
    window.resize(1180, 780)
    window.show()
    for step in warm_up_steps():
        step()
    curve: list[tuple[int, float]] = []

    async def scenario() -> float:
        desk.start()
        await asyncio.sleep(1.0)
        freeze_startup_objects()
        idle = rss_mib()
        for i in range(1, n + 1):
            if args.mode == "day" and i > 1 and (i - 1) % 20 == 0:
                controller.new_conversation()
            window.composer.set_text(f"Question {i}: explain it again, with code")
            window.composer.send()
            await asyncio.sleep(0)
            while controller.busy or controller._task is None:  # noqa: SLF001
                await asyncio.sleep(0.005)
            await asyncio.sleep(0.02)  # the view paints the answer
            if i % 25 == 0 or i in (1, 50):
                gc.collect(1)
                curve.append((i, rss_mib()))
        await asyncio.sleep(1.0)  # idle work (lazy blocks, freeing old documents)
        return idle

    began = time.perf_counter()
    idle = loop.run_until_complete(scenario())
    took = time.perf_counter() - began
    window.close()
    loop.run_until_complete(desk.aclose())
    store.close()
    proc.kill()
    proc.wait()
    proc.stdout.close()

    print(f"{args.mode}: {n} exchanges of ~1,000-token Markdown in {took:.0f} s")
    print(f"idle window after start: {idle:.0f} MiB")
    print("RSS curve: " + ", ".join(f"#{i}: {m:.0f}" for i, m in curve))
    last = curve[-1][1]
    if args.mode == "day":
        at50 = dict(curve)[50]
        print(f"growth from #50 to #{n}: {100 * (last - at50) / at50:+.1f}% (target < +20%)")
    else:
        print(f"after #{n}: {last:.0f} MiB = {last / idle:.2f}x idle (target <= 2.0x)")


if __name__ == "__main__":
    main()
