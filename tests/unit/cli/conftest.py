"""The CLI tests' environment: a key in CHATDESK_API_KEY and a fake server that wants it.

The root conftest already gives each test its own CHATDESK_HOME and clears the keys
of the developer's shell; a module whose commands need the key marks itself with
``pytestmark = pytest.mark.usefixtures("env_key")``, so the other CLI modules (which
build their own subprocess environments) run without it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakeserver import FakeServer

CLI_KEY = "sk-test-cli-0123456789"


@pytest.fixture
def env_key(monkeypatch: pytest.MonkeyPatch) -> str:
    """The key the CLI reads from the environment (also the one :func:`server` accepts)."""
    monkeypatch.setenv("CHATDESK_API_KEY", CLI_KEY)
    return CLI_KEY


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A fake OpenAI-compatible server that answers 401 without :data:`CLI_KEY`."""
    with FakeServer(api_key=CLI_KEY) as srv:
        yield srv
