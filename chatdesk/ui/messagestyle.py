"""The look of a conversation: colours from the app theme, sizes, and the action icons.

Colours are not chosen here: each role of the view (page, bubble, card, error...) is
read from :func:`chatdesk.ui.theme.colours` through :func:`_theme`, so the view follows
whatever palette the theme module designs. A role the theme of the moment does not
name falls back to a related one (or, for the finder's highlight, to the view's own).

Sizes follow one spacing scale (4, 8, 12, 16, 24, 32 px) and a reading column: answers
are at most :data:`READING_MAX` px wide and centred, so a long paragraph in a wide
window wraps at a readable length.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QFont, QFontInfo, QGuiApplication

from chatdesk.store.rows import MessageRow
from chatdesk.ui.actions import MessageAction, ViewToggle, action_href, parse_href
from chatdesk.ui.theme import colours

__all__ = [
    "ACTION_ICONS",
    "ACTION_LABELS",
    "CARD_TABLE",
    "PALETTES",
    "READING_MAX",
    "USER_SHARE",
    "action_label",
    "actions_html",
    "doc_style_sheet",
    "icon_html",
    "link_label",
]

#: The start of a card's table (an error, a tool call): the view rounds these too.
CARD_TABLE = '<table width="100%" cellspacing="0" cellpadding="12" '

#: The widest a reading column gets (px): about 80 characters of body text.
READING_MAX = 820
#: A user's bubble takes at most this share of the column (it sits on the right).
USER_SHARE = 0.7

# Roles of the view -> the theme's colour names, first present wins.
_ROLES: dict[str, tuple[str, ...]] = {
    "bg": ("base",),
    "fg": ("fg",),
    "muted": ("muted",),
    "link": ("link",),
    "accent": ("accent",),
    "user": ("soft", "alt"),
    "assistant": ("base",),
    "system": ("soft", "alt"),
    "tool": ("soft", "alt"),
    "card": ("soft", "alt"),
    "border": ("border",),
    "error": ("error",),
    "warn": ("warning",),
    "hover": ("hover",),
    "code": ("soft", "alt"),
    "code_head": ("hover",),
}
# Only for roles a theme may not name (an older palette): the view's previous colours.
_FALLBACK: dict[bool, dict[str, str]] = {
    False: {"error": "#cf222e", "warn": "#9a6700", "hl": "#fde047"},
    True: {"error": "#f85149", "warn": "#d29922", "hl": "#9e6a03"},
}


def _theme(dark: bool) -> dict[str, str]:
    """The view's colours for one theme, read from the app theme (see the module doc)."""
    c = colours(dark)
    out = dict(_FALLBACK[dark])
    for role, names in _ROLES.items():
        for name in names:
            if name in c:
                out[role] = c[name]
                break
    return out


#: The view's colours by theme (``PALETTES[dark]["muted"]``), taken from the app theme.
PALETTES: dict[bool, dict[str, str]] = {False: _theme(False), True: _theme(True)}


def doc_style_sheet(pal: dict[str, str], font: QFont) -> str:
    """The default style of every document: body rhythm, modest headings, code size.

    Body lines at 150 % (the reading rhythm of chat apps), headings a few steps above
    the body rather than the browser's 2x, code at 90 % of the body in monospace.
    """
    px = QFontInfo(font).pixelSize() or 14
    code_px = max(9, round(px * 0.9))
    return (
        f"a {{ color: {pal['link']}; text-decoration: none; }}"
        f" code {{ background-color: {pal['card']}; font-size: {code_px}px; }}"
        f" pre {{ white-space: pre-wrap; font-size: {code_px}px; }}"
        " p, li { line-height: 150%; }"
        f" h1 {{ font-size: {round(px * 1.4)}px; }} h2 {{ font-size: {round(px * 1.25)}px; }}"
        f" h3 {{ font-size: {round(px * 1.1)}px; }} h4, h5, h6 {{ font-size: {px}px; }}"
    )


def icon_html(name: str, colour: str, px: int = 16) -> str:
    """An icon of the app's icon font inline in rich text ('' without the font).

    Also '' before a QGuiApplication exists (fonts cannot be loaded yet).
    """
    from chatdesk.ui.icons import glyph, icon_family

    if QGuiApplication.instance() is None:
        return ""

    family = icon_family()
    char = glyph(name)
    if not family or not char:
        return ""
    size = f" font-size: {px}px;" if px else ""  # 0: the surrounding text's size
    tint = f" color: {colour};" if colour else ""  # '': the surrounding text's colour
    return f"<span style=\"font-family: '{family}';{size}{tint}\">{char}</span>"


ACTION_ICONS: dict[MessageAction, str] = {
    MessageAction.COPY: "copy",
    MessageAction.REGENERATE: "refresh",
    MessageAction.EDIT: "edit",
    MessageAction.DELETE: "trash",
    MessageAction.BRANCH_PREV: "chevron-left",
    MessageAction.BRANCH_NEXT: "chevron-right",
    MessageAction.RETRY: "debug-restart",
    MessageAction.CONTINUE: "debug-continue",
}

ACTION_LABELS: dict[MessageAction, object] = {
    MessageAction.COPY: QT_TRANSLATE_NOOP("MessageView", "Copy"),
    MessageAction.REGENERATE: QT_TRANSLATE_NOOP("MessageView", "Regenerate"),
    MessageAction.EDIT: QT_TRANSLATE_NOOP("MessageView", "Edit"),
    MessageAction.DELETE: QT_TRANSLATE_NOOP("MessageView", "Delete"),
    MessageAction.BRANCH_PREV: QT_TRANSLATE_NOOP("MessageView", "Previous version"),
    MessageAction.BRANCH_NEXT: QT_TRANSLATE_NOOP("MessageView", "Next version"),
    MessageAction.RETRY: QT_TRANSLATE_NOOP("MessageView", "Retry"),
    MessageAction.CONTINUE: QT_TRANSLATE_NOOP("MessageView", "Continue"),
    MessageAction.COPY_CODE: QT_TRANSLATE_NOOP("MessageView", "Copy code"),
    MessageAction.TOOL_RESULT: QT_TRANSLATE_NOOP("MessageView", "Reply with result"),
}


def action_label(action: MessageAction) -> str:
    """The translated name of an action (tooltip and accessible name of its icon)."""
    return QCoreApplication.translate("MessageView", str(ACTION_LABELS.get(action, action)))


_TOGGLE_LABELS: dict[ViewToggle, object] = {
    ViewToggle.THINKING: QT_TRANSLATE_NOOP("MessageView", "Thinking"),
    ViewToggle.DETAILS: QT_TRANSLATE_NOOP("MessageView", "Details"),
    ViewToggle.TOOL_RESULT: QT_TRANSLATE_NOOP("MessageView", "Show the whole result"),
    ViewToggle.USER_TEXT: QT_TRANSLATE_NOOP("MessageView", "Show all"),
}


def link_label(href: str) -> str:
    """What a link of a message does, in words: its tooltip and accessible name."""
    try:
        parsed = parse_href(href)
    except ValueError:
        return href
    if parsed is None:
        return href  # a web link: its address
    action = parsed[0]
    if isinstance(action, ViewToggle):
        return QCoreApplication.translate("MessageView", str(_TOGGLE_LABELS[action]))
    return action_label(action)


def actions_html(
    row: MessageRow, branch: tuple[int, int] | None, pal: dict[str, str], copied: bool
) -> str:
    """The row of icon buttons under a message (shown on hover and under the last one).

    Each icon is a link of its own; the view gives it a tooltip and an accessible name
    (:func:`action_label`). Copy shows a check mark for a moment after a copy.
    """
    muted = pal["muted"]
    actions = [MessageAction.COPY]
    if row.role == "assistant":
        actions.append(MessageAction.REGENERATE)
    if row.role == "user":
        actions.append(MessageAction.EDIT)
    actions.append(MessageAction.DELETE)
    out: list[str] = []
    if branch and branch[1] > 1:
        pos, count = branch
        out.append(
            f'<a href="{action_href(MessageAction.BRANCH_PREV)}">'
            f"{icon_html('chevron-left', muted, 18) or '&lt;'}</a>"
            f'<span style="color:{muted}; font-size: small;">&nbsp;{pos}/{count}&nbsp;</span>'
            f'<a href="{action_href(MessageAction.BRANCH_NEXT)}">'
            f"{icon_html('chevron-right', muted, 18) or '&gt;'}</a>"
        )
    for a in actions:
        name = "check" if a is MessageAction.COPY and copied else ACTION_ICONS[a]
        glyph = icon_html(name, pal["fg"] if copied and a is MessageAction.COPY else muted, 18)
        text = glyph or html.escape(action_label(a))  # no icon font: words
        out.append(f'<a href="{action_href(a)}">{text}</a>')
    sep = "&nbsp;&nbsp;&nbsp;&nbsp;"
    return f"<p>{sep.join(out)}</p>"
