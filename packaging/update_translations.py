"""Refresh the Simplified Chinese translation: lupdate → fill from zh_CN.json → lrelease.

Usage: python packaging/update_translations.py [--check]

``resources/i18n/zh_CN.json`` maps each English source string to its translation
(keyed by "Context|source" when a string needs a context-specific translation).
With --check, exits 1 and lists the strings that have no translation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
TS = I18N / "chatdesk_zh_CN.ts"
QM = I18N / "chatdesk_zh_CN.qm"
TABLE = I18N / "zh_CN.json"


def sources() -> list[str]:
    files = sorted(str(p) for p in (ROOT / "chatdesk").rglob("*.py") if "api" not in p.parts)
    return files


def main() -> int:
    check = "--check" in sys.argv
    subprocess.run(
        ["pyside6-lupdate", *sources(), "-ts", str(TS), "-no-obsolete", "-silent"],
        check=True,
        cwd=ROOT,
    )
    table: dict[str, str] = json.loads(TABLE.read_text(encoding="utf-8")) if TABLE.exists() else {}
    tree = ET.parse(TS)
    missing: list[str] = []
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source") or ""
            translation = message.find("translation")
            assert translation is not None
            text = table.get(f"{name}|{source}", table.get(source))
            if text:
                forms = translation.findall("numerusform")
                if forms:  # %n strings: Chinese has a single plural form
                    translation.text = None
                    for form in forms:
                        form.text = text
                else:
                    translation.text = text
                translation.attrib.pop("type", None)
            else:
                missing.append(f"{name}|{source}")
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    subprocess.run(["pyside6-lrelease", str(TS), "-qm", str(QM), "-silent"], check=True, cwd=ROOT)
    if missing:
        print(f"{len(missing)} strings without a translation:")
        for item in missing:
            print("  " + item)
        return 1 if check else 0
    print(f"translations complete: {QM.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
