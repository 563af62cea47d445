"""Screenshots of the window at 800x600, 1366x768 and 1920x1080, light and dark, English
and 简体中文, of three conversations (``SCENES``):

* ``markdown``: a question and a long Markdown answer (list, quote, math, code, table,
  footnote), shown from the question down;
* ``stream``: the same, then a second question whose answer is streaming (its "Thinking"
  collapsed once the text started), fed into the window's model as deltas arrive;
* ``error``: a question whose answer failed with a 401 sent without a key (the error
  card), after an answer that worked.

Not a test: a tool for looking at the layout. Each shot runs the real app (``run_app``)
in its own process with a fresh history, a long server URL on the toolbar, and
optionally the Parameters panel open (``PANELS=closed,params``).

Run under a display (``xvfb-run -a -s "-screen 0 1920x1080x24"`` with QT_QPA_PLATFORM=xcb)
or offscreen: ``python tests/benchmarks/screenshots.py OUT_DIR`` prints the PNG paths.
``SIZES``, ``THEMES``, ``LANGS``, ``SCENES`` and ``PANELS`` (comma separated) choose.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

ANSWER = r"""Here is a short **summary** with the usual pieces:

## Steps

1. Open the *settings* and pick a provider.
2. Paste the key; it goes to the ~~config file~~ system keyring.

- [x] keyring
- [ ] proxy

> A quoted remark from the documentation, shown with a bar on its left.

The energy is $E = mc^2$ and the sum is

$$\sum_{k=1}^{n} k = \frac{n(n+1)}{2}$$

```python
def fib(n: int) -> int:
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a
```

| model | tokens/s |
|---|---|
| gpt-4o | 82.1 |
| deepseek-chat | 41.7 |

A claim with a footnote.[^1]

[^1]: The footnote text.
"""

CHILD = r"""
import os, sys
from PySide6.QtCore import QTimer
import chatdesk.app as app_mod

w, h = (int(v) for v in os.environ["SHOT_SIZE"].split("x"))
orig = app_mod.build_window

def build_window(store):
    window, current = orig(store)
    window.resize(w, h)
    def later():
        window.set_status(
            window.tr("Server: %1").replace("%1", "https://relay.example-gateway.com:8443/v1")
        )
        if os.environ.get("SHOT_PARAMS"):
            window.params_action.setChecked(True)
        scene = os.environ.get("SHOT_SCENE", "markdown")
        view, model = window.message_view, window.message_model
        if scene == "markdown" and model.rowCount():
            view.scroll_to_message(model.message(0).id)  # from the question down
        elif scene == "stream":
            from chatdesk.store.rows import MessageRow

            last = model.message(model.rowCount() - 1)
            model.append_message(MessageRow(9001, last.conversation_id, last.id, "user", STREAM_Q))
            model.append_message(MessageRow(
                9002, last.conversation_id, 9001, "assistant", "", status="streaming",
                model_requested="deepseek-reasoner", model="deepseek-reasoner",
            ))
            model.append_delta(9002, reasoning=STREAM_THINK)
            pieces = [STREAM_ANSWER[i:i + 12] for i in range(0, len(STREAM_ANSWER), 12)]
            def feed():
                if pieces:
                    model.append_delta(9002, pieces.pop(0))
                    QTimer.singleShot(30, feed)
            QTimer.singleShot(300, feed)
        if os.environ.get("SHOT_DEBUG"):
            QTimer.singleShot(500, lambda: print(
                "size", window.size(), "min", window.minimumSize(), window.minimumSizeHint(),
                "centre", window.centre.minimumSizeHint(), window.centre.currentWidget(),
                "toolbar", window.toolbar.minimumSizeHint(), flush=True))
    QTimer.singleShot(900, later)
    return window, current

STREAM_Q = os.environ.get("SHOT_STREAM_Q", "")
STREAM_THINK = "The user asks for a comparison; list the trade-offs, then a short table."
STREAM_ANSWER = os.environ.get("SHOT_STREAM_ANSWER", "")
app_mod.build_window = build_window
import argparse
args = argparse.Namespace(
    base_url="http://127.0.0.1:9/v1", model="gpt-4o", provider=None,
    screenshot=os.environ["SHOT_PATH"], smoke_test=False, compare=False, models=None,
)
sys.exit(app_mod.run_app(args))
"""


STREAM_ANSWER = """Two ways to run it, each with its trade-offs:

1. **A relay on your machine**: no extra hop, but it must stay running.
2. **A hosted gateway**: nothing to run, one more network hop and a bill.

```bash
chatdesk providers add relay --base-url http://127.0.0.1:8080/v1
chatdesk chat --provider relay "hello"
```

With a local relay the first token usually arrives within"""

STREAM_Q = {
    "en": "Should I run the relay locally or use a hosted gateway?",
    "zh": "中转服务应该在本地运行，还是用托管网关？",
}
ERROR_Q = {
    "en": "And the same with the provider that has no key yet?",
    "zh": "换成还没有设置密钥的服务商呢？",
}


def make_home(home: str, theme: str, language: str, scene: str = "markdown") -> None:
    os.environ["CHATDESK_HOME"] = home
    from chatdesk.core.services import open_store

    store = open_store()
    store.set_setting("app_settings", {"theme": theme, "language": language})
    cid = store.create_conversation("Markdown tour", model="gpt-4o")
    q = "How do I set up a relay? Show me the steps, a formula and some code."
    if language.startswith("zh"):
        q = "怎样设置中转服务？请给出步骤、公式和代码。"
    uid = store.add_message(cid, "user", q, make_current=True)
    aid = store.add_message(
        cid,
        "assistant",
        ANSWER,
        parent_id=uid,
        model="gpt-4o",
        usage={"prompt_tokens": 42, "completion_tokens": 210},
        ttft_ms=320.0,
        duration_ms=2900.0,
        finish_reason="stop",
        make_current=True,
    )
    if scene == "error":
        last = store.add_message(
            cid,
            "user",
            ERROR_Q["zh" if language.startswith("zh") else "en"],
            parent_id=aid,
            make_current=True,
        )
        store.add_message(
            cid,
            "assistant",
            "",
            parent_id=last,
            model_requested="gpt-4o",
            status="error",
            error="Incorrect API key provided: none (HTTP 401)",
            error_category="auth",
            meta={"http_status": 401, "key_sent": False, "failed_at": 0.0},
            make_current=True,
        )
    store.close()


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "screens"
    os.makedirs(out, exist_ok=True)
    sizes = os.environ.get("SIZES", "800x600,1366x768,1920x1080").split(",")
    themes = os.environ.get("THEMES", "light,dark").split(",")
    languages = os.environ.get("LANGS", "en,zh_CN").split(",")
    scenes = os.environ.get("SCENES", "markdown,stream,error").split(",")
    panels = os.environ.get("PANELS", "closed").split(",")
    shots = [
        (size, theme, lang, scene, panel)
        for size in sizes
        for theme in themes
        for lang in languages
        for scene in scenes
        for panel in panels
    ]
    for size, theme, lang, scene, panel in shots:
        zh = "zh" if lang.startswith("zh") else "en"
        with tempfile.TemporaryDirectory() as home:
            make_home(home, theme, lang, scene)
            name = f"{scene}-{size}-{theme}-{lang}" + ("-params" if panel == "params" else "")
            path = os.path.abspath(f"{out}/{name}.png")
            env = dict(
                os.environ,
                CHATDESK_HOME=home,
                CHATDESK_API_KEY="sk-shot-0000",
                SHOT_SIZE=size,
                SHOT_PATH=path,
                SHOT_SCENE=scene,
                SHOT_STREAM_Q=STREAM_Q[zh],
                SHOT_STREAM_ANSWER=STREAM_ANSWER,
                CHATDESK_SHOT_DELAY_MS="2500",
            )
            if panel == "params":
                env["SHOT_PARAMS"] = "1"
            subprocess.run([sys.executable, "-c", CHILD], env=env, timeout=120)
            print(path, flush=True)


if __name__ == "__main__":
    main()
