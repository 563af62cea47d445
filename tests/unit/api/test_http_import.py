"""chatdesk.api._http: httpx without its CLI, and no import-path search per connection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _run(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_httpx_cli_is_never_loaded() -> None:
    out = _run(
        "import sys, chatdesk.api._http\n"
        "print(sys.modules.get('httpx._main', 'absent') is None, 'click' in sys.modules)"
    )
    assert out == "True False"


def test_a_missing_sniffio_is_looked_up_once() -> None:
    """httpcore imports sniffio at every connection use: where it is not installed, the
    second and later imports must fail at once instead of searching the path again."""
    out = _run(
        "import importlib.util, sys\n"
        "missing = importlib.util.find_spec('sniffio') is None\n"
        "import chatdesk.api._http\n"
        "import httpcore._synchronization as s\n"
        "searched = []\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'sniffio':\n"
        "            searched.append(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, Spy())\n"
        "for _ in range(5):\n"
        "    assert s.current_async_library() == 'asyncio'\n"
        "print(missing, len(searched))\n"
    )
    missing, searched = out.split()
    # Installed: imported normally (nothing to search either way). Missing: never searched.
    assert searched == "0", out
    assert missing in ("True", "False")
