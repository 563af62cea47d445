"""Each compare column shows its own turns, also after an answer was carried forward."""

from __future__ import annotations

from chatdesk.store.rows import MessageRow
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import send, start

MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"]


def _shown(h: Harness) -> list[list[MessageRow]]:
    return [c.model.messages() for c in h.desk.compare.view.columns]


def _answers(rows: list[MessageRow]) -> list[tuple[str, str | None, str]]:
    return [(r.content, r.model or r.model_requested, r.status)
            for r in rows if r.role == "assistant"]  # fmt: skip


def _check(h: Harness) -> None:
    a, b, c = _shown(h)
    assert _answers(a) == [("A one", "gpt-4o", "done"), ("A two", "gpt-4o", "done")]
    assert _answers(b) == [("B one", "gpt-4o-mini", "done"), ("B two", "gpt-4o-mini", "done")]
    # C's own failed first turn stays, with its error, not A's answer in its place.
    c_answers = _answers(c)
    assert [x[2] for x in c_answers] == ["error", "done"]
    assert c_answers[1] == ("C two", "claude-sonnet-4-5", "done")
    assert all("A one" not in r.content for r in b + c if r.role == "assistant")
    # The turn that continued from A says so, in B and C; A is marked as the carried one.
    for rows in (b, c):
        notes = [r.content for r in rows if r.role == "system"]
        assert notes == ["Continued from A (gpt-4o)'s answer."], notes
        roles = [r.role for r in rows]
        # Right before the second turn (whose prompt is shown once, above the columns).
        assert roles.index("system") == len(roles) - 2
    assert [r.content for r in a if r.role == "system"] == [
        "This answer was carried forward: every column continued from it."
    ]
    # Earlier prompts stay in each column's thread; the current one is shown once above.
    for rows in (a, b, c):
        assert [r.content for r in rows if r.role == "user"] == ["first"]
    assert h.desk.compare.view.prompt() == "second"
    assert h.desk.compare.view.prompt_card.isVisibleTo(h.desk.compare.view)


def test_carried_answer_does_not_replace_the_other_columns_history(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="A one"), Reply(text="A two"))
    h.server.script_for("gpt-4o-mini", Reply(text="B one"), Reply(text="B two"))
    h.server.script_for(
        "claude-sonnet-4-5",
        Reply.error(404, "model not found", code="model_not_found"),
        Reply(text="C two"),
    )
    ctl = start(h, MODELS)
    send(h, "first")
    ctl.set_carry(0, True)
    n = len(h.chat_bodies())
    send(h, "second")
    # What was sent is unchanged: every column continued from A's answer.
    for body in h.chat_bodies()[n:]:
        said = [m["content"] for m in body["messages"] if m["role"] == "assistant"]
        assert said == ["A one"], body["model"]
    _check(h)
    cid = ctl.comparison.conversation_id
    h.controller.new_conversation()
    h.controller.open_conversation(cid)
    _check(h)  # the same after reopening
