"""Launcher integration for the current user: the .desktop entry, icons and AppStream file.

``chatdesk --install-desktop-entry`` copies them under ``$XDG_DATA_HOME`` (by default
``~/.local/share``) with ``Exec=`` pointing at the program that ran the command (the
bundle's binary, or the venv's ``chatdesk`` script), so the launcher starts the same
install. ``--uninstall-desktop-entry`` removes exactly those files again. No Qt here.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from chatdesk import paths

APP_ID = "io.github.chatdesk.ChatDesk"
HICOLOR_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def resources_dir() -> Path:
    """The shipped resources: the installed package, the bundle, or the repository."""
    return paths.resources_dir()


def icon_path(size: int | None = None) -> Path:
    """The SVG icon, or its PNG rendering at ``size`` pixels."""
    res = resources_dir()
    return res / "chatdesk.svg" if size is None else res / "icons" / f"chatdesk-{size}.png"


def data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or not absolute (XDG spec)."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def installed_files(base: Path | None = None) -> list[Path]:
    """Every file the install step writes (and the uninstall step removes)."""
    base = base or data_home()
    icons = base / "icons" / "hicolor"
    files = [
        base / "applications" / f"{APP_ID}.desktop",
        base / "metainfo" / f"{APP_ID}.metainfo.xml",
        icons / "scalable" / "apps" / f"{APP_ID}.svg",
    ]
    files += [icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in HICOLOR_SIZES]
    return files


def launch_command() -> list[str]:
    """How the launcher should start this very install."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if script is not None and script.name == "chatdesk" and script.is_file():
        return [str(script)]
    found = shutil.which("chatdesk")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "chatdesk"]


def _exec_quote(arg: str) -> str:
    """Quote one Exec= argument as the Desktop Entry spec asks."""
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%"):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg).replace("%", "%%")
    return f'"{escaped}"'


def desktop_entry_text(command: list[str]) -> str:
    """The shipped .desktop file with Exec= (and TryExec=) set to ``command``."""
    source = (resources_dir() / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    lines = []
    for line in source.splitlines():
        if line.startswith("Exec="):
            lines.append("Exec=" + " ".join(_exec_quote(a) for a in command))
            lines.append(f"TryExec={command[0]}")
        elif not line.startswith("TryExec="):
            lines.append(line)
    return "\n".join(lines) + "\n"


def install(base: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Write the entry, icons and metainfo for the current user; the files written."""
    base = base or data_home()
    files = installed_files(base)
    desktop, metainfo, svg, *pngs = files
    res = resources_dir()
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
    desktop.write_text(desktop_entry_text(command or launch_command()), encoding="utf-8")
    shutil.copyfile(res / f"{APP_ID}.metainfo.xml", metainfo)
    shutil.copyfile(icon_path(), svg)
    for size, png in zip(HICOLOR_SIZES, pngs, strict=True):
        shutil.copyfile(icon_path(size), png)
    _refresh_caches(base)
    return files


def uninstall(base: Path | None = None) -> list[Path]:
    """Remove what :func:`install` wrote; the files that were there."""
    base = base or data_home()
    removed = []
    for path in installed_files(base):
        if path.is_file() or path.is_symlink():
            path.unlink()
            removed.append(path)
    _refresh_caches(base)
    return removed


def _refresh_caches(base: Path) -> None:
    """Tell the desktop about the change where its cache tools exist (best effort)."""
    import subprocess  # here: the window imports this module for its icon paths

    jobs = [
        ("update-desktop-database", "-q", str(base / "applications")),
        ("gtk-update-icon-cache", "-q", "-t", "-f", str(base / "icons" / "hicolor")),
    ]
    for tool, *args in jobs:
        exe = shutil.which(tool)
        if exe and Path(args[-1]).is_dir():
            subprocess.run([exe, *args], check=False, capture_output=True, timeout=30)


def main(action: str) -> int:
    """``--install-desktop-entry`` / ``--uninstall-desktop-entry``: say what was done."""
    if action == "install":
        files = install()
        print(f"Installed the ChatDesk launcher entry and icons ({len(files)} files):")
        print(f"  {files[0]}")
        print(f"  Exec={' '.join(launch_command())}")
        print("Remove them with: chatdesk --uninstall-desktop-entry")
        return 0
    removed = uninstall()
    if not removed:
        print(f"No ChatDesk launcher entry was installed under {data_home()}.")
    else:
        print(f"Removed the ChatDesk launcher entry and icons ({len(removed)} files).")
    return 0
