"""The Markdown engine is warmed up when it is about to be needed, not at start (issue 11:
an idle window does not hold ~7 MiB of Markdown, Pygments and lexer)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.store.rows import MessageRow

pytestmark = pytest.mark.ui


def _window(monkeypatch: pytest.MonkeyPatch) -> tuple[object, list[int]]:
    import chatdesk.app as app_mod
    from chatdesk.core.services import open_store

    calls: list[int] = []
    monkeypatch.setattr(app_mod, "run_warm_up", lambda: calls.append(1))
    store = open_store()
    window, _ = app_mod.build_window(store)
    store.close()
    app_mod.warm_up_when_needed(window)
    return window, calls


def test_typing_starts_the_warm_up_once(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, calls = _window(monkeypatch)
    assert calls == []  # an idle, empty window loads no Markdown
    window.composer.editor().setPlainText("Hello")  # type: ignore[attr-defined]
    window.composer.editor().setPlainText("Hello again")  # type: ignore[attr-defined]
    assert calls == [1]
    window.deleteLater()  # type: ignore[attr-defined]


def test_shown_messages_start_the_warm_up(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, calls = _window(monkeypatch)
    model = window.message_model  # type: ignore[attr-defined]
    model.set_messages([], {})
    assert calls == []
    model.set_messages([MessageRow(1, 1, None, "assistant", "**hi**", status="done")], {})
    assert calls == [1]
    window.deleteLater()  # type: ignore[attr-defined]
