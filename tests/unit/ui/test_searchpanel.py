"""Search panel: debounce, filters handed to the callable, paging, highlighting, keys."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QDateEdit, QWidget
from pytestqt.qtbot import QtBot

from chatdesk.store.rows import SearchHit
from chatdesk.ui.searchpanel import (
    DEBOUNCE_MS,
    HIT_ROLE,
    SNIPPET_HTML_ROLE,
    SearchPanel,
    snippet_html,
)

pytestmark = pytest.mark.ui

NOW = 1_750_000_000.0
MODELS = ["gpt-4o", "claude-3-5-sonnet", "deepseek-chat"]


def _make_hits(n: int = 230) -> list[SearchHit]:
    hits: list[SearchHit] = []
    for i in range(n):
        chinese = i % 2 == 0
        hits.append(
            SearchHit(
                conversation_id=1000 + i // 4,
                conversation_title=(
                    f"机器学习入门讨论 第{i}篇" if chinese else f"Rust borrow checker notes #{i}"
                ),
                message_id=50_000 + i,
                role="user" if i % 3 == 0 else "assistant",
                model=None if i % 3 == 0 else MODELS[i % len(MODELS)],
                created=NOW - i * 3600.0,
                snippet=(
                    f"…关于[学习]率的选择，通常从 0.001 开始，然后根据验证集的损失调整（第{i}条）…"
                    if chinese
                    else f"…the [learning] rate schedule for run {i} uses warmup then cosine…"
                ),
            )
        )
    return hits


class FakeSearch:
    """Stands in for the controller: records every call, pages over fixed hits."""

    def __init__(self, hits: list[SearchHit]) -> None:
        self.hits = hits
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, query: str, filters: dict[str, Any]) -> tuple[list[SearchHit], int]:
        self.calls.append((query, dict(filters)))
        rows = self.hits
        if filters.get("role"):
            rows = [h for h in rows if h.role == filters["role"]]
        if filters.get("model"):
            rows = [h for h in rows if h.model == filters["model"]]
        offset, limit = filters["offset"], filters["limit"]
        return rows[offset : offset + limit], len(rows)

    @property
    def last_filters(self) -> dict[str, Any]:
        return self.calls[-1][1]


@pytest.fixture
def fake() -> FakeSearch:
    return FakeSearch(_make_hits())


@pytest.fixture
def parent(qtbot: QtBot) -> QWidget:
    window = QWidget()
    window.resize(1000, 700)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def panel(qtbot: QtBot, fake: FakeSearch, parent: QWidget) -> SearchPanel:
    widget = SearchPanel(fake, lambda: list(MODELS), parent, clock=lambda: NOW)
    qtbot.addWidget(widget)
    widget.open_with()
    qtbot.waitExposed(widget)
    return widget


def _search_now(panel: SearchPanel, query: str) -> None:
    panel.query_edit().setText(query)
    panel.run_search()


# -- snippet_html ------------------------------------------------------------


def test_snippet_markers_become_highlights_and_html_is_escaped() -> None:
    out = snippet_html("say <script>alert(1)</script> & [hello] world", ["hello"])
    assert "<script>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in out
    assert ">hello</span> world" in out
    assert out.count("<span") == 1


def test_snippet_brackets_in_text_stay_text_when_terms_known() -> None:
    out = snippet_html("x = arr[i] + [foo]", ["foo"])
    assert "arr[i]" in out
    assert ">foo</span>" in out


def test_snippet_without_terms_highlights_every_pair() -> None:
    out = snippet_html("[学习] 与 [机器]", [])
    assert out.count("<span") == 2
    assert ">学习</span>" in out and ">机器</span>" in out


def test_snippet_match_is_case_insensitive_and_escaped() -> None:
    out = snippet_html("use [<B>] tags", ["<b>"])
    assert ">&lt;B&gt;</span> tags" in out


# -- searching ---------------------------------------------------------------


def test_open_with_empty_query_does_not_search(panel: SearchPanel, fake: FakeSearch) -> None:
    assert fake.calls == []
    assert panel.isVisible()
    assert panel.results_model().rowCount() == 0
    assert panel.count_label().text() == "Type to search your conversations"
    assert panel.query_edit().hasFocus()


def test_typing_is_debounced_into_one_search(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    qtbot.keyClicks(panel.query_edit(), "learn")
    assert fake.calls == []  # nothing while typing
    qtbot.waitUntil(lambda: len(fake.calls) == 1, timeout=2000)
    qtbot.wait(DEBOUNCE_MS * 2)
    assert len(fake.calls) == 1
    query, filters = fake.calls[0]
    assert query == "learn"
    assert filters["offset"] == 0 and filters["limit"] == 50
    assert panel.results_model().rowCount() == 50
    assert panel.count_label().text() == "230 results"


def test_chinese_query_set_text_searches(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    panel.query_edit().setText("学习")
    qtbot.waitUntil(lambda: len(fake.calls) == 1, timeout=2000)
    assert fake.calls[0][0] == "学习"


def test_default_filters(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    assert fake.last_filters == {
        "model": None,
        "role": None,
        "since": None,
        "until": None,
        "pinned": None,
        "comparisons": None,
        "sort": "newest",
        "limit": 50,
        "offset": 0,
    }


def test_model_combo_lists_models_and_filters(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    combo = panel.findChild(QComboBox, "searchModel")
    assert [combo.itemText(i) for i in range(combo.count())] == ["All models", *MODELS]
    combo.setCurrentIndex(2)
    assert fake.last_filters["model"] == "claude-3-5-sonnet"
    assert fake.last_filters["offset"] == 0
    combo.setCurrentIndex(0)
    assert fake.last_filters["model"] is None


def test_model_combo_hidden_without_models(qtbot: QtBot, fake: FakeSearch) -> None:
    panel = SearchPanel(fake)
    qtbot.addWidget(panel)
    panel.open_with("x")
    assert not panel.findChild(QComboBox, "searchModel").isVisible()
    assert fake.last_filters["model"] is None


def test_role_combo(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    combo = panel.findChild(QComboBox, "searchRole")
    combo.setCurrentIndex(1)
    assert fake.last_filters["role"] == "user"
    assert panel.count_label().text() == "77 results"
    combo.setCurrentIndex(2)
    assert fake.last_filters["role"] == "assistant"
    combo.setCurrentIndex(0)
    assert fake.last_filters["role"] is None


@pytest.mark.parametrize(("key", "days"), [("7d", 7), ("30d", 30), ("year", 365)])
def test_relative_date_ranges(panel: SearchPanel, fake: FakeSearch, key: str, days: int) -> None:
    _search_now(panel, "learning")
    combo = panel.findChild(QComboBox, "searchDate")
    combo.setCurrentIndex(combo.findData(key))
    assert fake.last_filters["since"] == pytest.approx(NOW - days * 86400)
    assert fake.last_filters["until"] is None


def test_today_starts_at_local_midnight(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    combo = panel.findChild(QComboBox, "searchDate")
    combo.setCurrentIndex(combo.findData("today"))
    midnight = datetime.fromtimestamp(NOW).replace(hour=0, minute=0, second=0, microsecond=0)
    assert fake.last_filters["since"] == pytest.approx(midnight.timestamp())
    combo.setCurrentIndex(combo.findData("any"))
    assert fake.last_filters["since"] is None and fake.last_filters["until"] is None


def test_custom_date_range(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    since_edit = panel.findChild(QDateEdit, "searchSince")
    until_edit = panel.findChild(QDateEdit, "searchUntil")
    assert not since_edit.isVisible()
    combo = panel.findChild(QComboBox, "searchDate")
    combo.setCurrentIndex(combo.findData("custom"))
    assert since_edit.isVisible() and until_edit.isVisible()
    since_edit.setDate(QDate(2024, 3, 1))
    until_edit.setDate(QDate(2024, 3, 31))
    filters = fake.last_filters
    assert filters["since"] == pytest.approx(datetime(2024, 3, 1).timestamp())
    # The end day is included up to its last moment.
    assert datetime(2024, 3, 31, 23, 59).timestamp() < filters["until"]
    assert filters["until"] < datetime(2024, 4, 1).timestamp()


def test_pinned_and_comparisons_checkboxes(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    pinned = panel.findChild(QCheckBox, "searchPinned")
    comparisons = panel.findChild(QCheckBox, "searchComparisons")
    pinned.setChecked(True)
    assert fake.last_filters["pinned"] is True
    assert fake.last_filters["comparisons"] is None
    comparisons.setChecked(True)
    assert fake.last_filters["comparisons"] is True
    pinned.setChecked(False)
    assert fake.last_filters["pinned"] is None
    assert fake.last_filters["comparisons"] is True


def test_sort_combo(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    combo = panel.findChild(QComboBox, "searchSort")
    combo.setCurrentIndex(combo.findData("relevance"))
    assert fake.last_filters["sort"] == "relevance"
    combo.setCurrentIndex(combo.findData("newest"))
    assert fake.last_filters["sort"] == "newest"


def test_filters_carry_over_to_later_pages(panel: SearchPanel, fake: FakeSearch) -> None:
    panel.findChild(QComboBox, "searchSort").setCurrentIndex(1)
    panel.findChild(QCheckBox, "searchPinned").setChecked(True)
    _search_now(panel, "learning")
    model = panel.results_model()
    model.fetchMore(QModelIndex())
    filters = fake.last_filters
    assert filters["offset"] == 50
    assert filters["sort"] == "relevance" and filters["pinned"] is True


# -- paging ------------------------------------------------------------------


def test_fetch_more_pages_by_offset(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    model = panel.results_model()
    assert model.rowCount() == 50
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    offsets = [f["offset"] for q, f in fake.calls]
    assert offsets == [0, 50, 100, 150, 200]
    assert model.rowCount() == 230
    assert model.total() == 230
    assert panel.count_label().text() == "230 results"


def test_scrolling_to_the_end_loads_the_next_page(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    _search_now(panel, "learning")
    view = panel.view()
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum())
    qtbot.waitUntil(lambda: panel.results_model().rowCount() == 100, timeout=2000)
    assert fake.last_filters["offset"] == 50


def test_new_query_starts_from_offset_zero(panel: SearchPanel, fake: FakeSearch) -> None:
    _search_now(panel, "learning")
    panel.results_model().fetchMore(QModelIndex())
    _search_now(panel, "rate")
    assert fake.calls[-1] == ("rate", {**fake.last_filters, "offset": 0})
    assert panel.results_model().rowCount() == 50


def test_short_result_and_no_result_labels(panel: SearchPanel, fake: FakeSearch) -> None:
    fake.hits = fake.hits[:1]
    _search_now(panel, "x")
    assert panel.count_label().text() == "1 result"
    assert not panel.results_model().canFetchMore(QModelIndex())
    fake.hits = []
    _search_now(panel, "nothing")
    assert panel.count_label().text() == "No results"


def test_search_error_is_shown_not_raised(qtbot: QtBot) -> None:
    def broken(query: str, filters: dict[str, Any]) -> tuple[list[SearchHit], int]:
        raise RuntimeError("database is locked")

    panel = SearchPanel(broken)
    qtbot.addWidget(panel)
    panel.open_with("learning")
    assert panel.count_label().text() == "Search failed: database is locked"
    assert panel.results_model().rowCount() == 0


def test_hit_html_is_escaped(panel: SearchPanel, fake: FakeSearch) -> None:
    fake.hits = [
        SearchHit(1, "XSS <b>test</b>", 7, "user", None, NOW, "a <script>[alert]</script> b")
    ]
    _search_now(panel, "alert")
    index = panel.results_model().index(0, 0)
    rendered = index.data(SNIPPET_HTML_ROLE)
    assert "<script>" not in rendered
    assert "&lt;script&gt;" in rendered and ">alert</span>" in rendered
    # It is painted without error (the delegate renders the escaped HTML).
    panel.view().viewport().grab()


# -- keys and activation -----------------------------------------------------


def test_enter_activates_selected_result(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    _search_now(panel, "学习")
    edit = panel.query_edit()
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    hit = panel.results_model().index(2, 0).data(HIT_ROLE)
    with qtbot.waitSignal(panel.result_activated, timeout=1000) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert blocker.args == [hit.conversation_id, hit.message_id, "学习"]
    assert not panel.isVisible()


def test_enter_right_after_typing_uses_the_new_query(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    edit = panel.query_edit()
    qtbot.keyClicks(edit, "rate")
    with qtbot.waitSignal(panel.result_activated, timeout=1000) as blocker:
        qtbot.keyClick(edit, Qt.Key.Key_Enter)
    first = fake.hits[0]
    assert blocker.args == [first.conversation_id, first.message_id, "rate"]
    assert [q for q, _ in fake.calls] == ["rate"]


def test_click_activates_result(qtbot: QtBot, panel: SearchPanel) -> None:
    _search_now(panel, "learning")
    view = panel.view()
    index = panel.results_model().index(1, 0)
    hit = index.data(HIT_ROLE)
    received: list[tuple[int, int, str]] = []
    panel.result_activated.connect(lambda *args: received.append(args))
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )
    assert received == [(hit.conversation_id, hit.message_id, "learning")]
    assert not panel.isVisible()


def test_up_down_move_selection_and_page_at_the_end(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    _search_now(panel, "learning")
    edit = panel.query_edit()
    view = panel.view()
    assert view.currentIndex().row() == 0
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 1
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    qtbot.keyClick(edit, Qt.Key.Key_Up)
    assert view.currentIndex().row() == 0
    assert edit.hasFocus()
    view.setCurrentIndex(panel.results_model().index(49, 0))
    qtbot.keyClick(edit, Qt.Key.Key_Down)
    assert view.currentIndex().row() == 50
    assert panel.results_model().rowCount() >= 100


def test_escape_hides(qtbot: QtBot, panel: SearchPanel) -> None:
    qtbot.keyClick(panel.query_edit(), Qt.Key.Key_Escape)
    assert not panel.isVisible()


def test_typing_in_the_list_goes_to_the_query(qtbot: QtBot, panel: SearchPanel) -> None:
    _search_now(panel, "learn")
    panel.view().setFocus()
    qtbot.keyClicks(panel.view(), "i")
    assert panel.query_edit().text() == "learni"


def test_open_with_query_selects_it_and_reruns(
    qtbot: QtBot, panel: SearchPanel, fake: FakeSearch
) -> None:
    panel.hide()
    panel.open_with("学习")
    assert panel.isVisible()
    edit = panel.query_edit()
    assert edit.text() == "学习" and edit.selectedText() == "学习"
    assert fake.calls[-1][0] == "学习"
    qtbot.wait(DEBOUNCE_MS * 2)
    assert len(fake.calls) == 1  # no second, debounced search for the same text
    panel.hide()
    panel.open_with()
    assert edit.selectedText() == "学习"
    assert len(fake.calls) == 2  # reopening refreshes the results


def test_centred_over_parent(panel: SearchPanel, parent: QWidget) -> None:
    centre = parent.frameGeometry().center()
    got = panel.frameGeometry().center()
    assert abs(got.x() - centre.x()) <= 20 and abs(got.y() - centre.y()) <= 40


def test_meta_text(panel: SearchPanel) -> None:
    hit = SearchHit(1, "t", 2, "assistant", "gpt-4o", time.time(), "s")
    text = panel.meta_text(hit)
    assert text.startswith("Assistant · gpt-4o · ")
    assert panel.meta_text(SearchHit(1, "t", 2, "user", None, NOW, "s")).startswith("You · ")


def test_screenshot_with_chinese_results(qtbot: QtBot, panel: SearchPanel, tmp_path: Path) -> None:
    panel.query_edit().setText("学习")
    panel.run_search()
    panel.view().setCurrentIndex(panel.results_model().index(1, 0))
    qtbot.wait(50)
    shot = tmp_path / "searchpanel.png"
    assert panel.grab().save(str(shot))
    assert shot.stat().st_size > 10_000


def test_untitled_hit_is_translated(panel: SearchPanel, qapp: QApplication) -> None:
    """The "New chat" of an untitled hit is looked up under the panel's own context:
    called as ``self._panel.tr(...)`` from the delegate, lupdate filed it under a
    context named "self._panel", so Chinese users saw English."""
    qm = Path(__file__).resolve().parents[3] / "resources" / "i18n" / "chatdesk_zh_CN.qm"
    translator = QTranslator()
    assert translator.load(str(qm))
    hit = SearchHit(
        conversation_id=1,
        conversation_title="",
        message_id=2,
        role="user",
        model=None,
        created=NOW,
        snippet="hi",
    )
    assert panel.title_text(hit) == "New chat"
    qapp.installTranslator(translator)
    try:
        assert panel.title_text(hit) == "新对话"
    finally:
        qapp.removeTranslator(translator)
