"""The HTML of the fixed parts of a message: header, "Thinking" section, footer, user text.

Pure functions of a row (plus the view's colours and open/closed state), so every
view renders the same row the same way; strings use the ``MessageView`` context.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from urllib.parse import quote

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QImage

from chatdesk.store.rows import MessageRow, MessageStatus
from chatdesk.ui.actions import MessageAction, ViewToggle, action_href
from chatdesk.ui.messagestyle import CARD_TABLE, PALETTES, icon_html
from chatdesk.ui.render import highlight

__all__ = [
    "PALETTES",
    "VENDOR_COLOURS",
    "ROLE_NAMES",
    "error_card_html",
    "error_sentence",
    "foot_html",
    "head_html",
    "retry_wait",
    "stats",
    "think_html",
    "tool_card_html",
    "tool_result_html",
    "tr_view",
    "user_text_html",
]

#: What a tool card shows at most: arguments, a folded result, a whole result.
CARD_ARGS_CHARS = 4_000
FOLD_CHARS = 600
FOLD_LINES = 10
RESULT_CHARS = 60_000


def tr_view(text: object) -> str:
    """Translate a string marked with ``QT_TRANSLATE_NOOP("MessageView", ...)``.

    Takes ``object`` because the stubs type QT_TRANSLATE_NOOP's result so.
    """
    return QCoreApplication.translate("MessageView", str(text))


def _copy_label() -> str:
    return QCoreApplication.translate("MessageView", "Copy")


def _copy_icon() -> str:
    return icon_html("copy", "", 0)


highlight.copy_label = _copy_label  # the Copy link of code blocks, translated
highlight.copy_icon = _copy_icon  # and its icon, from the app's icon font


# The dot before a model's name: the vendor's colour (modelpicker.vendor_of names them).
VENDOR_COLOURS = {
    "OpenAI": "#10a37f",
    "Anthropic": "#d97757",
    "Google": "#4285f4",
    "DeepSeek": "#4d6bfe",
    "xAI": "#8b8b8b",
    "Qwen": "#615ced",
    "Meta": "#0668e1",
}


ROLE_NAMES: dict[str, object] = {
    "user": QT_TRANSLATE_NOOP("MessageView", "You"),
    "assistant": QT_TRANSLATE_NOOP("MessageView", "Assistant"),
    "system": QT_TRANSLATE_NOOP("MessageView", "System"),
    "tool": QT_TRANSLATE_NOOP("MessageView", "Tool"),
}


def head_html(row: MessageRow, pal: dict[str, str]) -> str:
    """The line above a message: a model badge for answers, nothing for the user's own.

    The badge is the model's name after a small dot in its vendor's colour; the user's
    words need no label (their bubble on the right says who wrote them). The branch
    switcher ``< n/m >`` is with the other actions (:func:`messagestyle.actions_html`).
    """
    model = row.model or row.model_requested
    if row.role == "user":
        return ""
    if row.role == "assistant":
        # A small model badge: the vendor's colour dot and the model's name (the role's
        # name for an answer of an unknown model, from an import or an old version).
        from chatdesk.ui.modelpicker import vendor_of

        dot = VENDOR_COLOURS.get(vendor_of(model), pal["muted"]) if model else pal["muted"]
        name = model or tr_view(ROLE_NAMES["assistant"])
        out = (
            f'<span style="color:{dot}; font-size: small;">●</span>&nbsp;'
            f'<span style="color:{pal["muted"]}; font-size: small; font-weight: 600;">'
            f"{html.escape(name)}</span>"
        )
    else:
        role = tr_view(ROLE_NAMES.get(row.role, row.role.title()))
        out = f'<span style="font-size: small; font-weight: 600;">{html.escape(role)}</span>'
    if row.role == "tool" and row.name:
        out += (
            f' <span style="color:{pal["muted"]}; font-size: small;">{html.escape(row.name)}</span>'
        )
    return f'<p style="color:{pal["fg"]};">{out}</p>'


def think_html(row: MessageRow, expanded: bool, pal: dict[str, str]) -> str:
    """The "Thinking" section: one muted line with a chevron (the reasoning when open)."""
    muted = pal["muted"]
    chevron = icon_html("chevron-down" if expanded else "chevron-right", muted, 14)
    chevron = chevron or ("▾" if expanded else "▸")
    label = html.escape(QCoreApplication.translate("MessageView", "Thinking"))
    size = html.escape(
        QCoreApplication.translate("MessageView", "{n} characters").format(n=len(row.reasoning))
    )
    head = (
        f'<p style="margin-bottom: 4px;">'
        f'<a href="{action_href(ViewToggle.THINKING)}" style="color:{muted};">'
        f"{chevron}&nbsp;{label}</a>"
        f' <span style="color:{muted}; font-size: small;">· {size}</span></p>'
    )
    if not expanded:
        return head
    return head + (
        f'<p style="color:{muted}; white-space: pre-wrap; margin-left: 16px;">'
        f"{html.escape(row.reasoning)}</p>"
    )


def tool_run(row: MessageRow) -> dict[str, object] | None:
    """The MCP run saved with a tool row (``meta["mcp"]``), or None for a typed result."""
    meta = row.meta if isinstance(row.meta, dict) else {}
    run = meta.get("mcp")
    return run if row.role == "tool" and isinstance(run, dict) else None


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    more = QCoreApplication.translate("MessageView", "{n} more characters").format(
        n=len(text) - limit
    )
    return f"{text[:limit]}\n… ({more})"


def _pretty_args(value: object) -> str:
    """Arguments as indented JSON (a string that is JSON is parsed first), bounded."""
    if isinstance(value, str):
        raw = value
        try:
            value = json.loads(raw[: 1 << 20])
        except (ValueError, RecursionError):
            return _cut(raw, CARD_ARGS_CHARS)
    try:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = str(value)
    return _cut(text, CARD_ARGS_CHARS)


def _result_text(row: MessageRow, run: dict[str, object]) -> str:
    result = run.get("result")
    return result if isinstance(result, str) else row.content


def foldable(text: str) -> bool:
    """Is a result long enough to be folded (shown whole on demand)?"""
    return len(text) > FOLD_CHARS or text.count("\n") >= FOLD_LINES


def _duration(ms: object) -> str:
    if not isinstance(ms, int | float) or isinstance(ms, bool) or not math.isfinite(ms):
        return ""
    if ms >= 1000:
        return QCoreApplication.translate("MessageView", "{s} s").format(s=f"{ms / 1000:.2f}")
    return QCoreApplication.translate("MessageView", "{ms} ms").format(ms=round(ms))


def tool_card_html(row: MessageRow, expanded: bool, pal: dict[str, str]) -> str:
    """The card of an MCP tool run: server, tool, arguments, duration, error, fold link."""
    run = tool_run(row) or {}
    server = html.escape(str(run.get("server", "?"))[:200])
    tool = html.escape(str(run.get("tool", row.name or "?"))[:200])
    facts = [_duration(run.get("duration_ms"))]
    error = run.get("error")
    line = f"🔧 <b>{server}</b> › <b>{tool}</b>"
    facts = [f for f in facts if f]
    if facts:
        line += f' <span style="color:{pal["muted"]};">· {html.escape(" · ".join(facts))}</span>'
    out = [line]
    label = html.escape(QCoreApplication.translate("MessageView", "Arguments"))
    out.append(
        f'<span style="color:{pal["muted"]}; font-size: small;">{label}</span>'
        f'<pre style="white-space: pre-wrap;">{html.escape(_pretty_args(run.get("arguments")))}'
        "</pre>"
    )
    if error is not None:
        text = html.escape(_cut(str(error), CARD_ARGS_CHARS))
        out.append(f'<span style="color:{pal["error"]};">⚠ {text}</span>')
    result = _result_text(row, run)
    if result and foldable(result):
        link = (
            QCoreApplication.translate("MessageView", "Hide the result")
            if expanded
            else QCoreApplication.translate(
                "MessageView", "Show the whole result ({n} characters)"
            ).format(n=len(result))
        )
        arrow = "▾" if expanded else "▸"
        out.append(
            f'<a href="{action_href(ViewToggle.TOOL_RESULT)}">{arrow} {html.escape(link)}</a>'
        )
    return (
        f"{CARD_TABLE}"
        f'style="background-color:{pal["card"]}; border: 1px solid {pal["border"]};">'
        f"<tr><td>{'<br>'.join(out)}</td></tr></table>"
    )


def tool_result_html(row: MessageRow, expanded: bool) -> str:
    """The result of a tool run: folded to its first lines unless ``expanded`` (bounded)."""
    run = tool_run(row)
    text = _result_text(row, run) if run is not None else row.content
    if not text:
        return ""
    if expanded or not foldable(text):
        shown = _cut(text, RESULT_CHARS)
    else:
        head = "\n".join(text[:FOLD_CHARS].split("\n")[:FOLD_LINES])
        shown = head + "\n…"
    return f'<pre style="white-space: pre-wrap;">{html.escape(shown)}</pre>'


def foot_html(
    row: MessageRow,
    wait: int | None,
    pal: dict[str, str],
    details_open: bool,
    thumb: Callable[[str], QImage | None],
) -> str:
    """Tool calls, images, status, an error card and the figures (actions: a row apart)."""
    out: list[str] = []
    muted = pal["muted"]
    reply = html.escape(QCoreApplication.translate("MessageView", "Reply with result"))
    for call in row.tool_calls or []:
        fn = call.get("function") if isinstance(call, dict) else None
        fn = fn if isinstance(fn, dict) else {}
        raw_name = str(fn.get("name", "?"))[:200]
        server, sep, tool = raw_name.partition("__")
        # An MCP tool is offered as server__tool (core.mcpconfig.tool_alias).
        name = (
            f"{html.escape(server)} › {html.escape(tool)}"
            if sep and server and tool
            else html.escape(raw_name)
        )
        pretty = _pretty_args(fn.get("arguments", ""))
        call_id = str(call.get("id", "")) if isinstance(call, dict) else ""
        out.append(
            f"{CARD_TABLE}"
            f'style="background-color:{pal["card"]}; border: 1px solid {pal["border"]}; '
            f'margin-bottom: 4px;"><tr><td>🔧 <b>{name}</b>'
            f'<pre style="white-space: pre-wrap;">{html.escape(pretty)}</pre>'
            f'<a href="{action_href(MessageAction.TOOL_RESULT, call_id)}">{reply}'
            f"</a></td></tr></table>"
        )
    images = [p for p in row.parts or [] if p.get("type") == "image" and p.get("hash")]
    if images:
        missing = html.escape(QCoreApplication.translate("MessageView", "image"))
        thumbs = []
        for p in images:
            h = quote(str(p["hash"]), safe="")
            img = thumb(str(p["hash"]))
            if img is not None:
                thumbs.append(f'<img src="img:{h}" width="{img.width()}" height="{img.height()}"> ')
            else:
                thumbs.append(f'<span style="color:{muted};">[{missing}]</span> ')
        # Not a <p>: the documents give paragraphs 140 % line height, which for a line
        # holding a 160 px thumbnail left a 64 px empty gap under it (issue 15).
        out.append('<div style="margin-bottom: 4px;">' + "".join(thumbs) + "</div>")

    status: list[str] = []
    cont = html.escape(QCoreApplication.translate("MessageView", "Continue"))
    if row.status == MessageStatus.STREAMING and not row.content and not row.reasoning:
        waiting = html.escape(QCoreApplication.translate("MessageView", "Waiting…"))
        status.append(f'<span style="color:{muted};">{waiting}</span>')
    if row.status == MessageStatus.ERROR:
        out.append(error_card_html(row, wait, pal, details_open))
    elif row.status in (MessageStatus.STOPPED, MessageStatus.INTERRUPTED):
        label = (
            QCoreApplication.translate("MessageView", "Stopped")
            if row.status == MessageStatus.STOPPED
            else QCoreApplication.translate("MessageView", "Interrupted")
        )
        status.append(
            f'<span style="color:{pal["warn"]};">{html.escape(label)}</span> · '
            f'<a href="{action_href(MessageAction.CONTINUE)}">{cont}</a>'
        )
    elif row.finish_reason == "length":
        text = html.escape(
            QCoreApplication.translate("MessageView", "The answer reached the length limit.")
        )
        status.append(
            f'<span style="color:{pal["warn"]};">{text}</span> · '
            f'<a href="{action_href(MessageAction.CONTINUE)}">{cont}</a>'
        )
    elif row.finish_reason == "content_filter":
        text = html.escape(
            QCoreApplication.translate("MessageView", "The answer was filtered by the provider.")
        )
        status.append(f'<span style="color:{pal["warn"]};">{text}</span>')
    if status:
        out.append('<p style="font-size: small;">' + "<br>".join(status) + "</p>")
    # The figures of an answer (the model is in the badge above it), small and muted.
    figures = stats(row, with_model=False) if row.role == "assistant" else []
    if figures and row.status != MessageStatus.STREAMING:
        out.append(
            f'<p style="color:{muted}; font-size: small;">{html.escape(" · ".join(figures))}</p>'
        )
    return "".join(out)


def error_card_html(
    row: MessageRow, wait: int | None, pal: dict[str, str], details_open: bool
) -> str:
    """A failed request in place: a card in the error colour, one sentence, Retry, Details."""
    sentence = html.escape(error_sentence(row, wait))
    details = html.escape(
        QCoreApplication.translate("MessageView", "Hide details")
        if details_open
        else QCoreApplication.translate("MessageView", "Details")
    )
    retry = html.escape(QCoreApplication.translate("MessageView", "Retry"))
    mark = icon_html("error", pal["error"]) or f'<span style="color:{pal["error"]};">⚠</span>'
    body = (
        f'<p style="color:{pal["fg"]};">{mark}&nbsp;&nbsp;{sentence}</p>'
        f'<p style="font-size: small; margin-top: 8px;">'
        f'<a href="{action_href(MessageAction.RETRY)}">{retry}</a>&nbsp;&nbsp;·&nbsp;&nbsp;'
        f'<a href="{action_href(ViewToggle.DETAILS)}">{details}</a></p>'
    )
    if details_open and row.error:
        body += (
            f'<pre style="color:{pal["muted"]}; white-space: pre-wrap; margin-top: 8px;">'
            f"{html.escape(row.error[:RESULT_CHARS])}</pre>"
        )
    return (
        f"{CARD_TABLE}"
        f'style="border: 1px solid {pal["error"]}; '
        f'margin-top: 4px; margin-bottom: 4px;"><tr><td>{body}</td></tr></table>'
    )


def retry_wait(row: MessageRow, now: float) -> int | None:
    """Seconds left before a rate-limited request may be retried (None: not applicable)."""
    if row.status != MessageStatus.ERROR or row.error_category != "rate_limit":
        return None
    meta = row.meta if isinstance(row.meta, dict) else {}
    after = meta.get("retry_after_s")
    failed = meta.get("failed_at") or row.updated or now
    try:
        after_s, failed_at = float(after), float(failed)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    # A stored value may come from an older version or a hostile file: a wait that is
    # not finite or longer than a day is not shown (it must never break painting).
    if not (math.isfinite(after_s) and math.isfinite(failed_at)) or not 0 <= after_s <= 86400:
        return None
    return max(0, math.ceil(failed_at + after_s - now))


def error_sentence(row: MessageRow, wait: int | None) -> str:
    """A readable explanation of a failed request, by category."""
    cat = row.error_category or ""
    if cat == "rate_limit":
        if wait is None:
            return QCoreApplication.translate(
                "MessageView", "Rate limited: the server asks you to wait before retrying."
            )
        if wait > 0:
            return QCoreApplication.translate("MessageView", "Rate limited: retry in {n} s").format(
                n=wait
            )
        return QCoreApplication.translate("MessageView", "Rate limited: you can retry now.")
    meta = row.meta if isinstance(row.meta, dict) else {}
    if cat == "auth" and meta.get("key_sent") is False:
        # A 401 to a request that carried no key: nothing was rejected, a key is missing.
        return QCoreApplication.translate(
            "MessageView",
            "No API key was sent, and this server requires one. Set the key for this "
            "provider in Settings.",
        )
    sentences = {
        "auth": QT_TRANSLATE_NOOP(
            "MessageView", "The API key was rejected. Check the key for this provider."
        ),
        "quota": QT_TRANSLATE_NOOP(
            "MessageView", "The account has no credit left. Top up the balance with your provider."
        ),
        "not_found": QT_TRANSLATE_NOOP(
            "MessageView", "The server does not know this model. Check the model name and base URL."
        ),
        "server": QT_TRANSLATE_NOOP(
            "MessageView", "The server had an internal error. Try again in a moment."
        ),
        "network": QT_TRANSLATE_NOOP(
            "MessageView",
            "Could not reach the server (network down, timeout or connection dropped).",
        ),
        "protocol": QT_TRANSLATE_NOOP(
            "MessageView", "The server sent a reply this client cannot read. Check the base URL."
        ),
        "content_filter": QT_TRANSLATE_NOOP(
            "MessageView", "The provider's content filter blocked the request or the answer."
        ),
        "bad_request": QT_TRANSLATE_NOOP(
            "MessageView", "The server refused the request as invalid."
        ),
        "permission": QT_TRANSLATE_NOOP(
            "MessageView", "This key is not allowed to use this model or endpoint."
        ),
    }
    return tr_view(sentences.get(cat, QT_TRANSLATE_NOOP("MessageView", "The request failed.")))


def stats(row: MessageRow, with_model: bool = True) -> list[str]:
    """Model, token counts and speed of an answer, as short readable pieces."""
    out: list[str] = []
    if row.model and with_model:
        out.append(row.model)
    usage = row.usage or {}
    pin, pout = usage.get("prompt_tokens"), usage.get("completion_tokens")
    if pin is not None or pout is not None:
        out.append(
            QCoreApplication.translate("MessageView", "{i} in / {o} out tokens").format(
                i=pin or 0, o=pout or 0
            )
        )
    if row.ttft_ms is not None:
        out.append(
            QCoreApplication.translate("MessageView", "first token {ms} ms").format(
                ms=round(row.ttft_ms)
            )
        )
    from chatdesk.core.chat.speed import generation_speed

    speed = generation_speed(pout, row.ttft_ms, row.duration_ms)  # the compare columns' too
    if speed is not None:
        out.append(QCoreApplication.translate("MessageView", "{r} tok/s").format(r=f"{speed:.1f}"))
    return out


# A user message longer than this is folded to its first lines (a pasted log, a file).
USER_FOLD_LINES = 24
USER_FOLD_CHARS = 2400
USER_SHOWN_LINES = 12


def user_text_html(text: str, expanded: bool) -> str:
    """A user's message; a very long one folded to its first lines with a link to unfold."""
    lines = text.split("\n")
    long = len(lines) > USER_FOLD_LINES or len(text) > USER_FOLD_CHARS
    shown = text
    if long and not expanded:
        shown = "\n".join(lines[:USER_SHOWN_LINES])[: USER_FOLD_CHARS // 2] + " …"
    body = f'<p style="white-space: pre-wrap;">{html.escape(shown)}</p>'
    if not long:
        return body
    if expanded:
        label = QCoreApplication.translate("MessageView", "Show less")
    else:
        label = QCoreApplication.translate("MessageView", "Show all (%1 lines)").replace(
            "%1", str(len(lines))
        )
    link = f'<a href="{action_href(ViewToggle.USER_TEXT)}">{html.escape(label)}</a>'
    return body + f'<p style="font-size: small;">{link}</p>'
