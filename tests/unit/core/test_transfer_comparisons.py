"""Comparisons and votes travel with their conversation in the JSON export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.history import transfer
from chatdesk.core.history.transfer import TransferError, export_json, importing
from chatdesk.store import Store

COLUMNS = [
    {"label": "A", "model": "gpt-4o", "provider": None, "params": {"temperature": 0.2}},
    {"label": "B", "model": "qwen-2.5", "provider": "local", "params": {}},
]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "source.sqlite3") as s:
        yield s


def fill(store: Store) -> tuple[int, int]:
    """A comparison with two turns, three votes (one on a deleted turn), and a plain chat."""
    cid = store.create_conversation("对比 🆚", created=1_700_000_000.5)
    comp = store.create_comparison(
        cid,
        COLUMNS,
        blind=True,
        state={"column_order": [1, 0], "sync_scroll": False, "carry": None},
        created=1_700_000_001.25,
    )
    parent = None
    users = []
    for t, prompt in enumerate(["解释递归", "now in English", "a turn deleted later"]):
        user = store.add_message(
            cid, "user", prompt, parent_id=parent, created=1_700_000_010.0 + t, make_current=True
        )
        users.append(user)
        for i, col in enumerate(COLUMNS):
            reply = store.add_message(
                cid,
                "assistant",
                f"{col['model']} says {t}",
                parent_id=user,
                model_requested=col["model"],
                meta={"column": i},
                created=1_700_000_011.0 + t,
            )
            if i == 0:
                parent = reply
    models = ["qwen-2.5", "gpt-4o"]  # label order under the blind shuffle
    store.add_vote(
        comp, "A", models=models, prompt="解释递归", column_order=[1, 0],
        user_message_id=users[0], created=1_700_000_020.0,
    )  # fmt: skip
    store.add_vote(
        comp, "tie", models=models, prompt="a turn deleted later", column_order=[1, 0],
        user_message_id=users[2], created=1_700_000_021.0,
    )  # fmt: skip
    # Cast when the comparison still had three columns.
    store.add_vote(
        comp, "C", models=[*models, "llama"], prompt="now in English",
        column_order=[2, 1, 0], user_message_id=users[1], created=1_700_000_022.0, strict=False,
    )  # fmt: skip
    store.delete_message(users[2])
    plain = store.create_conversation("plain", created=1_700_000_100.0)
    store.add_message(plain, "user", "hello", make_current=True)
    return cid, comp


def test_round_trip_keeps_comparison_and_votes(store: Store, tmp_path: Path) -> None:
    fill(store)
    first = export_json(store)
    doc = json.loads(first)
    rich, plain = doc["conversations"]
    assert "comparison" not in plain  # ordinary chats are exported as before
    comparison = rich["comparison"]
    assert comparison["blind"] is True and comparison["columns"] == COLUMNS
    assert [v["message"] for v in comparison["votes"]] == [1, None, 4]
    path = tmp_path / "export.json"
    path.write_text(first, encoding="utf-8")

    with Store(tmp_path / "fresh.sqlite3") as fresh:
        fresh.create_conversation("already here")  # ids in the new database differ
        fresh.add_message(1, "user", "shifts the message ids")
        result = transfer.import_file(fresh, path)
        assert result.conversations_added == 2
        conv = next(c for c in fresh.list_conversations() if c.title == "对比 🆚")
        comp = fresh.comparison_for_conversation(conv.id)
        assert comp is not None
        assert comp.columns == COLUMNS and comp.blind is True
        assert comp.state == {"column_order": [1, 0], "sync_scroll": False, "carry": None}
        assert comp.created == 1_700_000_001.25
        votes = fresh.votes_for(comp.id)
        assert [v.winner for v in votes] == ["A", "tie", "C"]
        assert [v.created for v in votes] == [1_700_000_020.0, 1_700_000_021.0, 1_700_000_022.0]
        assert votes[2].models == ["qwen-2.5", "gpt-4o", "llama"]
        assert votes[2].column_order == [2, 1, 0]
        # Message ids were remapped to the new database's ids.
        for vote in (votes[0], votes[2]):
            assert vote.user_message_id is not None
            message = fresh.get_message(vote.user_message_id)
            assert message is not None and message.conversation_id == conv.id
            assert message.role == "user" and message.content == vote.prompt
        assert votes[1].user_message_id is None
        assert [c.title for c in fresh.list_conversations(comparisons=True)] == ["对比 🆚"]
        # Importing the same file again adds nothing, comparisons included.
        again = transfer.import_file(fresh, path)
        assert again.conversations_added == 0
        assert len(fresh.list_comparisons()) == 1 and len(fresh.list_votes()) == 3
        exported = export_json(fresh, [conv.id, conv.id + 1])
    assert exported == first  # byte-identical round trip


def _with_comparison(store: Store, change: dict[str, object]) -> dict[str, object]:
    fill(store)
    doc = json.loads(export_json(store))
    doc["conversations"][0]["comparison"].update(change)
    return doc


@pytest.mark.parametrize(
    "change",
    [
        {"columns": [COLUMNS[0]]},
        {"columns": [{"label": "A"}, {"label": "B"}]},
        {"blind": 1},
        {"state": []},
        {"votes": [{"winner": "A"}]},
        {"votes": "none"},
    ],
)
def test_damaged_comparison_is_refused_and_changes_nothing(
    store: Store, tmp_path: Path, change: dict[str, object]
) -> None:
    doc = _with_comparison(store, change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        with pytest.raises(TransferError, match="Damaged export"):
            transfer.import_file(fresh, path)
        assert fresh.list_conversations() == [] and fresh.list_votes() == []


@pytest.mark.parametrize(
    "vote_change",
    [
        {"winner": "C"},  # two models only
        {"winner": "best"},
        {"models": ["only-one"], "column_order": [0]},
        {"column_order": [0, 0]},
        {"column_order": [True, 0]},
        {"message": 99},
        {"created": "yesterday"},
    ],
)
def test_damaged_vote_is_refused(
    store: Store, tmp_path: Path, vote_change: dict[str, object]
) -> None:
    fill(store)
    doc = json.loads(export_json(store))
    doc["conversations"][0]["comparison"]["votes"][0].update(vote_change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        with pytest.raises(TransferError, match="Damaged export"):
            transfer.import_file(fresh, path)
        assert fresh.list_conversations() == []


def test_older_export_without_comparisons_still_imports(store: Store, tmp_path: Path) -> None:
    fill(store)
    doc = json.loads(export_json(store))
    for conv in doc["conversations"]:
        conv.pop("comparison", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        assert transfer.import_file(fresh, path).conversations_added == 2
        assert fresh.list_comparisons() == []


def test_comparisons_go_in_with_each_batch_of_messages(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports write messages in batches (with commit points between): a comparison is
    written with its own batch, its votes pointing at the right messages."""
    fill(store)
    path = tmp_path / "export.json"
    path.write_text(export_json(store), encoding="utf-8")
    monkeypatch.setattr(importing, "_BATCH", 1)
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        assert transfer.import_file(fresh, path).conversations_added == 2
        (comp,) = fresh.list_comparisons()
        prompts = []
        for vote in fresh.votes_for(comp.id):
            if vote.user_message_id is not None:
                message = fresh.get_message(vote.user_message_id)
                assert message is not None
                prompts.append(message.content)
        assert prompts == ["解释递归", "now in English"]


def threads(store: Store) -> tuple[int, int, dict[str, str]]:
    """A comparison as the app saves it: turn 1 shared, turn 2 per column with a tool
    turn in column A, turn 3 fed by column B's carried answer (ids in the state)."""
    cid = store.create_conversation("threads")
    add = store.add_message
    u1 = add(cid, "user", "first prompt")
    a1 = add(cid, "assistant", "A1", parent_id=u1, meta={"column": 0})
    b1_old = add(cid, "assistant", "B1 failed", parent_id=u1, meta={"column": 1}, status="error")
    b1 = add(cid, "assistant", "B1", parent_id=u1, meta={"column": 1})  # Retry: the newer
    u2a = add(cid, "user", "second prompt", parent_id=a1)
    u2b = add(cid, "user", "second prompt", parent_id=b1)
    a2 = add(cid, "assistant", "", parent_id=u2a, meta={"column": 0},
             tool_calls=[{"id": "c1", "type": "function",
                          "function": {"name": "clock", "arguments": "{}"}}])  # fmt: skip
    t2 = add(cid, "tool", "12:00", parent_id=a2, tool_call_id="c1", name="clock")
    a2_end = add(cid, "assistant", "A2 after the tool", parent_id=t2, meta={"column": 0})
    b2 = add(cid, "assistant", "B2", parent_id=u2b, meta={"column": 1})
    u3 = add(cid, "user", "third prompt", parent_id=b2)  # B's answer carried forward
    a3 = add(cid, "assistant", "A3", parent_id=u3, meta={"column": 0})
    b3 = add(cid, "assistant", "B3", parent_id=u3, meta={"column": 1})
    turns = [
        {"users": {"0": u1, "1": u1}, "answers": {"0": a1, "1": b1}, "carry": None},
        {"users": {"0": u2a, "1": u2b}, "answers": {"0": a2_end, "1": b2}, "carry": None},
        {"users": {"0": u3, "1": u3}, "answers": {"0": a3, "1": b3}, "carry": 1},
    ]
    comp = store.create_comparison(cid, COLUMNS, state={"column_order": [0, 1], "turns": turns})
    assert b1_old < b1
    # After the carry, column A's thread runs through B's answers (its own turn 2 stays
    # in the turn's record: see _answers).
    texts = {"A": "first prompt B1 second prompt B2 third prompt A3",
             "B": "first prompt B1 second prompt B2 third prompt B3"}  # fmt: skip
    return cid, comp, texts


def _answers(store: Store, comparison_id: int) -> list[list[str]]:
    """Each turn's answers, column by column, as the compare view shows them."""
    from chatdesk.core.arena.compare import Comparison

    comparison = Comparison(store, comparison_id)
    out = []
    for turn in range(len(comparison.turns)):
        rows = [comparison.answer(i, turn) for i in range(2)]
        out.append([r.content if r is not None else "" for r in rows])
    return out


ANSWERS = [["A1", "B1"], ["A2 after the tool", "B2"], ["A3", "B3"]]


def _thread(store: Store, comparison_id: int, column: int) -> str:
    from chatdesk.core.arena.compare import Comparison

    comparison = Comparison(store, comparison_id)
    return " ".join(r.content for r in comparison.path(column) if r.role != "tool" and r.content)


def test_turns_travel_as_positions_and_come_back_as_the_new_ids(
    store: Store, tmp_path: Path
) -> None:
    _, comp, texts = threads(store)
    assert _thread(store, comp, 0) == texts["A"] and _thread(store, comp, 1) == texts["B"]
    assert _answers(store, comp) == ANSWERS
    doc = json.loads(export_json(store))
    saved = doc["conversations"][0]["comparison"]
    assert saved["refs"] == "positions"
    assert saved["state"]["turns"][0]["users"] == {"0": 1, "1": 1}  # positions, not ids
    path = tmp_path / "export.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        other = fresh.create_conversation("already here")  # the new ids are all different
        for k in range(7):
            fresh.add_message(other, "user", f"filler {k}")
        transfer.import_file(fresh, path)
        conv = next(c for c in fresh.list_conversations() if c.title == "threads")
        new = fresh.comparison_for_conversation(conv.id)
        assert new is not None
        assert _thread(fresh, new.id, 0) == texts["A"]
        assert _thread(fresh, new.id, 1) == texts["B"]
        assert _answers(fresh, new.id) == ANSWERS
        assert new.state["turns"][2]["carry"] == 1


def test_an_older_export_with_database_ids_gets_its_turns_rebuilt(
    store: Store, tmp_path: Path
) -> None:
    _, comp, texts = threads(store)
    doc = json.loads(export_json(store))
    saved = doc["conversations"][0]["comparison"]
    del saved["refs"]  # what the first exporter wrote: the source database's own ids
    saved["state"]["turns"] = store.get_comparison(comp).state["turns"]
    for turn in saved["state"]["turns"]:
        for key in ("users", "answers"):
            turn[key] = {col: mid + 1000 for col, mid in turn[key].items()}  # elsewhere
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with Store(tmp_path / "fresh.sqlite3") as fresh:
        transfer.import_file(fresh, path)
        new = fresh.comparison_for_conversation(fresh.list_conversations()[0].id)
        assert new is not None
        assert _thread(fresh, new.id, 0) == texts["A"]
        assert _thread(fresh, new.id, 1) == texts["B"]
        assert _answers(fresh, new.id) == ANSWERS
        turns = new.state["turns"]
        assert [t["carry"] for t in turns] == [None, None, 1]
        assert "leaves" not in turns[1]  # the tool turn ended with an answer


def test_a_state_naming_other_conversations_messages_is_ignored(store: Store) -> None:
    _, comp, texts = threads(store)
    stranger = store.create_conversation("private")
    secret = store.add_message(stranger, "user", "someone else's words")
    state = store.get_comparison(comp).state
    state["turns"].append(
        {"users": {"0": secret, "1": True, "7": secret}, "answers": {"0": "x"}, "carry": None}
    )
    store.update_comparison(comp, state=state)
    assert "someone else" not in _thread(store, comp, 0)
    assert _thread(store, comp, 1) == texts["B"]  # the bad turn names nothing usable


def test_rebuilt_turns_follow_a_tool_turn_that_ended_on_its_results() -> None:
    from chatdesk.core.chat.turnrefs import rebuild_turns
    from chatdesk.store.rows import MessageRow

    def row(mid: int, parent: int | None, role: str, column: int | None = None) -> MessageRow:
        meta = {"column": column} if column is not None else None
        return MessageRow(id=mid, conversation_id=1, parent_id=parent, role=role, meta=meta)

    rows = [row(1, None, "user"), row(2, 1, "assistant", 0), row(3, 2, "tool"),
            row(4, 1, "assistant", 1)]  # fmt: skip
    turns = rebuild_turns(rows, 2)
    assert turns == [
        {"users": {"0": 1, "1": 1}, "answers": {"0": 2, "1": 4}, "carry": None,
         "leaves": {"0": 3}},
    ]  # fmt: skip
    assert rebuild_turns([row(1, None, "assistant", 0)], 2) == []  # no prompt, no turn


def test_readable_exports_show_every_turn_of_every_column(store: Store) -> None:
    """Issue 15: md/html followed one branch, so a comparison showed one column and
    "messages on other branches not shown". Turns rebuilt from the messages (no state
    turns), B's thread diverging from A's after the first turn."""
    cid, _ = fill(store)
    md = transfer.export_markdown(store, [cid])
    assert "other branches" not in md
    body = md.split("## Turn 1", 1)[1]
    order = [
        "解释递归", "### A · gpt-4o", "gpt-4o says 0", "### B · qwen-2.5", "qwen-2.5 says 0",
        "## Turn 2", "now in English", "### A · gpt-4o", "gpt-4o says 1",
        "### B · qwen-2.5", "qwen-2.5 says 1",
    ]  # fmt: skip
    positions = []
    start = 0
    for needle in order:
        start = body.index(needle, start)
        positions.append(start)
    assert positions == sorted(positions)
    page = transfer.export_html(store, [cid])
    assert page.count('<div class="columns" style="--columns: 2">') == 2
    assert "other branches" not in page
    for text in ("gpt-4o says 0", "qwen-2.5 says 0", "gpt-4o says 1", "qwen-2.5 says 1"):
        assert text in page
