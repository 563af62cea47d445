"""A qasync loop for tests that drive the app with many short run_until_complete calls."""

from __future__ import annotations

import asyncio

from chatdesk.eventloop import EventLoop


class TestLoop(EventLoop):
    """Keeps the loop marked as running between run_until_complete calls.

    WORKAROUND: qasync's run_until_complete ends with a processEvents() after it has
    cleared the running loop, so an asyncio callback that Qt delivers then (anyio's
    connect tasks inside httpx) fails with "no running event loop". The real app runs
    the loop once and never sees this.
    """

    __test__ = False  # not a pytest test class

    def _after_run_forever(self) -> None:
        super()._after_run_forever()
        asyncio.events._set_running_loop(self)

    def release(self) -> None:
        asyncio.events._set_running_loop(None)
