"""The recent-models rule (chatdesk.core.chat.recent): newest first, bounded, per server."""

from __future__ import annotations

from chatdesk.core.chat.recent import PER_SERVER, SERVERS, recent_models, remember_model


def test_newest_first_without_repeats() -> None:
    table = remember_model({}, "provider:a", "m1")
    table = remember_model(table, "provider:a", "m2")
    table = remember_model(table, "provider:a", "m1")
    assert recent_models(table, "provider:a") == ["m1", "m2"]
    assert recent_models(table, "provider:b") == []


def test_bounded_per_server_and_in_servers() -> None:
    table: object = {}
    for i in range(PER_SERVER + 3):
        table = remember_model(table, "s", f"m{i}")
    assert recent_models(table, "s") == [f"m{i}" for i in range(PER_SERVER + 2, 2, -1)]
    for i in range(SERVERS + 5):
        table = remember_model(table, f"server{i}", "m")
    assert isinstance(table, dict) and len(table) == SERVERS
    assert "s" not in table and f"server{SERVERS + 4}" in table


def test_the_server_used_last_is_kept_longest() -> None:
    table: object = {}
    for i in range(SERVERS):
        table = remember_model(table, f"server{i}", "m")
    table = remember_model(table, "server0", "m")  # used again: now the newest
    table = remember_model(table, "new", "m")
    assert isinstance(table, dict)
    assert "server0" in table and "server1" not in table


def test_a_damaged_table_is_read_safely_and_cleaned() -> None:
    damaged = {"s": ["ok", 3, None], "bad": "text", 7: ["x"]}
    assert recent_models(damaged, "s") == ["ok"]
    assert recent_models("not a table", "s") == []
    assert remember_model(damaged, "s", "new") == {"s": ["new", "ok"]}
    assert damaged["s"] == ["ok", 3, None]  # the given table is not changed
