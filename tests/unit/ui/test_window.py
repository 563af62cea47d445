"""The whole window against the fake server: the real wiring, a real SQLite file."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from chatdesk.core.settings import DEFAULTS
from tests.fakeserver import Reply
from tests.unit.ui.harness import KEY, PNG, Harness


def test_window_basics(harness: Harness) -> None:
    w = harness.window
    assert w.windowTitle() == "ChatDesk"
    assert w.centre.currentIndex() == 0  # a key from the environment: no key panel
    harness.wait(lambda: harness.window.model_picker.source() != "")
    assert w.model_picker.current() == "gpt-4o"


def test_send_and_stream_chinese(harness: Harness) -> None:
    harness.server.script(Reply(text="你好！我是助手 🤖。", chunk_chars=2, delay_s=0.005))
    harness.send("你好，世界 🌏")
    rows = harness.rows()
    assert [r.role for r in rows] == ["user", "assistant"]
    assert rows[0].content == "你好，世界 🌏"
    assert rows[1].content == "你好！我是助手 🤖。"
    assert rows[1].status == "done"
    assert harness.body()["messages"][-1] == {"role": "user", "content": "你好，世界 🌏"}
    conv = harness.store.list_conversations()[0]
    saved = harness.store.list_messages(conv.id)
    assert [m.content for m in saved] == ["你好，世界 🌏", "你好！我是助手 🤖。"]
    assert saved[1].ttft_ms is not None and saved[1].model == "gpt-4o"
    assert harness.window.composer.text() == ""


def test_stop_keeps_partial_then_continue(harness: Harness) -> None:
    long = "lorem ipsum " * 300
    harness.server.script(Reply(text=long, chunk_chars=4, delay_s=0.01))
    harness.send("Write a lot", wait=False)
    harness.wait(lambda: len(harness.rows()) == 2 and len(harness.rows()[1].content) > 20)
    assert harness.window.composer.is_busy()
    harness.window.composer.stop_requested.emit()  # the Stop button / Esc
    harness.idle()
    answer = harness.store.list_messages(harness.controller.conversation_id)[-1]
    assert answer.status == "stopped"
    assert 0 < len(answer.content) < len(long)
    assert long.startswith(answer.content)
    assert harness.rows()[-1].status == "stopped"

    harness.server.script(Reply(text=" and the rest."))
    harness.controller.on_action("continue", answer.id, None)
    harness.idle()
    after = harness.store.get_message(answer.id)
    assert after.content == answer.content + " and the rest."
    assert after.status == "done"
    sent = harness.body()["messages"]
    assert sent[-2] == {"role": "assistant", "content": answer.content}
    assert sent[-1]["role"] == "user" and "Continue" in sent[-1]["content"]


def test_regenerate_and_branch_switching(harness: Harness) -> None:
    harness.server.script(Reply(text="First"), Reply(text="Second"))
    harness.send("Question")
    first = harness.rows()[1]
    harness.controller.on_action("regenerate", first.id, None)
    harness.idle()
    rows = harness.rows()
    assert rows[1].content == "Second"
    model = harness.window.message_model
    assert model.branch(rows[1].id) == (2, 2)
    harness.controller.on_action("branch_prev", rows[1].id, None)
    assert harness.rows()[1].content == "First"
    assert model.branch(first.id) == (1, 2)
    harness.controller.on_action("branch_next", first.id, None)
    assert harness.rows()[1].content == "Second"
    # Both requests carried the same history.
    bodies = harness.chat_bodies()
    assert bodies[-1]["messages"] == bodies[-2]["messages"]


def test_edit_and_resend_makes_a_branch(harness: Harness) -> None:
    harness.server.script(Reply(text="About cats"), Reply(text="About dogs"))
    harness.send("Tell me about cats")
    user = harness.rows()[0]
    harness.controller.edit_and_resend(user.id, "Tell me about dogs")
    harness.idle()
    rows = harness.rows()
    assert [r.content for r in rows] == ["Tell me about dogs", "About dogs"]
    assert harness.window.message_model.branch(rows[0].id) == (2, 2)
    harness.controller.on_action("branch_prev", rows[0].id, None)
    assert [r.content for r in harness.rows()] == ["Tell me about cats", "About cats"]


@pytest.mark.parametrize(
    ("reply", "category"),
    [
        (Reply.error(401, "Invalid API key", code="invalid_api_key"), "auth"),
        (Reply.quota(), "quota"),
        (Reply.error(404, "The model `x` does not exist", code="model_not_found"), "not_found"),
        (Reply.rate_limited(retry_after=90), "rate_limit"),
        (Reply.error(500, "upstream exploded"), "server"),
        (Reply.html(), "protocol"),
        (Reply.error(400, "flagged", code="content_filter"), "content_filter"),
    ],
)
def test_errors_show_in_place_and_keep_the_draft(
    harness: Harness, reply: Reply, category: str
) -> None:
    harness.server.script(reply, reply, reply, reply)
    harness.send("Please answer 请回答")
    answer = harness.rows()[-1]
    assert answer.role == "assistant"
    assert answer.status == "error"
    assert answer.error_category == category
    assert harness.window.composer.text() == "Please answer 请回答"  # the draft is back
    status = harness.window.status_label.text()
    assert status and "{" not in status and "Traceback" not in status
    if category == "rate_limit":
        assert answer.meta["retry_after_s"] == 90


def test_network_down_is_an_error_not_a_crash(harness: Harness) -> None:
    harness.server.stop()
    harness.send("Anyone there?")
    answer = harness.rows()[-1]
    assert answer.status == "error" and answer.error_category == "network"
    assert harness.window.composer.text() == "Anyone there?"


def test_parameters_reach_the_request(harness: Harness) -> None:
    w = harness.window
    w.params_panel.set_params(
        {
            "top_p": 0.8,
            "max_tokens": 77,
            "stop": ["END"],
            "presence_penalty": 0.4,
            "frequency_penalty": 0.2,
            "response_format": {"type": "json_object"},
            "seed": 7,
            "user": "tester",
        }
    )
    w.temperature.set_value(0.3)
    w.system_prompt.setPlainText("Answer in JSON.")
    harness.send("Go")
    body = harness.body()
    assert body["temperature"] == 0.3 and body["top_p"] == 0.8 and body["max_tokens"] == 77
    assert body["stop"] == ["END"] and body["seed"] == 7 and body["user"] == "tester"
    assert body["presence_penalty"] == 0.4 and body["frequency_penalty"] == 0.2
    assert body["response_format"] == {"type": "json_object"}
    assert body["messages"][0] == {"role": "system", "content": "Answer in JSON."}
    assert "n" not in body and "tools" not in body
    conv = harness.store.get_conversation(harness.controller.conversation_id)
    assert conv.params["max_tokens"] == 77 and conv.system_prompt == "Answer in JSON."
    # Reopening the conversation restores the panel.
    harness.controller.new_conversation()
    assert w.params_panel.params() == {}
    harness.controller.open_conversation(conv.id)
    assert w.params_panel.params()["max_tokens"] == 77
    assert w.temperature.value() == 0.3


def test_n_candidates_are_siblings(harness: Harness) -> None:
    harness.window.params_panel.set_params({"n": 3})
    harness.server.script(Reply(text="Idea", n=3))
    harness.send("Ideas?")
    assert harness.body()["n"] == 3
    rows = harness.rows()
    assert harness.window.message_model.branch(rows[1].id) == (1, 3)
    harness.controller.on_action("branch_next", rows[1].id, None)
    assert harness.rows()[1].choice_index == 1
    assert harness.rows()[1].content != rows[1].content


def test_tool_call_round_trip(harness: Harness) -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
        }
    ]
    harness.window.params_panel.set_params({"tools": tools, "tool_choice": "auto"})
    harness.server.script(
        Reply(
            text="",
            tool_calls=[{"id": "call_9", "name": "get_weather", "arguments": '{"city":"上海"}'}],
            finish_reason="tool_calls",
        ),
        Reply(text="It is 22°C in Shanghai."),
    )
    harness.send("Weather in Shanghai?")
    call_msg = harness.rows()[-1]
    assert call_msg.tool_calls[0]["function"]["name"] == "get_weather"
    assert call_msg.finish_reason == "tool_calls"
    harness.controller.send_tool_result(call_msg.id, "call_9", '{"temp_c": 22}')
    harness.idle()
    sent = harness.body()["messages"]
    assert sent[-2]["tool_calls"][0]["id"] == "call_9"
    assert sent[-1] == {"role": "tool", "content": '{"temp_c": 22}', "tool_call_id": "call_9"}
    assert harness.rows()[-1].content == "It is 22°C in Shanghai."


def test_image_attachment_is_sent_as_part(harness: Harness) -> None:
    from chatdesk.ui.composer import Attachment

    harness.window.composer.add_attachment(Attachment("dot.png", "image/png", PNG))
    harness.send("What is this?")
    content = harness.body()["messages"][-1]["content"]
    assert content[0] == {"type": "text", "text": "What is this?"}
    assert (
        content[1]["image_url"]["url"] == "data:image/png;base64," + base64.b64encode(PNG).decode()
    )
    user = harness.rows()[0]
    assert user.parts[1]["type"] == "image"
    assert harness.store.get_image(user.parts[1]["hash"]) == (PNG, "image/png")


def test_title_from_first_words(harness: Harness) -> None:
    harness.send("Explain quantum entanglement to a ten year old please, with examples")
    conv = harness.store.get_conversation(harness.controller.conversation_id)
    assert conv.title.startswith("Explain quantum entanglement")


def test_screenshot_with_chinese_emoji_code_and_math(harness: Harness, tmp_path: Path) -> None:
    reply = (
        "## 结果 🎉\n\n这是一个**测试**，包含表情 😀 和代码：\n\n"
        "```python\nprint('你好')\n```\n\n行内公式 $E=mc^2$，以及：\n\n"
        "$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n"
    )
    harness.server.script(Reply(text=reply))
    harness.send("展示一下 Markdown 😀")
    harness.window.resize(1100, 760)
    harness.wait(lambda: True)
    QApplication.processEvents()
    shot = tmp_path / "window.png"
    assert harness.window.grab().save(str(shot))
    assert shot.stat().st_size > 10_000
    _ = Qt  # keep the import for type checkers of the key constants


def test_retry_after_error_replaces_the_failed_answer(harness: Harness) -> None:
    harness.server.script(Reply.rate_limited(retry_after=30), Reply(text="Now it works"))
    harness.send("Hello?")
    failed = harness.rows()[-1]
    assert failed.status == "error" and failed.meta["retry_after_s"] == 30
    harness.window.composer.set_text("")
    harness.controller.on_action("retry", failed.id, None)
    harness.idle()
    rows = harness.rows()
    assert [r.role for r in rows] == ["user", "assistant"]
    assert rows[-1].content == "Now it works" and rows[-1].status == "done"
    assert harness.store.get_message(failed.id) is None


def test_title_from_the_chosen_cheap_model(harness: Harness) -> None:
    harness.desk.settings_ctl.apply_settings(dict(DEFAULTS) | {"title_model": "gpt-4o-mini"})
    harness.server.script(Reply(text="Long answer about Rust"), Reply(text='"Rust 入门"'))
    harness.send("Teach me Rust from zero please")
    harness.wait(lambda: len(harness.chat_bodies()) == 2)
    cid = harness.controller.conversation_id
    harness.wait(lambda: harness.store.get_conversation(cid).title == "Rust 入门")
    title_body = harness.chat_bodies()[-1]
    assert title_body["model"] == "gpt-4o-mini"
    assert title_body["stream"] is False and title_body["max_tokens"] == 24
    assert "Teach me Rust" in title_body["messages"][0]["content"]


def test_models_fall_back_to_builtin_list(harness: Harness) -> None:
    harness.wait(lambda: harness.window.model_picker.source() != "")
    assert "server" in harness.window.model_picker.source().lower()
    harness.server.stop()
    sources: list[str] = []
    harness.desk.endpoint.models_loaded.connect(sources.append)
    harness.desk.endpoint._endpoint.cache_key = "url:elsewhere"  # nothing cached for it
    harness.desk.endpoint.refresh_models()
    harness.wait(lambda: bool(sources))
    assert sources == ["builtin"]
    assert "claude-sonnet-4-5" in harness.window.model_picker.models()


def test_view_code_masks_the_key(harness: Harness) -> None:
    from chatdesk.ui.codedialog import ViewCodeDialog

    harness.window.params_panel.set_params({"max_tokens": 99})
    harness.window.composer.set_text("代码示例")
    harness.controller.view_code()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, ViewCodeDialog)]
    assert dialogs
    dialog = dialogs[-1]
    for kind in ("curl", "python", "node"):
        text = dialog.text(kind)
        assert KEY not in text and KEY[-4:] in text
        assert "代码示例" in text and "99" in text
    dialog.close()


def test_layout_persists(harness: Harness) -> None:
    harness.window.main_splitter.setSizes([333, 800])
    harness.window.close()
    saved = harness.store.get_setting("window_layout")
    assert saved and saved["main_splitter"]


def test_settings_apply_send_key_and_theme(harness: Harness) -> None:
    settings = dict(DEFAULTS) | {"send_key": "ctrl+enter", "theme": "dark"}
    harness.desk.settings_ctl.apply_settings(settings)
    assert harness.window.composer.send_key() == "ctrl+enter"
    assert QApplication.instance().property("chatdesk_dark") is True
    assert harness.window.message_view.is_dark()  # the bubbles follow the theme at once
    assert harness.store.get_setting("app_settings")["send_key"] == "ctrl+enter"
    harness.desk.settings_ctl.apply_settings(dict(DEFAULTS) | {"theme": "light"})
    assert QApplication.instance().property("chatdesk_dark") is False
    assert not harness.window.message_view.is_dark()


def test_test_connection_explains_problems(harness: Harness) -> None:
    from chatdesk.core.diagnose import diagnose

    ok, text = harness.loop.run_until_complete(diagnose(harness.server.base_url, KEY, "gpt-4o"))
    assert ok, text
    assert "/models answered" in text and "one-token test" in text
    body = harness.chat_bodies()[-1]
    assert body["max_tokens"] == 1 and body["stream"] is False

    ok, text = harness.loop.run_until_complete(diagnose(harness.server.base_url, "sk-wrong", None))
    assert not ok and "API key was rejected" in text and "sk-wrong" not in text

    harness.server.models_reply = Reply.html()
    ok, text = harness.loop.run_until_complete(diagnose(harness.server.base_url, KEY, None))
    assert not ok and "web page instead of JSON" in text

    ok, text = harness.loop.run_until_complete(diagnose("not a url", KEY, None, lang="zh"))
    assert not ok and "接口地址无效" in text


def test_composer_has_focus_on_start(harness: Harness) -> None:
    harness.window.activateWindow()
    QApplication.processEvents()
    assert QApplication.focusWidget() is harness.window.composer.editor()


def test_preset_starts_a_new_conversation(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QInputDialog

    w = harness.window
    w.system_prompt.setPlainText("Translate to French.")
    w.params_panel.set_params({"max_tokens": 50})
    w.temperature.set_value(0.2)
    w.model_picker.set_current("claude-sonnet-4-5")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Traducteur", True))
    w.preset_save_requested.emit()
    assert [a["name"] for a in harness.store.get_setting("assistants")] == ["Traducteur"]
    harness.send("hello")  # a conversation with the preset's values
    w.system_prompt.setPlainText("")
    w.params_panel.set_params({})
    w.preset_chosen.emit("Traducteur")
    assert harness.controller.conversation_id is None
    assert w.system_prompt.toPlainText() == "Translate to French."
    assert w.params_panel.params()["max_tokens"] == 50
    assert w.temperature.value() == 0.2
    assert w.model_picker.current() == "claude-sonnet-4-5"
    harness.send("bonjour")
    body = harness.body()
    assert body["model"] == "claude-sonnet-4-5" and body["max_tokens"] == 50
    assert body["messages"][0] == {"role": "system", "content": "Translate to French."}
