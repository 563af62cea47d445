"""The tools part of the parameters panel: the tools JSON editor and the tool-choice box.

The editor checks its text as it is typed, by the rules a request is checked by before
it is sent (:func:`chatdesk.core.chat.params.tool_problem`), and keeps the last valid list;
the choice box offers the modes plus every function of that list.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatdesk.core.chat.params import ToolProblem, tool_problem
from chatdesk.ui.paramfields import error_style

__all__ = ["TOOL_CHOICE_KEYWORDS", "ToolChoiceBox", "ToolsEditor"]

TOOL_CHOICE_KEYWORDS = ("auto", "none", "required")
_FUNCTION_PREFIX = "function:"
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


class ToolsEditor(QWidget):
    """The tools JSON, its status line ("Valid: 2 tools" or what is wrong, with the line
    and column or the tool's number) and an "Insert example" button.

    Signals:
        edited(bool): the text changed (a user edit or a load); True when it is valid.
    """

    edited = Signal(bool)

    def __init__(self, parent: QWidget, font: QFont) -> None:
        super().__init__(parent)
        self._tools: list[dict[str, Any]] | None = None  # the last valid list
        self._error: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.edit = QPlainTextEdit(self)
        self.edit.setAccessibleName(self.tr("Tools (JSON)"))
        self.edit.setFont(font)
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText(
            self.tr('[{"type": "function", "function": {"name": ..., "parameters": {...}}}]')
        )
        self.edit.setMinimumHeight(self.edit.fontMetrics().lineSpacing() * 8)
        self.edit.textChanged.connect(self._on_text_changed)
        status_row = QHBoxLayout()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.example_button = QToolButton(self)
        self.example_button.setText(self.tr("Insert example"))
        self.example_button.clicked.connect(self._on_example)
        status_row.addWidget(self.status, 1)
        status_row.addWidget(self.example_button)
        layout.addWidget(self.edit)
        layout.addLayout(status_row)

    @property
    def tools(self) -> list[dict[str, Any]] | None:
        """The last valid tools list (None: no tools yet)."""
        return self._tools

    @property
    def error(self) -> str | None:
        """What is wrong with the text as it stands (None: it is valid)."""
        return self._error

    def function_names(self) -> list[str]:
        """The functions of the last valid list, in order."""
        return [t["function"]["name"] for t in self._tools or []]

    def show_tools(self, tools: list[dict[str, Any]]) -> None:
        """Load a stored list into the editor (checked like typed text)."""
        self.edit.setPlainText(json.dumps(tools, indent=2, ensure_ascii=False))

    def clear(self) -> None:
        """Empty the editor and forget the last valid list."""
        self.edit.setPlainText("")
        self._tools = None
        self._error = None
        self.status.setText(self.tr("No tools."))
        error_style(self.status, False)

    def _on_example(self) -> None:
        self.edit.setPlainText(json.dumps(_JSON_EXAMPLE, indent=2, ensure_ascii=False))

    def _on_text_changed(self) -> None:
        self.edited.emit(self._validate())

    def _validate(self) -> bool:
        """Parse the text; set the status line and, when valid, the last valid list."""
        text = self.edit.toPlainText()
        tools, error = self._parse(text)
        self._error = error
        if error is not None:
            self.status.setText(error)
            error_style(self.status, True)
            return False
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
        self.status.setText(status)
        error_style(self.status, False)
        return True

    def _parse(self, text: str) -> tuple[list[dict[str, Any]] | None, str | None]:
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
            return None, self._problem_text(problem)
        return data, None

    def _problem_text(self, problem: ToolProblem) -> str:
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


class ToolChoiceBox(QWidget):
    """The tool-choice box (auto / none / required / one function) and the note that it is
    sent only with tools. The panel shows or hides the note."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox(self)
        self.note = QLabel(self.tr("Sent only when tools are set."), self)
        self.note.setEnabled(False)
        layout.addWidget(self.combo)
        layout.addWidget(self.note)

    def rebuild(self, names: list[str], extra_name: str | None = None) -> None:
        """Offer auto/none/required plus every function in ``names`` (and ``extra_name``),
        keeping the current choice when it is still offered."""
        combo = self.combo
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
        names = list(names)
        if extra_name and extra_name not in names:
            names.append(extra_name)
        for name in names:
            combo.addItem(self.tr("function: {name}").format(name=name), _FUNCTION_PREFIX + name)
        index = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)

    def options(self) -> list[str | dict[str, Any]]:
        """The values the box currently offers, as they would be sent."""
        combo = self.combo
        return [_choice_value(combo.itemData(i)) for i in range(combo.count())]

    def value(self) -> str | dict[str, Any] | None:
        """The chosen value as it would be sent (None: nothing offered)."""
        data = self.combo.currentData()
        return None if data is None else _choice_value(data)

    def select(self, choice: Any, names: list[str]) -> None:
        """Show a stored choice; a function not among ``names`` is offered as well."""
        if isinstance(choice, str) and choice in TOOL_CHOICE_KEYWORDS:
            key = choice
        elif isinstance(choice, dict):
            name = (choice.get("function") or {}).get("name")
            if not isinstance(name, str) or not name:
                return
            key = _FUNCTION_PREFIX + name
            if self.combo.findData(key) < 0:
                self.rebuild(names, extra_name=name)
        else:
            return
        self.combo.setCurrentIndex(self.combo.findData(key))


def _choice_value(data: str) -> str | dict[str, Any]:
    if data.startswith(_FUNCTION_PREFIX):
        return {"type": "function", "function": {"name": data[len(_FUNCTION_PREFIX) :]}}
    return data
