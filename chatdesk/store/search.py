"""Search query parsing, SQL building and snippets (pure functions, no connection).

User text never reaches FTS5 syntax: every term is wrapped in double quotes, so
``GPT-4o``, ``C++`` or ``NOT`` are literal. The trigram tokenizer needs at least three
characters; shorter terms (``AI``, ``学习``) are matched with ``LIKE`` instead, either
as a filter on the FTS candidates or, when no term is long enough, on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SORTS = ("newest", "relevance")
SNIPPET_CONTEXT = 40
MIN_FTS_CHARS = 3


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """Terms (words or quoted phrases) that must all occur, as literal substrings."""

    terms: tuple[str, ...]

    @property
    def fts_terms(self) -> tuple[str, ...]:
        """Terms long enough for the trigram index."""
        return tuple(t for t in self.terms if len(t) >= MIN_FTS_CHARS)

    @property
    def like_terms(self) -> tuple[str, ...]:
        """Terms too short for trigrams, matched with LIKE."""
        return tuple(t for t in self.terms if len(t) < MIN_FTS_CHARS)

    def __bool__(self) -> bool:
        return bool(self.terms)


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions besides the text; ``None`` means no restriction."""

    model: str | None = None
    role: str | None = None
    since: float | None = None
    until: float | None = None
    pinned: bool | None = None
    conversation_id: int | None = None


def _clean(text: str) -> str:
    """Drop NULs and lone surrogates, which SQLite cannot take in a bound string."""
    return text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")


def parse_query(query: str) -> ParsedQuery:
    """Split into whitespace-separated words and ``"quoted phrases"`` (AND semantics).

    An unterminated quote runs to the end. Duplicates are dropped (case-insensitively).
    """
    query = _clean(query)
    terms: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        term = term.strip()
        if term and term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)

    for i, chunk in enumerate(query.split('"')):
        if i % 2:  # inside quotes: one phrase
            add(chunk)
        else:
            for word in chunk.split():
                add(word)
    return ParsedQuery(tuple(terms))


def fts_quote(term: str) -> str:
    """An FTS5 string literal: the term in double quotes, inner quotes doubled."""
    return '"' + term.replace('"', '""') + '"'


def fts_expression(parsed: ParsedQuery) -> str | None:
    """The MATCH expression ANDing the long terms, or ``None`` if there are none."""
    terms = parsed.fts_terms
    if not terms:
        return None
    return " AND ".join(fts_quote(t) for t in terms)


def like_pattern(term: str) -> str:
    """``%term%`` with ``\\``, ``%`` and ``_`` escaped (use with ``ESCAPE '\\'``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _timestamp(value: float | datetime | None) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def build_search_sql(
    parsed: ParsedQuery,
    filters: SearchFilters,
    *,
    sort: str = "newest",
    limit: int | None = 50,
    offset: int = 0,
    count: bool = False,
) -> tuple[str, list[Any]]:
    """SQL and parameters for a search (or its total when ``count``).

    Hits come newest first by message id (ids grow with time and the FTS index can
    walk rowids backwards, so ``LIMIT 50`` stops early); ``relevance`` sorts by bm25
    when the index is used and falls back to newest for LIKE-only queries.
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    if not parsed:
        raise ValueError("empty query")
    where: list[str] = []
    params: list[Any] = []
    match = fts_expression(parsed)
    if match is not None:
        source = (
            "messages_fts JOIN messages m ON m.id = messages_fts.rowid "
            "JOIN conversations c ON c.id = m.conversation_id"
        )
        where.append("messages_fts MATCH ?")
        params.append(match)
        # Ordering on the FTS table's own columns lets FTS5 deliver rows already sorted
        # (``m.id DESC`` would make SQLite sort every match before applying LIMIT).
        order = "messages_fts.rank" if sort == "relevance" else "messages_fts.rowid DESC"
    else:
        source = "messages m JOIN conversations c ON c.id = m.conversation_id"
        # The FTS index never holds streaming rows; keep both paths consistent.
        where.append("m.status != 'streaming'")
        order = "m.id DESC"
    for term in parsed.like_terms:
        where.append("(m.content LIKE ? ESCAPE '\\' OR m.reasoning LIKE ? ESCAPE '\\')")
        pattern = like_pattern(term)
        params += [pattern, pattern]
    if filters.model is not None:
        where.append("(m.model = ? OR m.model_requested = ?)")
        params += [filters.model, filters.model]
    if filters.role is not None:
        where.append("m.role = ?")
        params.append(filters.role)
    since, until = _timestamp(filters.since), _timestamp(filters.until)
    if since is not None:
        where.append("m.created >= ?")
        params.append(since)
    if until is not None:
        where.append("m.created <= ?")
        params.append(until)
    if filters.pinned is not None:
        where.append("c.pinned = ?")
        params.append(1 if filters.pinned else 0)
    if filters.conversation_id is not None:
        where.append("m.conversation_id = ?")
        params.append(filters.conversation_id)
    clause = " AND ".join(where)
    if count:
        return f"SELECT count(*) FROM {source} WHERE {clause}", params
    sql = (
        "SELECT m.conversation_id, c.title, m.id, m.role, m.model, m.created, "
        f"m.content, m.reasoning FROM {source} WHERE {clause} ORDER BY {order}"
    )
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    elif offset:
        sql += " LIMIT -1 OFFSET ?"
        params.append(offset)
    return sql, params


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(terms, key=len, reverse=True)  # prefer the longest at one position
    return re.compile("|".join(re.escape(t) for t in ordered), re.IGNORECASE)


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def make_snippet(text: str, terms: tuple[str, ...], context: int = SNIPPET_CONTEXT) -> str | None:
    """``context`` characters around the first match, every match in it as ``[term]``.

    Returns ``None`` when no term occurs in ``text`` (the caller tries another field).
    Whitespace runs become one space so a snippet is a single line; ``…`` marks cuts.
    """
    if not terms:
        return None
    pattern = _term_pattern(terms)
    first = pattern.search(text)
    if first is None:
        return None
    start = max(0, first.start() - context)
    end = min(len(text), first.end() + context)
    out: list[str] = ["…"] if start > 0 else []
    pos = start
    for m in pattern.finditer(text, start, end):
        out.append(_collapse(text[pos : m.start()]))
        out.append(f"[{_collapse(m.group())}]")
        pos = m.end()
    out.append(_collapse(text[pos:end]))
    if end < len(text):
        out.append("…")
    return "".join(out).strip()


def snippet_for(content: str, reasoning: str, terms: tuple[str, ...]) -> str:
    """The snippet from content, else reasoning, else the start of the content."""
    for text in (content, reasoning):
        snippet = make_snippet(text, terms)
        if snippet is not None:
            return snippet
    head = _collapse(content or reasoning).strip()
    limit = 2 * SNIPPET_CONTEXT
    return head if len(head) <= limit else head[:limit] + "…"
