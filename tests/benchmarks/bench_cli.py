"""Start-up time of terminal commands (issue: well under 200 ms, no Qt imported).

python tests/benchmarks/bench_cli.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

COMMANDS = (
    ["--version"],
    ["history", "list"],
    ["history", "search", "学习"],
    ["providers", "list"],
)


def main() -> None:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, CHATDESK_HOME=home, PYTHONPATH=root)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed app has its bytecode
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", os.path.join(root, "chatdesk")],
            env=env,
            check=True,
        )
        base = [sys.executable, "-m", "chatdesk"]
        subprocess.run(base + ["history", "list"], env=env, capture_output=True, check=True)
        for args in COMMANDS:
            times = []
            for _ in range(9):
                start = time.perf_counter()
                subprocess.run(base + args, env=env, capture_output=True, check=True)
                times.append((time.perf_counter() - start) * 1000)
            label = "chatdesk " + " ".join(args)
            print(f"{label:32s} median {statistics.median(times):6.1f} ms  (target < 200)")


if __name__ == "__main__":
    main()
