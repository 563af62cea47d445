"""Model prices the user enters, so compare mode can show what an answer cost (no Qt).

Nobody publishes prices in a form we could fetch (and relays resell at their own
rates), so the user types them in: per provider and model, an input and an output
price per million tokens, in a currency of their choice. No price, no cost: an
unknown model never shows a guessed figure.

The table lives in the settings table under ``"prices"`` as JSON. That value can be
anything (an old version, a hand edit, a restored backup), so loading keeps every
well-formed entry and silently drops the rest instead of failing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "DEFAULT_CURRENCY",
    "MAX_ENTRIES",
    "MAX_PRICE",
    "SETTING_KEY",
    "Price",
    "PriceTable",
    "cost",
]

#: The settings key the table is stored under.
SETTING_KEY = "prices"
#: The currency of a price that names none.
DEFAULT_CURRENCY = "USD"
#: Prices are per million tokens and must stay below this (no real model costs that).
MAX_PRICE = 1_000_000.0
#: Longest provider or model name kept (longer ones are not names but damage).
MAX_NAME = 200
#: Longest currency text ("USD", "CNY", "€", "credits").
MAX_CURRENCY = 12
#: Entries read from storage at most; the rest of a bloated value is ignored.
MAX_ENTRIES = 10_000
#: Token counts above this are not real usage figures.
MAX_TOKENS = 1_000_000_000
_FORMAT = 1


class SettingsStore(Protocol):
    """What the table needs from :class:`~chatdesk.store.Store`."""

    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...


def check_price(value: Any, what: str = "price") -> float:
    """``value`` as a float in ``[0, MAX_PRICE)``; ``ValueError`` saying why not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"the {what} must be a number")
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number < MAX_PRICE:
        raise ValueError(f"the {what} must be at least 0 and below {MAX_PRICE:,.0f}")
    return number


def check_name(value: Any, what: str, *, allow_empty: bool) -> str:
    """A provider or model name, stripped; ``ValueError`` for anything else."""
    if not isinstance(value, str):
        raise ValueError(f"the {what} must be text")
    name = value.strip()
    if not name and not allow_empty:
        raise ValueError(f"the {what} is empty")
    if len(name) > MAX_NAME or not name.isprintable():
        raise ValueError(f"the {what} is not a usable name")
    return name


def check_currency(value: Any) -> str:
    """A short printable currency text; empty means :data:`DEFAULT_CURRENCY`."""
    if value is None:
        return DEFAULT_CURRENCY
    if not isinstance(value, str):
        raise ValueError("the currency must be text")
    text = value.strip()
    if not text:
        return DEFAULT_CURRENCY
    if len(text) > MAX_CURRENCY or not text.isprintable():
        raise ValueError(f"the currency must be at most {MAX_CURRENCY} printable characters")
    return text


@dataclass(frozen=True, slots=True)
class Price:
    """What one model costs: per million input (prompt) and output (completion) tokens.

    Built only with valid figures (``ValueError`` otherwise), so every ``Price``
    can be multiplied safely.
    """

    input_per_m: float
    output_per_m: float
    currency: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        # frozen: normalise through object.__setattr__ (ints become floats, currency stripped).
        object.__setattr__(self, "input_per_m", check_price(self.input_per_m, "input price"))
        object.__setattr__(self, "output_per_m", check_price(self.output_per_m, "output price"))
        object.__setattr__(self, "currency", check_currency(self.currency))


def _count(value: Any) -> float | None:
    """A token count as a float, or ``None`` if it is not a plausible count."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or not 0.0 <= number <= MAX_TOKENS:
        return None
    return number


def cost(price: Price | None, prompt_tokens: Any, completion_tokens: Any) -> float | None:
    """What an answer cost in ``price.currency``, or ``None`` when it cannot be known.

    ``None`` without a price, or when either count is missing or not a plausible
    token count (usage comes from servers and stored rows, so it is not trusted).
    """
    if price is None:
        return None
    prompt = _count(prompt_tokens)
    completion = _count(completion_tokens)
    if prompt is None or completion is None:
        return None
    return (prompt * price.input_per_m + completion * price.output_per_m) / 1_000_000.0


class PriceTable:
    """Prices keyed by ``(provider, model)``.

    An empty provider name is a price for that model on every provider; an exact
    provider entry wins over it (a relay may charge differently from the vendor).
    """

    def __init__(self, entries: Mapping[tuple[str, str], Price] | None = None) -> None:
        self._prices: dict[tuple[str, str], Price] = {}
        for (provider, model), price in (entries or {}).items():
            self.set(provider, model, price)

    # -- reading and writing ----------------------------------------------------------

    def get(self, provider: str | None, model: str) -> Price | None:
        """The price of ``model`` on ``provider`` (or on any provider), else ``None``."""
        provider = (provider or "").strip()
        model = model.strip()
        return self._prices.get((provider, model)) or self._prices.get(("", model))

    def set(self, provider: str | None, model: str, price: Price) -> None:
        """Enter or replace a price (``ValueError`` for an unusable name)."""
        if not isinstance(price, Price):
            raise TypeError("price must be a Price")
        key = (
            check_name(provider or "", "provider", allow_empty=True),
            check_name(model, "model", allow_empty=False),
        )
        self._prices[key] = price

    def remove(self, provider: str | None, model: str) -> bool:
        """Forget a price; ``True`` if there was one."""
        key = ((provider or "").strip(), model.strip())
        return self._prices.pop(key, None) is not None

    def entries(self) -> list[tuple[str, str, Price]]:
        """Every price as ``(provider, model, price)``, sorted by provider then model."""
        return [(p, m, price) for (p, m), price in sorted(self._prices.items())]

    def __len__(self) -> int:
        return len(self._prices)

    def __iter__(self) -> Iterator[tuple[str, str, Price]]:
        return iter(self.entries())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PriceTable) and self._prices == other._prices

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"PriceTable({len(self._prices)} prices)"

    # -- JSON and storage -------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The stored form: ``{"version": 1, "prices": [{provider, model, input, ...}]}``."""
        return {
            "version": _FORMAT,
            "prices": [
                {
                    "provider": provider,
                    "model": model,
                    "input": price.input_per_m,
                    "output": price.output_per_m,
                    "currency": price.currency,
                }
                for provider, model, price in self.entries()
            ],
        }

    @classmethod
    def from_json(cls, data: Any) -> PriceTable:
        """A table from the stored form, keeping each well-formed entry and no other.

        Never raises: anything that is not the expected shape (wrong types, NaN,
        negative or absurd prices, bad names, too many entries) is left out.
        """
        table = cls()
        items = data.get("prices") if isinstance(data, dict) else None
        if not isinstance(items, list):
            return table
        for item in items[:MAX_ENTRIES]:
            if not isinstance(item, dict):
                continue
            entry: Any = item  # its values are checked by Price and set
            try:
                price = Price(entry.get("input"), entry.get("output"), entry.get("currency"))
                table.set(entry.get("provider") or "", entry.get("model"), price)
            except (TypeError, ValueError):
                continue
        return table

    @classmethod
    def load(cls, store: SettingsStore) -> PriceTable:
        """The saved table; empty if none was saved or the stored value is unreadable."""
        try:
            data = store.get_setting(SETTING_KEY)
        except (ValueError, RecursionError):  # stored text that is not JSON, or too deep
            return cls()
        return cls.from_json(data)

    def save(self, store: SettingsStore) -> None:
        """Replace the saved table with this one."""
        store.set_setting(SETTING_KEY, self.to_json())
