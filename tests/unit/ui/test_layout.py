"""Layout at small sizes, in English and Chinese (issue 11): nothing overflows or clips."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QAccessible
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

from chatdesk.ui.mainwindow import MainWindow
from tests.unit.ui.harness import Harness

pytestmark = pytest.mark.ui

LONG_STATUS = "Server: relay-example-gateway-with-a-long-name (models from the server, cached)"


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


def _header_parts(w: MainWindow) -> list[QWidget]:
    header = w.header
    return [c for c in header.findChildren(QWidget) if c.parentWidget() is header
            and c.isVisibleTo(header) and not c.isWindow()]  # fmt: skip


def _check_header(w: MainWindow, where: object) -> None:
    header = w.header
    parts = _header_parts(w)
    assert len(parts) >= 5, where  # title, pill, tools, parameters, compare, more
    for k, a in enumerate(parts):
        assert a.width() > 0 and _inside(a, header), (where, a.objectName(), a.geometry())
        for b in parts[k + 1 :]:
            assert not a.geometry().intersects(b.geometry()), (
                where, a.objectName(), b.objectName(), a.geometry(), b.geometry()
            )  # fmt: skip
    for button in header.findChildren(QToolButton):
        if not button.isVisibleTo(header):
            continue
        # Icon-only buttons still say what they do; the pill's words fit (elided to fit).
        iface = QAccessible.queryAccessibleInterface(button)
        name = iface.text(QAccessible.Text.Name) if iface is not None else ""
        assert button.toolTip() and name, button.objectName()
        if button is header.pill:
            room = button.width() - button.iconSize().width() - 16
            assert button.fontMetrics().horizontalAdvance(button.text()) <= room, where


@pytest.mark.parametrize("size", [(800, 600), (1180, 780), (1920, 1080)])
def test_the_header_row_fits_without_overlap(
    language: str, harness: Harness, qapp: QApplication, size: tuple[int, int]
) -> None:
    w = harness.window
    # What the controller put there: the server by name or host, no address.
    harness.wait(lambda: w.status_label.text() != "")
    visible = [w.status_label.text(), w.header.pill.text(), w.header.title.label.text()]
    assert not any("://" in text for text in visible), visible
    _show_at(harness, qapp, *size)
    assert w.width() == size[0], "the header must not force the window wider"
    _check_header(w, size)
    # A long status is elided, and kept whole in the tooltip.
    assert w.status_label.text() == LONG_STATUS
    assert w.status_label.toolTip() == LONG_STATUS
    # With the Parameters drawer open too (the narrowest the row gets); the status line
    # stays on screen.
    w.params_action.setChecked(True)
    for _ in range(5):
        qapp.processEvents()
    _check_header(w, (size, "drawer"))
    assert w.header.width() >= w.READABLE_WIDTH
    status = w.status_label
    assert status.isVisible() and status.width() >= w.READABLE_WIDTH - 40
    assert _inside(status, w) and status.height() >= status.fontMetrics().height()


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
