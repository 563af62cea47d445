"""``chatdesk compare`` end to end: real fake server, real SQLite file, concurrent columns."""

from __future__ import annotations

import json
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


def test_compare_json_shape_and_saved_columns(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    server.script_for("gpt-4o", Reply(text="Answer from 4o", first_delay_s=0.2))
    server.script_for("deepseek-reasoner", Reply(text="Answer from DeepSeek 你好"))
    code, out, err = run(
        capsys, "compare", "--json", "--base-url", server.base_url,
        "-m", "gpt-4o", "-m", "deepseek-reasoner", "-t", "0.3", "Same question",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"id", "blind", "columns"}
    assert data["blind"] is False
    cols = data["columns"]
    assert [c["label"] for c in cols] == ["A", "B"]
    assert [c["model"] for c in cols] == ["gpt-4o", "deepseek-reasoner"]
    assert cols[0]["content"] == "Answer from 4o"
    assert cols[1]["content"] == "Answer from DeepSeek 你好"
    for c in cols:
        assert set(c) == {
            "label", "model", "content", "finish_reason", "usage",
            "ttft_ms", "duration_ms", "tokens_per_s", "error",
        }  # fmt: skip
        assert c["error"] is None and c["finish_reason"] == "stop"
        assert c["usage"]["completion_tokens"] > 0
    assert cols[0]["ttft_ms"] >= 200  # the scripted delay before its first byte
    bodies = [r.json for r in server.chat_requests]
    assert sorted(b["model"] for b in bodies) == ["deepseek-reasoner", "gpt-4o"]
    assert all(b["temperature"] == 0.3 for b in bodies)
    with Store(chatdesk_home / "history.sqlite3") as store:
        comp = store.comparison_for_conversation(data["id"])
        assert comp is not None
        msgs = store.list_messages(comp.conversation_id)
        user = [m for m in msgs if m.role == "user"]
        answers = [m for m in msgs if m.role == "assistant"]
        assert len(user) == 1 and len(answers) == 2
        assert {m.parent_id for m in answers} == {user[0].id}  # siblings under one prompt
        assert sorted(m.meta["column"] for m in answers) == [0, 1]


def test_compare_runs_columns_concurrently(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    import time

    for model in ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5"):
        server.script_for(model, Reply(text=f"{model} done", first_delay_s=1.0))
    began = time.monotonic()
    code, out, err = run(
        capsys, "compare", "--json", "--base-url", server.base_url,
        "-m", "gpt-4o", "-m", "gpt-4o-mini", "-m", "claude-sonnet-4-5", "go",
    )  # fmt: skip
    wall = time.monotonic() - began
    assert code == 0, err
    cols = json.loads(out)["columns"]
    assert all(c["error"] is None for c in cols)
    assert all(c["ttft_ms"] >= 1000 for c in cols)
    # Concurrency, not speed: one after another the three 1 s waits take 3 s or more.
    assert wall < 2.5


def test_compare_isolates_a_failing_column(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script_for(
        "no-such-model",
        Reply.error(404, "The model `no-such-model` does not exist", code="model_not_found"),
    )
    server.script_for("gpt-4o", Reply(text="fine"))
    code, out, _ = run(
        capsys, "compare", "--json", "--base-url", server.base_url,
        "-m", "no-such-model", "-m", "gpt-4o", "q",
    )  # fmt: skip
    assert code == 0  # one column succeeded
    cols = json.loads(out)["columns"]
    assert cols[0]["error"]["category"] == "not_found"
    assert cols[0]["error"]["http_status"] == 404
    assert "{" not in cols[0]["error"]["message"]  # what it means, not raw JSON
    assert cols[1]["error"] is None and cols[1]["content"] == "fine"


def test_compare_all_failed_exits_1_and_text_output(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.script(Reply.error(500, "boom"), Reply.error(500, "boom"))
    server.script(*[Reply.error(500, "boom")] * 6)  # retries before the first byte too
    code, out, _ = run(capsys, "compare", "--base-url", server.base_url, "-m", "a", "-m", "b", "q")
    assert code == 1
    assert "── A · a" in out and "── B · b" in out and "[error:" in out
    # Nothing answered: no vote is offered (issue 15: it said "Vote with: ...").
    assert "chatdesk vote" not in out and "Vote with" not in out
    assert "No vote: fewer than two columns answered (none)." in out


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "only-one", "q"],
        ["-m", "a", "-m", "b", "-m", "c", "-m", "d", "-m", "e", "q"],
        ["-m", "a", "-m", "b", "-n", "2", "q"],
        ["-m", "a", "-m", "b", "-t", "5", "q"],
    ],
)
def test_compare_bad_usage_exits_2(
    server: FakeServer, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    try:
        code = main(["compare", "--base-url", server.base_url, *argv])
    except SystemExit as exc:  # argparse refuses a flag's value itself
        code = exc.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("chatdesk: error: ")  # one readable line, no traceback
    assert "Traceback" not in "\n".join(err)
    assert server.chat_requests == []


def test_compare_then_vote_and_blind(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    code, out, err = run(
        capsys, "compare", "--json", "--blind", "--base-url", server.base_url,
        "-m", "gpt-4o", "-m", "gpt-4o-mini", "which is better?",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    # Blind: before the vote the JSON says A and B only (issue 15: it printed the models).
    assert data["blind"] is True
    assert [c["model"] for c in data["columns"]] == [None, None]
    assert "gpt-4o" not in out
    # history show of the unvoted blind comparison names no model either.
    code, out, err = run(capsys, "history", "show", str(data["id"]))
    assert code == 0, err
    assert "gpt-4o" not in out and "assistant (Model A)" in out and "(Model B)" in out
    code, out, err = run(capsys, "history", "show", "--json", str(data["id"]))
    assert "gpt-4o" not in out
    code, out, err = run(capsys, "vote", str(data["id"]), "A")
    assert code == 0, err
    assert "A = gpt-4o" in out or "A = gpt-4o-mini" in out  # the vote reveals the mapping
    with Store(chatdesk_home / "history.sqlite3") as store:
        comp = store.comparison_for_conversation(data["id"])
        assert comp is not None
        votes = store.votes_for(comp.id)
        assert len(votes) == 1 and votes[0].winner == "A"
        assert sorted(votes[0].models) == ["gpt-4o", "gpt-4o-mini"]
        conv = store.get_conversation(data["id"])
        assert conv is not None and conv.model is None  # blind: no name in the list
    code, out, err = run(capsys, "history", "show", str(data["id"]))
    assert f"assistant ({votes[0].models[0]})" in out  # voted: names are shown


def test_one_number_for_compare_history_export_and_vote(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    """Issue 15: compare printed "Comparison 3", history showed conversation 7, and
    ``vote 8 A`` said "no comparison 8" although conversation 8 was one."""
    with Store(chatdesk_home / "history.sqlite3") as store:
        for title in ("older chat", "another"):  # conversation ids now run ahead
            store.create_conversation(title)
    server.script_for("m1", Reply(text="one"))
    server.script_for("m2", Reply(text="two"))
    code, out, err = run(
        capsys, "compare", "--base-url", server.base_url, "-m", "m1", "-m", "m2", "q"
    )
    assert code == 0, err
    last = out.strip().splitlines()[-1]
    number = int(last.split()[1])
    assert last == f"Comparison {number} saved. Vote with: chatdesk vote {number} A|B|tie|bad"
    with Store(chatdesk_home / "history.sqlite3") as store:
        comp = store.comparison_for_conversation(number)
        assert comp is not None and comp.id != number  # the conversation's id, not the row's
    code, out, err = run(capsys, "history", "list")
    listed = {line.split()[0]: line for line in out.splitlines()}
    assert " compare " in listed[str(number)] and " chat " in listed["1"]
    code, out, err = run(capsys, "history", "list", "--json")
    marks = {c["id"]: c["comparison"] for c in json.loads(out)["conversations"]}
    assert marks[number] is True and marks[1] is False
    code, out, err = run(capsys, "history", "show", str(number))
    assert "one" in out and "two" in out
    code, out, err = run(capsys, "vote", str(number), "B")
    assert code == 0, err
    assert out.startswith(f"comparison {number}: vote recorded: B is best")
    code, out, err = run(capsys, "vote", "1", "A")
    assert code == 2 and "conversation 1 is a chat, not a comparison" in err


def test_votes_on_failed_columns_are_refused(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    """Issue 15: ``vote ID C`` where C failed was accepted and counted as a loss."""
    server.script_for("good", Reply(text="fine answer"))
    server.script_for("ok", Reply(text="another answer"))
    server.script_for("broken", Reply.error(400, "bad request"))
    code, out, err = run(
        capsys, "compare", "--base-url", server.base_url,
        "-m", "good", "-m", "ok", "-m", "broken", "q",
    )  # fmt: skip
    assert code == 0, err
    number = int(out.strip().splitlines()[-1].split()[1])
    assert out.strip().endswith(f"chatdesk vote {number} A|B|tie|bad")  # no C offered
    code, out, err = run(capsys, "vote", str(number), "C")
    assert code == 2
    assert "column C of comparison" in err and "has no answer (it failed)" in err
    code, out, err = run(capsys, "vote", str(number), "A")
    assert code == 0, err
    code, out, err = run(capsys, "vote", str(number), "a")
    assert code == 0, err
    assert "the vote was already A is best; nothing changed" in out
    with Store(chatdesk_home / "history.sqlite3") as store:
        comp = store.comparison_for_conversation(number)
        assert comp is not None
        assert [v.winner for v in store.votes_for(comp.id)] == ["A"]
    # The board: "broken" has not lost, and plays no game.
    code, out, err = run(capsys, "leaderboard", "--json")
    board = {m["model"]: m for m in json.loads(out)["models"]}
    assert set(board) == {"good", "ok"}
    assert board["good"]["wins"] == 1 and board["ok"]["losses"] == 1


def test_no_vote_when_only_one_column_answered(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    server.script_for("good", Reply(text="fine answer"))
    server.script_for("broken", Reply.error(400, "bad request"))
    code, out, err = run(
        capsys, "compare", "--base-url", server.base_url, "-m", "good", "-m", "broken", "q"
    )
    assert code == 0, err
    assert "No vote: fewer than two columns answered (A)." in out
    number = int(out.strip().splitlines()[-1].split()[1])
    code, out, err = run(capsys, "vote", str(number), "A")
    assert code == 2 and "fewer than two columns answered (A)" in err


def test_export_of_a_comparison_shows_every_column(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    """Issue 15: ``export ID --format md`` printed one column and "2 messages on other
    branches not shown"."""
    server.script_for("alpha", Reply(text="Alpha says **one**"))
    server.script_for("beta", Reply(text="Beta says two"))
    server.script_for("gamma", Reply.error(400, "bad request"))
    code, out, err = run(
        capsys, "compare", "--base-url", server.base_url,
        "-m", "alpha", "-m", "beta", "-m", "gamma", "Count for me",
    )  # fmt: skip
    assert code == 0, err
    number = out.strip().splitlines()[-1].split()[1]
    code, md, err = run(capsys, "export", number, "--format", "md")
    assert code == 0, err
    assert "other branches" not in md
    assert md.split("## Turn 1", 1)[1].count("Count for me") == 1  # prompt once, then columns
    a, b, c = md.index("### A · alpha"), md.index("### B · beta"), md.index("### C · gamma")
    assert a < md.index("Alpha says **one**") < b < md.index("Beta says two") < c
    assert "[error]" in md[c:] and "> **Error:**" in md[c:]
    code, page, err = run(capsys, "export", number, "--format", "html")
    assert code == 0, err
    assert '<div class="columns" style="--columns: 3">' in page
    assert page.index("Alpha says <strong>one</strong>") < page.index("Beta says two")
    assert "A · alpha" in page and "B · beta" in page and "C · gamma" in page
    code, doc, err = run(capsys, "export", number, "--format", "json")
    conv = json.loads(doc)["conversations"][0]
    answers = [m for m in conv["messages"] if m["role"] == "assistant"]
    assert sorted(m["meta"]["column"] for m in answers) == [0, 1, 2]
    assert [c["model"] for c in conv["comparison"]["columns"]] == ["alpha", "beta", "gamma"]


def test_export_of_an_unvoted_blind_comparison_names_no_model(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    code, out, err = run(
        capsys, "compare", "--blind", "--base-url", server.base_url,
        "-m", "secret-one", "-m", "secret-two", "q",
    )  # fmt: skip
    assert code == 0, err
    number = out.strip().splitlines()[-1].split()[1]
    for fmt in ("md", "html"):
        code, text, err = run(capsys, "export", number, "--format", fmt)
        assert code == 0, err
        assert "secret-" not in text and "Model A" in text and "Model B" in text
    assert run(capsys, "vote", number, "tie")[0] == 0
    code, text, err = run(capsys, "export", number, "--format", "md")
    assert "secret-one" in text and "secret-two" in text  # named after the vote
