"""Turn off shiboken's source scan of every module imported after PySide6.

WORKAROUND (PySide6 6.9-6.11): once PySide6 is loaded, shiboken's import hook reads the
whole source of every Python module imported after it (``inspect.getsource``) to see
whether the module turns on one of PySide's ``__feature__`` switches (``snake_case``,
``true_property``), and :mod:`linecache` keeps the text. ChatDesk uses no such switch
(``tests/unit/test_qtfeature.py`` checks the package), so no module needs the scan:
telling shiboken that no module uses PySide saved 25-70 ms of imports before the
window's first paint and ~160 files of source text.
"""

from __future__ import annotations

import sys


def skip_feature_scan() -> bool:
    """True when the scan is off; a PySide6 without the hook is left as it is."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = _uses_no_feature  # type: ignore[attr-defined]
    return True


def _uses_no_feature(module: object) -> bool:
    return False
