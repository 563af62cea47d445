"""The command line end to end: real fake server on 127.0.0.1, real SQLite file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chatdesk.cli import main
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply

# The key in the environment and the fake server that wants it: tests/unit/cli/conftest.py.
pytestmark = pytest.mark.usefixtures("env_key")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def db(home: Path) -> Store:
    return Store(home / "history.sqlite3")


def test_ask_streams_and_saves(server: FakeServer, capsys, chatdesk_home: Path) -> None:
    server.script(Reply(text="Hello 世界 👋, streamed.", chunk_chars=3))
    code, out, err = run(capsys, "ask", "--base-url", server.base_url, "-m", "gpt-4o", "Hi there")
    assert code == 0, err
    assert out == "Hello 世界 👋, streamed.\n"
    body = server.requests[-1].json
    assert body["model"] == "gpt-4o"
    assert body["stream"] is True
    assert body["messages"] == [{"role": "user", "content": "Hi there"}]
    assert "temperature" not in body and "n" not in body  # unset fields are left out
    with db(chatdesk_home) as store:
        conv = store.list_conversations()[0]
        msgs = store.list_messages(conv.id)
        assert [m.role for m in msgs] == ["user", "assistant"]
        assert msgs[1].content == "Hello 世界 👋, streamed."
        assert msgs[1].status == "done"
        assert msgs[1].parent_id == msgs[0].id


def test_ask_json_output_shape(server: FakeServer, capsys) -> None:
    server.script(Reply(text="Answer", reasoning="Let me think", usage="auto", model="gpt-4o-2024"))
    code, out, _ = run(capsys, "ask", "--json", "--base-url", server.base_url, "-m", "gpt-4o", "Q")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {
        "conversation_id",
        "message_ids",
        "model",
        "choices",
        "usage",
        "ttft_ms",
        "duration_ms",
    }
    assert data["model"] == "gpt-4o-2024"
    assert data["choices"][0]["content"] == "Answer"
    assert data["choices"][0]["reasoning"] == "Let me think"
    assert data["choices"][0]["finish_reason"] == "stop"
    assert (
        data["usage"]["total_tokens"]
        == data["usage"]["prompt_tokens"] + data["usage"]["completion_tokens"]
    )
    assert len(data["message_ids"]) == 2
    assert 0 <= data["ttft_ms"] <= data["duration_ms"]
    # We asked for usage in the stream.
    assert server.requests[-1].json["stream_options"] == {"include_usage": True}


def test_every_request_field_reaches_the_body(server: FakeServer, capsys, tmp_path: Path) -> None:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather for a city",
                "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            },
        }
    ]
    tools_file = tmp_path / "tools.json"
    tools_file.write_text(json.dumps(tools))
    png = tmp_path / "dot.png"
    png.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    code, _, err = run(
        capsys,
        "ask",
        "--base-url",
        server.base_url,
        "-m",
        "m1",
        "--system",
        "Be brief",
        "-t",
        "0.5",
        "--top-p",
        "0.9",
        "--max-tokens",
        "64",
        "-n",
        "2",
        "--stop",
        "END",
        "--stop",
        "STOP",
        "--presence-penalty",
        "0.5",
        "--frequency-penalty",
        "-0.5",
        "--json-object",
        "--seed",
        "42",
        "--user",
        "u-1",
        "--tools",
        str(tools_file),
        "--tool-choice",
        "get_weather",
        "--image",
        str(png),
        "--image",
        "https://example.com/a.png",
        "Describe",
    )
    assert code == 0, err
    body = server.requests[-1].json
    assert body["temperature"] == 0.5 and body["top_p"] == 0.9 and body["max_tokens"] == 64
    assert body["n"] == 2 and body["stop"] == ["END", "STOP"]
    assert body["presence_penalty"] == 0.5 and body["frequency_penalty"] == -0.5
    assert body["response_format"] == {"type": "json_object"}
    assert body["seed"] == 42 and body["user"] == "u-1"
    assert body["tools"] == tools
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert body["messages"][0] == {"role": "system", "content": "Be brief"}
    parts = body["messages"][1]["content"]
    assert parts[0] == {"type": "text", "text": "Describe"}
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[2]["image_url"]["url"] == "https://example.com/a.png"


def test_n_candidates_and_tool_calls_in_json(server: FakeServer, capsys) -> None:
    server.script(
        Reply(
            text="",
            tool_calls=[{"id": "call_1", "name": "get_weather", "arguments": '{"city": "北京"}'}],
            finish_reason="tool_calls",
        )
    )
    code, out, _ = run(
        capsys, "ask", "--json", "--base-url", server.base_url, "-m", "m", "Weather?"
    )
    assert code == 0
    choice = json.loads(out)["choices"][0]
    assert choice["tool_calls"] == [
        {"id": "call_1", "name": "get_weather", "arguments": '{"city": "北京"}'}
    ]
    assert choice["finish_reason"] == "tool_calls"

    server.script(Reply(text="Option", n=3))
    code, out, _ = run(
        capsys, "ask", "--json", "-n", "3", "--base-url", server.base_url, "-m", "m", "Go"
    )
    data = json.loads(out)
    assert [c["index"] for c in data["choices"]] == [0, 1, 2]
    assert len(data["message_ids"]) == 4  # the user message and three sibling answers


def test_continue_sends_history(server: FakeServer, capsys, chatdesk_home: Path) -> None:
    server.script(Reply(text="First answer"), Reply(text="Second answer"))
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "One")[0] == 0
    code, out, _ = run(capsys, "ask", "--continue", "--base-url", server.base_url, "Two")
    assert code == 0 and out.strip() == "Second answer"
    msgs = server.requests[-1].json["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    assert msgs[1]["content"] == "First answer"
    with db(chatdesk_home) as store:
        assert store.count_conversations() == 1


def test_no_save_writes_nothing(server: FakeServer, capsys, chatdesk_home: Path) -> None:
    assert run(capsys, "ask", "--no-save", "--base-url", server.base_url, "-m", "m", "Hi")[0] == 0
    with db(chatdesk_home) as store:
        assert store.count_conversations() == 0


@pytest.mark.parametrize(
    ("reply", "category", "needle"),
    [
        (
            Reply.error(401, "Invalid API key", code="invalid_api_key"),
            "auth",
            "API key was rejected",
        ),
        (Reply.quota(), "quota", "no credit"),
        (
            Reply.error(404, "The model `nope` does not exist", code="model_not_found"),
            "not_found",
            "model",
        ),
        (Reply.rate_limited(retry_after=120), "rate_limit", "Retry in 120 s"),
        (Reply.html(), "protocol", "HTML page"),
    ],
)
def test_api_errors_are_readable_and_saved(
    server: FakeServer,
    capsys,
    chatdesk_home: Path,
    env_key: str,
    reply: Reply,
    category: str,
    needle: str,
) -> None:
    # A failed first turn is not saved (kept for --retry): fail the second turn.
    server.script(Reply(text="first"), reply)
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "Hi")[0] == 0
    code, out, err = run(capsys, "ask", "--continue", "Hi again")
    assert code == 1
    assert out == ""
    assert err.startswith("chatdesk: error: ") and err.count("\n") == 1
    assert "Traceback" not in err and '{"error"' not in err
    assert needle.lower() in err.lower()
    assert env_key not in err
    with db(chatdesk_home) as store:
        answer = store.list_messages(store.list_conversations()[0].id)[-1]
        assert answer.status == "error" and answer.error_category == category

    server.script(reply)
    code, out, _ = run(capsys, "ask", "--json", "--base-url", server.base_url, "-m", "m", "Hi")
    data = json.loads(out)
    assert code == 1
    assert data["error"]["category"] == category
    assert set(data["error"]) == {"category", "http_status", "message", "retry_after_s"}
    assert data["partial"] == {"content": ""}


def test_partial_answer_kept_when_stream_breaks(
    server: FakeServer, capsys, chatdesk_home: Path
) -> None:
    server.script(Reply(text="The beginning of a long answer that breaks", drop_after_chars=20))
    code, out, err = run(capsys, "ask", "--json", "--base-url", server.base_url, "-m", "m", "Hi")
    assert code == 1
    data = json.loads(out)
    assert data["error"]["category"] == "network"
    assert data["partial"]["content"] == "The beginning of a long answer that breaks"[:20]
    with db(chatdesk_home) as store:
        answer = store.list_messages(store.list_conversations()[0].id)[-1]
        assert answer.status == "error"
        assert answer.content == data["partial"]["content"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["ask", "--bogus-flag", "x"], "unrecognized arguments"),
        (["ask", "-t", "5", "x"], "temperature must be between 0 and 2"),
        (["ask", "--top-p", "abc", "x"], "top-p must be a number"),
        (["ask", "--image", "/nonexistent/cat.png", "-m", "m", "x"], "no such file"),
        (["ask", "-m", "m", "   "], "prompt is empty"),
        (["ask", "--base-url", "not a url", "-m", "m", "x"], "base_url"),
        (
            [
                "ask",
                "--stop",
                "a",
                "--stop",
                "b",
                "--stop",
                "c",
                "--stop",
                "d",
                "--stop",
                "e",
                "-m",
                "m",
                "x",
            ],
            "at most 4",
        ),
    ],
)
def test_bad_usage_exits_2_with_clear_message(capsys, argv: list[str], needle: str) -> None:
    with pytest.raises(SystemExit) as info:
        sys.exit(main(argv))
    out, err = capsys.readouterr()
    assert info.value.code == 2
    assert needle in err
    assert "Traceback" not in err


def test_tools_file_not_json(capsys, tmp_path: Path, server: FakeServer) -> None:
    bad = tmp_path / "tools.json"
    bad.write_text("[{'type': 'function'}]")
    code, _, err = run(
        capsys, "ask", "--tools", str(bad), "--base-url", server.base_url, "-m", "m", "x"
    )
    assert code == 2
    assert "not valid JSON (line 1, column 3" in err
    code, out, _ = run(
        capsys, "ask", "--json", "--tools", str(bad), "--base-url", server.base_url, "-m", "m", "x"
    )
    assert code == 2 and json.loads(out)["error"]["category"] == "usage"


def test_models_from_server_then_cache_then_builtin(server: FakeServer, capsys) -> None:
    server.models = [{"id": "alpha", "owned_by": "acme"}, {"id": "beta", "owned_by": "acme"}]
    code, out, _ = run(capsys, "models", "--json", "--base-url", server.base_url)
    assert code == 0
    assert json.loads(out) == {
        "models": [{"id": "alpha", "owned_by": "acme"}, {"id": "beta", "owned_by": "acme"}],
        "source": "server",
    }
    url = server.base_url
    server.stop()
    code, out, err = run(capsys, "models", "--json", "--base-url", url)
    assert json.loads(out)["source"] == "cache"
    assert [m["id"] for m in json.loads(out)["models"]] == ["alpha", "beta"]
    code, out, err = run(capsys, "models", "--json", "--base-url", "http://127.0.0.1:9/v1")
    data = json.loads(out)
    assert data["source"] == "builtin"
    assert "deepseek-reasoner" in {m["id"] for m in data["models"]}


def test_providers_and_history(server: FakeServer, capsys) -> None:
    code, out, _ = run(
        capsys,
        "providers",
        "add",
        "local",
        "--base-url",
        server.base_url.removesuffix("/v1"),
        "--default-model",
        "qwen",
    )
    assert code == 0
    code, out, _ = run(capsys, "providers", "list", "--json")
    provs = {p["name"]: p for p in json.loads(out)["providers"]}
    assert provs["local"]["base_url"] == server.base_url
    assert provs["local"]["default_model"] == "qwen"
    assert provs["zero"]["base_url"] == "https://api000.com/v1"  # the relay is there by default
    assert set(provs["local"]) == {"name", "base_url", "default_model", "has_key", "key_from"}

    server.script(Reply(text="机器学习 is machine learning"))
    assert run(capsys, "ask", "--provider", "local", "学习 means study")[0] == 0
    assert server.requests[-1].json["model"] == "qwen"

    code, out, _ = run(capsys, "history", "list", "--json")
    convs = json.loads(out)["conversations"]
    assert len(convs) == 1 and convs[0]["message_count"] == 2 and convs[0]["model"] == "qwen"
    assert set(convs[0]) == {
        "id", "title", "created", "updated", "model", "message_count", "comparison",
    }  # fmt: skip
    assert convs[0]["comparison"] is False
    code, out, _ = run(capsys, "history", "show", str(convs[0]["id"]), "--json")
    shown = json.loads(out)
    assert [m["role"] for m in shown["messages"]] == ["user", "assistant"]
    assert set(shown["messages"][1]) == {
        "id",
        "parent_id",
        "role",
        "content",
        "reasoning",
        "model",
        "status",
        "error",
        "finish_reason",
        "usage",
        "ttft_ms",
        "duration_ms",
        "created",
    }
    code, out, _ = run(capsys, "history", "search", "学习", "--json")
    hits = json.loads(out)
    assert hits["total"] == 2
    code, out, _ = run(capsys, "history", "search", "机器学习", "--json")
    assert json.loads(out)["total"] == 1
    assert run(capsys, "providers", "remove", "local")[0] == 0
    code, _, err = run(capsys, "providers", "remove", "local")
    assert code == 2 and "no provider named" in err


def _subprocess_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CHATDESK_HOME"] = str(home)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[3])
    return env


def test_subcommands_never_import_qt(chatdesk_home: Path) -> None:
    code = (
        "import sys; from chatdesk.cli import main; main(['history', 'list', '--json']);"
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt imported'"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=_subprocess_env(chatdesk_home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"conversations": []}


def test_kill_mid_stream_loses_at_most_half_a_second(
    server: FakeServer, chatdesk_home: Path, env_key: str
) -> None:
    """A real process killed with SIGKILL while streaming keeps what it had saved."""
    text = "word " * 400
    server.script(Reply(text=text, chunk_chars=5, delay_s=0.01))  # ~4 s of streaming
    with subprocess.Popen(  # the with closes its pipes (unclosed, they warn)
        [sys.executable, "-m", "chatdesk", "ask", "--base-url", server.base_url, "-m", "m", "Go"],
        env=_subprocess_env(chatdesk_home) | {"CHATDESK_API_KEY": env_key},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        time.sleep(2.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    sent_chars = server.sent_text_chars()  # what the server had written when killed
    with db(chatdesk_home) as store:
        answer = store.list_messages(store.list_conversations()[0].id)[-1]
        assert answer.status == "streaming"
        saved = len(answer.content)
        assert answer.content == text[:saved]
        # 0.5 s at 5 chars per 10 ms is 250 characters; allow scheduling slack.
        assert saved >= sent_chars - 400, (saved, sent_chars)
        assert saved > 0
    # The next start turns the orphan into "interrupted".
    with db(chatdesk_home) as store:
        assert store.mark_interrupted() == 1
        answer = store.list_messages(store.list_conversations()[0].id)[-1]
        assert answer.status == "interrupted"


def test_version_starts_fast(chatdesk_home: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "chatdesk", "--version"],
        env=_subprocess_env(chatdesk_home),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("chatdesk ")


def test_server_that_rejects_stream_options_is_remembered(server: FakeServer, capsys) -> None:
    server.script(Reply(text="one", reject_stream_options=True), Reply(text="one"))
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "a")[1] == "one\n"
    bodies = [r.json for r in server.requests if r.path.endswith("/chat/completions")]
    assert "stream_options" in bodies[0] and "stream_options" not in bodies[1]
    server.script(Reply(text="two", reject_stream_options=True))
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "b")[1] == "two\n"
    bodies = [r.json for r in server.requests if r.path.endswith("/chat/completions")]
    assert len(bodies) == 3 and "stream_options" not in bodies[2]


def test_window_without_a_display_explains_itself(chatdesk_home: Path) -> None:
    env = _subprocess_env(chatdesk_home)
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(var, None)
    proc = subprocess.run(
        [sys.executable, "-m", "chatdesk"], env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "no display found" in proc.stderr and "Traceback" not in proc.stderr


def test_keys_status_says_which_key_a_provider_without_one_uses(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CHATDESK_API_KEY is used for every provider without a stored key: the status
    says so instead of "no key". OPENAI_API_KEY never goes to the Zero relay."""
    code, out, err = run(capsys, "keys", "status")
    assert code == 0, err
    zero = next(line for line in out.splitlines() if line.strip().startswith("zero:"))
    assert "no stored key; requests use CHATDESK_API_KEY (" in zero
    code, out, err = run(capsys, "keys", "status", "--json")
    entry = next(e for e in json.loads(out)["keys"] if e["provider"] == "zero")
    assert entry["has_key"] is False and entry["key_from"] == "CHATDESK_API_KEY"
    monkeypatch.delenv("CHATDESK_API_KEY")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-only-1234")
    code, out, err = run(capsys, "keys", "status")
    zero = next(line for line in out.splitlines() if line.strip().startswith("zero:"))
    assert zero.strip().endswith(": no key")
    code, out, err = run(capsys, "keys", "status", "--json")
    entry = next(e for e in json.loads(out)["keys"] if e["provider"] == "zero")
    assert entry["key_from"] is None
