"""Image bytes in the history database, stored once per content hash.

Message parts refer to an image by its sha256 (``{"type": "image", "hash": ...}``);
reach this as ``store.images`` (or the :class:`~chatdesk.store.Store` methods of the
same names).
"""

from __future__ import annotations

import sqlite3
import time

from chatdesk.store.common import Repository
from chatdesk.store.errors import guarded


class ImageRepository(Repository):
    """The images table, keyed by the sha256 of the bytes."""

    __slots__ = ()

    @guarded
    def put_image(self, data: bytes, mime: str) -> str:
        """Store image bytes once (keyed by sha256 hex) and return the hash."""
        import hashlib  # here: OpenSSL's hashlib took ~2.5 ms of the window's first paint

        digest = hashlib.sha256(data).hexdigest()
        with self.transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO images (hash, mime, data, created) VALUES (?, ?, ?, ?)",
                (digest, mime, sqlite3.Binary(data), time.time()),
            )
        return digest

    @guarded
    def get_image(self, hash: str) -> tuple[bytes, str] | None:
        """``(data, mime)`` for a hash, or ``None``."""
        row = self.conn.execute("SELECT data, mime FROM images WHERE hash = ?", (hash,)).fetchone()
        return None if row is None else (bytes(row[0]), row[1])

    @guarded
    def prune_images(self) -> int:
        """Delete images no message part refers to any more; how many were removed.

        A full scan of messages with parts: run it as maintenance, not per action.
        """
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM images WHERE hash NOT IN ("
                " SELECT json_extract(p.value, '$.hash') FROM messages m, json_each(m.parts) p"
                " WHERE m.parts IS NOT NULL AND json_extract(p.value, '$.hash') IS NOT NULL)"
            )
        return cur.rowcount
