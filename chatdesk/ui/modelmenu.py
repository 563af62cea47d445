"""The model chooser the header's pill opens: every provider's models in one searchable list.

Grouped by provider (section headers, the one in use first) and, within a provider, by
vendor (a coloured dot each), the recently used models on top. Typing filters; Enter on a
text that matches nothing uses it as a typed id (relays serve ids they do not list).
Built on first use: nothing of it is paid for at start-up.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QHideEvent,
    QIcon,
    QKeyEvent,
    QPainter,
    QPixmap,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import QAbstractItemView, QFrame, QLineEdit, QListView, QVBoxLayout, QWidget

from chatdesk.ui.modelpicker import OTHER, group_order, vendor_of

# One dot colour per vendor, readable on light and dark (mid saturation and lightness).
VENDOR_COLOURS = {
    "OpenAI": "#10a37f",
    "Anthropic": "#d97757",
    "Google": "#4285f4",
    "DeepSeek": "#4d6bfe",
    "xAI": "#8a8f98",
    "Qwen": "#7c5cff",
    "Meta": "#0a7cff",
    "Mistral": "#fa7a22",
    "Zhipu": "#3b6cf6",
    "Moonshot": "#5b5bd6",
    "01.AI": "#14a38b",
    OTHER: "#9aa0a6",
}
_SPARE = ["#c2185b", "#00897b", "#6d4c41", "#5e35b1", "#f4511e", "#3949ab"]

KIND_ROLE = Qt.ItemDataRole.UserRole + 1  # "provider", "vendor", "model", "typed"
PROVIDER_ROLE = Qt.ItemDataRole.UserRole + 2
MODEL_ROLE = Qt.ItemDataRole.UserRole + 3
VENDOR_ROLE = Qt.ItemDataRole.UserRole + 4
IN_USE_ROLE = Qt.ItemDataRole.UserRole + 5  # the model in use (shown bold)

MAX_ROWS = 2000  # a hostile or huge list stays a list one can scroll


@dataclass(slots=True)
class ProviderModels:
    """One provider's section: ``key`` is what ``provider_chosen`` carries ("" = this run's
    --base-url server), ``label`` its header, ``current`` whether it is in use."""

    key: str
    label: str
    models: list[str] = field(default_factory=list)
    recent: list[str] = field(default_factory=list)
    current: bool = False


def vendor_colour(vendor: str) -> str:
    if vendor in VENDOR_COLOURS:
        return VENDOR_COLOURS[vendor]
    return _SPARE[zlib.crc32(vendor.encode("utf-8")) % len(_SPARE)]


_DOTS: dict[str, QIcon] = {}


def vendor_dot(vendor: str) -> QIcon:
    """A small filled circle in the vendor's colour (cached: one pixmap per vendor)."""
    colour = vendor_colour(vendor)
    dot = _DOTS.get(colour)
    if dot is None:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawEllipse(2, 2, 8, 8)
        painter.end()
        dot = _DOTS[colour] = QIcon(pixmap)
    return dot


class ModelMenu(QFrame):
    """The popup: a search field over the grouped list.

    Signals:
        chosen(str, str): provider key and model id (a listed item, or a typed id, which
            goes to the provider in use).
    """

    chosen = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("model-menu")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._sections: list[ProviderModels] = []
        self._current_model = ""
        self._done = False
        self._row_height = self.fontMetrics().height() + 10
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self.search = QLineEdit()
        self.search.setObjectName("model-search")
        self.search.setPlaceholderText(self.tr("Search models, or type any model id"))
        self.search.setAccessibleName(self.tr("Search models"))
        self.search.setClearButtonEnabled(True)
        self.search.installEventFilter(self)
        layout.addWidget(self.search)
        self.items = QStandardItemModel(self)
        self.list = QListView()
        self.list.setObjectName("model-list")
        self.list.setAccessibleName(self.tr("Models"))
        self.list.setModel(self.items)
        self.list.setUniformItemSizes(False)
        self.list.setIconSize(QSize(12, 12))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.list.clicked.connect(self._choose)
        self.list.activated.connect(self._choose)
        self.list.installEventFilter(self)
        layout.addWidget(self.list, 1)
        self.search.textChanged.connect(self._fill)

    # --- opening ---------------------------------------------------------------------------

    def open_for(self, sections: list[ProviderModels], current: str, anchor: QWidget) -> None:
        """Show under ``anchor`` with the search field focused (empty: everything listed)."""
        self._sections = sorted(sections, key=lambda s: not s.current)
        self._current_model = current
        self._done = False
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._fill("")
        self._place(anchor)
        self.show()
        self.raise_()
        self.activateWindow()
        self.search.setFocus(Qt.FocusReason.PopupFocusReason)

    def _place(self, anchor: QWidget) -> None:
        width = max(anchor.width(), 340)
        below = anchor.mapToGlobal(QPoint(0, anchor.height() + 2))
        screen = QGuiApplication.screenAt(below) or QGuiApplication.primaryScreen()
        room = screen.availableGeometry() if screen is not None else None
        height = 440
        if room is not None:
            height = max(200, min(height, room.bottom() - below.y() - 8))
            width = min(width, room.width() - 16)
            below.setX(max(room.left() + 8, min(below.x(), room.right() - width - 8)))
        self.resize(width, height)
        self.move(below)

    # --- the list ----------------------------------------------------------------------------

    def _header(self, text: str, kind: str, bold: bool) -> QStandardItem:
        item = QStandardItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # shown, never chosen or focused
        item.setData(kind, KIND_ROLE)
        font = QFont(self.font())
        font.setBold(bold)
        if not bold:
            font.setPointSizeF(max(6.0, font.pointSizeF() - 1))
        item.setFont(font)
        if not bold:
            item.setForeground(self.palette().placeholderText())
        # Room above a provider's name: the sections read apart.
        height = QFontMetrics(font).height() + (14 if bold else 6)
        item.setSizeHint(QSize(0, height))
        return item

    def _model_item(self, section: ProviderModels, model_id: str, vendor: str) -> QStandardItem:
        item = QStandardItem(vendor_dot(vendor), model_id)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setData("model", KIND_ROLE)
        item.setData(section.key, PROVIDER_ROLE)
        item.setData(model_id, MODEL_ROLE)
        item.setData(vendor, VENDOR_ROLE)
        item.setToolTip(f"{model_id}\n{section.label} · {vendor}")
        item.setSizeHint(QSize(0, self._row_height))
        if section.current and model_id == self._current_model:
            font = QFont(self.font())
            font.setBold(True)
            item.setFont(font)
            item.setData(True, IN_USE_ROLE)
        return item

    def _fill(self, text: str) -> None:
        needle = text.strip().lower()
        self.items.clear()
        rows = 0
        exact = False
        for section in self._sections:
            recent = [m for m in dict.fromkeys(section.recent) if m and needle in m.lower()][:8]
            groups: dict[str, list[str]] = {}
            for model_id in dict.fromkeys(section.models):
                if model_id and needle in model_id.lower() and model_id not in recent:
                    groups.setdefault(vendor_of(model_id), []).append(model_id)
            if not recent and not groups:
                continue
            self.items.appendRow(self._header(section.label, "provider", True))
            if recent:
                self.items.appendRow(self._header(self.tr("Recent"), "vendor", False))
                for model_id in recent:
                    item = self._model_item(section, model_id, vendor_of(model_id))
                    self.items.appendRow(item)
            for vendor in sorted(groups, key=group_order):
                label = self.tr("Other") if vendor == OTHER else vendor
                header = self._header(label, "vendor", False)
                header.setIcon(vendor_dot(vendor))
                self.items.appendRow(header)
                for model_id in sorted(groups[vendor], key=str.lower):
                    self.items.appendRow(self._model_item(section, model_id, vendor))
                    rows += 1
                    if rows >= MAX_ROWS:
                        break
            if section.current:
                exact = exact or any(m.lower() == needle for m in [*recent, *section.models])
        typed = text.strip()
        if typed and not exact:
            item = QStandardItem(self.tr('Use "%1" (not in the list: sent as typed)').replace(
                "%1", typed))  # fmt: skip
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            item.setData("typed", KIND_ROLE)
            item.setSizeHint(QSize(0, self._row_height))
            item.setData(typed, MODEL_ROLE)
            self.items.appendRow(item)
        self._select(self._first_choice())

    def _first_choice(self) -> int:
        """The row Enter takes: the model in use if listed and no search, else the first."""
        first = -1
        for row in range(self.items.rowCount()):
            item = self.items.item(row)
            if item.data(KIND_ROLE) not in ("model", "typed"):
                continue
            if first < 0:
                first = row
            if self.search.text() or not item.data(IN_USE_ROLE):
                continue
            return row
        return first

    def _select(self, row: int) -> None:
        if row < 0:
            self.list.setCurrentIndex(QModelIndex())
            return
        index = self.items.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)

    def _step(self, delta: int) -> None:
        """Up/Down from the search field: the next choosable row (headers are skipped)."""
        row = self.list.currentIndex().row()
        count = self.items.rowCount()
        while 0 <= row + delta < count:
            row += delta
            if self.items.item(row).data(KIND_ROLE) in ("model", "typed"):
                self._select(row)
                return

    def matches(self) -> list[tuple[str, str]]:
        """(provider key, model id) of every choosable row, in order (tests, screen readers)."""
        out = []
        for row in range(self.items.rowCount()):
            item = self.items.item(row)
            if item.data(KIND_ROLE) == "model":
                out.append((item.data(PROVIDER_ROLE), item.data(MODEL_ROLE)))
        return out

    def headers(self) -> list[tuple[str, str]]:
        """(kind, text) of the section and vendor headers shown, in order."""
        return [
            (str(self.items.item(r).data(KIND_ROLE)), self.items.item(r).text())
            for r in range(self.items.rowCount())
            if self.items.item(r).data(KIND_ROLE) in ("provider", "vendor")
        ]

    # --- choosing ---------------------------------------------------------------------------

    def _current_key(self) -> str:
        return next((s.key for s in self._sections if s.current), "")

    def _choose(self, index: QModelIndex) -> None:
        kind = index.data(KIND_ROLE)
        if kind == "model":
            self._finish(str(index.data(PROVIDER_ROLE)), str(index.data(MODEL_ROLE)))
        elif kind == "typed":
            self._finish(self._current_key(), str(index.data(MODEL_ROLE)))

    def _finish(self, provider: str, model_id: str) -> None:
        self._done = True
        self.hide()
        self.chosen.emit(provider, model_id)

    def accept_current(self) -> None:
        """Enter: the highlighted row; with nothing highlighted, the text as a typed id."""
        index = self.list.currentIndex()
        if index.isValid() and index.data(KIND_ROLE) in ("model", "typed"):
            self._choose(index)
        elif self.search.text().strip():
            self._finish(self._current_key(), self.search.text().strip())

    def cancel(self) -> None:
        self._done = True
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up) and watched is self.search:
                self._step(1 if key == Qt.Key.Key_Down else -1)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
                return True
            if key == Qt.Key.Key_Escape:
                self.cancel()
                return True
        return super().eventFilter(watched, event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        """A click away keeps a typed id that matches nothing, as leaving the old box did:
        losing it silently sent the next prompt to another model. A search is dropped."""
        super().hideEvent(event)
        if self._done:
            return
        self._done = True
        typed = self.search.text().strip()
        if typed and not self.matches():
            self.chosen.emit(self._current_key(), typed)


__all__ = ["ModelMenu", "ProviderModels", "vendor_colour", "vendor_dot"]
