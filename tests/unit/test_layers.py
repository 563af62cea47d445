"""Structural rules of the package, each enforced here.

- api, store and core never load Qt; store never imports api (errors share chatdesk.errors).
- widgets (ui) never import SQL, HTTP or the api layer.
- controllers (ctl) never import the api layer: they ask core.
- app.py wires; nothing below it imports app, and ctl/ui/core import no controller
  module that imports them back (no import cycles between the layers).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "chatdesk"


def _modules(*layers: str) -> list[Path]:
    return sorted(p for layer in layers for p in (PACKAGE / layer).glob("*.py"))


def test_lower_layers_load_no_qt() -> None:
    modules = sorted(
        "chatdesk." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in _modules("api", "store", "core")
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
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _offenders(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in paths:
        found = sorted(n for n in _imports(path) if n.startswith(forbidden))
        if found:
            bad.append(f"{path.relative_to(PACKAGE)} imports {found}")
    return bad


def test_lower_layers_have_no_qt_imports_in_source() -> None:
    assert _offenders(_modules("api", "store", "core"), ("PySide6", "shiboken6")) == []


def test_store_does_not_import_the_http_layer() -> None:
    assert _offenders(_modules("store"), ("chatdesk.api", "httpx", "chatdesk.core")) == []


def test_api_knows_nothing_above_it() -> None:
    assert _offenders(_modules("api"), ("chatdesk.store", "chatdesk.core", "chatdesk.ui")) == []


def test_widgets_run_no_sql_or_http() -> None:
    forbidden = ("sqlite3", "httpx", "chatdesk.api", "chatdesk.store.db", "chatdesk.ctl")
    assert _offenders(_modules("ui"), forbidden) == []


def test_controllers_ask_core_never_the_api() -> None:
    assert _offenders(_modules("ctl"), ("chatdesk.api", "httpx", "sqlite3")) == []


def test_nothing_below_the_wiring_imports_it() -> None:
    paths = _modules("api", "store", "core", "ui", "ctl")
    assert _offenders(paths, ("chatdesk.app",)) == []
    assert _offenders(_modules("api", "store", "core", "ui"), ("chatdesk.ctl",)) == []


def test_no_module_is_left_at_the_old_centre() -> None:
    """The one-exchange controller and its history twin moved into chatdesk.ctl."""
    assert not (PACKAGE / "controller.py").exists()
    assert not (PACKAGE / "historyctl.py").exists()
