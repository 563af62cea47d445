"""The compare figures: one tok/s definition, like-with-like costs, no best while running."""

from __future__ import annotations

from chatdesk.core.arena.prices import Price, PriceTable
from chatdesk.ui.messagehtml import stats
from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness
from tests.unit.ui.test_compare import send, start


def test_column_and_footer_tokens_per_second_agree(harness: Harness) -> None:
    h = harness
    for m in ("gpt-4o", "gpt-4o-mini"):
        h.server.script_for(m, Reply(text="word " * 200, chunk_chars=5, delay_s=0.002,
                                     first_delay_s=0.3))  # fmt: skip
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "speed")
    for i, column in enumerate(ctl.view.columns):
        live = column.figure("speed")
        assert live.endswith(" tok/s"), live
        footer = [s for s in stats(ctl.comparison.answer(i)) if s.endswith("tok/s")]
        assert footer == [live]
    shown = [c.figure("speed") for c in ctl.view.columns]
    cid = ctl.comparison.conversation_id
    h.controller.new_conversation()
    h.controller.open_conversation(cid)
    assert [c.figure("speed") for c in ctl.view.columns] == shown  # the same when reopened


def test_costs_in_different_currencies_are_not_ranked(harness: Harness) -> None:
    h = harness
    table = PriceTable()
    table.set(None, "gpt-4o", Price(2.5, 10.0, "USD"))
    table.set(None, "gpt-4o-mini", Price(0.1, 0.2, "CNY"))  # a smaller number, not cheaper
    table.save(h.store)
    for m in ("gpt-4o", "gpt-4o-mini"):
        h.server.script_for(m, Reply(text="same answer", usage="auto"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "cost")
    costs = [c.figure("cost") for c in ctl.view.columns]
    assert costs[0].endswith("USD") and costs[1].endswith("CNY"), costs
    assert not any(c.is_best("cost") for c in ctl.view.columns)
    # Like with like is still ranked.
    table.set(None, "gpt-4o-mini", Price(0.1, 0.2, "USD"))
    ctl._on_prices_changed(table)  # noqa: SLF001 (what saving the price table calls)
    assert [bool(c.is_best("cost")) for c in ctl.view.columns] == [False, True]


def test_a_running_retry_gets_no_best_mark(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="slow", first_delay_s=0.5),
                        Reply(text="x" * 3000, chunk_chars=3, delay_s=0.01))  # fmt: skip
    h.server.script_for("gpt-4o-mini", Reply(text="fast"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "q")
    a, b = ctl.view.columns
    assert b.is_best("total")
    ctl.retry_column(0)
    # The prompt is shown once above the columns: the column holds only the new answer.
    h.wait(lambda: len(ctl.view.columns[0].model.messages()) == 1 and ctl.busy)
    h.wait(lambda: ctl.exchanges[0].stats.ttft_ms is not None)
    ctl.refresh_figures()
    # A's running total is small only because it has not finished: no best mark for it.
    assert not a.is_best("total")
    assert not a.is_best("speed")
    h.wait(lambda: not ctl.busy, timeout=30)


def test_a_stopped_column_keeps_its_streamed_tokens_when_reopened(harness: Harness) -> None:
    h = harness
    h.server.script_for("gpt-4o", Reply(text="y" * 4000, chunk_chars=4, delay_s=0.01,
                                        usage=None))  # fmt: skip
    h.server.script_for("gpt-4o-mini", Reply(text="short", usage="auto"))
    ctl = start(h, ["gpt-4o", "gpt-4o-mini"])
    send(h, "long", wait=False)
    h.wait(lambda: 0 in ctl.exchanges and ctl.exchanges[0].stats.tokens_out > 20)
    ctl.stop_column(0)
    h.wait(lambda: not ctl.busy)
    live = ctl.view.columns[0].figure("tokens")
    assert live != "–" and int(live.split("/")[1]) > 20, live
    cid = ctl.comparison.conversation_id
    h.controller.new_conversation()
    h.controller.open_conversation(cid)
    assert ctl.view.columns[0].figure("tokens") == live
