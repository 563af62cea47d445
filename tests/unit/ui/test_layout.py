"""Layout at small sizes, in English and Chinese (issue 11): nothing overflows or clips."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QToolButton,
    QWidget,
)

from tests.unit.ui.harness import Harness

pytestmark = pytest.mark.ui

LONG_STATUS = "Server: https://relay.example-gateway.com:8443/v1/with/a/long/path"


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The app's translators for one language (requested before ``harness``: the window
    is built with them)."""
    from chatdesk.app import install_translations

    translators = install_translations(qapp, request.param)
    try:
        yield request.param
    finally:
        for translator in translators:
            qapp.removeTranslator(translator)


def _show_at(h: Harness, qapp: QApplication, width: int, height: int) -> None:
    h.window.resize(width, height)
    h.window.set_status(LONG_STATUS)
    for _ in range(5):
        qapp.processEvents()


def _inside(child: QWidget, ancestor: QWidget) -> bool:
    top_left = child.mapTo(ancestor, child.rect().topLeft())
    return ancestor.rect().contains(QRect(top_left, child.size()))


@pytest.mark.parametrize("size", [(800, 600), (1180, 780), (1920, 1080)])
def test_every_toolbar_action_is_visible(
    language: str, harness: Harness, qapp: QApplication, size: tuple[int, int]
) -> None:
    w = harness.window
    _show_at(harness, qapp, *size)
    assert w.width() == size[0], "the toolbar must not force the window wider"
    bar = w.toolbar
    extension = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert extension is None or not extension.isVisible(), "actions overflow into »"
    shown = 0
    for action in bar.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        widget = bar.widgetForAction(action)
        assert widget is not None and widget.isVisible(), action.text()
        assert _inside(widget, bar), action.text() or type(widget).__name__
        shown += 1
    assert shown >= 6  # model, temperature, parameters, presets, compare, status, settings
    # Icon-only buttons still say what they do.
    for button in bar.findChildren(QToolButton):
        if button.isVisible() and button.objectName() != "qt_toolbar_ext_button":
            assert button.toolTip() or button.accessibleName() or button.text()
    # The long server address is elided, and kept whole in the tooltip.
    assert w.status_label.text() == LONG_STATUS
    assert w.status_label.toolTip() == LONG_STATUS


def test_parameters_panel_fields_are_not_clipped_at_800x600(
    language: str, harness: Harness, qapp: QApplication
) -> None:
    w = harness.window
    _show_at(harness, qapp, 800, 600)
    w.params_action.setChecked(True)
    for _ in range(5):
        qapp.processEvents()
    assert w.params_dock.isVisible()
    assert w.width() == 800
    panel = w.params_panel
    scroll = panel.findChild(QScrollArea)
    assert scroll is not None
    inner = scroll.widget()
    # No horizontal scrolling: the fields' column fits the drawer.
    assert inner.width() <= scroll.viewport().width()
    assert inner.width() >= inner.minimumSizeHint().width()
    checked = 0
    kinds = (QAbstractSpinBox, QAbstractButton, QLabel, QLineEdit, QComboBox)
    for field in inner.findChildren(QWidget):
        if not isinstance(field, kinds) or not field.isVisibleTo(inner):
            continue
        if isinstance(field, QAbstractSpinBox | QAbstractButton | QLabel):
            # These clip their text (or spin arrows) below their size hint.
            assert field.width() >= field.sizeHint().width(), (type(field).__name__, field)
        else:
            assert field.width() >= field.minimumSizeHint().width(), type(field).__name__
        assert _inside(field, inner)
        checked += 1
    assert checked >= 15
    # The conversation stays readable beside the drawer.
    assert w.centre.width() >= w.READABLE_WIDTH
