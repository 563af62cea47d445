"""Strict mode: a programming error (an unknown action, a failed save) raises.

Off for users: the window logs the error, shows a status line and goes on. The test
suite turns it on (tests/conftest.py) so that such a bug fails the test that meets it
instead of hiding in a log.
"""

from __future__ import annotations

_strict = False


def set_strict(on: bool) -> None:
    """Turn strict mode on or off for this process."""
    global _strict  # noqa: PLW0603 (one process-wide switch, set once at start)
    _strict = on


def strict() -> bool:
    """Whether a programming error should raise (see the module's docstring)."""
    return _strict
