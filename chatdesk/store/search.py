"""Search query parsing, SQL building and snippets (pure functions, no connection).

User text never reaches FTS5 syntax: every term is wrapped in double quotes, so
``GPT-4o``, ``C++`` or ``NOT`` are literal. Every term matches as a substring,
case-insensitively, in the content or the reasoning. Two indexes serve the terms:

* ``messages_fts`` (trigram tokenizer, m002) for terms of three or more characters;
* ``messages_grams`` (m004) for shorter terms (``AI``, ``学习``, ``的``): every
  character and every pair of adjacent characters of a message is one token
  (:func:`grams_text`), indexed with ``detail=none`` (which documents, no positions),
  so a one- or two-character term is a single token lookup. Its ``ascii`` tokenizer
  folds ASCII case only, exactly like ``LIKE``, so both agree on what matches.

Hits come newest first, walking an index in rowid order and stopping at ``LIMIT``.
A query mixing long and short terms is driven by whichever index has fewer matches
(:meth:`Store.search` probes both); the other terms are checked on each candidate.
Only terms holding an ASCII control character (no index token can hold one) fall
back to a ``LIKE`` scan of the messages.

Two deliberate caps keep every search fast on a million messages:

* counts stop at ``count_cap`` (``Store.SEARCH_COUNT_CAP``, 5,000): the UI shows
  "5,000+" rather than walking half a million matches to count them. A filter
  (model, role, dates, pinned) is checked on each match's row (~1.5 µs each), so a
  filtered count costs ``cap / share of matches passing``: ~40 ms when a model has
  a fifth of the messages, more for a very selective filter on a very common word;
* ``sort="relevance"`` ranks the newest ``RELEVANCE_CAP`` matches only
  (:func:`rank_by_relevance`: bm25 computed here on those candidates, with document
  frequencies counted up to ``RELEVANCE_CAP``). FTS5's own bm25 first walks every
  match of every term to count them: ~1 s for "the" in a million messages. Queries
  with fewer matches are ranked in full. Only long terms score (as before); queries
  without one come newest first.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from operator import add as _add
from typing import Any

SORTS = ("newest", "relevance")
DRIVERS = ("fts", "grams", "scan", "conversation")
SNIPPET_CONTEXT = 40
MIN_FTS_CHARS = 3
RELEVANCE_CAP = 2_000

# The grams index's tokenizer: ``ascii`` keeps every non-ASCII character in tokens and,
# with these token characters, every printable ASCII one too; only ASCII whitespace
# and control characters separate tokens. It folds ASCII case (as LIKE does).
GRAMS_TOKENCHARS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
GRAMS_TOKENIZE = "ascii tokenchars '" + GRAMS_TOKENCHARS.replace("'", "''") + "'"
GRAMS_FUNCTION = "chatdesk_grams"


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
        """Terms too short for trigrams (served by the grams index, or LIKE)."""
        return tuple(t for t in self.terms if len(t) < MIN_FTS_CHARS)

    @property
    def gram_terms(self) -> tuple[str, ...]:
        """Short terms the grams index can answer (no ASCII control characters)."""
        return tuple(t for t in self.like_terms if grams_indexable(t))

    @property
    def scan_terms(self) -> tuple[str, ...]:
        """Short terms no index can answer: only a LIKE scan finds them."""
        return tuple(t for t in self.like_terms if not grams_indexable(t))

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
    #: ``True``: only conversations that are comparisons; ``False``: only the others.
    comparisons: bool | None = None
    #: Conversations left out (blind comparisons whose models must not be found by name).
    exclude_conversations: tuple[int, ...] | None = None


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


def grams_indexable(term: str) -> bool:
    """Whether a one- or two-character term is a single grams-index token."""
    return 0 < len(term) < MIN_FTS_CHARS and all(" " < ch != "\x7f" for ch in term)


def grams_text(content: str | None, reasoning: str | None) -> str:
    """What the grams index gets for a message: each distinct character and pair of
    adjacent characters of the content and of the reasoning, separated by spaces.

    Pairs with a space or control character split into single characters when
    tokenized, which are indexed anyway (and never queried as pairs). With
    ``detail=none`` the order is irrelevant, so the set's order may differ between
    processes: a 'delete' with the same text in another order removes the same tokens.
    This is stored in no table; a trigger computes it again to delete a message, so
    it must never change without a migration that rebuilds the index.
    """
    grams: set[str] = set()
    for text in (content, reasoning):
        if text:
            grams.update(text)
            grams.update(map(_add, text, text[1:]))
    return " ".join(grams)


def grams_expression(terms: tuple[str, ...]) -> str | None:
    """The grams-index MATCH expression ANDing short terms, or ``None`` if none."""
    return " AND ".join(fts_quote(t) for t in terms) or None


def like_pattern(term: str) -> str:
    """``%term%`` with ``\\``, ``%`` and ``_`` escaped (use with ``ESCAPE '\\'``)."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _timestamp(value: float | datetime | None) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    return value


def default_driver(parsed: ParsedQuery, filters: SearchFilters | None = None) -> str:
    """The index that drives a search when no probe chose otherwise.

    ``fts`` if there is a long term, else ``grams`` if a short term is indexable, else
    ``scan``; a search inside one conversation walks that conversation's messages
    (at most a few thousand rows) instead of a possibly huge list of matches.
    """
    if filters is not None and filters.conversation_id is not None:
        return "conversation"
    if parsed.fts_terms:
        return "fts"
    if parsed.gram_terms:
        return "grams"
    return "scan"


def _like_clause(term: str, params: list[Any]) -> str:
    pattern = like_pattern(term)
    params += [pattern, pattern]
    return "(m.content LIKE ? ESCAPE '\\' OR m.reasoning LIKE ? ESCAPE '\\')"


def build_search_sql(
    parsed: ParsedQuery,
    filters: SearchFilters,
    *,
    sort: str = "newest",
    limit: int | None = 50,
    offset: int = 0,
    count: bool = False,
    count_cap: int | None = None,
    driver: str | None = None,
) -> tuple[str, list[Any]]:
    """SQL and parameters for a search (or its total when ``count``).

    ``driver`` picks the index walked newest first (see :data:`DRIVERS` and
    :func:`default_driver`): ``fts`` (long terms MATCHed, short ones checked with
    LIKE on each candidate), ``grams`` (short terms MATCHed, long ones checked with
    a trigram lookup of each candidate), ``scan`` (LIKE over all messages) or
    ``conversation`` (the messages of ``filters.conversation_id``).

    Hits come newest first by message id (ids grow with time and FTS5 walks rowids
    backwards, so ``LIMIT 50`` stops early). ``relevance`` sorts every match by
    FTS5's bm25 with the ``fts`` driver (exact, but bm25 first counts every match
    of each term: slow for common words, so :meth:`Store.search` ranks with
    :func:`rank_by_relevance` instead) and is newest first otherwise.
    ``count_cap`` stops counting there (exact if ``None``).
    """
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {sort!r}")
    if not parsed:
        raise ValueError("empty query")
    driver = driver or default_driver(parsed, filters)
    if driver not in DRIVERS:
        raise ValueError(f"driver must be one of {DRIVERS}, not {driver!r}")
    long_match = fts_expression(parsed)
    gram_match = grams_expression(parsed.gram_terms)
    if driver == "fts" and long_match is None:
        raise ValueError("the fts driver needs a term of three or more characters")
    if driver == "grams" and gram_match is None:
        raise ValueError("the grams driver needs an indexable short term")
    where: list[str] = []
    params: list[Any] = []
    # Which tables the filters and checks need (a count of thousands of matches
    # should not read message rows it does not need).
    need_c = filters.pinned is not None
    need_m = need_c or any(
        v is not None
        for v in (
            filters.model,
            filters.role,
            filters.since,
            filters.until,
            filters.comparisons,
            filters.exclude_conversations,
        )
    )
    like_terms: tuple[str, ...]
    if driver == "fts":
        table, key = "messages_fts", "messages_fts.rowid"
        where.append("messages_fts MATCH ?")
        params.append(long_match)
        like_terms = parsed.like_terms
    elif driver == "grams":
        table, key = "messages_grams", "messages_grams.rowid"
        where.append("messages_grams MATCH ?")
        params.append(gram_match)
        like_terms = parsed.scan_terms
        if long_match is not None:
            # One index lookup per candidate (FTS5 seeks the rowid in each doclist).
            where.append(
                "EXISTS (SELECT 1 FROM messages_fts f WHERE f.messages_fts MATCH ?"
                f" AND f.rowid = {key})"
            )
            params.append(long_match)
    else:
        table, key = "messages m", "m.id"
        need_m = True
        # The FTS indexes never hold streaming rows; keep every path consistent.
        where.append("m.status != 'streaming'")
        if driver == "conversation":
            if filters.conversation_id is None:
                raise ValueError("the conversation driver needs a conversation_id filter")
            if long_match is not None:
                where.append(
                    "EXISTS (SELECT 1 FROM messages_fts f WHERE f.messages_fts MATCH ?"
                    " AND f.rowid = m.id)"
                )
                params.append(long_match)
            like_terms = parsed.like_terms
        else:
            like_terms = parsed.terms
    need_m = need_m or bool(like_terms) or filters.conversation_id is not None
    for term in like_terms:
        where.append(_like_clause(term, params))
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
    if filters.comparisons is not None:
        # One lookup in the unique index on comparisons.conversation_id per match.
        negate = "" if filters.comparisons else "NOT "
        where.append(
            f"{negate}EXISTS (SELECT 1 FROM comparisons k"
            " WHERE k.conversation_id = m.conversation_id)"
        )
    if filters.exclude_conversations:
        # One bound JSON array, whatever its length (no limit on bound variables).
        where.append("m.conversation_id NOT IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(sorted(set(filters.exclude_conversations))))
    clause = " AND ".join(where)

    def source(with_m: bool, with_c: bool) -> str:
        text = table
        if with_m and table != "messages m":
            text += f" JOIN messages m ON m.id = {key}"
        if with_c:
            text += " JOIN conversations c ON c.id = m.conversation_id"
        return text

    if count:
        inner = source(need_m, need_c)
        if count_cap is None:
            return f"SELECT count(*) FROM {inner} WHERE {clause}", params
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {inner} WHERE {clause} LIMIT ?)"
        return sql, [*params, count_cap]
    columns = "m.conversation_id, c.title, m.id, m.role, m.model, m.created, m.content, m.reasoning"
    order = f"{key} DESC"
    if sort == "relevance" and driver == "fts":
        order = "messages_fts.rank"  # exact bm25 of every match: see rank_by_relevance
    sql = f"SELECT {columns} FROM {source(True, True)} WHERE {clause} ORDER BY {order}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    elif offset:
        sql += " LIMIT -1 OFFSET ?"
        params.append(offset)
    return sql, params


BM25_K1 = 1.2  # FTS5's bm25 constants
BM25_B = 0.75


def rank_by_relevance(
    texts: list[str],
    ids: list[int],
    terms: tuple[str, ...],
    doc_freqs: tuple[int, ...],
    total_docs: int,
) -> list[int]:
    """Positions of ``texts`` (content + reasoning of the candidates), best first.

    Okapi bm25 as FTS5 computes it, on case-folded substring counts and lengths in
    characters: ``idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len))``
    summed over the terms, ``idf = ln((N - n + 0.5) / (n + 0.5))`` (at least 1e-6).
    Ties go to the newest (largest id).
    """
    folded = [t.lower() for t in terms]
    idfs = [max(math.log((total_docs - n + 0.5) / (n + 0.5)), 1e-6) for n in doc_freqs]
    lowered = [t.lower() for t in texts]
    avg = (sum(map(len, lowered)) / len(lowered)) if lowered else 1.0
    avg = avg or 1.0
    scores: list[float] = []
    for text in lowered:
        norm = BM25_K1 * (1 - BM25_B + BM25_B * len(text) / avg)
        score = 0.0
        for term, idf in zip(folded, idfs, strict=True):
            tf = text.count(term)
            score += idf * tf * (BM25_K1 + 1) / (tf + norm)
        scores.append(score)
    return sorted(range(len(texts)), key=lambda i: (-scores[i], -ids[i]))


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
