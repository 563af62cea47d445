"""The compare view end to end: the built window, the fake server, a real SQLite file."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QWidget

from chatdesk.core.arena.compare import Comparison
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness

MODELS = ["gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "deepseek-reasoner"]


def start(h: Harness, models: list[str]) -> Any:
    ctl = h.desk.compare
    assert ctl.new_comparison(models)
    assert h.window.comparing()
    return ctl


def send(h: Harness, text: str, *, wait: bool = True) -> None:
    ctl = h.desk.compare
    composer = ctl.view.composer
    composer.set_text(text)
    assert composer.send()
    h.wait(lambda: ctl.busy or bool(ctl.exchanges))
    if wait:
        h.wait(lambda: not ctl.busy, timeout=20)


def column_texts(h: Harness) -> list[str]:
    return [
        "\n".join(r.content for r in c.model.messages() if r.role == "assistant")
        for c in h.desk.compare.view.columns
    ]


def test_columns_stream_concurrently_into_their_own_views(harness: Harness) -> None:
    h = harness
    for m in MODELS[:3]:
        h.server.script_for(m, Reply(text=f"Answer of {m} 你好 👋", first_delay_s=1.0))
    start(h, MODELS[:3])
    began = time.monotonic()
    send(h, "One prompt for all")
    wall = time.monotonic() - began
    # Concurrency, not speed: one after another the three 1 s waits take 3 s or more.
    assert wall < 2.5
    assert column_texts(h) == [f"Answer of {m} 你好 👋" for m in MODELS[:3]]
    bodies = h.chat_bodies()
    assert sorted(b["model"] for b in bodies) == sorted(MODELS[:3])
    ttft = [c.figure("ttft") for c in h.desk.compare.view.columns]
    assert all(t.endswith(" ms") and int(t.split()[0]) >= 1000 for t in ttft), ttft


def test_a_failing_column_is_isolated_and_retried(harness: Harness) -> None:
    h = harness
    h.server.script_for("no-such", Reply.error(404, "model not found", code="model_not_found"))
    h.server.script_for("gpt-4o", Reply(text="fine"))
    ctl = start(h, ["no-such", "gpt-4o"])
    send(h, "q")
    bad, good = ctl.view.columns
    assert "model" in bad.state_label.text().lower()  # what it means, not raw JSON
    assert "{" not in bad.state_label.text()
    assert bad.retry_button.isVisibleTo(bad)
    assert good.state_label.text() == "" and column_texts(h)[1] == "fine"
    h.server.script_for("no-such", Reply(text="now it works"))
    ctl.retry_column(0)
    h.wait(lambda: not ctl.busy)
    assert column_texts(h)[0] == "now it works"
    assert ctl.comparison.answer(0).content == "now it works"


def test_stop_one_column_then_all(harness: Harness) -> None:
    h = harness
    slow = Reply(text="x" * 4000, chunk_chars=4, delay_s=0.01)
    h.server.script_for("gpt-4o", slow)
    h.server.script_for("gpt-4o-mini", Reply(text="y" * 4000, chunk_chars=4, delay_s=0.01))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "long please", wait=False)
    h.wait(lambda: all(len(t) > 10 for t in column_texts(h)))
    ctl.stop_column(0)
    h.wait(lambda: ctl.exchanges[0].finished)
    assert not ctl.exchanges[1].finished
    h.window._on_escape()  # Esc stops every column
    h.wait(lambda: not ctl.busy)
    answers = [ctl.comparison.answer(i) for i in range(2)]
    assert [a.status for a in answers] == ["stopped", "stopped"]
    assert all(0 < len(a.content) < 4000 for a in answers)


def test_carry_forward_reaches_the_next_request_bodies(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="A says alpha"), Reply(text="A2"), Reply(text="A3"))
    h.server.script_for("gpt-4o-mini", Reply(text="B says beta"), Reply(text="B2"),
                        Reply(text="B3"))  # fmt: skip
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "first")
    assert "own" in ctl.view.rule.text()
    ctl.set_carry(1, True)  # B's answer feeds every column next
    assert "B" in ctl.view.rule.text()
    n = len(h.chat_bodies())
    send(h, "second")
    new = h.chat_bodies()[n:]
    assert len(new) == 2
    for body in new:
        said = [m["content"] for m in body["messages"] if m["role"] == "assistant"]
        assert said == ["B says beta"], body["model"]
    # The rule applied to one turn: each column now continues its own thread again.
    assert "own" in ctl.view.rule.text()
    n = len(h.chat_bodies())
    send(h, "third")
    by_model = {b["model"]: b for b in h.chat_bodies()[n:]}
    a_said = [m["content"] for m in by_model["gpt-4o"]["messages"] if m["role"] == "assistant"]
    b_said = [m["content"] for m in by_model["gpt-4o-mini"]["messages"]
              if m["role"] == "assistant"]  # fmt: skip
    assert a_said == ["B says beta", "A2"] and b_said == ["B says beta", "B2"]


def _visible_strings(root: QWidget) -> list[str]:
    out = [root.windowTitle(), root.toolTip(), root.accessibleName()]
    for w in root.findChildren(QWidget):
        out += [w.toolTip(), w.accessibleName(), w.windowTitle(), w.statusTip()]
        if isinstance(w, QLabel | QAbstractButton):
            out.append(w.text())
        if isinstance(w, QLineEdit):
            out.append(w.text())
        if isinstance(w, QComboBox):
            out += [w.currentText()] + [w.itemText(i) for i in range(w.count())]
    return out


def test_blind_mode_leaks_no_name_before_the_vote(harness: Harness) -> None:
    h = harness
    secret = ["claude-sonnet-4-5", "deepseek-reasoner"]
    for m in secret:
        h.server.script_for(m, Reply(text=f"answer {len(m)}", model=f"{m}-2025"))
    ctl = start(h, secret)
    ctl.set_blind(True)
    send(h, "blind question")
    # Names must not be anywhere a user (or a screen reader) can see them.
    strings = _visible_strings(h.window) + _visible_strings(ctl.view)
    strings += [r.title + str(r.model) for r in h.store.list_conversations()]
    for column in ctl.view.columns:
        for row in column.model.messages():
            strings += [str(row.model), str(row.model_requested)]
    # The main window's own model picker lists the server's models, which is no leak;
    # what matters is that nothing ties a name to a column.
    column_strings = [s for c in ctl.view.columns for s in _visible_strings(c)]
    joined = "\n".join(column_strings + [ctl.view.rule.text(), ctl.view.vote_label.text()])
    for name in secret:
        assert name not in joined
    assert all(name not in s for s in strings for name in secret if "Model" in s)
    # The pill says "Model A" and offers nothing to copy until the vote.
    assert [c.model_text() for c in ctl.view.columns] == ["Model A", "Model B"]
    assert all(c.name_label.menu() is None for c in ctl.view.columns)
    conv = h.store.get_conversation(ctl.comparison.conversation_id)
    assert conv.model is None
    assert ctl.view.vote_bar.isVisibleTo(ctl.view)
    ctl.vote("B")
    names = [s.model for s in ctl.specs]
    assert sorted(names) == sorted(secret)
    assert all(n in ctl.view.vote_label.text() for n in names)  # revealed by the vote
    vote = h.store.votes_for(ctl.comparison.id)[0]
    assert vote.winner == "B" and vote.models == names and vote.prompt == "blind question"


def test_four_columns_vote_best_and_reopen_offline(harness: Harness) -> None:
    h = harness
    for m in MODELS:
        h.server.script_for(m, Reply(text=f"{m} answer", usage="auto"))
    ctl = start(h, MODELS)
    send(h, "four at once")
    assert set(ctl.view.vote_buttons) == {"A", "B", "C", "D", "tie", "bad"}
    ctl.vote("C")
    cid = ctl.comparison.conversation_id
    figures = [c.figure("tokens") for c in ctl.view.columns]
    h.server.stop()  # offline from here
    h.controller.new_conversation()
    assert not h.window.comparing()
    h.controller.open_conversation(cid)
    assert h.window.comparing()
    assert column_texts(h) == [f"{m} answer" for m in MODELS]
    assert [c.figure("tokens") for c in ctl.view.columns] == figures
    assert "C" in ctl.view.vote_label.text()
    assert not any(b.isVisibleTo(ctl.view) for b in ctl.view.vote_buttons.values())


def test_comparisons_only_filter_finds_it(harness: Harness) -> None:
    h = harness
    start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "needle comparison")
    h.controller.new_conversation()
    h.window.composer.set_text("needle plain chat")
    h.window.composer.send()
    h.idle()
    hits, _total = h.desk.history.search("needle", {"comparisons": True})
    convs = {hit.conversation_id for hit in hits}
    assert convs == {h.desk.compare.comparison.conversation_id}


def test_continue_in_chat_and_rerun(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="from A"), Reply(text="again A"))
    h.server.script_for("gpt-4o-mini", Reply(text="from B"), Reply(text="again B"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "the prompt")
    old = ctl.comparison.id
    ctl.rerun(send=True)
    h.wait(lambda: ctl.comparison is not None and ctl.comparison.id != old)
    h.wait(lambda: not ctl.busy)
    assert column_texts(h) == ["again A", "again B"]
    assert ctl.comparison.last_prompt() == "the prompt"
    ctl.continue_in_chat(1)
    assert not h.window.comparing()
    rows = h.window.message_model.messages()
    assert [r.content for r in rows] == ["the prompt", "again B"]
    h.server.script(Reply(text="chatting on"))
    h.send("go on")
    body = h.body()
    assert body["model"] == "gpt-4o-mini"
    assert [m["content"] for m in body["messages"]] == ["the prompt", "again B", "go on"]


def test_columns_editable_until_the_first_prompt(harness: Harness) -> None:
    h = harness
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    ctl.add_column()
    ctl.set_column_model(2, "claude-sonnet-4-5")
    ctl.move_column(2, -2)  # swaps with the first column
    assert [s.model for s in ctl.specs] == ["claude-sonnet-4-5", "gpt-4o-mini", "gpt-4o"]
    ctl.remove_column(2)
    ctl.set_column_model(1, "claude-sonnet-4-5")
    ctl.set_column_params(0, {"temperature": 0.1})
    ctl.set_column_params(1, {"temperature": 1.5})
    assert [s.model for s in ctl.specs] == ["claude-sonnet-4-5", "claude-sonnet-4-5"]
    send(h, "temps")
    temps = sorted(b.get("temperature") for b in h.chat_bodies())
    assert temps == [0.1, 1.5]  # the same models at two temperatures is a comparison
    ctl.add_column()
    assert len(ctl.specs) == 2  # fixed once sent
    assert Comparison.for_conversation(h.store, ctl.comparison.conversation_id) is not None


def test_word_diff_and_sync_scroll(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="the quick brown fox"))
    h.server.script_for("gpt-4o-mini", Reply(text="the slow brown dog"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "animals")
    ctl.view.diff_check.setChecked(True)
    left, right = ctl.view.columns
    assert left.stack.currentWidget() is left.diff
    assert "line-through" in left.diff.toHtml() or "quick" in left.diff.toPlainText()
    assert "dog" in right.diff.toPlainText()
    ctl.view.diff_check.setChecked(False)
    assert left.stack.currentWidget() is left.view
    assert ctl.view.sync_check.isChecked()


def test_a_column_on_another_provider_and_its_cost(harness: Harness) -> None:
    from chatdesk.core.arena.prices import Price, PriceTable
    from chatdesk.store.rows import ProviderRow
    from tests.fakeserver import FakeServer

    h = harness
    with FakeServer() as other:
        h.store.upsert_provider(ProviderRow(name="other", base_url=other.base_url))
        h.desk.services.keys.set_for_session("other", "sk-other-0123456789")
        other.script(Reply(text="from the other server", usage="auto"))
        h.server.script(Reply(text="from the window's server", usage="auto"))
        table = PriceTable()
        table.set(None, "gpt-4o", Price(2.5, 10.0, "USD"))
        table.save(h.store)
        ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
        ctl.set_column_provider(1, "other")
        send(h, "where are you?")
        assert column_texts(h) == ["from the window's server", "from the other server"]
        assert [r.json["model"] for r in other.chat_requests] == ["gpt-4o-mini"]
        cost = ctl.view.columns[0].figure("cost")
        assert cost.endswith("USD") and float(cost.split()[0]) > 0
        assert ctl.view.columns[1].figure("cost") == "–"  # no price, no cost


def test_columns_follow_the_dark_theme_however_many_are_added(harness: Harness) -> None:
    h = harness
    h.window.set_dark(True)
    start(h, MODELS[:2])
    assert all(c.view.is_dark() for c in h.desk.compare.view.columns)
    h.desk.compare.new_comparison(MODELS)  # two more columns, made after the switch
    columns = h.desk.compare.view.columns
    assert len(columns) == 4 and all(c.view.is_dark() for c in columns)
    h.window.set_dark(False)
    assert not any(c.view.is_dark() for c in columns)


def test_total_time_reads_in_ms_under_a_second_and_in_seconds_above(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="quick"))
    h.server.script_for("gpt-4o-mini", Reply(text="slow", first_delay_s=1.1))
    start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "q")
    fast, slow = (c.figure("total") for c in h.desk.compare.view.columns)
    assert fast.endswith(" ms") and int(fast.split()[0]) < 1000, fast  # not "0.0 s"
    assert slow.endswith(" s") and float(slow.split()[0]) >= 1.1, slow


def test_four_columns_fit_an_800_pixel_window(harness: Harness) -> None:
    from PySide6.QtWidgets import QApplication

    h = harness
    h.window.resize(800, 600)
    ctl = start(h, MODELS)
    long_prompt = "A very long prompt that becomes the comparison's title " * 6
    for m in MODELS:
        h.server.script_for(m, Reply(text="short"))
    send(h, long_prompt)
    for _ in range(5):
        QApplication.processEvents()
    assert h.window.width() == 800  # nothing asks for more than the screen has
    view = ctl.view
    assert all(c.width() >= c.MIN_WIDTH for c in view.columns)
    # The top bar's buttons show their icons; the words stay for tooltips and readers.
    assert view.rerun_button.text() == "" and view.rerun_button.accessibleName()
    assert view.board_button.toolTip()
    # The comparison's title stays in the top bar (elided), it no longer vanishes.
    assert view.title.isVisibleTo(view) and view.title.width() >= view.TITLE_MIN
    # The figures are one line in a narrow column: cut with "…", never mid-glyph, and
    # every figure is in the strip's accessible description (and tooltip).
    column = view.columns[0]
    strip = column.strip
    assert strip.isVisibleTo(column)
    assert strip.height() <= strip.fontMetrics().height() + 8  # one line
    shown = strip.shown_text()
    assert shown, shown
    assert strip.fontMetrics().horizontalAdvance(shown) <= strip.width()
    full = strip.accessibleDescription()
    for key in ("ttft", "total", "tokens", "speed", "finish", "cost"):
        assert f"{strip.captions[key]}: {column.figure(key)}" in full
    # The vote bar is one row and never widens the window.
    assert view.vote_bar.isVisibleTo(view)
    assert view.vote_bar.height() < 2.5 * view.vote_buttons["A"].height()
    assert view.vote_buttons["A"].text() == "A" and view.vote_buttons["A"].toolTip()
    for button in view.vote_buttons.values():
        assert button.geometry().right() < view.vote_bar.width(), button.text()
    h.window.resize(1600, 900)
    for _ in range(5):
        QApplication.processEvents()
    assert view.rerun_button.text() == "Re-run"
    assert view.vote_buttons["A"].text() == "A is best"
    assert "…" not in strip.shown_text()
