"""The math engine never loads on the GUI thread in the app, and never while streaming."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView


@pytest.fixture
def fresh_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(render, "_math_engine", None)
    monkeypatch.setattr(render, "_math_loading", None)
    monkeypatch.setattr(render, "_math_wanted", False)
    monkeypatch.setattr(render, "background_math", True)
    render.MATH_SVGS.clear()
    render.MATH_SIZES.clear()
    yield


def test_streaming_never_starts_the_engine(fresh_engine: None) -> None:
    stream = render.StreamRenderer()
    blocks, tail = stream.update("Energy: $E=mc^2$ and more\n\nnext paragraph")
    html = "".join(blocks) + tail
    assert "E=mc^2" in html and "math:" not in html  # TeX source shown for now
    assert render._math_loading is None  # nothing loads while the answer streams
    stream.finish()
    assert render._math_loading is not None  # the finished answer asks for it
    render._math_loading.join(30)
    assert render._math_engine is not None
    result = render.render_markdown("Energy: $E=mc^2$")
    assert result.math and result.math[0].startswith("math:")


def test_view_rerenders_math_once_the_engine_is_ready(
    qapp: QApplication, fresh_engine: None
) -> None:
    model = MessageListModel()
    view = MessageView(model)
    view.resize(700, 500)
    view.show()
    row = MessageRow(1, 1, None, "assistant", "Area: $\\pi r^2$", status="done")
    gen = render.math_generation
    model.set_messages([row], {})
    QApplication.processEvents()
    assert render._math_loading is not None  # started in the background, not awaited
    render._math_loading.join(30)
    assert render.math_generation == gen + 1
    deadline = time.monotonic() + 5
    while not render.MATH_SVGS and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert render.MATH_SVGS, "the message was not re-rendered with its math"
    view.close()
