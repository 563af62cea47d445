"""Prompt-set runs in the window: the built app, the fake server, a real SQLite file."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path
from typing import Any

from chatdesk.core.arena.compare import Comparison
from chatdesk.ctl.runs import RunController
from chatdesk.ui.rundialog import ColumnChoice, NewRunDialog
from chatdesk.ui.rungrid import CellState, GridRole
from tests.fakeserver import RecordedRequest, Reply
from tests.unit.ui.harness import Harness

MODELS = ["model-one", "model-two"]
JUDGE = "judge-model"


def ctl_of(h: Harness) -> RunController:
    return h.desk.runs


def fill(dialog: NewRunDialog, text: str, models: list[str], judge: str | None = None) -> None:
    dialog.set_prompts_text(text)
    dialog.set_columns([ColumnChoice(m) for m in models])
    dialog.set_judge(judge)


def start_run(
    h: Harness,
    text: str,
    models: list[str],
    *,
    judge: str | None = None,
    concurrency: int = 4,
    wait: bool = True,
) -> int:
    ctl = ctl_of(h)
    dialog = ctl.new_run()
    fill(dialog, text, models, judge)
    dialog.concurrency.setValue(concurrency)
    assert dialog.recheck(), dialog.check_label.text()
    dialog.start_button.click()
    h.wait(lambda: ctl.run_id is not None and ctl.busy)
    run_id = ctl.run_id
    assert run_id is not None
    if wait:
        h.wait(lambda: not ctl.busy, timeout=20)
    return run_id


def cell_key(req: RecordedRequest) -> tuple[str, str]:
    return str(req.json["model"]), str(req.json["messages"][-1]["content"])


def states(h: Harness) -> list[list[CellState | None]]:
    model = ctl_of(h).view.grid_model
    out = []
    for r in range(model.rowCount()):
        row = []
        for c in range(model.columnCount()):
            cell = model.index(r, c).data(GridRole.CELL)
            row.append(cell.state if cell is not None else None)
        out.append(row)
    return out


def test_the_dialog_refuses_a_bad_file_naming_the_line(harness: Harness, tmp_path: Path) -> None:
    h = harness
    bad = tmp_path / "set.jsonl"
    bad.write_text('{"prompt": "fine"}\n{"prompt": 3}\n', encoding="utf-8")
    dialog = ctl_of(h).new_run()
    dialog.set_columns([ColumnChoice(m) for m in MODELS])
    dialog.set_file(str(bad))
    assert not dialog.ok()
    assert not dialog.start_button.isEnabled()
    assert "Line 2" in dialog.check_label.text()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    dialog.set_file(str(empty))
    assert not dialog.start_button.isEnabled()
    assert "no prompts" in dialog.check_label.text()
    # A good set says what the run asks before anything is sent.
    good = tmp_path / "set.txt"
    good.write_text("one\ntwo\nthree\n", encoding="utf-8")
    dialog.set_file(str(good))
    dialog.set_judge(JUDGE)
    assert dialog.recheck()
    # 3 x 2 answers + 3 prompts x 1 pair x 2 orders.
    assert "12 requests (6 answers + 6 judge calls)" in dialog.check_label.text()
    assert not h.server.chat_requests
    dialog.reject()


def test_a_small_judged_run_fills_the_grid_and_the_summary(harness: Harness) -> None:
    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text=f"{m} says hello", usage="auto"))
    h.server.default_for(JUDGE, Reply(text="Both fine, but [[A]]", usage="auto"))
    run_id = start_run(h, "first\nsecond\nthird", MODELS, judge=JUDGE)
    assert states(h) == [[CellState.DONE, CellState.DONE]] * 3
    ctl = ctl_of(h)
    cell = ctl.view.grid_model.index(1, 1).data(GridRole.CELL)
    assert cell.preview == "model-two says hello"
    assert "tok" in cell.figures
    summary = ctl.view.summary_model
    rows = [
        [summary.text(r, c) for c in range(summary.columnCount())]
        for r in range(summary.rowCount())
    ]
    assert [r[0] for r in rows] == MODELS
    assert all(r[1] == "3" and r[2] == "0" for r in rows)
    # A judge that always says [[A]] favours a position, not a model: ties only.
    assert all(r[7] == "0/0/3" for r in rows)
    assert ctl.view.progress.value() == 6
    ctl.view.select_cell(2, 0)
    text = ctl.view.judge_text.toPlainText()
    assert "model-one vs model-two" in text and "tie" in text
    assert text.count("[[A]]") == 2  # both orders' replies are shown
    run = h.store.runs.get_run(run_id)
    assert run is not None and run.status == "done"


def test_a_failed_cell_shows_its_error_and_retry_asks_only_it(harness: Harness) -> None:
    h = harness
    # A 400 is not retried by the client: the cell fails at once.
    h.server.script_for("model-two", Reply.error(400, "the backend refuses this one"))
    start_run(h, "alpha\nbeta\ngamma", MODELS, concurrency=1)
    ctl = ctl_of(h)
    grid = states(h)
    assert grid[0] == [CellState.DONE, CellState.ERROR]
    assert grid[1:] == [[CellState.DONE, CellState.DONE]] * 2
    failed = ctl.view.grid_model.index(0, 1).data(GridRole.CELL)
    assert failed.state_text == "Failed" and "refuses this one" in failed.preview
    before = len(h.server.chat_requests)
    ctl.view.select_cell(0, 1)
    assert ctl.view.retry_button.isEnabled()
    ctl.view.retry_button.click()
    h.wait(lambda: ctl.busy)
    h.wait(lambda: not ctl.busy)
    after = h.server.chat_requests[before:]
    assert [cell_key(r) for r in after] == [("model-two", "alpha")]
    assert states(h)[0] == [CellState.DONE, CellState.DONE]


def test_stop_then_resume_never_asks_a_done_cell_again(harness: Harness) -> None:
    h = harness
    gate = threading.Event()
    for m in MODELS:
        h.server.script_for(m, Reply(text="quick"))  # the first answer of each comes at once
        h.server.default_for(m, Reply(text="slow", pause_after_chars=1, pause_s=5, release=gate))
    text = "\n".join(f"prompt {i}" for i in range(4))
    run_id = start_run(h, text, MODELS, concurrency=2, wait=False)
    ctl = ctl_of(h)
    h.wait(lambda: (h.store.runs.get_run(run_id) or ctl).done_cells >= 2)  # type: ignore[union-attr]
    assert ctl.view.stop_button.isEnabled()
    ctl.view.stop_button.click()
    h.wait(lambda: not ctl.busy)
    gate.set()
    run = h.store.runs.get_run(run_id)
    assert run is not None and run.status == "stopped"
    done_before = {
        (MODELS[c.model_index], f"prompt {c.prompt_index}")
        for c in h.store.runs.cells(run_id)
        if c.status == "done"
    }
    assert 2 <= len(done_before) < 8
    assert ctl.view.resume_button.isEnabled()
    asked_before = len(h.server.chat_requests)
    ctl.view.resume_button.click()
    h.wait(lambda: ctl.busy)
    h.wait(lambda: not ctl.busy, timeout=20)
    resumed = [cell_key(r) for r in h.server.chat_requests[asked_before:]]
    assert not done_before & set(resumed)
    assert len(resumed) == 8 - len(done_before)
    assert states(h) == [[CellState.DONE, CellState.DONE]] * 4
    assert h.store.runs.get_run(run_id).status == "done"  # type: ignore[union-attr]


def test_a_run_killed_while_running_shows_stopped_and_resumes(harness: Harness) -> None:
    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text=f"{m} ok"))
    run_id = start_run(h, "one\ntwo", MODELS)
    # As a killed window leaves it: "running", one answer lost.
    h.store.conn.execute(
        "DELETE FROM run_cells WHERE run_id = ? AND prompt_index = 1 AND model_index = 0",
        (run_id,),
    )
    h.store.runs.set_status(run_id, "running")
    from chatdesk.store import Store

    old = h.store
    h.desk.services.replace_store(Store(h.store.path))  # what the next start sees
    old.close()  # the killed window's store: its "running" run has no runner now
    h.store = h.desk.services.store
    ctl = ctl_of(h)
    assert h.store.runs.get_run(run_id).status == "stopped"  # type: ignore[union-attr]
    ctl.open_run(run_id)
    assert ctl.view.resume_button.isEnabled()
    before = len(h.server.chat_requests)
    ctl.view.resume_button.click()
    h.wait(lambda: ctl.busy)
    h.wait(lambda: not ctl.busy)
    assert [cell_key(r) for r in h.server.chat_requests[before:]] == [("model-one", "two")]


def test_a_row_opens_as_a_blind_comparison_and_its_vote_counts(harness: Harness) -> None:
    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text=f"answer from {m}"))
    run_id = start_run(h, "which is better?\nanother", MODELS)
    ctl = ctl_of(h)
    asked = len(h.server.chat_requests)
    ctl.view.select_cell(0, 0)
    ctl.view.compare_button.click()
    assert h.window.comparing()
    compare = h.desk.compare
    comparison = compare.comparison
    assert comparison is not None and comparison.names_hidden()
    texts = sorted(
        "".join(r.content for r in c.model.messages() if r.role == "assistant")
        for c in compare.view.columns
    )
    assert texts == [f"answer from {m}" for m in MODELS]
    assert all(r.model is None for c in compare.view.columns for r in c.model.messages())
    compare.vote("A")
    rows = compare.arena.leaderboard_rows(None, None)
    assert {r.standing.model for r in rows} >= set(MODELS)
    assert len(h.server.chat_requests) == asked  # nothing was asked again
    # The same row opens the same comparison (with its vote).
    conv = comparison.conversation_id
    h.window.show_runs()
    assert ctl.compare_row(0) == conv
    reopened = Comparison.for_conversation(h.store, conv)
    assert reopened is not None and len(reopened.votes()) == 1
    assert h.store.runs.get_run(run_id) is not None


def test_export_writes_csv_json_and_html(harness: Harness, tmp_path: Path) -> None:
    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text=f"{m}, exported"))
    run_id = start_run(h, "x\ny", MODELS)
    ctl = ctl_of(h)
    for fmt in ("csv", "json", "html"):
        assert ctl.export_to(fmt, str(tmp_path / f"run.{fmt}"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "run.csv").read_text("utf-8"))))
    assert len(rows) == 4 and {r["model"] for r in rows} == set(MODELS)
    data: dict[str, Any] = json.loads((tmp_path / "run.json").read_text("utf-8"))
    assert data["run_id"] == run_id and len(data["cells"]) == 4
    html = (tmp_path / "run.html").read_text("utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "model-one, exported" in html


def test_runs_are_listed_searchable_and_rerun_prefills(harness: Harness) -> None:
    h = harness
    start_run(h, "needle in a haystack\nplain", MODELS)
    ctl = ctl_of(h)
    view = ctl.view
    assert view.runs.count() == 1
    ctl.list_runs("haystack")
    assert view.runs.count() == 1
    ctl.list_runs("nothing like it")
    assert view.runs.count() == 0
    # The sidebar lists the runs under the conversations, matching its filter.
    button = h.window.runs_button
    assert button.isVisible() and "(1)" in button.text()
    h.window.conversations.filter_edit().setText("haystack")
    h.wait(lambda: "matching: 1" in button.text())
    h.window.conversations.filter_edit().setText("no such thing")
    h.wait(lambda: "matching: 0" in button.text())
    h.window.conversations.filter_edit().setText("needle")
    h.wait(lambda: "matching: 1" in button.text())
    h.window.show_compare(False)
    button.click()
    assert h.window.showing_runs()
    assert view.search.text() == "needle" and view.runs.count() == 1
    dialog = ctl.rerun()
    assert dialog is not None
    assert "needle in a haystack" in dialog.prompts.toPlainText()
    assert [c.model for c in dialog.draft().columns] == MODELS
    assert dialog.recheck()
    dialog.reject()


def test_the_run_page_is_reachable_by_keyboard_with_names(harness: Harness) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text="ok"))
    start_run(h, "one\ntwo", MODELS)
    view = ctl_of(h).view
    for widget in (
        view.search,
        view.runs,
        view.grid,
        view.stop_button,
        view.resume_button,
        view.retry_button,
        view.compare_button,
        view.export_button,
        view.summary,
        view.judge_text,
    ):
        assert widget.accessibleName(), widget
        assert widget.focusPolicy() != Qt.FocusPolicy.NoFocus, widget
    assert view.progress.accessibleName()
    view.grid.setFocus()
    view.select_cell(1, 0)
    QTest.keyClick(view.grid, Qt.Key.Key_Return)
    assert h.window.comparing()  # Enter on a row opens it in the compare view


OTHER_RUNNER = """
import sys, time
sys.path.insert(0, sys.argv[1])
from chatdesk.store import Store
with Store(sys.argv[2]) as store:
    store.runs.set_status(int(sys.argv[3]), "running")
    print("running", flush=True)
    time.sleep(60)
"""


def test_a_run_going_on_in_another_process_is_shown_so_and_not_resumed(
    harness: Harness,
) -> None:
    import subprocess
    import sys

    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text=f"{m} ok"))
    run_id = start_run(h, "one\ntwo", MODELS)
    h.store.conn.execute("DELETE FROM run_cells WHERE run_id = ? AND prompt_index = 1", (run_id,))
    root = str(Path(__file__).resolve().parents[3])
    proc = subprocess.Popen(
        [sys.executable, "-c", OTHER_RUNNER, root, h.store.path, str(run_id)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "running"
        ctl = ctl_of(h)
        ctl.open_run(run_id)
        assert not ctl.view.resume_button.isEnabled()
        assert "another ChatDesk window" in ctl.view.progress_label.text()
        before = len(h.server.chat_requests)
        ctl.resume()  # as if the button had been clicked just before the other one began
        h.wait(lambda: not ctl.busy)
        assert "another ChatDesk window or terminal" in h.window.status_label.text()
        assert len(h.server.chat_requests) == before
    finally:
        proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    ctl.open_run(run_id)  # its process is gone: stopped, and it can be finished here
    assert ctl.view.resume_button.isEnabled()


def test_ctrl_k_lists_matching_runs_and_opens_one(harness: Harness) -> None:
    h = harness
    for m in MODELS:
        h.server.default_for(m, Reply(text=f"{m} ok"))
    run_id = start_run(h, "Which river is longest?\nName a prime", MODELS)
    h.window.show_compare(False)  # back on the chat page
    assert not h.window.showing_runs()
    history = h.desk.history
    history.open_search("river is longest")  # words of a prompt
    panel = history._panel
    label = panel.runs_label()
    assert label.isVisible()
    assert "model-one, model-two" in label.text()
    label.linkActivated.emit(f"run:{run_id}")
    assert not panel.isVisible()
    assert h.window.showing_runs() and ctl_of(h).run_id == run_id
    history.open_search("nothing like this anywhere")
    assert not panel.runs_label().isVisible()
    panel.hide()


def test_the_summary_fits_a_1280_window_and_prompts_wrap(harness: Harness) -> None:
    """Long summary titles wrap on two lines instead of pushing the table sideways;
    a long prompt's row header shows three wrapped lines, the last one elided."""
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication

    from chatdesk.ui.rungrid import PromptHeader, _wrap

    h = harness
    h.window.resize(1280, 800)
    h.window.show()
    models = ["model-one", "model-two", "model-three"]
    for m in models:
        h.server.default_for(m, Reply(text=f"{m} says hello", usage="auto"))
    h.server.default_for(JUDGE, Reply(text="[[A]]", usage="auto"))
    prompts = "Explain recursion to a ten-year-old, with an example.\nsecond"
    start_run(h, prompts, models, judge=JUDGE)
    view = ctl_of(h).view
    view.tabs.setCurrentWidget(view.summary)
    QApplication.processEvents()
    assert view.summary.horizontalScrollBar().maximum() == 0  # no sideways scroll
    header = view.grid.verticalHeader()
    assert isinstance(header, PromptHeader)
    prompt = "Explain the difference between a process and a thread, " * 4
    lines = _wrap(prompt, QFontMetrics(header.font()), header.width() - 12, PromptHeader.LINES)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert lines[0].startswith("Explain the difference")
