"""Screenshots of the window at 800x600 and 1920x1080, light and dark, English and 简体中文.

Not a test: a tool for looking at the layout. Each shot runs the real app (``run_app``)
in its own process with a fresh history holding one conversation of typical Markdown, a
long server URL on the toolbar, and optionally the Parameters panel open.

Run under a display (``xvfb-run -a -s "-screen 0 1920x1080x24"`` with QT_QPA_PLATFORM=xcb)
or offscreen: ``python tests/benchmarks/screenshots.py OUT_DIR`` prints the PNG paths.
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
        if os.environ.get("SHOT_DEBUG"):
            QTimer.singleShot(500, lambda: print(
                "size", window.size(), "min", window.minimumSize(), window.minimumSizeHint(),
                "centre", window.centre.minimumSizeHint(), window.centre.currentWidget(),
                "toolbar", window.toolbar.minimumSizeHint(), flush=True))
    QTimer.singleShot(900, later)
    return window, current

app_mod.build_window = build_window
import argparse
args = argparse.Namespace(
    base_url="http://127.0.0.1:9/v1", model="gpt-4o", provider=None,
    screenshot=os.environ["SHOT_PATH"], smoke_test=False, compare=False, models=None,
)
sys.exit(app_mod.run_app(args))
"""


def make_home(home: str, theme: str, language: str) -> None:
    os.environ["CHATDESK_HOME"] = home
    from chatdesk.core.services import open_store

    store = open_store()
    store.set_setting("app_settings", {"theme": theme, "language": language})
    cid = store.create_conversation("Markdown tour", model="gpt-4o")
    q = "How do I set up a relay? Show me the steps, a formula and some code."
    if language.startswith("zh"):
        q = "怎样设置中转服务？请给出步骤、公式和代码。"
    uid = store.add_message(cid, "user", q, make_current=True)
    store.add_message(
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
    store.close()


def main() -> None:
    out = sys.argv[1] if len(sys.argv) > 1 else "screens"
    os.makedirs(out, exist_ok=True)
    sizes = os.environ.get("SIZES", "800x600,1920x1080").split(",")
    themes = os.environ.get("THEMES", "light,dark").split(",")
    languages = os.environ.get("LANGS", "en,zh_CN").split(",")
    panels = os.environ.get("PANELS", "closed,params").split(",")
    for size in sizes:
        for theme in themes:
            for lang in languages:
                for panel in panels:
                    with tempfile.TemporaryDirectory() as home:
                        make_home(home, theme, lang)
                        path = os.path.abspath(f"{out}/{size}-{theme}-{lang}-{panel}.png")
                        env = dict(
                            os.environ,
                            CHATDESK_HOME=home,
                            CHATDESK_API_KEY="sk-shot-0000",
                            SHOT_SIZE=size,
                            SHOT_PATH=path,
                            CHATDESK_SHOT_DELAY_MS="2500",
                        )
                        if panel == "params":
                            env["SHOT_PARAMS"] = "1"
                        subprocess.run([sys.executable, "-c", CHILD], env=env, timeout=120)
                        print(path, flush=True)


if __name__ == "__main__":
    main()
