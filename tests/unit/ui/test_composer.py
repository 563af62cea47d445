"""Composer: keys, busy state, drafts, pasted and dropped images."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QToolButton

from chatdesk.ui.composer import MAX_IMAGE_BYTES, Attachment, Composer, _qimage_to_png

pytestmark = pytest.mark.ui


@pytest.fixture
def composer(qtbot) -> Composer:
    widget = Composer()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.focus_input()
    return widget


def _png(width: int = 4, height: int = 3) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    return _qimage_to_png(image)


def _drop(widget, paths: list[Path]) -> None:
    """Simulate a drag entering ``widget`` and the drop (Qt ignores a drop without the enter)."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(
        QPoint(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)


def test_enter_sends_and_clears(qtbot, composer: Composer) -> None:
    qtbot.keyClicks(composer.editor(), "hello")
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    assert blocker.args == ["hello", []]
    assert composer.text() == ""
    assert composer.attachments() == []


def test_keypad_enter_also_sends(qtbot, composer: Composer) -> None:
    composer.set_text("hi")
    with qtbot.waitSignal(composer.submitted, timeout=1000):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)


def test_shift_enter_inserts_newline(qtbot, composer: Composer) -> None:
    qtbot.keyClicks(composer.editor(), "line1")
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(composer.editor(), "line2")
    assert composer.text() == "line1\nline2"
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    assert blocker.args[0] == "line1\nline2"


def test_ctrl_enter_mode(qtbot, composer: Composer) -> None:
    composer.set_send_key("ctrl+enter")
    qtbot.keyClicks(composer.editor(), "a")
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    qtbot.keyClicks(composer.editor(), "b")
    assert composer.text() == "a\nb"
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0] == "a\nb"


def test_bad_send_key_rejected(composer: Composer) -> None:
    with pytest.raises(ValueError):
        composer.set_send_key("alt+enter")


def test_empty_message_not_sent_shows_hint(qtbot, composer: Composer) -> None:
    composer.set_text("   \n ")
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    assert composer.notice()


def test_esc_emits_stop_only_when_busy(qtbot, composer: Composer) -> None:
    with qtbot.assertNotEmitted(composer.stop_requested):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Escape)
    composer.set_busy(True)
    with qtbot.waitSignal(composer.stop_requested, timeout=1000):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Escape)


def test_send_button_toggles_to_stop(qtbot, composer: Composer) -> None:
    button = composer.send_button()
    assert button.text() == "Send"
    composer.set_busy(True)
    assert button.text() == "Stop"
    with qtbot.waitSignal(composer.stop_requested, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    composer.set_busy(False)
    assert button.text() == "Send"
    composer.set_text("x")
    with qtbot.waitSignal(composer.submitted, timeout=1000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_enter_while_busy_keeps_text(qtbot, composer: Composer) -> None:
    composer.set_busy(True)
    composer.set_text("draft")
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    assert composer.text() == "draft"


def test_cjk_text_submitted_intact(qtbot, composer: Composer) -> None:
    text = "你好，世界！こんにちは 🙂"
    composer.editor().setPlainText(text)
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    assert blocker.args[0] == text


def test_set_text_restores_draft_with_cursor_at_end(qtbot, composer: Composer) -> None:
    composer.set_text("failed draft 草稿")
    assert composer.text() == "failed draft 草稿"
    assert composer.editor().textCursor().atEnd()
    qtbot.keyClicks(composer.editor(), "!")
    assert composer.text() == "failed draft 草稿!"
    attachment = Attachment("a.png", "image/png", _png())
    composer.set_attachments([attachment])
    assert composer.attachments() == [attachment]


def test_paste_image_adds_attachment(qtbot, composer: Composer) -> None:
    image = QImage(8, 6, QImage.Format.Format_RGB32)
    image.fill(QColor("blue"))
    QGuiApplication.clipboard().setImage(image)
    composer.editor().paste()
    attachments = composer.attachments()
    assert len(attachments) == 1
    assert attachments[0].mime == "image/png"
    assert attachments[0].data.startswith(b"\x89PNG")
    assert composer.text() == ""
    decoded = QImage.fromData(attachments[0].data)
    assert (decoded.width(), decoded.height()) == (8, 6)


def test_paste_text_still_pastes_text(composer: Composer) -> None:
    QGuiApplication.clipboard().setText("plain 文本")
    composer.editor().paste()
    assert composer.text() == "plain 文本"
    assert composer.attachments() == []


def test_paste_image_file_url_adds_attachment(tmp_path: Path, composer: Composer) -> None:
    path = tmp_path / "shot.png"
    path.write_bytes(_png())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    QGuiApplication.clipboard().setMimeData(mime)
    composer.editor().paste()
    assert [a.name for a in composer.attachments()] == ["shot.png"]
    assert composer.text() == ""


def test_submit_with_image_only_and_clear(qtbot, composer: Composer) -> None:
    composer.add_attachment(Attachment("a.png", "image/png", _png()))
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer.editor(), Qt.Key.Key_Return)
    text, attachments = blocker.args
    assert text == ""
    assert [a.name for a in attachments] == ["a.png"]
    assert composer.attachments() == []


def test_drop_image_file_attaches(tmp_path: Path, composer: Composer) -> None:
    path = tmp_path / "cat.png"
    path.write_bytes(_png())
    _drop(composer.editor().viewport(), [path])
    assert [(a.name, a.mime) for a in composer.attachments()] == [("cat.png", "image/png")]
    assert composer.text() == ""


def test_drop_non_image_refused_with_message(qtbot, tmp_path: Path) -> None:
    widget = Composer()
    widget._notice_timer.setInterval(100)
    qtbot.addWidget(widget)
    widget.show()
    path = tmp_path / "notes.txt"
    path.write_text("not an image")
    _drop(widget.editor().viewport(), [path])
    assert widget.attachments() == []
    assert widget.text() == ""
    assert "notes.txt" in widget.notice()
    qtbot.waitUntil(lambda: widget.notice() == "", timeout=2000)


def test_drop_on_composer_itself(tmp_path: Path, composer: Composer) -> None:
    good = tmp_path / "ok.png"
    good.write_bytes(_png())
    bad = tmp_path / "doc.pdf"
    bad.write_bytes(b"%PDF-1.4\n")
    _drop(composer, [good, bad])
    assert [a.name for a in composer.attachments()] == ["ok.png"]
    assert "doc.pdf" in composer.notice()


def test_oversized_image_refused(tmp_path: Path, composer: Composer) -> None:
    path = tmp_path / "huge.png"
    with path.open("wb") as handle:
        handle.write(_png())
        handle.truncate(MAX_IMAGE_BYTES + 1)
    _drop(composer.editor().viewport(), [path])
    assert composer.attachments() == []
    assert "huge.png" in composer.notice()
    assert not composer.add_attachment(
        Attachment("big.png", "image/png", b"0" * (MAX_IMAGE_BYTES + 1))
    )


def test_thumbnail_remove_button(qtbot, composer: Composer) -> None:
    composer.set_attachments(
        [Attachment("a.png", "image/png", _png()), Attachment("b.png", "image/png", _png())]
    )
    buttons = [b for b in composer.findChildren(QToolButton) if b.text() == "×" and b.isVisible()]
    assert len(buttons) == 2
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert [a.name for a in composer.attachments()] == ["b.png"]
