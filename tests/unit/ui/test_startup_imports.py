"""What the window's start does not import: prompt-set runs are rarely used, and their
modules cost first-paint time (``chatdesk.store.runs``) or idle memory (the run
controller's runner, parser, summary, dialog and grid: ~2 MiB with csv and statistics);
the compare column widgets wait for the first comparison.

Run in a fresh interpreter (``sys.modules`` of the test run holds everything).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CODE = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from chatdesk.app import build_window
from chatdesk.core.services import open_store
store = open_store()
window, parts = build_window(store)
window.show()
app.processEvents()
painted = sorted(m for m in sys.modules if m.startswith("chatdesk."))
import chatdesk.ctl.compare, chatdesk.ctl.runs
wired = sorted(sys.modules)
runs = store.runs.list_runs(limit=1)  # still there when asked for
print(json.dumps({"painted": painted, "wired": wired, "runs": runs}))
"""

#: Only a run (open, new, drive, export) needs these.
RUN_ONLY = {
    "chatdesk.core.runs.batch",
    "chatdesk.core.runs.promptset",
    "chatdesk.core.runs.runexport",
    "chatdesk.core.runs.runsummary",
    "chatdesk.ctl.runtext",
    "chatdesk.ui.rundialog",
    "chatdesk.ui.rungrid",
    "csv",
    "statistics",
    # and only an open comparison needs its columns (the controllers ask ColumnState)
    "chatdesk.ui.comparecolumn",
    "chatdesk.ui.comparediff",
}


def test_runs_load_on_first_use(tmp_path: Path) -> None:
    env = dict(os.environ, CHATDESK_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run(
        [sys.executable, "-c", CODE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    assert "chatdesk.store.runs" not in result["painted"]
    # no message is rendered before the first paint: the render package's Markdown side
    # (block scanner, converter, streaming) loads with the first message
    painted_render = {m for m in result["painted"] if m.startswith("chatdesk.ui.render.")}
    assert painted_render <= {
        "chatdesk.ui.render.base",
        "chatdesk.ui.render.highlight",
        "chatdesk.ui.render.mathtex",
    }, painted_render
    assert "chatdesk.ui.mainwindow" in result["painted"]
    assert {"chatdesk.ctl.runs", "chatdesk.ctl.compare"} <= set(result["wired"])
    assert RUN_ONLY.isdisjoint(result["wired"]), RUN_ONLY & set(result["wired"])
    assert result["runs"] == []
