"""Word-level diff of two answers: tokens, segments, CJK and emoji, the line-level fallback."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from chatdesk.core.arena.worddiff import MAX_TOKENS, WordDiff, diff_words, tokenize


def joined(segments: list[tuple[str, str]]) -> str:
    return "".join(text for text, _ in segments)


def changed(segments: list[tuple[str, str]]) -> list[str]:
    return [text for text, kind in segments if kind != "same"]


def test_tokens_keep_whitespace_and_split_punctuation() -> None:
    assert tokenize("Hello, world!  ok") == ["Hello", ",", " ", "world", "!", "  ", "ok"]
    assert tokenize("x_y 3.14\tcafé\n") == ["x_y", " ", "3", ".", "14", "\t", "café", "\n"]
    assert tokenize("") == []


def test_each_cjk_character_is_a_token() -> None:
    assert tokenize("我喜欢Python编程。") == ["我", "喜", "欢", "Python", "编", "程", "。"]
    assert tokenize("ひらがなカタカナ") == list("ひらがなカタカナ")


def test_emoji_keep_their_modifiers_and_joiners() -> None:
    family = "👨\u200d👩\u200d👧"
    assert tokenize(f"hi 👍🏽 {family} 🇫🇷🇩🇪 ❤️") == [
        "hi",
        " ",
        "👍🏽",
        " ",
        family,
        " ",
        "🇫🇷",
        "🇩🇪",
        " ",
        "❤️",
    ]


def test_tokenize_stops_at_the_limit() -> None:
    assert tokenize("a b c", limit=5) == ["a", " ", "b", " ", "c"]
    assert tokenize("a b c", limit=4) is None


def test_identical_texts_are_all_same() -> None:
    text = "Same answer, 同样的答案 🙂\nline two"
    assert diff_words(text, text) == WordDiff([(text, "same")], [(text, "same")], False)
    assert diff_words("", "") == WordDiff([], [], False)


def test_english_word_changes() -> None:
    d = diff_words(
        "The quick brown fox jumps over the lazy dog.",
        "The slow red fox jumped over the lazy cat.",
    )
    assert d.left == [
        ("The ", "same"),
        ("quick brown", "removed"),  # the space between two changes joins them
        (" fox ", "same"),
        ("jumps", "removed"),
        (" over the lazy ", "same"),
        ("dog", "removed"),
        (".", "same"),
    ]
    assert d.right == [
        ("The ", "same"),
        ("slow red", "added"),
        (" fox ", "same"),
        ("jumped", "added"),
        (" over the lazy ", "same"),
        ("cat", "added"),
        (".", "same"),
    ]
    assert not d.line_level


def test_additions_and_removals_only() -> None:
    d = diff_words("one two three", "one three")
    assert changed(d.left) == ["two "] or changed(d.left) == [" two"]
    assert changed(d.right) == []
    d = diff_words("", "new text")
    assert d.left == [] and d.right == [("new text", "added")]


def test_chinese_character_level() -> None:
    d = diff_words("我喜欢吃苹果。", "我喜欢吃香蕉！")
    assert d.left == [("我喜欢吃", "same"), ("苹果。", "removed")]
    assert d.right == [("我喜欢吃", "same"), ("香蕉！", "added")]
    d = diff_words("机器学习是人工智能的分支", "深度学习是人工智能的一个分支")
    assert changed(d.left) == ["机器"]
    assert changed(d.right) == ["深度", "一个"]


def test_emoji_change_is_one_token() -> None:
    d = diff_words("Great job 👍🏽 today", "Great job 👎 today")
    assert changed(d.left) == ["👍🏽"]
    assert changed(d.right) == ["👎"]


def test_long_texts_fall_back_to_lines() -> None:
    lines_a = [f"line {i} says word{i}" for i in range(4000)]
    lines_b = list(lines_a)
    lines_b[1234] = "line 1234 was edited"
    a, b = "\n".join(lines_a), "\n".join(lines_b)
    assert len(tokenize(a) or []) > MAX_TOKENS
    d = diff_words(a, b)
    assert d.line_level
    assert changed(d.left) == ["line 1234 says word1234\n"]
    assert changed(d.right) == ["line 1234 was edited\n"]
    assert joined(d.left) == a and joined(d.right) == b
    small = diff_words("a b c d", "a b x d", max_tokens=3)
    assert small.line_level and small.left == [("a b c d", "removed")]


def test_two_unrelated_long_answers_stay_complete() -> None:
    """No token is unique in either text: the run anchors still align the shared parts."""
    words = ["alpha", "beta", "gamma", "delta"]
    a = " ".join(words[(i * 7) % 4] for i in range(6000))
    b = " ".join(words[(i * 3) % 4] for i in range(6000))
    d = diff_words(a, b)
    assert not d.line_level
    assert joined(d.left) == a and joined(d.right) == b


pieces = st.sampled_from([*"ab ,.\n学习的🙂\u200d\u0301", "👍🏽", "x\u200dy", "🇫🇷"])
texts = st.lists(pieces, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_segments_give_both_texts_back(a: str, b: str) -> None:
    d = diff_words(a, b)
    assert joined(d.left) == a
    assert joined(d.right) == b
    assert {kind for _, kind in d.left} <= {"same", "removed"}
    assert {kind for _, kind in d.right} <= {"same", "added"}
    # The "same" parts hold the same text on both sides, in the same order.
    assert "".join(t for t, k in d.left if k == "same") == "".join(
        t for t, k in d.right if k == "same"
    )
    assert all(text for text, _ in d.left + d.right)
