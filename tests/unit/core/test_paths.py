"""CHATDESK_HOME moves every file into one folder; otherwise platform folders are used."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatdesk import paths


def test_chatdesk_home_holds_everything(chatdesk_home: Path) -> None:
    assert paths.database_path() == chatdesk_home / "history.sqlite3"
    assert paths.config_dir() == chatdesk_home
    assert paths.log_dir() == chatdesk_home / "logs" and paths.log_dir().is_dir()


def test_platform_folders_without_chatdesk_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CHATDESK_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert paths.data_dir() == tmp_path / "data" / "chatdesk"
    assert paths.config_dir() == tmp_path / "config" / "chatdesk"
    assert paths.log_dir().is_relative_to(tmp_path / "state")
