"""The header row above the conversation: title, model pill, icon buttons.

The title is edited in place (double-click or F2; Enter saves, Esc cancels) and the
rename goes out as a signal, as the sidebar's does: widgets never write the history.
The pill reads like a button ("Zero · gpt-4o"); the server's address is in its tooltip,
never in the row (issue 18). The list it opens is built on first use (modelmenu.py).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeyEvent, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QStackedLayout,
    QToolButton,
    QWidget,
)

from chatdesk.ui.elided import ElidedLabel
from chatdesk.ui.icons import IconLabel, icon

SEPARATOR = " · "


class _TitleLabel(ElidedLabel):
    """The shown title: a keyboard stop (F2 or Enter edits), double-click edits."""

    edit_requested = Signal()

    def __init__(self) -> None:
        super().__init__(mode=Qt.TextElideMode.ElideRight, max_hint=420)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("header-title")

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt override)
        self.edit_requested.emit()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key.Key_F2, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _TitleEdit(QLineEdit):
    """The title being edited: Esc cancels here instead of stopping the answer."""

    cancelled = Signal()

    def event(self, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()  # the window's Esc (stop) must not take it
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class TitleField(QWidget):
    """The conversation's title, editable in place when there is a conversation.

    Signals:
        renamed(int, str): the user saved a new title for this conversation id.
    """

    renamed = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._id: int | None = None
        self._title = ""
        self._leaving = False  # the editor closes: its focus-out is not a commit
        self._stack = QStackedLayout(self)
        self._stack.setContentsMargins(0, 0, 0, 0)
        self.label = _TitleLabel()
        self.label.setAccessibleName(self.tr("Conversation title"))
        self.label.edit_requested.connect(self.start_edit)
        self.editor = _TitleEdit()
        self.editor.setObjectName("header-title-edit")
        self.editor.setAccessibleName(self.tr("Conversation title"))
        self.editor.setMaxLength(300)
        self.editor.returnPressed.connect(self.commit)
        self.editor.cancelled.connect(self.cancel)
        self.editor.editingFinished.connect(self._on_editing_finished)
        self._stack.addWidget(self.label)
        self._stack.addWidget(self.editor)
        # As wide as the title (up to the label's cap), so the pill follows it closely;
        # shrinks (elided) when the row is short.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_title(self, conversation_id: int | None, title: str) -> None:
        """What the header shows (a new chat has no id: its title cannot be edited yet)."""
        self._id = conversation_id
        self._title = title
        self.label.setText(title)
        self.label.setToolTip(
            title + "\n" + self.tr("Double-click or press F2 to rename")
            if conversation_id is not None
            else title
        )
        if self.editing() and conversation_id is None:
            self.cancel()

    def title(self) -> str:
        return self._title

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(max(self.label.sizeHint().width(), 120), self.editor.sizeHint().height())

    def editing(self) -> bool:
        return self._stack.currentWidget() is self.editor

    def start_edit(self) -> None:
        if self._id is None:
            return
        self.editor.setText(self._title)
        self._stack.setCurrentWidget(self.editor)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editor.selectAll()

    def commit(self) -> None:
        if not self.editing():
            return
        text = " ".join(self.editor.text().split())
        conversation_id = self._id
        self._leave()
        if text and conversation_id is not None and text != self._title:
            self.set_title(conversation_id, text)
            self.renamed.emit(conversation_id, text)

    def cancel(self) -> None:
        if self.editing():
            self._leave()

    def _on_editing_finished(self) -> None:
        # Focus went elsewhere (a click away, Tab): keep what was typed, as Enter does.
        if self.editing() and not self._leaving and not self.editor.hasFocus():
            self.commit()

    def _leave(self) -> None:
        had_focus = self.editor.hasFocus()
        self._leaving = True
        try:
            self._stack.setCurrentWidget(self.label)  # moves the focus first
        finally:
            self._leaving = False
        if had_focus:
            self.label.setFocus(Qt.FocusReason.OtherFocusReason)


class ModelPill(QToolButton):
    """ "Provider · model" with a chevron, elided to the room it gets (the model's start
    and end stay readable)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("model-pill")
        self.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.setIcon(icon("chevron-down"))
        self.setIconSize(QSize(14, 14))
        # The chevron after the words, as a menu button reads.
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._provider = ""
        self._model = ""

    def set_parts(self, provider: str, model: str) -> None:
        self._provider, self._model = provider, model
        self.setAccessibleName(self.tr("Model: %1").replace("%1", self.full_text()))
        self.updateGeometry()
        self._elide()

    def full_text(self) -> str:
        model = self._model or self.tr("Choose a model")
        return f"{self._provider}{SEPARATOR}{model}" if self._provider else model

    def _chrome(self) -> int:
        """Width of everything but the words: icon, gaps, padding, border."""
        return self.iconSize().width() + 28

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().sizeHint()
        words = QFontMetrics(self.font()).horizontalAdvance(self.full_text())
        return QSize(min(words + self._chrome(), 380), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        hint = super().minimumSizeHint()
        words = QFontMetrics(self.font()).horizontalAdvance(self.full_text())
        return QSize(min(words + self._chrome(), 96), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        room = max(0, self.width() - self._chrome())
        full = self.full_text()
        if metrics.horizontalAdvance(full) <= room:
            self.setText(full)
            return
        # The provider shortens first, then the model's middle.
        model = self._model or self.tr("Choose a model")
        provider_room = max(0, room - metrics.horizontalAdvance(SEPARATOR + model))
        if self._provider and provider_room >= metrics.horizontalAdvance("Ab…"):
            provider = metrics.elidedText(
                self._provider, Qt.TextElideMode.ElideRight, provider_room
            )
            self.setText(provider + SEPARATOR + model)
            return
        self.setText(metrics.elidedText(model, Qt.TextElideMode.ElideMiddle, room))


def _icon_button(action: QAction | None = None) -> QToolButton:
    """An icon-only button; with ``action`` it follows it (icon, tooltip, checked)."""
    button = QToolButton()
    button.setObjectName("header-icon")
    if action is not None:
        button.setDefaultAction(action)
        button.setAccessibleName(action.text().replace("&", ""))
    button.setIconSize(QSize(18, 18))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    button.setAutoRaise(True)
    return button


class ChatHeader(QWidget):
    """The row: title, pill (and its "not listed" mark), tools, parameters, compare, more.

    The status line is not here: squeezed by the Parameters drawer at 800 px it vanished;
    it is a muted line under the pages (see the main window)."""

    def __init__(
        self, params_action: QAction, compare_action: QAction, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("chat-header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.setSpacing(4)
        self.title = TitleField()
        row.addWidget(self.title)
        self.pill = ModelPill()
        row.addWidget(self.pill)
        self.unlisted_mark = IconLabel("warning", 14)
        self.unlisted_mark.setObjectName("model-unlisted")
        self.unlisted_mark.setToolTip(self.tr("Not in the server's list: it is sent as typed."))
        self.unlisted_mark.hide()
        row.addWidget(self.unlisted_mark)
        row.addStretch(1)
        self._tools = QHBoxLayout()
        self._tools.setSpacing(2)
        row.addLayout(self._tools)
        self.params_button = _icon_button(params_action)
        self.compare_button = _icon_button(compare_action)
        self.more_button = _icon_button()
        self.more_button.setObjectName("header-more")
        self.more_button.setIcon(icon("kebab-vertical"))
        self.more_button.setToolTip(self.tr("More: assistants, settings"))
        self.more_button.setAccessibleName(self.tr("More"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_menu = QMenu(self.more_button)
        self.more_button.setMenu(self.more_menu)
        # No menu-arrow: the three dots say it.
        self.more_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        for button in (self.params_button, self.compare_button, self.more_button):
            row.addWidget(button)

    def add_tool(self, widget: QWidget) -> None:
        """Another icon button (the tool servers') before Parameters: icon only, as the
        row's own (its words are in its tooltip and accessible name)."""
        if isinstance(widget, QToolButton):
            if widget.icon().isNull():
                widget.setIcon(icon("tools"))
            if widget.icon().isNull():  # no icon font: the words stay
                self._add_tool_in_order(widget)
                return
            widget.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
            widget.setIconSize(QSize(18, 18))
            widget.setAutoRaise(True)
        self._add_tool_in_order(widget)

    def _add_tool_in_order(self, widget: QWidget) -> None:
        """Added later than the row, a tool would come last in the Tab order: after the
        pill and the tools before it instead, where it is on screen."""
        before = self._tools.itemAt(self._tools.count() - 1) if self._tools.count() else None
        previous = before.widget() if before is not None else None
        self._tools.addWidget(widget)
        QWidget.setTabOrder(previous or self.pill, widget)

    def tab_stops(self) -> list[QWidget]:
        """The row's keyboard stops, left to right."""
        items = [self._tools.itemAt(i) for i in range(self._tools.count())]
        tools = [item.widget() for item in items if item is not None]
        return [self.title.label, self.pill, *[t for t in tools if t is not None],
                self.params_button, self.compare_button, self.more_button]  # fmt: skip

    def set_chat_tools_visible(self, visible: bool) -> None:
        """The compare page has its own title and pickers: the tools, compare and more
        stay."""
        for widget in (self.title, self.pill, self.params_button):
            widget.setVisible(visible)
        if not visible:
            self.unlisted_mark.setVisible(False)


__all__ = ["ChatHeader", "ModelPill", "TitleField"]
