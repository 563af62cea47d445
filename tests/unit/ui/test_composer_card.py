"""The composer card: a text box that grows with its lines, chips, icon buttons, Send/Stop."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton, QVBoxLayout, QWidget

from chatdesk.ui.composer import Attachment, Composer
from tests.unit.ui.test_composer import _png

pytestmark = pytest.mark.ui


@pytest.fixture
def hosted(qtbot) -> tuple[QWidget, Composer]:
    """A composer at the bottom of a 900 px high window, as in the main window."""
    window = QWidget()
    layout = QVBoxLayout(window)
    layout.addWidget(QWidget(), 1)
    composer = Composer()
    layout.addWidget(composer)
    qtbot.addWidget(window)
    window.resize(800, 900)
    window.show()
    qtbot.waitExposed(window)
    return window, composer


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def test_text_box_is_one_line_when_empty_and_grows_to_a_third(hosted) -> None:
    window, composer = hosted
    _settle()
    line = composer.editor().fontMetrics().lineSpacing()
    empty = composer.text_box_height()
    assert line <= empty < 2 * line
    composer.set_text("one\ntwo\nthree\nfour")
    _settle()
    four = composer.text_box_height()
    assert four >= empty + 3 * line - 2
    assert composer.editor().verticalScrollBar().maximum() == 0  # all four lines shown
    composer.set_text("\n".join(f"line {i}" for i in range(200)))
    _settle()
    assert composer.height() <= window.height() // 3 + 1
    assert composer.text_box_height() > four
    assert composer.editor().verticalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
    # A lower window lowers the cap.
    window.resize(800, 600)
    _settle()
    assert composer.height() <= 600 // 3 + 1
    composer.clear()
    _settle()
    assert composer.text_box_height() == empty


def test_long_line_wraps_and_grows(hosted) -> None:
    _window, composer = hosted
    _settle()
    empty = composer.text_box_height()
    composer.set_text("word " * 200)  # one paragraph, many visual lines
    _settle()
    assert composer.text_box_height() > 2 * empty


def test_send_turns_into_stop_with_names_and_icons(hosted) -> None:
    _window, composer = hosted
    button = composer.send_button()
    assert button.accessibleName() == "Send" and "Enter" in button.toolTip()
    assert not button.icon().isNull()
    send_icon = button.icon().cacheKey()
    composer.set_busy(True)
    assert button.text() == "Stop" and button.accessibleName() == "Stop"
    assert "Esc" in button.toolTip()
    assert button.icon().cacheKey() != send_icon  # the arrow became a square
    composer.set_busy(False)
    assert button.icon().cacheKey() == send_icon


def test_placeholder_names_the_send_key(hosted) -> None:
    _window, composer = hosted
    assert "Enter to send, Shift+Enter for a new line" in composer.editor().placeholderText()
    composer.set_send_key("ctrl+enter")
    assert "Ctrl+Enter to send" in composer.editor().placeholderText()


def test_buttons_are_icons_inside_the_card_and_reachable(hosted) -> None:
    _window, composer = hosted
    card = composer.findChild(QWidget, "composer-card")
    assert card is not None
    buttons = [b for b in card.findChildren(QToolButton) if b.isVisible()]
    names = {b.accessibleName() for b in buttons}
    assert {"Attach images", "Send"} <= names
    for b in buttons:
        assert b.toolTip() and b.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert b.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
    # Tab from the text goes to the card's buttons.
    composer.focus_input()
    _settle()
    focus = composer.editor().nextInFocusChain()
    while not focus.focusPolicy() & Qt.FocusPolicy.TabFocus:
        focus = focus.nextInFocusChain()
    assert focus in buttons


def test_attachments_are_chips_with_a_named_remove(hosted) -> None:
    _window, composer = hosted
    composer.set_attachments([Attachment("cat.png", "image/png", _png())])
    _settle()
    chip = composer.findChild(QWidget, "attachment-chip")
    assert chip is not None and chip.isVisible()
    remove = chip.findChild(QToolButton)
    assert remove.accessibleName() == "Remove cat.png"
    remove.click()
    assert composer.attachments() == []
