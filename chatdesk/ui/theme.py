"""Theme (light, dark, follow the system) and font size for the whole app."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

_DARK = {
    QPalette.ColorRole.Window: "#1f2023",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#17181a",
    QPalette.ColorRole.AlternateBase: "#25262a",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#2b2d31",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.Highlight: "#3d6fd6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#2b2d31",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#8a8d93",
    QPalette.ColorRole.Link: "#7aa7ff",
}


def apply_appearance(settings: dict[str, Any]) -> None:
    """Apply the theme and font size; every top-level window with ``set_dark`` follows."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    theme = settings.get("theme", "system")
    hints = QGuiApplication.styleHints()
    if theme == "system":
        dark = hints.colorScheme() == Qt.ColorScheme.Dark
    else:
        dark = theme == "dark"
    app.setStyle(QStyleFactory.create("Fusion"))
    palette = QPalette()
    if dark:
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
    else:
        palette = app.style().standardPalette()
    app.setPalette(palette)
    size = int(settings.get("font_size", 0) or 0)
    if size:
        font = QFont(app.font())
        font.setPointSize(size)
        app.setFont(font)
    for widget in app.topLevelWidgets():
        setter = getattr(widget, "set_dark", None)
        if callable(setter):
            setter(dark)
    app.setProperty("chatdesk_dark", dark)
