"""The fake server of a benchmark, run in a process of its own (no shared GIL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


class ServerProcess:
    """Runs ``script`` with the repository's root and ``args`` as its arguments; the
    script prints its base URL on its first line, then serves until killed."""

    def __init__(self, script: str, *args: str) -> None:
        root = str(Path(__file__).resolve().parents[2])
        self.proc = subprocess.Popen(
            [sys.executable, "-c", script, root, *args], stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.kill()
        self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
