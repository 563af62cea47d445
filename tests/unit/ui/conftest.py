"""UI tests: garbage is collected between tests only."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def collect_garbage_at_safe_points() -> Iterator[None]:
    """WORKAROUND: collect Python garbage only between tests, never inside a Qt callback.

    A widget left in a reference cycle by an earlier test can be collected by an
    automatic GC run that happens to start inside its own QTimer callback; Qt then
    returns into a freed object and the process segfaults. The app does the same
    (chatdesk.app runs gc from a timer).
    """
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


@pytest.fixture(autouse=True)
def app_look_restored() -> Iterator[None]:
    """Each test starts with the same application font, palette and style.

    A test that applies settings (a larger font size, the dark theme) changes the one
    QApplication every later test shares; a layout test after it would measure
    widgets in the wrong font.
    """
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        yield
        return
    font, palette = app.font(), app.palette()
    style = app.style().name() if app.style() is not None else ""
    sheet, dark = app.styleSheet(), app.property("chatdesk_dark")
    try:
        yield
    finally:
        if style and app.style().name() != style:
            app.setStyle(style)
        app.setFont(font)
        app.setPalette(palette)
        app.setStyleSheet(sheet)
        app.setProperty("chatdesk_dark", dark)


from tests.unit.ui.harness import harness  # noqa: E402,F401 (the fixture, for every UI test)
