"""What ``chatdesk --smoke-test`` checks inside a running window (above all in the bundle).

A frozen build can start and still miss a data file or a lazily imported module that
only a later click would need: the translation, a Pygments lexer, the math engine and
its fonts, the SVG image plugin, the keyring backend. Each check here uses the real
part once and reports ``ok`` with a detail, or the reason it failed.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import Any


def _translation() -> str:
    from PySide6.QtCore import QTranslator

    from chatdesk.paths import i18n_dir

    path = i18n_dir() / "chatdesk_zh_CN.qm"
    translator = QTranslator()
    if not translator.load(str(path)):
        raise RuntimeError(f"cannot load {path}")
    text = translator.translate("MainWindow", "&File")
    if not text or text == "&File":
        raise RuntimeError(f"{path} has no Chinese for the File menu")
    return f"{path.name}: &File -> {text}"


def _markdown() -> str:
    from chatdesk.ui.render.convert import renderer

    result = renderer(False).render("# T\n\n```python\nx = 1\n```\n\n| a |\n|---|\n| b |\n", 0)
    if "<table" not in result.html or "<h1" not in result.html:
        raise RuntimeError("Markdown did not render a heading and a table")
    if "style=" not in result.html.split("<pre", 1)[-1]:
        raise RuntimeError("Pygments did not colour the Python code block")
    import markdown
    import pygments

    return f"markdown {markdown.__version__}, pygments {pygments.__version__}"


def _math() -> str:
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    from chatdesk.ui.render import mathtex

    saved = mathtex.background_math
    mathtex.background_math = False  # load it now, on this thread
    try:
        name = mathtex.render_math(r"\frac{a^2}{\sqrt{b}}", True, False)
    finally:
        mathtex.background_math = saved
    if name is None:
        raise RuntimeError("the math engine did not typeset a fraction")
    svg = QSvgRenderer(QByteArray(mathtex.MATH_SVGS[name]))
    if not svg.isValid():
        raise RuntimeError("QtSvg cannot read the typeset formula")
    return f"ziamath, {len(mathtex.MATH_SVGS[name])} bytes of SVG"


def _keyring() -> str:
    import keyring

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if name.startswith("keyring.backends.fail") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        raise RuntimeError(f"no usable backend although a D-Bus session exists ({name})")
    return name


def _icon() -> str:
    from PySide6.QtGui import QIcon

    from chatdesk.desktop import icon_path

    icon = QIcon(str(icon_path()))
    if icon.isNull() or icon.pixmap(64, 64).isNull():
        raise RuntimeError(f"the app icon {icon_path()} cannot be drawn")
    return icon_path().name


def _toolbar_icons() -> str:
    from chatdesk.ui.icons import icon

    drawn = icon("copy")
    if drawn.isNull() or drawn.pixmap(16, 16).isNull():
        raise RuntimeError("the toolbar icon font (qtawesome's codicons) is missing")
    return "codicons"


def _database() -> str:
    import sqlite3

    con = sqlite3.connect(":memory:")
    try:
        fts5 = con.execute("select sqlite_compileoption_used('ENABLE_FTS5')").fetchone()[0]
        version = con.execute("select sqlite_version()").fetchone()[0]
    finally:
        con.close()
    if not fts5:
        raise RuntimeError(f"SQLite {version} has no FTS5 (search would not work)")
    return f"SQLite {version} with FTS5"


CHECKS: dict[str, Callable[[], str]] = {
    "translation": _translation,
    "markdown": _markdown,
    "math": _math,
    "keyring": _keyring,
    "icon": _icon,
    "toolbar icons": _toolbar_icons,
    "database": _database,
}


def run_checks() -> dict[str, dict[str, Any]]:
    """Every check: ``{"ok": bool, "detail": str}``; a check never raises."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # noqa: BLE001 - a failed check is a result, not a crash
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    return results


def report() -> bool:
    """Print the results as one ``SELFCHECK {json}`` line; whether all passed."""
    results = run_checks()
    results["frozen"] = {"ok": True, "detail": str(bool(getattr(sys, "frozen", False)))}
    print("SELFCHECK " + json.dumps(results, ensure_ascii=False), flush=True)
    return all(r["ok"] for r in results.values())
