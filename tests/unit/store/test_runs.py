"""Prompt-set runs on a real SQLite file: saved cell by cell, resumable after kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chatdesk.store import Store, migrations as mig
from chatdesk.store.runs import JudgementKey, RunPrompt

ROOT = Path(__file__).resolve().parents[3]
COLUMNS = [
    {"model": "alpha", "provider": "local", "params": {"temperature": 0.2}},
    {"model": "beta", "provider": "relay", "params": {}},
    {"model": "gamma", "provider": "relay", "params": {}},
]


def prompts(n: int) -> list[RunPrompt]:
    return [
        RunPrompt(i, f"q{i}", f"Question number {i}?", "Be brief." if i == 0 else None)
        for i in range(n)
    ]


def make_run(store: Store, n: int = 3, *, judged: bool = True, name: str = "First run") -> int:
    judge = {"model": "judge-1", "provider": "relay", "params": {}, "template": "T"}
    return store.runs.create_run(
        name, COLUMNS, prompts(n), judge=judge if judged else None, concurrency=6
    )


def test_migration_adds_the_run_tables_last(store: Store) -> None:
    assert mig.migration_name(mig.MIGRATIONS[-1]) == "m007_prompt_runs"
    tables = {
        r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {"runs", "run_prompts", "run_cells", "run_judgements"} <= tables


def test_create_get_and_list(store: Store) -> None:
    first = make_run(store, 3)
    second = make_run(store, 2, judged=False, name="Second")
    run = store.runs.get_run(first)
    assert run is not None
    assert (run.name, run.status, run.concurrency, run.prompt_count) == (
        "First run",
        "pending",
        6,
        3,
    )
    assert run.columns == COLUMNS and run.models == ["alpha", "beta", "gamma"]
    assert run.judge is not None and run.judge["model"] == "judge-1"
    assert (run.done_cells, run.total_cells) == (0, 9)
    assert store.runs.prompts(first) == prompts(3)
    listed = store.runs.list_runs()
    assert [r.id for r in listed] == [second, first]
    assert listed[0].judge is None and listed[0].total_cells == 6
    assert store.runs.get_run(9999) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"columns": []},
        {"columns": [{"model": "m"}] * 5},
        {"columns": [{"provider": "x"}]},
        {"prompts": []},
        {"prompts": [RunPrompt(0, None, "  ")]},
        {"concurrency": 0},
        {"judge": {"provider": "x"}},
    ],
)
def test_create_refuses_bad_runs(store: Store, kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"columns": COLUMNS, "prompts": prompts(1)}
    args.update(kwargs)
    with pytest.raises(ValueError):
        store.runs.create_run("bad", **args)  # type: ignore[arg-type]
    assert store.runs.list_runs() == []


def test_cells_to_do_and_done_is_final(store: Store) -> None:
    run_id = make_run(store, 2)
    runs = store.runs
    assert runs.cells_to_do(run_id) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert runs.save_cell(
        run_id,
        0,
        1,
        status="done",
        content="Answer",
        finish_reason="stop",
        usage={"prompt_tokens": 5, "completion_tokens": 7},
        ttft_ms=120.0,
        duration_ms=900.0,
        tokens_per_s=7.7,
        cost=0.0012,
        currency="USD",
    )
    error = {"category": "server", "http_status": 502, "message": "Bad gateway" * 1000}
    assert runs.save_cell(run_id, 1, 2, status="error", content="partial", error=error)
    assert runs.cells_to_do(run_id) == [(0, 0), (0, 2), (1, 0), (1, 1), (1, 2)]
    # A late or repeated write never replaces a done cell.
    assert not runs.save_cell(run_id, 0, 1, status="error", error={"category": "network"})
    # A failed cell can be retried alone and then done.
    assert runs.save_cell(run_id, 1, 2, status="done", content="second try")
    cells = {(c.prompt_index, c.model_index): c for c in runs.cells(run_id)}
    assert cells[(0, 1)].content == "Answer" and cells[(0, 1)].status == "done"
    assert cells[(0, 1)].usage == {"prompt_tokens": 5, "completion_tokens": 7}
    assert (cells[(0, 1)].ttft_ms, cells[(0, 1)].cost, cells[(0, 1)].currency) == (
        120.0,
        0.0012,
        "USD",
    )
    assert cells[(1, 2)].content == "second try" and cells[(1, 2)].error is None
    run = runs.get_run(run_id)
    assert run is not None and (run.done_cells, run.error_cells) == (2, 0)


def test_cell_figures_and_errors_are_bounded(store: Store) -> None:
    run_id = make_run(store, 1)
    store.runs.save_cell(
        run_id,
        0,
        0,
        status="error",
        ttft_ms=float("nan"),
        duration_ms=-5.0,
        tokens_per_s=float("inf"),
        cost=True,  # type: ignore[arg-type]
        error={"category": "server", "http_status": "502", "message": "x" * 10_000, "raw": 1},
    )
    (cell,) = store.runs.cells(run_id)
    assert (cell.ttft_ms, cell.duration_ms, cell.tokens_per_s, cell.cost) == (None,) * 4
    assert cell.error is not None
    assert cell.error["category"] == "server" and cell.error["http_status"] is None
    assert len(cell.error["message"]) == 2_000 and "raw" not in cell.error
    with pytest.raises(ValueError):
        store.runs.save_cell(run_id, 1, 0, status="done")  # no prompt 1
    with pytest.raises(ValueError):
        store.runs.save_cell(run_id, 0, 3, status="done")  # no column 3
    with pytest.raises(ValueError):
        store.runs.save_cell(run_id, 0, 0, status="finished")


def test_judgements_wait_for_both_answers(store: Store) -> None:
    run_id = make_run(store, 2)
    runs = store.runs
    assert runs.judgements_to_do(run_id) == []
    for m in (0, 1):
        runs.save_cell(run_id, 0, m, status="done", content=f"a{m}")
    runs.save_cell(run_id, 0, 2, status="error", error={"category": "server"})
    assert runs.judgements_to_do(run_id) == [
        JudgementKey(0, 0, 1, "AB"),
        JudgementKey(0, 0, 1, "BA"),
    ]
    key = JudgementKey(0, 0, 1, "AB")
    assert runs.save_judgement(run_id, key, reply="A is better [[A]]", verdict="A")
    assert not runs.save_judgement(run_id, key, reply="again [[B]]", verdict="B")
    runs.save_judgement(
        run_id,
        JudgementKey(0, 0, 1, "BA"),
        status="error",
        error={"category": "rate_limit", "http_status": 429, "message": "slow down"},
    )
    assert runs.judgements_to_do(run_id) == [JudgementKey(0, 0, 1, "BA")]
    saved = runs.judgements(run_id)
    assert [(j.key.order, j.status, j.verdict) for j in saved] == [
        ("AB", "done", "A"),
        ("BA", "error", None),
    ]
    assert saved[0].reply == "A is better [[A]]"
    with pytest.raises(ValueError):
        runs.save_judgement(run_id, JudgementKey(0, 1, 0, "AB"), verdict="A")
    with pytest.raises(ValueError):
        runs.save_judgement(run_id, JudgementKey(0, 0, 1, "XY"), verdict="A")
    with pytest.raises(ValueError):
        runs.save_judgement(run_id, key, verdict="D")
    unjudged = make_run(store, 1, judged=False)
    for m in range(3):
        runs.save_cell(unjudged, 0, m, status="done")
    assert runs.judgements_to_do(unjudged) == []


def test_status_interrupted_and_delete(db_path: Path) -> None:
    with Store(db_path) as first:
        run_id = make_run(first, 1)
        first.runs.set_status(run_id, "running")
        assert first.runs.mark_interrupted() == 0  # its runner (this store) is alive
        run = first.runs.get_run(run_id)
        assert run is not None and run.status == "running" and "writer" not in run.options
    store = Store(db_path)  # the first store closed with the run "running": it died
    try:
        _status_interrupted_and_delete(store, run_id)
    finally:
        store.close()


def _status_interrupted_and_delete(store: Store, run_id: int) -> None:
    run = store.runs.get_run(run_id)
    assert run is not None and run.status == "stopped"  # shown as the next start marks it
    assert store.runs.mark_interrupted() == 1
    run = store.runs.get_run(run_id)
    assert run is not None and run.status == "stopped"
    assert store.conn.execute("SELECT status FROM runs").fetchone()[0] == "stopped"
    with pytest.raises(ValueError):
        store.runs.set_status(run_id, "paused")
    store.runs.save_cell(run_id, 0, 0, status="done")
    store.runs.save_judgement(run_id, JudgementKey(0, 0, 1, "AB"), reply="[[A]]", verdict="A")
    assert store.runs.delete_run(run_id)
    assert not store.runs.delete_run(run_id)
    for table in ("run_prompts", "run_cells", "run_judgements"):
        assert store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_search_by_name_model_and_prompt_text(store: Store) -> None:
    first = make_run(store, 2, name="Summaries 100%")
    other = store.runs.create_run(
        "Translations",
        [{"model": "m1"}, {"model": "m2"}],
        [RunPrompt(0, "zh-1", "把这句话翻译成英文"), RunPrompt(1, None, "under_score")],
    )
    runs = store.runs
    assert [r.id for r in runs.search_runs("summaries")] == [first]
    assert [r.id for r in runs.search_runs("100%")] == [first]
    assert [r.id for r in runs.search_runs("翻译")] == [other]
    assert [r.id for r in runs.search_runs("question NUMBER 1")] == [first]
    assert [r.id for r in runs.search_runs("gamma")] == [first]
    assert [r.id for r in runs.search_runs("zh-1")] == [other]
    assert runs.search_runs("under%score") == []  # % is a character, not a wildcard


KILLED_WRITER = textwrap.dedent(
    """
    import sys, time
    from chatdesk.store import Store
    from chatdesk.store.runs import RunPrompt
    store = Store(sys.argv[1])
    run_id = store.runs.create_run(
        "killed", [{"model": "a"}, {"model": "b"}],
        [RunPrompt(i, None, f"p{i}") for i in range(3)],
    )
    store.runs.set_status(run_id, "running")
    store.runs.save_cell(run_id, 0, 0, status="done", content="kept 0,0")
    store.runs.save_cell(run_id, 0, 1, status="done", content="kept 0,1")
    store.runs.save_cell(run_id, 1, 0, status="error", error={"category": "network"})
    with store.transaction():  # a cell being written when the process dies
        store.runs.save_cell(run_id, 1, 1, status="done", content="never committed")
        print(run_id, flush=True)
        time.sleep(60)
    """
)


def test_kill_9_between_cells_keeps_done_cells_and_lists_the_rest(db_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(db_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        run_id = int(proc.stdout.readline())
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with Store(db_path) as store:
        assert store.runs.mark_interrupted() == 1
        run = store.runs.get_run(run_id)
        assert run is not None and run.status == "stopped"
        assert (run.done_cells, run.error_cells, run.total_cells) == (2, 1, 6)
        cells = {(c.prompt_index, c.model_index): c.content for c in store.runs.cells(run_id)}
        assert cells == {(0, 0): "kept 0,0", (0, 1): "kept 0,1", (1, 0): ""}
        assert store.runs.cells_to_do(run_id) == [(1, 0), (1, 1), (2, 0), (2, 1)]


RUNNER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from chatdesk.store import Store
from chatdesk.store.runs import RunPrompt
with Store(sys.argv[2]) as store:
    run_id = store.runs.create_run("elsewhere", [{"model": "a"}, {"model": "b"}],
                                   [RunPrompt(0, None, "q", None)])
    store.runs.set_status(run_id, "running")
    print(run_id, flush=True)
    time.sleep(60)
"""


def test_a_run_going_on_in_another_process_is_not_marked_stopped(db_path: Path) -> None:
    """The window runs a run while `chatdesk batch` starts beside it: the new process
    must neither list that run as stopped nor mark it so; once its process is killed,
    both do."""
    with Store(db_path):
        pass  # created and migrated before the other process opens it
    proc = subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(ROOT), str(db_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        run_id = int(proc.stdout.readline())
        with Store(db_path) as store:
            assert store.runs.mark_interrupted() == 0
            run = store.runs.get_run(run_id)
            assert run is not None and run.status == "running"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    with Store(db_path) as store:
        assert [r.status for r in store.runs.list_runs()] == ["stopped"]
        assert store.runs.mark_interrupted() == 1
