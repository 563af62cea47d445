"""Build the one-folder bundle with PyInstaller and smoke-test it: one command.

Usage (from anywhere, with the project's venv):
    python packaging/build.py                # dist/chatdesk/, then packaging/smoke_test.py
    python packaging/build.py --no-smoke     # build only
    python packaging/build.py --smoke-only   # test an existing dist/chatdesk/

Needs ``pip install pyinstaller`` in the same environment. Prints the build time and the
bundle size; exits non-zero with the reason when the build or the smoke test fails.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
EXE_NAME = "chatdesk.exe" if sys.platform == "win32" else "chatdesk"


def folder_size(path: Path) -> int:
    """Bytes in every file under ``path`` (symlinks not followed)."""
    total = 0
    for entry in path.rglob("*"):
        if entry.is_file() and not entry.is_symlink():
            total += entry.stat().st_size
    return total


def build() -> tuple[Path, float]:
    """Run PyInstaller with packaging/chatdesk.spec; the bundle folder and seconds taken."""
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit("build: PyInstaller is not installed here (pip install pyinstaller)")
    icons = ROOT / "resources" / "icons"
    if not (icons / "chatdesk-256.png").is_file():
        subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py")], check=True)
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        str(ROOT / "packaging" / "chatdesk.spec"),
    ]
    start = time.monotonic()
    proc = subprocess.run(cmd, cwd=ROOT)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"build: PyInstaller failed (exit {proc.returncode}), see above")
    return DIST / "chatdesk", seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-smoke", action="store_true", help="build only")
    parser.add_argument("--smoke-only", action="store_true", help="test dist/chatdesk only")
    args = parser.parse_args()
    bundle = DIST / "chatdesk"
    if not args.smoke_only:
        bundle, seconds = build()
        size = folder_size(bundle) / 2**20
        print(f"build: {bundle} in {seconds:.1f} s, {size:.0f} MiB", flush=True)
    if args.no_smoke:
        return 0
    env = dict(os.environ)
    smoke = [sys.executable, str(ROOT / "packaging" / "smoke_test.py"), str(bundle / EXE_NAME)]
    code = subprocess.run(smoke, env=env).returncode
    if code != 0:
        print(f"build: the bundle in {bundle} failed its smoke test", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
