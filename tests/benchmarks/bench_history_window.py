"""The window on a 1,000,000-message history: list, open, search, memory.

    python tests/benchmarks/bench_history_window.py [--db PATH]

Uses the database that bench_history.py generates and caches (run that first).
Targets (issue 4): list shown < 100 ms, newest messages of a conversation < 150 ms,
first page of search < 50 ms, app memory with the history open < 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--db", type=Path, default=Path(tempfile.gettempdir()) / "chatdesk-bench-history.sqlite3"
    )
    args = ap.parse_args()
    if not args.db.exists():
        raise SystemExit(f"{args.db} is missing: run tests/benchmarks/bench_history.py first")
    home = Path(tempfile.mkdtemp(prefix="chatdesk-bench-window-"))
    (home / "history.sqlite3").symlink_to(args.db)
    os.environ["CHATDESK_HOME"] = str(home)
    os.environ["CHATDESK_API_KEY"] = "sk-bench"

    import qasync
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from chatdesk.app import build

    t0 = time.perf_counter()
    store, window, desk = build(
        argparse.Namespace(base_url="http://127.0.0.1:9/v1", model=None, provider=None)
    )
    controller = desk.chat
    window.resize(1180, 780)
    window.show()
    app.processEvents()
    list_ms = (time.perf_counter() - t0) * 1000
    rows = window.conversations.model().rowCount()

    async def scenario() -> dict[str, float]:
        out: dict[str, float] = {}
        desk.start()  # keys, model list in the background, newest conversation
        await asyncio.sleep(0.5)
        lists = []
        for _ in range(5):
            t = time.perf_counter()
            window.conversations.reload()
            window.conversations.view().repaint()
            lists.append((time.perf_counter() - t) * 1000)
        out["list_ms"] = statistics.median(lists)
        opens = []
        for conv in store.list_conversations(limit=400)[::80]:
            t = time.perf_counter()
            controller.open_conversation(conv.id)
            window.message_view.repaint()
            opens.append((time.perf_counter() - t) * 1000)
        out["open_max_ms"] = max(opens)
        out["open_p50_ms"] = statistics.median(opens)
        searches = []
        for query in ("the", "学习", "机器学习", "AI", "zephyrine", "GPT-4o", '"machine learning"'):
            t = time.perf_counter()
            desk.history.search(query, {"limit": 50, "offset": 0})
            searches.append((time.perf_counter() - t) * 1000)
        out["search_max_ms"] = max(searches)
        await asyncio.sleep(1.0)
        return out

    figures = loop.run_until_complete(scenario())
    print(f"window built and shown (cold)  : {list_ms:7.1f} ms ({rows} list rows loaded)")
    print(f"conversation list reload+paint : {figures['list_ms']:7.1f} ms (target < 100)")
    opened = f"p50 {figures['open_p50_ms']:.1f} ms, max {figures['open_max_ms']:.1f} ms"
    print(f"open a conversation            : {opened} (target < 150)")
    print(f"search, first page + count     : max {figures['search_max_ms']:.1f} ms (target < 50)")
    print(f"app memory with history open   : {rss_mb():7.1f} MB (target < 250)")
    window.close()
    loop.run_until_complete(desk.aclose())
    store.close()


if __name__ == "__main__":
    main()
