"""The MCP servers dialog: add, edit, enable, start, import, remove and revoke, in the window.

Driven through its widgets with the real controller, store and keyring, against
the reference mcp-server-time, server-everything and our broken server.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from chatdesk.core.tools.mcpconfig import APPROVALS_KEY, SETTINGS_KEY, McpSettings
from chatdesk.ui.mcpsettings import McpServersDialog, parse_pairs
from tests.mcpservers import ROOT, broken_server, everything_script, needs_everything
from tests.unit.ui.harness import Harness


def _open(h: Harness) -> McpServersDialog:
    mcp = h.desk.mcp
    assert mcp is not None
    mcp.refresh_button()  # what opening the Tools menu does
    mcp.button.manage_action.trigger()
    dialog = mcp.servers_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def _fill_stdio(dialog: McpServersDialog, name: str, command: str, args: list[str]) -> None:
    dialog.add_button.click()
    dialog.name_edit.setText(name)
    dialog.transport_combo.setCurrentIndex(0)
    dialog.command_edit.setText(command)
    dialog.args_edit.setPlainText("\n".join(args))


def _names(dialog: McpServersDialog) -> list[str]:
    return [dialog.list.item(i).text() for i in range(dialog.list.count())]


def test_add_start_edit_disable_and_remove_a_server(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    mcp = h.desk.mcp
    assert mcp is not None
    dialog = _open(h)
    assert dialog.list.count() == 0 and not dialog.remove_button.isEnabled()

    # A name the rules refuse is said in the dialog and nothing is stored.
    _fill_stdio(dialog, "bad name!", sys.executable, ["-m", "mcp_server_time"])
    dialog.save_button.click()
    assert dialog.message.isVisible() and "bad name!" in dialog.message.text()
    assert h.store.get_setting(SETTINGS_KEY, []) == []

    _fill_stdio(dialog, "time", sys.executable, ["-m", "mcp_server_time"])
    dialog.env_edit.setPlainText("TZ_TOKEN=s3cret-value\nPLAIN=1")
    dialog.cwd_edit.setText(str(ROOT))
    dialog.save_button.click()
    assert _names(dialog) == ["time"]
    stored = h.store.get_setting(SETTINGS_KEY, [])[0]
    assert stored["env_names"] == ["PLAIN", "TZ_TOKEN"] and stored["cwd"] == str(ROOT)
    assert "s3cret-value" not in json.dumps(stored)  # the value is in the keyring only
    cfg = McpSettings(h.store, h.desk.services.keys).get("time", secrets=True)
    assert cfg is not None and cfg.env == {"PLAIN": "1", "TZ_TOKEN": "s3cret-value"}

    # Editing shows names only; an empty value keeps the stored secret.
    assert dialog.name_edit.isReadOnly()
    assert dialog.env_edit.toPlainText() == "PLAIN=\nTZ_TOKEN="
    dialog.env_edit.setPlainText("PLAIN=2\nTZ_TOKEN=")
    dialog.save_button.click()
    cfg = McpSettings(h.store, h.desk.services.keys).get("time", secrets=True)
    assert cfg is not None and cfg.env == {"PLAIN": "2", "TZ_TOKEN": "s3cret-value"}

    # Start now: the state line follows the manager (ready with its two tools).
    dialog.start_button.click()
    h.wait(lambda: dialog.state_text("time").startswith("ready"), timeout=30)
    assert "2" in dialog.state_text("time") and "ready, 2 tools" in dialog.list.item(0).text()
    assert "ready" in dialog.state_label.text()

    # Switched off in the list: stored, stopped, and gone from the Tools menu.
    dialog.list.item(0).setCheckState(dialog.list.item(0).checkState().Unchecked)
    assert McpSettings(h.store, None).get("time").enabled is False  # type: ignore[union-attr]
    assert not dialog.enabled_check.isChecked()
    h.wait(lambda: dialog.state_text("time") == "stopped", timeout=30)
    mcp.refresh_button()
    assert [a.text() for a in mcp.button.menu().actions() if a.isCheckable()] == []

    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    dialog.remove_button.click()
    assert dialog.list.count() == 0 and h.store.get_setting(SETTINGS_KEY, []) == []
    assert h.desk.services.keys.get("mcp-server:time") is None
    dialog.reject()
    assert mcp.servers_dialog is None


def test_a_failing_server_shows_its_reason_and_stderr_tail(harness: Harness) -> None:
    h = harness
    dialog = _open(h)
    broken = broken_server("fail")
    _fill_stdio(dialog, "broken", broken.command, broken.args)
    dialog.save_button.click()
    dialog.start_button.click()
    h.wait(lambda: dialog.state_text("broken").startswith("failed"), timeout=30)
    assert dialog.stderr_view.isVisible()
    assert "missing configuration file /etc/broken.conf" in dialog.stderr_view.toPlainText()
    assert "failed" in dialog.state_label.text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_streamable_http_server_with_a_secret_header(harness: Harness) -> None:
    h = harness
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "mcpbroken.py"), "http", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            h.wait(lambda: True)
        dialog = _open(h)
        dialog.add_button.click()
        dialog.name_edit.setText("web")
        dialog.transport_combo.setCurrentIndex(1)
        assert not dialog.command_edit.isVisible() and dialog.url_edit.isVisible()
        dialog.url_edit.setText(f"http://127.0.0.1:{port}/mcp")
        dialog.headers_edit.setPlainText("Authorization: Bearer tok-123")
        dialog.save_button.click()
        stored = h.store.get_setting(SETTINGS_KEY, [])[0]
        assert stored["header_names"] == ["Authorization"] and "tok-123" not in json.dumps(stored)
        assert dialog.headers_edit.toPlainText() == "Authorization: "
        dialog.start_button.click()
        h.wait(lambda: dialog.state_text("web").startswith("ready"), timeout=30)
    finally:
        proc.terminate()
        proc.wait(10)


def test_import_an_mcpservers_file_and_a_bad_one(harness: Harness, tmp_path: Path) -> None:
    h = harness
    dialog = _open(h)
    good = tmp_path / "claude_desktop_config.json"
    good.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "time": {"command": sys.executable, "args": ["-m", "mcp_server_time"]},
                    "remote api": {"url": "https://example.invalid/mcp", "disabled": True},
                }
            }
        ),
        encoding="utf-8",
    )
    dialog.import_requested.emit(str(good))  # what the file dialog's choice does
    assert _names(dialog) == ["time", "remote-api"]
    assert dialog.message.text().endswith("time, remote-api")
    assert McpSettings(h.store, None).get("remote-api").enabled is False  # type: ignore[union-attr]
    bad = tmp_path / "bad.json"
    bad.write_text('{"mcpServers": [1, 2]', encoding="utf-8")
    dialog.import_requested.emit(str(bad))
    assert "not valid JSON" in dialog.message.text() and _names(dialog)[0] == "time"
    dialog.import_requested.emit(str(tmp_path / "missing.json"))
    assert dialog.message.text().startswith("Not imported")


@needs_everything
def test_everything_server_tool_count_and_revoking_approvals(harness: Harness) -> None:
    h = harness
    settings = McpSettings(h.store, None)
    settings.allow_always("everything", "echo")
    settings.allow_always("everything", "add")
    dialog = _open(h)
    script = everything_script()
    assert script is not None
    _fill_stdio(dialog, "everything", "node", [script, "stdio"])
    dialog.save_button.click()
    assert dialog.approvals.count() == 2 and not dialog.revoke_button.isEnabled()
    dialog.start_button.click()
    h.wait(lambda: dialog.state_text("everything").startswith("ready"), timeout=60)
    count = int(dialog.state_text("everything").split()[1])
    assert count >= 5  # echo, add, long-running, errors … (the package grows)
    assert dialog.approvals.item(0).text() == "everything › echo"
    dialog.approvals.setCurrentRow(0)
    dialog.revoke_button.click()
    assert settings.approvals() == [("everything", "add")]
    assert h.store.get_setting(APPROVALS_KEY) == {"everything": ["add"]}
    assert dialog.approvals.count() == 1 and dialog.approvals.item(0).text() == "everything › add"


def test_settings_button_opens_the_dialog(harness: Harness) -> None:
    h = harness
    h.window.settings_requested.emit()
    assert h.desk.settings_ctl is not None
    settings_dialog = h.desk.settings_ctl._settings_dialog
    settings_dialog.mcp_button.click()
    mcp = h.desk.mcp
    assert mcp is not None and mcp.servers_dialog is not None
    assert mcp.servers_dialog.parent() is settings_dialog
    settings_dialog.mcp_button.click()  # one dialog at a time
    assert len(settings_dialog.findChildren(McpServersDialog)) == 1
    settings_dialog.reject()


def test_parse_pairs() -> None:
    assert parse_pairs("A=1\n\n B = two=2 \nC", "=") == {"A": "1", "B": "two=2", "C": ""}
    assert parse_pairs("Authorization: Bearer x:y", ":") == {"Authorization": "Bearer x:y"}
    with pytest.raises(Exception, match="without a name"):
        parse_pairs("=value", "=")


def test_a_url_with_a_password_is_refused_and_an_old_one_is_masked(harness: Harness) -> None:
    h = harness
    dialog = _open(h)
    dialog.add_button.click()
    dialog.name_edit.setText("web")
    dialog.transport_combo.setCurrentIndex(1)
    dialog.url_edit.setText("https://alice:hunter2@mcp.example.com/mcp")
    dialog.save_button.click()
    assert "user name or password" in dialog.message.text()
    assert "hunter2" not in dialog.message.text()
    assert h.store.get_setting(SETTINGS_KEY, []) == []
    dialog.close()
    # Saved by an older version: shown masked in the editor.
    url = "https://alice:hunter2@mcp.example.com/mcp"
    h.store.set_setting(SETTINGS_KEY, [{"name": "old", "url": url}])
    dialog = _open(h)
    dialog.list.setCurrentRow(0)
    assert dialog.url_edit.text() == "https://***@mcp.example.com/mcp"
    assert "hunter2" not in dialog.list.item(0).toolTip()
