"""Server-controlled text reaches the terminal with its control characters made visible."""

from __future__ import annotations

import sys

import pytest

from chatdesk.cli import main
from tests.fakeserver import FakeServer
from tests.mcpservers import ROOT

pytestmark = pytest.mark.usefixtures("env_key")

RAW_CONTROLS = ("\x1b", "\x07", "\u202e")


def test_mcp_list_shows_escapes_in_tool_names_and_descriptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    raw = str(ROOT / "tests" / "mcpraw.py")
    assert main(["mcp", "add", "raw", "--", sys.executable, raw, "--hostile-names"]) == 0
    capsys.readouterr()
    assert main(["mcp", "list"]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in RAW_CONTROLS)
    assert "x\\x1b]0;pwned\\x07y: \\u202eevil\\x1b[2J\\x1b[31mred" in out


def test_models_shows_escapes_in_model_ids(
    server: FakeServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.models = [
        {"id": "gpt\x1b]0;pwned\x07-4o", "owned_by": "\u202eemca"},
        {"id": "plain", "owned_by": "acme"},
    ]
    assert main(["models", "--base-url", server.base_url]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in RAW_CONTROLS)
    assert out.splitlines() == ["gpt\\x1b]0;pwned\\x07-4o  (\\u202eemca)", "plain  (acme)"]
