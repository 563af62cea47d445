"""Theme (light, dark, follow the system) and font size for the whole app.

Both themes are designed, not derived: neutral greys, one accent (links, focus, selection,
checked tool buttons), and disabled text clearly fainter than enabled text in both (a
disabled Reset looked enabled in the old dark palette). A small style sheet gives the
toolbar rounded, flat buttons and keeps small dialogs wide enough for their titles.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

__all__ = ["COLOURS", "apply_appearance", "colours", "style_sheet"]

# Named colours of each theme; the palette and the style sheet are built from these.
COLOURS: dict[bool, dict[str, str]] = {
    False: {
        "window": "#f6f7f9",
        "base": "#ffffff",
        "alt": "#f0f2f5",
        "button": "#eef0f3",
        "fg": "#1f2328",
        "muted": "#656d76",
        "disabled": "#a3a9b1",
        "disabled_bg": "#f0f1f3",
        "border": "#d5d9de",
        "hover": "#e4e7eb",
        "accent": "#2563eb",
        "accent_soft": "#dbe7fd",
        "accent_fg": "#ffffff",
        "link": "#0969da",
        "tooltip": "#1f2328",
        "tooltip_fg": "#f6f7f9",
        "light": "#ffffff",
        "midlight": "#eceef1",
        "mid": "#c9ced4",
        "dark": "#9aa1a9",
        "shadow": "#6e7781",
    },
    True: {
        "window": "#1e1f22",
        "base": "#17181b",
        "alt": "#232428",
        "button": "#2b2d31",
        "fg": "#e6e7e9",
        "muted": "#9a9ea6",
        "disabled": "#5d6169",
        "disabled_bg": "#222326",
        "border": "#3a3c42",
        "hover": "#34363c",
        "accent": "#4c8dff",
        "accent_soft": "#243758",
        "accent_fg": "#ffffff",
        "link": "#7aa7ff",
        "tooltip": "#2f3136",
        "tooltip_fg": "#e6e7e9",
        "light": "#3c3e44",
        "midlight": "#33353a",
        "mid": "#4a4d54",
        "dark": "#121315",
        "shadow": "#000000",
    },
}


def colours(dark: bool) -> dict[str, str]:
    """The named colours of one theme (icons and views take theirs from here)."""
    return COLOURS[bool(dark)]


def _palette(dark: bool) -> QPalette:
    c = COLOURS[dark]
    R = QPalette.ColorRole  # noqa: N806
    roles = {
        R.Window: c["window"],
        R.WindowText: c["fg"],
        R.Base: c["base"],
        R.AlternateBase: c["alt"],
        R.Text: c["fg"],
        R.Button: c["button"],
        R.ButtonText: c["fg"],
        R.BrightText: "#ffffff",
        R.Highlight: c["accent"],
        R.HighlightedText: c["accent_fg"],
        R.ToolTipBase: c["tooltip"],
        R.ToolTipText: c["tooltip_fg"],
        R.PlaceholderText: c["muted"],
        R.Link: c["link"],
        R.LinkVisited: c["link"],
        R.Light: c["light"],
        R.Midlight: c["midlight"],
        R.Mid: c["mid"],
        R.Dark: c["dark"],
        R.Shadow: c["shadow"],
    }
    palette = QPalette()
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (R.WindowText, R.Text, R.ButtonText, R.PlaceholderText, R.Link):
        palette.setColor(disabled, role, QColor(c["disabled"]))
    palette.setColor(disabled, R.Button, QColor(c["disabled_bg"]))
    palette.setColor(disabled, R.Base, QColor(c["disabled_bg"]))
    palette.setColor(disabled, R.Highlight, QColor(c["mid"]))
    # Unfocused windows keep the accent selection (Fusion would grey it out).
    palette.setColor(QPalette.ColorGroup.Inactive, R.Highlight, QColor(c["accent"]))
    return palette


def style_sheet(dark: bool) -> str:
    """The application style sheet: only what the palette cannot say.

    Kept to the toolbar, tooltips and dialog widths so that Fusion
    still draws inputs, spin boxes and combo boxes (whose size hints the layouts rely on).
    """
    c = COLOURS[dark]
    return f"""
QToolBar#chat-toolbar {{
    spacing: 4px; padding: 4px 8px; border: none;
    border-bottom: 1px solid {c["border"]}; background: {c["window"]};
}}
QToolBar#chat-toolbar QToolButton {{
    padding: 4px; border: 1px solid transparent; border-radius: 6px;
}}
QToolBar#chat-toolbar QToolButton:hover {{ background: {c["hover"]}; }}
QToolBar#chat-toolbar QToolButton:checked {{
    background: {c["accent_soft"]}; border-color: {c["accent"]};
}}
QToolBar#chat-toolbar QToolButton:disabled {{ color: {c["disabled"]}; }}
QToolBar#chat-toolbar QLabel#status-label {{ color: {c["muted"]}; }}
QToolTip {{
    color: {c["tooltip_fg"]}; background: {c["tooltip"]};
    border: 1px solid {c["border"]}; padding: 4px 6px;
}}
QInputDialog, QProgressDialog {{ min-width: 28em; }}
"""


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
    if app.style().name().lower() != "fusion":
        app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(_palette(dark))
    app.setStyleSheet(style_sheet(dark))
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
