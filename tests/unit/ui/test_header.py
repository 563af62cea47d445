"""The header row (issue 18): the title renamed in place, the provider-and-model pill and
the list it opens (search, provider and vendor groups, typed ids, another provider's
model), by keyboard, with accessible names; against the fake server and the real store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from chatdesk.core.services import DEFAULT_MODEL
from chatdesk.store.rows import ProviderRow
from chatdesk.ui.header import ModelPill
from chatdesk.ui.modelmenu import ModelMenu
from tests.fakeserver import FakeServer, Reply
from tests.unit.ui.harness import Harness

pytestmark = pytest.mark.ui


def _name(widget: QWidget) -> str:
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name) if iface is not None else ""


def _open(h: Harness) -> ModelMenu:
    h.window.activateWindow()
    h.wait(lambda: bool(h.window.model_picker.models()))  # the server's list is in
    h.window.header.pill.click()
    menu = h.window.model_menu
    h.wait(lambda: menu.isVisible() and menu.search.hasFocus())
    return menu


@pytest.fixture
def relay(harness: Harness) -> Iterator[FakeServer]:
    """A second provider ("relay") with a cached list and a model used there before."""
    with FakeServer() as server:
        h = harness
        h.store.upsert_provider(
            ProviderRow(name="relay", base_url=server.base_url, default_model="glm-4.5")
        )
        h.store.cache_models(
            "provider:relay", [{"id": "claude-opus-4-1"}, {"id": "glm-4.5"}, {"id": "kimi-k2"}]
        )
        h.store.set_setting("recent_models", {"provider:relay": ["kimi-k2"]})
        h.desk.services.keys.set_for_session("relay", "sk-relay-0123456789")
        h.desk.endpoint.refresh_providers()
        yield server


def test_pill_reads_provider_and_model_and_elides_to_fit(qtbot) -> None:  # type: ignore[no-untyped-def]
    pill = ModelPill()
    qtbot.addWidget(pill)
    pill.set_parts("Zero", "gpt-4o")
    pill.resize(pill.sizeHint())
    assert pill.text() == "Zero · gpt-4o"
    assert _name(pill) == "Model: Zero · gpt-4o"
    pill.set_parts("Zero", "anthropic/claude-sonnet-4-5-20250929-thinking")
    pill.resize(pill.minimumSizeHint())
    shown = pill.text()
    assert shown != pill.full_text() and "…" in shown
    assert pill.fontMetrics().horizontalAdvance(shown) <= pill.width() - pill.iconSize().width()


def test_pill_shows_no_address_and_its_tooltip_does_masked(harness: Harness) -> None:
    w = harness.window
    pill = w.header.pill
    host = harness.server.base_url.split("://")[1].split("/")[0]
    assert pill.text() == f"{host} · gpt-4o"  # the --base-url server, by host
    assert "://" not in pill.text()
    assert harness.server.base_url in pill.toolTip() and "gpt-4o" in pill.toolTip()
    # A base URL with credentials (hostile settings file) is masked in the tooltip.
    w.set_providers(["zero"], "zero", urls={"zero": "https://bob:hunter2@relay.example/v1"})
    assert pill.text() == "Zero · gpt-4o"
    assert "***@relay.example" in pill.toolTip() and "hunter2" not in pill.toolTip()


def test_list_is_built_on_first_use_and_named(harness: Harness) -> None:
    w = harness.window
    assert w._model_menu is None  # noqa: SLF001 - nothing of it at start-up
    menu = _open(harness)
    assert _name(menu.search) == "Search models" and _name(menu.list) == "Models"
    assert _name(w.header.pill).startswith("Model: ")
    for button in (w.header.params_button, w.header.compare_button, w.header.more_button):
        assert _name(button) and button.toolTip()
    QTest.keyClick(menu.search, Qt.Key.Key_Escape)
    assert not menu.isVisible() and w.model_picker.current() == "gpt-4o"


def test_grouped_by_provider_then_vendor_recent_first(harness: Harness, relay: FakeServer) -> None:
    harness.desk.endpoint.remember_model("gpt-4o-mini")
    harness.desk.endpoint.refresh_models()
    harness.wait(lambda: "\x00recent" in harness.window.model_picker.groups())
    menu = _open(harness)
    host = harness.server.base_url.split("://")[1].split("/")[0]
    assert menu.headers() == [
        ("provider", host),  # the provider in use first
        ("vendor", "Recent"),
        ("vendor", "OpenAI"),
        ("vendor", "Anthropic"),
        ("vendor", "DeepSeek"),
        ("provider", "Relay"),
        ("vendor", "Recent"),
        ("vendor", "Anthropic"),
        ("vendor", "Zhipu"),
        ("provider", "Zero"),  # the preset: its default model at least
        ("vendor", "OpenAI"),
    ]
    assert menu.matches() == [
        ("", "gpt-4o-mini"),
        ("", "gpt-4o"),
        ("", "claude-sonnet-4-5"),
        ("", "deepseek-reasoner"),
        ("relay", "kimi-k2"),
        ("relay", "claude-opus-4-1"),
        ("relay", "glm-4.5"),
        ("zero", DEFAULT_MODEL),
    ]
    # Typing filters every provider's list (case-insensitive, anywhere in the id).
    QTest.keyClicks(menu.search, "CLAUDE")
    assert menu.matches() == [("", "claude-sonnet-4-5"), ("relay", "claude-opus-4-1")]
    assert menu.headers() == [
        ("provider", host),
        ("vendor", "Anthropic"),
        ("provider", "Relay"),
        ("vendor", "Anthropic"),
    ]
    menu.cancel()


def test_keyboard_walks_the_list_skipping_headers(harness: Harness) -> None:
    menu = _open(harness)
    assert menu.list.currentIndex().data() == "gpt-4o"  # the model in use
    QTest.keyClick(menu.search, Qt.Key.Key_Down)
    assert menu.list.currentIndex().data() == "gpt-4o-mini"
    QTest.keyClick(menu.search, Qt.Key.Key_Down)  # past the "Anthropic" header
    assert menu.list.currentIndex().data() == "claude-sonnet-4-5"
    QTest.keyClick(menu.search, Qt.Key.Key_Up)
    QTest.keyClick(menu.search, Qt.Key.Key_Up)
    QTest.keyClick(menu.search, Qt.Key.Key_Up)  # the top: stays on the first model
    assert menu.list.currentIndex().data() == "gpt-4o"
    QTest.keyClick(menu.search, Qt.Key.Key_Down)
    QTest.keyClick(menu.search, Qt.Key.Key_Return)
    assert not menu.isVisible()
    assert harness.window.model_picker.current() == "gpt-4o-mini"
    assert harness.window.header.pill.text().endswith(" · gpt-4o-mini")


def test_enter_on_text_matching_nothing_uses_it_as_typed(harness: Harness) -> None:
    h = harness
    menu = _open(h)
    QTest.keyClicks(menu.search, "my-private-model-v2")
    assert menu.matches() == []
    QTest.keyClick(menu.search, Qt.Key.Key_Return)
    picker = h.window.model_picker
    assert picker.current() == "my-private-model-v2" and picker.unlisted()
    assert h.window.header.unlisted_mark.isVisibleTo(h.window)  # marked, used all the same
    h.server.script(Reply(text="ok"))
    h.send("hello")
    assert h.body()["model"] == "my-private-model-v2"


def test_another_providers_model_switches_provider_and_model(
    harness: Harness, relay: FakeServer
) -> None:
    h = harness
    w = h.window
    chosen: list[object] = []
    w.provider_chosen.connect(lambda name: chosen.append(("provider", name)))
    w.model_picker.model_changed.connect(lambda model: chosen.append(("model", model)))
    menu = _open(h)
    QTest.keyClicks(menu.search, "kimi")
    assert menu.matches() == [("relay", "kimi-k2")]
    QTest.keyClick(menu.search, Qt.Key.Key_Return)
    assert chosen == [("provider", "relay"), ("model", "kimi-k2")]
    assert w.current_provider() == "relay" and w.header.pill.text() == "Relay · kimi-k2"
    relay.script(Reply(text="from the relay"))
    h.send("which server?")
    assert [r.json["model"] for r in relay.chat_requests] == ["kimi-k2"]
    conv = h.store.get_conversation(h.controller.conversation_id)
    assert conv is not None and (conv.provider, conv.model) == ("relay", "kimi-k2")


def test_title_is_renamed_in_place_and_esc_cancels(harness: Harness) -> None:
    h = harness
    w = h.window
    title = w.header.title
    QTest.keyClick(title.label, Qt.Key.Key_F2)
    assert not title.editing()  # a new chat has no title to rename yet
    h.server.script(Reply(text="hi"))
    h.send("Plan a trip to Kyoto")
    conv_id = h.controller.conversation_id
    stored = h.store.get_conversation(conv_id)
    assert stored is not None and title.title() == stored.title
    # Esc cancels: nothing is emitted, the title stays.
    renamed: list[tuple[int, str]] = []
    w.title_renamed.connect(lambda cid, text: renamed.append((cid, text)))
    title.label.setFocus()
    QTest.keyClick(title.label, Qt.Key.Key_F2)
    assert title.editing() and title.editor.hasFocus()
    QTest.keyClicks(title.editor, "Nope")
    QTest.keyClick(title.editor, Qt.Key.Key_Escape)
    assert not title.editing() and renamed == [] and title.title() == stored.title
    # Double-click, type, Enter: saved through the sidebar's rename path.
    QTest.mouseDClick(title.label, Qt.MouseButton.LeftButton)
    assert title.editing()
    title.editor.selectAll()
    QTest.keyClicks(title.editor, "Kyoto in autumn")
    QTest.keyClick(title.editor, Qt.Key.Key_Return)
    assert renamed == [(conv_id, "Kyoto in autumn")] and not title.editing()
    row = h.store.get_conversation(conv_id)
    assert row is not None and row.title == "Kyoto in autumn"
    assert w.conversations._model.conversation(conv_id).title == "Kyoto in autumn"  # noqa: SLF001
    # A rename from the sidebar reaches the header too; a new chat clears it.
    h.desk.conversations.rename(conv_id, "Kyoto, five days")
    assert title.title() == "Kyoto, five days"
    h.controller.new_conversation()
    assert title.title() == "New chat"
    QApplication.processEvents()


def test_tab_order_runs_sidebar_header_messages(harness: Harness) -> None:
    from tests.unit.ui.test_accessibility import tab_walk

    w = harness.window
    stops = tab_walk(w, harness)
    header = w.header
    row = header.tab_stops()
    assert harness.desk.mcp.button in row  # the tool servers' button, added later
    assert [s for s in stops if s in row] == row  # every stop of the row, left to right
    first, last = stops.index(row[0]), stops.index(row[-1])
    assert last - first == len(row) - 1  # together, nothing between them
    view = stops.index(w.message_view)
    sidebar = max(i for i, s in enumerate(stops) if w.conversations.isAncestorOf(s))
    assert sidebar < first and last < view


def test_the_status_names_the_server_as_the_pill_does(harness: Harness) -> None:
    """A provider stored as "zero" reads "Zero" in the pill: the status line says the same."""
    h = harness
    h.store.upsert_provider(
        ProviderRow(name="zero", base_url=h.server.base_url, default_model="gpt-4o")
    )
    h.desk.services.keys.set_for_session("zero", "sk-zero-0123456789")
    h.desk.endpoint.choose_provider("zero")
    assert h.window.status_label.text() == "Server: Zero"
