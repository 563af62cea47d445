"""The assistants manager in the built window, against the fake server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.ui.assistants import AssistantsDialog
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness

pytestmark = pytest.mark.ui


def _menu_names(h: Harness) -> list[str]:
    return [a.text() for a in h.window.presets_menu.actions() if a.text()]


def _open(h: Harness) -> AssistantsDialog:
    return h.desk.settings_ctl.assistants.open_manager()


def test_presets_of_earlier_versions_become_assistants(harness: Harness) -> None:
    h = harness
    h.store.set_setting(
        "presets", {"Pirate": {"system_prompt": "Talk like a pirate.", "params": {"top_p": 0.5}}}
    )
    dialog = _open(h)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Pirate"]
    assert dialog.prompt_edit.toPlainText() == "Talk like a pirate."
    assert json.loads(dialog.params_edit.toPlainText()) == {"top_p": 0.5}
    assert "New chat: Pirate" in _menu_names(h)
    assert h.store.get_setting("presets") == {}
    dialog.reject()


def test_create_edit_delete_and_start(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness
    dialog = _open(h)
    dialog.new_button.click()
    assert not dialog.save_button.isEnabled()  # no name yet
    dialog.name_edit.setText("Translator")
    dialog.model_edit.setText("claude-sonnet-4-5")
    dialog.prompt_edit.setPlainText("Translate to French.")
    dialog.params_edit.setPlainText('{"temperature": 5}')
    assert not dialog.save_button.isEnabled()
    assert "temperature" in dialog.message.text() and dialog.message.isVisible()
    dialog.params_edit.setPlainText('{"temperature": 0.2, "max_tokens": 50}')
    assert dialog.save_button.isEnabled() and not dialog.message.isVisible()
    dialog.save_button.click()
    assert "Saved" in dialog.message.text()
    assert h.store.get_setting("assistants") == [
        {
            "name": "Translator",
            "system_prompt": "Translate to French.",
            "model": "claude-sonnet-4-5",
            "params": {"temperature": 0.2, "max_tokens": 50},
        }
    ]
    assert "New chat: Translator" in _menu_names(h)

    # A second one, then a rename onto the first's name is refused with a message.
    dialog.new_button.click()
    dialog.name_edit.setText("Other")
    dialog.save_button.click()
    dialog.name_edit.setText("Translator")
    dialog.save_button.click()
    assert "already exists" in dialog.message.text()
    dialog.name_edit.setText("Pirate")
    dialog.save_button.click()
    assert [a["name"] for a in h.store.get_setting("assistants")] == ["Translator", "Pirate"]
    assert dialog.current_name() == "Pirate"

    monkeypatch.setattr(dialog, "_confirm", lambda _title, _text: True)
    dialog.delete_button.click()
    assert [a["name"] for a in h.store.get_setting("assistants")] == ["Translator"]
    assert "New chat: Pirate" not in _menu_names(h)

    # Start a chat from the manager: the request carries the assistant.
    h.send("first chat")
    dialog.list.setCurrentRow(0)
    dialog.start_button.click()
    assert not dialog.isVisible()
    assert h.controller.conversation_id is None
    h.server.script(Reply(text="Bonjour"))
    h.send("hello")
    body = h.body()
    assert body["model"] == "claude-sonnet-4-5"
    assert body["temperature"] == 0.2 and body["max_tokens"] == 50
    assert body["messages"][0] == {"role": "system", "content": "Translate to French."}


def test_export_then_import(harness: Harness, tmp_path: Path) -> None:
    h = harness
    dialog = _open(h)
    for name, prompt in (("Coder", "You write Python."), ("翻译", "翻译成英文。")):
        dialog.new_button.click()
        dialog.name_edit.setText(name)
        dialog.prompt_edit.setPlainText(prompt)
        dialog.save_button.click()
    out = tmp_path / "mine.json"
    dialog._save_path = lambda: str(out)  # type: ignore[method-assign]
    dialog.export_button.click()
    assert "Exported 2 assistants" in dialog.message.text()
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [a["name"] for a in data["assistants"]] == ["Coder", "翻译"]

    h.store.set_setting("assistants", [{"name": "Coder", "system_prompt": "old"}])
    dialog._open_path = lambda: str(out)  # type: ignore[method-assign]
    dialog.import_button.click()
    assert "1 new, 1 replaced" in dialog.message.text()
    names = [a["name"] for a in h.store.get_setting("assistants")]
    assert names == ["Coder", "翻译"]
    assert h.store.get_setting("assistants")[0]["system_prompt"] == "You write Python."

    bad = tmp_path / "bad.json"
    bad.write_text('[{"name": "x", "params": {"top_p": 7}}]', encoding="utf-8")
    dialog._open_path = lambda: str(bad)  # type: ignore[method-assign]
    dialog.import_button.click()
    assert dialog.message.text().startswith("\u2717 ")
    assert "Assistant 1" in dialog.message.text() and "top_p" in dialog.message.text()
    assert len(h.store.get_setting("assistants")) == 2  # nothing changed
    dialog.reject()


def test_toolbar_save_and_start(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness
    w = h.window
    ctl = h.desk.settings_ctl.assistants
    w.system_prompt.setPlainText("Be terse.")
    w.temperature.set_value(0.4)
    monkeypatch.setattr(ctl, "_ask_name", lambda: "Terse")
    w.preset_save_requested.emit()
    assert "New chat: Terse" in _menu_names(h)
    w.system_prompt.setPlainText("")
    next(a for a in w.presets_menu.actions() if a.text() == "New chat: Terse").trigger()
    assert w.system_prompt.toPlainText() == "Be terse." and w.temperature.value() == 0.4
    next(a for a in w.presets_menu.actions() if a.text() == "Manage assistants…").trigger()
    assert ctl.dialog is not None and ctl.dialog.isVisible()
    ctl.dialog.reject()
    assert ctl.dialog is None
