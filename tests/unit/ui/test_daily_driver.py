"""Issue 11, nothing that jumps or lies: the chat pane's small promises."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness


def test_one_temperature_in_the_parameters_drawer(harness: Harness) -> None:
    w = harness.window
    # One control (the header has none): what the drawer says is what is sent.
    assert w.temperature is w.params_panel.temperature
    w.params_panel.temperature.set_value(1.2)
    w.params_panel.params_changed.emit(w.params_panel.params())
    harness.send("hi")
    assert harness.body()["temperature"] == 1.2
    conv = harness.store.get_conversation(harness.controller.conversation_id)
    assert conv is not None and conv.params["temperature"] == 1.2


def test_waiting_label_goes_with_the_first_token(harness: Harness) -> None:
    h = harness
    h.server.script(Reply(text="x" * 3000, chunk_chars=3, delay_s=0.003))
    h.send("go", wait=False)
    h.wait(lambda: h.controller.busy and len(h.rows()[-1].content) > 30)
    h.wait(lambda: len(h.window.message_model.messages()[-1].content) > 30)
    mid = h.rows()[-1].id
    view = h.window.message_view

    def footer() -> str:
        item = view._items.get(mid)  # noqa: SLF001 (what is painted)
        return item.foot.toPlainText() if item is not None and item.foot else ""

    h.wait(lambda: "Waiting" not in footer())
    h.idle()


def test_copy_says_copied(harness: Harness) -> None:
    harness.send("hello")
    answer = harness.rows()[-1]
    harness.controller.on_action("copy", answer.id, None)
    assert QGuiApplication.clipboard().text() == answer.content
    assert harness.window.status_label.text() == "Copied"


def test_regenerate_replaces_in_place_with_the_switcher(harness: Harness) -> None:
    h = harness
    h.server.script(Reply(text="first answer"))
    h.send("question")
    old = h.rows()[-1]
    h.server.script(Reply(text="second answer " * 200, chunk_chars=5, delay_s=0.002))
    h.controller.on_action("regenerate", old.id, None)
    h.wait(lambda: h.rows()[-1].id != old.id)
    rows = h.rows()
    assert [r.content for r in rows[:-1]] == ["question"]  # the old answer is not shown
    assert h.window.message_model.branch(rows[-1].id) == (2, 2)
    h.idle()


def test_continue_hides_stopped_while_it_streams(harness: Harness) -> None:
    h = harness
    h.server.script(Reply(text="abc " * 500, chunk_chars=4, delay_s=0.002))
    h.send("long", wait=False)
    h.wait(lambda: len(h.rows()[-1].content) > 20)
    h.controller.stop()
    h.idle()
    cut = h.rows()[-1]
    assert cut.status == "stopped"
    h.server.script(Reply(text=" the rest" * 200, chunk_chars=4, delay_s=0.002))
    h.controller.on_action("continue", cut.id, None)
    assert h.rows()[-1].status == "streaming"
    h.idle()
    assert h.rows()[-1].status == "done"


def test_successful_retry_clears_the_restored_draft(harness: Harness) -> None:
    h = harness
    h.server.script(*[Reply.error(500, "down")] * 4)
    h.send("my question")
    failed = h.rows()[-1]
    assert failed.status == "error"
    assert h.window.composer.text() == "my question"  # kept after the failure
    h.server.script(Reply(text="works now"))
    h.controller.on_action("retry", failed.id, None)
    h.idle()
    assert h.rows()[-1].content == "works now"
    assert h.window.composer.text() == ""  # Enter cannot send it twice


def test_new_message_after_a_failure_says_what_it_did(harness: Harness) -> None:
    h = harness
    h.server.script(*[Reply.error(500, "down")] * 4)
    h.send("doomed")
    h.window.composer.set_text("")
    h.server.script(Reply(text="ok", delay_s=0.05, chunk_chars=1))
    h.send("another try", wait=False)
    h.wait(lambda: h.controller.busy)
    assert "failed question" in h.window.status_label.text()
    h.idle()


def test_edit_in_place_resends_as_a_branch_and_esc_cancels(harness: Harness) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    h = harness
    h.server.script(Reply(text="first answer"))
    h.send("original question")
    composer = h.window.composer
    composer.set_text("a draft I was writing")
    question = h.rows()[0]
    h.controller.on_action("edit", question.id, None)
    assert composer.editing() == question.id
    assert composer.text() == "original question"
    QTest.keyClick(composer.editor(), Qt.Key.Key_Escape)  # cancel: the draft is back
    assert composer.editing() is None and composer.text() == "a draft I was writing"
    composer.set_text("")
    QTest.keyClick(composer.editor(), Qt.Key.Key_Up)  # Up in an empty box: edit the last
    assert composer.editing() == question.id
    composer.set_text("edited question")
    h.server.script(Reply(text="answer to the edit"))
    assert composer.send()
    h.wait(lambda: h.controller.busy or h.rows()[-1].content == "answer to the edit")
    h.idle()
    rows = h.rows()
    assert [r.content for r in rows] == ["edited question", "answer to the edit"]
    assert h.window.message_model.branch(rows[0].id) == (2, 2)
    assert composer.editing() is None and composer.text() == ""


def test_shortcuts_on_the_last_answer(harness: Harness) -> None:
    h = harness
    h.server.script(Reply(text="one"))
    h.send("q")
    h.window.copy_last_requested.emit()
    assert QGuiApplication.clipboard().text() == "one"
    h.server.script(Reply(text="two"))
    h.window.regenerate_last_requested.emit()
    h.wait(lambda: h.rows()[-1].content == "two" and not h.controller.busy)
    assert h.window.message_model.branch(h.rows()[-1].id) == (2, 2)


def test_provider_picker_switches_server_and_each_chat_remembers_it(harness: Harness) -> None:
    from chatdesk.store.rows import ProviderRow
    from tests.fakeserver import FakeServer

    h = harness
    w = h.window
    with FakeServer() as other:
        h.store.upsert_provider(ProviderRow(name="other", base_url=other.base_url,
                                            default_model="other-model"))  # fmt: skip
        h.desk.services.keys.set_for_session("other", "sk-other-0123456789")
        h.desk.endpoint.refresh_providers()
        names = w.providers()
        assert "" in names and "other" in names  # the --base-url server and the provider
        h.server.script(Reply(text="from the first server"))
        h.send("first chat")
        first = h.controller.conversation_id
        h.controller.new_conversation()
        w.provider_chosen.emit("other")
        assert w.model_picker.current() == "other-model"  # that server's default
        other.script(Reply(text="from the other server"))
        h.send("second chat")
        assert [r.json["model"] for r in other.chat_requests] == ["other-model"]
        second = h.controller.conversation_id
        assert h.store.get_conversation(second).provider == "other"
        h.controller.open_conversation(first)  # back to the first server
        assert h.desk.endpoint.endpoint.name is None
        assert w.current_provider() == ""
        h.controller.open_conversation(second)
        assert h.desk.endpoint.endpoint.name == "other"
        assert w.current_provider() == "other"


def test_recent_models_come_first(harness: Harness) -> None:
    h = harness
    h.window.model_picker.set_current("my-typed-model")
    h.send("one")
    h.desk.endpoint.refresh_models()
    h.wait(lambda: "\x00recent" in h.window.model_picker.groups())
    assert h.window.model_picker.groups()["\x00recent"][0] == "my-typed-model"


def test_a_very_long_user_message_is_folded_and_unfolds(harness: Harness) -> None:
    from chatdesk.ui.actions import ViewToggle, action_href

    h = harness
    text = "\n".join(f"log line {i}" for i in range(80))
    h.send(text)
    view = h.window.message_view
    question = h.rows()[0]
    view.code_blocks(question.id)  # rendered

    def shown() -> str:
        item = view._items[question.id]  # noqa: SLF001 (what is painted)
        return "\n".join(d.toPlainText() for d in item.parts if d is not None)

    assert "log line 5" in shown() and "log line 70" not in shown()
    assert "Show all (80 lines)" in shown()
    view._handle_href(question.id, action_href(ViewToggle.USER_TEXT))  # noqa: SLF001
    view.code_blocks(question.id)
    assert "log line 79" in shown() and "Show less" in shown()
    assert h.store.get_message(question.id).content == text  # only the view folds it


def test_settings_say_which_server_the_window_uses(harness: Harness) -> None:
    from PySide6.QtWidgets import QApplication

    from chatdesk.ui.settings import SettingsDialog

    harness.desk.settings_ctl.open_settings()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, SettingsDialog)]
    dialog = dialogs[-1]
    text = dialog.provider_message.text()
    assert harness.server.base_url in text and "--base-url" in text  # not "(no key)" alone
    dialog.close()


def test_no_key_for_a_remote_server_lists_models_without_asking(harness: Harness) -> None:
    h = harness
    endpoint = h.desk.endpoint.endpoint
    assert endpoint is not None
    endpoint.api_key = None
    endpoint.base_url = "https://relay.example/v1"  # remote: it would refuse anyway
    endpoint.cache_key = "url:https://relay.example/v1"
    before = len(h.server.requests)
    h.desk.endpoint.refresh_models()
    assert "no API key" in h.window.model_picker.source()
    assert h.window.model_picker.models()  # the built-in list, at once
    assert len(h.server.requests) == before


def test_a_chat_with_a_server_this_window_does_not_use_says_where_messages_go(
    harness: Harness,
) -> None:
    """A chat begun by `chatdesk ask --base-url` elsewhere remembers its URL; this
    window (another --base-url) cannot reach it with a key, so it keeps its server and
    says so instead of sending there silently or pretending."""
    h = harness
    h.server.script(Reply(text="first"))
    h.send("on the window's server")
    mine = h.controller.conversation_id
    conv = h.store.create_conversation("from a terminal")
    h.store.update_conversation(conv, provider="url:http://192.0.2.7:8080/v1")
    h.controller.open_conversation(conv)
    status = h.window.status_label.text()
    assert "This chat was with 192.0.2.7" in status and "new messages go to" in status
    assert h.desk.endpoint.endpoint.base_url == h.server.base_url  # nothing swapped
    h.window.set_status("")
    h.controller.open_conversation(mine)  # its own server: no word about it
    assert h.window.status_label.text() == ""
