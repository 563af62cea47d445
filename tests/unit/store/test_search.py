"""Full-text search: parsing/escaping (pure) and queries against a real database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chatdesk.store import Store
from chatdesk.store.search import (
    ParsedQuery,
    SearchFilters,
    build_search_sql,
    fts_expression,
    fts_quote,
    like_pattern,
    make_snippet,
    parse_query,
    snippet_for,
)
from tests.unit.store.writes import apply_op, write_ops

# -- pure functions -----------------------------------------------------------


def test_parse_words_and_phrases() -> None:
    assert parse_query('  "machine learning"  GPT-4o 学习 ').terms == (
        "machine learning",
        "GPT-4o",
        "学习",
    )
    assert parse_query('say "unterminated phrase').terms == ("say", "unterminated phrase")
    assert parse_query('"" ai AI').terms == ("ai",)
    assert not parse_query("   ")
    assert parse_query("a\x00b").terms == ("ab",)


def test_fts_and_like_split() -> None:
    q = parse_query("AI 机器学习 学习 GPT-4o")
    assert q.fts_terms == ("机器学习", "GPT-4o")
    assert q.like_terms == ("AI", "学习")
    assert fts_expression(q) == '"机器学习" AND "GPT-4o"'
    assert fts_expression(parse_query("AI")) is None


def test_fts_quote_and_like_escape() -> None:
    assert fts_quote('say "hi"') == '"say ""hi"""'
    assert like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"


def test_snippet_marks_and_context() -> None:
    text = "x" * 100 + " machine learning " + "y" * 100
    snip = make_snippet(text, ("machine",))
    assert snip is not None
    assert snip.startswith("…") and snip.endswith("…")
    assert "[machine]" in snip
    before, after = snip.split("[machine]")
    assert len(before) == 41 and len(after) == 41  # 40 chars + ellipsis each side
    assert make_snippet("Say GPT-4O now", ("gpt-4o",)) == "Say [GPT-4O] now"
    assert make_snippet("AI and ai", ("ai",)) == "[AI] and [ai]"
    assert make_snippet("line\n\nbreak", ("break",)) == "line [break]"
    assert make_snippet("nothing", ("zzz",)) is None
    assert snippet_for("", "deep thought", ("thought",)) == "deep [thought]"
    assert snippet_for("a" * 200, "", ("zzz",)) == "a" * 80 + "…"


def test_build_sql_rejects_bad_sort_and_empty() -> None:
    with pytest.raises(ValueError):
        build_search_sql(parse_query("x"), SearchFilters(), sort="oldest")
    with pytest.raises(ValueError):
        build_search_sql(ParsedQuery(()), SearchFilters())


_FTS_ONLY = sqlite3.connect(":memory:")
_FTS_ONLY.execute("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'trigram')")
_FTS_ONLY.execute("INSERT INTO t VALUES ('some text GPT-4o 机器学习')")


@given(st.text())
@settings(max_examples=400)
def test_escaping_never_raises(query: str) -> None:
    parsed = parse_query(query)
    expr = fts_expression(parsed)
    if expr is not None:
        _FTS_ONLY.execute("SELECT count(*) FROM t WHERE t MATCH ?", (expr,)).fetchone()
    for term in parsed.like_terms:
        _FTS_ONLY.execute(
            "SELECT count(*) FROM t WHERE x LIKE ? ESCAPE '\\'", (like_pattern(term),)
        ).fetchone()


@given(st.text(min_size=1), st.text(min_size=1, max_size=8))
@settings(max_examples=200)
def test_snippet_contains_marked_term(text: str, term: str) -> None:
    snip = make_snippet(text + term, (term,))
    assert snip is not None
    assert "[" in snip and "]" in snip


# -- against a database ---------------------------------------------------------


@pytest.fixture
def corpus(store: Store) -> dict[str, int]:
    """A few conversations in English and Chinese with distinct metadata."""
    ids: dict[str, int] = {}
    c1 = store.create_conversation("ML intro", pinned=True, created=1000.0)
    ids["c1"] = c1
    ids["u1"] = store.add_message(c1, "user", "What is machine learning?", created=1000.0)
    ids["a1"] = store.add_message(
        c1,
        "assistant",
        "Machine learning lets computers learn from data. AI is the wider field.",
        parent_id=ids["u1"],
        model_requested="gpt-4o",
        model="gpt-4o-2024-08-06",
        reasoning="The user wants a definition of learning.",
        created=1010.0,
    )
    c2 = store.create_conversation("中文", created=2000.0)
    ids["c2"] = c2
    ids["u2"] = store.add_message(c2, "user", "什么是机器学习？我想学习。", created=2000.0)
    ids["a2"] = store.add_message(
        c2,
        "assistant",
        "机器学习是人工智能（AI）的一个分支。GPT-4o 也能回答。",
        parent_id=ids["u2"],
        model="deepseek-chat",
        created=2010.0,
    )
    c3 = store.create_conversation("percent", created=3000.0)
    ids["c3"] = c3
    ids["u3"] = store.add_message(
        c3, "user", "Is 100% of learning done? learning_rate=0.1", created=3000.0
    )
    ids["a3"] = store.add_message(
        c3,
        "assistant",
        "Deep learning and machine translation.",
        parent_id=ids["u3"],
        created=3010.0,
    )
    return ids


def hit_ids(store: Store, query: str, **kw: object) -> list[int]:
    return [h.message_id for h in store.search(query, **kw)]  # type: ignore[arg-type]


def test_english_words_and(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, "machine learning") == [corpus["a3"], corpus["a1"], corpus["u1"]]
    assert hit_ids(store, "MACHINE") == [corpus["a3"], corpus["a1"], corpus["u1"]]
    assert store.count_search("machine learning") == 3


def test_quoted_phrase(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, '"machine learning"') == [corpus["a1"], corpus["u1"]]
    assert hit_ids(store, '"learning machine"') == []


def test_chinese_long_and_short(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, "机器学习") == [corpus["a2"], corpus["u2"]]
    assert hit_ids(store, "学习") == [corpus["a2"], corpus["u2"]]
    assert hit_ids(store, "我想") == [corpus["u2"]]
    snip = store.search("学习")[-1].snippet
    assert snip == "什么是机器[学习]？我想[学习]。"


def test_short_ascii_and_mixed(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, "AI") == [corpus["a2"], corpus["a1"]]
    assert hit_ids(store, "ai") == [corpus["a2"], corpus["a1"]]
    assert hit_ids(store, "AI 机器学习") == [corpus["a2"]]  # FTS + LIKE filter
    assert hit_ids(store, "AI wider") == [corpus["a1"]]


def test_gpt_4o_and_fts_syntax_chars(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, "GPT-4o") == [corpus["a2"]]
    assert hit_ids(store, "gpt-4O") == [corpus["a2"]]
    for nasty in ["NOT", "AND OR", '"', "a*", "(x", "col:val", "^abc", "NEAR(a b)", "'; --"]:
        store.search(nasty)
        store.count_search(nasty)


def test_like_wildcards_are_literal(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, "0%") == [corpus["u3"]]
    assert hit_ids(store, "g_") == [corpus["u3"]]  # only the literal underscore in learning_rate
    assert hit_ids(store, "%") == [corpus["u3"]]
    assert hit_ids(store, "_r") == [corpus["u3"]]


def test_reasoning_is_searched(store: Store, corpus: dict[str, int]) -> None:
    hits = store.search("definition")
    assert [h.message_id for h in hits] == [corpus["a1"]]
    assert hits[0].snippet.startswith("The user wants a [definition]")


def test_hit_fields_and_snippet(store: Store, corpus: dict[str, int]) -> None:
    (hit,) = store.search("computers")
    assert hit.conversation_id == corpus["c1"]
    assert hit.conversation_title == "ML intro"
    assert hit.role == "assistant"
    assert hit.model == "gpt-4o-2024-08-06"
    assert hit.created == 1010.0
    assert "[computers]" in hit.snippet


def test_filters(store: Store, corpus: dict[str, int]) -> None:
    assert hit_ids(store, "learning", role="user") == [corpus["u3"], corpus["u1"]]
    assert hit_ids(store, "learning", model="gpt-4o") == [corpus["a1"]]  # requested
    assert hit_ids(store, "learning", model="gpt-4o-2024-08-06") == [corpus["a1"]]  # reported
    assert hit_ids(store, "学习", model="deepseek-chat") == [corpus["a2"]]
    assert hit_ids(store, "learning", pinned=True) == [corpus["a1"], corpus["u1"]]
    assert hit_ids(store, "learning", pinned=False) == [corpus["a3"], corpus["u3"]]
    assert hit_ids(store, "learning", since=1005.0, until=3005.0) == [corpus["u3"], corpus["a1"]]
    dt = datetime.fromtimestamp(3005.0, tz=UTC)
    assert hit_ids(store, "learning", since=dt) == [corpus["a3"]]
    assert hit_ids(store, "learning", conversation_id=corpus["c1"]) == [corpus["a1"], corpus["u1"]]
    assert store.count_search("learning", role="user", pinned=True) == 1
    assert hit_ids(store, "AI", conversation_id=corpus["c1"]) == [corpus["a1"]]


def test_limit_offset_and_sort(store: Store, corpus: dict[str, int]) -> None:
    all_ids = hit_ids(store, "learning")
    assert len(all_ids) == store.count_search("learning") == 4
    assert hit_ids(store, "learning", limit=2) == all_ids[:2]
    assert hit_ids(store, "learning", limit=2, offset=2) == all_ids[2:]
    assert hit_ids(store, "learning", offset=10) == []
    rel = hit_ids(store, "learning", sort="relevance")
    assert sorted(rel) == sorted(all_ids)
    assert hit_ids(store, "AI", sort="relevance") == hit_ids(store, "AI")
    with pytest.raises(ValueError):
        store.search("learning", sort="random")


def test_blank_query(store: Store, corpus: dict[str, int]) -> None:
    assert store.search("") == [] and store.search('  "" ') == []
    assert store.count_search(" ") == 0


def test_newest_first_uses_fts_order_without_sorting(store: Store) -> None:
    sql, params = build_search_sql(parse_query("machine"), SearchFilters(), limit=50)
    plan = " ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "VIRTUAL TABLE INDEX" in plan and "TEMP B-TREE" not in plan
    sql, params = build_search_sql(parse_query("AI"), SearchFilters(), limit=50)
    plan = " ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "TEMP B-TREE" not in plan


# -- the FTS index stays consistent through any sequence of writes ---------------

_OPS = write_ops(["alpha", "beta", "机器学习", "GPT-4o", "", "x"])


@given(_OPS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_fts_index_matches_table(ops: list[tuple[str, object, object]]) -> None:
    with Store.memory() as s:
        cid = s.create_conversation()
        ids: list[int] = []
        for op, a, b in ops:
            apply_op(s, cid, ids, (op, a, b))
            # search agrees with a brute-force scan of finished rows
            for word in ("alpha", "机器学习", "GPT-4o"):
                expected = [
                    m.id
                    for m in reversed(s.list_messages(cid))
                    if m.status != "streaming"
                    and (word.lower() in m.content.lower() or word.lower() in m.reasoning.lower())
                ]
                assert [h.message_id for h in s.search(word, limit=1000)] == expected
        # This store is still open, so its streaming rows are live (mark_interrupted
        # leaves them): end them the way a stream does, which indexes them.
        for m in s.list_messages(cid):
            if m.status == "streaming":
                s.update_message(m.id, status="interrupted")
        s.conn.execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"
        )
        s.rebuild_search_index()
        s.conn.execute(
            "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)"
        )
