"""Shared fixtures: a real SQLite file per test (WAL, as in the app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatdesk.store import Store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the test database lives."""
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    """A freshly migrated store on disk."""
    with Store(db_path) as s:
        yield s
