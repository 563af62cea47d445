"""The small editors of the parameters panel and the helpers its fields share.

The temperature control (also on the toolbar), the escapes that put a stop sequence on
one editor line, a validator for 64-bit seeds, and the readers that turn a stored value
into a number the editors can show.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "Int64Validator",
    "TemperatureControl",
    "as_float",
    "as_int",
    "decode_stop",
    "encode_stop",
    "error_style",
]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def error_style(label: QLabel, error: bool) -> None:
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


class Int64Validator(QValidator):
    """Accepts any signed 64-bit integer (QIntValidator and QSpinBox stop at 32 bits)."""

    def validate(self, text: str, pos: int) -> object:
        if text in ("", "-"):
            return QValidator.State.Intermediate, text, pos
        if not re.fullmatch(r"-?[0-9]+", text):
            return QValidator.State.Invalid, text, pos
        if INT64_MIN <= int(text) <= INT64_MAX:
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


def as_float(value: Any) -> float | None:
    """A stored value as a float for a spin box (None: not a number, so not shown)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def as_int(value: Any) -> int | None:
    """A stored value as an int for a spin box or the seed (None: not a number)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float
        return None
