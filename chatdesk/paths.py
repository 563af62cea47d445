"""Where ChatDesk keeps its files: one folder under CHATDESK_HOME, else platformdirs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chatdesk.errors import ChatdeskError


class DataFolderError(ChatdeskError):
    """ChatDesk's folder cannot be used (CHATDESK_HOME is a file, no permission...)."""

    kind = "folder"


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
    try:
        base.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file (or a link to one) of that name
        raise DataFolderError(f"{base} is a file, not a folder; {_hint()}") from None
    except NotADirectoryError:
        raise DataFolderError(
            f"{base} cannot be created (part of that path is a file); {_hint()}"
        ) from None
    except OSError as exc:
        raise DataFolderError(
            f"the folder {base} cannot be created ({exc.strerror or exc}); {_hint()}"
        ) from None
    return base


def _hint() -> str:
    if home() is not None:
        return "set CHATDESK_HOME to a folder ChatDesk can write."
    return "check the permissions of your home folder, or set CHATDESK_HOME to another folder."


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


def resources_dir() -> Path:
    """The shipped resources: the installed package, the bundle, or the repository."""
    try:
        import chatdesk.resources as res  # type: ignore[import-untyped,import-not-found,unused-ignore]

        return Path(res.__file__).resolve().parent
    except ImportError:  # the PyInstaller bundle keeps them in _internal/resources
        base = getattr(sys, "_MEIPASS", None)
        if base is not None:
            return Path(base) / "resources"
        return Path(__file__).resolve().parents[1] / "resources"


def i18n_dir() -> Path:
    """Translations: inside the installed package, else the repository's resources/."""
    return resources_dir() / "i18n"
