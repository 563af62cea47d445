"""A whole-answer deadline for the terminal (issue 8): a trickling server ends on time."""

from __future__ import annotations

import json
import time

import pytest

from chatdesk.cli import main
from chatdesk.core.settings import AppSettings
from tests.fakeserver import FakeServer, Reply

KEY = "sk-test-deadline-0123456789"


@pytest.fixture(autouse=True)
def env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATDESK_API_KEY", KEY)


def test_deadline_ends_a_trickling_answer_and_keeps_the_partial(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with FakeServer(api_key=KEY) as server:
        # The first 1,500 bytes at once, then one byte every 50 ms: never idle long
        # enough for --timeout, but it would take minutes to finish.
        server.script(Reply(text="partial words " * 40, trickle_s=0.05, trickle_after=1500))
        began = time.monotonic()
        code = main(["ask", "--json", "--base-url", server.base_url, "-m", "m",
                     "--timeout", "5", "--deadline", "1.5", "go"])  # fmt: skip
        took = time.monotonic() - began
        out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert out["error"]["category"] == "network"
    assert "deadline" in out["error"]["message"].lower()
    assert out["partial"]["content"].startswith("partial")
    assert took < 5  # ended by the deadline, not by the idle timeout


def test_settings_keep_a_deadline_in_range() -> None:
    assert AppSettings.from_dict({"total_timeout": 120}).total_timeout == 120.0
    assert AppSettings.from_dict({"total_timeout": 0}).total_timeout == 0.0
    assert AppSettings.from_dict({"total_timeout": -1}).total_timeout == 0.0
    assert AppSettings.from_dict({"total_timeout": float("inf")}).total_timeout == 0.0
    assert AppSettings.from_dict({"total_timeout": 10**400}).total_timeout == 0.0
