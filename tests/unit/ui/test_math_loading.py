"""The math engine never loads on the GUI thread in the app; formulas show as math while
an answer streams, as soon as they are complete (issue 11)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from chatdesk.store.rows import MessageRow
from chatdesk.ui import render
from chatdesk.ui.messagemodel import MessageListModel
from chatdesk.ui.messageview import MessageView
from chatdesk.ui.render import mathtex


@pytest.fixture
def fresh_engine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(mathtex, "_math_engine", None)
    monkeypatch.setattr(mathtex, "_math_loading", None)
    monkeypatch.setattr(mathtex, "_math_wanted", False)
    monkeypatch.setattr(mathtex, "background_math", True)
    render.MATH_SVGS.clear()
    render.MATH_SIZES.clear()
    yield


def test_streaming_loads_the_engine_in_the_background(fresh_engine: None) -> None:
    """Issue 11: a formula complete while streaming shows as math, not as $$...$$."""
    stream = render.StreamRenderer()
    blocks, tail = stream.update("Energy: $E=mc^2$ and more\n\nnext paragraph")
    html = "".join(blocks) + tail
    assert "E=mc^2" in html and "math:" not in html  # never waited for: TeX for now
    assert mathtex._math_loading is not None  # ...while the engine loads in a thread
    mathtex._math_loading.join(30)
    assert mathtex._math_engine is not None
    text = "Energy: $E=mc^2$ and more\n\nnext paragraph, then\n\n$$\\int_0^1 x\\,dx$$"
    blocks, tail = stream.update(text)
    assert "math:" in tail  # the complete display formula, still streaming
    assert any(name.startswith("math:") for name in stream.tail_math)
    result = render.render_markdown("Energy: $E=mc^2$")
    assert result.math and result.math[0].startswith("math:")


def test_an_unfinished_formula_stays_source_while_streaming(fresh_engine: None) -> None:
    render.start_math_engine()
    assert mathtex._math_loading is not None
    mathtex._math_loading.join(30)
    stream = render.StreamRenderer()
    _, tail = stream.update("The sum is $$\\sum_{k=1}^{n} k")
    assert "math:" not in tail and "sum_" in tail
    _, tail = stream.update("The sum is $$\\sum_{k=1}^{n} k$$")
    assert "math:" in tail


def test_view_rerenders_math_once_the_engine_is_ready(
    qapp: QApplication, fresh_engine: None
) -> None:
    model = MessageListModel()
    view = MessageView(model)
    view.resize(700, 500)
    view.show()
    row = MessageRow(1, 1, None, "assistant", "Area: $\\pi r^2$", status="done")
    gen = mathtex.math_generation
    model.set_messages([row], {})
    QApplication.processEvents()
    assert mathtex._math_loading is not None  # started in the background, not awaited
    mathtex._math_loading.join(30)
    assert mathtex.math_generation == gen + 1
    deadline = time.monotonic() + 5
    while not render.MATH_SVGS and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert render.MATH_SVGS, "the message was not re-rendered with its math"
    view.close()


def test_view_shows_math_in_an_answer_still_streaming(
    qapp: QApplication, fresh_engine: None
) -> None:
    model = MessageListModel()
    view = MessageView(model)
    view.resize(700, 500)
    view.show()
    text = "Area: $\\pi r^2$\n\nand still typing"
    row = MessageRow(1, 1, None, "assistant", text, status="streaming")
    model.set_messages([row], {})
    QApplication.processEvents()
    assert mathtex._math_loading is not None  # asked for while streaming, not awaited
    mathtex._math_loading.join(30)
    deadline = time.monotonic() + 5
    while not render.MATH_SVGS and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.02)
    assert render.MATH_SVGS, "the streaming message kept showing TeX source"
    view.close()
