"""Screenshots of the prompt-set run page and the New run dialog.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \\
        python tests/benchmarks/screenshots_runs.py OUT_DIR [--matrix]

Writes ``runs-<theme>-<lang>.png`` (a judged run of 12 prompts x 3 models, one cell
failed, the summary tab), ``runs-<theme>-<lang>-judge.png`` (the judge replies of a
row) and ``runs-dialog-<theme>-<lang>.png`` (the dialog with its estimate), from the
fake server. ``SHOT=theme,lang`` picks one; ``--matrix`` shoots light and dark in
English and Chinese, each in its own process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

KEY = "sk-shot-runs-0000"
MODELS = ["gpt-4o", "deepseek-chat", "qwen-max"]
JUDGE = "judge-model"
PROMPTS_EN = [
    "Explain recursion to a ten-year-old.",
    "Write a haiku about autumn rain.",
    "What is the capital of Australia?",
    "Summarize the plot of Hamlet in two sentences.",
    "Give three tips for writing clean Python.",
    "Translate 'good morning' into French and German.",
    "What causes the seasons on Earth?",
    "Name a sorting algorithm that is stable.",
    "Why is the sky blue?",
    "Suggest a name for a coffee shop.",
    "How many bones does an adult human have?",
    "Describe a rainbow without using colour words.",
]
PROMPTS_ZH = [
    "用小学生能懂的话解释递归。",
    "写一首关于秋雨的俳句。",
    "澳大利亚的首都是哪里？",
    "用两句话概括《哈姆雷特》的情节。",
    "给出写出整洁 Python 代码的三个建议。",
    "把“早上好”翻译成法语和德语。",
    "地球为什么有四季？",
    "说出一种稳定的排序算法。",
    "天空为什么是蓝色的？",
    "为咖啡店起个名字。",
    "成年人有多少块骨头？",
    "不用颜色词描述彩虹。",
]


def shoot(out: Path, theme: str, lang: str) -> list[Path]:
    from PySide6.QtWidgets import QApplication

    from chatdesk.eventloop import EventLoop
    from tests.fakeserver import FakeServer, Reply

    home = tempfile.mkdtemp(prefix="chatdesk-shot-")
    os.environ["CHATDESK_HOME"] = home
    os.environ["CHATDESK_API_KEY"] = KEY
    from chatdesk.core.services import open_store

    store = open_store()
    store.set_setting("app_settings", {"theme": theme, "language": lang})
    store.close()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from chatdesk.app import install_translations

    translators = install_translations(app, lang)  # kept: a translator must outlive its use
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)
    zh = lang.startswith("zh")
    prompts = PROMPTS_ZH if zh else PROMPTS_EN
    shots = [
        out / f"runs-{theme}-{lang}.png",
        out / f"runs-{theme}-{lang}-judge.png",
        out / f"runs-dialog-{theme}-{lang}.png",
    ]
    with FakeServer(api_key=KEY) as server:
        for i, model in enumerate(MODELS):
            answer = (
                f"{model} 的回答：这是一个清楚、简短的解释，附带一个例子。"
                if zh
                else f"{model} answers: a clear, short explanation with an example or two."
            )
            server.default_for(model, Reply(text=answer * (1 + i), chunk_chars=16))
        server.script_for("deepseek-chat", Reply.error(400, "This prompt was refused."))
        verdicts = iter(["[[A]]", "[[B]]", "[[A]]", "[[C]]"] * 100)
        server.responder = lambda body: (
            Reply(text=f"Answer A is more precise. {next(verdicts)}")
            if body.get("model") == JUDGE
            else None
        )
        from chatdesk.app import build
        from chatdesk.ui.rundialog import ColumnChoice

        args = argparse.Namespace(base_url=server.base_url, model=MODELS[0], provider=None)
        store, window, desk = build(args)
        window.resize(1280, 800)
        window.show()
        runs = desk.runs

        async def scenario() -> None:
            desk.start()
            await asyncio.sleep(0.3)
            dialog = runs.new_run()
            dialog.name.setText("Everyday questions" if not zh else "日常问题")
            dialog.set_prompts_text("\n".join(prompts))
            dialog.set_columns([ColumnChoice(m) for m in MODELS])
            dialog.set_judge(JUDGE)
            dialog.recheck()
            await asyncio.sleep(0.3)
            dialog.grab().save(str(shots[2]))
            dialog.start_button.click()
            await asyncio.sleep(0.1)
            while runs.busy:
                await asyncio.sleep(0.05)
            await asyncio.sleep(1.2)  # the throttled summary
            runs.view.select_cell(2, 1)
            await asyncio.sleep(0.3)
            window.grab().save(str(shots[0]))
            runs.view.tabs.setCurrentIndex(1)
            runs.view.select_cell(0, 0)
            await asyncio.sleep(0.3)
            window.grab().save(str(shots[1]))

        loop.run_until_complete(scenario())
        window.close()
        loop.run_until_complete(desk.aclose())
        store.close()
    del translators
    return shots


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screens")
    out.mkdir(parents=True, exist_ok=True)
    if "--matrix" in sys.argv[2:]:
        import subprocess

        for theme in ("light", "dark"):
            for lang in ("en", "zh_CN"):
                env = dict(os.environ, SHOT=f"{theme},{lang}")
                subprocess.run([sys.executable, __file__, str(out)], env=env, check=True)
        return
    theme, lang = os.environ.get("SHOT", "light,en").split(",")[:2]
    for path in shoot(out, theme, lang):
        print(path)


if __name__ == "__main__":
    main()
