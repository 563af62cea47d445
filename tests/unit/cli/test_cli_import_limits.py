"""``chatdesk import`` on damaged and hostile exports: repaired or refused, and said
so (issue 8). Real ``chatdesk`` processes and a real SQLite file."""

from __future__ import annotations

import json
import resource
import zipfile
from pathlib import Path
from typing import Any

from chatdesk.store import Store
from tests.unit.cli.test_cli_reliability import chatdesk


def node(nid: str, parent: str | None, children: list[str], text: str, when: float) -> Any:
    return {
        "id": nid,
        "parent": parent,
        "children": children,
        "message": {
            "id": nid,
            "author": {"role": "user" if nid.startswith("u") else "assistant"},
            "create_time": when,
            "content": {"content_type": "text", "parts": [text]},
        },
    }


def test_parent_cycle_is_repaired_and_reported(chatdesk_home: Path, tmp_path: Path) -> None:
    export = [
        {
            "id": "loop",
            "title": "A loop",
            "create_time": 1.0,
            "mapping": {  # no root: u1's parent is a2, a2's parent is u1
                "a2": node("a2", "u1", ["u1"], "second", 20.0),
                "u1": node("u1", "a2", ["a2"], "first", 10.0),
            },
        },
        {"id": "empty", "title": "Nothing", "create_time": 2.0, "mapping": {}},
    ]
    path = tmp_path / "conversations.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    done = chatdesk(chatdesk_home, "import", str(path))
    assert done.returncode == 0, done.stderr
    assert "added 1 conversations (2 messages)" in done.stdout
    assert "“A loop”: its messages formed a parent cycle" in done.stdout
    assert "repaired by starting at the oldest one" in done.stdout
    assert "“Nothing”: no messages to import; left out." in done.stdout
    with Store(chatdesk_home / "history.sqlite3", readonly=True) as s:
        (conv,) = s.list_conversations()
        msgs = s.list_messages(conv.id)
        assert [(m.content, m.parent_id) for m in msgs] == [
            ("first", None),
            ("second", msgs[0].id),
        ]
    as_json = chatdesk(chatdesk_home, "import", "--json", str(path))
    assert len(json.loads(as_json.stdout)["notes"]) == 2  # said again, even when skipped


def test_deeply_nested_json_is_refused_naming_the_file(chatdesk_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    done = chatdesk(chatdesk_home, "import", str(path))
    assert done.returncode == 2
    assert "deep.json is nested too deeply" in done.stderr and "Traceback" not in done.stderr


def test_zip_that_expands_to_gigabytes_is_refused_from_its_headers(
    chatdesk_home: Path, tmp_path: Path
) -> None:
    bomb = tmp_path / "export.zip"
    zero = bytes(1 << 20)
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("conversations.json", "w", force_zip64=True) as member:
            for _ in range(1100):  # 1.1 GB of zeros, about 1 MB on disk
                member.write(zero)
    assert bomb.stat().st_size < 5 << 20
    done = chatdesk(chatdesk_home, "import", str(bomb))
    assert done.returncode == 2
    assert "expand to 1100 MB" in done.stderr and "refused" in done.stderr
    # Never read whole: the import process stayed small.
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert peak_kb < 600_000, peak_kb
