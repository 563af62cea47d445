"""Write a whole file or nothing: a temporary file beside the target, renamed over it."""

from __future__ import annotations

import os
import tempfile


def write_text_atomic(path: str | os.PathLike[str], text: str, prefix: str = ".chatdesk-") -> None:
    """Write ``text`` (UTF-8, newlines as given) to ``path``; on any failure the target is
    untouched and no temporary file is left. ``OSError`` says why it could not be written."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
