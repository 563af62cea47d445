"""packaging/smoke_test.py's check that the installed launcher entry starts the bundle,
for the paths of all three systems (Exec= escapes a Windows path's backslashes)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from chatdesk import desktop

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("smoke_test", ROOT / "packaging" / "smoke_test.py")
assert _spec is not None and _spec.loader is not None
smoke = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(smoke)


@pytest.mark.parametrize(
    "program",
    [
        "/work/dist/chatdesk/chatdesk",
        "/opt/Chat Desk/chatdesk",
        r"C:\Users\Ann Lee\dist\chatdesk\chatdesk.exe",
        "/Applications/ChatDesk.app/Contents/MacOS/chatdesk",
    ],
)
def test_the_entry_written_for_a_bundle_is_recognised(program: str) -> None:
    text = desktop.desktop_entry_text([program])
    assert smoke.entry_starts(text, program)
    assert not smoke.entry_starts(text, program + "-other")


def test_a_symlinked_bundle_is_the_same_program(tmp_path: Path) -> None:
    real = tmp_path / "dist" / "chatdesk"
    real.parent.mkdir()
    real.write_bytes(b"")
    link = tmp_path / "chatdesk-link"
    link.symlink_to(real)
    assert smoke.entry_starts(desktop.desktop_entry_text([str(real)]), str(link))


def test_an_entry_without_tryexec_starts_nothing() -> None:
    assert not smoke.entry_starts("[Desktop Entry]\nExec=chatdesk\n", "chatdesk")
