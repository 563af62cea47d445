"""Word differences of two compare columns, on their answers as rendered text.

The raw-Markdown diff showed "**", "|" and fences to someone who reads the answers as
rich text. Here each answer is rendered the way its column shows it (headings, code,
tables), the word diff is taken of the two documents' visible text, and the changed words
are marked in place with the palette's insert/delete colours. Positions map one to one:
a QTextDocument's plain text has one character per document position.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QWidget

from chatdesk.core.arena.worddiff import Segment, diff_words
from chatdesk.ui.comparestyle import palette_of
from chatdesk.ui.messagedocs import SafeBrowser
from chatdesk.ui.render import render_markdown

#: Above this many characters an answer's diff is shown on its text unrendered (rendering
#: and marking both stay bounded; the word diff itself bounds its own work).
MAX_RENDERED_CHARS = 200_000


class DiffBrowser(SafeBrowser):
    """A column's diff page: rendered answer, changed words marked, links inert."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(lambda _key: None, parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self._dark = False
        self._text = ""
        self._shown: tuple[str, list[Segment], str] | None = None

    def set_dark(self, dark: bool) -> None:
        if dark == self._dark:
            return
        self._dark = dark
        if self._shown is not None:  # the marks and the code colours follow the theme
            text, segments, mark = self._shown
            self.show_answer(text)
            self.mark(segments, mark)

    def show_answer(self, text: str) -> None:
        """The answer as its column shows it (plain text past the size bound)."""
        self._shown = None
        if len(text) > MAX_RENDERED_CHARS:
            self.document().setPlainText(text)
        else:
            self.document().setHtml(render_markdown(text, self._dark).html)
        self._text = text

    def mark(self, segments: list[Segment], mark: str) -> None:
        """Colour the segments of kind ``mark`` ("removed" or "added")."""
        self._shown = (self._text, segments, mark)
        _mark(self.document(), segments, mark, self._dark)


def _mark(doc: QTextDocument, segments: list[Segment], mark: str, dark: bool) -> None:
    c = palette_of(dark)
    fmt = QTextCharFormat()
    if mark == "removed":
        fmt.setBackground(QColor(c["del_bg"]))
        fmt.setForeground(QColor(c["del_fg"]))
        fmt.setFontStrikeOut(True)
    else:
        fmt.setBackground(QColor(c["ins_bg"]))
        fmt.setForeground(QColor(c["ins_fg"]))
    cursor = QTextCursor(doc)
    end = doc.characterCount() - 1
    pos = 0
    cursor.beginEditBlock()
    for text, kind in segments:
        n = len(text)
        if kind == mark and text.strip() and pos < end:
            cursor.setPosition(pos)
            cursor.setPosition(min(pos + n, end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)
        pos += n
    cursor.endEditBlock()


def show_pair(left: DiffBrowser, right: DiffBrowser, left_md: str, right_md: str,
              dark: bool) -> None:  # fmt: skip
    """Render both answers, diff what each shows, mark removals left and additions right.

    Qt's plain text of a document has one character per position (paragraph and frame
    marks become newlines, no-break spaces spaces), so the segments map straight back."""
    for browser, text in ((left, left_md), (right, right_md)):
        browser._dark = dark  # noqa: SLF001 (rendered in the theme in force)
        browser.show_answer(text)
    result = diff_words(left.document().toPlainText(), right.document().toPlainText())
    left.mark(result.left, "removed")
    right.mark(result.right, "added")
