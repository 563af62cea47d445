"""The message composer: a text box, image attachments and the Send/Stop button.

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
    QMimeData,
    QMimeDatabase,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QImage,
    QKeyEvent,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

MAX_IMAGE_BYTES = 20 * 1024 * 1024
"""Servers reject larger images; refusing early saves a slow failed upload."""

# Formats OpenAI-compatible servers accept as-is; other images are converted to PNG.
_NATIVE_MIMES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
_NOTICE_MS = 4000
_THUMB_PX = 48


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

    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
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


class _Thumbnail(QWidget):
    """One attached image shown small, with a × button to remove it."""

    remove_clicked = Signal()

    def __init__(self, attachment: Attachment, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
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
        else:  # A format this Qt build cannot decode (e.g. no webp plugin): show the name.
            image.setText(attachment.name)
        image.setToolTip(attachment.name)
        layout.addWidget(image)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("×")
        self.remove_button.setAutoRaise(True)
        self.remove_button.setToolTip(self.tr("Remove {0}").format(attachment.name))
        self.remove_button.clicked.connect(self.remove_clicked)
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)


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
        self.setAcceptDrops(True)

        self._edit = _InputEdit(self)
        self._edit.setPlaceholderText(self.tr("Type a message…"))
        self._edit.setAccessibleName(self.tr("Message"))
        self._edit.setTabChangesFocus(True)
        self._edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self._thumbs = QWidget(self)
        self._thumbs_layout = QHBoxLayout(self._thumbs)
        self._thumbs_layout.setContentsMargins(0, 0, 0, 0)
        self._thumbs_layout.addStretch(1)
        self._thumbs.hide()

        self._notice = QLabel(self)
        self._notice.setObjectName("composerNotice")
        palette = self._notice.palette()  # subtle: the placeholder colour, not an alert
        palette.setColor(
            QPalette.ColorRole.WindowText, palette.color(QPalette.ColorRole.PlaceholderText)
        )
        self._notice.setPalette(palette)
        self._notice.setWordWrap(True)
        self._notice.hide()
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(_NOTICE_MS)
        self._notice_timer.timeout.connect(self._clear_notice)

        self._attach_button = QPushButton(self.tr("Attach"), self)
        self._attach_button.setToolTip(self.tr("Attach images"))
        self._attach_button.clicked.connect(self._on_attach_clicked)
        self._send_button = QPushButton(self)
        self._send_button.clicked.connect(self._on_send_clicked)

        buttons = QVBoxLayout()
        buttons.addWidget(self._send_button)
        buttons.addWidget(self._attach_button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self._edit, 1)
        row.addLayout(buttons)
        self._edit_banner = QLabel(
            self.tr("Editing your message: Enter sends it as a new branch, Esc cancels."), self
        )
        self._edit_banner.setObjectName("composerEditing")
        self._edit_banner.setWordWrap(True)
        self._edit_banner.setStyleSheet("font-weight: 600; padding: 2px 0;")
        self._edit_banner.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._edit_banner)
        layout.addWidget(self._thumbs)
        layout.addLayout(row)
        layout.addWidget(self._notice)
        self._update_send_button()

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
        if _local_files(event.mimeData()) or event.mimeData().hasImage():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        self.dragEnterEvent(event)

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
        if self._busy:
            self._send_button.setText(self.tr("Stop"))
            self._send_button.setToolTip(self.tr("Stop the reply (Esc)"))
        elif self._editing is not None:
            self._send_button.setText(self.tr("Resend"))
            self._send_button.setToolTip(self.tr("Send the edited message as a new branch"))
        else:
            self._send_button.setText(self.tr("Send"))
            shortcut = self.tr("Enter") if self._send_key == "enter" else self.tr("Ctrl+Enter")
            self._send_button.setToolTip(self.tr("Send ({0})").format(shortcut))

    def send_button(self) -> QPushButton:
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
