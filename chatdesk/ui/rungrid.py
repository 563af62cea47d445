"""The grid of a prompt-set run: rows are prompts, columns are models.

The model holds only what is painted (a state word, a line of figures, the start of
the answer), prepared by the controller; a cell that changes is told to the view
with ``dataChanged`` for that one index, so 800 cells filling never reset or
re-measure the table. Rows have one fixed height (no per-row size hints).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QHeaderView, QStyle, QStyledItemDelegate, QStyleOptionHeader

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStyleOptionViewItem

_AnyIndex = QModelIndex | QPersistentModelIndex

#: Characters of an answer kept for the grid (the rest is read in the compare view).
PREVIEW_CHARS = 160


class CellState(IntEnum):
    """What a cell is doing (its colour in the grid)."""

    WAITING = 0
    RUNNING = 1
    DONE = 2
    ERROR = 3
    STOPPED = 4


class GridRole(IntEnum):
    CELL = Qt.ItemDataRole.UserRole + 1  # the GridCell (None: never asked)


@dataclass(slots=True, frozen=True)
class GridCell:
    """One cell as painted: ``state_text`` and ``figures`` are already translated."""

    state: CellState
    state_text: str
    figures: str = ""
    preview: str = ""

    def accessible(self) -> str:
        return " · ".join(t for t in (self.state_text, self.figures, self.preview) if t)


class RunGridModel(QAbstractTableModel):
    """Cells of one run; :meth:`set_cell` changes one and repaints only it."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[str] = []
        self._cells: list[list[GridCell | None]] = []

    def load(
        self, columns: list[str], rows: list[str], cells: dict[tuple[int, int], GridCell]
    ) -> None:
        """A whole run at once (opening it): the only reset."""
        self.beginResetModel()
        self._columns = list(columns)
        self._rows = list(rows)
        self._cells = [[cells.get((p, m)) for m in range(len(columns))] for p in range(len(rows))]
        self.endResetModel()

    def set_cell(self, row: int, column: int, cell: GridCell) -> None:
        if not (0 <= row < len(self._rows) and 0 <= column < len(self._columns)):
            return
        if self._cells[row][column] == cell:
            return
        self._cells[row][column] = cell
        index = self.index(row, column)
        self.dataChanged.emit(index, index)

    def cell(self, row: int, column: int) -> GridCell | None:
        if 0 <= row < len(self._rows) and 0 <= column < len(self._columns):
            return self._cells[row][column]
        return None

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self._cells[index.row()][index.column()]
        if role == GridRole.CELL:
            return cell
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell.accessible() if cell is not None else ""
        if role == Qt.ItemDataRole.ToolTipRole and cell is not None:
            return cell.preview or cell.state_text
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        names = self._columns if orientation == Qt.Orientation.Horizontal else self._rows
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if 0 <= section < len(names):
                name = names[section]
                if role == Qt.ItemDataRole.DisplayRole and len(name) > 40:
                    return name[:39] + "…"
                return name
        return None


class SummaryModel(QAbstractTableModel):
    """The summary per model: replaced as a whole and told in one ``dataChanged``
    (a table widget re-measured its columns once per changed item)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._rows: list[list[str]] = []

    def set_rows(self, headers: list[str], rows: list[list[str]]) -> None:
        if headers != self._headers or len(rows) != len(self._rows):
            self.beginResetModel()
            self._headers, self._rows = list(headers), [list(r) for r in rows]
            self.endResetModel()
        elif rows != self._rows:
            self._rows = [list(r) for r in rows]
            last = self.index(len(rows) - 1, len(headers) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def text(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None


_STATE_COLOURS = {
    CellState.RUNNING: ("#1a73e8", "#8ab4f8"),
    CellState.DONE: ("#188038", "#81c995"),
    CellState.ERROR: ("#c5221f", "#f28b82"),
    CellState.STOPPED: ("#b06000", "#fdd663"),
}


class CellDelegate(QStyledItemDelegate):
    """Paints a cell in three short lines: state and figures, then the answer's start.

    Text is elided, never wrapped or laid out as rich text: painting 40 visible
    cells stays well under a millisecond each.
    """

    LINES = 3

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _AnyIndex) -> None:
        cell = index.data(GridRole.CELL)
        widget = option.widget
        if widget is not None:
            panel = QStyle.PrimitiveElement.PE_PanelItemViewItem
            widget.style().drawPrimitive(panel, option, painter, widget)
        if cell is None:
            return
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
        rect: QRect = option.rect.adjusted(6, 3, -6, -3)
        metrics = QFontMetrics(option.font)
        line = metrics.height()
        painter.save()
        colours = _STATE_COLOURS.get(cell.state)
        # A done cell says so by its colour and a check mark: its figures get the room
        # (the state word stays in the accessible text).
        head = "✓" if cell.state is CellState.DONE else cell.state_text
        if colours is not None and not selected:
            painter.setPen(QColor(colours[1] if dark else colours[0]))
        else:
            painter.setPen(palette.color(text_role))
        state_w = min(rect.width(), metrics.horizontalAdvance(head) + 8)
        painter.drawText(
            QRect(rect.x(), rect.y(), state_w, line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(head, Qt.TextElideMode.ElideRight, state_w),
        )
        painter.setPen(palette.color(text_role))
        if cell.figures:  # first figures first: time to first token, then speed...
            fig_rect = QRect(rect.x() + state_w, rect.y(), rect.width() - state_w, line)
            painter.drawText(
                fig_rect,
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(cell.figures, Qt.TextElideMode.ElideRight, fig_rect.width()),
            )
        if cell.preview:
            lines = _wrap(cell.preview, metrics, rect.width(), self.LINES - 1)
            for i, text in enumerate(lines):
                painter.drawText(
                    QRect(rect.x(), rect.y() + line * (i + 1), rect.width(), line),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    text,
                )
        painter.restore()


class PromptHeader(QHeaderView):
    """The grid's row headers: each prompt on up to three wrapped lines, elided.

    Qt's header paints one line cut at the edge ("1. Explain recursion to a ten-");
    here the section is drawn by the style without text, then the prompt (the model's
    tooltip text: the whole prompt) is wrapped like a cell's answer. The current
    row's prompt is bold, as Qt's header marks it.
    """

    LINES = 3

    def __init__(self, parent: Any = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionsClickable(True)
        self.setHighlightSections(True)

    def paintSection(self, painter: QPainter, rect: QRect, index: int) -> None:  # noqa: N802
        if not rect.isValid():
            return
        option = QStyleOptionHeader()
        self.initStyleOption(option)
        option.rect = rect
        option.section = index
        option.text = ""
        painter.save()
        self.style().drawControl(QStyle.ControlElement.CE_Header, option, painter, self)
        painter.restore()
        model = self.model()
        text = model.headerData(index, Qt.Orientation.Vertical, Qt.ItemDataRole.ToolTipRole)
        if not text:
            return
        font = self.font()
        current = self.selectionModel().currentIndex() if self.selectionModel() else None
        if current is not None and current.isValid() and current.row() == index:
            font.setBold(True)
        metrics = QFontMetrics(font)
        inner = rect.adjusted(6, 3, -6, -3)
        painter.save()
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.ButtonText))
        line = metrics.height()
        for i, piece in enumerate(_wrap(str(text), metrics, inner.width(), self.LINES)):
            painter.drawText(
                QRect(inner.x(), inner.y() + line * i, inner.width(), line),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                piece,
            )
        painter.restore()


def row_height(metrics: QFontMetrics) -> int:
    """The fixed height of a grid row (three lines and a margin)."""
    return metrics.height() * CellDelegate.LINES + 8


def _wrap(text: str, metrics: QFontMetrics, width: int, lines: int) -> list[str]:
    """At most ``lines`` lines of ``text`` cut at ``width`` (the last one elided)."""
    flat = " ".join(text.split())
    out: list[str] = []
    rest = flat
    while rest and len(out) < lines:
        if len(out) == lines - 1 or metrics.horizontalAdvance(rest) <= width:
            out.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            break
        cut = _fit(rest, metrics, width)
        space = rest.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space
        out.append(rest[:cut])
        rest = rest[cut:].lstrip()
    return out


def _fit(text: str, metrics: QFontMetrics, width: int) -> int:
    """How many leading characters of ``text`` fit in ``width`` (binary search)."""
    lo, hi = 1, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if metrics.horizontalAdvance(text[:mid]) <= width:
            lo = mid
        else:
            hi = mid - 1
    return max(1, lo)
