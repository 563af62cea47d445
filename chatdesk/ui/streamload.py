"""Which message views are streaming right now, for work that can wait or thin out.

Four compare columns streaming at full speed share the window's one thread with the
client reading their four streams. Two kinds of view work adapt to that: a view's
flush interval grows with the number of views streaming and the cost of its last
update (:class:`~chatdesk.ui.messagemodel.MessageListModel`), and a finished view
renders its off-screen blocks only once the others are quiet
(:class:`~chatdesk.ui.messagecanvas.MessageCanvas`), instead of competing with their
streams for the thread. Views say they streamed through :func:`note_streamed`; the
record is by time, so a view that stops (or is closed) drops out by itself.
"""

from __future__ import annotations

import time

__all__ = ["QUIET_S", "note_streamed", "others_streaming", "streaming_count"]

QUIET_S = 0.25  # a view that showed no streamed text for this long no longer counts

_LAST: dict[int, float] = {}  # id of the streaming view (its model) -> when it last flushed


def note_streamed(owner: object) -> None:
    """``owner`` (a view's model) has just shown streamed text."""
    now = time.perf_counter()
    _LAST[id(owner)] = now
    if len(_LAST) > 32:  # views come and go: forget the quiet ones
        for key in [k for k, t in _LAST.items() if now - t > QUIET_S]:
            del _LAST[key]


def streaming_count() -> int:
    """How many views showed streamed text within the last :data:`QUIET_S`."""
    now = time.perf_counter()
    return sum(1 for t in _LAST.values() if now - t <= QUIET_S)


def others_streaming(owner: object) -> bool:
    """Whether a view other than ``owner`` showed streamed text within :data:`QUIET_S`."""
    now = time.perf_counter()
    me = id(owner)
    return any(now - t <= QUIET_S for k, t in _LAST.items() if k != me)


def forget(owner: object) -> None:
    """``owner`` streams no more (for tests and views that know it)."""
    _LAST.pop(id(owner), None)
