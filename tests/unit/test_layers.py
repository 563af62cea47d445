"""Structural rules of the package, each enforced here from the source (AST), not by luck.

Every ``import``/``from ... import`` anywhere in a module counts: at the top, inside a
function, under ``if TYPE_CHECKING:``. Relative imports are resolved to absolute names.
All of ``chatdesk/`` is read: every subpackage, recursively, and the top-level modules.

Layer rules (an annotation is a dependency too, so ``TYPE_CHECKING`` imports count here
as well; controllers may import core freely, so annotating with core types needs no
exception):

- api, store and core load no Qt (PySide6, shiboken6, qasync) and import nothing of
  ui, ctl, the wiring (app) or the command line (cli); from the top-level modules they
  may use only ``chatdesk`` itself, ``chatdesk.errors`` and ``chatdesk.paths``.
- store imports neither api nor core (errors are shared through ``chatdesk.errors``);
  api imports neither store nor core.
- widgets (ui) run no SQL or HTTP: no sqlite3, httpx, chatdesk.api, no controller, and of
  the store only ``chatdesk.store.rows`` (plain row dataclasses the widgets display;
  ``chatdesk.store`` itself would load the database layer).
- controllers (ctl) ask core, never the api: no chatdesk.api, httpx or sqlite3. A
  controller imports no other controller's module: only the shared services
  (``ctl.services``, ``ctl.endpoint``, ``ctl.pane``) and the child controllers it owns
  (:data:`CTL_CHILDREN`).
- the command line (cli) loads no Qt and imports neither widgets (ui) nor controllers
  (ctl): a terminal command must start without a display.
- nothing imports the wiring (``chatdesk.app``) except ``chatdesk.__main__``.

Cycles: the runtime import graph between chatdesk modules (imports in functions
included, ``TYPE_CHECKING`` imports excluded: they never execute) has no cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chatdesk"
QT = ("PySide6", "shiboken6", "qasync")
#: The helpers every controller may use (they are services, not peers).
CTL_SHARED = ("chatdesk.ctl.services", "chatdesk.ctl.endpoint", "chatdesk.ctl.pane")
#: Controllers that own (build and hold) another: the child never imports its owner.
CTL_CHILDREN = {
    "chatdesk.ctl.compare": (
        "chatdesk.ctl.arena",
        "chatdesk.ctl.compareactions",
        "chatdesk.ctl.comparerun",
        "chatdesk.ctl.comparetext",
    ),
    "chatdesk.ctl.compareactions": ("chatdesk.ctl.comparetext",),
    "chatdesk.ctl.comparerun": ("chatdesk.ctl.comparetext",),
    "chatdesk.ctl.settingsctl": ("chatdesk.ctl.assistantsctl",),
    "chatdesk.ctl.runs": ("chatdesk.ctl.runtext",),
}


@dataclass(frozen=True, slots=True)
class Import:
    """One imported name, resolved to absolute; ``typing_only`` under TYPE_CHECKING.

    ``source``: for ``from X import y`` the entry ``X.y`` has source ``X`` (and the entry
    ``X`` itself has source ``""``); None for a plain ``import``.
    """

    name: str
    line: int
    typing_only: bool
    source: str | None = None


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    """Every module of chatdesk/ (recursively), by dotted name."""
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, module: str, *, is_package: bool = False) -> list[Import]:
    """Every import in ``source`` (the text of ``module``), resolved to absolute names.

    ``from X import y`` yields ``X`` and ``X.y`` (``y`` may be a submodule).
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[Import] = []

    def visit(node: ast.AST, typing_only: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, True)
            for child in node.orelse:
                visit(child, typing_only)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(a.name, node.lineno, typing_only) for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                if node.level - 1 > len(package):
                    raise ValueError(f"{module}:{node.lineno}: relative import above the root")
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            found.append(Import(target, node.lineno, typing_only, ""))
            found.extend(
                Import(f"{target}.{a.name}", node.lineno, typing_only, target)
                for a in node.names
                if a.name != "*"
            )
        for child in ast.iter_child_nodes(node):
            visit(child, typing_only)

    visit(ast.parse(source), False)
    return found


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_violations(module: str, imports: list[Import]) -> list[str]:
    """The layer rules broken by ``module`` importing ``imports`` (empty: none)."""
    layer = _layer(module)
    forbidden: tuple[str, ...] = ()
    allowed: tuple[str, ...] = ()  # exceptions inside ``forbidden``
    upper = ("chatdesk.ui", "chatdesk.ctl", "chatdesk.app", "chatdesk.cli", "chatdesk.__main__")
    if layer in ("api", "store", "core"):
        others = tuple(
            f"chatdesk.{m}"
            for m in ("crash", "desktop", "eventloop", "selfcheck", "single", "resources")
        )
        forbidden = (*QT, *upper, *others)
        if layer == "store":
            forbidden += ("chatdesk.api", "chatdesk.core", "httpx")
        if layer == "api":
            forbidden += ("chatdesk.store", "chatdesk.core")
    elif layer == "ui":
        forbidden = ("sqlite3", "httpx", "chatdesk.api", "chatdesk.ctl", "chatdesk.store")
        forbidden += ("chatdesk.app",)
        allowed = ("chatdesk.store.rows",)
    elif layer == "ctl":
        forbidden = ("sqlite3", "httpx", "chatdesk.api", "chatdesk.app", "chatdesk.ctl")
        allowed = (*CTL_SHARED, *CTL_CHILDREN.get(module, ()))
    elif layer == "cli":
        forbidden = (*QT, "chatdesk.ui", "chatdesk.ctl", "chatdesk.app")
    elif module != "chatdesk.__main__":
        forbidden = ("chatdesk.app",)
        allowed = (module,)
    bad = []
    for imp in imports:
        name = imp.name
        if layer == "ctl" and name == "chatdesk.ctl":
            continue  # the package itself (its docstring only)
        if _under(name, forbidden) and not _under(name, allowed):
            bad.append(f"{module}:{imp.line} imports {name}")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (or a self-import)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:  # Tarjan's algorithm (the graph is small)
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, set[str]]:
    """Runtime edges between the given modules (``{name: (source, is_package)}``).

    ``from X import y`` is an edge to the submodule ``X.y`` when there is one, else to
    ``X`` (a parent package's ``__init__`` runs first anyway: it makes no edge of its own).
    """
    known = set(sources)
    graph: dict[str, set[str]] = {}
    for module, (source, is_package) in sources.items():
        edges = graph.setdefault(module, set())
        for imp in imports_of(source, module, is_package=is_package):
            if imp.typing_only or imp.source == "":
                continue
            target = imp.name
            if imp.source and target not in known:
                target = imp.source
            if target in known and target != module:
                edges.add(target)
    return graph


def _sources() -> dict[str, tuple[str, bool]]:
    return {
        name: (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for name, path in package_modules().items()
    }


# --- the real tree -------------------------------------------------------------------


def test_every_module_is_checked() -> None:
    names = package_modules()
    assert "chatdesk.app" in names and "chatdesk.errors" in names  # top-level modules
    assert "chatdesk.cli" in names and "chatdesk.cli.ask" in names
    assert "chatdesk.ctl.chat" in names and "chatdesk.store.rows" in names
    assert len(names) >= 100


def test_layer_rules_hold() -> None:
    bad = []
    for module, (source, is_package) in _sources().items():
        bad += layer_violations(module, imports_of(source, module, is_package=is_package))
    assert bad == []


def test_no_import_cycle() -> None:
    assert cycles(import_graph(_sources())) == []


def test_lower_layers_load_no_qt() -> None:
    """The real import, transitively: api, store and core leave Qt unloaded."""
    modules = sorted(m for m in package_modules() if _layer(m) in ("api", "store", "core"))
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'qasync'))]\n"
        "assert not bad, bad\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(modules) >= 40


def test_no_module_is_left_at_the_old_centre() -> None:
    """The one-exchange controller and its history twin moved into chatdesk.ctl."""
    assert not (PACKAGE / "controller.py").exists()
    assert not (PACKAGE / "historyctl.py").exists()


# --- the checker catches what it claims (planted breaks, no file written) -------------


@pytest.mark.parametrize(
    ("module", "source", "is_package"),
    [
        ("chatdesk.ui.planted", "from chatdesk.store import Store\n", False),
        ("chatdesk.ui.planted", "from chatdesk.store.db import Store\n", False),
        ("chatdesk.ui.planted", "import sqlite3\n", False),
        ("chatdesk.ui.planted", "from ..ctl import chat\n", False),
        ("chatdesk.ctl.planted", "from .. import api\n", False),
        ("chatdesk.ctl.planted", "from chatdesk.api.client import ChatClient\n", False),
        ("chatdesk.ctl.planted", "def f():\n    import httpx\n", False),
        ("chatdesk.ctl.planted", "from . import chat\n", False),
        ("chatdesk.ctl.planted", "from .history import HistoryController\n", False),
        ("chatdesk.ctl", "from .chat import Controller\n", True),
        ("chatdesk.core.planted", "def f():\n    import chatdesk.ui\n", False),
        (
            "chatdesk.core.planted",
            "class A:\n    def m(self):\n        from ..ctl import x\n",
            False,
        ),
        (
            "chatdesk.core.planted",
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from PySide6.QtCore import QObject\n",
            False,
        ),
        ("chatdesk.core.planted", "import qasync\n", False),
        ("chatdesk.core.planted", "from chatdesk.cli import main\n", False),
        ("chatdesk.store.planted", "from ..api import client\n", False),
        ("chatdesk.store.planted", "from chatdesk.core import services\n", False),
        ("chatdesk.api.planted", "from chatdesk.store import Store\n", False),
        ("chatdesk.api", "from . import client\nfrom ..core import x\n", True),
        ("chatdesk.core.planted", "from chatdesk.cli.ask import cmd_ask\n", False),
        ("chatdesk.cli.planted", "from chatdesk.app import build\n", False),
        ("chatdesk.cli.planted", "from chatdesk.ctl.chat import Controller\n", False),
        ("chatdesk.cli.planted", "def f():\n    from PySide6 import QtCore\n", False),
        ("chatdesk.ctl.planted", "from chatdesk import app\n", False),
    ],
)
def test_checker_catches_a_planted_break(module: str, source: str, is_package: bool) -> None:
    assert layer_violations(module, imports_of(source, module, is_package=is_package))


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("chatdesk.ui.planted", "from chatdesk.store.rows import MessageRow\n"),
        ("chatdesk.ctl.planted", "from .services import Services\nfrom ..core import x\n"),
        ("chatdesk.ctl.compare", "from .arena import ArenaController\n"),
        ("chatdesk.core.planted", "from ..errors import ChatdeskError\nfrom . import turns\n"),
        ("chatdesk.__main__", "from chatdesk.app import run_app\n"),
    ],
)
def test_checker_allows_what_the_rules_allow(module: str, source: str) -> None:
    assert layer_violations(module, imports_of(source, module)) == []


def test_relative_imports_resolve() -> None:
    names = {i.name for i in imports_of("from .. import api\n", "chatdesk.ctl.chat")}
    assert names == {"chatdesk", "chatdesk.api"}
    names = {i.name for i in imports_of("from .rows import X\n", "chatdesk.store", is_package=True)}
    assert names == {"chatdesk.store.rows", "chatdesk.store.rows.X"}


def test_checker_catches_a_planted_cycle() -> None:
    sources = {
        "chatdesk.ctl.one": ("from chatdesk.ctl import two\n", False),
        "chatdesk.ctl.two": ("def later():\n    from .one import x\n", False),
        "chatdesk.ctl": ("", True),
    }
    assert cycles(import_graph(sources)) == [["chatdesk.ctl.one", "chatdesk.ctl.two"]]


def test_typing_only_imports_make_no_cycle() -> None:
    sources = {
        "chatdesk.ctl.one": ("from chatdesk.ctl.two import x\n", False),
        "chatdesk.ctl.two": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .one import y\n",
            False,
        ),
    }
    assert cycles(import_graph(sources)) == []
