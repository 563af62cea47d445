"""What a prompt-set run is made of and tells: stored specs, progress, its observer.

Split from :mod:`chatdesk.core.runs.batch` (the scheduler) so a window can build run specs
and observe progress without reading the scheduler. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatdesk.core.clients import ClientPool
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.runs.batch import BatchRunner
    from chatdesk.core.services import Endpoint
    from chatdesk.store import Store
    from chatdesk.store.runs import JudgementKey

__all__ = [
    "BatchObserver",
    "BatchOutcome",
    "BatchProgress",
    "Connect",
    "column_spec",
    "judge_spec",
    "spec_connector",
]

#: Maps a column or judge spec to the client to use and its endpoint.
Connect = Callable[[Mapping[str, Any]], "tuple[Any, Endpoint]"]


# --------------------------------------------------------------------------- specs


def column_spec(
    model: str,
    endpoint: Endpoint,
    params: Mapping[str, Any] | None = None,
    *,
    system: str | None = None,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What a run stores of a model column: enough to send the same request on resume."""
    return {
        "model": model,
        "provider": endpoint.name,
        "base_url": endpoint.base_url,
        "params": dict(params or {}),
        "system": system or None,
        "extra_body": dict(extra_body) if extra_body else None,
    }


def judge_spec(
    model: str,
    endpoint: Endpoint,
    template: str,
    params: Mapping[str, Any] | None = None,
    *,
    extra_body: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The run's judge, with the template text itself (a resume judges with the same
    prompt even if the user's template file changed meanwhile)."""
    spec = column_spec(model, endpoint, params, extra_body=extra_body)
    spec["template"] = template
    return spec


def spec_connector(
    store: Store, pool: ClientPool, keys: KeyStore | None = None, **overrides: Any
) -> Connect:
    """A :data:`Connect` for stored specs: the named provider (as configured now), else
    the stored base URL; clients from ``pool`` that leave 429 to the run's gates."""
    from chatdesk.core.keys import KeyStore
    from chatdesk.core.services import resolve_endpoint

    found: dict[tuple[str | None, str | None], Endpoint] = {}
    key_store = keys or KeyStore()

    def connect(spec: Mapping[str, Any]) -> tuple[Any, Endpoint]:
        provider = spec.get("provider") if isinstance(spec.get("provider"), str) else None
        base_url = spec.get("base_url") if isinstance(spec.get("base_url"), str) else None
        endpoint = found.get((provider, base_url))
        if endpoint is None:
            endpoint = resolve_endpoint(
                store, key_store, provider=provider, base_url=None if provider else base_url
            )
            found[(provider, base_url)] = endpoint
        return pool.get(endpoint, retry_rate_limits=False, **overrides), endpoint

    return connect


# --------------------------------------------------------------------------- progress


@dataclass(slots=True)
class BatchProgress:
    """Where a run is. ``cost`` is per currency (answers and this session's judge
    calls, where prices exist); ``eta_s`` comes from the rate so far."""

    run_id: int
    cells_total: int
    cells_done: int = 0
    cells_failed: int = 0
    judge_total: int = 0
    judge_done: int = 0
    judge_failed: int = 0
    cost: dict[str, float] = field(default_factory=dict)
    elapsed_s: float = 0.0
    eta_s: float | None = None
    in_flight: int = 0
    paused: dict[str, float] = field(default_factory=dict)  # provider -> seconds left


@dataclass(slots=True)
class BatchOutcome:
    """How a drive ended: ``status`` is the run's new status (done, failed, stopped)."""

    run_id: int
    status: str
    progress: BatchProgress
    requests: int = 0  # requests sent by this drive (429 retries included)
    failure: BaseException | None = None  # the store refused a write: the run stopped

    @property
    def complete(self) -> bool:
        """Every cell answered (judge failures aside)."""
        p = self.progress
        return p.cells_done == p.cells_total


class BatchObserver:
    """Override what you need; every hook runs on the event loop's thread."""

    def cell_started(self, runner: BatchRunner, run_id: int, prompt: int, model: int) -> None:
        """A cell's request goes out."""

    def cell_saved(
        self, runner: BatchRunner, run_id: int, prompt: int, model: int, status: str
    ) -> None:
        """A cell was saved ``done``, ``error`` or (stopped with text) ``pending``."""

    def judgement_saved(
        self, runner: BatchRunner, run_id: int, key: JudgementKey, status: str
    ) -> None:
        """A judge reply (or its failure) was saved."""

    def provider_paused(self, runner: BatchRunner, provider: str, seconds: float) -> None:
        """A 429: no new request goes to ``provider`` for ``seconds``."""

    def progress(self, runner: BatchRunner, progress: BatchProgress) -> None:
        """Counts changed (after every saved request, and once at the start)."""

    def run_finished(self, runner: BatchRunner, outcome: BatchOutcome) -> None:
        """The drive is over (finished, failed cells left, or stopped)."""


class RunBusy(ValueError):
    """The run is going on in another runner (a window, a terminal): asking its cells
    twice would pay for them twice, so it is refused."""

    def __init__(self, run_id: int) -> None:
        super().__init__(f"run {run_id} is going on in another ChatDesk window or terminal")
        self.run_id = run_id
