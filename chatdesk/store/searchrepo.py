"""Full-text search over the history: runs the queries :mod:`chatdesk.store.search`
builds, picks which index drives them, ranks, counts and rebuilds the indexes.

Reach it as ``store.search_index`` (or through :meth:`Store.search
<chatdesk.store.Store.search>` and the other methods of the same names).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from chatdesk.store import migrations as mig, search as srch
from chatdesk.store.common import Repository, page
from chatdesk.store.errors import guarded
from chatdesk.store.rows import SearchHit

#: :meth:`SearchRepository.count_search` stops counting here by default: a result
#: equal to it means "this many or more" (show "5,000+"). Counting every match of a
#: very common word would walk hundreds of thousands of index entries.
SEARCH_COUNT_CAP = 5_000


class SearchRepository(Repository):
    """The two search indexes (words of three letters or more; shorter ones)."""

    __slots__ = ()

    @staticmethod
    def _filters(
        model: str | None,
        role: str | None,
        since: float | datetime | None,
        until: float | datetime | None,
        pinned: bool | None,
        conversation_id: int | None,
        comparisons: bool | None = None,
        exclude_conversations: Collection[int] | None = None,
    ) -> srch.SearchFilters:
        return srch.SearchFilters(
            model=model,
            role=role,
            since=since.timestamp() if isinstance(since, datetime) else since,
            until=until.timestamp() if isinstance(until, datetime) else until,
            pinned=pinned,
            conversation_id=conversation_id,
            comparisons=comparisons,
            exclude_conversations=(tuple(exclude_conversations) if exclude_conversations else None),
        )

    def search_driver(self, parsed: srch.ParsedQuery, filters: srch.SearchFilters) -> str:
        """Which index walks a search: for long and short terms together, the one
        with fewer matches (each counted up to ``SEARCH_PROBE_ROWS``, ~1 ms), so that
        ``qx the`` does not check every message holding "the" for "qx"."""
        driver = srch.default_driver(parsed, filters)
        if driver != "fts" or not parsed.gram_terms:
            return driver
        probe = self._store.SEARCH_PROBE_ROWS

        def matches(table: str, expression: str | None) -> int:
            row = self.conn.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ? LIMIT ?)",
                (expression, probe),
            ).fetchone()
            return int(row[0])

        short = matches("messages_grams", srch.grams_expression(parsed.gram_terms))
        if short >= probe:
            return "fts"
        return "grams" if short < matches("messages_fts", srch.fts_expression(parsed)) else "fts"

    @guarded
    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        offset: int = 0,
        model: str | None = None,
        role: str | None = None,
        since: float | datetime | None = None,
        until: float | datetime | None = None,
        pinned: bool | None = None,
        conversation_id: int | None = None,
        comparisons: bool | None = None,
        sort: str = "newest",
        exclude_conversations: Collection[int] | None = None,
    ) -> list[SearchHit]:
        """Messages containing every word / ``"phrase"`` of ``query`` (case-insensitive).

        Newest first. ``sort="relevance"``: bm25 (computed here) over the newest
        ``search.RELEVANCE_CAP`` matches (all of them when there are fewer), so a
        page beyond that many is empty; queries whose terms are all shorter than
        three characters have no bm25 and stay newest first. A blank query finds
        nothing. Messages still streaming are not searchable until they finish.
        ``comparisons=True`` keeps only conversations that are comparisons (the
        search panel's "Comparisons only"), ``False`` only the others;
        ``exclude_conversations`` leaves those conversations out.
        """
        parsed = srch.parse_query(query)
        limit, offset = page(limit), page(offset)
        if sort not in srch.SORTS:
            raise ValueError(f"sort must be one of {srch.SORTS}, not {sort!r}")
        if not parsed:
            return []
        filters = self._filters(
            model, role, since, until, pinned, conversation_id, comparisons, exclude_conversations
        )
        driver = self.search_driver(parsed, filters)
        if sort == "relevance" and parsed.fts_terms:
            rows = self._ranked(parsed, filters, driver, limit, offset)
        else:
            sql, params = srch.build_search_sql(
                parsed, filters, limit=limit, offset=offset, driver=driver
            )
            rows = self.conn.execute(sql, params).fetchall()
        return [
            SearchHit(
                conversation_id=conv_id,
                conversation_title=title,
                message_id=msg_id,
                role=role_,
                model=model_,
                created=created,
                snippet=srch.snippet_for(content, reasoning, parsed.terms),
            )
            for conv_id, title, msg_id, role_, model_, created, content, reasoning in rows
        ]

    def _ranked(
        self,
        parsed: srch.ParsedQuery,
        filters: srch.SearchFilters,
        driver: str,
        limit: int | None,
        offset: int,
    ) -> list[tuple[Any, ...]]:
        """The newest ``RELEVANCE_CAP`` matches, ranked by bm25 here (see search.py)."""
        cap = srch.RELEVANCE_CAP
        sql, params = srch.build_search_sql(parsed, filters, limit=cap, offset=0, driver=driver)
        rows = self.conn.execute(sql, params).fetchall()
        terms = parsed.fts_terms
        total = int(self.conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])
        if len(terms) == 1:
            freqs: tuple[int, ...] = (len(rows),)  # one term: idf does not change the order
        else:
            freqs = tuple(
                int(
                    self.conn.execute(
                        "SELECT count(*) FROM (SELECT 1 FROM messages_fts"
                        " WHERE messages_fts MATCH ? LIMIT ?)",
                        (srch.fts_quote(t), cap),
                    ).fetchone()[0]
                )
                for t in terms
            )
        order = srch.rank_by_relevance(
            [f"{r[6]}\n{r[7]}" for r in rows], [r[2] for r in rows], terms, freqs, max(total, 1)
        )
        end = None if limit is None else offset + limit
        return [rows[i] for i in order[offset:end]]

    @guarded
    def count_search(
        self,
        query: str,
        *,
        model: str | None = None,
        role: str | None = None,
        since: float | datetime | None = None,
        until: float | datetime | None = None,
        pinned: bool | None = None,
        conversation_id: int | None = None,
        comparisons: bool | None = None,
        cap: int | None = SEARCH_COUNT_CAP,
        exclude_conversations: Collection[int] | None = None,
    ) -> int:
        """Number of hits for the same query and filters as :meth:`search`, counted up
        to ``cap`` (default :attr:`SEARCH_COUNT_CAP`; ``None``: exact, which may take
        a second for a very common word in a million messages). A result equal to
        ``cap`` means ``cap`` or more."""
        parsed = srch.parse_query(query)
        if not parsed:
            return 0
        filters = self._filters(
            model, role, since, until, pinned, conversation_id, comparisons, exclude_conversations
        )
        sql, params = srch.build_search_sql(
            parsed,
            filters,
            count=True,
            count_cap=cap,
            driver=self.search_driver(parsed, filters),
        )
        return int(self.conn.execute(sql, params).fetchone()[0])

    @guarded
    def rebuild_search_index(self) -> None:
        """Repair: re-create both search indexes from the messages (skipping streaming
        rows). Takes a minute or two for a million messages."""
        content, reasoning = mig.indexed_text("messages")  # what the triggers index
        with self.transaction():
            self.conn.execute("INSERT INTO messages_fts (messages_fts) VALUES ('delete-all')")
            self.conn.execute(
                "INSERT INTO messages_fts (rowid, content, reasoning)"
                f" SELECT id, {content}, {reasoning} FROM messages WHERE status != 'streaming'"
            )
            self.conn.execute("INSERT INTO messages_grams (messages_grams) VALUES ('delete-all')")
            self.conn.execute(
                f"INSERT INTO messages_grams (rowid, grams) SELECT id,"
                f" {srch.GRAMS_FUNCTION}({content}, {reasoning}) FROM messages"
                " WHERE status != 'streaming'"
            )
