"""Shared test set-up: offscreen Qt, a hermetic CHATDESK_HOME, the fake server fixture."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Before any QApplication exists; override with QT_QPA_PLATFORM=xcb to watch tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

sys._called_from_test = True  # type: ignore[attr-defined]

from tests.fakeserver import fake_server  # noqa: E402,F401  (fixture re-export)


@pytest.fixture(autouse=True)
def chatdesk_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own ChatDesk folder and no key from the developer's shell."""
    home = tmp_path / "chatdesk-home"
    home.mkdir()
    monkeypatch.setenv("CHATDESK_HOME", str(home))
    monkeypatch.delenv("CHATDESK_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    yield home
