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


from tests.unit.ui.harness import harness  # noqa: E402,F401 (the fixture, for every UI test)
