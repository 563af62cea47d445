"""``chatdesk mcp ...`` and ``ask --mcp``: real MCP servers, the fake OpenAI server, SQLite."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from chatdesk.cli import main
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply
from tests.mcpservers import ROOT, children_of

# The key in the environment and the fake server that wants it: tests/unit/cli/conftest.py.
pytestmark = pytest.mark.usefixtures("env_key")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def add_time(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "mcp", "add", "time", "--", sys.executable, "-m", "mcp_server_time"
    )
    assert code == 0, err
    assert "time saved" in out


def test_add_list_remove(capsys: pytest.CaptureFixture[str]) -> None:
    add_time(capsys)
    broken = str(ROOT / "tests" / "mcpbroken.py")
    code, _out, err = run(capsys, "mcp", "add", "broken", "--", sys.executable, broken, "fail")
    assert code == 0, err
    code, out, err = run(capsys, "mcp", "list", "--json")
    assert code == 0, err
    rows = {r["name"]: r for r in json.loads(out)["servers"]}
    assert rows["time"]["state"] == "ready" and rows["time"]["transport"] == "stdio"
    assert {t["name"] for t in rows["time"]["tools"]} == {"get_current_time", "convert_time"}
    assert rows["broken"]["state"] == "failed"
    assert "missing configuration file" in rows["broken"]["stderr_tail"]
    code, out, _err = run(capsys, "mcp", "list")
    assert "time  [ready, 2 tools]" in out and "stderr: broken: missing configuration" in out
    assert run(capsys, "mcp", "remove", "broken")[0] == 0
    code, _out, err = run(capsys, "mcp", "remove", "broken")
    assert code == 2 and "no MCP server named broken" in err
    assert not children_of(os.getpid())  # list stopped what it started


def test_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, "mcp", "add", "x")
    assert code == 2 and "either -- COMMAND" in err
    code, _out, err = run(capsys, "mcp", "add", "bad name", "--", "x")
    assert code == 2 and "server name" in err
    code, _out, err = run(capsys, "mcp", "add", "h", "--url", "https://x/mcp", "--header", "nokv")
    assert code == 2 and "KEY=VALUE" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    code, _out, err = run(capsys, "mcp", "import", str(bad))
    assert code == 2 and "not valid JSON" in err
    code, _out, err = run(
        capsys, "ask", "--mcp", "nosuch", "--base-url", "http://127.0.0.1:9/v1", "hi"
    )
    assert code == 2 and "no MCP server named nosuch" in err


def test_import_claude_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(
        json.dumps(
            {"mcpServers": {"time": {"command": sys.executable, "args": ["-m", "mcp_server_time"]}}}
        ),
        encoding="utf-8",
    )
    code, out, err = run(capsys, "mcp", "import", "--json", str(path))
    assert code == 0, err
    assert json.loads(out) == {"imported": ["time"]}
    code, out, _ = run(capsys, "mcp", "list", "--json", "--no-start")
    assert json.loads(out)["servers"][0]["state"] == "stopped"


def test_ask_runs_the_tool_loop_and_reports_tool_runs(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    add_time(capsys)
    server.script(
        Reply(
            text="",
            tool_calls=[
                {
                    "id": "c1",
                    "name": "time__get_current_time",
                    "arguments": '{"timezone": "Asia/Tokyo"}',
                }
            ],
            finish_reason="tool_calls",
        ),  # fmt: skip
        Reply(text="It is morning in Tokyo."),
    )
    code, out, err = run(
        capsys, "ask", "--json", "--mcp", "time", "--approve", "auto",
        "--base-url", server.base_url, "-m", "gpt-4o", "What time is it in Tokyo?",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["choices"][0]["content"] == "It is morning in Tokyo."
    (tool_run,) = data["tool_runs"]
    assert set(tool_run) == {"server", "tool", "arguments", "result", "error", "duration_ms"}
    assert (tool_run["server"], tool_run["tool"], tool_run["error"]) == (
        "time",
        "get_current_time",
        None,
    )
    assert (
        tool_run["arguments"] == {"timezone": "Asia/Tokyo"} and "Asia/Tokyo" in tool_run["result"]
    )
    assert server.chat_requests[1].json["messages"][-1]["tool_call_id"] == "c1"
    with Store(chatdesk_home / "history.sqlite3") as store:
        path = store.active_path(data["conversation_id"])
        assert [m.role for m in path] == ["user", "assistant", "tool", "assistant"]
        assert path[2].meta["mcp"]["tool"] == "get_current_time"
    assert not children_of(os.getpid())


def test_ask_never_and_plain_output(server: FakeServer, capsys: pytest.CaptureFixture[str]) -> None:
    add_time(capsys)
    server.script(
        Reply(
            text="Checking.",
            tool_calls=[{"id": "c1", "name": "time__get_current_time", "arguments": "{}"}],
            finish_reason="tool_calls",
        ),  # fmt: skip
        Reply(text="I was not allowed."),
    )
    code, out, err = run(
        capsys, "ask", "--mcp", "time", "--approve", "never", "--base-url", server.base_url,
        "-m", "gpt-4o", "time?",
    )  # fmt: skip
    assert code == 0, err
    assert "Checking." in out and out.rstrip().endswith("I was not allowed.")
    assert "[time.get_current_time 0 ms, error: the user denied this tool call]" in err
    sent = server.chat_requests[1].json["messages"][-1]
    assert sent["content"] == "Error: the user denied this tool call"


def test_credentials_in_a_server_url_are_refused_and_masked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    secret_url = "https://alice:hunter2-secret@mcp.example.com/mcp"
    code, out, err = run(capsys, "mcp", "add", "web", "--url", secret_url)
    assert code == 2 and "user name or password" in err and "--header" in err
    assert "hunter2" not in out + err
    path = tmp_path / "servers.json"
    path.write_text(json.dumps({"mcpServers": {"web": {"url": secret_url}}}), encoding="utf-8")
    code, out, err = run(capsys, "mcp", "import", str(path))
    assert code == 2 and "user name or password" in err and "hunter2" not in out + err
    # A server saved by an older version keeps its URL, but it is never printed.
    from chatdesk.core.services import open_store
    from chatdesk.core.tools.mcpconfig import SETTINGS_KEY

    with open_store() as store:
        store.set_setting(SETTINGS_KEY, [{"name": "old", "url": secret_url}])
    code, out, err = run(capsys, "mcp", "list", "--no-start")
    assert code == 0 and "***@mcp.example.com" in out and "hunter2" not in out + err
    code, out, err = run(capsys, "mcp", "list", "--no-start", "--json")
    assert code == 0 and "hunter2" not in out + err


def test_no_helper_of_a_server_outlives_mcp_list(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.mcpservers import alive

    pidfile = tmp_path / "helper.pid"
    raw = str(ROOT / "tests" / "mcpraw.py")
    code, _out, err = run(
        capsys, "mcp", "add", "raw", "--", sys.executable, raw, "--helper", str(pidfile)
    )
    assert code == 0, err
    try:
        code, out, err = run(capsys, "mcp", "list")
        assert code == 0 and "raw  [ready, 5 tools]" in out, err
        assert not alive(int(pidfile.read_text()))
    finally:
        if pidfile.exists() and alive(int(pidfile.read_text())):
            os.kill(int(pidfile.read_text()), 9)


def test_add_takes_options_before_or_after_the_name(capsys: pytest.CaptureFixture[str]) -> None:
    from chatdesk.core.services import open_store
    from chatdesk.core.tools.mcpconfig import McpSettings

    py = sys.executable
    argvs = [
        ["mcp", "add", "a", "--env", "TZ=UTC", "--timeout", "5", "--", py, "-m", "mcp_server_time"],
        ["mcp", "add", "--env", "TZ=UTC", "--timeout", "5", "b", "--", py, "-m", "mcp_server_time"],
        ["mcp", "add", "c", "--timeout", "5", "--env", "TZ=UTC", py, "-m", "mcp_server_time"],
    ]
    for argv in argvs:
        code, out, err = run(capsys, *argv)
        assert code == 0, err
    code, out, err = run(capsys, "mcp", "add", "d", "--cwd", "/tmp", "--url", "http://h/mcp")
    assert code == 0, err
    code, out, err = run(capsys, "mcp", "add", "e", "--bogus", "--", py)
    assert code == 2 and "unknown option '--bogus'" in err
    with open_store() as store:
        settings = McpSettings(store, None)
        for name in "abc":
            cfg = settings.get(name)
            assert cfg is not None and cfg.command == py
            assert cfg.args == ["-m", "mcp_server_time"] and cfg.timeout_s == 5.0
            assert list(cfg.env) == ["TZ"]
        assert settings.get("d").url == "http://h/mcp"  # type: ignore[union-attr]


def test_env_without_a_keyring_says_what_the_secret_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import keyring
    import keyring.backends.fail

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        code, out, err = run(
            capsys, "mcp", "add", "--env", "GITHUB_TOKEN=ghp_x", "gh", "--", "npx", "server"
        )
    finally:
        keyring.set_keyring(previous)
    assert code == 1 and "MCP server gh was not saved" in err
    assert "no system keyring is available" in err and "--env" in err
    assert "CHATDESK_API_KEY" not in err and "ghp_x" not in err
    assert run(capsys, "mcp", "list", "--no-start")[1].startswith("no MCP servers")


def test_no_helper_of_a_server_outlives_ask_mcp(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.mcpservers import alive

    pidfile = tmp_path / "helper.pid"
    raw = str(ROOT / "tests" / "mcpraw.py")
    assert (
        run(capsys, "mcp", "add", "raw", "--", sys.executable, raw, "--helper", str(pidfile))[0]
        == 0
    )
    echo = {"id": "e1", "name": "raw__echo", "arguments": '{"text": "hi"}'}
    server.script(Reply(text="", tool_calls=[echo], finish_reason="tool_calls"), Reply(text="done"))
    try:
        code, out, err = run(
            capsys, "ask", "--mcp", "raw", "--approve", "auto",
            "--base-url", server.base_url, "-m", "gpt-4o", "echo hi",
        )  # fmt: skip
        assert code == 0 and "done" in out, err
        assert server.chat_requests[1].json["messages"][-1]["content"] == "echo: hi"
        assert not alive(int(pidfile.read_text()))
    finally:
        if pidfile.exists() and alive(int(pidfile.read_text())):
            os.kill(int(pidfile.read_text()), 9)


def test_ask_round_limit_is_said_on_stderr(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    add_time(capsys)
    again = Reply(
        text="Once more.",
        tool_calls=[{"id": "c1", "name": "time__get_current_time", "arguments": "{}"}],
        finish_reason="tool_calls",
    )
    server.script(again, again)
    code, out, err = run(
        capsys, "ask", "--mcp", "time", "--approve", "auto", "--max-rounds", "1",
        "--base-url", server.base_url, "-m", "gpt-4o", "time?",
    )  # fmt: skip
    assert code == 0, err
    assert out.count("Once more.") == 2  # both answers of the turn were printed
    assert "chatdesk: stopped after 1 tool rounds" in err
    assert "error: not run: the limit of 1 tool rounds" in err
    assert len(server.chat_requests) == 2
