"""A fast column must not stop the other columns' partial saves (issue 16).

A real ``chatdesk compare`` process against the fake server, killed with SIGKILL,
then the real SQLite file is read: each slow column has the text it had received.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.fakeserver import FakeServer, Reply

KEY = "sk-test-partial-saves-0123456789"
ROOT = Path(__file__).resolve().parents[3]
SLOW = ("slow-a", "slow-b", "slow-c")


def assistant_rows(db: Path) -> list[tuple[str, str, str]]:
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1)
        try:
            return conn.execute(
                "SELECT model_requested, content, status FROM messages"
                " WHERE role = 'assistant' ORDER BY id"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:  # created and migrated right now
        return []


def test_slow_columns_keep_their_text_when_a_neighbour_streams_30_mb(
    chatdesk_home: Path,
) -> None:
    with FakeServer(api_key=KEY) as server:
        for model in SLOW:  # ~20 tokens/s
            server.script_for(model, Reply(text="word " * 400, chunk_chars=5, delay_s=0.05))
        server.script_for("fast", Reply.bulk(30_000_000 // 8192, "x" * 8192, model="fast"))
        env = dict(os.environ, CHATDESK_HOME=str(chatdesk_home), CHATDESK_API_KEY=KEY)
        env["PYTHONPATH"] = str(ROOT)
        env.pop("OPENAI_API_KEY", None)
        argv = ["compare", "--base-url", server.base_url, "-m", SLOW[0], "-m", SLOW[1]]
        argv += ["-m", SLOW[2], "-m", "fast", "hello"]
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatdesk", *argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        db = chatdesk_home / "history.sqlite3"
        try:
            deadline = time.monotonic() + 60
            while len(assistant_rows(db)) < 4:  # every column's request has gone out
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.02)
            time.sleep(2.5)  # the fast column's answer is whole, the slow ones stream on
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    rows = {model: (content, status) for model, content, status in assistant_rows(db)}
    for model in SLOW:
        content, status = rows[model]
        assert status == "streaming"  # killed mid-stream: what it had is on disk
        assert content.startswith("word word"), (model, len(content))
