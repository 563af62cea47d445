"""Check a built bundle the way a user meets it; exit 1 with the reason on any failure.

Usage: python packaging/smoke_test.py [dist/chatdesk/chatdesk]

With a throwaway data folder (CHATDESK_HOME) it runs, from the bundle:
``--version``; ``history list``; the window offscreen with ``--smoke-test`` (the window
shows and is grabbed, then the app checks its translation, Markdown, Pygments, math,
SVG, SQLite FTS5 and keyring backend from inside and prints a ``SELFCHECK`` line);
``--install-desktop-entry`` / ``--uninstall-desktop-entry`` into a temporary
XDG_DATA_HOME. Without a D-Bus session it re-runs itself inside a private one with an
unlocked gnome-keyring when those tools exist (as tests/run-all.sh does), so that the
keyring check meets a real Secret Service.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT = "dist/chatdesk/chatdesk.exe" if sys.platform == "win32" else "dist/chatdesk/chatdesk"
APP_ID = "io.github.chatdesk.ChatDesk"


class SmokeFailure(Exception):
    """One step failed; the message says which and why."""


def _run(cmd: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise SmokeFailure(
            f"{' '.join(cmd[1:]) or cmd[0]} did not finish in {timeout:.0f} s"
        ) from exc
    except OSError as exc:
        raise SmokeFailure(f"cannot run {cmd[0]}: {exc.strerror or exc}") from exc


def _expect(proc: subprocess.CompletedProcess, what: str) -> str:
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        raise SmokeFailure(f"{what} exited {proc.returncode}:\n    " + "\n    ".join(tail))
    return proc.stdout


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SmokeFailure(f"the window screenshot {path.name} is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def entry_starts(entry_text: str, binary: str) -> bool:
    """Whether a launcher entry starts ``binary``. Its TryExec= line holds the program's
    path as is; Exec= quotes it and escapes backslashes, so a Windows path never appears
    there verbatim."""
    lines = entry_text.splitlines()
    program = next((ln[len("TryExec=") :] for ln in lines if ln.startswith("TryExec=")), "")
    same = os.path.normcase(os.path.realpath(program)) == os.path.normcase(os.path.realpath(binary))
    return bool(program) and same


def check(binary: str) -> list[str]:
    """Every step; the lines to print on success. Raises SmokeFailure."""
    done: list[str] = []
    if not os.access(binary, os.X_OK):
        raise SmokeFailure(f"{binary} does not exist or is not executable (build it first)")
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, CHATDESK_HOME=home)
        env["QT_QPA_PLATFORM"] = os.environ.get("QT_QPA_PLATFORM", "offscreen")
        env.pop("CHATDESK_API_KEY", None)

        out = _expect(_run([binary, "--version"], env, 60), "chatdesk --version").strip()
        if not out.startswith("chatdesk "):
            raise SmokeFailure(f"chatdesk --version printed {out!r}")
        done.append(f"--version: {out}")

        _expect(_run([binary, "history", "list"], env, 60), "chatdesk history list")
        done.append("history list: exit 0")

        shot = Path(home) / "shot.png"
        proc = _run([binary, "--smoke-test", "--screenshot", str(shot)], env)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("SELFCHECK ")]
        if not lines:
            _expect(proc, "the window (--smoke-test)")
            raise SmokeFailure("the window printed no SELFCHECK line")
        results = json.loads(lines[-1].split(" ", 1)[1])
        failed = {k: v["detail"] for k, v in results.items() if not v["ok"]}
        if failed:
            raise SmokeFailure(
                "inside the window: " + "; ".join(f"{k}: {v}" for k, v in failed.items())
            )
        _expect(proc, "the window (--smoke-test)")
        if not shot.is_file() or shot.stat().st_size == 0:
            raise SmokeFailure("the window was not painted (no screenshot)")
        width, height = _png_size(shot)
        done.append(f"window: shown and grabbed ({width}x{height})")
        done += [f"{name}: {r['detail']}" for name, r in results.items()]

        data_home = Path(home) / "xdg-data"
        denv = dict(env, XDG_DATA_HOME=str(data_home))
        _expect(_run([binary, "--install-desktop-entry"], denv, 60), "--install-desktop-entry")
        entry = data_home / "applications" / f"{APP_ID}.desktop"
        if not entry.is_file():
            raise SmokeFailure(f"--install-desktop-entry wrote no {entry}")
        text = entry.read_text(encoding="utf-8")
        exec_line = next(ln for ln in text.splitlines() if ln.startswith("Exec="))
        if not entry_starts(text, binary):
            raise SmokeFailure(f"the installed entry does not start this bundle: {exec_line}")
        validator = shutil.which("desktop-file-validate")
        if validator:
            _expect(_run([validator, str(entry)], env, 60), "desktop-file-validate")
        _expect(_run([binary, "--uninstall-desktop-entry"], denv, 60), "--uninstall-desktop-entry")
        if entry.exists():
            raise SmokeFailure("--uninstall-desktop-entry left the launcher entry behind")
        done.append(f"desktop entry: installed ({exec_line}) and removed")
    return done


def _in_private_keyring() -> int | None:
    """Re-run inside a private D-Bus session with an unlocked keyring, when possible."""
    if os.environ.get("DBUS_SESSION_BUS_ADDRESS") or sys.platform != "linux":
        return None
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        return None
    script = (
        'export XDG_DATA_HOME="$(mktemp -d)"; '
        'eval "$(printf %s smoke | gnome-keyring-daemon --unlock --components=secrets)"; '
        'export GNOME_KEYRING_CONTROL; exec "$0" "$@"'
    )
    cmd = ["dbus-run-session", "--", "sh", "-c", script, sys.executable, *sys.argv]
    return subprocess.run(cmd).returncode


def main() -> int:
    nested = _in_private_keyring()
    if nested is not None:
        return nested
    binary = sys.argv[1] if len(sys.argv) > 1 else DEFAULT
    try:
        done = check(binary)
    except SmokeFailure as exc:
        print(f"smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    for line in done:
        print(f"  ok  {line}")
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
