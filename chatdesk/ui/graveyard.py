"""Documents no longer shown, released a few at a time for all views together.

Freeing a long answer's hundreds of documents at once stalls the window, so views hand
them here instead. One budget serves every view: four compare columns that each freed
their own share every 10 ms took 80 % of the thread when a new comparison replaced
four long answers, and the new comparison's requests left ~40 ms late. Now at most
:data:`BUDGET_S` of every :data:`INTERVAL_MS` goes to it (an eighth of the thread); a
long answer's documents are gone within a second or two.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["bury", "pending"]

BUDGET_S = 0.002
INTERVAL_MS = 16


class _Graveyard(QObject):
    def __init__(self, app: QCoreApplication) -> None:
        super().__init__(app)
        self.dead: list[Any] = []
        self.timer = QTimer(self)
        self.timer.setInterval(INTERVAL_MS)
        self.timer.timeout.connect(self.release_some)
        # Whatever is left goes while Qt still runs, not at interpreter exit.
        app.aboutToQuit.connect(self.dead.clear)

    def release_some(self) -> None:
        end = time.perf_counter() + BUDGET_S
        dead = self.dead
        while dead and time.perf_counter() < end:
            dead.pop()
        if not dead:
            self.timer.stop()


_YARD: list[_Graveyard] = []


def bury(objects: Iterable[Any]) -> None:
    """Keep ``objects`` alive until their turn to be released comes."""
    app = QCoreApplication.instance()
    if app is None:  # no event loop to release them from: let them go now
        return
    if not _YARD or _YARD[0].parent() is not app:
        _YARD[:] = [_Graveyard(app)]
    yard = _YARD[0]
    yard.dead.extend(objects)
    if yard.dead and not yard.timer.isActive():
        yard.timer.start()


def pending() -> int:
    """How many objects wait to be released (for tests)."""
    return len(_YARD[0].dead) if _YARD else 0
