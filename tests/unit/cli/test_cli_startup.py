"""What a start loads: the window's start parses only the window's options and imports no
command module; a command imports its own module and not the others'.

Run in a fresh interpreter (``sys.modules`` of the test run holds everything).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: What ``chatdesk.cli`` may load before it knows which command runs.
START = {
    "chatdesk.cli",
    "chatdesk.cli._common",
    "chatdesk.cli.batchargs",  # batch's arguments, part of the whole command tree
    "chatdesk.cli.entry",
    "chatdesk.cli.parser",
    "chatdesk.cli.server",
}


def _run(code: str, home: Path) -> dict[str, object]:
    env = dict(os.environ, CHATDESK_HOME=str(home), PYTHONPATH=str(ROOT))
    env["QT_QPA_PLATFORM"] = "offscreen"  # the window check passes; no window is built
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


def test_the_window_start_parses_only_the_window_options(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "import chatdesk.cli.parser as parser\n"
        "built = []\n"
        "whole = parser.build_parser\n"
        "parser.build_parser = lambda commands=True: built.append(commands) or whole(commands)\n"
        "from chatdesk.cli import main\n"
        "seen = []\n"
        "code = main(['-m', 'm1', '--provider', 'p'], window=lambda a: seen.append(a.model) or 7)\n"
        "print(json.dumps({'code': code, 'seen': seen, 'built': built,\n"
        "    'cli': sorted(m for m in sys.modules if m.startswith('chatdesk.cli')),\n"
        "    'heavy': sorted(m for m in sys.modules if m.split('.')[0] in\n"
        "        ('httpx', 'PySide6', 'sqlite3', 'keyring'))}))\n"
    )
    out = _run(code, tmp_path)
    assert out["code"] == 7 and out["seen"] == ["m1"]
    assert out["built"] == [False]  # the ~25 subcommand parsers were never built
    assert set(out["cli"]) <= START  # type: ignore[arg-type]
    assert out["heavy"] == []


def test_a_command_loads_its_own_module_only(tmp_path: Path) -> None:
    code = (
        "import io, json, sys, contextlib\n"
        "from chatdesk.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    code = main(['history', 'list', '--json'])\n"
        "print(json.dumps({'code': code,\n"
        "    'cli': sorted(m for m in sys.modules if m.startswith('chatdesk.cli'))}))\n"
    )
    out = _run(code, tmp_path)
    assert out["code"] == 0
    loaded = set(out["cli"]) - START  # type: ignore[arg-type]
    assert loaded == {"chatdesk.cli.history", "chatdesk.cli.arena"}  # arena: comparison marks
