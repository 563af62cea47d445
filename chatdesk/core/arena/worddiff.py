"""Word-level diff of two answers, for the compare view's diff toggle (no Qt).

Tokens: runs of letters/digits (a word), runs of whitespace (kept, so the segments
put back together give the texts exactly), each CJK character on its own (Chinese
and Japanese have no spaces between words), and each other symbol on its own, an
emoji together with its modifiers, joiners and variation selectors.

Matching is patience-style: tokens that occur exactly once on both sides anchor
the alignment (longest increasing run), the gaps between anchors are matched the
same way, and a gap without such anchors is aligned exactly (longest common
subsequence) when it is small, else shown as replaced. This stays fast on two
quite different answers, where a plain LCS or Myers diff is quadratic. Above
:data:`MAX_TOKENS` tokens on either side the diff is made line by line instead,
which the result says (``line_level``).
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: Above this many tokens on either side, diff lines instead of words.
MAX_TOKENS = 20_000
#: Largest gap (left tokens x right tokens) aligned exactly; larger gaps are replaced.
MAX_LCS_CELLS = 250_000

#: Anchor run lengths tried in turn when no single token is unique on both sides.
_ANCHOR_RUNS = (1, 3, 5, 9)

Segment = tuple[str, str]
"""``(text, kind)`` with kind ``"same"``, ``"removed"`` (left side) or ``"added"`` (right)."""


@dataclass(frozen=True, slots=True)
class WordDiff:
    """Both sides as segments; each side's texts joined give that side's input back."""

    left: list[Segment]
    right: list[Segment]
    line_level: bool = False


def _is_cjk(cp: int) -> bool:
    """Han ideographs, kana, CJK punctuation and full-width forms: one token each."""
    return (
        0x3000 <= cp <= 0x30FF  # CJK symbols and punctuation, hiragana, katakana
        or 0x31F0 <= cp <= 0x31FF  # katakana extensions
        or 0x3400 <= cp <= 0x4DBF  # extension A
        or 0x4E00 <= cp <= 0x9FFF  # unified ideographs
        or 0xF900 <= cp <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= cp <= 0xFFEF  # half- and full-width forms
        or 0x20000 <= cp <= 0x3134F  # extensions B-G
    )


def _is_extender(ch: str) -> bool:
    """Characters that belong to the symbol before them (emoji modifiers and the like)."""
    cp = ord(ch)
    return (
        unicodedata.category(ch).startswith("M")  # combining marks, incl. keycap U+20E3
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # tag characters (flag sequences)
    )


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_" or unicodedata.category(ch).startswith("M")


def tokenize(text: str, limit: int | None = None) -> list[str] | None:
    """Split ``text`` into tokens (see the module docstring); ``"".join`` gives it back.

    Returns ``None`` as soon as there would be more than ``limit`` tokens, so a huge
    text is not tokenized in full only to be diffed by lines.
    """
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if limit is not None and len(tokens) >= limit:
            return None
        ch = text[i]
        cp = ord(ch)
        j = i + 1
        if ch.isspace():
            while j < n and text[j].isspace():
                j += 1
        elif _is_cjk(cp):
            while j < n and _is_extender(text[j]):
                j += 1
        elif _is_word(ch):
            while j < n and not _is_cjk(ord(text[j])) and _is_word(text[j]):
                j += 1
        else:
            if 0x1F1E6 <= cp <= 0x1F1FF and j < n and 0x1F1E6 <= ord(text[j]) <= 0x1F1FF:
                j += 1  # a flag: two regional indicators
            while j < n:
                if _is_extender(text[j]):
                    j += 1
                elif text[j] == "\u200d" and j + 1 < n:  # zero-width joiner: 👩‍💻
                    j += 2
                else:
                    break
        tokens.append(text[i:j])
        i = j
    return tokens


def _lcs(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Index pairs of one longest common subsequence (dynamic programming)."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = table[i], table[i + 1]
        ai = a[i]
        for j in range(m - 1, -1, -1):
            row[j] = below[j + 1] + 1 if ai == b[j] else max(below[j], row[j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            pairs.append((i, j))
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def _anchors(a: Sequence[int], b: Sequence[int], k: int = 1) -> list[tuple[int, int]]:
    """Runs of ``k`` tokens unique on both sides, longest chain in the same order.

    Returns the start of each run (patience sorting). With a small vocabulary no
    single token is unique, but runs of a few tokens usually are.
    """

    def grams(seq: Sequence[int]) -> list[object]:
        if k == 1:
            return list(seq)
        return [tuple(seq[i : i + k]) for i in range(len(seq) - k + 1)]

    ga, gb = grams(a), grams(b)
    count_a: dict[object, int] = {}
    for t in ga:
        count_a[t] = count_a.get(t, 0) + 1
    where_b: dict[object, int] = {}
    count_b: dict[object, int] = {}
    for j, t in enumerate(gb):
        count_b[t] = count_b.get(t, 0) + 1
        where_b[t] = j
    pairs = [(i, where_b[t]) for i, t in enumerate(ga) if count_a[t] == 1 and count_b.get(t) == 1]
    if not pairs:
        return []
    # Longest increasing subsequence of the right-hand positions.
    tails: list[int] = []  # right position ending the best run of each length
    tail_index: list[int] = []
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_index.append(k)
        else:
            tails[pos] = j
            tail_index[pos] = k
        back[k] = tail_index[pos - 1] if pos else -1
    run: list[tuple[int, int]] = []
    k = tail_index[-1]
    while k != -1:
        run.append(pairs[k])
        k = back[k]
    run.reverse()
    return run


def _matches(a: Sequence[int], b: Sequence[int]) -> list[tuple[int, int]]:
    """Matched index pairs (increasing on both sides)."""
    found: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            found.append((alo, blo))
            alo += 1
            blo += 1
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            found.append((ahi, bhi))
        if alo == ahi or blo == bhi:
            continue
        sub_a, sub_b = a[alo:ahi], b[blo:bhi]
        anchors: list[tuple[int, int]] = []
        for k in _ANCHOR_RUNS:
            if k > 1 and len(sub_a) * len(sub_b) <= MAX_LCS_CELLS:
                break  # small enough to align exactly
            anchors = _anchors(sub_a, sub_b, k)
            if anchors:
                break
        if anchors:
            pi, pj = alo, blo
            for i, j in anchors:
                found.append((alo + i, blo + j))
                stack.append((pi, alo + i, pj, blo + j))
                pi, pj = alo + i + 1, blo + j + 1
            stack.append((pi, ahi, pj, bhi))
        elif len(sub_a) * len(sub_b) <= MAX_LCS_CELLS:
            found.extend((alo + i, blo + j) for i, j in _lcs(sub_a, sub_b))
        # else: too large to align exactly and nothing to anchor on: a replacement.
    found.sort()
    return found


@dataclass(slots=True)
class _Op:
    """A run of tokens: ``same`` on both sides, or ``change`` (left removed, right added)."""

    tag: str
    i1: int
    i2: int
    j1: int
    j2: int


def _diff_tokens(ta: list[str], tb: list[str], line_level: bool) -> WordDiff:
    ids: dict[str, int] = {}
    a = [ids.setdefault(t, len(ids)) for t in ta]
    b = [ids.setdefault(t, len(ids)) for t in tb]
    ops: list[_Op] = []
    i = j = 0
    for mi, mj in [*_matches(a, b), (len(a), len(b))]:
        if mi > i or mj > j:
            ops.append(_Op("change", i, mi, j, mj))
        if mi < len(a):
            if ops and ops[-1].tag == "same":
                ops[-1].i2, ops[-1].j2 = mi + 1, mj + 1
            else:
                ops.append(_Op("same", mi, mi + 1, mj, mj + 1))
        i, j = mi + 1, mj + 1
    # A bare space between two changes reads better as part of one change.
    for k in range(1, len(ops) - 1):
        op = ops[k]
        if (
            op.tag == "same"
            and ops[k - 1].tag == ops[k + 1].tag == "change"
            and all(t.isspace() for t in ta[op.i1 : op.i2])
        ):
            op.tag = "change"
    left: list[Segment] = []
    right: list[Segment] = []

    def add(side: list[Segment], text: str, kind: str) -> None:
        if not text:
            return
        if side and side[-1][1] == kind:
            side[-1] = (side[-1][0] + text, kind)
        else:
            side.append((text, kind))

    for op in ops:
        same = op.tag == "same"
        add(left, "".join(ta[op.i1 : op.i2]), "same" if same else "removed")
        add(right, "".join(tb[op.j1 : op.j2]), "same" if same else "added")
    return WordDiff(left, right, line_level)


def diff_words(left: str, right: str, *, max_tokens: int = MAX_TOKENS) -> WordDiff:
    """Segments of ``left`` (same/removed) and ``right`` (same/added).

    More than ``max_tokens`` tokens on either side: the diff is made per line
    (``line_level=True``), which is still bounded and readable for long answers.
    """
    ta = tokenize(left, max_tokens)
    tb = tokenize(right, max_tokens) if ta is not None else None
    if ta is None or tb is None:
        return _diff_tokens(left.splitlines(keepends=True), right.splitlines(keepends=True), True)
    return _diff_tokens(ta, tb, False)
