"""Where ChatDesk keeps its files: one folder under CHATDESK_HOME, else platformdirs."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path | None:
    """The CHATDESK_HOME folder when set (all files then live there)."""
    value = os.environ.get("CHATDESK_HOME")
    return Path(value).expanduser() if value else None


def data_dir() -> Path:
    """Folder of the history database and backups."""
    base = home()
    if base is None:
        import platformdirs

        base = Path(platformdirs.user_data_dir("chatdesk", appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def config_dir() -> Path:
    """Folder of settings (never keys: those live in the OS keyring)."""
    base = home()
    if base is None:
        import platformdirs

        base = Path(platformdirs.user_config_dir("chatdesk", appauthor=False))
    base.mkdir(parents=True, exist_ok=True)
    return base


def log_dir() -> Path:
    """Folder of log files."""
    base = home()
    if base is None:
        import platformdirs

        base = Path(platformdirs.user_log_dir("chatdesk", appauthor=False))
    else:
        base = base / "logs"
    base.mkdir(parents=True, exist_ok=True)
    return base


def database_path() -> Path:
    """The one SQLite file holding the whole history."""
    return data_dir() / "history.sqlite3"
