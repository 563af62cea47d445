"""The message composer: a rounded card holding the text, attachment chips and icon buttons.

The text box is one line when empty and grows with its lines up to a third of the
window; Send (an arrow) turns into Stop (a square) while a reply streams.

The composer only collects what the user wants to send and says so through
signals; it never talks to the network or the store. After ``submitted`` it
clears itself, and the controller puts the draft back with ``set_text`` /
``set_attachments`` if sending fails.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QMimeData,
    QMimeDatabase,
    QObject,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFocusEvent,
    QImage,
    QKeyEvent,
    QPalette,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.elided import ElidedLabel
from chatdesk.ui.icons import icon

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Servers reject larger images; refusing early saves a slow failed upload."""

# Formats OpenAI-compatible servers accept as-is; other images are converted to PNG.
_NATIVE_MIMES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_NOTICE_MS = 4000
_THUMB_PX = 32
_CARD_MAX_WIDTH = 860  # the conversation's reading width


@dataclass(slots=True)
class Attachment:
    """An image to send with the message, already read into memory."""

    name: str
    mime: str
    data: bytes


def _qimage_to_png(image: QImage) -> bytes:
    """Encode a QImage as PNG bytes (clipboard images have no file format)."""
    # Imported here, as QFileDialog below: a Qt class's first import builds its Python
    # type and enums, which the window's first paint need not wait for.
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QImageWriter

    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # Not QImage.save(buffer, "PNG"): PySide6 6.11's stubs want bytes for the format,
    # its runtime refuses bytes, so no call passes both; QImageWriter takes a QByteArray.
    QImageWriter(buffer, QByteArray(b"PNG")).write(image)
    buffer.close()
    return bytes(array.data())


def _local_files(mime: QMimeData) -> list[str]:
    """Local file paths carried by drag-and-drop or clipboard data."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


class _InputEdit(QPlainTextEdit):
    """QPlainTextEdit that routes Enter, Esc, pasted images and dropped files to the composer.

    A subclass is needed because pasting and dropping go through Qt virtuals
    (``insertFromMimeData``, ``dropEvent``) that signals cannot intercept.
    """

    def __init__(self, composer: Composer) -> None:
        super().__init__(composer)
        self._composer = composer

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusInEvent(event)
        self._composer._set_focused(True)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)
        self._composer._set_focused(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if self._composer._handle_key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def canInsertFromMimeData(self, source: QMimeData) -> bool:  # noqa: N802
        if source.hasImage() or _local_files(source):
            return True
        return super().canInsertFromMimeData(source)

    def insertFromMimeData(self, source: QMimeData) -> None:  # noqa: N802
        if self._composer._take_mime(source):
            return
        super().insertFromMimeData(source)

    # Dropped files are handled here rather than in the text control so that a
    # file URL never ends up pasted into the message as text.
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if _local_files(event.mimeData()) or event.mimeData().hasImage():
            event.acceptProposedAction()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if _local_files(event.mimeData()) or event.mimeData().hasImage():
            event.acceptProposedAction()
            return
        super().dragMoveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self._composer._take_mime(event.mimeData()):
            event.acceptProposedAction()
            return
        super().dropEvent(event)


class _Thumbnail(QFrame):
    """One attachment as a chip above the text: a small image, its name and a × to remove it."""

    remove_clicked = Signal()

    def __init__(self, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachment-chip")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        image = QLabel(self)
        pixmap = QPixmap()
        if pixmap.loadFromData(attachment.data):
            image.setPixmap(
                pixmap.scaled(
                    QSize(_THUMB_PX, _THUMB_PX),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            layout.addWidget(image)
        else:  # A format this Qt build cannot decode (e.g. no webp plugin): the name says it.
            image.hide()
        name = ElidedLabel(attachment.name, self, max_hint=160)
        layout.addWidget(name)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip(self.tr("Remove {0}").format(attachment.name))
        self.remove_button.setAccessibleName(self.tr("Remove {0}").format(attachment.name))
        self.remove_button.clicked.connect(self.remove_clicked)
        layout.addWidget(self.remove_button)


class Composer(QWidget):
    """Where the user writes a message and attaches images.

    Signals:
        submitted(str, list): the text and a list of ``Attachment``; the composer
            is cleared right after.
        stop_requested(): the user asked to stop the running reply (Stop or Esc).
        edit_submitted(int, str): an edited message (see :meth:`begin_edit`) to resend.
        edit_last_requested(): Up in an empty composer: edit the last message sent.
    """

    submitted = Signal(str, list)
    stop_requested = Signal()
    edit_submitted = Signal(int, str)
    edit_last_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._busy = False
        self._send_key = "enter"
        self._attachments: list[Attachment] = []
        self._editing: int | None = None  # the message being edited in place
        self._saved_draft = ""
        self._watched: QWidget | None = None  # the window whose height caps the text box
        self.setAcceptDrops(True)

        self._edit = _InputEdit(self)
        self._edit.setAccessibleName(self.tr("Message"))
        self._edit.setTabChangesFocus(True)
        self._edit.setFrameShape(QFrame.Shape.NoFrame)
        self._edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._edit.document().setDocumentMargin(2)
        self._edit.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._edit.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._edit.document().documentLayout().documentSizeChanged.connect(
            lambda _size: self._fit_height()
        )

        # The card: chips, the text, then the icon buttons, on one soft rounded surface.
        self._card = QFrame(self)
        self._card.setObjectName("composer-card")
        self._thumbs = QWidget(self._card)
        self._thumbs_layout = QHBoxLayout(self._thumbs)
        self._thumbs_layout.setContentsMargins(0, 0, 0, 0)
        self._thumbs_layout.setSpacing(8)
        self._thumbs_layout.addStretch(1)
        self._thumbs.hide()

        self._notice = QLabel(self)
        self._notice.setObjectName("composerNotice")
        self._notice.setProperty("muted", True)  # subtle: not an alert
        self._notice.setWordWrap(True)
        self._notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(_NOTICE_MS)
        self._notice_timer.timeout.connect(self._clear_notice)

        self._attach_button = QToolButton(self._card)
        self._attach_button.setObjectName("composer-icon")
        self._attach_button.setText(self.tr("Attach"))
        self._attach_button.setIcon(icon("add"))
        self._attach_button.setIconSize(QSize(18, 18))
        self._attach_button.setToolTip(self.tr("Attach images"))
        self._attach_button.setAccessibleName(self.tr("Attach images"))
        self._attach_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if not self._attach_button.icon().isNull():
            self._attach_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self._attach_button.clicked.connect(self._on_attach_clicked)
        self._send_button = QToolButton(self._card)
        self._send_button.setObjectName("composer-send")
        self._send_button.setIconSize(QSize(18, 18))
        self._send_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._send_button.clicked.connect(self._on_send_clicked)

        self._edit_banner = QLabel(
            self.tr("Editing your message: Enter sends it as a new branch, Esc cancels."),
            self._card,
        )
        self._edit_banner.setObjectName("composerEditing")
        self._edit_banner.setWordWrap(True)
        self._edit_banner.setStyleSheet("font-weight: 600; padding: 2px 0;")
        self._edit_banner.hide()
        tools = QHBoxLayout()
        tools.setContentsMargins(0, 0, 0, 0)
        tools.setSpacing(8)
        tools.addWidget(self._attach_button)
        tools.addStretch(1)
        tools.addWidget(self._send_button)
        card = QVBoxLayout(self._card)
        card.setContentsMargins(12, 8, 8, 8)
        card.setSpacing(4)
        card.addWidget(self._edit_banner)
        card.addWidget(self._thumbs)
        card.addWidget(self._edit)
        card.addLayout(tools)

        # Centred at the conversation's reading width, with room around it.
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(self._card, 100)
        row.addStretch(1)
        self._card.setMaximumWidth(_CARD_MAX_WIDTH)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 12)
        layout.setSpacing(4)
        layout.addLayout(row)
        layout.addWidget(self._notice)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # On the conversation's own surface, so the card floats on it (not a band).
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setFocusProxy(self._edit)
        self._update_send_button()
        self._fit_height()

    # -- public API --------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        """While a reply streams, Send becomes Stop and Enter no longer sends."""
        self._busy = busy
        self._update_send_button()

    def is_busy(self) -> bool:
        return self._busy

    def set_send_key(self, key: str) -> None:
        """Choose what sends: ``"enter"`` (Shift+Enter = newline) or ``"ctrl+enter"``."""
        if key not in ("enter", "ctrl+enter"):
            raise ValueError(f"unknown send key: {key!r}")
        self._send_key = key
        self._update_send_button()

    def send_key(self) -> str:
        return self._send_key

    def text(self) -> str:
        return self._edit.toPlainText()

    def set_text(self, text: str) -> None:
        """Restore a draft (e.g. after a failed send) with the cursor at the end."""
        self._edit.setPlainText(text)
        cursor = self._edit.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        self._edit.setTextCursor(cursor)

    def attachments(self) -> list[Attachment]:
        return list(self._attachments)

    def set_attachments(self, attachments: list[Attachment]) -> None:
        self._attachments = list(attachments)
        self._rebuild_thumbnails()

    def add_attachment(self, attachment: Attachment) -> bool:
        """Add one image; refuses (with a notice) anything over the size limit."""
        if len(attachment.data) > MAX_IMAGE_BYTES:
            self._show_notice(
                self.tr("{0} is larger than 20 MB and was not attached.").format(attachment.name)
            )
            return False
        self._attachments.append(attachment)
        self._rebuild_thumbnails()
        return True

    def add_files(self, paths: list[str]) -> int:
        """Attach image files; non-images and oversized files are refused with a notice.

        Returns how many were attached.
        """
        added = 0
        refused: list[str] = []
        for path in paths:
            attachment, problem = self._read_image_file(path)
            if attachment is None:
                refused.append(problem)
            elif self.add_attachment(attachment):
                added += 1
        if refused:
            self._show_notice(" ".join(refused))
        return added

    def clear(self) -> None:
        self._edit.clear()
        self._attachments.clear()
        self._rebuild_thumbnails()

    def focus_input(self) -> None:
        self._edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def notice(self) -> str:
        """The inline message currently shown (empty when none); for tests and a11y."""
        return self._notice.text()

    def editor(self) -> QPlainTextEdit:
        """The text box, for focus chains and shortcuts."""
        return self._edit

    def begin_edit(self, message_id: int, text: str) -> None:
        """Edit a sent message right here (not in a dialog); the draft is kept aside."""
        if self._editing is None:
            self._saved_draft = self._edit.toPlainText()
        self._editing = message_id
        self._edit.setPlainText(text)
        self._edit.moveCursor(self._edit.textCursor().MoveOperation.End)
        self._edit_banner.show()
        self._update_send_button()
        self.focus_input()

    def cancel_edit(self) -> None:
        """Leave editing; the draft that was there before comes back."""
        if self._editing is None:
            return
        self._editing = None
        self._edit_banner.hide()
        self._edit.setPlainText(self._saved_draft)
        self._saved_draft = ""
        self._update_send_button()

    def editing(self) -> int | None:
        """The id of the message being edited, or None."""
        return self._editing

    def send(self) -> bool:
        """Submit the current text and images; returns False if nothing was sent."""
        if self._busy:
            self._show_notice(self.tr("Wait for the reply to finish, or press Esc to stop it."))
            return False
        if self._editing is not None:
            text = self._edit.toPlainText().strip("\r\n").rstrip()
            if not text.strip():
                self._show_notice(self.tr("An edited message cannot be empty."))
                return False
            message_id, draft = self._editing, self._saved_draft
            self._editing = None
            self._edit_banner.hide()
            self._edit.setPlainText(draft)
            self._saved_draft = ""
            self._update_send_button()
            self.edit_submitted.emit(message_id, text)
            return True
        text = self._edit.toPlainText()
        if not text.strip() and not self._attachments:
            self._show_notice(self.tr("Type a message or attach an image first."))
            return False
        # Keep the user's indentation but drop blank lines and trailing spaces at the edges.
        text = text.strip("\r\n").rstrip() if text.strip() else ""
        attachments = list(self._attachments)
        self.clear()
        self._clear_notice()
        self.submitted.emit(text, attachments)
        return True

    # -- key and data handling -------------------------------------------------

    def _handle_key(self, event: QKeyEvent) -> bool:
        """Return True if the key was a composer command rather than text input."""
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Escape:
            if self._busy:
                self.stop_requested.emit()
                return True
            if self._editing is not None:
                self.cancel_edit()
                return True
            return False
        if key == Qt.Key.Key_Up and not mods and not self._edit.toPlainText():
            self.edit_last_requested.emit()
            return True
        if key not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if self._send_key == "enter":
            wants_send = not shift
        else:
            wants_send = ctrl and not shift
        if wants_send:
            self.send()
        else:
            # Insert a real "\n" (plain Shift+Enter would insert U+2028 in some Qt versions).
            self._edit.insertPlainText("\n")
            self._edit.ensureCursorVisible()
        return True

    def _take_mime(self, mime: QMimeData) -> bool:
        """Turn pasted/dropped images or image files into attachments.

        Returns False when the data is plain text the editor should insert itself.
        """
        files = _local_files(mime)
        if files:
            self.add_files(files)
            return True
        if mime.hasImage():
            image = mime.imageData()
            if isinstance(image, QPixmap):
                image = image.toImage()
            if not isinstance(image, QImage) or image.isNull():
                self._show_notice(self.tr("The pasted image could not be read."))
                return True
            name = self._next_paste_name()
            self.add_attachment(Attachment(name=name, mime="image/png", data=_qimage_to_png(image)))
            return True
        return False

    def _next_paste_name(self) -> str:
        return f"pasted-{len(self._attachments) + 1}.png"

    def _read_image_file(self, path: str) -> tuple[Attachment | None, str]:
        """Read an image file, or say in one short sentence why it was refused."""
        name = os.path.basename(path) or path
        mime = QMimeDatabase().mimeTypeForFile(path).name()
        if not mime.startswith("image/"):
            return None, self.tr("{0} is not an image.").format(name)
        try:
            size = os.path.getsize(path)
            if size > MAX_IMAGE_BYTES:
                return None, self.tr("{0} is larger than 20 MB.").format(name)
            if mime in _NATIVE_MIMES:
                with open(path, "rb") as handle:
                    return Attachment(name=name, mime=mime, data=handle.read()), ""
        except OSError:
            return None, self.tr("{0} could not be read.").format(name)
        image = QImage(path)
        if image.isNull():
            return None, self.tr("{0} is not an image this app can read.").format(name)
        png_name = os.path.splitext(name)[0] + ".png"
        return Attachment(name=png_name, mime="image/png", data=_qimage_to_png(image)), ""

    # -- drops onto the buttons / thumbnail area ------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        self._accept_drag(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        self._accept_drag(event)

    @staticmethod
    def _accept_drag(event: QDragMoveEvent) -> None:
        """Entering and moving over decide alike: files or an image are welcome."""
        if _local_files(event.mimeData()) or event.mimeData().hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        if self._take_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    # -- internals ---------------------------------------------------------

    def _on_send_clicked(self) -> None:
        if self._busy:
            self.stop_requested.emit()
        else:
            self.send()
        self.focus_input()

    def _on_attach_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach images"),
            "",
            self.tr("Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)"),
        )
        if paths:
            self.add_files(paths)
        self.focus_input()

    def _update_send_button(self) -> None:
        button = self._send_button
        if self._busy:
            button.setText(self.tr("Stop"))
            button.setToolTip(self.tr("Stop the reply (Esc)"))
            button.setIcon(icon("primitive-square", on_accent=True))
        elif self._editing is not None:
            button.setText(self.tr("Resend"))
            button.setToolTip(self.tr("Send the edited message as a new branch"))
            button.setIcon(icon("check", on_accent=True))
        else:
            button.setText(self.tr("Send"))
            shortcut = self.tr("Enter") if self._send_key == "enter" else self.tr("Ctrl+Enter")
            button.setToolTip(self.tr("Send ({0})").format(shortcut))
            button.setIcon(icon("arrow-up", on_accent=True))
        button.setAccessibleName(button.text())
        if not button.icon().isNull():
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        if self._send_key == "enter":
            hint = self.tr("Message… (Enter to send, Shift+Enter for a new line)")
        else:
            hint = self.tr("Message… (Ctrl+Enter to send, Enter for a new line)")
        self._edit.setPlaceholderText(hint)

    # -- height: one line when empty, growing with the text up to a third of the window

    def _max_text_height(self) -> int:
        window = self.window()
        third = window.height() // 3 if window is not None and window is not self else 240
        # Everything but the text box, added up from the parts (the layouts' cached
        # size hints lag behind while the box is being resized).
        outer, card = self.layout(), self._card.layout()
        chrome = 0
        if outer is not None and card is not None:
            om, cm = outer.contentsMargins(), card.contentsMargins()
            chrome = om.top() + om.bottom() + cm.top() + cm.bottom() + 2 * self._card.frameWidth()
            parts = [w for w in (self._edit_banner, self._thumbs) if not w.isHidden()]
            chrome += sum(w.sizeHint().height() for w in parts)
            chrome += card.spacing() * (len(parts) + 1)
            chrome += max(
                self._attach_button.sizeHint().height(), self._send_button.sizeHint().height()
            )
            if not self._notice.isHidden():
                chrome += self._notice.sizeHint().height() + outer.spacing()
        cap = min(third - chrome, self.maximumHeight() - chrome)
        return max(self._line_height(1), cap)

    def _line_height(self, lines: float) -> int:
        doc = self._edit.document()
        margins = self._edit.contentsMargins()
        frame = 2 * self._edit.frameWidth() + margins.top() + margins.bottom()
        spacing = self._edit.fontMetrics().lineSpacing()
        # +2: QPlainTextEdit scrolls by a line unless the last one fits with room to spare.
        return int(lines * spacing + 2 * doc.documentMargin() + frame + 2.999)

    def _fit_height(self) -> None:
        """Size the text box to its lines (each visual line, wrapping included)."""
        lines = max(1.0, self._edit.document().documentLayout().documentSize().height())
        want = self._line_height(lines)
        cap = self._max_text_height()
        height = min(want, cap)
        policy = (
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if want > cap
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        if self._edit.verticalScrollBarPolicy() != policy:
            self._edit.setVerticalScrollBarPolicy(policy)
        if self._edit.height() != height or self._edit.minimumHeight() != height:
            self._edit.setFixedHeight(height)

    def text_box_height(self) -> int:
        """The text box's height now (for tests and the window's layout)."""
        return self._edit.height()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        window = self.window()
        if window is not None and window is not self and window is not self._watched:
            window.installEventFilter(self)
            self._watched = window
        self._fit_height()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self._watched and event.type() == QEvent.Type.Resize:
            self._fit_height()  # a third of the new height
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()  # the lines wrap anew

    def _set_focused(self, focused: bool) -> None:
        """The card shows the accent focus ring while the text box has the focus."""
        self._card.setProperty("focused", focused)
        style = self._card.style()
        style.unpolish(self._card)
        style.polish(self._card)

    def send_button(self) -> QToolButton:
        return self._send_button

    def _rebuild_thumbnails(self) -> None:
        while self._thumbs_layout.count() > 1:  # keep the trailing stretch
            item = self._thumbs_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        for index, attachment in enumerate(self._attachments):
            thumb = _Thumbnail(attachment, self._thumbs)
            thumb.remove_clicked.connect(lambda i=index: self._remove_attachment(i))
            self._thumbs_layout.insertWidget(index, thumb)
        self._thumbs.setVisible(bool(self._attachments))

    def _remove_attachment(self, index: int) -> None:
        if 0 <= index < len(self._attachments):
            del self._attachments[index]
            self._rebuild_thumbnails()

    def _show_notice(self, text: str) -> None:
        self._notice.setText(text)
        self._notice.show()
        self._notice_timer.start()

    def _clear_notice(self) -> None:
        self._notice_timer.stop()
        self._notice.clear()
        self._notice.hide()


__all__ = ["MAX_IMAGE_BYTES", "Attachment", "Composer"]
