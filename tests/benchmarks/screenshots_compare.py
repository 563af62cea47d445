"""Screenshots of the compare view, as a user sees it after four answers came in.

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1920x1080x24" \\
        python tests/benchmarks/screenshots_compare.py OUT_DIR [--matrix]

Writes ``compare-<size>-<theme>-<lang>-<n>col[-blind].png`` (after the answers came in;
with 3 columns B's answer is carried forward, so the columns' chips show), the same name
with ``-new`` (before the first prompt: the editable headers) and, with 2 columns, with
``-diff`` (the word diff of the two rendered answers), with
2 to 4 columns (Markdown, code, a table, Chinese and emoji) from the fake server, so
layout, the headers, the narrow columns' buttons, the scroll bars and the figures can be
looked at in both themes and languages. ``SHOT=size,theme,lang,blind[,columns]`` picks
one; ``--matrix`` shoots 800x600, 1180x780, 1366x768 and 1920x1080 with 2, 3 and 4 columns in the
light and the dark theme, each in its own process (a fresh state per screenshot).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

KEY = "sk-shot-compare-0000"
MODELS = ["gpt-4o", "deepseek-chat", "claude-sonnet-4-5", "qwen-max"]


SIZES = ("800x600", "1180x780", "1366x768", "1920x1080")


def shoot(out: Path, size: str, theme: str, lang: str, blind: bool, columns: int = 4) -> Path:
    """One screenshot in a fresh data folder and a fresh process state."""
    from PySide6.QtWidgets import QApplication

    from chatdesk.eventloop import EventLoop
    from tests.fakeserver import FakeServer, Reply, markdown_reply

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
    models = MODELS[:columns]
    path = out / f"compare-{size}-{theme}-{lang}-{columns}col{'-blind' if blind else ''}.png"
    with FakeServer(api_key=KEY) as server:
        for i, model in enumerate(models):
            text = f"**{model}** 的回答 👋\n\n" + markdown_reply(300 + 150 * i)
            server.script_for(model, Reply(text=text, chunk_chars=16))
        from chatdesk.app import build

        args = argparse.Namespace(base_url=server.base_url, model=MODELS[0], provider=None)
        store, window, desk = build(args)
        w, h = (int(v) for v in size.split("x"))
        window.resize(w, h)
        window.show()
        cmp = desk.compare

        async def scenario() -> None:
            desk.start()
            await asyncio.sleep(0.2)
            cmp.new_comparison(list(models))
            if blind:
                cmp.view.blind_check.setChecked(True)
            await asyncio.sleep(0.3)
            window.grab().save(str(path.with_name(path.stem + "-new.png")))
            prompt = "比较一下：写一段带代码和表格的说明" if lang.startswith("zh") else "Explain it"
            cmp.view.composer.set_text(prompt)
            cmp.view.composer.send()
            while not cmp.exchanges or cmp.busy:
                await asyncio.sleep(0.02)
            await asyncio.sleep(1.0)  # idle rendering, figures, math
            if columns == 3:  # the rule at the columns: B carried, A and C continue from it
                cmp.set_carry(1, True)
                await asyncio.sleep(0.1)
            window.grab().save(str(path))
            if columns == 2:  # the word diff of the two rendered answers
                cmp.view.diff_check.setChecked(True)
                await asyncio.sleep(0.3)
                window.grab().save(str(path.with_name(path.stem + "-diff.png")))

        loop.run_until_complete(scenario())
        window.close()
        loop.run_until_complete(desk.aclose())
        store.close()
    del translators
    return path


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "screens")
    out.mkdir(parents=True, exist_ok=True)
    if "--matrix" in sys.argv[2:]:
        import subprocess

        for size in SIZES:
            for columns in (2, 3, 4):
                for theme in ("light", "dark"):
                    env = dict(os.environ, SHOT=f"{size},{theme},en,0,{columns}")
                    subprocess.run([sys.executable, __file__, str(out)], env=env, check=True)
        return
    spec = os.environ.get("SHOT", "1600x900,light,en,0").split(",")
    size, theme, lang, blind = spec[:4]
    columns = int(spec[4]) if len(spec) > 4 else 4
    print(shoot(out, size, theme, lang, blind == "1", columns))


if __name__ == "__main__":
    main()
