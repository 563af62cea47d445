"""Start the frozen app with --smoke-test (opens the window, grabs it, exits) and check it.

Usage: python packaging/smoke_test.py dist/chatdesk/chatdesk
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile


def main() -> int:
    binary = sys.argv[1] if len(sys.argv) > 1 else "dist/chatdesk/chatdesk"
    with tempfile.TemporaryDirectory() as home:
        shot = os.path.join(home, "shot.png")
        env = dict(os.environ, CHATDESK_HOME=home, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        version = subprocess.run([binary, "--version"], env=env, capture_output=True, text=True, timeout=60)
        if version.returncode != 0:
            print(version.stderr)
            return 1
        proc = subprocess.run([binary, "--smoke-test", "--screenshot", shot], env=env, timeout=120)
        if proc.returncode != 0 or not os.path.getsize(shot):
            print("smoke test failed", proc.returncode)
            return 1
    print("smoke test passed:", version.stdout.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
