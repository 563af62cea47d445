"""HTML out: one standalone page (inline CSS, images as data URLs, no scripts) in which
model output is rendered as sanitised Markdown."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from chatdesk.core.arena.compare_export import CSS as COMPARE_CSS, comparison_view, html_turns
from chatdesk.core.history.transfer.model import select_conversations
from chatdesk.core.history.transfer.readable import (
    branch_note,
    code_fence,
    image_urls,
    message_figures,
    role_label,
    run_facts,
    run_result,
    tool_run,
    utc_time,
)
from chatdesk.core.mdguard import EXPORT_LIMITS, screen

if TYPE_CHECKING:
    from chatdesk.store import Store

_SAFE_HREF = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
_SAFE_IMG = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,", re.IGNORECASE)

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f4f5f7; color: #1d1f23;
  font: 15px/1.55 -apple-system, "Segoe UI", "Noto Sans", "PingFang SC",
  "Microsoft YaHei", sans-serif; }
main { max-width: 860px; margin: 0 auto; padding: 24px 16px 48px; }
section.conversation { margin-bottom: 48px; }
h1 { font-size: 1.5em; margin: 0 0 4px; }
.facts, .meta { color: #6b7280; font-size: 0.85em; }
.msg { margin: 14px 0; display: flex; flex-direction: column; }
.msg.user { align-items: flex-end; }
.role { font-weight: 600; font-size: 0.85em; color: #4b5563; margin: 0 6px 3px; }
.bubble { max-width: 92%; padding: 10px 14px; border-radius: 14px; background: #fff;
  border: 1px solid #e3e5e8; overflow-wrap: anywhere; }
.msg.user .bubble { background: #dbeafe; border-color: #bfdbfe; white-space: pre-wrap; }
.msg.system .bubble, .system-prompt { background: #fef9c3; border-color: #fde68a; }
.msg.error .bubble { border-color: #fca5a5; }
.error-text { color: #b91c1c; }
.bubble img { max-width: 100%; border-radius: 8px; display: block; margin: 6px 0; }
.bubble pre { overflow-x: auto; padding: 10px; border-radius: 8px; font-size: 0.9em; }
.bubble code { font-family: "JetBrains Mono", Consolas, Menlo, monospace; }
.bubble :not(pre) > code { background: #eef0f3; padding: 1px 4px; border-radius: 4px; }
.bubble table { border-collapse: collapse; } .bubble td, .bubble th
  { border: 1px solid #d1d5db; padding: 4px 8px; }
details.reasoning { color: #4b5563; font-size: 0.92em; margin-bottom: 6px; }
.tool-run pre { white-space: pre-wrap; }
details.reasoning > div { white-space: pre-wrap; border-left: 3px solid #d1d5db;
  padding-left: 10px; }
.system-prompt { padding: 8px 12px; border-radius: 10px; border: 1px solid; white-space: pre-wrap;
  margin: 10px 0; }
"""


class _HtmlRenderer:
    """Markdown -> HTML for untrusted model output: raw HTML escaped, unsafe links
    dropped, remote images turned into links (an exported file must not phone home),
    code highlighted with inline Pygments styles so the file needs no stylesheet."""

    def __init__(self) -> None:
        import markdown
        from markdown.treeprocessors import Treeprocessor

        class Sanitise(Treeprocessor):
            def run(self, root: Any) -> None:
                for el in root.iter():
                    if el.tag == "a" and not _SAFE_HREF.match(el.get("href", "")):
                        el.attrib.pop("href", None)
                    elif el.tag == "img" and not _SAFE_IMG.match(el.get("src", "")):
                        src = el.get("src", "")
                        el.tag = "a"
                        el.attrib.clear()
                        if _SAFE_HREF.match(src):
                            el.set("href", src)
                        el.text = f"[image: {src}]"

        md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "codehilite"],
            extension_configs={
                "codehilite": {"noclasses": True, "guess_lang": False, "pygments_style": "default"}
            },
            output_format="html",
        )
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(Sanitise(md), "chatdesk_sanitise", 0)
        self.md = md

    def render(self, text: str) -> str:
        self.md.reset()
        return self.md.convert(text)


def _message_html(renderer: _HtmlRenderer, text: str) -> str:
    """One message's Markdown as HTML; escaped plain text when it is too costly to convert
    or conversion fails (600 nested lists raise RecursionError), so one message never
    fails or stalls a whole export (issue 8)."""
    if screen(text, EXPORT_LIMITS) is None:
        try:
            return renderer.render(text)
        except Exception:  # noqa: BLE001 - untrusted model output
            pass
    return f'<pre style="white-space: pre-wrap;">{html.escape(text, quote=False)}</pre>'


def export_html(store: Store, ids: Iterable[int] | None = None) -> str:
    """One standalone HTML page (inline CSS, images as data URLs, no scripts)."""
    renderer = _HtmlRenderer()
    esc = html.escape
    sections: list[str] = []
    convs = select_conversations(store, ids)
    for conv in convs:
        path = store.active_path(conv.id)
        out = [
            '<section class="conversation">',
            f"<h1>{esc(conv.title or 'Untitled')}</h1>",
            f'<div class="facts">Created {esc(utc_time(conv.created))}'
            + (f" · model {esc(conv.model)}" if conv.model else "")
            + "</div>",
        ]
        if conv.system_prompt.strip():
            out.append(
                f'<div class="system-prompt"><b>System prompt</b>\n{esc(conv.system_prompt)}</div>'
            )
        view = comparison_view(store, conv.id)
        if view is not None:  # every column side by side, not the one branch
            out[0] = '<section class="conversation comparison">'
            out += html_turns(
                view, esc, lambda text: _message_html(renderer, text), message_figures
            )
            out.append("</section>")
            sections.append("\n".join(out))
            continue
        for m in path:
            classes = ["msg", re.sub(r"[^a-z]", "", m.role.lower()) or "other"]
            if m.status == "error":
                classes.append("error")
            status = "" if m.status == "done" else f" [{m.status}]"
            out.append(f'<div class="{" ".join(classes)}">')
            out.append(f'<div class="role">{esc(role_label(m) + status)}</div>')
            out.append('<div class="bubble">')
            if m.reasoning.strip():
                out.append(
                    '<details class="reasoning"><summary>Reasoning</summary>'
                    f"<div>{esc(m.reasoning)}</div></details>"
                )
            run = tool_run(m)
            if run is not None:
                title, took, args = run_facts(run)
                out.append(
                    f'<div class="tool-run"><b>Tool run</b> <code>{esc(title)}</code>'
                    + (f" · {esc(took)}" if took else "")
                    + f"<pre>{esc(args)}</pre>"
                )
                if run.get("error") is not None:
                    out.append(f'<p class="error-text">{esc(str(run["error"])[:4000])}</p>')
                result = run_result(m, run)
                if result:
                    # Collapsible like the window's card; short results open.
                    state = " open" if len(result) <= 600 else ""
                    out.append(
                        f"<details{state}><summary>Result ({len(result)} characters)</summary>"
                        f"<pre>{esc(result)}</pre></details>"
                    )
                out.append("</div>")
            elif m.content:
                # Users type plain text; models write Markdown.
                out.append(
                    esc(m.content) if m.role == "user" else _message_html(renderer, m.content)
                )
            for url in image_urls(store, m):
                if _SAFE_IMG.match(url):
                    out.append(f'<img src="{esc(url)}" alt="image">')
                else:
                    out.append(f'<a href="{esc(url)}">[image: {esc(url)}]</a>')
            for call in m.tool_calls or []:
                fn = call.get("function") or {}
                out.append(
                    f"<p><b>Tool call</b> <code>{esc(str(fn.get('name', '?')))}</code></p>"
                    + _message_html(renderer, code_fence(str(fn.get("arguments", "")), "json"))
                )
            if m.error:
                out.append(f'<p class="error-text">{esc(m.error)}</p>')
            out.append("</div>")
            meta = [utc_time(m.created), *message_figures(m)]
            out.append(f'<div class="meta">{esc(" · ".join(meta))}</div>')
            out.append("</div>")
        note = branch_note(store, conv, len(path))
        if note:
            out.append(f'<p class="facts">{esc(note)}</p>')
        out.append("</section>")
        sections.append("\n".join(out))
    title = convs[0].title if len(convs) == 1 else f"ChatDesk export ({len(convs)} conversations)"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No script may run and nothing may load from elsewhere, whatever the content.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'\">\n"
        f"<title>{esc(title or 'ChatDesk export')}</title>\n<style>{_CSS}{COMPARE_CSS}</style>\n"
        "</head>\n"
        "<body><main>\n" + "\n".join(sections) + "\n</main></body>\n</html>\n"
    )
