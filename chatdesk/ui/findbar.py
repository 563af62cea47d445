"""The Ctrl+F bar for finding text in the open conversation.

A pure widget: it asks for a search with ``find_requested`` and is told the
outcome with ``set_matches``/``set_current``; the controller does the finding and
the highlighting in the message view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

DEBOUNCE_MS = 150


class FindBar(QWidget):
    """Find box, "n of m" label, Previous/Next and close.

    Keys: Enter / F3 next, Shift+Enter / Shift+F3 previous, Esc (with focus in the bar)
    closes.
    ``set_current`` takes a 0-based index; the label shows it 1-based.

    Signals:
        find_requested(str): the text to find, debounced while typing ("" clears).
        next_requested(): go to the next match.
        previous_requested(): go to the previous match.
        closed(): the bar was closed; the controller drops the highlights.
    """

    find_requested = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findBar")
        self._count = 0
        self._current = -1

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_find)

        self._edit = QLineEdit(self)
        self._edit.setObjectName("findText")
        self._edit.setPlaceholderText(self.tr("Find in conversation"))
        # Enabled with the first text (it only shows with text): its icon's first look-up
        # took ~3 ms of the window's first paint, which builds this bar hidden.
        self._edit.textChanged.connect(self._on_text_changed)
        self._edit.installEventFilter(self)

        self._label = QLabel(self)
        self._label.setObjectName("findCount")
        self._label.setMinimumWidth(self._label.fontMetrics().horizontalAdvance("8888 of 8888"))
        self._label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self._prev = QToolButton(self)
        self._prev.setObjectName("findPrevious")
        self._prev.setArrowType(Qt.ArrowType.UpArrow)
        self._prev.setToolTip(self.tr("Previous match (Shift+Enter, Shift+F3)"))
        self._prev.setAccessibleName(self.tr("Previous"))
        self._prev.clicked.connect(self.previous)

        self._next = QToolButton(self)
        self._next.setObjectName("findNext")
        self._next.setArrowType(Qt.ArrowType.DownArrow)
        self._next.setToolTip(self.tr("Next match (Enter, F3)"))
        self._next.setAccessibleName(self.tr("Next"))
        self._next.clicked.connect(self.next)

        self._close = QToolButton(self)
        self._close.setObjectName("findClose")
        self._close.setText("✕")
        self._close.setAutoRaise(True)
        self._close.setToolTip(self.tr("Close (Esc)"))
        self._close.setAccessibleName(self.tr("Close"))
        self._close.clicked.connect(self.close_bar)
        for widget in (self._prev, self._next, self._close):
            widget.installEventFilter(self)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.setSpacing(4)
        layout.addWidget(self._edit, 1)
        layout.addWidget(self._label)
        layout.addWidget(self._prev)
        layout.addWidget(self._next)
        layout.addWidget(self._close)

        # F3 works wherever focus is in the window, but only while the bar is shown
        # (Qt ignores shortcuts whose parent widget is hidden).
        for keys, slot in (
            (QKeySequence(Qt.Key.Key_F3), self.next),
            (QKeySequence(Qt.Modifier.SHIFT | Qt.Key.Key_F3), self.previous),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
        self._update()

    # -- public API --------------------------------------------------------

    def open_with(self, text: str = "") -> None:
        """Show, focus and select the text; asks for a find at once if there is text."""
        if text:
            self._edit.blockSignals(True)
            self._edit.setText(text)
            self._edit.blockSignals(False)
            self._enable_clear_button(text)
        self.show()
        self._edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._edit.selectAll()
        if self._edit.text():
            self._emit_find()  # the conversation may have changed since last time

    def text(self) -> str:
        return self._edit.text()

    def line_edit(self) -> QLineEdit:
        return self._edit

    def label_text(self) -> str:
        return self._label.text()

    def set_matches(self, count: int) -> None:
        """The controller found ``count`` matches; the first is current if any."""
        self._count = max(0, count)
        self._current = 0 if self._count else -1
        self._update()

    def set_current(self, index: int) -> None:
        """Mark match ``index`` (0-based) as the current one."""
        self._current = min(max(index, 0), self._count - 1) if self._count else -1
        self._update()

    def match_count(self) -> int:
        return self._count

    def current(self) -> int:
        return self._current

    def next(self) -> None:
        """Next match; if the text changed and was not yet searched, search first."""
        if self._flush():
            return
        if self._count:
            self.next_requested.emit()

    def previous(self) -> None:
        if self._flush():
            return
        if self._count:
            self.previous_requested.emit()

    def close_bar(self) -> None:
        self._debounce.stop()
        self.hide()
        self.closed.emit()

    # -- events ------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Esc and Enter belong to the bar while it has focus.

        The main window binds Esc to Stop; claiming the key in ShortcutOverride keeps
        that shortcut from firing (or turning ambiguous) while the user is finding.
        """
        if not isinstance(event, QKeyEvent):
            return super().eventFilter(watched, event)
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and watched is self._edit
        if event.type() == QEvent.Type.ShortcutOverride and (key == Qt.Key.Key_Escape or enter):
            event.accept()
            return True
        if event.type() == QEvent.Type.KeyPress:
            if key == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if enter:
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.previous()
                else:
                    self.next()
                return True
        return super().eventFilter(watched, event)

    # -- internals ---------------------------------------------------------

    def _on_text_changed(self, text: str) -> None:
        self._enable_clear_button(text)
        self._debounce.start()

    def _enable_clear_button(self, text: str) -> None:
        if text and not self._edit.isClearButtonEnabled():
            self._edit.setClearButtonEnabled(True)

    def _flush(self) -> bool:
        """Send a pending debounced find now; True if one was pending."""
        if not self._debounce.isActive():
            return False
        self._emit_find()
        return True

    def _emit_find(self) -> None:
        self._debounce.stop()
        self.find_requested.emit(self._edit.text())

    def _update(self) -> None:
        has_text = bool(self._edit.text())
        if self._count:
            text = self.tr("{current} of {total}").format(
                current=self._current + 1, total=self._count
            )
        elif has_text:
            text = self.tr("No matches")
        else:
            text = ""
        self._label.setText(text)
        self._prev.setEnabled(self._count > 0)
        self._next.setEnabled(self._count > 0)
