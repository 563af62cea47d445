"""Turn preparation: the request every front end sends, and what is saved for a turn."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.api.errors import ValidationError
from chatdesk.core.chat.turns import (
    CONTINUE_PROMPT,
    Draft,
    build_request,
    preview_body,
    request_body,
    save_user_turn,
)
from chatdesk.store import Store

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


def _save(
    store: Store, text: str, conv: int | None = None, parent: int | None = None, **kw: object
) -> tuple[int, int]:
    return save_user_turn(
        store,
        conv,
        Draft(text, **kw),  # type: ignore[arg-type]
        parent_id=parent,
        model="gpt-4o",
        provider="zero",
        system_prompt="Be brief.",
        params={"temperature": 0.3},
    )


def test_save_user_turn_creates_the_conversation_then_reuses_it(store: Store) -> None:
    conv, first = _save(store, "What is WAL mode in SQLite, in one paragraph please?")
    row = store.get_conversation(conv)
    assert row is not None
    assert (row.model, row.provider, row.system_prompt) == ("gpt-4o", "zero", "Be brief.")
    assert row.params == {"temperature": 0.3} and row.current_leaf_id == first
    assert row.title.startswith("What is WAL mode")

    answer = store.add_message(conv, "assistant", "WAL is...", parent_id=first)
    conv2, second = save_user_turn(
        store,
        conv,
        Draft("And rollback?"),
        parent_id=answer,
        model="gpt-4o-mini",
        provider=None,
        system_prompt="ignored",
        params={"top_p": 0.5},
    )
    assert conv2 == conv
    row = store.get_conversation(conv)
    assert row is not None
    assert (row.model, row.params, row.current_leaf_id) == ("gpt-4o-mini", {"top_p": 0.5}, second)
    assert row.system_prompt == "Be brief."  # the conversation keeps its own
    msg = store.get_message(second)
    assert msg is not None and (msg.role, msg.parent_id) == ("user", answer)


def test_build_request_puts_the_system_prompt_first(store: Store) -> None:
    conv, uid = _save(store, "Hi")
    row = store.get_conversation(conv)
    path = store.path_to(uid)
    req = build_request(store, row, path, "gpt-4o", row.params if row else None)
    assert [(m.role, m.content) for m in req.messages] == [
        ("system", "Be brief."),
        ("user", "Hi"),
    ]
    assert (req.model, req.temperature, req.stream) == ("gpt-4o", 0.3, True)

    other = build_request(store, row, path, "gpt-4o", {}, system_prompt="Be verbose.")
    assert other.messages[0].content == "Be verbose."
    none = build_request(store, row, path, "gpt-4o", {}, system_prompt="   ")
    assert [m.role for m in none.messages] == ["user"]
    bare = build_request(store, None, path, "gpt-4o", None, stream=False)
    assert [m.role for m in bare.messages] == ["user"] and bare.stream is False


def test_failed_answers_are_left_out_of_the_request(store: Store) -> None:
    conv, uid = _save(store, "Hi")
    failed = store.add_message(conv, "assistant", "", parent_id=uid, status="error", error="boom")
    req = build_request(store, None, store.path_to(failed), "m", {}, draft=Draft("Again"))
    assert [(m.role, m.content) for m in req.messages] == [("user", "Hi"), ("user", "Again")]


def test_draft_with_images_goes_out_as_content_parts(store: Store) -> None:
    draft = Draft(
        "What is this?", images=[(PNG, "image/png")], image_urls=["https://example.com/cat.jpg"]
    )
    req = build_request(store, None, [], "gpt-4o", {}, draft=draft)
    content = req.messages[-1].content
    assert isinstance(content, list)
    assert content[0] == {"type": "text", "text": "What is this?"}
    png_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert content[1] == {"type": "image_url", "image_url": {"url": png_url, "detail": "auto"}}
    assert content[2]["image_url"]["url"] == "https://example.com/cat.jpg"
    assert store.count_conversations() == 0  # a draft is not saved


def test_saved_images_are_inlined_from_the_store(store: Store) -> None:
    _conv, uid = _save(store, "Look", images=[(PNG, "image/png")])
    msg = store.get_message(uid)
    assert msg is not None and msg.parts is not None
    assert msg.parts[1]["type"] == "image"  # stored by hash, not as a data URL
    req = build_request(store, None, store.path_to(uid), "gpt-4o", {})
    content = req.messages[-1].content
    assert isinstance(content, list)
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")


def test_continuation_appends_the_continue_prompt_and_clears_n(store: Store) -> None:
    conv, uid = _save(store, "Write a long story")
    cut = store.add_message(conv, "assistant", "Once upon a", parent_id=uid, status="stopped")
    cut_row = store.get_message(cut)
    req = build_request(
        store,
        None,
        store.path_to(cut),
        "gpt-4o",
        {"n": 3, "temperature": 1.0},
        append_to=cut_row,
    )
    assert req.n is None and req.temperature == 1.0
    assert [(m.role, m.content) for m in req.messages] == [
        ("user", "Write a long story"),
        ("assistant", "Once upon a"),
        ("user", CONTINUE_PROMPT),
    ]
    assert "n" not in request_body(req)


def test_a_bad_parameter_is_refused_before_anything_is_saved(store: Store) -> None:
    """Front ends build (and so check) the request from the draft before saving it."""
    with pytest.raises(ValidationError) as info:
        build_request(store, None, [], "gpt-4o", {"temperature": 5}, draft=Draft("Hi"))
    assert info.value.field == "temperature"
    assert store.count_conversations() == 0


def test_unset_parameters_stay_unset_and_stop_becomes_a_list(store: Store) -> None:
    req = build_request(
        store, None, [], "m", {"temperature": None, "stop": "END"}, draft=Draft("Hi")
    )
    body = request_body(req)
    assert "temperature" not in body and body["stop"] == ["END"]
    assert body["stream_options"] == {"include_usage": True}
    assert "stream_options" not in request_body(req, include_usage=False)


def test_preview_shows_an_invalid_parameter_instead_of_refusing(store: Store) -> None:
    body = preview_body(
        store, None, [], "m", {"temperature": 9}, draft_text="", system_prompt="Sys"
    )
    assert body["temperature"] == 9
    assert body["messages"] == [
        {"role": "system", "content": "Sys"},
        {"role": "user", "content": "Hello!"},
    ]
