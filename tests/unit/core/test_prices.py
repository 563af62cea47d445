"""The user's price table: validation, lookup, cost, and storage that survives bad data."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.core.arena.prices import (
    DEFAULT_CURRENCY,
    MAX_ENTRIES,
    SETTING_KEY,
    Price,
    PriceTable,
    cost,
)
from chatdesk.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


# -- Price ---------------------------------------------------------------------------


def test_price_normalises_numbers_and_currency() -> None:
    price = Price(3, 15)
    assert price == Price(3.0, 15.0, "USD")
    assert isinstance(price.input_per_m, float)
    assert Price(1, 2, "  CNY ").currency == "CNY"
    assert Price(1, 2, "").currency == DEFAULT_CURRENCY


@pytest.mark.parametrize(
    "value", [-0.01, math.nan, math.inf, -math.inf, 1e6, 1e300, "3", None, True, [1]]
)
def test_price_refuses_numbers_out_of_bounds(value: object) -> None:
    with pytest.raises(ValueError):
        Price(value, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Price(1.0, value)  # type: ignore[arg-type]


def test_price_bounds_are_inclusive_of_zero_and_exclusive_of_a_million() -> None:
    assert Price(0, 999_999.99).output_per_m == 999_999.99
    with pytest.raises(ValueError, match="below 1,000,000"):
        Price(0, 1_000_000)


@pytest.mark.parametrize("currency", ["x" * 13, "US\nD", 5])
def test_price_refuses_odd_currencies(currency: object) -> None:
    with pytest.raises(ValueError):
        Price(1, 1, currency)  # type: ignore[arg-type]


# -- cost ------------------------------------------------------------------------------


def test_cost_per_million_tokens() -> None:
    price = Price(2.5, 10.0)
    assert cost(price, 1_000_000, 0) == pytest.approx(2.5)
    assert cost(price, 1200, 800) == pytest.approx((1200 * 2.5 + 800 * 10.0) / 1e6)
    assert cost(price, 0, 0) == 0.0


def test_no_price_no_cost() -> None:
    assert cost(None, 100, 100) is None


@pytest.mark.parametrize(
    ("prompt", "completion"),
    [(None, 10), (10, None), (-1, 10), (10, math.nan), (math.inf, 1), (True, 1), ("5", 1)],
)
def test_cost_of_unusable_usage_is_unknown(prompt: object, completion: object) -> None:
    assert cost(Price(1, 1), prompt, completion) is None


# -- the table -------------------------------------------------------------------------


def test_get_set_remove() -> None:
    table = PriceTable()
    table.set("zero", "gpt-4o", Price(2.5, 10))
    assert table.get("zero", "gpt-4o") == Price(2.5, 10)
    assert table.get("openai", "gpt-4o") is None
    assert table.get("zero", "gpt-4o-mini") is None
    table.set("zero", "gpt-4o", Price(3, 12, "EUR"))  # replaces
    assert table.get(" zero ", "gpt-4o ") == Price(3, 12, "EUR")
    assert len(table) == 1
    assert table.remove("zero", "gpt-4o") is True
    assert table.remove("zero", "gpt-4o") is False
    assert table.get("zero", "gpt-4o") is None


def test_empty_provider_prices_the_model_everywhere_but_exact_wins() -> None:
    table = PriceTable()
    table.set("", "deepseek-chat", Price(0.27, 1.1))
    table.set("relay", "deepseek-chat", Price(0.3, 1.2, "CNY"))
    assert table.get("any", "deepseek-chat") == Price(0.27, 1.1)
    assert table.get(None, "deepseek-chat") == Price(0.27, 1.1)
    assert table.get("relay", "deepseek-chat") == Price(0.3, 1.2, "CNY")


def test_set_refuses_bad_names() -> None:
    table = PriceTable()
    with pytest.raises(ValueError):
        table.set("zero", "  ", Price(1, 1))
    with pytest.raises(ValueError):
        table.set("ze\x00ro", "m", Price(1, 1))
    with pytest.raises(ValueError):
        table.set("zero", "m" * 201, Price(1, 1))
    with pytest.raises(TypeError):
        table.set("zero", "m", (1, 1))  # type: ignore[arg-type]
    assert len(table) == 0


def test_entries_are_sorted() -> None:
    table = PriceTable({("b", "m"): Price(1, 1), ("a", "z"): Price(2, 2), ("a", "c"): Price(3, 3)})
    assert [(p, m) for p, m, _ in table.entries()] == [("a", "c"), ("a", "z"), ("b", "m")]
    assert list(table) == table.entries()


# -- storage ---------------------------------------------------------------------------


def test_round_trip_through_the_store(store: Store) -> None:
    assert PriceTable.load(store) == PriceTable()  # nothing saved yet
    table = PriceTable()
    table.set("zero", "gpt-4o", Price(2.5, 10))
    table.set("", "通义千问", Price(0.8, 2, "CNY"))
    table.save(store)
    loaded = PriceTable.load(store)
    assert loaded == table
    assert loaded.get("zero", "gpt-4o") == Price(2.5, 10)
    assert loaded.get("other", "通义千问") == Price(0.8, 2, "CNY")
    assert store.get_setting(SETTING_KEY)["version"] == 1


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "prices",
        42,
        [],
        {"prices": "none"},
        {"prices": {"a": 1}},
        {"prices": [None, 1, "x", []]},
        {"prices": [{"provider": 1, "model": "m", "input": 1, "output": 1}]},
        {"prices": [{"model": "m", "input": -1, "output": 1}]},
        {"prices": [{"model": "m", "input": 1e400, "output": 1}]},
        {"prices": [{"model": "m", "input": "1", "output": 1}]},
        {"prices": [{"model": None, "input": 1, "output": 1}]},
        {"prices": [{"model": "m", "input": 1, "output": 1, "currency": {"x": 1}}]},
        {"prices": [{"model": "m", "input": True, "output": 1}]},
    ],
)
def test_hostile_stored_values_load_as_empty(store: Store, stored: object) -> None:
    store.set_setting(SETTING_KEY, stored)
    assert len(PriceTable.load(store)) == 0


def test_good_entries_survive_beside_bad_ones(store: Store) -> None:
    store.set_setting(
        SETTING_KEY,
        {
            "version": 99,
            "prices": [
                {"provider": "zero", "model": "good", "input": 1, "output": 2, "extra": [1]},
                {"provider": "zero", "model": "bad", "input": float("nan"), "output": 2},
                {"model": "anywhere", "input": 0, "output": 0, "currency": None},
            ],
        },
    )
    table = PriceTable.load(store)
    assert table.entries() == [
        ("", "anywhere", Price(0, 0, "USD")),
        ("zero", "good", Price(1, 2)),
    ]


def test_unparsable_or_deep_stored_text_loads_as_empty(store: Store) -> None:
    # Written past the Store API, as a damaged file or a hand edit would leave it.
    for text in ["{not json", "[" * 100_000 + "]" * 100_000]:
        with store.transaction():
            store.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (SETTING_KEY, text),
            )
        assert len(PriceTable.load(store)) == 0


def test_a_bloated_value_is_read_only_up_to_the_limit(store: Store) -> None:
    entries = [{"model": f"m{i}", "input": 1, "output": 1} for i in range(MAX_ENTRIES + 50)]
    store.set_setting(SETTING_KEY, {"prices": entries})
    assert len(PriceTable.load(store)) == MAX_ENTRIES
