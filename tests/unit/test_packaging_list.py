"""Every package of chatdesk is listed for setuptools (a plain `pip install .` ships it)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_python_package_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "chatdesk").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found - listed == set(), f"not listed in pyproject.toml: {sorted(found - listed)}"
