"""After Markdown has built its tree: make it safe, and draw what models write.

Links keep their target only for http/https/mailto and no remote image is ever fetched
(``<img>`` may only name our own ``math:`` and ``img:`` resources). Task lists get
ballot boxes, footnotes small type, block quotes a bar.
"""

from __future__ import annotations

import re
from typing import Any

from chatdesk.ui.render.base import Theme

__all__ = ["FOOTNOTE_REF_RE", "extras", "footnote_ref_class", "sanitise"]

_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_RESOURCE_SCHEMES = ("math:", "img:")
FOOTNOTE_REF_RE = r"\[\^([^\]\s]{1,32})\](?!:)"
_FOOTNOTE_DEF_RE = re.compile(r"\[\^([^\]\s]{1,32})\]:[ \t]*")
_TASK_RE = re.compile(r"\[([ xX])\][ \t]+")


def footnote_ref_class() -> Any:
    """The inline processor for ``[^1]`` (built on first use: Markdown loads lazily)."""
    import xml.etree.ElementTree as ET

    from markdown.inlinepatterns import InlineProcessor

    class FootnoteRef(InlineProcessor):
        """``[^id]`` becomes a superscript ``id`` (its definition is shown where written)."""

        def handleMatch(  # noqa: N802 (Markdown's naming)
            self, m: re.Match[str], data: str
        ) -> tuple[Any, int, int]:
            sup = ET.Element("sup")
            sup.text = m.group(1)
            return sup, m.start(0), m.end(0)

    return FootnoteRef


def _task_box(li: Any) -> bool:
    """``- [ ] item`` / ``- [x] item``: a ballot box instead of the brackets."""
    holder = li
    if not (li.text or "").strip() and len(li) and li[0].tag == "p":
        holder = li[0]  # a loose list wraps the item in a paragraph
    text = holder.text or ""
    m = _TASK_RE.match(text)
    if m is None:
        return False
    holder.text = ("☑ " if m.group(1) in "xX" else "☐ ") + text[m.end() :]
    return True


def extras(root: Any, th: Theme) -> None:
    """Task-list boxes, footnote definitions in small type, quotes with a bar.

    Each block renders alone (a footnote's reference and its definition are in
    different blocks), so footnotes are shown where they are written, not collected.
    """
    import xml.etree.ElementTree as ET

    for parent in list(root.iter()):
        for idx, el in enumerate(list(parent)):
            if el.tag == "li":
                if _task_box(el):
                    parent.set("style", "list-style-type: none;")
            elif el.tag == "p" and el.text and el.text.startswith("[^"):
                m = _FOOTNOTE_DEF_RE.match(el.text)
                if m is not None:
                    sup = ET.Element("sup")
                    sup.text = m.group(1)
                    sup.tail = " " + el.text[m.end() :]
                    el.text = ""
                    el.insert(0, sup)
                    el.set("style", f"color:{th.muted}; font-size: small;")
            elif el.tag == "blockquote":
                table = ET.Element(
                    "table",
                    {
                        "cellspacing": "0",
                        "cellpadding": "0",
                        "style": "margin-top: 4px; margin-bottom: 8px;",
                    },
                )
                row = ET.SubElement(table, "tr")
                ET.SubElement(row, "td", {"width": "3", "bgcolor": th.quote_bar})
                body = ET.SubElement(
                    row, "td", {"style": f"padding-left: 12px; color: {th.quote_fg};"}
                )
                body.text = el.text
                for child in list(el):
                    body.append(child)
                table.tail = el.tail
                parent[idx] = table


def sanitise(root: Any) -> None:
    """Unsafe links become text; remote images become links; nothing is fetched."""
    for parent in root.iter():
        for idx, el in enumerate(list(parent)):
            if el.tag == "a":
                href = _clean_url(el.get("href", ""))
                if href.lower().startswith(_SAFE_SCHEMES):
                    el.attrib = {"href": href}
                else:
                    el.tag = "span"
                    el.attrib = {}
            elif el.tag == "img":
                src = _clean_url(el.get("src", ""))
                alt = el.get("alt") or ""
                tail = el.tail
                if src.lower().startswith(_RESOURCE_SCHEMES):
                    el.attrib = {"src": src, "alt": alt}
                    continue
                el.clear()
                el.tail = tail
                if src.lower().startswith(("http://", "https://")):
                    el.tag = "a"
                    el.set("href", src)
                    el.text = "🖼 " + (alt or src)
                else:
                    el.tag = "span"
                    el.text = alt or src
                parent[idx] = el


def _clean_url(url: str) -> str:
    return "".join(ch for ch in url.strip() if ch >= " " and ch != "\x7f")
