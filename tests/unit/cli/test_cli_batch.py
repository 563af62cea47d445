"""``chatdesk batch`` end to end: the fake server on a socket, a real SQLite file, and
real ``chatdesk`` processes for the kill -9 and resume test."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chatdesk.cli import main
from chatdesk.store import Store
from tests.fakeserver import FakeServer, RecordedRequest, Reply
from tests.unit.cli.conftest import CLI_KEY
from tests.unit.core.test_runexport import SCHEMA as RUN_SCHEMA

pytestmark = pytest.mark.usefixtures("env_key")
ROOT = Path(__file__).resolve().parents[3]

LIST_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["runs"],
    "properties": {
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "run_id", "name", "models", "prompts", "done_cells", "total_cells", "status",
                ],
                "properties": {
                    "run_id": {"type": "integer"},
                    "name": {"type": "string"},
                    "models": {"type": "array", "items": {"type": "string"}},
                    "prompts": {"type": "integer"},
                    "done_cells": {"type": "integer"},
                    "total_cells": {"type": "integer"},
                    "status": {"enum": ["pending", "running", "stopped", "done", "failed"]},
                },
            },
        }
    },
}  # fmt: skip


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def batch(
    capsys: pytest.CaptureFixture[str], server: FakeServer, path: Path, *extra: str
) -> tuple[int, str, str]:
    return run(
        capsys, "batch", str(path), "--base-url", server.base_url,
        "-m", "m1", "-m", "m2", *extra,
    )  # fmt: skip


def question(req: RecordedRequest) -> str:
    return str(req.json["messages"][-1]["content"])


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text", "ids"),
    [
        (
            "set.jsonl",
            '{"id": "a", "prompt": "first?"}\n\n{"prompt": "second?", "system": "Be brief."}\n',
            ["a", None],
        ),
        ("set.txt", "first?\n\n   \nsecond?\n", [None, None]),
        ("set.csv", 'id,prompt\nx1,first?\nx2,"second?"\n', ["x1", "x2"]),
    ],
)
def test_each_format_runs_and_prints_the_run_json(
    server: FakeServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    text: str,
    ids: list[str | None],
) -> None:
    server.default_for("m1", Reply(text="one says"))
    server.default_for("m2", Reply(text="two says"))
    path = write(tmp_path, name, text)
    code, out, err = batch(capsys, server, path, "--json", "-t", "0.2")
    assert code == 0, err
    assert "4 requests (4 answers + 0 judge calls)" in err
    data = json.loads(out)
    jsonschema.validate(data, RUN_SCHEMA)
    assert data["models"] == ["m1", "m2"] and data["judge"] is None
    assert [(c["prompt_index"], c["model"]) for c in data["cells"]] == [
        (0, "m1"), (0, "m2"), (1, "m1"), (1, "m2"),
    ]  # fmt: skip
    assert [c["prompt_id"] for c in data["cells"][::2]] == ids
    assert all(c["error"] is None and c["finish_reason"] == "stop" for c in data["cells"])
    assert data["cells"][1]["content"] == "two says"
    bodies = [r.json for r in server.chat_requests]
    assert sorted(question(r) for r in server.chat_requests) == [
        "first?", "first?", "second?", "second?",
    ]  # fmt: skip
    assert all(b["temperature"] == 0.2 for b in bodies)
    if name.endswith(".jsonl"):  # the line's own system prompt goes with it
        systems = [b["messages"][0] for b in bodies if question_of(b) == "second?"]
        assert systems == [{"role": "system", "content": "Be brief."}] * 2
    assert [s["ok"] for s in data["summary"]] == [2, 2]


def question_of(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("bad.jsonl", '{"prompt": "ok"}\n{"prompt": "broken"\n', "Line 2: not valid JSON"),
        ("bad2.jsonl", '{"prompt": "ok"}\n{"id": "x"}\n', 'Line 2: "prompt" is missing'),
        ("bad.csv", "question\nwhat?\n", 'Line 1: the header has no "prompt" column'),
        ("empty.txt", "\n  \n", "The prompt set has no prompts"),
        ("set.yaml", "- what?\n", "Unknown prompt set format"),
    ],
)
def test_a_bad_file_sends_nothing_and_exits_2(
    server: FakeServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    name: str,
    text: str,
    says: str,
) -> None:
    path = write(tmp_path, name, text)
    code, out, err = batch(capsys, server, path)
    assert code == 2
    assert says in err and out == ""
    assert server.requests == []
    code, out, _ = run(capsys, "batch", "--list", "--json")
    assert json.loads(out) == {"runs": []}  # no run was made


@pytest.mark.parametrize(
    "argv",
    [
        ["-m", "only-one"],
        ["-m", "a", "-m", "b", "-m", "c", "-m", "d", "-m", "e"],
        ["-m", "a", "-m", "b", "-n", "2"],
        ["-m", "a", "-m", "b", "--concurrency", "0"],
        ["-m", "a", "-m", "b", "--max-tokens", "0"],
    ],
)
def test_bad_usage_sends_nothing_and_exits_2(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    path = write(tmp_path, "set.txt", "hello\n")
    try:  # argparse's own refusals exit from inside main()
        code = main(["batch", str(path), "--base-url", server.base_url, *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    assert code == 2, capsys.readouterr().err
    assert server.requests == []


def test_a_missing_file_exits_2(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = batch(capsys, server, tmp_path / "nope.txt")
    assert code == 2 and "cannot be read" in err
    assert server.requests == []


def test_concurrency_flag_bounds_requests_in_flight(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for model in ("m1", "m2"):
        server.default_for(model, Reply(first_delay_s=0.05))
    path = write(tmp_path, "set.txt", "".join(f"prompt {i}\n" for i in range(8)))
    code, _, err = batch(capsys, server, path, "--concurrency", "2")
    assert code == 0, err
    assert server.max_in_flight == 2
    assert len(server.chat_requests) == 16


def test_a_failing_model_exits_1_and_resume_retries_only_it(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, chatdesk_home: Path
) -> None:
    server.default_for("m2", Reply.error(404, "The model `m2` does not exist"))
    path = write(tmp_path, "set.txt", "alpha\nbeta\n")
    code, out, err = batch(capsys, server, path, "--json", "--name", "nightly")
    assert code == 1, err
    data = json.loads(out)
    jsonschema.validate(data, RUN_SCHEMA)
    errors = {c["model"]: c["error"] for c in data["cells"] if c["prompt_index"] == 0}
    assert errors["m1"] is None
    assert errors["m2"]["category"] == "not_found" and errors["m2"]["http_status"] == 404
    assert "does not exist" in errors["m2"]["message"]
    code, out, _ = run(capsys, "batch", "--list", "--json")
    listed = json.loads(out)
    jsonschema.validate(listed, LIST_SCHEMA)
    assert listed["runs"] == [
        {
            "run_id": data["run_id"], "name": "nightly", "models": ["m1", "m2"],
            "prompts": 2, "done_cells": 2, "total_cells": 4, "status": "failed",
        }
    ]  # fmt: skip

    server.default_for("m2", Reply(text="found it"))
    server.requests.clear()
    code, out, err = run(capsys, "batch", "--resume", str(data["run_id"]), "--json")
    assert code == 0, err
    assert sorted((r.json["model"], question(r)) for r in server.chat_requests) == [
        ("m2", "alpha"), ("m2", "beta"),
    ]  # fmt: skip
    again = json.loads(out)
    assert all(c["error"] is None for c in again["cells"]) and len(again["cells"]) == 4


def test_judge_flag_and_exports(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def respond(request: dict[str, Any]) -> Reply | None:
        return Reply(text="Clearly [[A]]") if request.get("model") == "judge" else None

    server.responder = respond
    path = write(tmp_path, "set.txt", "alpha\nbeta\n")
    code, out, err = batch(capsys, server, path, "--judge", "judge", "--json")
    assert code == 0, err
    assert "8 requests (4 answers + 4 judge calls)" in err
    data = json.loads(out)
    jsonschema.validate(data, RUN_SCHEMA)
    assert data["judge"] == "judge"
    assert [v["winner"] for v in data["verdicts"]] == ["tie", "tie"]  # always-A judge
    assert [s["judge_ties"] for s in data["summary"]] == [2, 2]
    run_id = str(data["run_id"])
    for fmt in ("csv", "json", "html"):
        target = tmp_path / f"out.{fmt}"
        code, _, err = run(capsys, "batch", "--export", run_id, "--format", fmt, "-o", f"{target}")
        assert code == 0, err
        text = target.read_text(encoding="utf-8")
        assert ("alpha" in text) is (fmt != "json")  # the JSON names prompts by index
    assert json.loads((tmp_path / "out.json").read_text()) == data
    assert (tmp_path / "out.csv").read_text().count("\n") == 5  # header + 4 cells
    code, out, _ = run(capsys, "batch", "--export", run_id, "--format", "csv")
    assert code == 0 and out.startswith("run_id,")
    code, _, err = run(capsys, "batch", "--export", "999", "--format", "csv")
    assert code == 2 and "no run with id 999" in err


def test_list_text_and_flags_that_do_not_mix(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "batch", "--list")
    assert code == 0 and "no runs yet" in out
    code, _, err = run(capsys, "batch", "--list", "-m", "a")
    assert code == 2 and "-m is for a new run" in err
    code, _, err = run(capsys, "batch", "--resume", "7")
    assert code == 2 and "no run with id 7" in err
    assert server.requests == []


# --- kill -9 and resume -------------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CHATDESK_HOME"] = str(home)
    env["CHATDESK_API_KEY"] = CLI_KEY
    env["PYTHONPATH"] = str(ROOT)
    return env


def _done_cells(db: Path) -> set[tuple[int, int]]:
    if not db.exists():
        return set()
    with Store.for_reading(db) as store:
        runs = store.runs.list_runs()
        if not runs:
            return set()
        cells = store.runs.cells(runs[0].id)
    return {(c.prompt_index, c.model_index) for c in cells if c.status == "done"}


def _wait_for_done_cells(
    db: Path, proc: subprocess.Popen[bytes], count: int, log: Path | None = None
) -> None:
    """Until ``count`` cells are saved while ``proc`` runs (a liveness wait, not a timing
    assertion); the run's stderr in the message when it ended first."""
    deadline = time.monotonic() + 60
    while len(_done_cells(db)) < count:
        assert proc.poll() is None, log.read_text() if log is not None else "the run ended"
        assert time.monotonic() < deadline, "the run never got going"
        time.sleep(0.02)


def _kill_9(proc: subprocess.Popen[bytes]) -> None:
    """Kill the run as a power cut would, and wait for it."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """After a failed check: leave no run behind."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_kill_9_mid_run_then_resume_asks_no_done_cell_again(
    server: FakeServer, tmp_path: Path, chatdesk_home: Path
) -> None:
    for model in ("m1", "m2"):
        server.default_for(model, Reply(text="answer " * 5, chunk_chars=5, delay_s=0.01))
    count = 30
    path = write(tmp_path, "set.txt", "".join(f"prompt {i}\n" for i in range(count)))
    db = chatdesk_home / "history.sqlite3"
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err, subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "batch", str(path), "--base-url", server.base_url,
         "-m", "m1", "-m", "m2", "--concurrency", "2"],
        env=_env(chatdesk_home), stdout=subprocess.DEVNULL, stderr=err,
    ) as proc:  # fmt: skip
        try:
            _wait_for_done_cells(db, proc, 10, log)
            _kill_9(proc)
        finally:
            _reap(proc)
    assert proc.returncode == -signal.SIGKILL
    done = _done_cells(db)
    assert 10 <= len(done) < 2 * count
    with Store.for_reading(db) as store:
        # Left "running" in the file, read as stopped: its process is gone.
        assert store.conn.execute("SELECT status FROM runs").fetchone()[0] == "running"
        assert store.runs.list_runs()[0].status == "stopped"
    resumed = subprocess.run(
        [sys.executable, "-m", "chatdesk", "batch", "--resume", "1", "--json"],
        env=_env(chatdesk_home), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    # Counted over both processes (what the killed one had in flight may be recorded
    # late): a cell done before the kill was asked once, never again; the others at
    # most twice (in flight when killed, then on resume).
    asked = Counter(
        (int(question(r).split()[1]), int(r.json["model"][1]) - 1)
        for r in server.chat_requests
        if isinstance(r.json, dict)
    )
    assert all(asked[cell] == 1 for cell in done)
    assert set(asked) == {(p, m) for p in range(count) for m in range(2)}
    assert max(asked.values()) <= 2
    data = json.loads(resumed.stdout)
    assert len(data["cells"]) == 2 * count and all(c["error"] is None for c in data["cells"])


def test_the_estimate_names_the_cost_where_prices_exist(
    server: FakeServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, chatdesk_home: Path
) -> None:
    from chatdesk.core.arena.prices import Price, PriceTable

    with Store(chatdesk_home / "history.sqlite3") as store:
        PriceTable({("", "m1"): Price(1.0, 2.0, "USD")}).save(store)
    usage = {"prompt_tokens": 1000, "completion_tokens": 1000, "total_tokens": 2000}
    server.default_for("m1", Reply(text="priced", usage=usage, usage_mode="always_final"))
    path = write(tmp_path, "set.txt", "one\ntwo\n")
    code, out, err = batch(capsys, server, path, "--json")
    assert code == 0, err
    first = err.splitlines()[0]
    assert first.startswith("chatdesk: run 1: 4 requests (4 answers + 0 judge calls)")
    assert "estimated cost" in first and "USD" in first and "(no price for m2)" in first
    data = json.loads(out)
    assert [c["cost"] for c in data["cells"] if c["model"] == "m1"] == [0.003, 0.003]
    assert data["summary"][0]["cost"] == pytest.approx(0.006)


def test_a_run_going_on_elsewhere_is_listed_running_and_not_resumed_twice(
    server: FakeServer, tmp_path: Path, chatdesk_home: Path
) -> None:
    """`batch --list` from another terminal says "running" while the run's process
    lives and "stopped" once it is killed; `--resume` refuses a live run (exit 2,
    nothing asked twice) and finishes a dead one."""
    for model in ("m1", "m2"):
        server.default_for(model, Reply(text="slow " * 4, chunk_chars=5, delay_s=0.1))
    path = write(tmp_path, "set.txt", "".join(f"prompt {i}\n" for i in range(10)))
    db = chatdesk_home / "history.sqlite3"

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "chatdesk", "batch", *argv],
            env=_env(chatdesk_home), capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    with subprocess.Popen(
        [sys.executable, "-m", "chatdesk", "batch", str(path), "--base-url", server.base_url,
         "-m", "m1", "-m", "m2", "--concurrency", "1"],
        env=_env(chatdesk_home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    ) as proc:  # fmt: skip
        try:
            _wait_for_done_cells(db, proc, 1)
            listed = cli("--list", "--json")
            busy = cli("--resume", "1")
            asked_before = len(server.chat_requests)
            assert proc.poll() is None, "the run ended before the checks: make it slower"
            _kill_9(proc)
        finally:
            _reap(proc)
    assert json.loads(listed.stdout)["runs"][0]["status"] == "running"
    assert busy.returncode == 2
    assert "run 1 is going on in another ChatDesk window or terminal" in busy.stderr
    assert asked_before <= len(_done_cells(db)) + 1  # the refused resume asked nothing
    assert json.loads(cli("--list", "--json").stdout)["runs"][0]["status"] == "stopped"
    server.default_for("m1", Reply(text="fast"))
    server.default_for("m2", Reply(text="fast"))
    finished = cli("--resume", "1", "--json")
    assert finished.returncode == 0, finished.stderr
    assert len(_done_cells(db)) == 20
