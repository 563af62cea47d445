"""The request-parameters panel: one conversation's optional chat/completions fields.

Every optional field of the request body (see API.md) is editable here. Each has an
"unset" state (an enable checkbox, or "default" for temperature) because a field the user
did not set must be left out of the body, never sent as null or as a guessed default.
Editing a field's value sets it, so users rarely need to touch the checkbox.

The panel only edits a dict; the controller decides when to save or send it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QTextCursor, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.params import MAX_STOP, PARAM_FIELDS, ToolProblem, tool_problem

__all__ = ["FIELD_ORDER", "MAX_STOP", "ParamsPanel", "TemperatureControl"]

# The fields this panel owns, in the order the API documents them (and params() returns).
FIELD_ORDER = PARAM_FIELDS
TOOL_CHOICE_KEYWORDS = ("auto", "none", "required")
_FUNCTION_PREFIX = "function:"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_JSON_EXAMPLE = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]


def _error_style(label: QLabel, error: bool) -> None:
    """Colour a status label; red for errors, the palette's normal text otherwise."""
    label.setStyleSheet("color: #c0392b;" if error else "")


def encode_stop(seq: str) -> str:
    """Show a stop sequence on one editor line: newlines and tabs become ``\\n`` / ``\\t``."""
    return seq.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def decode_stop(line: str) -> str:
    """Inverse of :func:`encode_stop`; an unknown escape is kept literally."""
    out: list[str] = []
    i = 0
    escapes = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line) and line[i + 1] in escapes:
            out.append(escapes[line[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


class _Int64Validator(QValidator):
    """Accepts any signed 64-bit integer (QIntValidator and QSpinBox stop at 32 bits)."""

    def validate(self, text: str, pos: int) -> object:
        if text in ("", "-"):
            return QValidator.State.Intermediate, text, pos
        if not re.fullmatch(r"-?[0-9]+", text):
            return QValidator.State.Invalid, text, pos
        if _INT64_MIN <= int(text) <= _INT64_MAX:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Invalid, text, pos


class TemperatureControl(QWidget):
    """A slider (0..2, step 0.05) and a spin box kept in sync, with a "default" (unset) state.

    The spin box's lowest step below 0 reads "default": that is the unset state, so the
    server's own default applies and no temperature is sent. The same control is used on
    the toolbar and in the parameters panel.

    Signals:
        value_changed(object): the new value, a float or None (unset), on user edits only.
    """

    value_changed = Signal(object)

    _SCALE = 20  # slider ticks per unit: step 0.05

    def __init__(self, parent: QWidget | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(-1, 2 * self._SCALE)  # -1 is the "default" notch
        self.slider.setSingleStep(1)
        self.slider.setPageStep(4)
        self.slider.setMinimumWidth(80 if compact else 120)
        self.slider.setToolTip(
            self.tr("Temperature: lower is more focused, higher more varied (0 to 2).")
        )
        self.spin = QDoubleSpinBox(self)
        self.spin.setDecimals(2)
        self.spin.setSingleStep(0.05)
        self.spin.setRange(-0.05, 2.0)
        self.spin.setSpecialValueText(self.tr("default"))
        self._tip = self.tr('Temperature (0 to 2). "default" leaves it to the server.')
        self.spin.setToolTip(self._tip)
        self._compact = compact
        self._from_assistant = False
        self.slider.setAccessibleName(self.tr("Temperature"))
        self.spin.setAccessibleName(self.tr("Temperature value"))
        self.reset_button = QToolButton(self)
        self.reset_button.setText(self.tr("Reset"))
        self.reset_button.setToolTip(self.tr("Unset the temperature (use the server default)"))
        self.reset_button.setAutoRaise(True)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        layout.addWidget(self.reset_button)

        self.slider.valueChanged.connect(self._on_slider_changed)
        self.spin.valueChanged.connect(self._on_spin_changed)
        self.reset_button.clicked.connect(self._on_reset_clicked)
        self.set_value(None)

    def value(self) -> float | None:
        """The temperature, or None when unset."""
        v = self.spin.value()
        return None if v < 0 else round(v, 2)

    def set_value(self, value: float | None, *, from_assistant: bool = False) -> None:
        """Show ``value`` (clamped to 0..2; None = default) without emitting value_changed.

        ``from_assistant``: the value comes from the assistant the chat was started with,
        and the spin box says so ("0.30 (assistant)") until the user changes it: the
        panel once showed "default" while the assistant's 0.3 was in force and sent.
        """
        self.set_source(from_assistant and value is not None)
        if value is None:
            spin_value, tick = self.spin.minimum(), -1
        else:
            spin_value = min(2.0, max(0.0, float(value)))
            tick = round(spin_value * self._SCALE)
        for w in (self.spin, self.slider):
            w.blockSignals(True)
        self.spin.setValue(spin_value)
        self.slider.setValue(tick)
        for w in (self.spin, self.slider):
            w.blockSignals(False)
        self.reset_button.setEnabled(value is not None)

    def _on_slider_changed(self, tick: int) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(self.spin.minimum() if tick < 0 else tick / self._SCALE)
        self.spin.blockSignals(False)
        self._emit()

    def _on_spin_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(-1 if value < 0 else round(value * self._SCALE))
        self.slider.blockSignals(False)
        self._emit()

    def _on_reset_clicked(self) -> None:
        self.set_value(None)
        self._emit()

    def set_source(self, from_assistant: bool) -> None:
        """Say (or stop saying) that the value shown is the assistant's: in the spin box,
        or in its tooltip when compact (the toolbar has no room for the words)."""
        self._from_assistant = from_assistant
        note = self.tr(" (assistant)") if from_assistant else ""
        if self._compact:
            self.spin.setToolTip(
                self._tip + ("\n" + self.tr("Set by the assistant.") if note else "")
            )
        else:
            self.spin.setSuffix(note)

    @property
    def from_assistant(self) -> bool:
        """Is the value shown the assistant's (not edited since)?"""
        return self._from_assistant

    def _emit(self) -> None:
        self.set_source(False)  # the user's own value now
        self.reset_button.setEnabled(self.value() is not None)
        self.value_changed.emit(self.value())


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
        self._tools: list[dict[str, Any]] | None = None  # last valid tools list
        self._tools_error: str | None = None
        self._extra: dict[str, Any] = {}
        self._response_format: dict[str, Any] = {"type": "json_object"}
        self._stop_text = ""
        self._last: dict[str, Any] = {}
        self.enable_boxes: dict[str, QCheckBox] = {}
        self._build()
        self.reset_defaults(emit=False)

    # ------------------------------------------------------------------ construction

    def _build(self) -> None:
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        row = 0

        def add(name: str, label: str, tip: str, editor: QWidget) -> None:
            nonlocal row
            box = QCheckBox(label, self)
            box.setToolTip(tip)
            editor.setToolTip(tip)
            editor.setAccessibleName(label)
            box.toggled.connect(self._on_changed)
            self.enable_boxes[name] = box
            grid.addWidget(box, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(editor, row, 1)
            row += 1

        # temperature: its own "default" state stands in for the checkbox
        self.temperature = TemperatureControl(self)
        self.temperature.value_changed.connect(self._on_changed)
        temp_label = QLabel(self.tr("Temperature"), self)
        temp_label.setToolTip(self.temperature.slider.toolTip())
        grid.addWidget(temp_label, row, 0)
        grid.addWidget(self.temperature, row, 1)
        row += 1

        self.top_p_spin = self._double_spin(0.0, 1.0, 0.05, 1.0)
        add(
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
        add(
            "max_tokens",
            self.tr("Max tokens"),
            self.tr("Cap on the length of the reply, in tokens."),
            self.max_tokens_spin,
        )

        self.n_spin = QSpinBox(self)
        self.n_spin.setRange(1, 16)
        self._watch(self.n_spin.valueChanged, "n")
        add(
            "n",
            self.tr("Replies (n)"),
            self.tr("How many candidate replies to generate (1 to 16)."),
            self.n_spin,
        )

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
        _error_style(self.stop_message, True)
        self.stop_message.hide()
        stop_layout.addWidget(self.stop_edit)
        stop_layout.addWidget(self.stop_message)
        add(
            "stop",
            self.tr("Stop sequences"),
            self.tr("The reply ends before any of these texts (up to 4)."),
            stop_box,
        )

        self.presence_spin = self._double_spin(-2.0, 2.0, 0.1, 0.0)
        add(
            "presence_penalty",
            self.tr("Presence penalty"),
            self.tr("-2 to 2. Positive values favour new topics."),
            self.presence_spin,
        )
        self.frequency_spin = self._double_spin(-2.0, 2.0, 0.1, 0.0)
        add(
            "frequency_penalty",
            self.tr("Frequency penalty"),
            self.tr("-2 to 2. Positive values reduce repetition."),
            self.frequency_spin,
        )

        self.json_check = QCheckBox(self.tr("JSON output"), self)
        self.json_check.setToolTip(
            self.tr("Ask for a JSON object reply. Mention JSON in your prompt too.")
        )
        self.json_check.toggled.connect(self._on_changed)
        grid.addWidget(self.json_check, row, 0, 1, 2)
        row += 1

        self.seed_edit = QLineEdit(self)
        self.seed_edit.setValidator(_Int64Validator(self.seed_edit))
        self.seed_edit.setPlaceholderText(self.tr("any whole number"))
        self._watch(self.seed_edit.textEdited, "seed")
        add(
            "seed",
            self.tr("Seed"),
            self.tr("Best-effort determinism: the same seed tends to give the same reply."),
            self.seed_edit,
        )

        self.user_edit = QLineEdit(self)
        self.user_edit.setPlaceholderText(self.tr("end-user id"))
        self._watch(self.user_edit.textEdited, "user")
        add(
            "user",
            self.tr("User id"),
            self.tr("An end-user id the server may use for abuse monitoring."),
            self.user_edit,
        )

        tools_box = QWidget(self)
        tools_layout = QVBoxLayout(tools_box)
        tools_layout.setContentsMargins(0, 0, 0, 0)
        self.tools_edit = QPlainTextEdit(tools_box)
        self.tools_edit.setAccessibleName(self.tr("Tools (JSON)"))
        self.tools_edit.setFont(mono)
        self.tools_edit.setTabChangesFocus(True)
        self.tools_edit.setPlaceholderText(
            self.tr('[{"type": "function", "function": {"name": ..., "parameters": {...}}}]')
        )
        self.tools_edit.setMinimumHeight(line_h * 8)
        self.tools_edit.textChanged.connect(self._on_tools_text_changed)
        status_row = QHBoxLayout()
        self.tools_status = QLabel(tools_box)
        self.tools_status.setWordWrap(True)
        self.tools_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.tools_example_button = QToolButton(tools_box)
        self.tools_example_button.setText(self.tr("Insert example"))
        self.tools_example_button.clicked.connect(self._on_tools_example)
        status_row.addWidget(self.tools_status, 1)
        status_row.addWidget(self.tools_example_button)
        tools_layout.addWidget(self.tools_edit)
        tools_layout.addLayout(status_row)
        add(
            "tools",
            self.tr("Tools"),
            self.tr("Function tools the model may call, as a JSON array."),
            tools_box,
        )

        choice_box = QWidget(self)
        choice_layout = QVBoxLayout(choice_box)
        choice_layout.setContentsMargins(0, 0, 0, 0)
        self.tool_choice_combo = QComboBox(choice_box)
        self.tool_choice_combo.activated.connect(lambda _i: self._on_edited("tool_choice"))
        self.tool_choice_note = QLabel(self.tr("Sent only when tools are set."), choice_box)
        self.tool_choice_note.setEnabled(False)
        choice_layout.addWidget(self.tool_choice_combo)
        choice_layout.addWidget(self.tool_choice_note)
        add(
            "tool_choice",
            self.tr("Tool choice"),
            self.tr("auto: model decides; none: never; required: must call; or one function."),
            choice_box,
        )
        self._rebuild_tool_choices()

        self.view_code_button = QPushButton(self.tr("View code"), self)
        self.view_code_button.setToolTip(self.tr("Show this request as cURL, Python or Node code"))
        self.view_code_button.clicked.connect(self.view_code_requested)
        self.reset_button = QPushButton(self.tr("Reset all"), self)
        self.reset_button.setToolTip(self.tr("Unset every parameter (server defaults)"))
        self.reset_button.clicked.connect(lambda: self.reset_defaults())
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        _error_style(self.error_label, True)
        self.error_label.hide()

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
        tools = self._tools if on["tools"] else None
        if tools:
            out["tools"] = tools
            if on["tool_choice"]:
                choice = self._tool_choice_value()
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
            self.temperature.set_value(_as_float(p.pop("temperature", None)))
            self._set_number("top_p", self.top_p_spin, _as_float(p.pop("top_p", None)))
            self._set_number("max_tokens", self.max_tokens_spin, _as_int(p.pop("max_tokens", None)))
            self._set_number("n", self.n_spin, _as_int(p.pop("n", None)))
            stop = p.pop("stop", None)
            if isinstance(stop, str):
                stop = [stop]
            if isinstance(stop, list) and stop:
                lines = [encode_stop(str(s)) for s in stop[:MAX_STOP]]
                self._stop_text = "\n".join(lines)
                self.stop_edit.setPlainText(self._stop_text)
                self.enable_boxes["stop"].setChecked(True)
            self._set_number(
                "presence_penalty", self.presence_spin, _as_float(p.pop("presence_penalty", None))
            )
            self._set_number(
                "frequency_penalty",
                self.frequency_spin,
                _as_float(p.pop("frequency_penalty", None)),
            )
            fmt = p.pop("response_format", None)
            if isinstance(fmt, dict) and fmt:
                self._response_format = dict(fmt)
                self.json_check.setChecked(True)
                self.json_check.setToolTip(json.dumps(fmt, ensure_ascii=False))
            seed = _as_int(p.pop("seed", None))
            if seed is not None:
                self.seed_edit.setText(str(max(_INT64_MIN, min(_INT64_MAX, seed))))
                self.enable_boxes["seed"].setChecked(True)
            user = p.pop("user", None)
            if isinstance(user, str) and user:
                self.user_edit.setText(user)
                self.enable_boxes["user"].setChecked(True)
            tools = p.pop("tools", None)
            if isinstance(tools, list) and tools:
                self.tools_edit.setPlainText(json.dumps(tools, indent=2, ensure_ascii=False))
                self.enable_boxes["tools"].setChecked(True)
            choice = p.pop("tool_choice", None)
            if choice is not None:
                self._select_tool_choice(choice)
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
        self.tools_edit.setPlainText("")
        self._tools = None
        self._tools_error = None
        self.tools_status.setText(self.tr("No tools."))
        _error_style(self.tools_status, False)
        self._extra = {}
        self._rebuild_tool_choices()
        self.tool_choice_combo.setCurrentIndex(0)

    def _set_number(self, name: str, spin: QSpinBox | QDoubleSpinBox, value: float | None) -> None:
        if value is None:
            return
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
        tools_bad = self.enable_boxes["tools"].isChecked() and self._tools_error is not None
        self._valid = not tools_bad
        if tools_bad:
            self.error_label.setText(self.tr("Tools JSON is invalid; changes are not applied."))
        self.error_label.setVisible(tools_bad)
        self.tool_choice_note.setVisible(
            self.enable_boxes["tool_choice"].isChecked() and not self._tools_sent()
        )

    def _tools_sent(self) -> bool:
        return bool(self.enable_boxes["tools"].isChecked() and self._tools)

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

    def _on_tools_example(self) -> None:
        self.tools_edit.setPlainText(json.dumps(_JSON_EXAMPLE, indent=2, ensure_ascii=False))

    def _on_tools_text_changed(self) -> None:
        self._validate_tools()
        self._on_edited("tools")

    def _validate_tools(self) -> None:
        """Parse the tools editor; set the status line, the last valid list and the choices."""
        text = self.tools_edit.toPlainText()
        tools, error = self._parse_tools(text)
        self._tools_error = error
        if error is not None:
            self.tools_status.setText(error)
            _error_style(self.tools_status, True)
            return
        self._tools = tools
        count = len(tools or [])
        if not text.strip():
            status = self.tr("No tools.")
        elif count == 0:
            status = self.tr("Valid: no tools (an empty list is not sent).")
        elif count == 1:
            status = self.tr("Valid: 1 tool")
        else:
            status = self.tr("Valid: %n tools", "", count)
        self.tools_status.setText(status)
        _error_style(self.tools_status, False)
        self._rebuild_tool_choices()

    def _parse_tools(self, text: str) -> tuple[list[dict[str, Any]] | None, str | None]:
        """Return (tools, None) or (None, a readable error with line/column or tool number)."""
        if not text.strip():
            return None, None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, self.tr("Line {line}, column {col}: {msg}").format(
                line=exc.lineno, col=exc.colno, msg=exc.msg
            )
        problem = tool_problem(data)
        if problem is not None:
            return None, self._tool_problem_text(problem)
        return data, None

    def _tool_problem_text(self, problem: ToolProblem) -> str:
        """The rule a tools list breaks (core's check, the one sending uses), in words."""
        i, code, name = problem.position + 1, problem.code, problem.value
        if code == "not_list":
            return self.tr("Tools must be a JSON array [...] of tool objects.")
        if code == "not_object":
            return self.tr("Tool {i}: must be an object.").format(i=i)
        if code == "not_function":
            return self.tr('Tool {i}: "type" must be "function".').format(i=i)
        if code == "function_not_object":
            return self.tr('Tool {i}: "function" must be an object.').format(i=i)
        if code == "name_missing":
            return self.tr('Tool {i}: "function.name" is missing.').format(i=i)
        if code == "name_format":
            return self.tr(
                'Tool {i}: name "{name}" may use only letters, digits, _ and - (max 64).'
            ).format(i=i, name=name)
        if code == "duplicate":
            return self.tr('Tool {i}: duplicate name "{name}".').format(i=i, name=name)
        if code == "description":
            return self.tr('Tool {i}: "function.description" must be text.').format(i=i)
        if code == "parameters_type":
            return self.tr(
                'Tool {i}: the "function.parameters" schema must have "type": "object".'
            ).format(i=i)
        return self.tr('Tool {i}: "function.parameters" must be a JSON Schema object.').format(i=i)

    # tool_choice ----------------------------------------------------------

    def _function_names(self) -> list[str]:
        return [t["function"]["name"] for t in self._tools or []]

    def _rebuild_tool_choices(self, extra_name: str | None = None) -> None:
        """Offer auto/none/required plus every function in the last valid tools list."""
        combo = self.tool_choice_combo
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        labels = {
            "auto": self.tr("auto (model decides)"),
            "none": self.tr("none (never call tools)"),
            "required": self.tr("required (must call a tool)"),
        }
        for key in TOOL_CHOICE_KEYWORDS:
            combo.addItem(labels[key], key)
        names = self._function_names()
        if extra_name and extra_name not in names:
            names.append(extra_name)
        for name in names:
            combo.addItem(self.tr("function: {name}").format(name=name), _FUNCTION_PREFIX + name)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def tool_choice_options(self) -> list[str | dict[str, Any]]:
        """The values the tool-choice box currently offers (for tests and the controller)."""
        combo = self.tool_choice_combo
        return [_choice_value(combo.itemData(i)) for i in range(combo.count())]

    def _tool_choice_value(self) -> str | dict[str, Any] | None:
        data = self.tool_choice_combo.currentData()
        return None if data is None else _choice_value(data)

    def _select_tool_choice(self, choice: Any) -> None:
        if isinstance(choice, str) and choice in TOOL_CHOICE_KEYWORDS:
            key = choice
        elif isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
            if not isinstance(name, str) or not name:
                return
            key = _FUNCTION_PREFIX + name
            if self.tool_choice_combo.findData(key) < 0:
                self._rebuild_tool_choices(extra_name=name)
        else:
            return
        self.tool_choice_combo.setCurrentIndex(self.tool_choice_combo.findData(key))


def _choice_value(data: str) -> str | dict[str, Any]:
    if data.startswith(_FUNCTION_PREFIX):
        return {"type": "function", "function": {"name": data[len(_FUNCTION_PREFIX) :]}}
    return data


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
