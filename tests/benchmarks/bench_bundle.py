"""The PyInstaller bundle next to the source install: first paint and idle memory.

Build first (python packaging/build.py), then: python tests/benchmarks/bench_bundle.py
[dist/chatdesk/chatdesk]. Prints the bundle's size and, for both, the median time from
process spawn to the first painted frame and the idle RSS a few seconds later
(the same measurement as bench_startup.py, whose ``run`` this reuses).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import run  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "dist" / "chatdesk" / "chatdesk")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"{binary} is missing: build it with python packaging/build.py")
    runs = int(os.environ.get("RUNS", "5"))
    bundle_dir = Path(binary).parent
    size = sum(
        p.stat().st_size for p in bundle_dir.rglob("*") if p.is_file() and not p.is_symlink()
    )
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, CHATDESK_HOME=home, CHATDESK_REPORT_STARTUP="1")
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled once
        env.setdefault("CHATDESK_API_KEY", "sk-bench-0000")
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "chatdesk")], env=env, check=True
        )
        url = ["--base-url", "http://127.0.0.1:9/v1"]  # nothing listens: no network wait
        source_cmd = [sys.executable, "-m", "chatdesk", *url]
        bundle_cmd = [binary, *url]
        run(source_cmd, env)  # the first start creates the database; not counted
        run(bundle_cmd, env)
        source, bundle = [], []
        for _ in range(runs):
            source.append(run(source_cmd, env))
            bundle.append(run(bundle_cmd, env))
    print(f"bundle           : {bundle_dir} {size / 2**20:.0f} MiB")
    for name, results in (("source install", source), ("bundle", bundle)):
        paint = statistics.median(r[0] for r in results)
        rss = statistics.median(r[1] for r in results) / 1024
        print(f"{name:<17}: first paint {paint:7.1f} ms   idle RSS {rss:6.1f} MiB")


if __name__ == "__main__":
    main()
