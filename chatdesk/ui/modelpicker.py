"""An editable model selector grouped by vendor, with substring search.

Relays list hundreds of models and often accept ids they do not list, so the
picker filters as you type and accepts any id the user enters.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QAction, QFocusEvent, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QWidget

from chatdesk.ui.icons import icon

OTHER = "Other"

# Checked in order against the model id (after any "vendor/" prefix).
_ID_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(gpt|chatgpt|o[134](-|$)|text-embedding|dall-e|whisper|tts-)"), "OpenAI"),
    (re.compile(r"^claude"), "Anthropic"),
    (re.compile(r"^(gemini|gemma)"), "Google"),
    (re.compile(r"^deepseek"), "DeepSeek"),
    (re.compile(r"^grok"), "xAI"),
    (re.compile(r"^(qwen|qwq)"), "Qwen"),
    (re.compile(r"^(llama|meta-llama)"), "Meta"),
    (re.compile(r"^(mistral|mixtral|codestral|magistral|ministral|pixtral)"), "Mistral"),
    (re.compile(r"^(glm|chatglm|zhipu)"), "Zhipu"),
    (re.compile(r"^(moonshot|kimi)"), "Moonshot"),
    (re.compile(r"^yi-"), "01.AI"),
    (re.compile(r"^(doubao|seed-)"), "ByteDance"),
    (re.compile(r"^(ernie)"), "Baidu"),
    (re.compile(r"^(hunyuan)"), "Tencent"),
    (re.compile(r"^(minimax|abab)"), "MiniMax"),
]

# owned_by / "vendor/" spellings seen from servers, mapped to display names.
_OWNER_NAMES = {
    "openai": "OpenAI",
    "openai-internal": "OpenAI",
    "anthropic": "Anthropic",
    "google": "Google",
    "vertex-ai": "Google",
    "deepseek": "DeepSeek",
    "xai": "xAI",
    "x-ai": "xAI",
    "qwen": "Qwen",
    "alibaba": "Qwen",
    "meta": "Meta",
    "meta-llama": "Meta",
    "mistralai": "Mistral",
    "mistral": "Mistral",
    "zhipuai": "Zhipu",
    "moonshotai": "Moonshot",
    "01-ai": "01.AI",
}

# owned_by values that say nothing about who made the model.
_GENERIC_OWNERS = frozenset({"", "system", "user", "custom", "organization-owner", "library"})

_VENDOR_ORDER = [
    "OpenAI",
    "Anthropic",
    "Google",
    "DeepSeek",
    "xAI",
    "Qwen",
    "Meta",
    "Mistral",
    "Zhipu",
    "Moonshot",
    "01.AI",
]

_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_VENDOR_ROLE = Qt.ItemDataRole.UserRole + 2  # on headers: the untranslated vendor


def vendor_of(model_id: str, owned_by: str | None = None) -> str:
    """The vendor group for a model.

    The id prefix wins over ``owned_by`` because relays often stamp
    ``owned_by="openai"`` on every model they proxy, Claude included.
    """
    prefix, _, name = model_id.lower().rpartition("/")
    for pattern, vendor in _ID_RULES:
        if pattern.match(name):
            return vendor
    for hint in (prefix, (owned_by or "").strip().lower()):
        if hint in _OWNER_NAMES:
            return _OWNER_NAMES[hint]
    owner = (owned_by or "").strip()
    if owner.lower() not in _GENERIC_OWNERS:
        return owner
    return OTHER


def group_order(vendor: str) -> tuple[int, str]:
    if vendor in _VENDOR_ORDER:
        return (0, f"{_VENDOR_ORDER.index(vendor):02d}")
    if vendor == OTHER:
        return (2, "")
    return (1, vendor.lower())


RECENT = "\x00recent"  # the group of recently used models (listed first)


class ModelPicker(QComboBox):
    """Editable combo box: the drop-down is grouped by vendor, typing filters by substring.

    Signals:
        model_changed(str): the user chose or typed (and committed) a model id.
        state_changed(): the model, the list or its source changed (by the user or the
            controller): what shows the model follows it.
    """

    model_changed = Signal(str)
    state_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current = ""
        self._source = ""
        self._ids: list[str] = []
        self._list_sig: tuple[object, ...] | None = None  # what set_models was given last
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        self.setMaxVisibleItems(20)

        self._items = QStandardItemModel(self)
        self.setModel(self._items)

        # The completer searches a flat list of ids (no headers) anywhere in the id.
        self._completion_ids = QStringListModel(self)
        self._completer = QCompleter(self._completion_ids, self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self._completer.setMaxVisibleItems(15)
        self.setCompleter(self._completer)
        # The text overload of an overloaded signal; PySide6's stubs lack
        # SignalInstance.__getitem__, which selects it at run time.
        self._completer.activated[str].connect(self.commit)  # type: ignore[index]

        line_edit = self.lineEdit()
        if line_edit is None:  # setEditable(True) above made it; never replaced
            raise RuntimeError("an editable combo box has a line edit")
        self._edit = line_edit
        line_edit.setPlaceholderText(self.tr("Model id"))
        line_edit.returnPressed.connect(self._on_return)
        # A small mark inside the box for an id the server does not list: it is used
        # anyway (relays serve ids they do not list), the user just gets to know.
        self._unlisted_mark = QAction(icon("warning"), "", self)
        self._unlisted_mark.setToolTip(self.tr("Not in the server's list: it is sent as typed."))
        self._unlisted_mark.setObjectName("model-unlisted")
        self._unlisted_mark.setVisible(False)
        line_edit.addAction(self._unlisted_mark, QLineEdit.ActionPosition.TrailingPosition)
        self.activated.connect(self._on_activated)
        self._update_tooltip()

    # -- public API --------------------------------------------------------

    def set_models(self, models: list[dict[str, Any]], recent: list[str] | None = None) -> None:
        """Replace the list; the current model stays selected (even if not listed).

        ``recent``: the models used last with this provider, listed first. The same list
        again (each new comparison sets it on every column) changes nothing.
        """
        sig = (
            tuple((str(e.get("id") or ""), str(e.get("owned_by") or "")) for e in models),
            tuple(recent or ()),
            self.tr("Recent"),
            self.tr("Other"),
            self.font().key(),
        )
        if sig == self._list_sig:
            return
        self._list_sig = sig
        groups: dict[str, list[str]] = {}
        seen: set[str] = set()
        for entry in models:
            model_id = str(entry.get("id") or "").strip()
            if not model_id or model_id in seen:
                continue
            seen.add(model_id)
            owner = entry.get("owned_by")
            vendor = vendor_of(model_id, owner if isinstance(owner, str) else None)
            groups.setdefault(vendor, []).append(model_id)

        self.blockSignals(True)
        try:
            self._items.clear()
            self._ids = []
            header_font = QFont(self.font())
            header_font.setBold(True)
            recent_ids = [m for m in dict.fromkeys(recent or []) if m][:8]
            if recent_ids:
                header = QStandardItem(self.tr("Recent"))
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                header.setFont(header_font)
                header.setData(None, _ID_ROLE)
                header.setData(RECENT, _VENDOR_ROLE)
                self._items.appendRow(header)
                for model_id in recent_ids:
                    item = QStandardItem(model_id)
                    item.setData(model_id, _ID_ROLE)
                    item.setData(model_id, Qt.ItemDataRole.ToolTipRole)
                    self._items.appendRow(item)
                    if model_id not in seen:  # a typed id, searchable too
                        self._ids.append(model_id)
            for vendor in sorted(groups, key=group_order):
                label = self.tr("Other") if vendor == OTHER else vendor
                header = QStandardItem(label)
                header.setFlags(Qt.ItemFlag.NoItemFlags)  # not selectable
                header.setFont(header_font)
                header.setData(None, _ID_ROLE)
                header.setData(vendor, _VENDOR_ROLE)
                self._items.appendRow(header)
                for model_id in sorted(groups[vendor], key=str.lower):
                    item = QStandardItem(model_id)
                    item.setData(model_id, _ID_ROLE)
                    item.setData(f"{model_id} ({label})", Qt.ItemDataRole.ToolTipRole)
                    self._items.appendRow(item)
                    self._ids.append(model_id)
            self._completion_ids.setStringList(self._ids)
            self._show(self._current)
        finally:
            self.blockSignals(False)
        self._update_tooltip()

    def models(self) -> list[str]:
        """The listed ids in display order (without headers)."""
        return list(self._ids)

    def groups(self) -> dict[str, list[str]]:
        """Vendor → ids as displayed; handy for tests and menus."""
        result: dict[str, list[str]] = {}
        vendor = OTHER
        for row in range(self._items.rowCount()):
            item = self._items.item(row)
            model_id = item.data(_ID_ROLE)
            if model_id is None:
                vendor = item.data(_VENDOR_ROLE) or item.text()
                result[vendor] = []
            else:
                result.setdefault(vendor, []).append(model_id)
        return result

    def set_current(self, model_id: str) -> None:
        """Show ``model_id`` as the selection without emitting ``model_changed``."""
        self._current = model_id.strip()
        self.blockSignals(True)
        try:
            self._show(self._current)
        finally:
            self.blockSignals(False)
        self._update_tooltip()

    def current(self) -> str:
        return self._current

    def set_source(self, text: str) -> None:
        """Say where the list came from ("from server", "cached", "built-in list")."""
        self._source = text
        self._update_tooltip()

    def source(self) -> str:
        return self._source

    def completer_matches(self, text: str) -> list[str]:
        """Ids the search popup offers for ``text`` (case-insensitive substring)."""
        self._completer.setCompletionPrefix(text)
        model = self._completer.completionModel()
        return [model.index(r, 0).data() for r in range(model.rowCount())]

    # -- internals ---------------------------------------------------------

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt override)
        """Leaving the box (Tab, a click elsewhere) keeps what was typed, as Enter does:
        relay users type ids the server does not list, and losing one silently sends the
        next prompt to another model. An emptied box gets its model back."""
        super().focusOutEvent(event)
        reason = event.reason()
        popup = self._completer.popup()
        if reason == Qt.FocusReason.PopupFocusReason:
            return  # the search popup opened: the user is still choosing
        popup_open = popup is not None and popup.isVisible()
        if reason == Qt.FocusReason.ActiveWindowFocusReason and popup_open:
            return
        if self._edit.text() != self._current:
            if popup is not None:
                popup.hide()
            self.commit(self._edit.text())

    def _show(self, model_id: str) -> None:
        row = self._row_of(model_id)
        if row >= 0:
            self.setCurrentIndex(row)
        else:
            # Not listed: keep it as free text rather than snapping to another model.
            self.setCurrentIndex(-1)
            self.setEditText(model_id)
        if not self.hasFocus():
            self._edit.setCursorPosition(0)  # a narrow box shows the id's start

    def _row_of(self, model_id: str) -> int:
        for row in range(self._items.rowCount()):
            if self._items.item(row).data(_ID_ROLE) == model_id:
                return row
        return -1

    def _on_activated(self, row: int) -> None:
        model_id = self._items.item(row).data(_ID_ROLE) if row >= 0 else None
        if model_id is not None:
            self.commit(model_id)

    def _on_return(self) -> None:
        self.commit(self._edit.text())

    def commit(self, text: str) -> None:
        """Use ``text`` as the model, as the user's choice (``model_changed`` if it changed).

        Any id is accepted: listed or not, servers decide what they serve."""
        model_id = text.strip()
        if not model_id:
            self.set_current(self._current)  # empty box: put the old id back
            return
        if model_id not in self._ids:
            # A case-insensitive match to exactly one listed id is almost surely it.
            matches = [m for m in self._ids if m.lower() == model_id.lower()]
            if len(matches) == 1:
                model_id = matches[0]
        changed = model_id != self._current
        self.set_current(model_id)
        if changed:
            self.model_changed.emit(model_id)

    def unlisted(self) -> bool:
        """Whether the current id is not in the server's list (it is used all the same)."""
        return bool(self._current and self._ids and self._current not in self._ids)

    def _update_tooltip(self) -> None:
        lines = []
        unlisted = self.unlisted()
        if unlisted != self._unlisted_mark.isVisible():
            self._unlisted_mark.setVisible(unlisted)
        if self._current:
            lines.append(self.tr("Model: {0}").format(self._current))
        if unlisted:
            lines.append(self._unlisted_mark.toolTip())
        if self._source:
            lines.append(self.tr("List: {0}").format(self._source))
        lines.append(self.tr("Type to search; press Enter to use any model id."))
        self.setToolTip("\n".join(lines))
        self.state_changed.emit()


__all__ = ["OTHER", "RECENT", "ModelPicker", "group_order", "vendor_of"]
