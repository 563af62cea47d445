"""The launcher files and icons: validated by the freedesktop tools, installed and removed
for a user through the real ``chatdesk`` command with a temporary XDG_DATA_HOME."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from chatdesk import desktop

ROOT = Path(__file__).resolve().parents[2]
RES = ROOT / "resources"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # tests/run-all.sh installs them; say so rather than skip silently
        pytest.fail(f"{name} is not installed (apt-get install desktop-file-utils appstream)")
    return path


def test_desktop_entry_passes_desktop_file_validate() -> None:
    entry = RES / f"{desktop.APP_ID}.desktop"
    proc = subprocess.run(
        [_tool("desktop-file-validate"), str(entry)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = entry.read_text(encoding="utf-8")
    assert f"Icon={desktop.APP_ID}" in text
    assert "Name[zh_CN]=" in text


def test_metainfo_passes_appstreamcli_validate() -> None:
    meta = RES / f"{desktop.APP_ID}.metainfo.xml"
    proc = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(meta)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = meta.read_text(encoding="utf-8")
    for part in ("<screenshot", "<release ", "<content_rating", "<project_license>MIT"):
        assert part in text
    assert 'xml:lang="zh-Hans"' in text
    # The screenshot it names is in the repository.
    assert (RES / "screenshots" / "main-window.png").is_file()


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", head[16:24])


def test_icons_exist_at_every_hicolor_size() -> None:
    for size in desktop.HICOLOR_SIZES:
        assert _png_size(desktop.icon_path(size)) == (size, size)
    ico = (RES / "icons" / "chatdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    icns = (RES / "icons" / "chatdesk.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    assert b"ic10" in icns  # 1024 px for Retina


def _chatdesk(args: list[str], data_home: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_DATA_HOME=str(data_home), CHATDESK_HOME=str(tmp_path / "home"))
    return subprocess.run(
        [sys.executable, "-m", "chatdesk", *args], env=env, capture_output=True, text=True
    )


def test_install_and_uninstall_desktop_entry_for_the_user(tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    proc = _chatdesk(["--install-desktop-entry"], data_home, tmp_path)
    assert proc.returncode == 0, proc.stderr
    files = desktop.installed_files(data_home)
    assert all(f.is_file() for f in files)
    entry = files[0]
    assert entry == data_home / "applications" / f"{desktop.APP_ID}.desktop"
    exec_line = [ln for ln in entry.read_text().splitlines() if ln.startswith("Exec=")]
    # Started with `python -m chatdesk`: the launcher runs this interpreter on the package.
    assert exec_line == [f"Exec={sys.executable} -m chatdesk"] or "chatdesk" in exec_line[0]
    check = subprocess.run(
        [_tool("desktop-file-validate"), str(entry)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout
    png48 = data_home / "icons" / "hicolor" / "48x48" / "apps" / f"{desktop.APP_ID}.png"
    assert _png_size(png48) == (48, 48)

    proc = _chatdesk(["--uninstall-desktop-entry"], data_home, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Removed" in proc.stdout
    assert not any(f.exists() for f in files)
    again = _chatdesk(["--uninstall-desktop-entry"], data_home, tmp_path)
    assert again.returncode == 0 and "No ChatDesk launcher entry" in again.stdout


def test_exec_line_quotes_paths_with_spaces() -> None:
    text = desktop.desktop_entry_text(["/opt/Chat Desk/chatdesk"])
    assert 'Exec="/opt/Chat Desk/chatdesk"' in text
    assert "TryExec=/opt/Chat Desk/chatdesk" in text
