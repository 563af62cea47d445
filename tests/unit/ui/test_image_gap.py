"""No empty gap under an attached image (issue 15): the thumbnail's line is as tall as
the thumbnail, not 140 % of it like the text paragraphs of a message."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import MessageRow
from chatdesk.ui.messagedocs import Thumbnails
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView


def png(w: int, h: int) -> bytes:
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("red"))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


def foot_height(qtbot: QtBot, parts: list[dict[str, str]]) -> float:
    model = MessageListModel(image_loader=lambda _h: (png(480, 320), "image/png"))
    view = MessageView(model)
    qtbot.addWidget(view)
    view.resize(800, 700)
    view.show()
    qtbot.waitExposed(view)
    model.append_message(MessageRow(1, 1, None, "user", "look at this", parts=parts))
    qtbot.waitUntil(lambda: 1 in view._items, timeout=5000)  # noqa: SLF001
    # The whole message: a user's footer holds only images (nothing when there are none).
    return float(view._items[1].height)  # noqa: SLF001


def test_the_message_grows_by_the_thumbnail_only(qtbot: QtBot) -> None:
    text = {"type": "text", "text": "look at this"}
    without = foot_height(qtbot, [text])
    with_image = foot_height(qtbot, [text, {"type": "image", "hash": "abc"}])
    thumb_h = Thumbnails.SIZE[1]  # 480x320 scaled into 240x160
    grown = with_image - without
    assert thumb_h <= grown <= thumb_h + 20, grown  # was 240 px: a 64 px empty gap
