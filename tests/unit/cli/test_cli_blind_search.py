"""`chatdesk history search` names no model of an unvoted blind comparison (issue 15).

A real ``compare --blind`` against the fake server, then ``history search`` on the
same SQLite file: before the vote no hit names a model, and a search filtered by a
model's name neither finds nor counts the hidden answers (which would name them).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatdesk.cli import main
from tests.fakeserver import FakeServer, Reply

pytestmark = pytest.mark.usefixtures("env_key")

SECRET = ("secret-one", "secret-two")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_history_search_hides_the_models_of_an_unvoted_blind_comparison(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    for model in SECRET:
        server.script_for(model, Reply(text=f"needle answer {len(model)}", model=model))
    code, out, err = run(
        capsys, "compare", "--blind", "--base-url", server.base_url,
        "-m", SECRET[0], "-m", SECRET[1], "needle question",
    )  # fmt: skip
    assert code == 0, err
    number = out.strip().splitlines()[-1].split()[1]

    code, out, err = run(capsys, "history", "search", "needle", "--json")
    assert code == 0, err
    data = json.loads(out)
    answers = [h for h in data["hits"] if h["role"] == "assistant"]
    assert len(answers) == 2 and data["total"] == 3
    assert all(h["model"] is None for h in answers)
    assert "secret-" not in out
    for model in SECRET:  # found by a model's name = named: neither hit nor count
        code, out, err = run(capsys, "history", "search", "needle", "--model", model, "--json")
        assert code == 0, err
        assert json.loads(out) == {"total": 0, "hits": []}
        code, out, err = run(capsys, "history", "search", "needle", "--model", model)
        assert code == 0, err
        assert out.strip().splitlines()[-1] == "0 matches"

    assert run(capsys, "vote", number, "A")[0] == 0  # revealed: named from now on
    code, out, err = run(capsys, "history", "search", "needle", "--json")
    answers = [h for h in json.loads(out)["hits"] if h["role"] == "assistant"]
    assert sorted(h["model"] for h in answers) == sorted(SECRET)
    code, out, err = run(capsys, "history", "search", "needle", "--model", SECRET[0], "--json")
    assert json.loads(out)["total"] == 1


def test_export_says_when_it_names_an_unvoted_blind_comparison(
    server: FakeServer, capsys: pytest.CaptureFixture[str], chatdesk_home: Path, tmp_path: Path
) -> None:
    for model in SECRET:
        server.script_for(model, Reply(text="an answer", model=model))
    code, out, err = run(
        capsys, "compare", "--blind", "--base-url", server.base_url,
        "-m", SECRET[0], "-m", SECRET[1], "a question",
    )  # fmt: skip
    assert code == 0, err
    number = out.strip().splitlines()[-1].split()[1]
    target = tmp_path / "all.json"
    code, out, err = run(capsys, "export", "--all", "-o", str(target))
    assert code == 0, err
    assert "names the models of 1 blind comparison(s) with no vote yet" in err
    assert SECRET[0] in target.read_text(encoding="utf-8")  # a backup keeps them
    assert run(capsys, "vote", number, "A")[0] == 0
    code, out, err = run(capsys, "export", "--all", "-o", str(target))
    assert code == 0 and "blind" not in err
