"""Structural rules: api/store/core never load Qt; widgets never import SQL or HTTP."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "chatdesk"


def test_lower_layers_load_no_qt() -> None:
    modules = sorted(
        "chatdesk." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for layer in ("api", "store", "core")
        for p in (PACKAGE / layer).glob("*.py")
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name.removesuffix('.__init__'))\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
        "print(len(sys.modules))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(modules) >= 12


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_lower_layers_have_no_qt_imports_in_source() -> None:
    for layer in ("api", "store", "core"):
        for path in (PACKAGE / layer).glob("*.py"):
            assert not any(n.startswith("PySide6") for n in _imports(path)), path


def test_widgets_run_no_sql_or_http() -> None:
    forbidden = ("sqlite3", "httpx", "chatdesk.api.client", "chatdesk.store.db")
    for path in (PACKAGE / "ui").glob("*.py"):
        bad = [n for n in _imports(path) if n.startswith(forbidden)]
        assert not bad, f"{path.name} imports {bad}"
