"""Opening the data folder, shared by the Help menu and the About dialog.

Its own module so that neither imports the other (the menu loads the dialog lazily).
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from chatdesk import paths


def open_data_folder() -> None:
    """Show the data folder in the file manager."""
    try:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.data_dir())))
    except paths.DataFolderError:
        pass
