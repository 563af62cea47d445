"""The search panel shows a message whose stored time is no date (issue 16).

A history written by an old import may hold ``inf`` or ``1e300`` as a message's time;
the panel turned it into milliseconds with ``int()`` and raised, so the results never
showed. The real window, its search panel and a real SQLite file with such rows.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from tests.unit.ui.harness import Harness

BAD_TIMES = [float("inf"), float("-inf"), 1e300, -1e300, 1.7e15]


def test_results_with_impossible_times_are_listed(harness: Harness) -> None:
    h = harness
    store = h.store
    cid = store.create_conversation("damaged import")
    for n, when in enumerate(BAD_TIMES):
        mid = store.add_message(cid, "user", f"needle number {n}")
        with store.transaction():  # as a damaged file holds them (the store refuses)
            store.conn.execute("UPDATE messages SET created = ? WHERE id = ?", (when, mid))
    good = store.add_message(cid, "user", "needle with a real time")
    h.desk.history.open_search("needle")
    panel = h.desk.history._panel  # noqa: SLF001
    panel.run_search()
    results = panel.results_model()
    hits = [results.hit(r) for r in range(results.rowCount())]
    assert len(hits) == len(BAD_TIMES) + 1
    metas = {hit.message_id: panel.meta_text(hit) for hit in hits}
    assert sum(text.endswith("unknown date") for text in metas.values()) == len(BAD_TIMES)
    assert not metas[good].endswith("unknown date")
    panel.grab()  # every row painted
    QApplication.processEvents()
    assert panel.count_label().text() == "6 results"
    panel.close()
