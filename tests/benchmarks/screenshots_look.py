"""Screenshots of the redesigned surface (issue 18): look at them after a change.

Not a test: a tool for looking. Each shot runs the real app (``run_app``) in its own
process with a fresh ChatDesk folder, at 800x600, 1366x768 and 1920x1080, light and dark,
English and 简体中文, of:

- ``empty``: a new chat (the model in use and the suggestions);
- ``chat``: a conversation with a long Markdown answer (code, table, math, emoji, Chinese);
- ``firstrun``: the first start without a key (the provider screen);
- ``settings``: the Settings dialog over the window;
- ``models``: the header's model list open (two providers, their cached lists).

Run under a display with CJK and emoji fonts, e.g.
``QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" python
tests/benchmarks/screenshots_look.py OUT_DIR``; it prints the PNG paths. SIZES, THEMES,
LANGS and KINDS (comma-separated) narrow the set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from screenshots import ANSWER  # noqa: E402 (the same Markdown tour as screenshots.py)

EXTRA = "\n\nEmoji and CJK in one line: 🚀 ✅ 🙂 — 你好，世界！数据已保存。\n"

CHILD = r"""
import os, sys
from PySide6.QtCore import QTimer, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QApplication, QDialog
import chatdesk.app as app_mod

w, h = (int(v) for v in os.environ["SHOT_SIZE"].split("x"))
kind = os.environ["SHOT_KIND"]
path = os.environ["SHOT_PATH"]
orig = app_mod.build_window


def grab(window):
    image = window.grab().toImage()
    tops = QApplication.topLevelWidgets()
    dialogs = [d for d in tops if isinstance(d, QDialog) and d.isVisible()]
    if dialogs:  # the dialog over the dimmed window, where it would open
        d = dialogs[0]
        painter = QPainter(image)
        painter.fillRect(image.rect(), QColor(0, 0, 0, 90))
        pic = d.grab()
        x = max(0, (window.width() - pic.width()) // 2)
        y = max(0, (window.height() - pic.height()) // 2)
        painter.drawPixmap(x, y, pic)
        painter.end()
    menus = [t for t in tops if t.objectName() == "model-menu" and t.isVisible()]
    if menus:  # the model list where it opened, over the window
        painter = QPainter(image)
        origin = window.mapToGlobal(window.rect().topLeft())
        painter.drawPixmap(menus[0].pos() - origin, menus[0].grab())
        painter.end()
    image.save(path)
    for d in dialogs:
        d.close()
    window.close()


def build_window(store):
    window, current = orig(store)
    window.resize(w, h)
    if kind == "settings":
        QTimer.singleShot(1200, window.settings_requested.emit)
    if kind == "models":
        QTimer.singleShot(2200, window.open_model_menu)
    def fit_dialog():
        for d in QApplication.topLevelWidgets():
            if isinstance(d, QDialog) and d.isVisible():
                d.resize(min(d.width(), w - 40), min(d.height(), h - 40))
    QTimer.singleShot(1800, fit_dialog)
    QTimer.singleShot(int(os.environ.get("SHOT_DELAY_MS", "2600")), lambda: grab(window))
    return window, current


app_mod.build_window = build_window
import argparse
args = argparse.Namespace(
    base_url=None, model=None, provider=None,
    screenshot=None, smoke_test=False, compare=False, models=None,
)
sys.exit(app_mod.run_app(args))
"""


def make_home(home: str, theme: str, language: str, kind: str) -> None:
    os.environ["CHATDESK_HOME"] = home
    from chatdesk.core.services import ensure_default_provider, open_store
    from chatdesk.store.rows import ProviderRow

    store = open_store()
    store.set_setting("app_settings", {"theme": theme, "language": language})
    ensure_default_provider(store)
    # A server that answers nothing: no request leaves the machine while the shot is taken.
    store.upsert_provider(ProviderRow("zero", "http://127.0.0.1:9/v1", "gpt-4o"))
    if kind == "models":
        ids = [
            "gpt-4o",
            "gpt-4o-mini",
            "o3-mini",
            "claude-sonnet-4-5",
            "gemini-2.5-pro",
            "deepseek-chat",
            "deepseek-reasoner",
            "qwen3-max",
            "glm-4.5",
            "kimi-k2",
        ]
        store.cache_models("provider:zero", [{"id": m} for m in ids])
        store.upsert_provider(
            ProviderRow("openrouter", "http://127.0.0.1:9/api/v1", "mistral-large")
        )
        store.cache_models(
            "provider:openrouter",
            [
                {"id": m}
                for m in ("anthropic/claude-opus-4-1", "meta-llama/llama-3.3-70b", "mistral-large")
            ],
        )
        store.set_setting("recent_models", {"provider:zero": ["gpt-4o", "claude-sonnet-4-5"]})
    if kind == "chat":
        for t in ("Trip plan", "Trip plan", "SQL question", "Email draft"):
            store.create_conversation(t, model="gpt-4o")
        zh = language.startswith("zh")
        title = "Markdown 之旅" if zh else "Markdown tour"
        cid = store.create_conversation(title, model="gpt-4o", provider="zero")
        q = (
            "怎样设置中转服务？请给出步骤、公式和代码。"
            if zh
            else ("How do I set up a relay? Show me the steps, a formula and some code.")
        )
        uid = store.add_message(cid, "user", q, make_current=True)
        store.add_message(
            cid,
            "assistant",
            ANSWER + EXTRA,
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
    out = sys.argv[1] if len(sys.argv) > 1 else "screens-look"
    os.makedirs(out, exist_ok=True)
    sizes = os.environ.get("SIZES", "800x600,1366x768,1920x1080").split(",")
    themes = os.environ.get("THEMES", "light,dark").split(",")
    languages = os.environ.get("LANGS", "en,zh_CN").split(",")
    kinds = os.environ.get("KINDS", "empty,chat,firstrun,settings,models").split(",")
    for kind in kinds:
        for size in sizes:
            for theme in themes:
                for lang in languages:
                    with tempfile.TemporaryDirectory() as home:
                        make_home(home, theme, lang, kind)
                        path = os.path.abspath(f"{out}/{kind}-{size}-{theme}-{lang}.png")
                        env = dict(
                            os.environ,
                            CHATDESK_HOME=home,
                            SHOT_SIZE=size,
                            SHOT_PATH=path,
                            SHOT_KIND=kind,
                        )
                        env.pop("CHATDESK_API_KEY", None)
                        env.pop("OPENAI_API_KEY", None)
                        if kind != "firstrun":
                            env["CHATDESK_API_KEY"] = "sk-shot-0000"
                        subprocess.run([sys.executable, "-c", CHILD], env=env, timeout=120)
                        print(path, flush=True)


if __name__ == "__main__":
    main()
