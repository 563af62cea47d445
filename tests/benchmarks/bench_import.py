"""Benchmark: import a ChatGPT export of 100,000 messages into a fresh database.

Run: ``python tests/benchmarks/bench_import.py [--conversations 5000] [--messages 20]``.
Times the same core call as ``chatdesk import`` (parse + one transaction + bulk
inserts + full-text indexing). Target: under 30 s.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from chatdesk.core.history.transfer import import_file  # noqa: E402
from chatdesk.store import Store  # noqa: E402

ENGLISH = (
    "Could you explain how the garbage collector decides when to run, and whether "
    "tuning the thresholds helps a long-running service with many small objects?"
)
CHINESE = "请解释一下数据库索引的工作原理，以及在什么情况下应该使用复合索引。谢谢！🙂"
CODE = (
    "Here is a version that streams the file instead of loading it:\n\n"
    "```python\ndef count_lines(path: str) -> int:\n"
    "    with open(path, 'rb') as f:\n"
    "        return sum(1 for _ in f)\n```\n\n"
    "It uses constant memory, whatever the size of the file."
)


def make_export(conversations: int, per_conversation: int, seed: int = 7) -> list[Any]:
    """A ChatGPT-shaped conversations.json: null root, alternating turns, some branches."""
    rng = random.Random(seed)
    data: list[Any] = []
    t0 = 1_700_000_000.0
    for c in range(conversations):
        cid = f"bench-{c:06d}"
        root = f"{cid}-root"
        mapping: dict[str, Any] = {
            root: {"id": root, "message": None, "parent": None, "children": []}
        }
        parent = root
        t = t0 + c * 600
        for i in range(per_conversation):
            nid = f"{cid}-{i:03d}"
            role = "user" if i % 2 == 0 else "assistant"
            text = rng.choice((ENGLISH, CHINESE, CODE)) + f" (#{i})"
            meta: dict[str, Any] = {}
            if role == "assistant":
                meta = {"model_slug": "gpt-4o", "finish_details": {"type": "stop"}}
            mapping[nid] = {
                "id": nid,
                "parent": parent,
                "children": [],
                "message": {
                    "id": nid,
                    "author": {"role": role, "name": None, "metadata": {}},
                    "create_time": t,
                    "update_time": None,
                    "content": {"content_type": "text", "parts": [text]},
                    "status": "finished_successfully",
                    "metadata": meta,
                    "recipient": "all",
                },
            }
            mapping[parent]["children"].append(nid)
            parent = nid
            t += 7.5
        data.append(
            {
                "title": f"Benchmark conversation {c}",
                "create_time": t0 + c * 600,
                "update_time": t,
                "mapping": mapping,
                "current_node": parent,
                "conversation_id": cid,
                "id": cid,
                "default_model_slug": "gpt-4o",
            }
        )
    return data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conversations", type=int, default=5000)
    ap.add_argument("--messages", type=int, default=20)
    args = ap.parse_args()
    total = args.conversations * args.messages
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "conversations.json"
        src.write_text(
            json.dumps(make_export(args.conversations, args.messages), ensure_ascii=False),
            encoding="utf-8",
        )
        size_mb = src.stat().st_size / 1e6
        with Store(Path(tmp) / "history.sqlite3") as store:
            start = time.perf_counter()
            result = import_file(store, src)
            elapsed = time.perf_counter() - start
            assert result.messages_added == total, result
            hits = store.count_search("garbage collector")
    print(f"file: {size_mb:.1f} MB, {args.conversations} conversations, {total} messages")
    print(f"import: {elapsed:.2f} s, {total / elapsed:,.0f} messages/s (search hits: {hits})")
    print("target < 30 s:", "OK" if elapsed < 30 else "TOO SLOW")
    return 0 if elapsed < 30 else 1


if __name__ == "__main__":
    raise SystemExit(main())
