"""Regressions found in review: races and tree shapes that once lost work."""

from __future__ import annotations

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness

TOOLS = [
    {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}},
]


def test_two_tool_calls_chain_and_continue(harness: Harness) -> None:
    harness.window.params_panel.set_params({"tools": TOOLS, "tool_choice": "auto"})
    calls = [
        {"id": "a", "name": "f", "arguments": "{}"},
        {"id": "b", "name": "f", "arguments": '{"x": 1}'},
    ]
    harness.server.script(
        Reply(text="", tool_calls=calls, finish_reason="tool_calls"), Reply(text="final")
    )
    harness.send("go")
    call_msg = harness.rows()[-1]
    before = len(harness.chat_bodies())
    harness.controller.send_tool_result(call_msg.id, "a", "ra")
    assert len(harness.chat_bodies()) == before  # waits for the second result
    harness.controller.send_tool_result(call_msg.id, "b", "rb")
    harness.idle()
    sent = harness.body()["messages"]
    assert [m["role"] for m in sent[-3:]] == ["assistant", "tool", "tool"]
    assert [m.get("tool_call_id") for m in sent[-2:]] == ["a", "b"]
    assert harness.rows()[-1].content == "final"


def test_malformed_key_keeps_the_draft(harness: Harness) -> None:
    harness.desk.endpoint._endpoint.api_key = "Bearer sk-abc"  # pasted with the prefix
    # the pool makes a new client for the changed key (and refuses the malformed one)
    harness.window.composer.set_text("my precious draft")
    harness.window.composer.send()
    assert harness.window.composer.text() == "my precious draft"
    assert "api_key" in harness.window.status_label.text()


def test_deleting_the_streaming_conversation(harness: Harness) -> None:
    harness.send("first")
    harness.server.script(Reply(text="slow " * 40, delay_s=0.02))
    harness.send("second", wait=False)
    harness.wait(lambda: harness.controller.busy)
    cid = harness.controller.conversation_id
    harness.window.conversations.delete_conversation(cid)
    harness.window.conversations.flush_pending_delete()
    harness.idle()
    assert harness.store.get_conversation(cid) is None
    assert harness.controller.conversation_id is None
    harness.send("third")
    assert harness.rows()[-1].status == "done"
    assert harness.controller.conversation_id not in (None, cid)


def test_settings_saved_while_streaming_do_not_cut_the_answer(harness: Harness) -> None:
    harness.server.script(Reply(text="slow " * 60, delay_s=0.02))
    harness.send("first", wait=False)
    harness.wait(lambda: harness.controller.busy and bool(harness.rows()[-1].content))
    ctl = harness.desk.settings_ctl
    ctl.apply_settings(harness.desk.services.settings() | {"font_size": 11})
    harness.idle()
    row = harness.store.get_message(harness.rows()[-1].id)
    assert row.status == "done" and row.content == "slow " * 60


def test_preset_while_streaming_changes_nothing(harness: Harness) -> None:
    harness.send("first")
    cid = harness.controller.conversation_id
    harness.store.set_setting(
        "assistants",
        [{"name": "p", "system_prompt": "PIRATE", "model": "other", "params": {"max_tokens": 7}}],
    )
    harness.server.script(Reply(text="slow " * 40, delay_s=0.02))
    harness.send("second", wait=False)
    harness.wait(lambda: harness.controller.busy)
    harness.desk.settings_ctl.assistants.start("p")
    harness.idle()
    harness.send("third")
    conv = harness.store.get_conversation(cid)
    assert conv.model != "other" and "max_tokens" not in conv.params
    assert harness.window.system_prompt.toPlainText() != "PIRATE"


def test_resend_after_error_does_not_repeat_the_question(harness: Harness) -> None:
    harness.server.script(Reply.error(400, "bad request boom"), Reply(text="ok"))
    harness.send("question one")
    assert harness.window.composer.text() == "question one"
    harness.window.composer.send()
    harness.wait(lambda: len(harness.chat_bodies()) == 2)
    harness.idle()
    contents = [m["content"] for m in harness.body()["messages"]]
    assert contents.count("question one") == 1
    rows = harness.rows()
    assert [r.content for r in rows] == ["question one", "ok"]
    assert harness.window.message_model.branch(rows[0].id) == (2, 2)  # the failure is kept


def test_continue_with_n_candidates_adds_no_candidate(harness: Harness) -> None:
    harness.window.params_panel.set_params({"n": 2})
    harness.server.script(Reply(text="hi", n=2))
    harness.send("hi")
    first = harness.rows()[-1]
    count = len(harness.store.list_messages(harness.controller.conversation_id))
    harness.server.script(Reply(text=" more"))
    harness.controller.on_action("continue", first.id, None)
    harness.idle()
    assert "n" not in harness.body()
    assert len(harness.store.list_messages(harness.controller.conversation_id)) == count
    assert harness.store.get_message(first.id).content == "hi more"


def test_stop_before_first_token_then_send(harness: Harness) -> None:
    harness.server.script(Reply(text="late", first_delay_s=1.0), Reply(text="ok"))
    harness.send("one", wait=False)
    harness.wait(lambda: harness.controller.busy and len(harness.rows()) == 2)
    harness.controller.stop()
    harness.idle()
    assert harness.rows()[-1].status == "stopped"
    harness.send("two")
    sent = harness.body()["messages"]
    assert all(m.get("content") or m.get("tool_calls") for m in sent)
    assert [m["role"] for m in sent] == ["user", "user"]
