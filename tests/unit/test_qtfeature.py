"""chatdesk.qtfeature: shiboken's per-module source scan is off in the window, and safe
to turn off because no module of ChatDesk uses PySide's ``__feature__`` switches."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_module_uses_pyside_feature_switches() -> None:
    users = []
    for path in sorted((ROOT / "chatdesk").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "__feature__":
                users.append(str(path.relative_to(ROOT)))
    assert users == []


def test_modules_imported_after_the_app_are_not_read() -> None:
    code = (
        "import linecache, sys\n"
        "import chatdesk.app\n"
        "from chatdesk.qtfeature import skip_feature_scan\n"
        "linecache.clearcache()\n"
        "import chatdesk.ui.mainwindow, chatdesk.ctl.chat\n"
        "read = [f for f in linecache.cache if '/chatdesk/' in f]\n"
        "print(skip_feature_scan(), len(read))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stderr
    on, read = proc.stdout.split()
    assert on == "True" and read == "0", proc.stdout
