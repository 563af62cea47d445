"""The terminal's own behaviour (issue 15): which key goes where, which server a
conversation goes back to, what a failed turn leaves behind, and the messages that must
not mislead. Real fake server on 127.0.0.1, real SQLite file, real keyring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.cli import main
from tests.fakeserver import FakeServer, Reply

OPENAI_KEY = "sk-openai-only-0123456789"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- item: a key from the environment goes only where it belongs ---------------------------


def test_openai_key_is_not_sent_to_the_default_relay(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    code, out, err = run(capsys, "ask", "hello")
    assert code == 2 and out == ""
    assert "no API key is set for Zero API" in err
    assert "chatdesk keys set zero" in err and "CHATDESK_API_KEY" in err
    assert "only sent to api.openai.com" in err
    assert OPENAI_KEY not in err


def test_openai_key_stays_off_another_server(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    with FakeServer() as server:  # local: tried without a key, so we see what is sent
        assert run(capsys, "providers", "add", "relay", "--base-url", server.base_url)[0] == 0
        for argv in (("--provider", "relay"), ("--base-url", server.base_url)):
            code, _, err = run(capsys, "ask", *argv, "-m", "m", "hi")
            assert code == 0, err
            assert "authorization" not in server.requests[-1].headers


def test_openai_key_goes_to_openai_base_url(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    with FakeServer(api_key=OPENAI_KEY) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url + "/")
        code, out, err = run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "hi")
        assert code == 0, err
        assert server.requests[-1].headers["authorization"] == f"Bearer {OPENAI_KEY}"


def test_chatdesk_key_goes_to_the_provider_in_use(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATDESK_API_KEY", "sk-chatdesk-0123456789")
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    with FakeServer() as server:
        run(capsys, "providers", "add", "relay", "--base-url", server.base_url)
        code, _, err = run(capsys, "ask", "--provider", "relay", "-m", "m", "hi")
        assert code == 0, err
        assert server.requests[-1].headers["authorization"] == "Bearer sk-chatdesk-0123456789"


# -- item: options before the subcommand are used, or refused ------------------------------


def test_global_base_url_is_used_by_ask(
    server: FakeServer, env_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(Reply(text="from the global option"))
    code, out, err = run(capsys, "--base-url", server.base_url, "-m", "m1", "ask", "hi")
    assert code == 0, err
    assert out == "from the global option\n"
    assert server.requests[-1].json["model"] == "m1"


def test_global_options_a_subcommand_cannot_use_are_refused(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--base-url", "http://127.0.0.1:9/v1", "history", "list"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--base-url before `history` has no effect" in err
    with pytest.raises(SystemExit) as exit_:
        main(["--base-url", "http://127.0.0.1:9/v1", "ask", "--base-url", "http://h/v1", "x"])
    assert exit_.value.code == 2
    assert "given twice with different values" in capsys.readouterr().err


# -- item: a conversation remembers its server; a failed turn is not sent again ------------


def chat_requests(server: FakeServer) -> list[dict]:
    return [r.json for r in server.requests if r.path.endswith("/chat/completions")]


def test_continue_goes_back_to_the_conversations_server(
    server: FakeServer, env_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(Reply(text="first answer"), Reply(text="second answer"), Reply(text="third"))
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m1", "first")[0] == 0
    code, out, err = run(capsys, "ask", "--continue", "second")
    assert code == 0, err
    assert out == "second answer\n"
    sent = chat_requests(server)
    assert len(sent) == 2 and sent[1]["model"] == "m1"
    assert [m["content"] for m in sent[1]["messages"]] == ["first", "first answer", "second"]
    # A provider the same way (its name is what is remembered).
    assert run(capsys, "providers", "add", "relay", "--base-url", server.base_url)[0] == 0
    assert run(capsys, "ask", "--provider", "relay", "-m", "m2", "other chat")[0] == 0
    code, _, err = run(capsys, "ask", "--continue", "and then")
    assert code == 0, err
    assert chat_requests(server)[-1]["model"] == "m2"


def test_a_failed_turn_is_not_sent_again(
    server: FakeServer, env_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(
        Reply(text="one answer"), Reply.error(400, "model busy"), Reply(text="two answer")
    )
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "one")[0] == 0
    again = ("ask", "--continue", "--base-url", server.base_url, "two")
    code, _, err = run(capsys, *again)
    assert code == 1 and "model busy" in err
    code, out, err = run(capsys, *again)
    assert code == 0, err
    sent = chat_requests(server)[-1]["messages"]
    assert [(m["role"], m["content"]) for m in sent] == [
        ("user", "one"),
        ("assistant", "one answer"),
        ("user", "two"),
    ]


def test_a_server_remembered_by_url_stays_out_of_exports(
    server: FakeServer, env_key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An imported file must not choose where the next turn and its key go."""
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "hi")[0] == 0
    code, out, _ = run(capsys, "export", "--all", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["conversations"][0]["provider"] is None
    assert server.base_url not in out


# -- item: failed tries do not clutter the history; history show says why -----------------


def conversations(home: Path) -> list[int]:
    from chatdesk.store import Store

    with Store(home / "history.sqlite3") as store:
        return [c.id for c in store.list_conversations()]


def test_a_failed_first_turn_is_kept_for_retry_not_in_history(
    server: FakeServer, env_key: str, chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dead = "http://127.0.0.1:9/v1"  # nothing listens on the discard port
    code, _, err = run(capsys, "ask", "--base-url", dead, "-m", "m", "the long question")
    assert code == 1
    assert "ask --retry" in err and "not saved in the history" in err
    server.script(Reply.error(404, "The model `nope` does not exist"))
    code, _, err = run(capsys, "ask", "--base-url", server.base_url, "-m", "nope", "q2")
    assert code == 1 and "ask --retry" in err
    assert conversations(chatdesk_home) == []
    # --retry sends the kept question to its server and model (the 404 try, the latest).
    server.script(Reply(text="answered at last"))
    code, out, err = run(capsys, "ask", "--retry", "-m", "good")
    assert code == 0, err
    assert out == "answered at last\n"
    assert server.requests[-1].json["messages"] == [{"role": "user", "content": "q2"}]
    assert len(conversations(chatdesk_home)) == 1
    code, _, err = run(capsys, "ask", "--retry")
    assert code == 2 and "no failed question is kept" in err


def test_a_failure_after_some_text_is_kept_in_history(
    server: FakeServer, env_key: str, chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(Reply(text="partial answer that breaks", error_after_chars=8))
    code, _, err = run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "q")
    assert code == 1
    assert "ask --retry" not in err
    assert len(conversations(chatdesk_home)) == 1


def test_history_show_prints_why_a_message_failed(
    server: FakeServer, env_key: str, chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(Reply(text="first"), Reply.error(400, "context too long for this model"))
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "one")[0] == 0
    assert run(capsys, "ask", "--continue", "two")[0] == 1
    (cid,) = conversations(chatdesk_home)
    code, out, _ = run(capsys, "history", "show", str(cid))
    assert code == 0
    assert "[error]" in out and "context too long for this model" in out
    code, out, _ = run(capsys, "history", "show", str(cid), "--json")
    failed = json.loads(out)["messages"][-1]
    assert failed["status"] == "error" and "context too long" in failed["error"]


# -- item: messages that must not mislead --------------------------------------------------


def test_export_without_arguments_says_what_is_needed(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "export")
    assert code == 2
    assert "say what to export: conversation ids" in err and "--all" in err
    assert "not both" not in err
    code, _, err = run(capsys, "export", "--all", "1")
    assert code == 2 and "not both" in err


def test_models_fallback_says_it_is_not_the_servers_list(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "models", "--base-url", "http://127.0.0.1:9/v1")
    assert code == 1 and out.strip()
    assert "could not fetch the models of http://127.0.0.1:9/v1" in err
    assert "NOT this server's models" in err


def test_providers_list_names_the_key_from_the_environment(
    chatdesk_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "providers", "list")
    assert code == 0 and "no key" in out
    monkeypatch.setenv("CHATDESK_API_KEY", "sk-env-0123456789")
    code, out, _ = run(capsys, "providers", "list")
    assert "key from CHATDESK_API_KEY (environment)" in out and "no key" not in out
    code, out, _ = run(capsys, "providers", "list", "--json")
    (zero,) = json.loads(out)["providers"]
    assert zero["key_from"] == "CHATDESK_API_KEY" and zero["has_key"] is False


@pytest.mark.parametrize("command", ["history", "providers", "keys"])
def test_every_subcommand_has_help(command: str) -> None:
    import argparse

    from chatdesk.cli.parser import build_parser

    def subcommands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    parser = subcommands(build_parser()).choices[command]
    listed = {a.dest: a.help for a in subcommands(parser)._choices_actions}
    assert listed and all(listed.values()), listed
    for name, sub in subcommands(parser).choices.items():
        for action in sub._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"{command} {name} {action.dest} has no help"


def test_an_unanswered_question_is_not_sent_again(
    server: FakeServer, env_key: str, chatdesk_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The process ended before the answer's row was made: the question stands alone."""
    from chatdesk.store import Store

    server.script(Reply(text="one answer"), Reply(text="ok"))
    assert run(capsys, "ask", "--base-url", server.base_url, "-m", "m", "one")[0] == 0
    with Store(chatdesk_home / "history.sqlite3") as store:
        (conv,) = store.list_conversations()
        last = store.active_path(conv.id)[-1]
        store.add_message(conv.id, "user", "lost", parent_id=last.id, make_current=True)
    code, _, err = run(capsys, "ask", "--continue", "two")
    assert code == 0, err
    sent = chat_requests(server)[-1]["messages"]
    assert [m["content"] for m in sent] == ["one", "one answer", "two"]
