"""The Parameters panel shows the temperature in force and where it comes from (issue 15).

A chat started from an assistant with temperature 0.3 sent 0.3 while the panel said
"default". Real window, real store, the fake server.
"""

from __future__ import annotations

import pytest

from tests.fakeserver import Reply
from tests.unit.ui.harness import Harness

pytestmark = pytest.mark.ui


def test_the_assistants_temperature_is_shown_as_the_assistants(harness: Harness) -> None:
    h = harness
    h.store.set_setting(
        "assistants",
        [{"name": "Calm", "system_prompt": "Be calm.", "params": {"temperature": 0.3}}],
    )
    h.desk.settings_ctl.assistants.start("Calm")
    panel = h.window.params_panel.temperature
    assert panel.value() == 0.3 and panel.from_assistant
    assert panel.spin.text() == "0.30 (assistant)"
    assert h.window.temperature.value() == 0.3 and h.window.temperature.from_assistant

    h.server.script(Reply(text="ok"))
    h.send("hello")
    assert h.body()["temperature"] == 0.3  # what the panel shows is what is sent

    panel.spin.setValue(0.5)  # the user's own value now: no longer "(assistant)"
    assert panel.spin.text() == "0.50" and not panel.from_assistant
    assert h.window.temperature.value() == 0.5 and not h.window.temperature.from_assistant
