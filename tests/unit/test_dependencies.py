"""Every third-party package the code reads or imports is a declared dependency.

A package present in the developer's venv but missing from pyproject.toml works here and
breaks a clean install (the bundle's icons went missing that way).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Packages the app needs at run time, by their distribution names.
NEEDED = {"pyside6-essentials", "httpx", "qasync", "keyring", "markdown", "pygments",
          "platformdirs", "ziamath", "mcp", "qtawesome"}  # fmt: skip


def test_runtime_packages_are_declared() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = set()
    for spec in config["project"]["dependencies"]:
        name = spec.split(";")[0]
        for cut in "<>=!~[ ":
            name = name.split(cut)[0]
        declared.add(name.strip().lower())
    assert NEEDED - declared == set()
