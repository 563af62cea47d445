"""Model picker: vendor groups, substring search, free-typed ids, stable selection."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QFocusEvent
from PySide6.QtWidgets import QApplication

from chatdesk.ui.modelpicker import ModelPicker, vendor_of

pytestmark = pytest.mark.ui

MODELS = [
    {"id": "gpt-4o", "owned_by": "openai"},
    {"id": "o3-mini", "owned_by": "system"},
    {"id": "claude-3-5-sonnet-20241022", "owned_by": "openai"},  # relays mislabel owners
    {"id": "gemini-2.0-flash"},
    {"id": "deepseek-chat", "owned_by": "deepseek"},
    {"id": "grok-2"},
    {"id": "qwen-max"},
    {"id": "Llama-3.3-70B-Instruct"},
    {"id": "mistral-large", "owned_by": "mistralai"},
    {"id": "my-finetune"},
    {"id": "gpt-4o-mini"},
]


@pytest.fixture
def picker(qtbot) -> ModelPicker:
    widget = ModelPicker()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.mark.parametrize(
    ("model_id", "owned_by", "vendor"),
    [
        ("gpt-4o", None, "OpenAI"),
        ("o1", None, "OpenAI"),
        ("o1-preview", None, "OpenAI"),
        ("o3-mini", "system", "OpenAI"),
        ("claude-3-opus", "openai", "Anthropic"),
        ("gemini-1.5-pro", None, "Google"),
        ("deepseek-reasoner", None, "DeepSeek"),
        ("grok-beta", None, "xAI"),
        ("qwen2.5-72b", None, "Qwen"),
        ("llama-3-8b", None, "Meta"),
        ("meta-llama/Llama-3-8b", None, "Meta"),
        ("anthropic/claude-3.5-sonnet", None, "Anthropic"),
        ("mistral-large", "mistralai", "Mistral"),
        ("glm-4.5", None, "Zhipu"),
        ("kimi-k2", None, "Moonshot"),
        ("moonshot-v1-8k", None, "Moonshot"),
        ("yi-large", None, "01.AI"),
        ("acme-7b", "acme-labs", "acme-labs"),  # an owner named by the server
        ("mystery", "custom", "Other"),
        ("mystery", None, "Other"),
        ("omni-moderation", None, "Other"),  # "o" + letters is not an o-series id
    ],
)
def test_vendor_of(model_id: str, owned_by: str | None, vendor: str) -> None:
    assert vendor_of(model_id, owned_by) == vendor


def test_grouped_by_vendor(picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    assert picker.groups() == {
        "OpenAI": ["gpt-4o", "gpt-4o-mini", "o3-mini"],
        "Anthropic": ["claude-3-5-sonnet-20241022"],
        "Google": ["gemini-2.0-flash"],
        "DeepSeek": ["deepseek-chat"],
        "xAI": ["grok-2"],
        "Qwen": ["qwen-max"],
        "Meta": ["Llama-3.3-70B-Instruct"],
        "Mistral": ["mistral-large"],
        "Other": ["my-finetune"],
    }
    # Headers are in the drop-down but cannot be chosen.
    model = picker.model()
    assert model.index(0, 0).data() == "OpenAI"
    assert model.flags(model.index(0, 0)) == Qt.ItemFlag.NoItemFlags
    assert model.flags(model.index(1, 0)) & Qt.ItemFlag.ItemIsSelectable


def test_typing_filters_case_insensitive_substring(picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    assert picker.completer_matches("SONNET") == ["claude-3-5-sonnet-20241022"]
    assert picker.completer_matches("4o") == ["gpt-4o", "gpt-4o-mini"]
    assert picker.completer_matches("-MINI") == ["gpt-4o-mini", "o3-mini"]
    assert "OpenAI" not in picker.completer_matches("open")  # headers are not offered


def test_typed_unknown_id_accepted_and_emitted(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.lineEdit().clear()
    qtbot.keyClicks(picker.lineEdit(), "my-private-model-v2")
    with qtbot.waitSignal(picker.model_changed, timeout=1000) as blocker:
        qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    assert blocker.args == ["my-private-model-v2"]
    assert picker.current() == "my-private-model-v2"
    assert picker.currentText() == "my-private-model-v2"


def test_typed_listed_id_selects_it(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.lineEdit().setText("deepseek-chat")
    with qtbot.waitSignal(picker.model_changed, timeout=1000) as blocker:
        qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    assert blocker.args == ["deepseek-chat"]
    assert picker.currentIndex() >= 0
    assert picker.currentText() == "deepseek-chat"


def test_case_insensitive_match_uses_listed_spelling(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.lineEdit().setText("llama-3.3-70b-instruct")
    with qtbot.waitSignal(picker.model_changed, timeout=1000) as blocker:
        qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    assert blocker.args == ["Llama-3.3-70B-Instruct"]


def test_choosing_from_dropdown_emits(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    row = picker.findText("grok-2")
    with qtbot.waitSignal(picker.model_changed, timeout=1000) as blocker:
        picker.setCurrentIndex(row)
        picker.activated.emit(row)
    assert blocker.args == ["grok-2"]
    assert picker.current() == "grok-2"


def test_same_id_twice_emits_once(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.set_current("gpt-4o")
    with qtbot.assertNotEmitted(picker.model_changed):
        picker.lineEdit().setText("gpt-4o")
        qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)


def test_empty_entry_restores_current(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.set_current("gpt-4o")
    picker.lineEdit().clear()
    with qtbot.assertNotEmitted(picker.model_changed):
        qtbot.keyClick(picker.lineEdit(), Qt.Key.Key_Return)
    assert picker.currentText() == "gpt-4o"


def test_set_models_keeps_selection(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    with qtbot.assertNotEmitted(picker.model_changed):
        picker.set_current("deepseek-chat")
        picker.set_models(list(reversed(MODELS)) + [{"id": "new-model"}])
        assert picker.current() == "deepseek-chat"
        assert picker.currentText() == "deepseek-chat"
        # Even when the new list lacks it: the server may still serve it.
        picker.set_models([{"id": "gpt-4o"}])
        assert picker.current() == "deepseek-chat"
        assert picker.currentText() == "deepseek-chat"


def test_set_current_before_models(picker: ModelPicker) -> None:
    picker.set_current("claude-3-5-sonnet-20241022")
    assert picker.currentText() == "claude-3-5-sonnet-20241022"
    picker.set_models(MODELS)
    assert picker.currentText() == "claude-3-5-sonnet-20241022"
    assert picker.currentIndex() == picker.findText("claude-3-5-sonnet-20241022")


def test_source_shown_in_tooltip(picker: ModelPicker) -> None:
    picker.set_source("cached")
    assert "cached" in picker.toolTip()
    assert picker.source() == "cached"


def test_leaving_without_enter_keeps_the_typed_id(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.set_current("gpt-4o")
    assert not picker.unlisted()
    picker.lineEdit().setText("my-custom-model")
    with qtbot.waitSignal(picker.model_changed) as got:
        focus_out = QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.TabFocusReason)
        QApplication.sendEvent(picker, focus_out)
    assert got.args == ["my-custom-model"]
    assert picker.currentText() == "my-custom-model"
    assert picker.current() == "my-custom-model"
    # Used as typed, but the box says the server does not list it.
    assert picker.unlisted()
    mark = picker.findChild(QAction, "model-unlisted")
    assert mark is not None and mark.isVisible()
    assert "not in the server's list" in picker.toolTip().lower()
    picker.set_current("gpt-4o")
    assert not picker.unlisted() and not mark.isVisible()


def test_leaving_an_emptied_box_puts_the_model_back(qtbot, picker: ModelPicker) -> None:
    picker.set_models(MODELS)
    picker.set_current("gpt-4o")
    picker.lineEdit().setText("  ")
    with qtbot.assertNotEmitted(picker.model_changed):
        focus_out = QFocusEvent(QEvent.Type.FocusOut, Qt.FocusReason.MouseFocusReason)
        QApplication.sendEvent(picker, focus_out)
    assert picker.currentText() == "gpt-4o"
