"""History that must not break: bad times in imports and in the database, huge ids.

Real SQLite files and the real ``chatdesk`` entry point (in-process ``main``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from chatdesk.cli import main
from chatdesk.store import Store

HUGE = str(2**63 + 5)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _message(mid: int, parent: int | None, role: str, created: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "parent": parent,
        "role": role,
        "content": f"{role} text",
        "parts": None,
        "reasoning": "",
        "name": None,
        "tool_calls": None,
        "tool_call_id": None,
        "model_requested": None,
        "model": None,
        "finish_reason": None,
        "usage": None,
        "ttft_ms": None,
        "duration_ms": None,
        "status": "done",
        "error": None,
        "error_category": None,
        "choice_index": 0,
        "created": created,
        "updated": created,
        "meta": {},
    }


def _export(path: Path, times: list[Any]) -> Path:
    """A ChatDesk export, one conversation per time (its messages share that time)."""
    convs = [
        {
            "id": f"chatdesk:test-{i}",
            "title": f"conv {i}",
            "created": t,
            "updated": t,
            "pinned": False,
            "system_prompt": "",
            "model": None,
            "provider": None,
            "params": {},
            "current_leaf": 2,
            "messages": [_message(1, None, "user", t), _message(2, 1, "assistant", t)],
        }
        for i, t in enumerate(times)
    ]
    doc = {"format": "chatdesk-export", "version": 1, "images": {}, "conversations": convs}
    path.write_text(json.dumps(doc), encoding="utf-8")  # NaN / Infinity as Python writes them
    return path


def test_import_repairs_milliseconds_and_replaces_non_dates(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path, tmp_path: Path
) -> None:
    src = _export(tmp_path / "x.json", [1_700_000_000_000, 1e300, float("nan"), float("inf")])
    code, out, err = run(capsys, "import", str(src), "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["conversations_added"] == 4
    notes = " ".join(report["notes"])
    assert "6 times were in milliseconds" in notes  # created + updated of 3 rows
    assert "18 times were not valid dates" in notes

    with Store(chatdesk_home / "history.sqlite3", readonly=True) as store:
        times = store.conn.execute(
            "SELECT created FROM conversations UNION ALL SELECT created FROM messages"
        ).fetchall()
    assert all(0 <= t <= 253_402_300_799 for (t,) in times), times
    assert (1_700_000_000.0,) in times  # milliseconds read as seconds, not dropped

    code, out, err = run(capsys, "history", "list")
    assert code == 0, err
    assert "2023-11-14T22:13:20Z" in out and out.count("conv ") == 4
    for fmt in ("md", "html"):
        code, out, err = run(capsys, "export", "--all", "--format", fmt)
        assert code == 0, err
        assert "2023-11-14 22:13 UTC" in out


@pytest.mark.parametrize("bad", ["1.7e12", "9e999", "-9e999", "'not a date'"])
def test_a_bad_stored_time_breaks_neither_listing_nor_export(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path, bad: str
) -> None:
    path = chatdesk_home / "history.sqlite3"
    with Store(path) as store:
        cid = store.create_conversation("broken", created=1_700_000_000.0)
        store.add_message(cid, "user", "hello", created=1_700_000_001.0)
        good = store.create_conversation("fine", created=1_700_000_100.0)
        store.add_message(good, "user", "still here", created=1_700_000_101.0)
    raw = sqlite3.connect(path)  # what an older version or another tool may have stored
    with raw:
        raw.execute(
            f"UPDATE conversations SET created = {bad}, updated = {bad} WHERE id = ?", (cid,)
        )
        raw.execute(f"UPDATE messages SET created = {bad} WHERE conversation_id = ?", (cid,))
    raw.close()

    code, out, err = run(capsys, "history", "list")
    assert code == 0, err
    assert "broken" in out and "fine" in out
    code, out, err = run(capsys, "history", "list", "--json")
    assert code == 0, err
    assert {c["title"] for c in json.loads(out)["conversations"]} == {"broken", "fine"}
    code, out, err = run(capsys, "history", "show", str(cid))
    assert code == 0, err
    for fmt in ("md", "html"):
        code, out, err = run(capsys, "export", "--all", "--format", fmt)
        assert code == 0, err
        assert "hello" in out and "still here" in out and "unknown date" in out
    # The lossless export is strict JSON (no Infinity/NaN) and comes back in.
    code, out, err = run(capsys, "export", "--all", "--format", "json")
    assert code == 0, err

    def refuse(token: str) -> float:
        raise AssertionError(f"{token} is not JSON")

    json.loads(out, parse_constant=refuse)
    backup = chatdesk_home / "backup.json"
    backup.write_text(out, encoding="utf-8")
    path.unlink()
    code, out, err = run(capsys, "import", str(backup))
    assert code == 0, err
    code, out, err = run(capsys, "history", "list")
    assert code == 0, err
    assert "broken" in out and "fine" in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("vote", HUGE, "A"), f"no comparison with id {HUGE}"),
        (("vote", "-" + HUGE, "A"), f"no comparison with id -{HUGE}"),
        (("history", "show", HUGE), f"no conversation with id {HUGE}"),
        (("history", "show", "9" * 40), f"no conversation with id {'9' * 40}"),
        (("export", HUGE), f"no conversation with id {HUGE}"),
        (("export", "1", HUGE, "--format", "md"), f"no conversation with id {HUGE}"),
    ],
)
def test_an_id_beyond_sqlite_integers_is_no_such_thing(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path, argv: tuple[str, ...], said: str
) -> None:
    with Store(chatdesk_home / "history.sqlite3") as store:
        store.create_conversation("one", created=1_700_000_000.0)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert said in err and "Traceback" not in err and "Overflow" not in err


def test_ask_into_an_id_beyond_sqlite_integers_sends_nothing(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path, fake_server: Any
) -> None:
    code, out, err = run(
        capsys, "ask", "--base-url", fake_server.base_url, "--conversation", HUGE, "hello"
    )
    assert code == 2
    assert f"no conversation with id {HUGE}" in err
    assert fake_server.requests == []


def test_a_huge_limit_lists_everything(
    capsys: pytest.CaptureFixture[str], chatdesk_home: Path
) -> None:
    with Store(chatdesk_home / "history.sqlite3") as store:
        cid = store.create_conversation("only one", created=1_700_000_000.0)
        store.add_message(cid, "user", "needle", created=1_700_000_001.0)
    code, out, err = run(capsys, "history", "list", "--limit", "9" * 30)
    assert code == 0, err
    assert "only one" in out
    code, out, err = run(capsys, "history", "search", "needle", "--limit", "9" * 30)
    assert code == 0, err
    assert "1 match" in out
