"""The Qt event loop that runs asyncio (qasync), with asyncio's async-generator hooks.

WORKAROUND: qasync's ``run_forever`` does not install the async-generator hooks that
asyncio's own loops install. Without them, an async generator left suspended (httpx
and httpcore leave one behind whenever a response is closed before its end, e.g. on
Stop) is finalised by the garbage collector outside the loop: its cleanup awaits,
fails with "no running event loop", and Python reports "async generator ignored
GeneratorExit". With the hooks, the loop closes such generators itself, as a task.
"""

from __future__ import annotations

import sys
from typing import Any

import qasync


class EventLoop(qasync.QEventLoop):
    """qasync's loop, closing abandoned async generators inside the loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.install_asyncgen_hooks()

    def install_asyncgen_hooks(self) -> None:
        """Route async-generator finalisation to this loop (the thread's loop from now)."""
        sys.set_asyncgen_hooks(
            firstiter=self._asyncgen_firstiter_hook,
            finalizer=self._asyncgen_finalizer_hook,
        )

    def close(self) -> None:
        hooks = sys.get_asyncgen_hooks()
        if getattr(hooks.finalizer, "__self__", None) is self:
            sys.set_asyncgen_hooks(firstiter=None, finalizer=None)
        super().close()
