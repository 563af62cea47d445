"""The leaderboard window through ArenaController, on votes cast through the Store API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTranslator
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from chatdesk.core.arena.leaderboard import Rating, fit
from chatdesk.ctl.arena import ArenaController
from chatdesk.store import Store
from chatdesk.ui.leaderboard import (
    CI,
    LOSSES,
    MODEL,
    RANK,
    RATING,
    SPEED,
    TIES,
    TTFT,
    VOTES,
    WINS,
    LeaderboardModel,
    LeaderboardRow,
    LeaderboardWindow,
)

MARCH_1 = QDate(2026, 3, 1)
MARCH_10 = QDate(2026, 3, 10)


def at(day: QDate, hour: int = 12) -> float:
    """Local noon (or ``hour``) of ``day`` in epoch seconds, as a vote's ``created``."""
    return QDateTime(day, QTime(hour, 0)).toMSecsSinceEpoch() / 1000.0


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def vote(store: Store, winner: str, models: list[str], created: float) -> None:
    cid = store.create_conversation("c")
    comp = store.create_comparison(cid, [{"model": m} for m in models])
    store.add_vote(
        comp,
        winner,
        models=models,
        prompt="which is better?",
        column_order=list(range(len(models))),
        created=created,
    )


def answer(store: Store, model: str, ttft_ms: float, duration_ms: float, tokens: int) -> None:
    cid = store.create_conversation("speed")
    user = store.add_message(cid, "user", "hi")
    store.add_message(
        cid,
        "assistant",
        "hello",
        parent_id=user,
        model_requested=model,
        ttft_ms=ttft_ms,
        duration_ms=duration_ms,
        usage={"prompt_tokens": 5, "completion_tokens": tokens},
    )


def known_votes(store: Store) -> None:
    """8 votes on March 1 (alpha > beta > gamma), 3 on March 10 that lift gamma over beta."""
    for _ in range(3):
        vote(store, "A", ["alpha", "beta"], at(MARCH_1))
    vote(store, "B", ["beta", "gamma"], at(MARCH_1))  # gamma beats beta once
    vote(store, "A", ["beta", "gamma"], at(MARCH_1))
    vote(store, "A", ["beta", "gamma"], at(MARCH_1))
    vote(store, "tie", ["alpha", "gamma"], at(MARCH_1, 0))
    vote(store, "C", ["gamma", "beta", "alpha"], at(MARCH_1, 23))  # alpha best of three
    for _ in range(3):
        vote(store, "A", ["gamma", "beta"], at(MARCH_10))  # gamma's good week


def open_board(qtbot: QtBot, store: Store) -> tuple[ArenaController, LeaderboardWindow]:
    arena = ArenaController(lambda: store)
    window = arena.open_leaderboard()
    qtbot.addWidget(window)
    settle(qtbot, window)
    return arena, window


def settle(qtbot: QtBot, window: LeaderboardWindow) -> None:
    """Wait for the fit running on the worker thread to be delivered."""
    qtbot.waitUntil(lambda: not window.is_waiting(), timeout=10_000)


def column(window: LeaderboardWindow, col: int) -> list[str]:
    return [window.cell_text(r, col) for r in range(window.proxy.rowCount())]


def test_known_ranking_counts_intervals_and_speeds(qtbot: QtBot, store: Store) -> None:
    known_votes(store)
    answer(store, "alpha", 200, 1200, 100)  # 100 tokens/s
    answer(store, "alpha", 400, 1600, 100)  # 83.3 tokens/s
    expected = fit(store.list_votes())
    window = open_board(qtbot, store)[1]
    vote(store, "A", ["alpha", "beta"], at(MARCH_10))  # after opening: needs a refresh
    assert window.isVisible()
    assert window.status_text() == ""
    assert window.displayed_models() == ["alpha", "gamma", "beta"]
    # Every interval overlaps the others: the votes cannot order them yet (issue 15).
    assert column(window, RANK) == ["1-3", "1-3", "1-3"]
    assert [r.rank_text() for r in expected] == ["1-3", "1-3", "1-3"]
    # alpha: 3 wins over beta, a tie with gamma, best of three: 4 wins, 0 losses, 1 tie.
    assert column(window, VOTES) == ["5", "8", "10"]
    assert column(window, WINS) == ["4", "4", "2"]
    assert column(window, LOSSES) == ["0", "3", "8"]
    assert column(window, TIES) == ["1", "1", "0"]
    assert [r.model for r in expected] == ["alpha", "gamma", "beta"]
    assert column(window, RATING) == [f"{r.rating:.0f}" for r in expected]
    assert column(window, RATING)[0] == "1208"
    assert column(window, CI) == [f"{r.ci_low:.0f}\u2013{r.ci_high:.0f}" for r in expected]
    assert column(window, TTFT) == ["300", "\u2013", "\u2013"]  # medians; no figures: a dash
    # Core's generation speed: tokens after the first over the time after it
    # (99 / 1.0 s and 99 / 1.2 s), the same figure a compare column shows.
    assert column(window, SPEED) == ["90.8", "\u2013", "\u2013"]
    window.refresh_button.click()
    settle(qtbot, window)
    assert column(window, VOTES) == ["6", "8", "11"]


def test_date_filter_requeries_and_changes_the_counts(qtbot: QtBot, store: Store) -> None:
    known_votes(store)
    window = open_board(qtbot, store)[1]
    assert column(window, VOTES) == ["5", "8", "10"]
    window.set_range(MARCH_10, MARCH_10)
    settle(qtbot, window)
    assert not window.all_time.isChecked()
    assert window.from_date.isEnabled()
    assert window.displayed_models() == ["gamma", "beta"]  # alpha had no vote that day
    assert column(window, VOTES) == ["3", "3"]
    assert column(window, WINS) == ["3", "0"]
    # Editing a date asks again once typing settles (the edits' own signals).
    window.from_date.setDate(MARCH_1)
    qtbot.waitUntil(lambda: window.proxy.rowCount() == 3)
    assert column(window, VOTES) == ["5", "8", "10"]
    window.to_date.setDate(QDate(2026, 3, 9))  # day boundaries are local and inclusive
    qtbot.waitUntil(lambda: column(window, VOTES) == ["5", "7", "5"])
    assert window.displayed_models() == ["alpha", "beta", "gamma"]  # the ranking moved too
    window.all_time.setChecked(True)
    settle(qtbot, window)
    assert not window.from_date.isEnabled()
    assert column(window, VOTES) == ["5", "8", "10"]


def test_empty_states(qtbot: QtBot, store: Store) -> None:
    arena, window = open_board(qtbot, store)
    assert window.status_text() == "Vote in a comparison to build your leaderboard."
    assert window.proxy.rowCount() == 0
    vote(store, "A", ["alpha", "beta"], at(MARCH_1))
    window.set_range(MARCH_10, MARCH_10)
    settle(qtbot, window)
    assert window.status_text() == "No votes between these dates."
    window.set_range(MARCH_10, MARCH_1)
    assert window.status_text() == "The start date is after the end date."
    window.set_range(None, None)
    settle(qtbot, window)
    assert window.status_text() == ""
    assert window.displayed_models() == ["alpha", "beta"]
    assert arena.open_leaderboard() is window  # one window, raised again


def test_columns_sort_and_missing_figures_sort_lowest(qtbot: QtBot, store: Store) -> None:
    known_votes(store)
    answer(store, "gamma", 900, 1900, 50)
    answer(store, "beta", 100, 600, 50)
    window = open_board(qtbot, store)[1]
    window.view.sortByColumn(VOTES, Qt.SortOrder.DescendingOrder)
    assert column(window, VOTES) == ["10", "8", "5"]
    window.view.sortByColumn(TTFT, Qt.SortOrder.AscendingOrder)
    assert window.displayed_models() == ["alpha", "beta", "gamma"]  # alpha has no figure
    window.view.sortByColumn(TTFT, Qt.SortOrder.DescendingOrder)
    assert window.displayed_models() == ["gamma", "beta", "alpha"]
    window.view.sortByColumn(MODEL, Qt.SortOrder.DescendingOrder)
    assert window.displayed_models() == ["gamma", "beta", "alpha"]
    window.view.sortByColumn(RANK, Qt.SortOrder.AscendingOrder)
    assert window.displayed_models() == ["alpha", "gamma", "beta"]


def test_a_swapped_store_is_read_on_the_next_refresh(
    qtbot: QtBot, store: Store, tmp_path: Path
) -> None:
    known_votes(store)
    current = [store]
    arena = ArenaController(lambda: current[0])
    window = arena.open_leaderboard()
    qtbot.addWidget(window)
    settle(qtbot, window)
    assert window.proxy.rowCount() == 3
    with Store(tmp_path / "restored.sqlite3") as restored:
        vote(restored, "B", ["delta", "epsilon"], at(MARCH_1))
        current[0] = restored  # a restore replaced the history
        arena.refresh_leaderboard()
        settle(qtbot, window)
        assert window.displayed_models() == ["epsilon", "delta"]


def test_damaged_votes_are_left_out(qtbot: QtBot, store: Store) -> None:
    vote(store, "A", ["alpha", "beta"], at(MARCH_1))
    vote(store, "B", ["alpha", "beta"], at(MARCH_1))
    with store.transaction():  # as a hand edit or a damaged import could leave them
        store.conn.execute("UPDATE votes SET winner = 'D' WHERE id = 2")
    window = open_board(qtbot, store)[1]
    assert column(window, VOTES) == ["1", "1"]


def test_overlapping_ranks_and_the_unranked_and_the_model_is_sound(
    qtmodeltester: ModelTester,
) -> None:
    model = LeaderboardModel()
    rows = [
        LeaderboardRow(Rating("b", 1000.0, 900.0, 1100.0, 6, 0, 0, 6, 1, 2), None, 12.5),
        LeaderboardRow(Rating("a", 1010.0, 900.0, 1120.0, 6, 0, 0, 6, 1, 2), 350.0, None),
        LeaderboardRow(Rating("c", 1100.0, 1000.0, 1200.0, 1, 1, 0, 0), float("nan"), None),
    ]
    model.set_rows(rows)
    qtmodeltester.check(model)
    ranks = [model.index(r, RANK).data() for r in range(3)]
    assert ranks == ["1-2", "1-2", "\u2013"]  # c: one vote, not ranked however high
    assert "Too few votes" in model.index(2, RANK).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(2, TTFT).data() == "\u2013"  # not a figure
    assert model.headerData(RATING, Qt.Orientation.Horizontal) == "Rating"
    model.set_rows([])
    qtmodeltester.check(model)


def test_too_few_votes_are_said_and_sorted_last(qtbot: QtBot, store: Store) -> None:
    """Two votes gave "1256, CI 835-1677" as a confident first place (issue 15)."""
    vote(store, "A", ["alpha", "beta"], at(MARCH_1))
    vote(store, "A", ["alpha", "beta"], at(MARCH_1))
    for _ in range(6):
        vote(store, "A", ["gamma", "delta"], at(MARCH_1))
    window = open_board(qtbot, store)[1]
    assert window.displayed_models() == ["gamma", "delta", "alpha", "beta"]
    assert column(window, RANK) == ["1-2", "1-2", "\u2013", "\u2013"]
    assert window.notice.isVisibleTo(window)
    assert "2 of 4 models have fewer than 5 votes" in window.notice.text()


def test_the_fit_runs_off_the_gui_thread_and_a_refresh_supersedes(
    qtbot: QtBot, store: Store
) -> None:
    """Issue 16: the fit blocked the window; now the event loop turns while it runs,
    and the votes are read there too, with a connection of the worker's own."""
    import random
    import threading

    rng = random.Random(3)
    names = [f"m{i}" for i in range(40)]
    for _ in range(300):
        vote(store, "A", rng.sample(names, 2), at(MARCH_1))
    arena = ArenaController(lambda: store)
    threads: list[str] = []
    original = arena._fit_in_worker

    def spy(request: int, *args: object) -> None:
        threads.append(threading.current_thread().name)
        original(request, *args)  # type: ignore[arg-type]

    arena._fit_in_worker = spy  # type: ignore[method-assign]
    window = arena.open_leaderboard()
    qtbot.addWidget(window)
    assert window.is_waiting()  # open returned before the fit finished
    assert "Computing" in window.busy.text()
    arena.refresh_leaderboard()  # a second request while the first may still run
    settle(qtbot, window)
    assert threads and all(name.startswith("leaderboard") for name in threads)
    assert window.proxy.rowCount() == 40
    assert not window.busy.isVisible()
    reads: list[str] = []
    store.conn.set_trace_callback(lambda sql: reads.append(sql) if "votes" in sql else None)
    arena.refresh_leaderboard()
    settle(qtbot, window)
    store.conn.set_trace_callback(None)
    assert reads == []  # the GUI thread's connection read no vote
    assert window.proxy.rowCount() == 40
    arena.shutdown()


def test_the_windows_speak_chinese(qtbot: QtBot, qapp: QApplication, store: Store) -> None:
    translator = QTranslator()
    assert translator.load(str(Path(__file__).parents[3] / "resources/i18n/chatdesk_zh_CN.qm"))
    qapp.installTranslator(translator)
    try:
        arena, window = open_board(qtbot, store)
        assert window.windowTitle() == "排行榜"
        assert window.status_text() == "在对比中投票，即可建立您的排行榜。"
        assert window.model.headerData(VOTES, Qt.Orientation.Horizontal) == "投票数"
        dialog = arena.open_prices()
        qtbot.addWidget(dialog)
        dialog.editor(0, 1).setText("gpt-4o")  # the model column
        assert dialog.message.text() == "第 1 行：输入价格必须是 0 到 1,000,000 之间的数字。"
    finally:
        qapp.removeTranslator(translator)


def test_the_board_is_calm_and_follows_the_theme(qtbot: QtBot, store: Store) -> None:
    """No grid or zebra rows, a clear leader in a heavier weight, the table in the theme's
    own base colour, light or dark (issue 18)."""
    from PySide6.QtGui import QColor, QFont

    from chatdesk.ui.comparestyle import palette_of

    for _ in range(30):
        vote(store, "A", ["alpha", "beta"], at(MARCH_1))
    window = open_board(qtbot, store)[1]
    window.resize(700, 400)
    window.show()
    qtbot.waitExposed(window)
    view = window.view
    assert not view.showGrid() and not view.alternatingRowColors()
    assert column(window, RANK) == ["1", "2"]
    font = window.proxy.index(0, MODEL).data(Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.weight() >= QFont.Weight.DemiBold
    assert window.proxy.index(1, MODEL).data(Qt.ItemDataRole.FontRole) is None

    def empty_pixel() -> QColor:
        image = view.viewport().grab().toImage()
        return image.pixelColor(image.width() // 2, image.height() - 4)  # below the rows

    for dark in (True, False):
        window.set_dark(dark)
        qtbot.wait(10)
        assert empty_pixel() == QColor(palette_of(dark)["base"]), dark
