"""The request-parameters panel: one conversation's optional chat/completions fields.

Every optional field of the chat/completions request body is editable here. Each has an
"unset" state (an enable checkbox, or "default" for temperature) because a field the user
did not set must be left out of the body, never sent as null or as a guessed default.
Editing a field's value sets it, so users rarely need to touch the checkbox.

The panel only edits a dict; the controller decides when to save or send it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.params import MAX_STOP, PARAM_FIELDS
from chatdesk.ui.paramfields import (
    INT64_MAX,
    INT64_MIN,
    Int64Validator,
    TemperatureControl,
    as_float,
    as_int,
    decode_stop,
    encode_stop,
    error_style,
)
from chatdesk.ui.toolseditor import ToolChoiceBox, ToolsEditor

__all__ = [
    "FIELD_ORDER",
    "MAX_STOP",
    "ParamsPanel",
    "TemperatureControl",
    "decode_stop",
    "encode_stop",
]

# The fields this panel owns, in the order the API documents them (and params() returns).
FIELD_ORDER = PARAM_FIELDS


class _FieldRows:
    """The panel's grid, filled top to bottom: most fields get an enable box (left) that
    says whether the field is sent, and their editor (right)."""

    def __init__(
        self, owner: QWidget, boxes: dict[str, QCheckBox], on_toggle: Callable[..., None]
    ) -> None:
        self.owner = owner
        self.boxes = boxes
        self.on_toggle = on_toggle
        self.grid = QGridLayout()
        self.grid.setColumnStretch(1, 1)
        self.row = 0

    def field(self, name: str, label: str, tip: str, editor: QWidget) -> None:
        """A field with an enable box named ``label``; the editor gets the same name."""
        box = QCheckBox(label, self.owner)
        box.setToolTip(tip)
        editor.setToolTip(tip)
        editor.setAccessibleName(label)
        box.toggled.connect(self.on_toggle)
        self.boxes[name] = box
        self.grid.addWidget(box, self.row, 0, Qt.AlignmentFlag.AlignTop)
        self.grid.addWidget(editor, self.row, 1)
        self.row += 1

    def pair(self, label: QWidget, editor: QWidget) -> None:
        """A row without an enable box (the editor has its own unset state)."""
        self.grid.addWidget(label, self.row, 0)
        self.grid.addWidget(editor, self.row, 1)
        self.row += 1

    def wide(self, widget: QWidget) -> None:
        """A row that spans both columns (a checkbox that is its own field)."""
        self.grid.addWidget(widget, self.row, 0, 1, 2)
        self.row += 1


class ParamsPanel(QWidget):
    """Edits one conversation's optional request fields as a dict keyed by API field name.

    Unset fields are absent from :meth:`params`. Keys the panel does not edit (for example
    ``stream_options`` stored by a newer version) are kept and passed through unchanged.

    Signals:
        params_changed(dict): the new parameters after a user edit, only when valid().
        view_code_requested(): the user wants to see the request as cURL/Python/Node.
    """

    params_changed = Signal(dict)
    view_code_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loading = False
        self._valid = True
        self._extra: dict[str, Any] = {}
        self._response_format: dict[str, Any] = {"type": "json_object"}
        self._stop_text = ""
        self._last: dict[str, Any] = {}
        self.enable_boxes: dict[str, QCheckBox] = {}
        self._build()
        self.reset_defaults(emit=False)

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        """The fields in the API's order (the tab order follows it), then the buttons."""
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        rows = _FieldRows(self, self.enable_boxes, self._on_changed)
        self._build_sampling(rows)
        self._build_stop(rows, mono)
        self._build_penalties(rows)
        self._build_output(rows)
        self._build_tools(rows, mono)
        self._build_footer()
        self._assemble(rows.grid)

    def _build_sampling(self, rows: _FieldRows) -> None:
        """Temperature, top p, max tokens and n."""
        # temperature: its own "default" state stands in for the checkbox
        self.temperature = TemperatureControl(self)
        self.temperature.value_changed.connect(self._on_changed)
        temp_label = QLabel(self.tr("Temperature"), self)
        temp_label.setToolTip(self.temperature.slider.toolTip())
        rows.pair(temp_label, self.temperature)

        self.top_p_spin = self._double_spin(0.0, 1.0, 0.05, 1.0)
        rows.field(
            "top_p",
            self.tr("Top p"),
            self.tr("Nucleus sampling, 0 to 1. Use this or temperature."),
            self.top_p_spin,
        )

        self.max_tokens_spin = QSpinBox(self)
        self.max_tokens_spin.setRange(1, 1_000_000)
        self.max_tokens_spin.setSingleStep(256)
        self.max_tokens_spin.setGroupSeparatorShown(True)
        self._watch(self.max_tokens_spin.valueChanged, "max_tokens")
        rows.field(
            "max_tokens",
            self.tr("Max tokens"),
            self.tr("Cap on the length of the reply, in tokens."),
            self.max_tokens_spin,
        )

        self.n_spin = QSpinBox(self)
        self.n_spin.setRange(1, 16)
        self._watch(self.n_spin.valueChanged, "n")
        rows.field(
            "n",
            self.tr("Replies (n)"),
            self.tr("How many candidate replies to generate (1 to 16)."),
            self.n_spin,
        )

    def _build_stop(self, rows: _FieldRows, mono: QFont) -> None:
        """The stop sequences, one per line, with the message shown past the limit."""
        stop_box = QWidget(self)
        stop_layout = QVBoxLayout(stop_box)
        stop_layout.setContentsMargins(0, 0, 0, 0)
        self.stop_edit = QPlainTextEdit(stop_box)
        self.stop_edit.setAccessibleName(self.tr("Stop sequences"))
        self.stop_edit.setFont(mono)
        self.stop_edit.setTabChangesFocus(True)
        self.stop_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.stop_edit.setPlaceholderText(
            self.tr("One per line, up to 4. Write \\n for a newline.")
        )
        line_h = self.stop_edit.fontMetrics().lineSpacing()
        self.stop_edit.setFixedHeight(line_h * (MAX_STOP + 1) + 8)
        self.stop_edit.textChanged.connect(self._on_stop_text_changed)
        self.stop_message = QLabel(stop_box)
        self.stop_message.setWordWrap(True)
        error_style(self.stop_message, True)
        self.stop_message.hide()
        stop_layout.addWidget(self.stop_edit)
        stop_layout.addWidget(self.stop_message)
        rows.field(
            "stop",
            self.tr("Stop sequences"),
            self.tr("The reply ends before any of these texts (up to 4)."),
            stop_box,
        )

    def _build_penalties(self, rows: _FieldRows) -> None:
        """Presence and frequency penalties."""
        self.presence_spin = self._double_spin(-2.0, 2.0, 0.1, 0.0)
        rows.field(
            "presence_penalty",
            self.tr("Presence penalty"),
            self.tr("-2 to 2. Positive values favour new topics."),
            self.presence_spin,
        )
        self.frequency_spin = self._double_spin(-2.0, 2.0, 0.1, 0.0)
        rows.field(
            "frequency_penalty",
            self.tr("Frequency penalty"),
            self.tr("-2 to 2. Positive values reduce repetition."),
            self.frequency_spin,
        )

    def _build_output(self, rows: _FieldRows) -> None:
        """JSON output, the seed and the end-user id."""
        self.json_check = QCheckBox(self.tr("JSON output"), self)
        self.json_check.setToolTip(
            self.tr("Ask for a JSON object reply. Mention JSON in your prompt too.")
        )
        self.json_check.toggled.connect(self._on_changed)
        rows.wide(self.json_check)

        self.seed_edit = QLineEdit(self)
        self.seed_edit.setValidator(Int64Validator(self.seed_edit))
        self.seed_edit.setPlaceholderText(self.tr("any whole number"))
        self._watch(self.seed_edit.textEdited, "seed")
        rows.field(
            "seed",
            self.tr("Seed"),
            self.tr("Best-effort determinism: the same seed tends to give the same reply."),
            self.seed_edit,
        )

        self.user_edit = QLineEdit(self)
        self.user_edit.setPlaceholderText(self.tr("end-user id"))
        self._watch(self.user_edit.textEdited, "user")
        rows.field(
            "user",
            self.tr("User id"),
            self.tr("An end-user id the server may use for abuse monitoring."),
            self.user_edit,
        )

    def _build_tools(self, rows: _FieldRows, mono: QFont) -> None:
        """The tools editor and the tool choice (see :mod:`chatdesk.ui.toolseditor`)."""
        self.tools_editor = ToolsEditor(self, mono)
        self.tools_edit = self.tools_editor.edit
        self.tools_status = self.tools_editor.status
        self.tools_example_button = self.tools_editor.example_button
        rows.field(
            "tools",
            self.tr("Tools"),
            self.tr("Function tools the model may call, as a JSON array."),
            self.tools_editor,
        )

        self.tool_choice_box = ToolChoiceBox(self)
        self.tool_choice_combo = self.tool_choice_box.combo
        self.tool_choice_note = self.tool_choice_box.note
        self.tool_choice_combo.activated.connect(lambda _i: self._on_edited("tool_choice"))
        rows.field(
            "tool_choice",
            self.tr("Tool choice"),
            self.tr("auto: model decides; none: never; required: must call; or one function."),
            self.tool_choice_box,
        )
        self.tools_editor.edited.connect(self._on_tools_edited)
        self._rebuild_tool_choices()

    def _build_footer(self) -> None:
        """Reset all, View code, and the line that says why changes are not applied."""
        self.view_code_button = QPushButton(self.tr("View code"), self)
        self.view_code_button.setToolTip(self.tr("Show this request as cURL, Python or Node code"))
        self.view_code_button.clicked.connect(self.view_code_requested)
        self.reset_button = QPushButton(self.tr("Reset all"), self)
        self.reset_button.setToolTip(self.tr("Unset every parameter (server defaults)"))
        self.reset_button.clicked.connect(lambda: self.reset_defaults())
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        error_style(self.error_label, True)
        self.error_label.hide()

    def _assemble(self, grid: QGridLayout) -> None:
        """The fields in a scroll area above the error line and the buttons."""
        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.addLayout(grid)
        inner_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setAccessibleName(self.tr("Request parameters"))
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(inner)

        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(self.view_code_button)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.error_label)
        outer.addLayout(buttons)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)

    def _double_spin(self, lo: float, hi: float, step: float, value: float) -> QDoubleSpinBox:
        spin = QDoubleSpinBox(self)
        spin.setDecimals(2)
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        spin.setValue(value)
        return spin

    def _watch(self, signal: Any, name: str) -> None:
        signal.connect(lambda *_a: self._on_edited(name))

    # ------------------------------------------------------------------ public API

    def params(self) -> dict[str, Any]:
        """The set fields as a request-body fragment (unset ones absent).

        ``stop`` is always a list; ``tool_choice`` is left out unless tools are sent,
        because servers reject tool_choice without tools.
        """
        on = {name: box.isChecked() for name, box in self.enable_boxes.items()}
        out: dict[str, Any] = {}
        temp = self.temperature.value()
        if temp is not None:
            out["temperature"] = temp
        if on["top_p"]:
            out["top_p"] = round(self.top_p_spin.value(), 2)
        if on["max_tokens"]:
            out["max_tokens"] = self.max_tokens_spin.value()
        if on["n"]:
            out["n"] = self.n_spin.value()
        if on["stop"]:
            stops = self._stop_list()
            if stops:
                out["stop"] = stops
        if on["presence_penalty"]:
            out["presence_penalty"] = round(self.presence_spin.value(), 2)
        if on["frequency_penalty"]:
            out["frequency_penalty"] = round(self.frequency_spin.value(), 2)
        if self.json_check.isChecked():
            out["response_format"] = dict(self._response_format)
        if on["seed"]:
            seed = self._seed_value()
            if seed is not None:
                out["seed"] = seed
        tools = self.tools_editor.tools if on["tools"] else None
        if tools:
            out["tools"] = tools
            if on["tool_choice"]:
                choice = self.tool_choice_box.value()
                if choice is not None:
                    out["tool_choice"] = choice
        if on["user"] and self.user_edit.text():
            out["user"] = self.user_edit.text()
        for key, value in self._extra.items():
            out.setdefault(key, value)
        return out

    def set_params(self, params: dict[str, Any]) -> None:
        """Show ``params`` (out-of-range numbers are clamped). Does not emit params_changed."""
        self._loading = True
        try:
            self._clear()
            p = dict(params)
            self.temperature.set_value(as_float(p.pop("temperature", None)))
            self._set_number("top_p", self.top_p_spin, as_float(p.pop("top_p", None)))
            self._set_number("max_tokens", self.max_tokens_spin, as_int(p.pop("max_tokens", None)))
            self._set_number("n", self.n_spin, as_int(p.pop("n", None)))
            stop = p.pop("stop", None)
            if isinstance(stop, str):
                stop = [stop]
            if isinstance(stop, list) and stop:
                lines = [encode_stop(str(s)) for s in stop[:MAX_STOP]]
                self._stop_text = "\n".join(lines)
                self.stop_edit.setPlainText(self._stop_text)
                self.enable_boxes["stop"].setChecked(True)
            self._set_number(
                "presence_penalty", self.presence_spin, as_float(p.pop("presence_penalty", None))
            )
            self._set_number(
                "frequency_penalty",
                self.frequency_spin,
                as_float(p.pop("frequency_penalty", None)),
            )
            fmt = p.pop("response_format", None)
            if isinstance(fmt, dict) and fmt:
                self._response_format = dict(fmt)
                self.json_check.setChecked(True)
                self.json_check.setToolTip(json.dumps(fmt, ensure_ascii=False))
            seed = as_int(p.pop("seed", None))
            if seed is not None:
                self.seed_edit.setText(str(max(INT64_MIN, min(INT64_MAX, seed))))
                self.enable_boxes["seed"].setChecked(True)
            user = p.pop("user", None)
            if isinstance(user, str) and user:
                self.user_edit.setText(user)
                self.enable_boxes["user"].setChecked(True)
            tools = p.pop("tools", None)
            if isinstance(tools, list) and tools:
                self.tools_editor.show_tools(tools)
                self.enable_boxes["tools"].setChecked(True)
            choice = p.pop("tool_choice", None)
            if choice is not None:
                self.tool_choice_box.select(choice, self.tools_editor.function_names())
                self.enable_boxes["tool_choice"].setChecked(True)
            self._extra = p
        finally:
            self._loading = False
        self._update_validity()
        self._last = self.params()

    def reset_defaults(self, emit: bool = True) -> None:
        """Unset every field (the server's defaults apply); emits params_changed({}) if needed."""
        self._loading = True
        try:
            self._clear()
        finally:
            self._loading = False
        self._update_validity()
        if emit:
            self._on_changed()
        else:
            self._last = self.params()

    def valid(self) -> bool:
        """False while an enabled field (the tools JSON) holds something unsendable."""
        return self._valid

    # ------------------------------------------------------------------ internals

    def _clear(self) -> None:
        for box in self.enable_boxes.values():
            box.setChecked(False)
        self.temperature.set_value(None)
        self.top_p_spin.setValue(1.0)
        self.max_tokens_spin.setValue(4096)
        self.n_spin.setValue(1)
        self._stop_text = ""
        self.stop_edit.setPlainText("")
        self.stop_message.hide()
        self.presence_spin.setValue(0.0)
        self.frequency_spin.setValue(0.0)
        self._response_format = {"type": "json_object"}
        self.json_check.setChecked(False)
        self.seed_edit.clear()
        self.user_edit.clear()
        self.tools_editor.clear()
        self._extra = {}
        self._rebuild_tool_choices()
        self.tool_choice_combo.setCurrentIndex(0)

    def _set_number(self, name: str, spin: QSpinBox | QDoubleSpinBox, value: float | None) -> None:
        if value is None:
            return
        if isinstance(spin, QSpinBox):
            # Clamped here: Qt's int box raises OverflowError on a number past a C int
            # (a stored or imported value may be any size) instead of clamping it.
            spin.setValue(int(max(spin.minimum(), min(spin.maximum(), value))))
        else:
            spin.setValue(value)  # the spin box clamps to its range
        self.enable_boxes[name].setChecked(True)

    def _on_edited(self, name: str) -> None:
        """A user edit of a field's value also sets the field."""
        if self._loading:
            return
        box = self.enable_boxes[name]
        if not box.isChecked():
            box.setChecked(True)  # toggled -> _on_changed
        else:
            self._on_changed()

    def _on_changed(self, *_args: object) -> None:
        if self._loading:
            return
        self._update_validity()
        if not self._valid:
            return
        current = self.params()
        if current != self._last:
            self._last = current
            self.params_changed.emit(current)

    def _update_validity(self) -> None:
        tools_bad = self.enable_boxes["tools"].isChecked() and self.tools_editor.error is not None
        self._valid = not tools_bad
        if tools_bad:
            self.error_label.setText(self.tr("Tools JSON is invalid; changes are not applied."))
        self.error_label.setVisible(tools_bad)
        self.tool_choice_note.setVisible(
            self.enable_boxes["tool_choice"].isChecked() and not self._tools_sent()
        )

    def _tools_sent(self) -> bool:
        return bool(self.enable_boxes["tools"].isChecked() and self.tools_editor.tools)

    # stop ---------------------------------------------------------------

    def _stop_list(self) -> list[str]:
        return [decode_stop(line) for line in self._stop_text.split("\n") if line]

    def _on_stop_text_changed(self) -> None:
        text = self.stop_edit.toPlainText()
        if text == self._stop_text:
            return
        if len(text.split("\n")) > MAX_STOP:
            # Refuse the edit (typed Enter or a paste): restore the last accepted text.
            self.stop_edit.blockSignals(True)
            self.stop_edit.setPlainText(self._stop_text)
            self.stop_edit.blockSignals(False)
            self.stop_edit.moveCursor(QTextCursor.MoveOperation.End)
            self.stop_message.setText(self.tr("At most 4 stop sequences are allowed."))
            self.stop_message.show()
            return
        self.stop_message.hide()
        self._stop_text = text
        self._on_edited("stop")

    # seed ---------------------------------------------------------------

    def _seed_value(self) -> int | None:
        try:
            return int(self.seed_edit.text())
        except ValueError:
            return None

    # tools --------------------------------------------------------------

    def _on_tools_edited(self, valid: bool) -> None:
        if valid:
            self._rebuild_tool_choices()
        self._on_edited("tools")

    def _rebuild_tool_choices(self, extra_name: str | None = None) -> None:
        """Offer auto/none/required plus every function in the last valid tools list."""
        self.tool_choice_box.rebuild(self.tools_editor.function_names(), extra_name)

    def tool_choice_options(self) -> list[str | dict[str, Any]]:
        """The values the tool-choice box currently offers (for tests and the controller)."""
        return self.tool_choice_box.options()
