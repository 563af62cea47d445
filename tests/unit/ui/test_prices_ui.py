"""The price table dialog: editing, validation as you type, and the table it hands back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QToolButton
from pytestqt.qtbot import QtBot

from chatdesk.core.arena.prices import Price, PriceTable
from chatdesk.ctl.arena import ArenaController
from chatdesk.store import ProviderRow, Store
from chatdesk.ui.prices import CURRENCY, INPUT, MODEL, OUTPUT, PROVIDER, REMOVE, PriceTableDialog


def _dialog(qtbot: QtBot, table: PriceTable | None = None) -> PriceTableDialog:
    dialog = PriceTableDialog(table or PriceTable(), providers=["zero", "openai"])
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _fill(dialog: PriceTableDialog, row: int, *texts: str) -> None:
    for col, text in zip((PROVIDER, MODEL, INPUT, OUTPUT, CURRENCY), texts, strict=False):
        dialog.editor(row, col).setText(text)


def test_shows_the_table_it_was_given(qtbot: QtBot) -> None:
    table = PriceTable()
    table.set("zero", "gpt-4o", Price(2.5, 10))
    table.set("", "deepseek-chat", Price(0.27, 1.1, "CNY"))
    dialog = _dialog(qtbot, table)
    assert dialog.row_count() == 2
    assert [dialog.editor(0, c).text() for c in (PROVIDER, MODEL, INPUT, OUTPUT, CURRENCY)] == [
        "",
        "deepseek-chat",
        "0.27",
        "1.1",
        "CNY",
    ]
    assert dialog.editor(1, INPUT).text() == "2.5"
    assert dialog.ok_button.isEnabled()
    assert dialog.price_table() == table


def test_an_empty_table_starts_with_one_blank_row_that_saves_nothing(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    assert dialog.row_count() == 1
    assert dialog.editor(0, CURRENCY).text() == "USD"
    assert dialog.problem() == ""
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.prices_saved) as blocker:
        dialog.ok_button.click()
    assert blocker.args == [PriceTable()]


def test_validation_as_you_type(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.editor(0, PROVIDER).setText("zero")
    # The row is no longer blank: every missing field is reported in turn.
    assert dialog.message.text() == "Row 1: enter the model name."
    assert not dialog.message.isHidden()
    assert not dialog.ok_button.isEnabled()
    dialog.editor(0, MODEL).setText("gpt-4o")
    assert "input price" in dialog.message.text()
    assert dialog.editor(0, INPUT).styleSheet()  # the offending field is outlined
    dialog.editor(0, INPUT).setText("2,5")  # a decimal comma is read as a point
    assert "output price" in dialog.message.text()
    assert not dialog.editor(0, INPUT).styleSheet()
    dialog.editor(0, OUTPUT).setText("-1")
    assert dialog.message.text() == (
        "Row 1: the output price must be a number from 0 up to 1,000,000."
    )
    dialog.editor(0, OUTPUT).setText("10")
    assert dialog.message.isHidden()
    assert dialog.ok_button.isEnabled()
    assert dialog.price_table().get("zero", "gpt-4o") == Price(2.5, 10)


def test_bad_numbers_currencies_and_duplicates_are_named(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    for text in ("nan", "inf", "1e6", "abc", "1000000"):
        _fill(dialog, 0, "", "m", text, "1")
        assert dialog.problem().startswith("Row 1: the input price"), text
    _fill(dialog, 0, "", "m", "1", "1", "NOT A CURRENCY")
    assert dialog.problem() == "Row 1: the currency must be a short code such as USD or CNY."
    _fill(dialog, 0, "", "m", "1", "1", "")  # empty currency means USD
    assert dialog.problem() == ""
    r = dialog.add_row(" ", "m ", "2", "2")
    assert r == 1
    assert dialog.problem() == "Row 2 repeats the price of m on any provider from row 1."
    dialog.remove_row(0)
    assert dialog.problem() == ""
    assert dialog.price_table().get("x", "m") == Price(2, 2)


def test_invalid_table_does_not_save(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    _fill(dialog, 0, "zero", "gpt-4o", "lots", "1")
    with qtbot.assertNotEmitted(dialog.prices_saved):
        dialog.accept()  # e.g. Enter pressed while OK is disabled
    assert dialog.isVisible()
    assert "input price" in dialog.message.text()


def test_add_and_remove_buttons_and_accessible_names(qtbot: QtBot) -> None:
    dialog = _dialog(qtbot)
    dialog.add_button.click()
    assert dialog.row_count() == 2
    assert dialog.editor(1, INPUT).accessibleName() == ("Input price per million tokens, row 2")
    _fill(dialog, 0, "zero", "a", "1", "1")
    _fill(dialog, 1, "zero", "b", "2", "2")
    remove = dialog.grid.cellWidget(0, REMOVE)
    assert isinstance(remove, QToolButton)
    assert remove.accessibleName() == "Remove row 1"
    remove.click()
    assert dialog.row_count() == 1
    assert dialog.editor(0, MODEL).text() == "b"
    assert dialog.editor(0, MODEL).accessibleName() == "Model, row 1"  # renumbered
    assert [m for _, m, _ in dialog.price_table()] == ["b"]
    named = [w for w in dialog.findChildren(QLineEdit) if w.isVisible()]
    assert named and all(w.accessibleName() for w in named)
    assert dialog.grid.accessibleName() == "Price table"


# -- through the controller, into the store ------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def test_edits_round_trip_into_the_store(qtbot: QtBot, store: Store) -> None:
    store.upsert_provider(ProviderRow(name="zero", base_url="http://127.0.0.1:9/v1"))
    saved = PriceTable()
    saved.set("zero", "gpt-4o", Price(2.5, 10))
    saved.save(store)
    arena = ArenaController(lambda: store)
    dialog = arena.open_prices()
    qtbot.addWidget(dialog)
    assert dialog.isVisible()
    assert dialog.editor(0, MODEL).text() == "gpt-4o"
    dialog.editor(0, OUTPUT).setText("12.5")
    r = dialog.add_row()
    _fill(dialog, r, "", "通义千问", "0.8", "2", "CNY")
    with qtbot.waitSignal(arena.prices_changed) as blocker:
        dialog.ok_button.click()
    assert not dialog.isVisible()
    stored = PriceTable.load(store)
    assert blocker.args == [stored]
    assert stored.get("zero", "gpt-4o") == Price(2.5, 12.5)
    assert stored.get("anyone", "通义千问") == Price(0.8, 2, "CNY")
    assert arena.price_table() == stored
    # Reopened, the dialog shows what was stored; removing a row removes the price.
    again = arena.open_prices()
    qtbot.addWidget(again)
    assert again.row_count() == 2
    again.remove_row(0)  # sorted: the any-provider row comes first
    again.ok_button.click()
    assert [m for _, m, _ in PriceTable.load(store)] == ["gpt-4o"]


def test_invalid_input_shows_the_message_and_saves_nothing(qtbot: QtBot, store: Store) -> None:
    arena = ArenaController(lambda: store)
    dialog = arena.open_prices()
    qtbot.addWidget(dialog)
    _fill(dialog, 0, "zero", "gpt-4o", "2.5", "-3")
    assert dialog.message.isVisible()
    assert dialog.message.text() == (
        "Row 1: the output price must be a number from 0 up to 1,000,000."
    )
    assert not dialog.ok_button.isEnabled()
    with qtbot.assertNotEmitted(arena.prices_changed):
        dialog.accept()
    assert dialog.isVisible()
    assert store.get_setting("prices") is None


def test_a_store_that_cannot_be_written_keeps_the_dialog_open(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    Store(path).close()
    with Store(path, readonly=True) as readonly:
        arena = ArenaController(lambda: readonly)
        dialog = arena.open_prices()
        qtbot.addWidget(dialog)
        _fill(dialog, 0, "zero", "gpt-4o", "1", "2")
        with qtbot.assertNotEmitted(arena.prices_changed):
            dialog.ok_button.click()
        assert dialog.isVisible()  # the user's edits are still there
        assert dialog.message.text().startswith("The prices could not be saved:")
        assert dialog.editor(0, MODEL).text() == "gpt-4o"
