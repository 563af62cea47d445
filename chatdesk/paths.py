"""Where ChatDesk keeps its files: one folder under CHATDESK_HOME, else platformdirs."""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path | None:
    """The CHATDESK_HOME folder when set (all files then live there)."""
    value = os.environ.get("CHATDESK_HOME")
    return Path(value).expanduser() if value else None


def _folder(kind: str, inside_home: str = "") -> Path:
    """A platform folder ("data", "config", "log"), or one inside CHATDESK_HOME."""
    base = home()
    if base is None:
        import platformdirs

        base = Path(getattr(platformdirs, f"user_{kind}_dir")("chatdesk", appauthor=False))
    elif inside_home:
        base = base / inside_home
    base.mkdir(parents=True, exist_ok=True)
    return base


def data_dir() -> Path:
    """Folder of the history database and backups."""
    return _folder("data")


def config_dir() -> Path:
    """Folder of settings (never keys: those live in the OS keyring)."""
    return _folder("config")


def log_dir() -> Path:
    """Folder of log files."""
    return _folder("log", inside_home="logs")


def database_path() -> Path:
    """The one SQLite file holding the whole history."""
    return data_dir() / "history.sqlite3"
