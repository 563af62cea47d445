"""Compare headers lay out at every window size: no part over another, every word fits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QToolButton, QWidget

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import MODELS, send, start

SIZES = [(800, 600), (1180, 780), (1920, 1080)]
LONG = "anthropic/claude-sonnet-4-5-20250929-thinking-extended"  # a relay's long id


def _settle() -> None:
    for _ in range(6):
        QApplication.processEvents()


def _text_fits(button: QAbstractButton) -> bool:
    """The button's words fit inside it (icon-only buttons show no words)."""
    shown = getattr(button, "shown_text", None)  # an elided button: the text it draws
    text = (shown() if callable(shown) else button.text()).replace("&", "")
    if not text:
        return True
    if isinstance(button, QToolButton):
        if button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly:
            return True
    needed = button.fontMetrics().horizontalAdvance(text)
    if not button.icon().isNull():
        needed += button.iconSize().width()
    if isinstance(button, QCheckBox):
        needed += 16  # the box itself
    return needed <= button.width()


def _check(h: Harness, where: str) -> None:
    view = h.desk.compare.view
    # Nothing is laid out past the window's edge (a minimum wider than the window is
    # clipped, not shown: the right-hand column and buttons were cut off).
    right = view.mapTo(h.window, view.rect().topRight()).x()
    assert right < h.window.width(), (where, right, h.window.width())
    assert h.window.minimumSizeHint().width() <= h.window.width(), where
    for column in view.columns:
        edge = column.mapTo(h.window, column.rect().topRight()).x()
        assert edge < h.window.width(), (where, column.label, edge)
    for column in view.columns:
        parts: list[QWidget] = []
        head = column.layout().itemAt(0).layout()  # the header row
        for i in range(head.count()):
            widget = head.itemAt(i).widget()
            if widget is not None and widget.isVisibleTo(column):
                parts.append(widget)
        inside = QRect(0, 0, column.width(), column.height())
        for k, a in enumerate(parts):
            assert a.width() > 0, (where, a.objectName())
            assert inside.contains(a.geometry()), (where, a.objectName(), a.geometry())
            for b in parts[k + 1 :]:
                assert not a.geometry().intersects(b.geometry()), (
                    where, column.label, type(a).__name__, type(b).__name__,
                    a.geometry(), b.geometry(),
                )  # fmt: skip
        assert column.picker.isHidden() or column.picker.width() >= column.PICKER_MIN
        for button in column.findChildren(QAbstractButton):
            if button.isVisibleTo(column):
                assert _text_fits(button), (where, column.label, button.text(), button.width())
    for button in view.findChildren(QAbstractButton):
        if button.isVisibleTo(view) and not any(button in c.findChildren(QAbstractButton)
                                                for c in view.columns):  # fmt: skip
            assert _text_fits(button), (where, button.text(), button.width())


@pytest.mark.parametrize("count", [2, 3, 4])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_headers_lay_out_without_overlap(harness: Harness, size: tuple[int, int],
                                         count: int) -> None:  # fmt: skip
    h = harness
    h.window.resize(*size)
    models = [LONG] + MODELS[1:count]
    for m in models:
        h.server.script_for(m, Reply(text=f"answer of {m}"))
    ctl = start(h, models)
    _settle()
    assert h.window.width() == size[0]
    _check(h, f"{size} {count} new")
    # Long names are cut with "…", the whole id in the tooltip.
    send(h, "hello")
    _settle()
    assert h.window.width() == size[0]
    _check(h, f"{size} {count} sent")
    # The model pill ("provider · model") elides; the whole id is in its tooltip.
    name = ctl.view.columns[0].name_label
    assert name.isVisibleTo(ctl.view.columns[0]) and name.toolTip().endswith(LONG)
    assert name.text().endswith(LONG) and name.focusPolicy() != Qt.FocusPolicy.NoFocus
    if size[0] < 1900:
        assert name.fontMetrics().horizontalAdvance(LONG) > name.width()
        assert "…" in name.shown_text()
