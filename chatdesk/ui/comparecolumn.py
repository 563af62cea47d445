"""One column of the compare view: a model, its parameters, its figures and its answers.

The column shows what the compare controller gives it; it never runs a request. In
blind mode it holds no model name at all (not in a hidden widget, a tooltip or an
accessible name): the label is "Model A" until the vote reveals the name.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.ui.columnstate import ColumnState
from chatdesk.ui.comparediff import DiffBrowser
from chatdesk.ui.comparefigures import FIGURES, FigureStrip
from chatdesk.ui.elided import ElidedLabel, ElidedToolButton
from chatdesk.ui.icons import icon
from chatdesk.ui.mcpwidgets import ToolServersButton
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.modelpicker import ModelPicker

__all__ = ["FIGURES", "ColumnParamsDialog", "ColumnState", "CompareColumn"]


class CompareColumn(QFrame):
    """A compare column.

    Signals:
        model_changed(str): the user picked another model (before the first prompt).
        params_requested(): the user wants to edit this column's parameters.
        stop_requested(), retry_requested(), remove_requested(): buttons.
        move_requested(int): -1 left, +1 right.
        carry_toggled(bool): "Carry this answer forward" was switched.
        continue_requested(): "Continue in chat".
        tools_menu_opening(): the Tools menu opens (the controller fills it).
        tools_changed(list): the MCP servers whose tools this column offers.
        tools_manage_requested(): "Manage servers…" in the Tools menu.
    """

    model_changed = Signal(str)
    params_requested = Signal()
    stop_requested = Signal()
    retry_requested = Signal()
    remove_requested = Signal()
    move_requested = Signal(int)
    carry_toggled = Signal(bool)
    continue_requested = Signal()
    tools_menu_opening = Signal()
    tools_changed = Signal(list)
    tools_manage_requested = Signal()

    MIN_WIDTH = 160  # four columns and the conversation list fit an 800-pixel window
    PICKER_MIN = 44  # the model field never gets narrower (about five letters)
    TOOLS_ICON_BELOW = 360  # narrower: the Tools button shows its icon only...
    TOOLS_MENU_BELOW = 240  # ...and narrower still, it moves into the "more" menu
    COMPACT_BELOW = 420  # narrower: the foot's buttons show as icons

    def __init__(self, label: str, image_loader: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = label
        self.setObjectName(f"compare-column-{label}")
        self.model = MessageListModel(image_loader=image_loader)
        self.view = MessageView(self.model)
        self.view.setAccessibleName(self.tr("Answers in column %1").replace("%1", label))
        # A scroll bar that appears mid-stream changes the text width: every column
        # would lay out its answer again in the same frame. Keep the width fixed.
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

        head = QHBoxLayout()
        head.setContentsMargins(6, 6, 4, 0)
        self.badge = QLabel(label)
        self.badge.setObjectName("column-badge")
        self.badge.setAccessibleName(self.tr("Column %1").replace("%1", label))
        head.addWidget(self.badge)
        # The model: an editable picker before the first prompt, then a pill that reads
        # like a button ("Zero · gpt-4o", elided, the whole id in its tooltip; its menu
        # copies the id). Neither asks for more than the column has: the header's parts
        # never overlap, even with four columns in an 800-pixel window. In blind mode the
        # pill says "Model A" and has no menu: no name is held anywhere in the column.
        self.picker = ModelPicker()
        self.picker.setMinimumContentsLength(3)
        self.picker.setMinimumWidth(self.PICKER_MIN)
        self.picker.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.picker.model_changed.connect(self.model_changed)
        self.name_label = ElidedToolButton()
        self.name_label.setObjectName("model-pill")
        self.name_label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.name_label.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.name_label.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self._model_id = ""
        pill_menu = QMenu(self.name_label)
        self.copy_model_action = pill_menu.addAction(self.tr("Copy the model's name"))
        self.copy_model_action.triggered.connect(self._copy_model)
        self._pill_menu = pill_menu
        self.name_label.setMenu(pill_menu)
        self.name_label.hide()
        self.blind_label = self.name_label  # one pill; "Model A" while names are hidden
        head.addWidget(self.picker, 2)
        head.addWidget(self.name_label, 2)
        # The rule in force at this column: "Carried" / "Continues from A".
        self.carry_chip = ElidedLabel(mode=Qt.TextElideMode.ElideRight, max_hint=150)
        self.carry_chip.setObjectName("carry-chip")
        self.carry_chip.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.carry_chip.setContentsMargins(8, 1, 8, 1)  # the chip's padding, kept when elided
        self.carry_chip.hide()
        head.addWidget(self.carry_chip, 1)
        head.addStretch(0)
        # Stop and Retry at the column's head, icons only (their words in the tooltip).
        self.stop_button = self._tool(self.tr("Stop"), self.tr("Stop this column"))
        self.stop_button.setIcon(icon("debug-stop"))
        self.stop_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.stop_button.clicked.connect(self.stop_requested)
        head.addWidget(self.stop_button)
        self.retry_button = self._tool(self.tr("Retry"), self.tr("Send this column again"))
        self.retry_button.setIcon(icon("refresh"))
        self.retry_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.retry_button.clicked.connect(self.retry_requested)
        head.addWidget(self.retry_button)
        # Which MCP servers' tools this column offers (its own choice, like its parameters).
        self.tools_button = ToolServersButton(self)
        self.tools_button.setObjectName(f"compare-tools-{label}")
        self.tools_button.setIcon(icon("tools"))
        self.tools_button.about_to_show.connect(self.tools_menu_opening)
        self.tools_button.selection_changed.connect(self.tools_changed)
        self.tools_button.manage_requested.connect(self.tools_manage_requested)
        head.addWidget(self.tools_button)
        self.params_button = self._tool("⚙", self.tr("Parameters of this column"))
        self.params_button.setIcon(icon("settings-gear"))
        if not self.params_button.icon().isNull():
            self.params_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.params_button.clicked.connect(self.params_requested)
        head.addWidget(self.params_button)
        # Moving and removing are rare: they live in a "more" menu (with the Tools menu
        # when the column is too narrow for its button).
        self.more_button = self._tool("⋯", self.tr("More column actions"))
        self.more_button.setObjectName(f"compare-more-{label}")
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more_button.setIcon(icon("ellipsis"))
        if not self.more_button.icon().isNull():
            self.more_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.more_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0; }")
        more = QMenu(self.more_button)
        self.tools_action = more.addMenu(self.tools_button.menu())
        self.tools_action.setText(self.tr("Tools"))
        self.left_action = more.addAction(self.tr("Move this column left"))
        self.left_action.triggered.connect(lambda: self.move_requested.emit(-1))
        self.right_action = more.addAction(self.tr("Move this column right"))
        self.right_action.triggered.connect(lambda: self.move_requested.emit(1))
        more.addSeparator()
        self.remove_action = more.addAction(self.tr("Remove this column"))
        self.remove_action.triggered.connect(self.remove_requested)
        self.more_button.setMenu(more)
        head.addWidget(self.more_button)
        head.setSpacing(2)
        self.head = head
        self._editable = True
        self._tools_fold = ""  # "", "icon" or "menu": how the Tools button is shown

        self.strip = FigureStrip()
        self.strip.setAccessibleName(self.tr("Figures of column %1").replace("%1", label))

        self.diff = DiffBrowser(self)
        self.diff.setAccessibleName(self.tr("Word differences"))
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.diff)

        # The foot: the state line (what happened, an error) beside the answer's actions.
        foot = QHBoxLayout()
        foot.setContentsMargins(4, 0, 4, 4)
        self._state = ColumnState.IDLE
        self.state_label = QLabel()
        self.state_label.setObjectName("column-state")
        self.state_label.setWordWrap(True)
        self.state_label.setContentsMargins(4, 0, 4, 0)
        # Its words never widen the column (a 1 px change re-wraps every answer).
        self.state_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        foot.addWidget(self.state_label, 1)
        self.carry_button = self._tool(
            self.tr("Carry forward"),
            self.tr("Make this answer the shared context of every column for the next prompt"),
        )
        self.carry_button.setIcon(icon("pin"))
        self.carry_button.setCheckable(True)
        self.carry_button.toggled.connect(self.carry_toggled)
        self.chat_button = self._tool(
            self.tr("Continue in chat"),
            self.tr("Open this column as an ordinary conversation with its whole history"),
        )
        self.chat_button.setIcon(icon("comment-discussion"))
        self.chat_button.clicked.connect(self.continue_requested)
        self._foot_buttons = (self.carry_button, self.chat_button)
        for b in self._foot_buttons:
            foot.addWidget(b)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.strip)
        layout.addWidget(self.stack, 1)
        layout.addLayout(foot)
        self._blind = False
        self._provider = ""
        self.set_running(False)
        self.retry_button.hide()
        self.setAccessibleName(self.tr("Column %1").replace("%1", label))
        # A floor of our own instead of the sum of the buttons: otherwise the column's
        # minimum moves whenever Stop or Retry shows, the splitters share the width out
        # again, and every document of every answer is re-wrapped mid-stream. Narrow
        # columns show their buttons as icons (the text stays in the tooltip).
        self.setMinimumWidth(self.MIN_WIDTH)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        style = (
            Qt.ToolButtonStyle.ToolButtonIconOnly
            if event.size().width() < self.COMPACT_BELOW
            else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        )
        for button in self._foot_buttons:
            if button.toolButtonStyle() != style:
                button.setToolButtonStyle(style)
        width = event.size().width()
        fold = (
            "menu"
            if width < self.TOOLS_MENU_BELOW
            else "icon"
            if width < self.TOOLS_ICON_BELOW
            else ""
        )
        if fold != self._tools_fold:
            self._tools_fold = fold
            self.tools_button.setToolButtonStyle(
                Qt.ToolButtonStyle.ToolButtonIconOnly
                if fold
                else Qt.ToolButtonStyle.ToolButtonTextBesideIcon
            )
            self._update_head()

    def _update_head(self) -> None:
        """Which header buttons show: the Tools button unless folded into "more"; "more"
        until the first prompt (moving, removing and the tools are fixed from then on)."""
        folded = self._tools_fold == "menu"
        self.tools_button.setVisible(not folded)
        self.tools_action.setVisible(folded)
        self.tools_action.setEnabled(self.tools_button.isEnabled())
        self.more_button.setVisible(self._editable)

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setObjectName("column-tool")
        return button

    # --- what the controller sets -----------------------------------------------------

    def set_label(self, label: str) -> None:
        self.label = label
        self.badge.setText(label)
        self.badge.setAccessibleName(self.tr("Column %1").replace("%1", label))
        self.setAccessibleName(self.tr("Column %1").replace("%1", label))
        self.strip.setAccessibleName(self.tr("Figures of column %1").replace("%1", label))

    def set_model_name(
        self, model: str | None, *, editable: bool, provider: str | None = None
    ) -> None:
        """Show the model (None: blind, the name is not held anywhere in this widget);
        ``provider`` prefixes the pill ("Zero · gpt-4o")."""
        self._blind = model is None
        if model is None:
            self.picker.blockSignals(True)
            self.picker.set_models([])
            self.picker.set_current("")  # not even as the id to restore on focus-out
            self.picker.setEditText("")
            self.picker.setToolTip("")
            self.picker.blockSignals(False)
            self.picker.hide()
            self._model_id = ""
            self._provider = ""
            self.name_label.setText(self.tr("Model %1").replace("%1", self.label))
            self.name_label.setAccessibleName(self.name_label.text())
            # Nothing to copy, nothing to show (PySide6 takes None; its stubs say QMenu).
            self.name_label.setMenu(None)  # type: ignore[arg-type]
            self.copy_model_action.setEnabled(False)
            self.name_label.show()
            return
        self._provider = provider or ""
        self.picker.set_current(model)
        self.picker.setEnabled(editable)
        self.picker.setVisible(editable)
        self._show_pill(model)
        self.name_label.setVisible(not editable)

    def _show_pill(self, model: str) -> None:
        self._model_id = model
        text = f"{self._provider} · {model}" if self._provider else model
        self.name_label.setText(text)
        self.name_label.setToolTip(model if not self._provider else text)
        self.name_label.setAccessibleName(self.tr("Model: %1").replace("%1", text))
        if self.name_label.menu() is None:
            self.name_label.setMenu(self._pill_menu)
        self.copy_model_action.setEnabled(bool(model))

    def _copy_model(self) -> None:
        if self._model_id and not self._blind:
            QGuiApplication.clipboard().setText(self._model_id)

    def model_text(self) -> str:
        """What the pill says (the provider and model, or "Model A" when blind)."""
        return self.name_label.text()

    def set_models(self, models: list[dict[str, Any]]) -> None:
        if not self._blind:
            current = self.picker.current()
            self.picker.set_models(models)
            if current:
                self.picker.set_current(current)

    def set_editable(self, editable: bool, *, can_remove: bool) -> None:
        """Before the first prompt the columns can change; afterwards they are fixed."""
        self.picker.setEnabled(editable)
        self.params_button.setEnabled(editable)
        self.tools_button.setEnabled(editable)
        self._editable = editable
        self.remove_action.setVisible(editable and can_remove)
        if not self._blind:  # blind columns show neither
            self.picker.setVisible(editable)
            self._show_pill(self.picker.current())
            self.name_label.setVisible(not editable)
        self._update_head()

    def set_running(self, running: bool) -> None:
        self.stop_button.setVisible(running)
        self.carry_button.setEnabled(not running)
        self.chat_button.setEnabled(not running)

    @property
    def state(self) -> ColumnState:
        return self._state

    @property
    def has_state_text(self) -> bool:
        """Whether the state line says something (a note then would hide it)."""
        return bool(self.state_label.text())

    def set_state(self, state: ColumnState, text: str = "", *, retry: bool = False) -> None:
        """Show where the turn is: ``text`` on the state line (red for FAILED), Retry."""
        self._state = state
        error = state is ColumnState.FAILED
        if self.state_label.text() != text:
            self.state_label.setText(text)
        if self.state_label.property("error") != error:  # a re-polish: only on a change
            self.state_label.setProperty("error", error)
            self.state_label.style().unpolish(self.state_label)
            self.state_label.style().polish(self.state_label)
        self.retry_button.setVisible(retry)

    def set_figure(self, key: str, text: str, *, best: bool = False) -> None:
        """Figures refresh four times a second while streaming: the strip repaints what
        changed, with no layout pass (the best of each in the accent colour)."""
        self.strip.set_figure(key, text, best=best)

    def figure(self, key: str) -> str:
        return self.strip.figure(key)

    def is_best(self, key: str) -> bool:
        return self.strip.is_best(key)

    def set_carry(self, on: bool) -> None:
        self.carry_button.blockSignals(True)
        self.carry_button.setChecked(on)
        self.carry_button.blockSignals(False)

    def set_carry_chip(self, text: str) -> None:
        """The follow-up rule at this column ("" hides the chip)."""
        self.carry_chip.setText(text)
        self.carry_chip.setAccessibleName(text)
        self.carry_chip.setVisible(bool(text))

    def set_dark(self, dark: bool) -> None:
        self.view.set_dark(dark)
        self.strip.set_dark(dark)
        self.diff.set_dark(dark)

    def show_diff(self, html: str | None) -> None:
        """Back to the messages (None), or an HTML text in place of them."""
        if html is None:
            self.stack.setCurrentWidget(self.view)
        else:
            self.diff.setHtml(html)
            self.stack.setCurrentWidget(self.diff)

    def show_diff_page(self) -> None:
        """The word differences (already filled by :func:`comparediff.show_pair`)."""
        self.stack.setCurrentWidget(self.diff)


class ColumnParamsDialog(QDialog):
    """One column's provider and every request field (the chat's parameters panel)."""

    def __init__(
        self,
        label: str,
        params: dict[str, Any],
        parent: QWidget | None = None,
        *,
        providers: list[str] | None = None,
        provider: str | None = None,
    ):
        super().__init__(parent)
        from PySide6.QtWidgets import QComboBox, QFormLayout

        from chatdesk.ui.params import ParamsPanel

        self.setWindowTitle(self.tr("Parameters of column %1").replace("%1", label))
        self.provider_box = QComboBox()
        self.provider_box.setAccessibleName(self.tr("Provider of this column"))
        self.provider_box.addItem(self.tr("This window's server"), None)
        for name in providers or []:
            self.provider_box.addItem(name, name)
        index = self.provider_box.findData(provider) if provider else 0
        self.provider_box.setCurrentIndex(max(0, index))
        form = QFormLayout()
        form.addRow(self.tr("Provider"), self.provider_box)
        self.panel = ParamsPanel()
        self.panel.set_params(params)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.panel, 1)
        layout.addWidget(buttons)
        self.resize(420, 600)

    def params(self) -> dict[str, Any]:
        return self.panel.params()

    def provider(self) -> str | None:
        """The chosen provider's name (None: the server the window talks to)."""
        data = self.provider_box.currentData()
        return str(data) if data else None
