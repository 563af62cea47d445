"""Issue 8 in the window: secrets in URLs refused, an unusable data folder said in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QLabel

from chatdesk.store.rows import ProviderRow
from tests.unit.ui.harness import Harness


class _Dialog:
    """Records what the settings controller tells the dialog."""

    def __init__(self) -> None:
        self.results: list[tuple[bool, str]] = []
        self.providers: list[object] = []

    def show_test_result(self, ok: bool, text: str) -> None:
        self.results.append((ok, text))

    def show_provider_message(self, ok: bool, text: str) -> None:
        self.results.append((ok, text))

    def set_providers(self, rows: list[object]) -> None:
        self.providers = rows


def test_provider_url_with_a_password_is_refused_and_never_stored(harness: Harness) -> None:
    ctl = harness.desk.settings_ctl
    dialog = _Dialog()
    row = ProviderRow(name="leaky", base_url="http://user:S3CRET-PASS@relay.example/v1")
    ctl.save_provider(dialog, row, "")
    assert harness.store.get_provider("leaky") is None
    assert dialog.results and dialog.results[-1][0] is False
    assert "S3CRET-PASS" not in dialog.results[-1][1]


def test_key_panel_url_with_a_password_is_refused(harness: Harness) -> None:
    desk = harness.desk
    owner = desk.endpoint.key_owner()
    had_key = desk.services.keys.has_key(owner)
    desk.settings_ctl.on_key_saved("https://u:TOPSECRET@x.example/v1", "sk-123456789")
    assert desk.services.keys.has_key(owner) == had_key  # nothing stored
    assert all("TOPSECRET" not in p.base_url for p in harness.store.list_providers())
    shown = [w.text() for w in harness.window.key_panel.findChildren(QLabel)]
    assert not any("TOPSECRET" in t for t in shown)


def test_window_with_a_data_folder_that_is_a_file_says_so(tmp_path: Path) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("x")
    env = {**os.environ, "CHATDESK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "chatdesk"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0 and "is a file" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_stored_absurd_retry_after_never_breaks_painting(harness: Harness) -> None:
    """An older version could store an infinite Retry-After; every start must still paint."""
    from chatdesk.ui.messagehtml import retry_wait

    h = harness
    cid = h.store.create_conversation("old rate limit")
    q = h.store.add_message(cid, "user", "q", make_current=True)
    for after in (float("inf"), float("nan"), 1e300, -5, "soon"):
        a = h.store.add_message(
            cid, "assistant", "", parent_id=q, status="error", error="slow down",
            error_category="rate_limit", meta={"retry_after_s": after, "failed_at": 1.0},
            make_current=True,
        )  # fmt: skip
        row = h.store.get_message(a)
        assert retry_wait(row, 2.0) is None
    h.controller.open_conversation(cid)
    h.window.grab()  # paints every message without raising
    assert h.rows()[-1].error_category == "rate_limit"
