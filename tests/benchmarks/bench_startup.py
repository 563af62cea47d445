"""Window start-up: ChatDesk vs a bare PySide6 QMainWindow, same run, same machine.

Prints the median time from process spawn to the first painted frame, and the idle
memory (RSS) a few seconds after start, for both. Run: python tests/benchmarks/bench_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = r"""
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.setWindowTitle("bare"); w.resize(1180, 780)
class F(QObject):
    def eventFilter(self, o, e):
        if e.type() == QEvent.Type.Paint and not hasattr(self, "d"):
            self.d = True; print(f"FIRST_PAINT {time.time():.6f}", flush=True)
        return False
f = F(w); w.installEventFilter(f); w.show()
def mem():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"): print("IDLE_RSS_KB", line.split()[1], flush=True)
    app.quit()
QTimer.singleShot(int(os.environ.get("CHATDESK_IDLE_MS", "3000")), mem)
app.exec()
"""


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.time()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120).stdout
    paint = rss = None
    for line in out.splitlines():
        if line.startswith("FIRST_PAINT"):
            paint = float(line.split()[1])
        if line.startswith("IDLE_RSS_KB"):
            rss = int(line.split()[1])
    if paint is None or rss is None:
        raise SystemExit(f"no figures from {cmd}: {out}")
    return (paint - start) * 1000, rss


def main() -> None:
    runs = int(os.environ.get("RUNS", "5"))
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, CHATDESK_HOME=home, CHATDESK_REPORT_STARTUP="1")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        # An installed app has its bytecode compiled (pip does it); this machine's shell
        # sets PYTHONDONTWRITEBYTECODE, which would make every start compile from source.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", os.path.join(root, "chatdesk")],
            env=env,
            check=True,
        )
        env.setdefault("CHATDESK_API_KEY", "sk-bench-0000")
        # Nothing listens there: start-up must not wait on the network.
        app_cmd = [sys.executable, "-m", "chatdesk", "--base-url", "http://127.0.0.1:9/v1"]
        run(app_cmd, env)  # first start creates the database; not counted
        bare, ours = [], []
        for _ in range(runs):
            bare.append(run([sys.executable, "-c", BARE], env))
            ours.append(run(app_cmd, env))
    bare_ms = statistics.median(b[0] for b in bare)
    ours_ms = statistics.median(o[0] for o in ours)
    bare_rss = statistics.median(b[1] for b in bare) / 1024
    ours_rss = statistics.median(o[1] for o in ours) / 1024
    print(f"bare QMainWindow : first paint {bare_ms:7.1f} ms   idle RSS {bare_rss:6.1f} MiB")
    print(f"ChatDesk window  : first paint {ours_ms:7.1f} ms   idle RSS {ours_rss:6.1f} MiB")
    ratio = f"time x{ours_ms / bare_ms:.2f}   memory x{ours_rss / bare_rss:.2f}"
    print(f"ratio            : {ratio} (targets: both <= 2)")


if __name__ == "__main__":
    main()
