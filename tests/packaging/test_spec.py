"""packaging/chatdesk.spec, executed the way PyInstaller executes it, for Linux, Windows and macOS.

PyInstaller runs a spec with ``exec`` in a namespace holding SPECPATH, a few more paths and
its build classes (PyInstaller.building.build_main.main). Here the five build steps the spec
uses (Analysis, PYZ, EXE, COLLECT, BUNDLE) are recording stand-ins, since they cannot build
for another system on this machine; everything else is real: the spec's own code,
PyInstaller's ``collect_data_files`` and the ``sys.platform`` branches (``sys.platform`` is
patched only while the spec runs). The recorded calls are then checked against what the app
looks for at run time and against the launcher and AppStream files.

The last test changes the spec in ways that must be caught (a misspelt icon path, an
undefined name in the macOS branch, ...) and proves that each change makes the check fail.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# PyInstaller is imported here, before sys.platform is patched: it reads the platform once.
import PyInstaller
import PyInstaller.utils.hooks  # noqa: F401  (the spec imports collect_data_files from it)
import pytest
from PyInstaller.building.api import COLLECT, EXE, PYZ
from PyInstaller.building.build_main import Analysis
from PyInstaller.building.osx import BUNDLE

import chatdesk
from chatdesk import desktop, paths
from chatdesk.ui import icons

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "chatdesk.spec"
RES = ROOT / "resources"
ICO = RES / "icons" / "chatdesk.ico"
ICNS = RES / "icons" / "chatdesk.icns"
PLATFORMS = ("linux", "win32", "darwin")
EXPECTED_ICON = {"linux": None, "win32": ICO, "darwin": ICNS}
# The keyring backend each system needs in its bundle.
KEYRING_BACKEND = {
    "linux": "keyring.backends.SecretService",
    "win32": "keyring.backends.Windows",
    "darwin": "keyring.backends.macOS",
}
# Backends of the other systems: checked as files of the installed keyring, not imported.
FOREIGN_ONLY = {"keyring.backends.Windows", "keyring.backends.macOS"}
# Third-party packages whose data files the app needs (fonts, the codicon map, math symbols).
DATA_PACKAGES = ("qtawesome", "ziamath", "ziafont", "latex2mathml")


@dataclass
class Step:
    """One call of a PyInstaller build class, as the spec made it."""

    kind: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    # Analysis only: what the spec may read back from it (a.pure, a.scripts, ...).
    outputs: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        outputs = self.__dict__.get("outputs", {})
        if name in outputs:
            return outputs[name]
        raise AttributeError(f"{self.__dict__.get('kind')} has no attribute {name!r}")


@dataclass
class Build:
    """Every step of one run of the spec, in order."""

    platform: str
    steps: list[Step]

    def only(self, kind: str) -> Step:
        found = [s for s in self.steps if s.kind == kind]
        assert len(found) == 1, f"{self.platform}: {kind} called {len(found)} times, wanted once"
        return found[0]

    def count(self, kind: str) -> int:
        return sum(s.kind == kind for s in self.steps)


def _keywords(cls: type) -> set[str]:
    """The keyword arguments PyInstaller's ``cls`` reads (its __init__ takes **kwargs)."""
    source = inspect.getsource(cls.__init__)  # type: ignore[misc]
    return set(re.findall(r"""kwargs\.get\(\s*['"](\w+)['"]""", source))


def _stand_ins(steps: list[Step]) -> dict[str, Callable[..., Step]]:
    """Recording stand-ins for the five build classes, as strict as the real ones about
    their arguments: a keyword the real class would not read fails the run."""
    analysis_sig = inspect.signature(Analysis.__init__)
    named = [p for p in analysis_sig.parameters.values() if p.kind != p.VAR_KEYWORD]
    analysis_sig = analysis_sig.replace(parameters=named)

    def analysis(*args: Any, **kwargs: Any) -> Step:
        analysis_sig.bind(None, *args, **kwargs)  # TypeError on a misspelt keyword
        step = Step("Analysis", args, kwargs)
        outputs = ("pure", "scripts", "binaries", "datas", "zipped_data")
        step.outputs = {name: f"<Analysis.{name}>" for name in outputs}
        steps.append(step)
        return step

    def other(kind: str, real: type) -> Callable[..., Step]:
        known = _keywords(real)

        def make(*args: Any, **kwargs: Any) -> Step:
            unknown = sorted(set(kwargs) - known)
            assert not unknown, f"{kind}() is given keywords PyInstaller ignores: {unknown}"
            step = Step(kind, args, kwargs)
            steps.append(step)
            return step

        return make

    return {
        "Analysis": analysis,
        "PYZ": other("PYZ", PYZ),
        "EXE": other("EXE", EXE),
        "COLLECT": other("COLLECT", COLLECT),
        "BUNDLE": other("BUNDLE", BUNDLE),
    }


def _not_modelled(name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"the spec now uses {name}: teach tests/packaging/test_spec.py it")

    return call


def run_spec(source: str, platform: str, monkeypatch: pytest.MonkeyPatch) -> Build:
    """Execute the spec's ``source`` as PyInstaller does, with ``sys.platform`` = ``platform``."""
    steps: list[Step] = []
    namespace: dict[str, Any] = {
        # The names PyInstaller's build_main.main() provides (paths as for this spec).
        "DISTPATH": str(ROOT / "dist"),
        "HOMEPATH": PyInstaller.HOMEPATH,
        "SPEC": str(SPEC),
        "specnm": SPEC.stem,
        "SPECPATH": str(SPEC.parent),
        "WARNFILE": str(ROOT / "build" / "pyinstaller" / "warn-chatdesk.txt"),
        "workpath": str(ROOT / "build" / "pyinstaller" / SPEC.stem),
        "os": os,
        **{name: _not_modelled(name) for name in ("TOC", "MERGE", "Tree", "Splash")},
        **_stand_ins(steps),
    }
    code = compile(source, str(SPEC), "exec")
    with monkeypatch.context() as patch:
        patch.setattr(sys, "platform", platform)
        exec(code, namespace)
    return Build(platform, steps)


def _app_id_from_launcher_files() -> str:
    """The AppStream id, as the metainfo file states it and as the .desktop file is named."""
    metainfo = list(RES.glob("*.metainfo.xml"))
    entries = list(RES.glob("*.desktop"))
    assert len(metainfo) == 1 and len(entries) == 1, (metainfo, entries)
    component = ET.parse(metainfo[0]).getroot()
    app_id = component.findtext("id")
    assert app_id and metainfo[0].name == f"{app_id}.metainfo.xml"
    assert entries[0].name == f"{app_id}.desktop"
    assert component.findtext("launchable[@type='desktop-id']") == entries[0].name
    assert app_id == desktop.APP_ID
    return app_id


def _check_datas_land_where_the_app_looks(
    datas: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lay the data files out as COLLECT does (DEST/NAME under the bundle's _internal, which
    is sys._MEIPASS) and ask the app's own functions where they look, as in the bundle."""
    internal = tmp_path / "dist" / "chatdesk" / "_internal"
    for source, dest in datas:
        target = internal / dest / Path(source).name
        assert not target.exists(), f"two data files would be collected as {target}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "_MEIPASS", str(internal), raising=False)
        # The bundle has no chatdesk.resources (pyproject maps that package onto resources/
        # for pip installs only; PyInstaller leaves it out), so the app uses its fallbacks.
        patch.setitem(sys.modules, "chatdesk.resources", None)
        # Frozen modules' __file__ as PyInstaller sets it: sys._MEIPASS/chatdesk/NAME.py
        patch.setattr(paths, "__file__", str(internal / "chatdesk" / "paths.py"))
        patch.setattr(desktop, "__file__", str(internal / "chatdesk" / "desktop.py"))

        res = desktop.resources_dir()
        assert res == internal / "resources"
        assert desktop.icon_path().is_file()
        for size in desktop.HICOLOR_SIZES:
            assert desktop.icon_path(size).is_file(), f"icons/chatdesk-{size}.png not bundled"
        for name in (f"{desktop.APP_ID}.desktop", f"{desktop.APP_ID}.metainfo.xml"):
            assert (res / name).is_file(), f"{name} not bundled"
        assert "Exec=" in desktop.desktop_entry_text(["/opt/chatdesk/chatdesk"])
        assert (paths.i18n_dir() / "chatdesk_zh_CN.qm").is_file(), "translation not bundled"
        fonts = icons._font_dir()
        assert fonts == internal / "qtawesome" / "fonts", "codicon font not bundled"
        assert list(fonts.glob("codicon-[0-9]*.ttf")) and list(fonts.glob("codicon-charmap-*.json"))


def check_build(build: Build, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything the spec must have asked of PyInstaller on ``build.platform``."""
    platform = build.platform
    analysis = build.only("Analysis")
    pyz = build.only("PYZ")
    exe = build.only("EXE")
    coll = build.only("COLLECT")

    # The entry script and the import path.
    (script,) = analysis.args[0]
    assert Path(script) == ROOT / "chatdesk" / "__main__.py" and Path(script).is_file()
    assert [Path(p) for p in analysis.kwargs["pathex"]] == [ROOT]

    # Data files: every source exists; the app's own files land where the bundled app looks,
    # third-party files where their package looks (next to its frozen modules).
    datas = analysis.kwargs["datas"]
    assert datas and all(
        isinstance(d, tuple) and len(d) == 2 and all(isinstance(x, str) for x in d) for d in datas
    )
    for source, dest in datas:
        src = Path(source)
        assert src.is_absolute() and src.is_file(), f"{platform}: data file {source} missing"
        if src.is_relative_to(RES):
            continue  # checked below through the app's own look-up functions
        top = dest.split("/")[0]
        assert top in DATA_PACKAGES, f"{platform}: unexpected data file {source} -> {dest}"
        spec = importlib.util.find_spec(top)
        assert spec is not None and spec.submodule_search_locations
        package_parent = Path(next(iter(spec.submodule_search_locations))).parent
        assert src.parent == package_parent / dest, f"{source} collected as {dest}"
    for package in DATA_PACKAGES:
        assert any(
            dest.split("/")[0] == package and not source.endswith("py.typed")
            for source, dest in datas
        ), f"{platform}: no data files of {package}"
    _check_datas_land_where_the_app_looks(datas, tmp_path / platform, monkeypatch)

    # Hidden imports: each importable here, except the keyring backends of other systems,
    # which must at least exist in the installed keyring; this system's backend is listed.
    hidden = analysis.kwargs["hiddenimports"]
    assert len(hidden) == len(set(hidden)), "a hidden import is listed twice"
    assert KEYRING_BACKEND[platform] in hidden
    for name in hidden:
        if name in FOREIGN_ONLY:
            parent, _, leaf = name.rpartition(".")
            spec = importlib.util.find_spec(parent)
            assert spec is not None and spec.submodule_search_locations
            folder = Path(next(iter(spec.submodule_search_locations)))
            assert (folder / f"{leaf}.py").is_file() or (folder / leaf / "__init__.py").is_file(), (
                f"{name} is not in the installed keyring"
            )
        else:
            importlib.import_module(name)

    # The build chain: one-folder (binaries beside the exe), a console program named chatdesk
    # (the same binary is the CLI), the icon of this system.
    assert pyz.args == (analysis.pure,)
    assert exe.args[:2] == (pyz, analysis.scripts)
    assert exe.kwargs.get("exclude_binaries") is True
    assert exe.kwargs.get("name") == "chatdesk"
    assert exe.kwargs.get("console", True) is True  # PyInstaller's default is a console program
    icon = exe.kwargs.get("icon")
    expected = EXPECTED_ICON[platform]
    if expected is None:
        assert icon is None, f"{platform}: EXE icon {icon!r}"
    else:
        assert icon is not None and Path(icon) == expected, f"{platform}: EXE icon {icon!r}"
        assert Path(icon).is_file(), f"{platform}: icon {icon} does not exist"
    assert coll.args == (exe, analysis.binaries, analysis.datas)
    assert coll.kwargs.get("name") == "chatdesk"

    # macOS only: the .app, named by the AppStream id, with the .icns and the app's version.
    if platform != "darwin":
        assert build.count("BUNDLE") == 0, f"{platform}: BUNDLE made outside macOS"
        return
    bundle = build.only("BUNDLE")
    assert bundle.args == (coll,)
    assert bundle.kwargs.get("name") == "ChatDesk.app"
    assert bundle.kwargs.get("bundle_identifier") == _app_id_from_launcher_files()
    bundle_icon = bundle.kwargs.get("icon")
    assert bundle_icon is not None and Path(bundle_icon) == ICNS and ICNS.is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert bundle.kwargs.get("version") == pyproject["project"]["version"] == chatdesk.__version__
    assert (bundle.kwargs.get("info_plist") or {}).get("NSHighResolutionCapable") is True


@pytest.mark.parametrize("platform", PLATFORMS)
def test_spec_builds_the_right_bundle_for(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = run_spec(SPEC.read_text(encoding="utf-8"), platform, monkeypatch)
    assert sys.platform == "linux"  # restored after the spec ran
    check_build(build, tmp_path, monkeypatch)


# (what is changed, the text in the spec, its replacement, the platform where it shows)
MUTATIONS = [
    ("misspelt .icns", '"chatdesk.icns"', '"chatdesk.icsn"', "darwin"),
    ("misspelt .ico", '"chatdesk.ico"', '"chatdesk.icon"', "win32"),
    ("wrong platform key", '"win32": str(', '"windows": str(', "win32"),
    ("undefined name on macOS", "        coll,\n", "        collect,\n", "darwin"),
    ("wrong bundle id", '"io.github.chatdesk.ChatDesk"', '"io.github.chatdesk.chatdesk"', "darwin"),
    ("BUNDLE everywhere", 'if sys.platform == "darwin":', "if True:", "linux"),
    ("icons bundled in the wrong folder", '"resources/icons"', '"icons"', "linux"),
    ("translation in the wrong folder", '"resources/i18n"', '"i18n"', "win32"),
    ("missing data file", "chatdesk.svg", "chatdesk-logo.svg", "linux"),
    ("misspelt hidden import", '"chatdesk.ui.notify"', '"chatdesk.ui.notfy"', "linux"),
    ("no Windows keyring", '        "keyring.backends.Windows",\n', "", "win32"),
    ("a GUI-only program", "console=True", "console=False", "darwin"),
    ("misspelt keyword", "bundle_identifier=", "bundle_identifer=", "darwin"),
    ("misspelt Analysis keyword", "hiddenimports=", "hidden_imports=", "linux"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "old", "new", "platform"), MUTATIONS, ids=[m[0] for m in MUTATIONS]
)
def test_a_broken_spec_fails_the_check(
    what: str, old: str, new: str, platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = SPEC.read_text(encoding="utf-8")
    assert source.count(old) >= 1, f"{old!r} is no longer in the spec: update MUTATIONS"
    with pytest.raises((AssertionError, NameError, TypeError, ImportError)):
        check_build(
            run_spec(source.replace(old, new), platform, monkeypatch), tmp_path, monkeypatch
        )
