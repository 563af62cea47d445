"""Window start-up: ChatDesk vs a bare PySide6 QMainWindow, same run, same machine.

Prints the median time from process spawn to the first painted frame, and the idle
memory (RSS) a few seconds after start, for both (issue 11 target: idle RSS at most 2.0x
the bare window). Run: python tests/benchmarks/bench_startup.py; for the figures of the
issue, under Xvfb with CJK fonts installed:
QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" python tests/benchmarks/bench_startup.py

Also prints what the toolbar icons cost once text has been drawn (the codicon font from
qtawesome, chatdesk/ui/icons.py) against importing qtawesome itself, which the app avoids.
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


ICONS = r"""
import sys, time
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(sys.argv[:1])
QLabel("Text first: the font machinery is loaded by any window").grab()
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) / 1024
r0, t0 = rss(), time.perf_counter()
if sys.argv[1] == "ours":
    from chatdesk.ui.icons import icon
    icon("settings-gear").pixmap(18, 18)
else:
    import qtawesome
    qtawesome.icon("mdi6.cog").pixmap(18, 18)
print(f"ICONS {(time.perf_counter() - t0) * 1000:.1f} {rss() - r0:.1f}", flush=True)
"""


def icon_cost(kind: str, env: dict[str, str]) -> tuple[float, float]:
    out = subprocess.run(
        [sys.executable, "-c", ICONS, kind], env=env, capture_output=True, text=True, timeout=60
    ).stdout
    for line in out.splitlines():
        if line.startswith("ICONS"):
            _, ms, mib = line.split()
            return float(ms), float(mib)
    raise SystemExit(f"no icon figures: {out}")


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
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    ours_icons = [icon_cost("ours", env) for _ in range(3)]
    print(
        "toolbar icons    : first icon "
        f"{statistics.median(i[0] for i in ours_icons):5.1f} ms, "
        f"+{statistics.median(i[1] for i in ours_icons):4.1f} MiB (codicon font only)"
    )
    try:
        qta = [icon_cost("qtawesome", env) for _ in range(3)]
    except SystemExit:
        return
    print(
        "qtawesome.icon() : first icon "
        f"{statistics.median(i[0] for i in qta):5.1f} ms, "
        f"+{statistics.median(i[1] for i in qta):4.1f} MiB (import + all its fonts; not used)"
    )


if __name__ == "__main__":
    main()
