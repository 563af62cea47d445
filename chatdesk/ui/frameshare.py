"""Views that share one event loop and one window update take turns to render.

Several message views (the compare columns) paint in the same window update and run
their idle timers in the same loop turn; each rendering its own slice would add up to
one long stall. :func:`paint_pass_deadline` hands the paint budget to one view per
window update; :func:`take_turn` / :func:`slice_done` space out idle slices.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer

__all__ = ["paint_pass_deadline", "paint_pass_release", "slice_done", "take_turn"]

# When the last render slice of any view ended, and which view rendered it.
_LAST_SLICE: list[Any] = [0.0, None]


class _PaintPass:
    """The views painted in one window update, and whose turn it is to render."""

    open = False
    wanting: list[int] = []  # views that asked for rendering time and still want some
    turn: int | None = None  # the view given the budget in this pass
    served: dict[int, float] = {}  # view -> when it last had the budget


def paint_pass_deadline(view: int, budget_s: float) -> float:
    """When the view ``view`` (an id), painting now, must stop rendering blocks.

    The views painted in one window update (the four compare columns are painted in
    one go) take turns: one of them renders for ``budget_s``, the others draw what they
    have and ask for another paint. The turn goes to the view that has waited longest
    among those that asked last time, so no column starves; a view alone always has it.
    Before, each view gave itself the whole budget and four columns made 20 ms frames.
    """
    now = time.perf_counter()
    if not _PaintPass.open:
        _PaintPass.open = True
        _PaintPass.wanting = []
        QTimer.singleShot(0, _close_paint_pass)
    _PaintPass.wanting.append(view)
    if _PaintPass.turn is None or _PaintPass.turn == view:
        _PaintPass.turn = view
        _PaintPass.served[view] = now
        return now + budget_s
    return 0.0


def paint_pass_release(view: int) -> None:
    """The view ``view`` rendered all it needed: it does not want the next pass's turn.

    Without this, a view that finished in its turn kept the turn for the next pass, and
    the next column to stream (another view) drew its new blocks blank, then asked for
    one more paint: two paints for each of its updates.
    """
    if _PaintPass.open:
        _PaintPass.wanting = [v for v in _PaintPass.wanting if v != view]


def _close_paint_pass() -> None:
    """Give the next pass's turn to the view that has waited longest."""
    _PaintPass.open = False
    served = _PaintPass.served
    wanting = _PaintPass.wanting
    _PaintPass.turn = min(wanting, key=lambda v: served.get(v, 0.0)) if wanting else None
    if len(served) > 64:  # views come and go (compare columns): forget the old ones
        for key in sorted(served, key=served.__getitem__)[:-16]:
            del served[key]


def take_turn(owner: object, slice_s: float, wake: Callable[[], None]) -> bool:
    """Whether ``owner`` (a view's renderer) may render a slice of ``slice_s`` now.

    Several views (compare columns) share one event loop: when their timers fire
    in the same loop turn, each slice would add to one long stall. A view whose
    neighbour has just rendered waits a few ms (``wake`` is called then), so the loop
    gets a turn between.
    """
    now = time.perf_counter()
    if now - _LAST_SLICE[0] < slice_s * 1.5 and _LAST_SLICE[1] is not owner:
        QTimer.singleShot(6, wake)
        return False
    return True


def slice_done(owner: object) -> None:
    """``owner`` has just rendered a slice: its neighbours wait before their next one."""
    _LAST_SLICE[0] = time.perf_counter()
    _LAST_SLICE[1] = owner
