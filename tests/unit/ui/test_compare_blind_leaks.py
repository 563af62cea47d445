"""Blind mode: nothing names a column's model before the vote (search, Continue in chat)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import send, start

SECRET = ["claude-sonnet-4-5", "deepseek-reasoner"]


def _blind(h: Harness) -> object:
    for m in SECRET:
        h.server.script_for(m, Reply(text=f"needle answer of {m}", model=m))
    ctl = start(h, SECRET)
    ctl.set_blind(True)
    send(h, "needle question")
    return ctl


def test_search_names_no_model_of_an_unvoted_blind_answer(harness: Harness) -> None:
    h = harness
    ctl = _blind(h)
    hits, _ = h.desk.history.search("needle", {})
    answers = [x for x in hits if x.role == "assistant"]
    assert len(answers) == 2
    assert all(x.model is None for x in answers)
    # Filtering by a model's name must not find (and so name) a hidden answer either.
    for name in SECRET:
        hits, count = h.desk.history.search("needle", {"model": name})
        assert hits == [] and count == 0  # the count does not give them away either
    # The panel's own rows (Ctrl+K) show what the search gave them.
    h.desk.history.open_search("needle")
    panel = h.desk.history._panel  # noqa: SLF001
    panel.run_search()
    results = panel.results_model()
    shown = [results.hit(r) for r in range(results.rowCount())]
    assert len(shown) == 3  # the prompt and both answers
    assert all(x.model is None for x in shown)
    panel.close()
    ctl.vote("A")  # revealed by the vote: search names them from now on
    hits, _ = h.desk.history.search("needle", {})
    assert sorted(x.model for x in hits if x.role == "assistant") == sorted(SECRET)


def _box(h: Harness) -> QMessageBox:
    QApplication.processEvents()
    boxes = [b for b in h.window.findChildren(QMessageBox, "blind-continue-confirm")
             if b.isVisible()]  # fmt: skip
    assert len(boxes) == 1
    box = boxes[0]
    for name in SECRET:
        assert name not in box.text() + box.windowTitle()
    return box


def test_continue_in_chat_on_an_unvoted_blind_column_asks_first(harness: Harness) -> None:
    h = harness
    ctl = _blind(h)
    cid = ctl.comparison.conversation_id
    before = len(h.store.list_conversations())
    ctl.continue_in_chat(0)
    box = _box(h)
    box.button(QMessageBox.StandardButton.Cancel).click()
    QApplication.processEvents()
    assert h.window.comparing() and len(h.store.list_conversations()) == before
    assert ctl.comparison.conversation_id == cid
    ctl.continue_in_chat(0)
    _box(h).button(QMessageBox.StandardButton.Yes).click()
    QApplication.processEvents()
    assert not h.window.comparing()
    assert len(h.store.list_conversations()) == before + 1
    assert h.window.model_picker.current() == ctl.specs[0].model


def test_exporting_an_unvoted_blind_comparison_asks_first(harness: Harness) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog

    h = harness
    _blind(h)
    seen: list[str] = []
    answer = {"button": QMessageBox.StandardButton.No}

    def close_modal() -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QMessageBox) and modal.button(answer["button"]) is not None:
            seen.append(modal.text())
            modal.button(answer["button"]).click()
        elif isinstance(modal, QFileDialog):
            seen.append("file dialog")
            modal.reject()
        elif modal is not None:  # anything else: close it, the test then fails
            seen.append(type(modal).__name__)
            modal.close()

    timer = QTimer()
    timer.timeout.connect(close_modal)
    timer.start(30)
    try:
        h.desk.history.export_dialog("current")
        assert len(seen) == 1 and "not voted" in seen[0]  # asked; no file dialog after No
        assert all(name not in seen[0] for name in SECRET)
        answer["button"] = QMessageBox.StandardButton.Yes
        h.desk.history.export_dialog("current")
        assert seen[1:] == [seen[0], "file dialog"]
        # Everything (a backup) names them too: asked with how many, then exported.
        answer["button"] = QMessageBox.StandardButton.No
        h.desk.history.export_dialog("all")
        assert seen[3].startswith("1 blind comparison(s) have no vote yet")
        assert seen[4:] == []
        answer["button"] = QMessageBox.StandardButton.Yes
        h.desk.history.export_dialog("all")
        assert seen[4:] == [seen[3], "file dialog"]
    finally:
        timer.stop()
