"""Search results of the Ctrl+K palette: a paged list model and the snippet highlighter.

Kept apart from the panel's widgets: the model only calls the ``search(query, filters)``
callable it is given (the store stays with the controller) and pulls further pages
through ``canFetchMore``/``fetchMore`` as the list scrolls to its end.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from chatdesk.store.rows import SearchHit

log = logging.getLogger(__name__)

PAGE_SIZE = 50

SearchFn = Callable[[str, dict[str, Any]], tuple[list[SearchHit], int]]

_AnyIndex = QModelIndex | QPersistentModelIndex

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
SNIPPET_HTML_ROLE = Qt.ItemDataRole.UserRole + 2

# Readable on both light and dark palettes and on the selection colour.
_MARK_STYLE = "background-color:#ffd54f; color:#000000; font-weight:600;"


def query_terms(query: str) -> list[str]:
    """Words and ``"quoted phrases"`` of a query, as the store splits them."""
    terms: list[str] = []
    for i, chunk in enumerate(query.split('"')):
        if i % 2:
            if chunk.strip():
                terms.append(" ".join(chunk.split()))
        else:
            terms.extend(chunk.split())
    return terms


def snippet_html(snippet: str, terms: Sequence[str] = ()) -> str:
    """HTML for a store snippet: ``[match]`` markers become highlights, the rest is escaped.

    Message text may contain brackets of its own (``a[i]``), so when the query terms
    are known only ``[term]`` pairs count as markers; any other ``[``/``]`` stays text.
    Without terms (or if none match) every innermost ``[...]`` pair is a marker.
    """
    pattern: re.Pattern[str] | None = None
    if terms:
        alternatives = sorted({t for t in terms if t}, key=len, reverse=True)
        pattern = re.compile(
            r"\[(" + "|".join(re.escape(t) for t in alternatives) + r")\]", re.IGNORECASE
        )
        if not pattern.search(snippet):
            pattern = None
    if pattern is None:
        pattern = re.compile(r"\[([^\[\]]+)\]")
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(snippet):
        out.append(html.escape(snippet[pos : m.start()], quote=False))
        out.append(f'<span style="{_MARK_STYLE}">{html.escape(m.group(1), quote=False)}</span>')
        pos = m.end()
    out.append(html.escape(snippet[pos:], quote=False))
    return "".join(out)


class SearchResultsModel(QAbstractListModel):
    """Hits for one query and filter set, fetched a page at a time.

    ``canFetchMore``/``fetchMore`` let the view pull the next page (``offset`` =
    rows loaded so far) only when it scrolls to the end.

    Signals:
        search_failed(str): the search callable raised; the message is for the user.
    """

    search_failed = Signal(str)

    def __init__(
        self, search: SearchFn, parent: QObject | None = None, *, page_size: int = PAGE_SIZE
    ) -> None:
        super().__init__(parent)
        self._search = search
        self._page_size = page_size
        self._query = ""
        self._terms: list[str] = []
        self._filters: dict[str, Any] = {}
        self._hits: list[SearchHit] = []
        self._html: list[str] = []
        self._total = 0
        self._exhausted = True
        self._fetching = False

    # -- Qt model API ----------------------------------------------------------

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: _AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._hits):
            return None
        hit = self._hits[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return hit.conversation_title
        if role == Qt.ItemDataRole.ToolTipRole:
            return hit.snippet
        if role == HIT_ROLE:
            return hit
        if role == SNIPPET_HTML_ROLE:
            return self._html[index.row()]
        return None

    def flags(self, index: _AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def canFetchMore(self, parent: _AnyIndex) -> bool:  # noqa: N802
        return (
            not parent.isValid()
            and not self._exhausted
            and not self._fetching
            and len(self._hits) < self._total
        )

    def fetchMore(self, parent: _AnyIndex) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        hits, total = self._fetch(len(self._hits))
        if not hits:
            self._exhausted = True
            return
        first = len(self._hits)
        self.beginInsertRows(QModelIndex(), first, first + len(hits) - 1)
        self._append(hits, total)
        self.endInsertRows()

    # -- public API --------------------------------------------------------

    def run(self, query: str, filters: dict[str, Any]) -> None:
        """Start over with a new query and filters (the first page is loaded now).

        A blank query finds nothing, so the callable is not asked.
        """
        self.beginResetModel()
        self._query = query
        self._terms = query_terms(query)
        self._filters = dict(filters)
        self._hits, self._html, self._total = [], [], 0
        self._exhausted = not query.strip()
        if not self._exhausted:
            hits, total = self._fetch(0)
            self._append(hits, total)
        self.endResetModel()

    def clear(self) -> None:
        self.run("", self._filters)

    def query(self) -> str:
        return self._query

    def filters(self) -> dict[str, Any]:
        return dict(self._filters)

    def total(self) -> int:
        """How many hits the store has for this search (loaded or not)."""
        return self._total

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    # -- internals ---------------------------------------------------------

    def _fetch(self, offset: int) -> tuple[list[SearchHit], int]:
        filters = {**self._filters, "limit": self._page_size, "offset": offset}
        self._fetching = True
        try:
            hits, total = self._search(self._query, filters)
        except Exception as exc:  # a store error must not kill a Qt callback
            log.exception("search failed")
            self._exhausted = True
            self.search_failed.emit(str(exc) or type(exc).__name__)
            return [], self._total
        finally:
            self._fetching = False
        return list(hits), int(total)

    def _append(self, hits: list[SearchHit], total: int) -> None:
        self._hits.extend(hits)
        self._html.extend(snippet_html(h.snippet, self._terms) for h in hits)
        if len(hits) < self._page_size:
            # A short page means the store has no more, whatever the count said.
            self._exhausted = True
            self._total = len(self._hits)
        else:
            self._total = max(total, len(self._hits))
