"""The price table dialog: what each model costs, typed in by the user.

Compare mode shows an answer's cost only where the user entered the model's
prices (issue 7). The dialog edits a copy of a :class:`~chatdesk.core.arena.prices.PriceTable`
and hands the result back through :attr:`PriceTableDialog.prices_saved`; it never
reads or writes the store (the controller does).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.arena.prices import (
    DEFAULT_CURRENCY,
    Price,
    PriceTable,
    check_currency,
    check_name,
    check_price,
)

__all__ = ["PriceTableDialog"]

# Column indexes of the table.
PROVIDER, MODEL, INPUT, OUTPUT, CURRENCY, REMOVE = range(6)
_INVALID_STYLE = "QLineEdit { border: 1px solid #c0392b; }"


class _RowProblem(Exception):
    """A row that cannot be saved: the message to show and the cell to outline."""

    def __init__(self, message: str, cell: tuple[int, int]) -> None:
        super().__init__(message)
        self.message = message
        self.cell = cell


def _format_price(value: float) -> str:
    """A price as the user would type it: ``2.5``, not ``2.500000``."""
    return format(value, ".10g")


def _parse_price(text: str) -> float:
    """Typed text to a valid price; a lone comma is read as the decimal point."""
    text = text.strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".", 1)
    try:
        number = float(text)
    except ValueError:
        raise ValueError(text) from None
    return check_price(number)


class PriceTableDialog(QDialog):
    """An editable table: provider, model, input and output price per 1M tokens, currency.

    Each change is checked as it is typed; the first problem is shown under the
    table with its row, the offending field is outlined, and OK stays disabled
    until every row is valid. Rows left entirely blank are ignored.

    Signals:
        prices_saved(PriceTable): OK was pressed with a valid table (the new table).
    """

    prices_saved = Signal(object)

    def __init__(
        self,
        table: PriceTable,
        parent: QWidget | None = None,
        *,
        providers: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Model prices"))
        self.setAccessibleName(self.tr("Model prices"))
        self.resize(760, 420)
        self._providers = sorted(set(providers))
        self._save_error = ""

        intro = QLabel(
            self.tr(
                "Prices per million tokens, used to show what compared answers cost. "
                "Leave the provider empty to price a model on every provider. "
                "Models without a price show no cost."
            ),
            self,
        )
        intro.setWordWrap(True)

        self.grid = QTableWidget(0, 6, self)
        self.grid.setAccessibleName(self.tr("Price table"))
        self.grid.setHorizontalHeaderLabels(
            [
                self.tr("Provider"),
                self.tr("Model"),
                self.tr("Input /1M"),
                self.tr("Output /1M"),
                self.tr("Currency"),
                "",
            ]
        )
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.grid.verticalHeader().setVisible(False)
        header = self.grid.horizontalHeader()
        header.setSectionResizeMode(PROVIDER, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(MODEL, QHeaderView.ResizeMode.Stretch)
        for col in (INPUT, OUTPUT, CURRENCY, REMOVE):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)

        self.add_button = QPushButton(self.tr("Add price"), self)
        self.add_button.setAccessibleName(self.tr("Add a price row"))
        self.add_button.clicked.connect(lambda: self._add_and_focus())

        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Price table problem"))
        self.message.setStyleSheet("color: #c0392b;")
        self.message.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setAccessibleName(self.tr("Save prices"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.grid, 1)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

        for provider, model, price in table.entries():
            self.add_row(
                provider,
                model,
                _format_price(price.input_per_m),
                _format_price(price.output_per_m),
                price.currency,
            )
        if not table.entries():
            self.add_row()
        self._validate()

    # -- rows ---------------------------------------------------------------------------

    def add_row(
        self,
        provider: str = "",
        model: str = "",
        input_price: str = "",
        output_price: str = "",
        currency: str = DEFAULT_CURRENCY,
    ) -> int:
        """Append an editable row with these texts; its index."""
        r = self.grid.rowCount()
        self.grid.insertRow(r)
        texts = {
            PROVIDER: provider,
            MODEL: model,
            INPUT: input_price,
            OUTPUT: output_price,
            CURRENCY: currency,
        }
        placeholders = {
            PROVIDER: self.tr("any provider"),
            MODEL: self.tr("model name"),
            INPUT: "0.00",
            OUTPUT: "0.00",
            CURRENCY: DEFAULT_CURRENCY,
        }
        for col, text in texts.items():
            edit = QLineEdit(text, self.grid)
            edit.setPlaceholderText(placeholders[col])
            edit.setFrame(False)
            if col in (INPUT, OUTPUT):
                edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == PROVIDER and self._providers:
                completer = QCompleter(self._providers, edit)
                completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
                edit.setCompleter(completer)
            edit.textChanged.connect(self._validate)
            self.grid.setCellWidget(r, col, edit)
        remove = QToolButton(self.grid)
        remove.setText(self.tr("Remove"))
        remove.clicked.connect(lambda _checked=False, b=remove: self._remove_row_of(b))
        self.grid.setCellWidget(r, REMOVE, remove)
        self._renumber()
        self._validate()
        return r

    def remove_row(self, row: int) -> None:
        """Delete a row (its price is gone once OK is pressed)."""
        if 0 <= row < self.grid.rowCount():
            self.grid.removeRow(row)
            self._renumber()
            self._validate()

    def row_count(self) -> int:
        return self.grid.rowCount()

    def editor(self, row: int, column: int) -> QLineEdit:
        """The line edit of one cell (column: PROVIDER, MODEL, INPUT, OUTPUT, CURRENCY)."""
        widget = self.grid.cellWidget(row, column)
        assert isinstance(widget, QLineEdit), (row, column)
        return widget

    def _add_and_focus(self) -> None:
        r = self.add_row()
        self.editor(r, PROVIDER).setFocus()

    def _remove_row_of(self, button: QToolButton) -> None:
        for r in range(self.grid.rowCount()):
            if self.grid.cellWidget(r, REMOVE) is button:
                self.remove_row(r)
                return

    def _renumber(self) -> None:
        """Accessible names carry the row number, which moves when rows are removed."""
        names = {
            PROVIDER: self.tr("Provider, row {row}"),
            MODEL: self.tr("Model, row {row}"),
            INPUT: self.tr("Input price per million tokens, row {row}"),
            OUTPUT: self.tr("Output price per million tokens, row {row}"),
            CURRENCY: self.tr("Currency, row {row}"),
            REMOVE: self.tr("Remove row {row}"),
        }
        for r in range(self.grid.rowCount()):
            for col, name in names.items():
                widget = self.grid.cellWidget(r, col)
                if widget is not None:
                    widget.setAccessibleName(name.format(row=r + 1))

    # -- validation ---------------------------------------------------------------------

    def _read(self) -> tuple[PriceTable, str, tuple[int, int] | None]:
        """The table the rows describe, the first problem ('' if none) and its cell."""
        table = PriceTable()
        seen: dict[tuple[str, str], int] = {}
        try:
            for r in range(self.grid.rowCount()):
                entry = self._read_row(r)
                if entry is None:
                    continue  # a blank row is not a price
                provider, model, price = entry
                first = seen.setdefault((provider, model), r + 1)
                if first != r + 1:
                    text = self.tr(
                        "Row {row} repeats the price of {model} on {provider} from row {first}."
                    )
                    where = provider or self.tr("any provider")
                    raise _RowProblem(
                        text.format(row=r + 1, model=model, provider=where, first=first),
                        (r, MODEL),
                    )
                table.set(provider, model, price)
        except _RowProblem as problem:
            return table, problem.message, problem.cell
        return table, "", None

    def _read_row(self, r: int) -> tuple[str, str, Price] | None:
        """One row's price, ``None`` for a blank row; :class:`_RowProblem` if invalid."""
        texts = {col: self.editor(r, col).text() for col in (PROVIDER, MODEL, INPUT, OUTPUT)}
        if not any(t.strip() for t in texts.values()):
            return None

        def problem(col: int, message: str) -> _RowProblem:
            return _RowProblem(message.format(row=r + 1), (r, col))

        try:
            provider = check_name(texts[PROVIDER], "provider", allow_empty=True)
        except ValueError:
            raise problem(
                PROVIDER, self.tr("Row {row}: the provider name is not usable.")
            ) from None
        if not texts[MODEL].strip():
            raise problem(MODEL, self.tr("Row {row}: enter the model name."))
        try:
            model = check_name(texts[MODEL], "model", allow_empty=False)
        except ValueError:
            raise problem(MODEL, self.tr("Row {row}: the model name is not usable.")) from None
        try:
            input_price = _parse_price(texts[INPUT])
        except ValueError:
            raise problem(
                INPUT,
                self.tr("Row {row}: the input price must be a number from 0 up to 1,000,000."),
            ) from None
        try:
            output_price = _parse_price(texts[OUTPUT])
        except ValueError:
            raise problem(
                OUTPUT,
                self.tr("Row {row}: the output price must be a number from 0 up to 1,000,000."),
            ) from None
        try:
            currency = check_currency(self.editor(r, CURRENCY).text())
        except ValueError:
            raise problem(
                CURRENCY,
                self.tr("Row {row}: the currency must be a short code such as USD or CNY."),
            ) from None
        return provider, model, Price(input_price, output_price, currency)

    def _validate(self) -> bool:
        """Show the first problem (or none) and allow OK only when there is none."""
        _, problem, cell = self._read()
        for widget in self.grid.findChildren(QLineEdit):
            if widget.styleSheet():
                widget.setStyleSheet("")
        if cell is not None:
            self.editor(*cell).setStyleSheet(_INVALID_STYLE)
        self.message.setText(problem)
        self.message.setVisible(bool(problem))
        self.ok_button.setEnabled(not problem)
        return not problem

    def problem(self) -> str:
        """The message shown for the first invalid row, or '' when the table is valid."""
        return self._read()[1]

    def price_table(self) -> PriceTable:
        """The table as edited; ``ValueError`` with the shown message if a row is invalid."""
        table, problem, _ = self._read()
        if problem:
            raise ValueError(problem)
        return table

    def accept(self) -> None:
        """Emit :attr:`prices_saved` and close, or stay open on the first problem.

        Also stays open when a receiver called :meth:`show_save_error` while
        handling the signal, so the user's edits are not lost.
        """
        if not self._validate():
            return
        self._save_error = ""
        self.prices_saved.emit(self.price_table())
        if self._save_error:
            return
        super().accept()

    def show_save_error(self, text: str) -> None:
        """Say why the table could not be kept (for the receiver of :attr:`prices_saved`)."""
        self._save_error = text
        self.message.setText(text)
        self.message.show()
