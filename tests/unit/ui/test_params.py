"""Tests for the parameters panel and the temperature control."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from chatdesk.ui.params import (
    FIELD_ORDER,
    ParamsPanel,
    TemperatureControl,
    decode_stop,
    encode_stop,
)

pytestmark = pytest.mark.ui

TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "天气",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    },
    {"type": "function", "function": {"name": "search", "parameters": {"type": "object"}}},
]

FULL: dict[str, Any] = {
    "temperature": 0.7,
    "top_p": 0.9,
    "max_tokens": 500_000,
    "n": 3,
    "stop": ["\n\n", "END", "a\\nb", "你好"],
    "presence_penalty": -1.5,
    "frequency_penalty": 1.25,
    "response_format": {"type": "json_object"},
    "seed": 9_007_199_254_740_993,
    "tools": TOOLS,
    "tool_choice": {"type": "function", "function": {"name": "search"}},
    "user": "用户-42",
}


@pytest.fixture
def panel(qtbot: QtBot) -> ParamsPanel:
    w = ParamsPanel()
    qtbot.addWidget(w)
    return w


def test_fresh_panel_is_empty(panel: ParamsPanel) -> None:
    assert panel.params() == {}
    assert panel.valid()


def test_field_order_covers_every_optional_api_field() -> None:
    assert set(FIELD_ORDER) == set(FULL)


def test_unset_fields_absent_even_with_values(panel: ParamsPanel) -> None:
    panel.set_params({"top_p": 0.5})
    panel.enable_boxes["top_p"].setChecked(False)
    panel.max_tokens_spin.setValue(100)
    panel.enable_boxes["max_tokens"].setChecked(False)
    assert panel.params() == {}


def test_full_round_trip(panel: ParamsPanel) -> None:
    panel.set_params(FULL)
    assert panel.params() == FULL
    assert list(panel.params()) == list(FIELD_ORDER)


@pytest.mark.parametrize(
    "fragment",
    [
        {"temperature": 0.0},
        {"temperature": 2.0},
        {"top_p": 0.05},
        {"max_tokens": 1},
        {"n": 16},
        {"stop": ["###"]},
        {"presence_penalty": 2.0},
        {"frequency_penalty": -2.0},
        {"response_format": {"type": "json_object"}},
        {"seed": -(2**63)},
        {"seed": 0},
        {"user": "alice"},
        {"tools": TOOLS},
        {"tools": TOOLS, "tool_choice": "required"},
        {"tools": TOOLS, "tool_choice": "none"},
    ],
)
def test_each_field_round_trips(panel: ParamsPanel, fragment: dict[str, Any]) -> None:
    panel.set_params(fragment)
    assert panel.params() == fragment


def test_unknown_keys_pass_through(panel: ParamsPanel) -> None:
    panel.set_params({"stream_options": {"include_usage": True}, "n": 2})
    assert panel.params() == {"n": 2, "stream_options": {"include_usage": True}}


def test_stop_string_becomes_list(panel: ParamsPanel) -> None:
    panel.set_params({"stop": "END"})
    assert panel.params() == {"stop": ["END"]}


@pytest.mark.parametrize("seq", ["\n", "a\\nb", "tab\there", "\\", "x\r\ny"])
def test_stop_escapes_round_trip(seq: str) -> None:
    assert "\n" not in encode_stop(seq)
    assert decode_stop(encode_stop(seq)) == seq


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("temperature", 5.0, 2.0),
        ("temperature", -1.0, 0.0),
        ("top_p", 3.0, 1.0),
        ("presence_penalty", -9.0, -2.0),
        ("frequency_penalty", 9.0, 2.0),
        ("n", 99, 16),
        ("n", 0, 1),
        ("max_tokens", 5_000_000, 1_000_000),
        ("max_tokens", 0, 1),
        # Past a C int: a stored (or imported) value too big for Qt is clamped, not raised.
        ("max_tokens", 10**30, 1_000_000),
        ("n", -(10**30), 1),
        ("max_tokens", 1e300, 1_000_000),
        ("seed", float("inf"), None),
    ],
)
def test_out_of_range_clamped(panel: ParamsPanel, key: str, value: Any, expected: Any) -> None:
    panel.set_params({key: value})
    assert panel.params() == ({} if expected is None else {key: expected})


def test_widget_ranges(panel: ParamsPanel) -> None:
    assert (panel.temperature.spin.maximum(), panel.top_p_spin.maximum()) == (2.0, 1.0)
    assert (panel.presence_spin.minimum(), panel.frequency_spin.maximum()) == (-2.0, 2.0)
    assert (panel.n_spin.minimum(), panel.n_spin.maximum()) == (1, 16)
    assert (panel.max_tokens_spin.minimum(), panel.max_tokens_spin.maximum()) == (1, 1_000_000)


def test_seed_rejects_non_integers(panel: ParamsPanel, qtbot: QtBot) -> None:
    panel.seed_edit.setFocus()
    qtbot.keyClicks(panel.seed_edit, "12a3.5")
    assert panel.seed_edit.text() == "1235"
    assert panel.params() == {"seed": 1235}
    panel.seed_edit.clear()
    qtbot.keyClicks(panel.seed_edit, "99999999999999999999")  # beyond int64: last digits refused
    assert int(panel.seed_edit.text()) < 2**63


def test_user_edit_sets_field_and_emits(panel: ParamsPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.params_changed, timeout=1000) as blocker:
        panel.n_spin.setValue(4)
    assert blocker.args == [{"n": 4}]
    assert panel.enable_boxes["n"].isChecked()


def test_temperature_slider_and_spin_in_sync(qtbot: QtBot) -> None:
    t = TemperatureControl()
    qtbot.addWidget(t)
    assert t.value() is None
    with qtbot.waitSignal(t.value_changed, timeout=1000) as blocker:
        t.slider.setValue(14)
    assert blocker.args == [0.7]
    assert t.spin.value() == pytest.approx(0.7)
    t.spin.setValue(1.5)
    assert t.slider.value() == 30
    assert t.value() == 1.5
    with qtbot.waitSignal(t.value_changed, timeout=1000) as blocker:
        t.reset_button.click()
    assert blocker.args == [None]
    assert t.spin.text() == "default"
    t.slider.setValue(0)
    assert t.value() == 0.0  # zero is a real temperature, distinct from "default"


def test_temperature_set_value_is_silent(qtbot: QtBot) -> None:
    t = TemperatureControl()
    qtbot.addWidget(t)
    with qtbot.assertNotEmitted(t.value_changed):
        t.set_value(1.2)
    assert t.slider.value() == 24


def test_stop_fifth_line_refused(panel: ParamsPanel) -> None:
    panel.stop_edit.setPlainText("a\nb\nc\nd")
    assert panel.params() == {"stop": ["a", "b", "c", "d"]}
    panel.stop_edit.setPlainText("a\nb\nc\nd\ne")
    assert panel.stop_edit.toPlainText() == "a\nb\nc\nd"
    assert panel.stop_message.isVisibleTo(panel)
    assert "4" in panel.stop_message.text()
    assert panel.params() == {"stop": ["a", "b", "c", "d"]}


def test_stop_enter_on_fourth_line_refused(panel: ParamsPanel, qtbot: QtBot) -> None:
    from PySide6.QtCore import Qt

    panel.stop_edit.setPlainText("a\nb\nc\nd")
    panel.stop_edit.moveCursor(panel.stop_edit.textCursor().MoveOperation.End)
    qtbot.keyClick(panel.stop_edit, Qt.Key.Key_Return)
    assert panel.stop_edit.toPlainText() == "a\nb\nc\nd"
    assert panel.stop_message.isVisibleTo(panel)


def test_tools_invalid_json_shows_line_and_blocks_signal(panel: ParamsPanel, qtbot: QtBot) -> None:
    panel.enable_boxes["n"].setChecked(True)
    bad = '[\n  {"type": "function",\n   "function": {"name": "x"}\n  \n'  # unterminated
    with qtbot.assertNotEmitted(panel.params_changed):
        panel.tools_edit.setPlainText('[\n  {"type": "function"\n   "function": {}}\n]')
    assert not panel.valid()
    status = panel.tools_status.text()
    assert "Line 3" in status and "column" in status
    assert panel.error_label.isVisibleTo(panel)
    with qtbot.assertNotEmitted(panel.params_changed):
        panel.tools_edit.setPlainText(bad)
        panel.n_spin.setValue(5)  # other edits are held back while invalid too
    assert not panel.valid()


@pytest.mark.parametrize(
    ("tools", "needle"),
    [
        ({"type": "function"}, "array"),
        ([1], "Tool 1"),
        ([{"type": "code", "function": {"name": "a"}}], "type"),
        ([{"type": "function"}], "function"),
        ([{"type": "function", "function": {"parameters": {}}}], "name"),
        ([{"type": "function", "function": {"name": "bad name"}}], "letters"),
        ([{"type": "function", "function": {"name": "a", "parameters": []}}], "parameters"),
        (TOOLS + [TOOLS[1]], "duplicate"),
    ],
)
def test_tools_shape_errors(panel: ParamsPanel, tools: Any, needle: str) -> None:
    panel.tools_edit.setPlainText(json.dumps(tools))
    assert not panel.valid()
    assert needle in panel.tools_status.text()


# Tool lists the panel and the request check used to judge differently: the panel let a
# non-object schema and a non-text description through (the send then failed), and
# refused "parameters": null, which a request may carry.
DISPUTED: list[tuple[list[dict[str, Any]], str | None]] = [
    (
        [{"type": "function", "function": {"name": "a", "parameters": {"type": "array"}}}],
        '"type": "object"',
    ),
    ([{"type": "function", "function": {"name": "a", "description": 7}}], "description"),
    ([{"type": "function", "function": {"name": "a", "parameters": None}}], None),
]


@pytest.mark.parametrize(("tools", "needle"), DISPUTED)
def test_panel_and_request_check_agree_on_tools(
    panel: ParamsPanel, tools: list[dict[str, Any]], needle: str | None
) -> None:
    from chatdesk.api import ChatMessage, ChatRequest, ValidationError, validate_request

    request = ChatRequest(model="m", messages=[ChatMessage("user", "hi")], tools=tools)
    try:
        validate_request(request)
        sendable = True
    except ValidationError:
        sendable = False
    panel.tools_edit.setPlainText(json.dumps(tools))
    assert panel.valid() is sendable
    assert sendable is (needle is None)
    if needle is not None:
        assert needle in panel.tools_status.text()
    else:
        assert panel.params()["tools"] == tools


def test_valid_tools_offer_function_names(panel: ParamsPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.params_changed, timeout=1000) as blocker:
        panel.tools_edit.setPlainText(json.dumps(TOOLS))
    assert blocker.args[0] == {"tools": TOOLS}
    assert panel.valid()
    assert panel.tools_status.text() == "Valid: 2 tools"
    options = panel.tool_choice_options()
    assert options[:3] == ["auto", "none", "required"]
    assert {"type": "function", "function": {"name": "get_weather"}} in options
    assert {"type": "function", "function": {"name": "search"}} in options
    # fixing the JSON after an error emits again and clears the error
    panel.tools_edit.setPlainText("[")
    assert not panel.valid()
    with qtbot.waitSignal(panel.params_changed, timeout=1000):
        panel.tools_edit.setPlainText(json.dumps(TOOLS[:1]))
    assert panel.valid() and not panel.error_label.isVisibleTo(panel)
    assert panel.tools_status.text() == "Valid: 1 tool"
    assert len(panel.tool_choice_options()) == 4


def test_tool_choice_needs_tools(panel: ParamsPanel) -> None:
    panel.enable_boxes["tool_choice"].setChecked(True)
    assert "tool_choice" not in panel.params()
    panel.tools_edit.setPlainText(json.dumps(TOOLS))
    index = panel.tool_choice_combo.findData("function:search")
    panel.tool_choice_combo.setCurrentIndex(index)
    assert panel.params()["tool_choice"] == {"type": "function", "function": {"name": "search"}}


def test_unchecking_invalid_tools_makes_panel_valid(panel: ParamsPanel, qtbot: QtBot) -> None:
    panel.tools_edit.setPlainText("{oops")
    assert not panel.valid()
    with qtbot.waitSignal(panel.params_changed, timeout=1000):
        panel.enable_boxes["n"].setChecked(True)
        panel.enable_boxes["tools"].setChecked(False)
    assert panel.valid()
    assert panel.params() == {"n": 1}


def test_json_output_checkbox(panel: ParamsPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.params_changed, timeout=1000) as blocker:
        panel.json_check.setChecked(True)
    assert blocker.args == [{"response_format": {"type": "json_object"}}]


def test_set_params_does_not_emit(panel: ParamsPanel, qtbot: QtBot) -> None:
    with qtbot.assertNotEmitted(panel.params_changed):
        panel.set_params(FULL)


def test_reset_defaults_empties(panel: ParamsPanel, qtbot: QtBot) -> None:
    panel.set_params(FULL)
    with qtbot.waitSignal(panel.params_changed, timeout=1000) as blocker:
        panel.reset_defaults()
    assert blocker.args == [{}]
    assert panel.params() == {}
    assert not any(box.isChecked() for box in panel.enable_boxes.values())
    assert panel.tools_edit.toPlainText() == ""


def test_view_code_button(panel: ParamsPanel, qtbot: QtBot) -> None:
    with qtbot.waitSignal(panel.view_code_requested, timeout=1000):
        panel.view_code_button.click()


def test_tab_walks_the_fields_in_the_api_order(panel: ParamsPanel, qtbot: QtBot) -> None:
    """Tab goes field by field (its editor, then its enable box), then the buttons; the
    panel is built in parts (and the tools part in its own module), the order stays."""
    from PySide6.QtGui import QAccessible
    from PySide6.QtWidgets import QApplication

    def name(widget: Any) -> str:
        iface = QAccessible.queryAccessibleInterface(widget)
        return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""

    panel.resize(500, 1400)
    panel.show()
    panel.activateWindow()
    qtbot.waitUntil(panel.isActiveWindow)
    panel.focusNextChild()
    first = QApplication.focusWidget()
    stops = [first]
    for _ in range(100):
        panel.focusNextChild()
        current = QApplication.focusWidget()
        if current is None or current is first:
            break
        stops.append(current)
    walk = [f"{type(w).__name__}: {name(w)}" for w in stops]
    start = walk.index("QSlider: Temperature")
    assert walk[start:] + walk[:start] == [
        "QSlider: Temperature",
        "QDoubleSpinBox: Temperature value",
        "QDoubleSpinBox: Top p",
        "QCheckBox: Top p",
        "QSpinBox: Max tokens",
        "QCheckBox: Max tokens",
        "QSpinBox: Replies (n)",
        "QCheckBox: Replies (n)",
        "QPlainTextEdit: Stop sequences",
        "QCheckBox: Stop sequences",
        "QDoubleSpinBox: Presence penalty",
        "QCheckBox: Presence penalty",
        "QDoubleSpinBox: Frequency penalty",
        "QCheckBox: Frequency penalty",
        "QCheckBox: JSON output",
        "QLineEdit: Seed",
        "QCheckBox: Seed",
        "QLineEdit: User id",
        "QCheckBox: User id",
        "QPlainTextEdit: Tools (JSON)",
        "QToolButton: Insert example",
        "QCheckBox: Tools",
        "QComboBox: auto (model decides)",
        "QCheckBox: Tool choice",
        "QPushButton: View code",
        "QPushButton: Reset all",
        "QScrollArea: Request parameters",
    ]
