"""Terms of one or two characters (the m004 grams index), capped counts and relevance."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from chatdesk.store import Store, migrations as mig, search as srch
from chatdesk.store.rows import ConversationRow, MessageRow
from chatdesk.store.search import SearchFilters, build_search_sql, grams_text, parse_query
from tests.unit.store.writes import apply_op, write_ops

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def like_contains(text: str, term: str) -> bool:
    """What SQLite's LIKE '%term%' means: a substring, folding ASCII case only."""
    return term.translate(_ASCII_LOWER) in text.translate(_ASCII_LOWER)


def expected_ids(store: Store, conversation_id: int, terms: list[str]) -> list[int]:
    return [
        m.id
        for m in reversed(store.list_messages(conversation_id))
        if m.status != "streaming"
        and all(like_contains(m.content, t) or like_contains(m.reasoning, t) for t in terms)
    ]


def hit_ids(store: Store, query: str, **kw: object) -> list[int]:
    kw.setdefault("limit", 1000)
    return [h.message_id for h in store.search(query, **kw)]  # type: ignore[arg-type]


def grams_check(store: Store) -> None:
    store.conn.execute(
        "INSERT INTO messages_grams (messages_grams, rank) VALUES ('integrity-check', 1)"
    )


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


# -- pure functions -------------------------------------------------------------------


def test_grams_text_holds_characters_and_pairs() -> None:
    tokens = set(grams_text("学习AI", "ok").split())
    assert {"学", "习", "A", "I", "学习", "习A", "AI", "o", "k", "ok"} <= tokens
    assert "Io" not in grams_text("学习AI", "ok").split()  # no pair across the fields
    assert grams_text("", "") == "" and grams_text(None, None) == ""
    # Pairs with a space fall apart into their characters when tokenized.
    assert set(grams_text("a b", "").split()) == {"a", "b"}


def test_indexable_terms() -> None:
    q = parse_query("AI 学习 x 机器学习 a\x01")
    assert q.gram_terms == ("AI", "学习", "x")
    assert q.scan_terms == ("a\x01",)
    assert srch.default_driver(q) == "fts"
    assert srch.default_driver(parse_query("AI")) == "grams"
    assert srch.default_driver(parse_query("a\x01")) == "scan"
    assert srch.default_driver(q, SearchFilters(conversation_id=3)) == "conversation"
    with pytest.raises(ValueError):
        build_search_sql(parse_query("AI"), SearchFilters(), driver="fts")
    with pytest.raises(ValueError):
        build_search_sql(parse_query("machine"), SearchFilters(), driver="grams")
    with pytest.raises(ValueError):
        build_search_sql(parse_query("AI"), SearchFilters(), driver="sideways")
    with pytest.raises(ValueError):
        build_search_sql(parse_query("AI"), SearchFilters(), driver="conversation")


# -- migration from the m003 schema ---------------------------------------------------


def test_m004_backfills_short_terms_from_m003_data(db_path: Path) -> None:
    conn = raw(db_path)
    mig.migrate(conn, mig.MIGRATIONS[:3])
    assert mig.applied_migrations(conn)[-1] == "m003_source_id"
    conn.execute(
        "INSERT INTO conversations (id, title, created, updated, source_id)"
        " VALUES (1, 'old', 1.0, 2.0, 'chatgpt:x')"
    )
    rows = [
        (1, None, "user", "什么是机器学习？我想学习。", "", "done"),
        (2, 1, "assistant", "机器学习是人工智能（AI）的一个分支。", "think: AI", "done"),
        (3, 1, "assistant", "Say AI again", "", "streaming"),
        (4, 1, "user", "learning_rate=0.1 or 100%", "", "stopped"),
    ]
    for mid, parent, role, content, reasoning, status in rows:
        conn.execute(
            "INSERT INTO messages (id, conversation_id, parent_id, role, content, reasoning,"
            " status, created, updated) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
            (mid, parent, role, content, reasoning, status, float(mid), float(mid)),
        )
    conn.close()

    with Store(db_path) as s:
        assert s.applied_migrations() == [mig.migration_name(m) for m in mig.MIGRATIONS]
        assert "m004_short_terms" in s.applied_migrations()
        assert hit_ids(s, "学习") == [2, 1]
        assert hit_ids(s, "我想") == [1]
        assert hit_ids(s, "ai") == [2]  # the streaming row is not indexed
        assert hit_ids(s, "g_") == [4] and hit_ids(s, "0%") == [4] and hit_ids(s, "%") == [4]
        assert hit_ids(s, "机") == [2, 1]
        assert s.count_search("学习") == 2
        assert s.get_source_id(1) == "chatgpt:x"
        grams_check(s)
        assert s.mark_interrupted() == 1  # finishing indexes it
        assert hit_ids(s, "AI") == [3, 2]
        sql, params = build_search_sql(parse_query("AI"), SearchFilters(), driver="grams")
        assert [r[2] for r in s.conn.execute(sql, params)] == [3, 2]


def test_raw_connection_needs_the_functions(db_path: Path) -> None:
    with Store(db_path) as s:
        cid = s.create_conversation()
    conn = sqlite3.connect(db_path, isolation_level=None)
    insert = (
        "INSERT INTO messages (conversation_id, role, content, created, updated)"
        " VALUES (?, 'user', 'raw AI', 1.0, 1.0)"
    )
    with pytest.raises(sqlite3.OperationalError, match="chatdesk_grams"):
        conn.execute(insert, (cid,))
    mig.register_functions(conn)
    conn.execute(insert, (cid,))
    conn.close()
    with Store(db_path) as s:
        assert len(hit_ids(s, "AI")) == 1


# -- correctness against a brute-force scan --------------------------------------------

_ALPHABET = st.sampled_from(list("aAbBiI学习机器 \n_%\\'\"*-é🙂1\t"))
_TEXT = st.text(_ALPHABET, max_size=12)
_TERM = st.text(_ALPHABET.filter(lambda c: not c.isspace()), min_size=1, max_size=2)


@given(st.lists(st.tuples(_TEXT, _TEXT), min_size=1, max_size=8), st.lists(_TERM, max_size=3))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_short_terms_match_like_semantics(texts: list[tuple[str, str]], terms: list[str]) -> None:
    with Store.memory() as s:
        cid = s.create_conversation()
        parent = None
        for content, reasoning in texts:
            parent = s.add_message(cid, "user", content, reasoning=reasoning, parent_id=parent)
        query = " ".join(terms)
        parsed = parse_query(query)
        if not parsed:
            return
        want = expected_ids(s, cid, list(parsed.terms))
        assert hit_ids(s, query) == want
        assert s.count_search(query) == len(want)
        assert hit_ids(s, query, conversation_id=cid) == want
        for driver in ("fts", "grams", "scan"):
            try:
                sql, params = build_search_sql(parsed, SearchFilters(), limit=None, driver=driver)
            except ValueError:
                continue  # no term that index can serve
            assert [r[2] for r in s.conn.execute(sql, params)] == want, driver


_OPS = write_ops(["AI", "学习", "ai", "x", "GPT-4o", "机器学习", "", "g_"])


@given(_OPS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_grams_index_follows_every_write(ops: list[tuple[str, object, object]]) -> None:
    with Store.memory() as s:
        cid = s.create_conversation()
        other = s.create_conversation()
        s.add_message(other, "user", "AI 学习 in a conversation deleted at the end")
        ids: list[int] = []
        for op, a, b in ops:
            apply_op(s, cid, ids, (op, a, b))
            for word in ("AI", "学习", "x", "g_", "学"):
                got = [h for h in hit_ids(s, word) if s.get_message(h).conversation_id == cid]  # type: ignore[union-attr]
                assert got == expected_ids(s, cid, [word])
        s.delete_conversation(other)
        assert hit_ids(s, "conversation deleted") == []
        grams_check(s)
        before = {w: hit_ids(s, w) for w in ("AI", "学习", "x")}
        s.rebuild_search_index()
        grams_check(s)
        assert {w: hit_ids(s, w) for w in ("AI", "学习", "x")} == before


def test_bulk_add_indexes_short_terms(store: Store) -> None:
    cid = store.insert_conversation_row(
        ConversationRow(id=0, title="bulk", created=1.0, updated=2.0), source_id=None
    )
    with store.transaction():
        first = store.next_message_id()
        rows = [
            MessageRow(first, cid, None, "user", "学习 AI", created=1.0, updated=1.0),
            MessageRow(first + 1, cid, first, "assistant", "AI!", status="stopped", created=2.0),
            MessageRow(first + 2, cid, first, "assistant", "AI", status="streaming", created=3.0),
        ]
        store.bulk_add_messages(rows)
    assert hit_ids(store, "AI") == [first + 1, first]
    assert hit_ids(store, "学习") == [first]
    grams_check(store)


# -- mixed queries, plans, caps -------------------------------------------------------


@pytest.fixture
def many(store: Store) -> dict[str, list[int]]:
    """60 messages: every one has "the"; every third "AI"; two have "qz"."""
    cid = store.create_conversation("many")
    ids: dict[str, list[int]] = {"all": [], "ai": [], "qz": []}
    parent = None
    for i in range(60):
        text = (
            f"the message {i}"
            + (" about AI" if i % 3 == 0 else "")
            + (" qz" if i in (7, 8) else "")
        )
        parent = store.add_message(cid, "user" if i % 2 else "assistant", text, parent_id=parent)
        ids["all"].append(parent)
        if i % 3 == 0:
            ids["ai"].append(parent)
        if i in (7, 8):
            ids["qz"].append(parent)
    for v in ids.values():
        v.reverse()
    return ids


def test_mixed_queries_pick_the_rarer_index(
    store: Store, many: dict[str, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "SEARCH_PROBE_ROWS", 10)
    parsed = parse_query("qz the")
    assert store.search_index.search_driver(parsed, SearchFilters()) == "grams"
    assert hit_ids(store, "qz the") == many["qz"]
    assert store.count_search("qz the") == 2
    assert store.search_index.search_driver(parse_query("AI the"), SearchFilters()) == "fts"
    assert hit_ids(store, "AI the") == many["ai"]
    assert hit_ids(store, "AI message", role="user") == [
        i
        for i in many["ai"]
        if store.get_message(i).role == "user"  # type: ignore[union-attr]
    ]
    assert hit_ids(store, "qz zzz") == []
    assert hit_ids(store, "qz", sort="relevance") == many["qz"]


@pytest.mark.parametrize("query", ["the", "AI", "AI the", "qz the", "a\x01"])
def test_plans_walk_an_index_without_sorting(
    store: Store, many: dict[str, list[int]], query: str
) -> None:
    parsed = parse_query(query)
    for driver in srch.DRIVERS:
        filters = SearchFilters(conversation_id=1 if driver == "conversation" else None)
        try:
            sql, params = build_search_sql(parsed, filters, driver=driver)
        except ValueError:
            continue
        plan = " ".join(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "TEMP B-TREE" not in plan, (driver, plan)
        if driver == "conversation":
            assert "messages_conversation" in plan


def test_counts_are_capped(store: Store, many: dict[str, list[int]]) -> None:
    assert Store.SEARCH_COUNT_CAP == 5_000
    assert store.count_search("the") == 60
    assert store.count_search("the", cap=25) == 25
    assert store.count_search("the", cap=None) == 60
    assert store.count_search("AI", cap=5) == 5
    assert store.count_search("AI", cap=None) == 20
    assert store.count_search("AI", role="user", cap=100) == len(
        [i for i in many["ai"] if store.get_message(i).role == "user"]  # type: ignore[union-attr]
    )
    assert store.count_search("qz the", cap=1) == 1
    assert store.count_search("zzzz", cap=1) == 0
    sql, params = build_search_sql(parse_query("the"), SearchFilters(), count=True, count_cap=7)
    assert store.conn.execute(sql, params).fetchone()[0] == 7


def test_rank_by_relevance_is_bm25_like() -> None:
    texts = ["word", "word word", "Word and other words", "nothing", "word"]
    ids = [1, 2, 3, 4, 5]
    order = srch.rank_by_relevance(texts, ids, ("word",), (4,), 1000)
    assert order[0] == 1  # most occurrences for its length
    assert order[-1] == 3  # no match at all
    assert order.index(4) < order.index(0)  # tie: the newest first
    # A rarer term weighs more: "beta" (2 docs) beats "alpha" (900 docs).
    texts = ["alpha alpha beta", "alpha beta beta"]
    assert srch.rank_by_relevance(texts, [1, 2], ("alpha", "beta"), (900, 2), 1000) == [1, 0]
    assert srch.rank_by_relevance([], [], ("x",), (0,), 1) == []


def test_relevance_ranks_the_newest_matches(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    cid = store.create_conversation()
    parent = None
    ids = []
    texts = ["word word word", "word and more", "word", "other", "a word, then words"]
    for text in texts:
        parent = store.add_message(cid, "user", text, parent_id=parent)
        ids.append(parent)
    ranked = hit_ids(store, "word", sort="relevance")
    assert sorted(ranked) == sorted([ids[0], ids[1], ids[2], ids[4]])
    assert ranked[0] == ids[0] and ranked[-1] == ids[1]
    assert hit_ids(store, "word", sort="relevance", offset=1, limit=2) == ranked[1:3]
    assert hit_ids(store, "word other", sort="relevance") == []
    assert hit_ids(store, "word", sort="relevance", role="assistant") == []
    monkeypatch.setattr(srch, "RELEVANCE_CAP", 2)  # only the newest two get ranked
    assert hit_ids(store, "word", sort="relevance") == [ids[2], ids[4]]  # shorter first
    assert hit_ids(store, "word", sort="relevance", offset=2) == []
    # Several terms: document frequencies (capped) weigh them.
    assert set(hit_ids(store, "word then", sort="relevance")) == {ids[4]}


def test_search_inside_a_conversation(store: Store, many: dict[str, list[int]]) -> None:
    other = store.create_conversation()
    store.add_message(other, "user", "the AI elsewhere")
    assert hit_ids(store, "AI the", conversation_id=1) == many["ai"]
    assert hit_ids(store, "message", conversation_id=other) == []
    assert store.count_search("the", conversation_id=other) == 1


def test_control_character_terms_still_scan(store: Store) -> None:
    cid = store.create_conversation()
    mid = store.add_message(cid, "user", "odd a\x01b text")
    assert hit_ids(store, "a\x01") == [mid]
    assert hit_ids(store, "a\x01 text") == [mid]
    assert store.count_search("a\x01") == 1
