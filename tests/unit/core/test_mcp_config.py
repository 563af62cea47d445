"""MCP server settings: stored without secrets, imported from Claude/Cherry JSON, tool names."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.api.toolcheck import TOOL_NAME_RE
from chatdesk.core.keys import KeyStore
from chatdesk.core.tools.mcpconfig import (
    McpConfigError,
    McpSettings,
    ServerConfig,
    conversation_servers,
    parse_mcp_servers,
    tool_alias,
)
from chatdesk.store import Store


def _secret_service_ready() -> bool:
    import keyring

    return type(keyring.get_keyring()).__module__.endswith("SecretService")


needs_keyring = pytest.mark.skipif(
    not _secret_service_ready() and not os.environ.get("CI"),
    reason="no unlocked Secret Service (run through tests/run-all.sh)",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "history.sqlite3") as s:
        yield s


@needs_keyring
def test_secrets_go_to_the_keyring_never_into_sqlite(store: Store, tmp_path: Path) -> None:
    name = f"gh-{uuid.uuid4().hex[:6]}"
    settings = McpSettings(store, KeyStore())
    token = "ghp_" + uuid.uuid4().hex
    bearer = "Bearer sk-" + uuid.uuid4().hex
    settings.save(ServerConfig(name, command="npx", args=["-y", "gh"], env={"GH_TOKEN": token}))
    settings.save(
        ServerConfig("web", url="https://mcp.example/mcp", headers={"Authorization": bearer})
    )
    try:
        stored = json.dumps(store.get_setting("mcp_servers"))
        assert token not in stored and bearer not in stored and "GH_TOKEN" in stored
        store.conn.execute("PRAGMA wal_checkpoint(FULL)")
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.is_file())
        assert token.encode() not in raw and bearer.encode() not in raw

        again = McpSettings(store, KeyStore())  # a new process: values from the keyring
        cfg = again.get(name, secrets=True)
        assert cfg is not None and cfg.env == {"GH_TOKEN": token} and cfg.args == ["-y", "gh"]
        web = again.get("web", secrets=True)
        assert web is not None and web.headers == {"Authorization": bearer}
        assert web.transport == "http" and again.get(name, secrets=False).env == {"GH_TOKEN": ""}  # type: ignore[union-attr]

        # An edit made with names only (the window never shows values) keeps the values.
        cfg.env = {"GH_TOKEN": ""}
        cfg.args = ["-y", "gh", "--verbose"]
        again.save(cfg, keep_secrets=True)
        kept = again.get(name, secrets=True)
        assert kept is not None and kept.env == {"GH_TOKEN": token} and kept.args[-1] == "--verbose"
    finally:
        settings.remove(name)
        settings.remove("web")
    assert KeyStore().get(f"mcp-server:{name}") is None
    assert settings.names() == []


def test_import_claude_and_cherry_json(store: Store) -> None:
    claude = {
        "mcpServers": {
            "time": {"command": "uvx", "args": ["mcp-server-time"]},
            "my files!": {"command": "npx", "args": ["-y", "fs", "/tmp"], "cwd": "/tmp"},
            "off": {"command": "x", "disabled": True},
        }
    }
    settings = McpSettings(store, None)
    assert settings.import_json(json.dumps(claude)) == ["time", "my-files", "off"]
    servers = {c.name: c for c in settings.servers()}
    assert servers["my-files"].cwd == "/tmp" and servers["my-files"].args[-1] == "/tmp"
    assert not servers["off"].enabled and servers["time"].enabled

    cherry = {
        "mcpServers": {
            "remote": {
                "type": "streamableHttp",
                "baseUrl": "https://x.example/mcp",
                "isActive": False,
                "timeout": 30,
            }
        }
    }
    (remote,) = parse_mcp_servers(json.dumps(cherry))
    assert (remote.url, remote.enabled, remote.timeout_s) == ("https://x.example/mcp", False, 30.0)
    assert remote.command == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "expected"),
        ('{"mcpServers": {"a": 3}}', "expected an object"),
        ('{"mcpServers": {"a": {}}}', "either a command or a URL"),
        ('{"mcpServers": {"a": {"url": "ftp://x"}}}', "http"),
        ("[" * 100_000, "nested too deeply"),
    ],
)
def test_import_refuses_what_is_not_a_servers_file(text: str, message: str) -> None:
    with pytest.raises(McpConfigError, match=message):
        parse_mcp_servers(text)


def test_bad_names_are_refused(store: Store) -> None:
    with pytest.raises(McpConfigError, match="server name"):
        McpSettings(store, None).save(ServerConfig("two words", command="x"))
    with pytest.raises(McpConfigError, match="keyring"):
        McpSettings(store, None).save(ServerConfig("s", command="x", env={"K": "v"}))


def test_always_allow_is_remembered_and_revocable(store: Store) -> None:
    settings = McpSettings(store, None)
    settings.save(ServerConfig("time", command="x"))
    assert not settings.always_allowed("time", "get_current_time")
    settings.allow_always("time", "get_current_time")
    settings.allow_always("time", "convert_time")
    assert McpSettings(store, None).always_allowed("time", "get_current_time")
    settings.revoke("time", "get_current_time")
    assert settings.approvals() == [("time", "convert_time")]
    settings.remove("time")  # removing a server forgets its approvals
    assert settings.approvals() == []


def test_tool_names_follow_the_openai_rules_and_never_collide() -> None:
    names = [
        tool_alias("time", "get_current_time"),
        tool_alias("fs", "read.file"),
        tool_alias("fs", "read_file"),
        tool_alias("web", "搜索"),
        tool_alias("a" * 32, "b" * 64),
    ]
    assert names[0] == "time__get_current_time"
    assert all(TOOL_NAME_RE.match(n) for n in names), names
    assert len(set(names)) == len(names)
    taken = {"fs__x"}
    assert tool_alias("fs", "x", taken) != "fs__x"
    assert re.fullmatch(r"fs__read_file", names[2])


def test_conversation_servers() -> None:
    assert conversation_servers({"mcp_servers": ["time", 3]}) == ["time", "3"]
    assert conversation_servers({"mcp_servers": "time"}) == []
    assert conversation_servers(None) == []


class CountingStore:
    """The real store, counting how often the servers list is read and written."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reads = self.writes = 0

    def get_setting(self, key: str, default: object = None) -> object:
        self.reads += 1
        return self.store.get_setting(key, default)

    def set_setting(self, key: str, value: object) -> None:
        self.writes += 1
        self.store.set_setting(key, value)


@needs_keyring
def test_import_reads_and_writes_the_list_once_whatever_its_size(store: Store) -> None:
    """Saving server by server rewrote the whole list each time (quadratic)."""
    entry = f"chatdesk-test-{uuid.uuid4().hex[:8]}"
    settings = McpSettings(store, KeyStore())
    settings.save(ServerConfig("s1", command="old", env={"TOKEN": "t"}))
    servers = {f"s{i}": {"command": "npx", "args": [f"pkg{i}"]} for i in range(300)}
    servers["s7"]["env"] = {"KEY": entry}
    counting = CountingStore(store)
    names = McpSettings(counting, KeyStore()).import_json(json.dumps({"mcpServers": servers}))
    assert len(names) == 300 and counting.writes == 1 and counting.reads <= 2
    stored = McpSettings(store, KeyStore())
    assert stored.names() == [f"s{i}" for i in [1, 0, *range(2, 300)]]
    assert stored.get("s7", secrets=True).env == {"KEY": entry}  # type: ignore[union-attr]
    assert stored.get("s1", secrets=True).env == {}  # type: ignore[union-attr]
    assert KeyStore().get("mcp-server:s1") is None  # the replaced server's secret is gone
    stored.remove("s7")
