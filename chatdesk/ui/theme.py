"""Theme (light, dark, follow the system) and font size for the whole app.

Both themes are designed, not derived: neutral greys, one accent (links, focus ring,
primary button, selection), one colour each for error, warning and success, and disabled
text clearly fainter than enabled text. Surfaces differ by small steps of grey (sidebar,
conversation, composer card) rather than by borders. Every text/background pair the
widgets use has a contrast of at least 4.5:1 (tests/unit/ui/test_theme.py computes it).

The style sheet stays small: Fusion still draws spin boxes and combo boxes, whose size
hints the layouts rely on. It covers what the palette cannot say: rounded toolbar and
push buttons, the composer card, the sidebar, check boxes (Fusion's outline is the window
colour darkened, which vanishes on a dark window; a checked box is the accent with a white
tick, the same size and shape as an unchecked one) and no stock check/cross icons on
dialog buttons.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

__all__ = [
    "COLOURS",
    "SPACING",
    "apply_appearance",
    "colours",
    "contrast",
    "is_dark",
    "style_sheet",
]

# The one spacing scale (px) of every layout that is designed rather than default.
SPACING = (4, 8, 12, 16, 24, 32)

# The default text size (points) when the settings say none: the value Settings shows.
_DEFAULT_POINT_SIZE = 11

# Named colours of each theme; the palette and the style sheet are built from these.
COLOURS: dict[bool, dict[str, str]] = {
    False: {
        "window": "#f7f7f5",  # sidebar, toolbar, dialogs: a warm off-white
        "base": "#ffffff",  # the conversation and input fields
        "soft": "#f1f1ee",  # the composer card, chips: one step from base
        "card": "#ffffff",  # a card on the window (first run): fields keep Fusion's frame
        "alt": "#f3f3f0",
        "button": "#ffffff",
        "fg": "#1d1d1f",
        "muted": "#5f5f5b",
        "disabled": "#aeaeaa",
        "disabled_bg": "#f0f0ed",
        "border": "#deded9",
        "hover": "#ebebe7",
        "accent": "#2563eb",
        "accent_hover": "#1d4fd0",
        "accent_soft": "#dfe8fb",
        "accent_fg": "#ffffff",
        "link": "#1d5bd6",
        "error": "#c0261b",
        "warning": "#8f5300",
        "success": "#1b7434",
        "tooltip": "#2a2a2c",
        "tooltip_fg": "#f7f7f5",
        "light": "#ffffff",
        "midlight": "#efefec",
        "mid": "#cfcfca",
        "dark": "#a1a19c",
        "shadow": "#6e6e6a",
    },
    True: {
        "window": "#1f2023",  # sidebar, toolbar, dialogs
        "base": "#17181b",  # the conversation (as the message view paints it)
        "soft": "#27292d",  # the composer card, chips: a few steps lighter
        "card": "#27292d",  # lighter than the fields, whose dark frames would vanish on base
        "alt": "#222327",
        "button": "#2c2e33",
        "fg": "#e8e8ea",
        "muted": "#a2a5ac",
        "disabled": "#5d6068",
        "disabled_bg": "#1c1d20",
        "border": "#36383e",
        "hover": "#2e3035",
        "accent": "#3468d6",
        "accent_hover": "#2d5cc0",
        "accent_soft": "#263550",
        "accent_fg": "#ffffff",
        "link": "#8ab4ff",
        "error": "#ff7b72",
        "warning": "#e3b341",
        "success": "#5bd07a",
        "tooltip": "#33353a",
        "tooltip_fg": "#e8e8ea",
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


def _luminance(colour: str) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast(fg: str, bg: str) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    a, b = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def is_dark() -> bool:
    """Whether the dark theme is in force (the last :func:`apply_appearance` decided)."""
    app = QApplication.instance()
    return bool(app.property("chatdesk_dark")) if app is not None else False


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
        R.Accent: c["accent"],
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


def _check_mark() -> str:
    """The white tick drawn on a checked box (a path Qt's style sheets can load)."""
    from chatdesk.paths import resources_dir

    return (resources_dir() / "check.svg").as_posix()


def style_sheet(dark: bool) -> str:
    """The application style sheet: only what the palette cannot say (see the module doc)."""
    c = COLOURS[dark]
    return f"""
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QWidget#chat-header {{
    background: {c["window"]}; border-bottom: 1px solid {c["border"]};
}}
QWidget#chat-header QToolButton {{
    padding: 4px; border: 1px solid transparent; border-radius: 6px; background: transparent;
}}
QWidget#chat-header QToolButton:hover {{ background: {c["hover"]}; }}
QWidget#chat-header QToolButton:checked {{
    background: {c["accent_soft"]}; border-color: {c["accent_soft"]};
}}
QWidget#chat-header QToolButton:focus {{ border-color: {c["accent"]}; }}
QWidget#chat-header QToolButton:disabled {{ color: {c["disabled"]}; }}
QWidget#chat-header QToolButton#model-pill {{
    padding: 3px 8px; border: 1px solid {c["border"]}; border-radius: 14px;
    background: {c["base"]};
}}
QWidget#chat-header QToolButton#model-pill:hover {{ background: {c["hover"]}; }}
QWidget#chat-header QToolButton#model-pill:focus {{ border-color: {c["accent"]}; }}
QLabel#status-label {{ padding: 1px 12px 3px 12px; }}
QLabel#header-title {{ font-weight: 600; border-radius: 4px; }}
QLabel#header-title:focus {{ background: {c["hover"]}; }}
QFrame#model-menu {{
    background: {c["base"]}; border: 1px solid {c["border"]}; border-radius: 8px;
}}
QFrame#model-menu QListView {{ border: none; background: {c["base"]}; }}
QFrame#model-menu QListView::item {{ padding: 3px 4px; }}
QPushButton {{
    background: {c["button"]}; color: {c["fg"]}; border: 1px solid {c["border"]};
    border-radius: 6px; padding: 4px 8px; min-height: 18px;
}}
QPushButton:hover {{ background: {c["hover"]}; }}
QPushButton:focus {{ border-color: {c["accent"]}; }}
QPushButton:default {{
    background: {c["accent"]}; color: {c["accent_fg"]}; border-color: {c["accent"]};
}}
QPushButton:default:hover {{ background: {c["accent_hover"]}; }}
QPushButton:default:focus {{ border-color: {c["fg"]}; }}
QPushButton:disabled {{
    background: {c["disabled_bg"]}; color: {c["disabled"]}; border-color: {c["disabled_bg"]};
}}
QPushButton:checked {{ background: {c["accent_soft"]}; }}
QPushButton::menu-indicator {{ subcontrol-position: right center; right: 4px; }}
QWidget#sidebar {{ background: {c["window"]}; }}
QListView#conversation-list {{ background: {c["window"]}; border: none; }}
QFrame#composer-card {{
    background: {c["soft"]}; border: 1px solid {c["soft"]}; border-radius: 12px;
}}
QFrame#composer-card[focused="true"] {{ border-color: {c["accent"]}; }}
QFrame#composer-card QPlainTextEdit {{ background: transparent; border: none; }}
QToolButton#composer-icon {{
    border: none; border-radius: 8px; padding: 4px; background: transparent;
}}
QToolButton#composer-icon:hover {{ background: {c["hover"]}; }}
QToolButton#composer-icon:focus {{ background: {c["hover"]}; }}
QToolButton#composer-send {{
    border: none; border-radius: 8px; padding: 4px; background: {c["accent"]};
}}
QToolButton#composer-send:hover {{ background: {c["accent_hover"]}; }}
QToolButton#composer-send:focus {{ border: 2px solid {c["fg"]}; }}
QToolButton#composer-send:disabled {{ background: {c["disabled_bg"]}; }}
QFrame#attachment-chip {{
    background: {c["base"]}; border: 1px solid {c["border"]}; border-radius: 8px;
}}
QLabel[muted="true"] {{ color: {c["muted"]}; }}
QLabel[role="error"] {{ color: {c["error"]}; }}
QLabel[role="success"] {{ color: {c["success"]}; }}
QLabel[role="warning"] {{ color: {c["warning"]}; }}
QFrame#card {{ background: {c["card"]}; border: 1px solid {c["border"]}; border-radius: 12px; }}
QPushButton#suggestion {{
    text-align: left; padding: 8px 12px; border-radius: 10px;
    background: {c["base"]}; border: 1px solid {c["border"]};
}}
QPushButton#suggestion:hover {{ background: {c["hover"]}; }}
QPushButton#suggestion:focus {{ border-color: {c["accent"]}; }}
QCheckBox::indicator:unchecked, QRadioButton::indicator:unchecked,
QGroupBox::indicator:unchecked, QAbstractItemView::indicator:unchecked {{
    width: 12px; height: 12px; border: 1px solid {c["muted"]};
    background: {c["base"]}; border-radius: 3px;
}}
QRadioButton::indicator:unchecked {{ border-radius: 7px; }}
QCheckBox::indicator:unchecked:hover, QRadioButton::indicator:unchecked:hover {{
    border-color: {c["accent"]};
}}
QCheckBox::indicator:unchecked:disabled, QRadioButton::indicator:unchecked:disabled {{
    border-color: {c["border"]}; background: {c["disabled_bg"]};
}}
QCheckBox::indicator:checked, QGroupBox::indicator:checked,
QAbstractItemView::indicator:checked {{
    width: 12px; height: 12px; border: 1px solid {c["accent"]};
    background: {c["accent"]}; border-radius: 3px; image: url({_check_mark()});
}}
QCheckBox::indicator:checked:disabled {{
    border-color: {c["mid"]}; background: {c["mid"]};
}}
QMenu {{ padding: 4px; }}
QMenu::item {{ padding: 5px 24px 5px 12px; border-radius: 4px; }}
QMenu::item:selected {{ background: {c["accent_soft"]}; color: {c["fg"]}; }}
QMenu::item:disabled {{ color: {c["disabled"]}; }}
QMenu::separator {{ height: 1px; background: {c["border"]}; margin: 4px 8px; }}
QToolTip {{
    color: {c["tooltip_fg"]}; background: {c["tooltip"]};
    border: 1px solid {c["tooltip"]}; padding: 4px 6px;
}}
QInputDialog, QProgressDialog {{ min-width: 28em; }}
"""


class _SystemFollower(QObject):
    """Re-applies the theme when the system switches light/dark and the setting is "system"."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self.settings: dict[str, Any] = {}
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_scheme)

    def _on_scheme(self, scheme: Qt.ColorScheme) -> None:
        if self.settings.get("theme", "system") == "system":
            apply_appearance(self.settings, system_dark=scheme == Qt.ColorScheme.Dark)


_follower: _SystemFollower | None = None


def _decide_dark(theme: str, system_dark: bool | None) -> bool:
    if theme == "system":
        if system_dark is not None:
            return system_dark
        return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return theme == "dark"


def apply_appearance(settings: dict[str, Any], *, system_dark: bool | None = None) -> None:
    """Apply the theme and text size; every top-level window with ``set_dark`` follows.

    ``system_dark``: the system's scheme as its change signal said (None: ask Qt).
    A missing size means the size Settings shows (11 pt), so the first start and the
    first Settings OK look the same (the toolbar grew on that OK before).
    """
    global _follower
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    if _follower is None or _follower.parent() is not app:
        _follower = _SystemFollower(app)
    _follower.settings = dict(settings)
    dark = _decide_dark(str(settings.get("theme", "system")), system_dark)
    if app.style().name().lower() != "fusion":
        app.setStyle(QStyleFactory.create("Fusion"))
    try:
        size = int(settings.get("font_size") or 0)
    except (TypeError, ValueError):
        size = 0
    if not 6 <= size <= 40:
        size = _DEFAULT_POINT_SIZE
    # Always set, even at the size already in force: an application font also replaces
    # the platform's per-class fonts (item views, dialogs), which made the Assistants and
    # Shortcuts dialogs larger than the window.
    font = QFont(app.font())
    font.setPointSize(size)
    app.setFont(font)
    changed = app.property("chatdesk_dark") != dark or not app.styleSheet()
    app.setProperty("chatdesk_dark", dark)
    if changed:
        app.setPalette(_palette(dark))
        app.setStyleSheet(style_sheet(dark))
    for widget in app.topLevelWidgets():
        setter = getattr(widget, "set_dark", None)
        if callable(setter):
            setter(dark)
