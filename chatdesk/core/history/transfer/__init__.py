"""History out and in: export to Markdown / JSON / HTML, import our JSON and ChatGPT's.

No Qt here: the window and ``chatdesk export|import`` both call these functions.

Our JSON format (``"format": "chatdesk-export", "version": 1``) is lossless and
deterministic, so export -> import into an empty database -> export is byte-identical:

* keys sorted, two-space indent, UTF-8 (not ASCII-escaped), a final newline, no
  export date (it would differ between two exports);
* conversations sorted by (created, id); a conversation's ``id`` is its stable
  fingerprint (``chatdesk:<uuid4>``, given at first export, or ``chatgpt:<id>`` when it
  came from ChatGPT) and is what makes a second import of the same file a no-op;
* message ``id``/``parent``/``current_leaf`` are 1-based positions in the
  conversation's creation order (parents always come first), never database ids;
* images referenced by parts (``{"type": "image", "hash", "mime"}``) are embedded
  once in the top-level ``images`` map: ``hash -> {"mime", "data": base64}``;
* a compare-mode conversation has a ``comparison`` object (``created``, ``blind``,
  ``columns``, ``state``, ``votes``); each vote's ``message`` is the position of the
  user message it was cast on (or ``null``), and ``"refs": "positions"`` says that the
  turns in ``state`` name their messages by position too (files written before that held
  database ids: their turns are rebuilt from the messages). Plain conversations have no
  such key, so older files and older readers are unaffected.

Imports run in one transaction: a malformed or foreign file changes nothing.

The package, by job: ``model`` (the format's constants, the parsed conversation, the
error), ``json_in`` and ``chatgpt_in`` (readers), ``importing`` (picks a reader, writes in
one transaction), ``json_out``, ``md_out`` and ``html_out`` (exports, sharing
``readable``), ``exporting`` (a format by name, to text or a file). Callers import from
the package itself; its modules import each other directly, never the package.
"""

from chatdesk.core.history.transfer.exporting import export_text, export_to_file
from chatdesk.core.history.transfer.html_out import export_html
from chatdesk.core.history.transfer.importing import import_file, write_pending
from chatdesk.core.history.transfer.json_in import parse_chatdesk
from chatdesk.core.history.transfer.json_out import export_json
from chatdesk.core.history.transfer.md_out import export_markdown
from chatdesk.core.history.transfer.model import (
    FORMAT,
    FORMATS,
    MAX_JSON_BYTES,
    REFS_POSITIONS,
    VERSION,
    ImportResult,
    PendingConversation,
    Progress,
    TransferError,
    load_json_file,
    loads_json,
)

__all__ = [
    "FORMAT",
    "FORMATS",
    "MAX_JSON_BYTES",
    "REFS_POSITIONS",
    "VERSION",
    "ImportResult",
    "PendingConversation",
    "Progress",
    "TransferError",
    "export_html",
    "export_json",
    "export_markdown",
    "export_text",
    "export_to_file",
    "import_file",
    "load_json_file",
    "loads_json",
    "parse_chatdesk",
    "write_pending",
]
