"""The compare view's calmer surface: the prompt once, the figure strip, the rule at the
columns, the diff on rendered answers (issue 18)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QApplication

from chatdesk.ui.comparefigures import FigureStrip
from chatdesk.ui.comparestyle import palette_of
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import MODELS, send, start


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def test_the_prompt_is_shown_once_above_the_columns(harness: Harness) -> None:
    h = harness
    for m in MODELS[:3]:
        h.server.script_for(m, Reply(text=f"{m} one"), Reply(text=f"{m} two"))
    ctl = start(h, MODELS[:3])
    assert not ctl.view.prompt_card.isVisibleTo(ctl.view)  # nothing asked yet
    send(h, "What is a monad?")
    view = ctl.view
    assert view.prompt() == "What is a monad?"
    assert view.prompt_card.isVisibleTo(view)
    assert "What is a monad?" in view.prompt_label.text()
    for column in view.columns:
        assert [r.role for r in column.model.messages()] == ["assistant"]
    send(h, "And a functor?")
    assert view.prompt() == "And a functor?"
    for column in view.columns:  # the earlier turn keeps its prompt in each thread
        rows = column.model.messages()
        assert [r.content for r in rows if r.role == "user"] == ["What is a monad?"]
        assert rows[-1].role == "assistant"
    cid = ctl.comparison.conversation_id
    h.controller.new_conversation()
    h.controller.open_conversation(cid)
    assert ctl.view.prompt() == "And a functor?"  # the same when reopened


def test_a_long_prompt_is_elided_in_its_card(harness: Harness) -> None:
    h = harness
    h.window.resize(800, 600)
    for m in MODELS[:2]:
        h.server.script_for(m, Reply(text="ok"))
    ctl = start(h, MODELS[:2])
    long_prompt = "Please compare these two approaches in depth. " * 40
    send(h, long_prompt)
    _settle()
    label = ctl.view.prompt_label
    assert label.text().endswith("…") and len(label.text()) < len(long_prompt)
    assert label.toolTip() == long_prompt.strip()  # all of it, on hover
    assert ctl.view.prompt_card.height() < 6 * label.fontMetrics().height()
    assert h.window.width() == 800


def test_the_rule_in_force_shows_at_the_columns(harness: Harness) -> None:
    h = harness
    for m in MODELS[:3]:
        h.server.script_for(m, Reply(text=f"{m} one"), Reply(text=f"{m} two"))
    ctl = start(h, MODELS[:3])
    send(h, "first")
    chips = [c.carry_chip for c in ctl.view.columns]
    assert not any(chip.isVisibleTo(chip.parentWidget()) for chip in chips)
    ctl.set_carry(1, True)
    assert [chip.text() for chip in chips] == [
        "Continues from B", "Carried", "Continues from B",
    ]  # fmt: skip
    assert all(chip.isVisibleTo(chip.parentWidget()) for chip in chips)
    assert chips[1].accessibleName() == "Carried"
    ctl.set_carry(1, False)
    assert not any(chip.isVisibleTo(chip.parentWidget()) for chip in chips)
    ctl.set_carry(0, True)
    send(h, "second")  # the rule applied to that turn: back to own threads
    assert not any(chip.isVisibleTo(chip.parentWidget()) for chip in chips)


def test_the_figure_strip_is_one_line_elided_and_marks_the_best(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="fast " * 30, usage="auto"))
    h.server.script_for("gpt-4o-mini", Reply(text="slow " * 30, usage="auto",
                                             first_delay_s=0.4))  # fmt: skip
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "race")
    _settle()
    fast, slow = ctl.view.columns
    assert fast.is_best("ttft") and not slow.is_best("ttft")
    strip = fast.strip
    strip.resize(600, strip.height())
    assert "…" not in strip.shown_text() and fast.figure("ttft") in strip.shown_text()
    # The best value is painted in the accent colour (text, not a loud fill).
    accent = QColor(palette_of(False)["accent_text"]).rgb()

    def colours(widget: FigureStrip) -> set[int]:
        image = widget.grab().toImage()
        return {image.pixelColor(x, y).rgb() for x in range(image.width())
                for y in range(image.height())}  # fmt: skip

    plain = FigureStrip()
    plain.resize(400, plain.height())
    for key in ("ttft", "speed", "tokens"):
        plain.set_figure(key, fast.figure(key))
    assert accent not in colours(plain)
    plain.set_figure("ttft", fast.figure("ttft"), best=True)
    assert accent in colours(plain)
    # Narrow: captions go first, then the values are cut with "…", never mid-glyph.
    strip.resize(90, strip.height())
    shown = strip.shown_text()
    assert shown.endswith("…"), shown
    assert strip.fontMetrics().horizontalAdvance(shown) <= 90
    assert fast.figure("ttft") in strip.accessibleDescription()


def test_word_diff_marks_the_rendered_answers(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="The **quick** brown fox.\n\n- one\n- two"))
    h.server.script_for("gpt-4o-mini", Reply(text="The **slow** brown dog.\n\n- one\n- two"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "animals")
    ctl.view.diff_check.setChecked(True)
    left, right = ctl.view.columns
    assert left.stack.currentWidget() is left.diff
    text = left.diff.toPlainText()
    assert "**" not in text and "- one" not in text  # rendered, not Markdown source
    c = palette_of(False)

    def fmt_at(doc_text: str, word: str, browser: object) -> object:
        cursor = QTextCursor(browser.document())  # type: ignore[attr-defined]
        cursor.setPosition(doc_text.index(word) + 1)
        return cursor.charFormat()

    quick = fmt_at(text, "quick", left.diff)
    assert quick.fontStrikeOut() and quick.background().color() == QColor(c["del_bg"])
    assert quick.fontWeight() >= 600  # still bold: the mark is on the rendered text
    brown = fmt_at(text, "brown", left.diff)
    assert not brown.fontStrikeOut()
    right_text = right.diff.toPlainText()
    slow = fmt_at(right_text, "slow", right.diff)
    assert slow.background().color() == QColor(c["ins_bg"]) and not slow.fontStrikeOut()
    # The marks follow the theme.
    h.window.set_dark(True)
    slow = fmt_at(right.diff.toPlainText(), "slow", right.diff)
    assert slow.background().color() == QColor(palette_of(True)["ins_bg"])
    h.window.set_dark(False)
    ctl.view.diff_check.setChecked(False)
    assert left.stack.currentWidget() is left.view


def test_vote_bar_is_one_row_at_every_width(harness: Harness) -> None:
    h = harness
    for m in MODELS:
        h.server.script_for(m, Reply(text="short"))
    ctl = start(h, MODELS)
    for width in (800, 1180, 1366, 1920):
        h.window.resize(width, 700)
        _settle()
        if ctl.comparison is None:
            send(h, "q")
            _settle()
        bar = ctl.view.vote_bar
        assert bar.isVisibleTo(ctl.view) and h.window.width() == width
        tops = {b.geometry().top() for b in ctl.view.vote_buttons.values()}
        assert len(tops) == 1, (width, tops)  # one row
        assert ctl.view.vote_label.geometry().top() <= min(tops) + 4
        for button in ctl.view.vote_buttons.values():
            assert button.geometry().right() < bar.width(), (width, button.text())
            assert button.accessibleName() and button.focusPolicy()


def test_the_model_pill_names_the_provider_and_copies_the_model(harness: Harness) -> None:
    h = harness
    for m in MODELS[:2]:
        h.server.script_for(m, Reply(text="hi"))
    ctl = start(h, MODELS[:2])
    send(h, "q")
    column = ctl.view.columns[0]
    pill = column.name_label
    assert pill.isVisibleTo(column) and pill.text().endswith("gpt-4o")
    assert pill.accessibleName().endswith(pill.text())
    provider = ctl._provider_name(ctl.specs[0])  # noqa: SLF001
    if provider:
        assert pill.text() == f"{provider} · gpt-4o"
    column.copy_model_action.trigger()
    assert QApplication.clipboard().text() == "gpt-4o"
    # Stop and Retry live in the header, beside the pill.
    head = column.layout().itemAt(0).layout()
    widgets = [head.itemAt(i).widget() for i in range(head.count())]
    assert column.stop_button in widgets and column.retry_button in widgets
