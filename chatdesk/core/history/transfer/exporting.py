"""Export in a chosen format, as text or atomically to a file."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from chatdesk.core.atomicfile import write_text_atomic
from chatdesk.core.history.transfer.html_out import export_html
from chatdesk.core.history.transfer.json_out import export_json
from chatdesk.core.history.transfer.md_out import export_markdown
from chatdesk.core.history.transfer.model import FORMATS, TransferError, select_conversations

if TYPE_CHECKING:
    from chatdesk.store import Store


def export_text(store: Store, ids: Iterable[int] | None, fmt: str) -> str:
    """The export as text in ``fmt`` (``md``, ``json`` or ``html``)."""
    if fmt == "json":
        return export_json(store, ids)
    if fmt == "md":
        return export_markdown(store, ids)
    if fmt == "html":
        return export_html(store, ids)
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def export_to_file(
    store: Store, ids: Iterable[int] | None, fmt: str, path: str | os.PathLike[str]
) -> int:
    """Write the export atomically; how many conversations.

    Through a private temporary file (created exclusively, mode 0600, renamed over the
    target): conversations are nobody else's to read, and a file or link planted at a
    fixed temporary name cannot be written through.
    """
    rows = select_conversations(store, ids)
    text = export_text(store, [r.id for r in rows], fmt)
    count = len(rows)
    dest = Path(path)
    try:
        write_text_atomic(dest, text, prefix=f".{dest.name}.")
    except OSError as exc:
        raise TransferError(f"Cannot write {dest}: {exc.strerror or exc}") from None
    return count
