"""Prompt-set runs in the history database: the run, its prompts, cells and judgements.

A run survives anything (kill -9, power cut): each cell (prompt x model column) and
each judge reply is written in its own short transaction as it completes, and a row
saved ``done`` is final (a late or repeated write cannot replace it). What is still
to do is read back from the tables (:meth:`RunRepository.cells_to_do`,
:meth:`RunRepository.judgements_to_do`), so resuming never asks a done cell again.
Reach it as ``store.runs``; no Qt, no HTTP.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any, Protocol

from chatdesk.store import live
from chatdesk.store.common import model_columns
from chatdesk.store.errors import guarded

if TYPE_CHECKING:
    from chatdesk.store.db import Store

__all__ = [
    "CELL_STATUSES",
    "MAX_COLUMNS",
    "RUN_STATUSES",
    "CellRow",
    "JudgementKey",
    "JudgementRow",
    "PromptLike",
    "RunPrompt",
    "RunRepository",
    "RunRow",
]

RUN_STATUSES = ("pending", "running", "stopped", "done", "failed")
CELL_STATUSES = ("pending", "done", "error")
JUDGEMENT_STATUSES = ("done", "error")
MAX_COLUMNS = 4
MAX_PROMPTS = 100_000
MAX_CONCURRENCY = 64
#: Longest stored error message (a server's message, not a page of HTML).
MAX_ERROR_CHARS = 2_000
_RUN_SELECT = (
    "SELECT id, name, created, updated, models, judge, concurrency, status, prompt_count,"
    " options, (SELECT count(*) FROM run_cells c WHERE c.run_id = runs.id"
    " AND c.status = 'done'), (SELECT count(*) FROM run_cells c WHERE c.run_id = runs.id"
    " AND c.status = 'error') FROM runs"
)
_CELL_COLUMNS = (
    "prompt_index, model_index, status, content, finish_reason, usage, ttft_ms,"
    " duration_ms, speed, cost, currency, error, updated"
)


class PromptLike(Protocol):
    """What a run stores of a prompt (``chatdesk.core.runs.promptset.PromptItem`` fits)."""

    @property
    def id(self) -> str | None: ...

    @property
    def prompt(self) -> str: ...

    @property
    def system(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class RunPrompt:
    """One prompt of a stored run, at its 0-based ``index`` (the grid's row)."""

    index: int
    id: str | None
    prompt: str
    system: str | None = None


@dataclass(slots=True)
class RunRow:
    """A run with its progress: ``columns`` are ``{model, provider, params}`` specs."""

    id: int
    name: str
    created: float
    updated: float
    columns: list[dict[str, Any]]
    judge: dict[str, Any] | None
    concurrency: int
    status: str
    prompt_count: int
    options: dict[str, Any] = field(default_factory=dict)
    done_cells: int = 0
    error_cells: int = 0

    @property
    def total_cells(self) -> int:
        return self.prompt_count * len(self.columns)

    @property
    def models(self) -> list[str]:
        return [str(c.get("model", "")) for c in self.columns]


@dataclass(slots=True)
class CellRow:
    """One answer (prompt x column) as saved; ``error`` is ``{category, http_status,
    message}`` for a failed cell."""

    prompt_index: int
    model_index: int
    status: str
    content: str = ""
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    ttft_ms: float | None = None
    duration_ms: float | None = None
    tokens_per_s: float | None = None
    cost: float | None = None
    currency: str | None = None
    error: dict[str, Any] | None = None
    updated: float = 0.0


@dataclass(frozen=True, slots=True)
class JudgementKey:
    """One judge request: prompt, columns ``a_index < b_index``, and the ``order``
    the answers were shown in ("AB": column a's answer is answer A)."""

    prompt_index: int
    a_index: int
    b_index: int
    order: str


@dataclass(slots=True)
class JudgementRow:
    """A saved judge reply and the verdict read from it (``None``: none found)."""

    key: JudgementKey
    status: str
    reply: str = ""
    verdict: str | None = None
    error: dict[str, Any] | None = None
    updated: float = 0.0


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def _number(value: Any) -> float | None:
    """A finite, non-negative number, else ``None`` (figures come from the wire)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and 0.0 <= number < 1e15 else None


def _check_error(error: Any) -> str | None:
    if error is None:
        return None
    if not isinstance(error, Mapping):
        raise ValueError("error must be an object {category, http_status, message}")
    status = error.get("http_status")
    clean = {
        "category": str(error.get("category") or "unknown")[:40],
        "http_status": status if isinstance(status, int) and not isinstance(status, bool) else None,
        "message": str(error.get("message") or "")[:MAX_ERROR_CHARS],
    }
    return _dumps(clean)


def _check_columns(columns: Any) -> list[dict[str, Any]]:
    return model_columns(columns, 1, MAX_COLUMNS, f"a run has 1 to {MAX_COLUMNS} model columns")


def _runner_alive(opts: Any) -> bool:
    """Whether the process that set a run ``running`` (``writer`` in its decoded
    options) lives."""
    return isinstance(opts, dict) and live.stamp_alive(opts.get("writer"))


def _run(row: tuple[Any, ...]) -> RunRow:
    (id_, name, created, updated, models, judge, conc, status, count, options, done, errors) = row
    columns = _loads(models)
    opts = _loads(options)
    if not isinstance(opts, dict):
        opts = {}
    if status == "running" and not _runner_alive(opts):
        status = "stopped"  # its process died (a crash, kill -9): as the next start marks it
    opts.pop("writer", None)  # where it runs is the store's business, not the run's
    judge_spec = _loads(judge)
    return RunRow(
        id=id_,
        name=name,
        created=created,
        updated=updated,
        columns=columns if isinstance(columns, list) else [],
        judge=judge_spec if isinstance(judge_spec, dict) else None,
        concurrency=conc,
        status=status,
        prompt_count=count,
        options=opts,
        done_cells=done,
        error_cells=errors,
    )


def _cell(row: tuple[Any, ...]) -> CellRow:
    (p, m, status, content, finish, usage, ttft, duration, speed, cost, cur, error, up) = row
    usage_value = _loads(usage)
    error_value = _loads(error)
    return CellRow(
        prompt_index=p,
        model_index=m,
        status=status,
        content=content,
        finish_reason=finish,
        usage=usage_value if isinstance(usage_value, dict) else None,
        ttft_ms=ttft,
        duration_ms=duration,
        tokens_per_s=speed,
        cost=cost,
        currency=cur,
        error=error_value if isinstance(error_value, dict) else None,
        updated=up,
    )


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class RunRepository:
    """The run tables of one :class:`~chatdesk.store.Store` (same connection and
    transactions; environmental SQLite failures become ``StoreError``)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._shapes: dict[int, tuple[int, int, bool]] = {}

    @property
    def path(self) -> str:
        """The database file (``guarded`` names it in errors)."""
        return self._store.path

    # -- runs -----------------------------------------------------------------

    @guarded
    def create_run(
        self,
        name: str,
        columns: Sequence[Mapping[str, Any]],
        prompts: Sequence[PromptLike],
        *,
        judge: Mapping[str, Any] | None = None,
        concurrency: int = 4,
        options: Mapping[str, Any] | None = None,
        created: float | None = None,
    ) -> int:
        """Store a new run (status ``pending``) with its prompts in full; its id.

        ``columns``: 1 to 4 ``{model, provider, params}`` objects in display order;
        ``judge``: ``{model, provider, params, template}`` or ``None``.
        """
        cols = _check_columns(list(columns))
        if not 1 <= len(prompts) <= MAX_PROMPTS:
            raise ValueError(f"a run has 1 to {MAX_PROMPTS} prompts")
        if isinstance(concurrency, bool) or not 1 <= int(concurrency) <= MAX_CONCURRENCY:
            raise ValueError(f"concurrency must be 1 to {MAX_CONCURRENCY}")
        if judge is not None and (
            not isinstance(judge, Mapping) or not isinstance(judge.get("model"), str)
        ):
            raise ValueError("judge must be an object with a 'model' string, or None")
        rows = []
        for i, item in enumerate(prompts):
            if not isinstance(item.prompt, str) or not item.prompt.strip():
                raise ValueError(f"prompt {i} is empty")
            rows.append((i, item.id, item.prompt, item.system))
        now = time.time() if created is None else created
        with self._store.transaction():
            conn = self._store.conn
            cur = conn.execute(
                "INSERT INTO runs (name, created, updated, models, judge, concurrency,"
                " prompt_count, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    now,
                    now,
                    _dumps(cols),
                    None if judge is None else _dumps(dict(judge)),
                    int(concurrency),
                    len(rows),
                    _dumps(dict(options or {})),
                ),
            )
            run_id = cur.lastrowid
            assert run_id is not None
            conn.executemany(
                "INSERT INTO run_prompts (run_id, prompt_index, prompt_id, prompt, system)"
                " VALUES (?, ?, ?, ?, ?)",
                [(run_id, *row) for row in rows],
            )
        return run_id

    @guarded
    def get_run(self, run_id: int) -> RunRow | None:
        """One run with its progress counts, or ``None``."""
        row = self._store.conn.execute(f"{_RUN_SELECT} WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _run(row)

    @guarded
    def list_runs(self, limit: int = 200, offset: int = 0) -> list[RunRow]:
        """A page of runs, newest first, each with ``done_cells`` and ``total_cells``."""
        rows = self._store.conn.execute(
            f"{_RUN_SELECT} ORDER BY created DESC, id DESC LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_run(r) for r in rows]

    @guarded
    def search_runs(self, text: str, limit: int = 200) -> list[RunRow]:
        """Runs whose name, a model or a prompt contains ``text`` (case-insensitive
        for ASCII, as LIKE is), newest first."""
        pattern = _like(text.strip())
        rows = self._store.conn.execute(
            f"{_RUN_SELECT} WHERE name LIKE ?1 ESCAPE '\\' OR models LIKE ?1 ESCAPE '\\'"
            " OR EXISTS (SELECT 1 FROM run_prompts p WHERE p.run_id = runs.id"
            " AND (p.prompt LIKE ?1 ESCAPE '\\' OR p.prompt_id LIKE ?1 ESCAPE '\\'))"
            " ORDER BY created DESC, id DESC LIMIT ?2",
            (pattern, limit),
        )
        return [_run(r) for r in rows]

    @guarded
    def prompts(self, run_id: int) -> list[RunPrompt]:
        """The run's prompts in order."""
        rows = self._store.conn.execute(
            "SELECT prompt_index, prompt_id, prompt, system FROM run_prompts"
            " WHERE run_id = ? ORDER BY prompt_index",
            (run_id,),
        )
        return [RunPrompt(*r) for r in rows]

    @guarded
    def set_status(self, run_id: int, status: str) -> None:
        """Record where the run is (``pending``, ``running``, ``stopped``, ``done``,
        ``failed``)."""
        if status not in RUN_STATUSES:
            raise ValueError(f"status must be one of {RUN_STATUSES}, not {status!r}")
        with self._store.transaction():
            if status == "running":  # who runs it, so another process can tell it died
                stamp = _dumps(live.writer_stamp(self._store.live_token))
                self._store.conn.execute(
                    "UPDATE runs SET status = ?, updated = ?,"
                    " options = json_set(CASE WHEN json_valid(options) AND"
                    " json_type(options) = 'object' THEN options ELSE '{}' END,"
                    " '$.writer', json(?)) WHERE id = ?",
                    (status, time.time(), stamp, run_id),
                )
                return
            self._store.conn.execute(
                "UPDATE runs SET status = ?, updated = ? WHERE id = ?",
                (status, time.time(), run_id),
            )

    @guarded
    def rename_run(self, run_id: int, name: str) -> None:
        with self._store.transaction():
            self._store.conn.execute(
                "UPDATE runs SET name = ?, updated = ? WHERE id = ?", (name, time.time(), run_id)
            )

    @guarded
    def set_option(self, run_id: int, key: str, value: Any) -> None:
        """Set one key of the run's ``options`` object (the others are kept), in one
        transaction: what the window remembers of a run (a row's comparison...)."""
        with self._store.transaction():
            row = self._store.conn.execute(
                "SELECT options FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise ValueError(f"no run with id {run_id}")
            options = _loads(row[0])
            options = options if isinstance(options, dict) else {}
            options[key] = value
            self._store.conn.execute(
                "UPDATE runs SET options = ? WHERE id = ?", (_dumps(options), run_id)
            )

    @guarded
    def delete_run(self, run_id: int) -> bool:
        """Remove a run with its prompts, cells and judgements; ``True`` if it existed."""
        with self._store.transaction():
            cur = self._store.conn.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        self._shapes.pop(run_id, None)
        return cur.rowcount > 0

    @guarded
    def mark_interrupted(self) -> int:
        """Runs left ``running`` by a process that died become ``stopped``; how many.

        Only those whose runner is gone (``options.writer``: pid and start time, set
        with the status): a run going on in the window is not stopped by a
        ``chatdesk batch`` started beside it. A run with no stamp (saved by an older
        version) counts as dead, as it did before.
        """
        rows = self._store.conn.execute(
            "SELECT id, options FROM runs WHERE status = 'running'"
        ).fetchall()
        dead = [run_id for run_id, options in rows if not _runner_alive(_loads(options))]
        if not dead:
            return 0
        with self._store.transaction():
            self._store.conn.executemany(
                "UPDATE runs SET status = 'stopped' WHERE id = ? AND status = 'running'",
                [(run_id,) for run_id in dead],
            )
        return len(dead)

    # -- cells ----------------------------------------------------------------

    def _shape(self, run_id: int) -> tuple[int, int, bool]:
        """Prompts, columns and whether a judge is set: fixed when a run is created, so
        read once per run (each saved cell asks; a run saves hundreds a second)."""
        shape = self._shapes.get(run_id)
        if shape is not None:
            return shape
        row = self._store.conn.execute(
            "SELECT prompt_count, json_array_length(models), judge IS NOT NULL"
            " FROM runs WHERE id = ?",
            (run_id,),
        ).fetchone()
        if row is None:
            raise ValueError(f"no run with id {run_id}")
        shape = self._shapes[run_id] = (int(row[0]), int(row[1]), bool(row[2]))
        return shape

    @guarded
    def cells(self, run_id: int) -> list[CellRow]:
        """Every saved cell, by prompt then column (a missing cell is still pending)."""
        rows = self._store.conn.execute(
            f"SELECT {_CELL_COLUMNS} FROM run_cells WHERE run_id = ?"
            " ORDER BY prompt_index, model_index",
            (run_id,),
        )
        return [_cell(r) for r in rows]

    @guarded
    def get_cell(self, run_id: int, prompt_index: int, model_index: int) -> CellRow | None:
        """One saved cell, or ``None`` when it was never saved (the judge reads the two
        answers it compares this way, so a run keeps no answers in memory)."""
        row = self._store.conn.execute(
            f"SELECT {_CELL_COLUMNS} FROM run_cells WHERE run_id = ? AND prompt_index = ?"
            " AND model_index = ?",
            (run_id, prompt_index, model_index),
        ).fetchone()
        return None if row is None else _cell(row)

    @guarded
    def cells_to_do(self, run_id: int) -> list[tuple[int, int]]:
        """``(prompt_index, model_index)`` of every cell not saved ``done`` (never
        asked, pending, or failed), prompt by prompt."""
        prompts, columns, _ = self._shape(run_id)
        done = set(
            self._store.conn.execute(
                "SELECT prompt_index, model_index FROM run_cells"
                " WHERE run_id = ? AND status = 'done'",
                (run_id,),
            ).fetchall()
        )
        return [(p, m) for p in range(prompts) for m in range(columns) if (p, m) not in done]

    @guarded
    def save_cell(
        self,
        run_id: int,
        prompt_index: int,
        model_index: int,
        *,
        status: str,
        content: str = "",
        finish_reason: str | None = None,
        usage: Mapping[str, Any] | None = None,
        ttft_ms: float | None = None,
        duration_ms: float | None = None,
        tokens_per_s: float | None = None,
        cost: float | None = None,
        currency: str | None = None,
        error: Mapping[str, Any] | None = None,
    ) -> bool:
        """Save one cell in one short transaction; ``False`` (nothing written) when the
        cell is already ``done``, which is final. Figures that are not finite
        non-negative numbers are stored as unknown."""
        if status not in CELL_STATUSES:
            raise ValueError(f"status must be one of {CELL_STATUSES}, not {status!r}")
        error_text = _check_error(error)
        usage_text = _dumps(dict(usage)) if isinstance(usage, Mapping) else None
        with self._store.transaction():
            prompts, columns, _ = self._shape(run_id)
            if not (0 <= prompt_index < prompts and 0 <= model_index < columns):
                raise ValueError(f"no cell ({prompt_index}, {model_index}) in run {run_id}")
            now = time.time()
            cur = self._store.conn.execute(
                f"INSERT INTO run_cells (run_id, {_CELL_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, prompt_index, model_index) DO UPDATE SET"
                " status = excluded.status, content = excluded.content,"
                " finish_reason = excluded.finish_reason, usage = excluded.usage,"
                " ttft_ms = excluded.ttft_ms, duration_ms = excluded.duration_ms,"
                " speed = excluded.speed, cost = excluded.cost,"
                " currency = excluded.currency, error = excluded.error,"
                " updated = excluded.updated WHERE run_cells.status != 'done'",
                (
                    run_id,
                    prompt_index,
                    model_index,
                    status,
                    content or "",
                    finish_reason,
                    usage_text,
                    _number(ttft_ms),
                    _number(duration_ms),
                    _number(tokens_per_s),
                    _number(cost),
                    currency,
                    error_text,
                    now,
                ),
            )
            written = cur.rowcount > 0
            if written:
                self._store.conn.execute("UPDATE runs SET updated = ? WHERE id = ?", (now, run_id))
        return written

    # -- judgements -----------------------------------------------------------

    @guarded
    def judgements(self, run_id: int) -> list[JudgementRow]:
        """Every saved judge reply, by prompt, pair and order (AB before BA)."""
        rows = self._store.conn.execute(
            "SELECT prompt_index, a_index, b_index, position, status, reply, verdict, error,"
            " updated FROM run_judgements WHERE run_id = ?"
            " ORDER BY prompt_index, a_index, b_index, position",
            (run_id,),
        )
        out = []
        for p, a, b, order, status, reply, verdict, error, updated in rows:
            err = _loads(error)
            out.append(
                JudgementRow(
                    JudgementKey(p, a, b, order),
                    status,
                    reply,
                    verdict,
                    err if isinstance(err, dict) else None,
                    updated,
                )
            )
        return out

    @guarded
    def judgements_to_do(self, run_id: int) -> list[JudgementKey]:
        """Judge requests not saved ``done`` whose two answers are both done (a pair
        with a failed or missing answer waits for it); empty for an unjudged run."""
        prompts, columns, judged = self._shape(run_id)
        if not judged:
            return []
        conn = self._store.conn
        done_cells = set(
            conn.execute(
                "SELECT prompt_index, model_index FROM run_cells"
                " WHERE run_id = ? AND status = 'done'",
                (run_id,),
            ).fetchall()
        )
        done = set(
            conn.execute(
                "SELECT prompt_index, a_index, b_index, position FROM run_judgements"
                " WHERE run_id = ? AND status = 'done'",
                (run_id,),
            ).fetchall()
        )
        out = []
        for p in range(prompts):
            for a, b in combinations(range(columns), 2):
                if (p, a) not in done_cells or (p, b) not in done_cells:
                    continue
                for order in ("AB", "BA"):
                    if (p, a, b, order) not in done:
                        out.append(JudgementKey(p, a, b, order))
        return out

    @guarded
    def save_judgement(
        self,
        run_id: int,
        key: JudgementKey,
        *,
        reply: str = "",
        verdict: str | None = None,
        status: str = "done",
        error: Mapping[str, Any] | None = None,
    ) -> bool:
        """Save one judge reply (one short transaction); ``False`` when that request
        is already saved ``done``."""
        if status not in JUDGEMENT_STATUSES:
            raise ValueError(f"status must be one of {JUDGEMENT_STATUSES}, not {status!r}")
        if key.order not in ("AB", "BA"):
            raise ValueError(f"order must be 'AB' or 'BA', not {key.order!r}")
        if verdict not in (None, "A", "B", "C"):
            raise ValueError(f"verdict must be 'A', 'B', 'C' or None, not {verdict!r}")
        error_text = _check_error(error)
        with self._store.transaction():
            prompts, columns, _ = self._shape(run_id)
            if not (0 <= key.prompt_index < prompts and 0 <= key.a_index < key.b_index < columns):
                raise ValueError(f"no judge request {key} in run {run_id}")
            now = time.time()
            cur = self._store.conn.execute(
                "INSERT INTO run_judgements (run_id, prompt_index, a_index, b_index, position,"
                " status, reply, verdict, error, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, prompt_index, a_index, b_index, position) DO UPDATE SET"
                " status = excluded.status, reply = excluded.reply, verdict = excluded.verdict,"
                " error = excluded.error, updated = excluded.updated"
                " WHERE run_judgements.status != 'done'",
                (
                    run_id,
                    key.prompt_index,
                    key.a_index,
                    key.b_index,
                    key.order,
                    status,
                    reply or "",
                    verdict,
                    error_text,
                    now,
                ),
            )
            written = cur.rowcount > 0
            if written:
                self._store.conn.execute("UPDATE runs SET updated = ? WHERE id = ?", (now, run_id))
        return written
