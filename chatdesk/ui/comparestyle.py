"""The compare view's colours and style sheet, from the theme's named colours.

One place for the pill, the chips, the prompt card, the vote bar and the diff marks, so
both themes are designed here rather than with colours scattered through the widgets.
Roles the theme may not name (older palettes) fall back to values of the same design.
"""

from __future__ import annotations

from chatdesk.ui.theme import colours

_FALLBACK: dict[bool, dict[str, str]] = {
    False: {
        "soft": "#f1f1ee",
        "error": "#c0261b",
        "success": "#1b7434",
        "ins_bg": "#d7f0dd",
        "ins_fg": "#0f5132",
        "del_bg": "#fbe0de",
        "del_fg": "#8a1c13",
    },
    True: {
        "soft": "#27292d",
        "error": "#ff7b72",
        "success": "#5bd07a",
        "ins_bg": "#1d3a27",
        "ins_fg": "#b8f0c6",
        "del_bg": "#48211f",
        "del_fg": "#ffc9c4",
    },
}


def palette_of(dark: bool) -> dict[str, str]:
    """The theme's colours plus the compare view's own roles.

    ``accent_text`` is the accent as text on the page: the link colour, which both
    themes keep readable on their base (the dark accent is a fill colour, too dim as text).
    """
    c = dict(_FALLBACK[bool(dark)])
    c.update(colours(dark))
    c.setdefault("accent_text", c.get("link", c["accent"]))
    return c


def style_sheet(dark: bool) -> str:
    """The compare page's sheet (set on the page: it reaches only its own widgets)."""
    c = palette_of(dark)
    return f"""
QLabel#column-badge {{
    background: {c["accent_soft"]}; color: {c["fg"]}; border-radius: 9px;
    font-weight: 600; min-width: 18px; max-height: 18px; qproperty-alignment: AlignCenter;
}}
QToolButton#model-pill {{
    background: {c["soft"]}; color: {c["fg"]}; border: 1px solid {c["border"]};
    border-radius: 11px; padding: 2px 10px; text-align: left;
}}
QToolButton#model-pill:hover {{ background: {c["hover"]}; }}
QToolButton#model-pill:focus {{ border-color: {c["accent"]}; }}
QToolButton#model-pill::menu-indicator {{ image: none; width: 0; }}
QLabel#carry-chip {{
    background: {c["accent_soft"]}; color: {c["fg"]}; border-radius: 9px;
}}
QToolButton#column-tool {{ border: 1px solid transparent; border-radius: 6px; padding: 2px; }}
QToolButton#column-tool:hover {{ background: {c["hover"]}; }}
QToolButton#column-tool:focus {{ border-color: {c["accent"]}; }}
QToolButton#column-tool:checked {{ background: {c["accent_soft"]}; }}
QFrame#prompt-card {{
    background: {c["soft"]}; border: none; border-radius: 10px;
}}
QLabel#prompt-text {{ color: {c["fg"]}; }}
QLabel#compare-rule {{ color: {c["muted"]}; padding: 0 10px; }}
QLabel#column-state[error="true"] {{ color: {c["error"]}; }}
QLabel#column-state {{ color: {c["muted"]}; }}
QWidget#vote-bar {{ background: {c["soft"]}; border-radius: 10px; }}
QPushButton#vote-choice {{
    background: {c["base"]}; color: {c["fg"]}; border: 1px solid {c["border"]};
    border-radius: 12px; padding: 3px 12px;
}}
QPushButton#vote-choice:hover {{ background: {c["hover"]}; }}
QPushButton#vote-choice:focus {{ border-color: {c["accent"]}; }}
"""
