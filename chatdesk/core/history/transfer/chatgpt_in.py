"""Read a ChatGPT data export (``conversations.json`` or the whole ``.zip``) into rows.

ChatGPT stores each conversation as a ``mapping`` of nodes (``parent``/``children``)
with ``current_node`` the leaf on screen, which is our message tree almost one to
one. Nodes we do not keep (the ``message: null`` root, hidden system/context
messages) are dropped and their children attached to the nearest kept ancestor, so
every branch survives. ``tool`` messages (code interpreter, browsing) become assistant
messages named after the tool: a bare ``tool`` role without a ``tool_call_id`` would
make the server refuse the conversation when the user continues it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any

from chatdesk.api.validate import sniff_image_mime
from chatdesk.core.history.transfer.model import (
    MAX_JSON_BYTES,
    PendingConversation,
    TransferError,
    loads_json,
)
from chatdesk.core.history.transfer.readable import code_fence
from chatdesk.store.rows import ConversationRow, MessageRow, MessageStatus

_ASSET_ID = re.compile(r"(file[-_][A-Za-z0-9]+)")
_CONVERSATIONS_JSON = re.compile(r"^conversations(-\d+)?\.json$")
_STATUS = {
    "finished_successfully": MessageStatus.DONE,
    "finished_partial_completion": MessageStatus.STOPPED,
    "in_progress": MessageStatus.INTERRUPTED,
}
_FINISH = {"stop": "stop", "max_tokens": "length", "interrupted": "stop"}

ImageLookup = dict[str, tuple[bytes, str]]

#: A zip is refused from its headers, and reading stops, past these sizes: a small
#: zip can expand to gigabytes.
MAX_IMAGE_BYTES = 64 << 20
MAX_IMAGES_TOTAL = 2 << 30


class ParsedExport(list[PendingConversation]):
    """The parsed conversations plus ``notes``: what was repaired or left out, and why."""

    notes: list[str]

    def __init__(self, items: list[PendingConversation], notes: list[str]) -> None:
        super().__init__(items)
        self.notes = notes


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, zip_name: str) -> bytes:
    """A member's bytes, refused if its header or its actual stream exceeds ``cap``
    (the header's size can lie; the stream is counted as it is inflated)."""
    name = posixpath.basename(info.filename)
    too_big = TransferError(
        f"{name} in {zip_name} expands to more than {cap >> 20} MB: refused (not a ChatGPT "
        "export, or a damaged one)."
    )
    if info.file_size > cap:
        raise too_big
    chunks: list[bytes] = []
    size = 0
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > cap:
                raise too_big
            chunks.append(chunk)
    return b"".join(chunks)


def looks_like_chatgpt(data: Any) -> bool:
    """A list of objects that each have a ``mapping``: ChatGPT's conversations.json."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(c, dict) and isinstance(c.get("mapping"), dict) for c in data)
    )


def _sniff_mime(data: bytes, name: str) -> str | None:
    mime = sniff_image_mime(data)
    if mime is not None:
        return mime
    guessed = mimetypes.guess_type(name)[0]
    return guessed if guessed and guessed.startswith("image/") else None


def parse_zip(path: Path) -> ParsedExport:
    """Parse the export zip: its conversations.json plus the image files it ships."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
            names = list(infos)
            jsons = sorted(n for n in names if _CONVERSATIONS_JSON.match(posixpath.basename(n)))
            declared = sum(infos[n].file_size for n in jsons)
            if declared > MAX_JSON_BYTES:
                raise TransferError(
                    f"The conversations in {path.name} expand to {declared >> 20} MB, more "
                    f"than the {MAX_JSON_BYTES >> 20} MB an import reads: refused."
                )
            if not jsons:
                what = "is empty" if not names else "has no conversations.json"
                raise TransferError(
                    f"{path.name} {what}: it is not a ChatGPT data export "
                    "(Settings → Data controls → Export data)."
                )
            data: list[Any] = []
            budget = MAX_JSON_BYTES
            for name in jsons:
                raw = _read_member(zf, infos[name], budget, path.name)
                budget -= len(raw)
                part = loads_json(raw, posixpath.basename(name))
                if not looks_like_chatgpt(part):
                    raise TransferError(
                        f"{posixpath.basename(name)} in {path.name} is not a ChatGPT "
                        "conversation list."
                    )
                data.extend(part)
            files: dict[str, str] = {}
            for name in names:
                m = _ASSET_ID.match(posixpath.basename(name))
                if m and name not in jsons:
                    files.setdefault(m.group(1), name)
            wanted = {a for a in _asset_ids(data) if a in files}
            images: ImageLookup = {}
            image_budget = MAX_IMAGES_TOTAL
            for asset in sorted(wanted):
                info = infos[files[asset]]
                if info.file_size > min(MAX_IMAGE_BYTES, image_budget):
                    continue  # an absurd "image": the message keeps a placeholder
                blob = _read_member(zf, info, min(MAX_IMAGE_BYTES, image_budget), path.name)
                image_budget -= len(blob)
                mime = _sniff_mime(blob, files[asset])
                if mime is not None:
                    images[asset] = (blob, mime)
    except zipfile.BadZipFile:
        raise TransferError(f"{path.name} is not a readable zip file.") from None
    except OSError as exc:
        raise TransferError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return parse_conversations(data, images)


def _asset_ids(data: list[Any]) -> set[str]:
    """Every image asset id referenced anywhere in the conversations."""
    found: set[str] = set()
    for conv in data:
        for node in conv.get("mapping", {}).values():
            msg = node.get("message") if isinstance(node, dict) else None
            content = msg.get("content") if isinstance(msg, dict) else None
            parts = content.get("parts") if isinstance(content, dict) else None
            for part in parts if isinstance(parts, list) else []:
                asset = _asset_of(part)
                if asset:
                    found.add(asset)
    return found


def _asset_of(part: Any) -> str | None:
    if isinstance(part, dict) and part.get("content_type") == "image_asset_pointer":
        pointer = str(part.get("asset_pointer") or "")
        m = _ASSET_ID.search(pointer.split("://", 1)[-1])
        return m.group(1) if m else (pointer or None)
    return None


def _text_of(content: dict[str, Any]) -> tuple[list[Any], str]:
    """The content as a list of pieces (strings and image pointers) plus reasoning."""
    ct = content.get("content_type")
    if ct in ("text", "multimodal_text"):
        pieces: list[Any] = []
        for part in content.get("parts") or []:
            if isinstance(part, str):
                pieces.append(part)
            elif _asset_of(part):
                pieces.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                pieces.append(part["text"])  # e.g. audio_transcription
        return pieces, ""
    if ct == "code":
        lang = content.get("language") or ""
        return [code_fence(str(content.get("text") or ""), "" if lang == "unknown" else lang)], ""
    if ct == "execution_output":
        return [code_fence(str(content.get("text") or ""))], ""
    if ct == "tether_quote":
        quote = "\n".join(f"> {line}" for line in str(content.get("text") or "").splitlines())
        title, url = content.get("title") or "", content.get("url") or ""
        source = f"[{title or url}]({url})" if url else title
        return [quote + (f"\n\n— {source}" if source else "")], ""
    if ct == "tether_browsing_display":
        return [str(content.get("result") or content.get("summary") or "")], ""
    if ct == "system_error":
        return [f"{content.get('name') or 'Error'}: {content.get('text') or ''}"], ""
    if ct == "thoughts":
        thoughts = content.get("thoughts") or []
        text = "\n\n".join(
            "\n".join(str(t.get(k)) for k in ("summary", "content") if t.get(k))
            for t in thoughts
            if isinstance(t, dict)
        )
        return [], text
    if ct == "reasoning_recap":
        return [], str(content.get("content") or "")
    if ct == "user_editable_context":
        return [
            "\n\n".join(
                str(content[k]) for k in ("user_profile", "user_instructions") if content.get(k)
            )
        ], ""
    # Unknown type: keep whatever text it carries rather than losing the message.
    if isinstance(content.get("text"), str):
        return [content["text"]], ""
    return [p for p in content.get("parts") or [] if isinstance(p, str)], ""


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else (the export may hold anything)."""
    return value if isinstance(value, dict) else {}


def _convert_message(
    msg: dict[str, Any], node_id: str, images: ImageLookup, fallback_time: float
) -> tuple[MessageRow, dict[str, tuple[bytes, str]]] | None:
    """One ChatGPT message as a row (local ids filled in by the caller), or None to skip."""
    meta = _dict(msg.get("metadata"))
    if meta.get("is_visually_hidden_from_conversation"):
        return None
    author = _dict(msg.get("author"))
    role = str(author.get("role") or "assistant")
    content = _dict(msg.get("content"))
    pieces, reasoning = _text_of(content)
    texts: list[str] = []
    parts: list[dict[str, Any]] = []
    used: dict[str, tuple[bytes, str]] = {}
    missing: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            if piece:
                texts.append(piece)
                parts.append({"type": "text", "text": piece})
            continue
        asset = _asset_of(piece) or "image"
        found = images.get(asset)
        if found is None:
            missing.append(asset)
            note = f"[image {asset} was not included in the export]"
            texts.append(note)
            parts.append({"type": "text", "text": note})
        else:
            digest = hashlib.sha256(found[0]).hexdigest()
            used[digest] = found
            parts.append({"type": "image", "hash": digest, "mime": found[1]})
    text = "\n\n".join(texts)
    if role == "system" and not text.strip():
        return None
    chatgpt: dict[str, Any] = {"id": node_id, "content_type": content.get("content_type")}
    name = author.get("name") if isinstance(author.get("name"), str) else None
    if role == "tool":
        chatgpt["role"] = "tool"
        role = "assistant"
        name = name or "tool"
    recipient = msg.get("recipient")
    if isinstance(recipient, str) and recipient != "all":
        chatgpt["recipient"] = recipient
    if missing:
        chatgpt["missing_images"] = missing
    finish = _dict(meta.get("finish_details"))
    finish_type = finish.get("type") if isinstance(finish.get("type"), str) else None
    status = _STATUS.get(str(msg.get("status")), MessageStatus.DONE)
    if finish_type == "interrupted" and status == MessageStatus.DONE:
        status = MessageStatus.STOPPED
    created = _num(msg.get("create_time")) or fallback_time
    model = meta.get("model_slug") if isinstance(meta.get("model_slug"), str) else None
    requested = (
        meta.get("default_model_slug") if isinstance(meta.get("default_model_slug"), str) else None
    )
    row = MessageRow(
        id=0,
        conversation_id=0,
        parent_id=None,
        role=role,
        content=text,
        parts=parts if used else None,
        reasoning=reasoning,
        name=name,
        model_requested=requested if role == "assistant" else None,
        model=model if role == "assistant" else None,
        finish_reason=_FINISH.get(finish_type, finish_type) if finish_type else None,
        status=status,
        created=created,
        updated=_num(msg.get("update_time")) or created,
        meta={"chatgpt": chatgpt},
    )
    return row, used


def _convert_conversation(
    conv: dict[str, Any], index: int, images: ImageLookup
) -> tuple[PendingConversation, list[str]]:
    mapping: dict[str, Any] = conv["mapping"]
    conv_id = conv.get("conversation_id") or conv.get("id")
    if not isinstance(conv_id, str) or not conv_id:
        raise TransferError(f"ChatGPT conversation {index + 1} has no id; the file looks damaged.")
    created = _num(conv.get("create_time")) or 0.0
    nodes = {k: v for k, v in mapping.items() if isinstance(v, dict)}
    roots = [k for k, v in nodes.items() if v.get("parent") not in nodes]
    # Depth-first, children in ChatGPT's order: older siblings get smaller ids.
    stack: list[tuple[str, int | None, float]] = [(r, None, created) for r in reversed(roots)]
    kept_for: dict[str, int | None] = {}
    messages: list[MessageRow] = []
    used: dict[str, tuple[bytes, str]] = {}
    cycles_broken = 0
    while True:
        _walk(stack, nodes, kept_for, messages, used, images)
        # Nodes never reached sit on a parent cycle (A's parent is B, B's is A): no
        # root leads to them. Break each cycle at its oldest message, which becomes a
        # root, so no message is lost.
        unreached = [k for k in nodes if k not in kept_for]
        if not unreached:
            break
        oldest = min(unreached, key=lambda k: (_node_time(nodes[k]), k))
        cycles_broken += 1
        stack = [(oldest, None, created)]
    notes: list[str] = []
    title = conv.get("title")
    label = f"“{title}”" if isinstance(title, str) and title else f"conversation {index + 1}"
    if cycles_broken:
        notes.append(
            f"{label}: its messages formed a parent cycle with no first message; repaired "
            f"by starting at the oldest one ({cycles_broken} cycle(s) broken)."
        )
    current = conv.get("current_node")
    leaf = kept_for.get(current) if isinstance(current, str) else None
    assistant_models = [m.model for m in messages if m.model]
    model = conv.get("default_model_slug")
    if not isinstance(model, str):
        model = assistant_models[-1] if assistant_models else None
    updated = _num(conv.get("update_time")) or max(
        [created, *(m.created for m in messages)], default=created
    )
    row = ConversationRow(
        id=0,
        title=title if isinstance(title, str) else "",
        created=created,
        updated=updated,
        model=model,
        current_leaf_id=leaf,
    )
    pending = PendingConversation(f"chatgpt:{conv_id}", row, messages, used)
    return pending, notes


def _node_time(node: dict[str, Any]) -> float:
    msg = node.get("message")
    when = _num(msg.get("create_time")) if isinstance(msg, dict) else None
    return when if when is not None else float("inf")


def _walk(
    stack: list[tuple[str, int | None, float]],
    nodes: dict[str, Any],
    kept_for: dict[str, int | None],
    messages: list[MessageRow],
    used: dict[str, tuple[bytes, str]],
    images: ImageLookup,
) -> None:
    """Depth-first from the nodes on ``stack``, appending kept messages in order."""
    while stack:
        node_id, parent_local, when = stack.pop()
        if node_id in kept_for:  # a cycle or a node listed twice
            continue
        node = nodes[node_id]
        msg = node.get("message")
        converted = _convert_message(msg, node_id, images, when) if isinstance(msg, dict) else None
        local = parent_local
        if converted is not None:
            row, imgs = converted
            local = len(messages) + 1
            row.id, row.parent_id = local, parent_local
            messages.append(row)
            used.update(imgs)
            when = row.created
        kept_for[node_id] = local
        children = [c for c in node.get("children") or [] if c in nodes]
        stack.extend((c, local, when) for c in reversed(children))


def parse_conversations(data: Any, images: ImageLookup | None = None) -> ParsedExport:
    """Turn a parsed conversations.json into rows; ``images`` maps asset id -> bytes."""
    if not looks_like_chatgpt(data):
        if isinstance(data, list) and not data:
            raise TransferError("The ChatGPT export holds no conversations.")
        raise TransferError("This is not a ChatGPT conversations.json (no 'mapping' found).")
    kept: list[PendingConversation] = []
    notes: list[str] = []
    empty: list[str] = []
    for i, conv in enumerate(data):
        pending, conv_notes = _convert_conversation(conv, i, images or {})
        notes += conv_notes
        if pending.messages:
            kept.append(pending)
        else:  # nothing to show: never an empty conversation in the list, silently
            title = pending.row.title
            empty.append(f"“{title}”" if title else f"conversation {i + 1}")
    if empty:
        which = ", ".join(empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
        notes.append(f"{which}: no messages to import; left out.")
    return ParsedExport(kept, notes)
