"""AppSettings.from_dict: whatever the database holds, a start never breaks."""

from __future__ import annotations

from typing import Any

import pytest

from chatdesk.core.settings import DEFAULTS, AppSettings, SettingKey


def test_defaults_and_round_trip() -> None:
    s = AppSettings()
    assert AppSettings.from_dict(s.to_dict()) == s
    assert DEFAULTS == s.to_dict()
    assert {k.value for k in SettingKey} == set(DEFAULTS)


def test_good_values_are_kept() -> None:
    raw = {
        "theme": "dark",
        "font_size": 14,
        "language": "zh_CN",
        "send_key": AppSettings.from_dict({}).send_key,
        "proxy_mode": "custom",
        "proxy_url": "socks5://127.0.0.1:1080",
        "connect_timeout": 3,
        "read_timeout": 90.5,
        "total_timeout": 600.0,
        "title_model": "gpt-4o-mini",
        "notify": False,
    }
    s = AppSettings.from_dict(raw)
    assert s.to_dict() == {**raw, "connect_timeout": 3.0}
    assert isinstance(s.connect_timeout, float) and isinstance(s.font_size, int)
    assert s.proxy() == ("socks5://127.0.0.1:1080", True)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "theme=dark",
        42,
        float("nan"),
        {"font_size": float("nan")},
        {"font_size": float("inf")},
        {"font_size": -3},
        {"font_size": 10**400},
        {"font_size": "12"},
        {"font_size": True},
        {"font_size": [12]},
        {"connect_timeout": float("nan")},
        {"connect_timeout": float("-inf")},
        {"connect_timeout": 0},
        {"connect_timeout": 1e308},
        {"connect_timeout": 10**400},
        {"read_timeout": "60"},
        {"read_timeout": False},
        {"read_timeout": {"s": 60}},
        {"theme": "neon"},
        {"theme": 3},
        {"send_key": "shift+enter"},
        {"proxy_mode": "CUSTOM"},
        {"language": "x" * 100_000},
        {"title_model": b"gpt"},
        {"notify": 0},
        {"notify": "false"},
        {"unknown": "kept out", "__class__": "nope", "to_dict": 1},
        {1: 2, None: 3},
    ],
)
def test_hostile_values_fall_back_to_their_defaults(raw: Any) -> None:
    assert AppSettings.from_dict(raw) == AppSettings()


def test_one_bad_value_does_not_spoil_the_others() -> None:
    s = AppSettings.from_dict({"theme": "light", "font_size": float("nan"), "extra": object()})
    assert s.theme == "light" and s.font_size == AppSettings().font_size
    assert not hasattr(s, "extra")
    assert "extra" not in s.to_dict()


def test_fractional_font_size_is_an_int() -> None:
    assert AppSettings.from_dict({"font_size": 12.7}).font_size == 12


def test_proxy_modes() -> None:
    assert AppSettings(proxy_mode="system").proxy() == (None, True)
    assert AppSettings(proxy_mode="none", proxy_url="http://p:1").proxy() == (None, False)
    assert AppSettings(proxy_mode="custom", proxy_url="").proxy() == (None, True)
