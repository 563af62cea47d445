"""The ``chatdesk`` command line: the same engine and store as the window, scriptable.

One module per command (``ask``, ``compare``, ``history`` ...), the parser in
:mod:`~chatdesk.cli.parser`, what they share in :mod:`~chatdesk.cli._common`, the entry
point in :mod:`~chatdesk.cli.entry`. Subcommands never import Qt, and import httpx only
when they talk to a server, so ``chatdesk --version`` and ``chatdesk history ...``
start fast.
"""

from __future__ import annotations

from chatdesk.cli.entry import main

__all__ = ["main"]
