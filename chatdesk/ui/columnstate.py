"""Where a compare column's turn is (its own module: the compare controllers, built at
every start, ask only this, and importing the column widget with its diff view and
figure strip for it cost ~3 ms and ~0.4 MiB of idle memory before any comparison)."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ColumnState"]


class ColumnState(StrEnum):
    """Where a column's turn is. The state line's text is the controller's (in the
    user's language); this is what code asks, never that text."""

    IDLE = "idle"  # nothing running, nothing to say
    WAITING = "waiting"  # sent, no token yet
    STREAMING = "streaming"
    TOOLS = "tools"  # tool calls running
    DONE = "done"  # answered (the line may carry a note: an attempt, the tools' notes)
    STOPPED = "stopped"
    FAILED = "failed"  # the server's error, or the answer could not be saved
