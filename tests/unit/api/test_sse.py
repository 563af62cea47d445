"""SSEParser: every relay mangling its docstring lists, plus split-anywhere properties."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from chatdesk.api.errors import ProtocolError
from chatdesk.api.sse import SSEParser, split_glued


def parse(*reads: bytes) -> list[tuple[str | None, str]]:
    parser = SSEParser()
    out = []
    for data in reads:
        out.extend(parser.feed(data))
    out.extend(parser.close())
    return out


def test_basic_events_and_done() -> None:
    assert parse(b'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n') == [
        (None, '{"a":1}'),
        (None, '{"b":2}'),
        (None, "[DONE]"),
    ]


def test_comments_and_empty_data_are_ignored() -> None:
    raw = b": ping\n\n: keep-alive\ndata:\n\ndata: \n\ndata: x\n\n"
    assert parse(raw) == [(None, "x")]


def test_crlf_and_lone_cr_line_endings() -> None:
    assert parse(b"data: a\r\n\r\ndata: b\r\rdata: c\n\n") == [
        (None, "a"),
        (None, "b"),
        (None, "c"),
    ]


def test_data_without_space_and_with_two_spaces() -> None:
    # Only one space is stripped, as the SSE spec says.
    assert parse(b"data:x\n\ndata:  y\n\n") == [(None, "x"), (None, " y")]


def test_multiline_data_joined_with_newline() -> None:
    raw = b'data: {"a":\ndata: 1}\n\n'
    events = parse(raw)
    assert events == [(None, '{"a":\n1}')]
    assert json.loads(events[0][1]) == {"a": 1}


def test_event_error_is_reported_with_its_name() -> None:
    raw = b'event: error\ndata: {"error":{"message":"boom"}}\n\ndata: next\n\n'
    assert parse(raw) == [("error", '{"error":{"message":"boom"}}'), (None, "next")]


def test_event_error_without_data_is_not_silent() -> None:
    assert parse(b"event: error\n\n") == [("error", "")]


def test_other_fields_are_ignored() -> None:
    assert parse(b"id: 7\nretry: 100\nevent: message\ndata: x\n\n") == [("message", "x")]


def test_final_event_without_blank_line_is_flushed_at_close() -> None:
    assert parse(b"data: a\n\ndata: b") == [(None, "a"), (None, "b")]
    assert parse(b"data: a\n\ndata: b\n") == [(None, "a"), (None, "b")]


def test_event_split_inside_crlf() -> None:
    assert parse(b"data: a\r", b"\n\r", b"\ndata: b\r\n\r\n") == [(None, "a"), (None, "b")]


def test_event_split_inside_utf8_character() -> None:
    raw = "data: 你好🙂\n\n".encode()
    cut = raw.index("好".encode()) + 1
    assert parse(raw[:cut], raw[cut:]) == [(None, "你好🙂")]


def test_field_name_split_across_reads() -> None:
    assert parse(b"ev", b"ent: error\nda", b"ta: x\n\n") == [("error", "x")]


def test_glued_frames_on_one_line_are_split() -> None:
    raw = b'data: {"a":1}data: {"b":2}\n\ndata: [DONE]\n\n'
    assert parse(raw) == [(None, '{"a":1}'), (None, '{"b":2}'), (None, "[DONE]")]


def test_glued_frame_with_truncated_first_part() -> None:
    raw = b'data: {"a":data: {"b":2}\n\n'
    assert parse(raw) == [(None, '{"a":'), (None, '{"b":2}')]


def test_data_marker_inside_a_json_string_is_not_split() -> None:
    payload = '{"content":"see data: {x} and data:image/png"}'
    assert parse(f"data: {payload}\n\n".encode()) == [(None, payload)]


def test_glued_done_marker() -> None:
    assert split_glued('{"a":1}data: [DONE]') == ['{"a":1}', "[DONE]"]


def test_bare_json_line_is_data() -> None:
    raw = b'{"error":{"message":"no credit","code":"insufficient_quota"}}\n'
    assert parse(raw) == [(None, '{"error":{"message":"no credit","code":"insufficient_quota"}}')]


def test_bare_json_line_between_events() -> None:
    raw = b'data: a\n\n{"error":{"message":"x"}}\ndata: b\n\n'
    assert parse(raw) == [(None, "a"), (None, '{"error":{"message":"x"}}'), (None, "b")]


def test_leading_bom_is_dropped() -> None:
    assert parse(b"\xef\xbb\xbfdata: x\n\n") == [(None, "x")]


def test_several_frames_in_one_read_and_one_frame_in_many() -> None:
    raw = b"".join(b"data: %d\n\n" % i for i in range(50))
    expected = [(None, str(i)) for i in range(50)]
    assert parse(raw) == expected
    assert parse(*[raw[i : i + 1] for i in range(len(raw))]) == expected


def test_close_resets_the_parser() -> None:
    parser = SSEParser()
    parser.feed(b"data: half")
    assert parser.close() == [(None, "half")]
    assert parser.feed(b"data: again\n\n") == [(None, "again")]


# --- properties ---------------------------------------------------------------------------

_texts = st.text(alphabet=st.sampled_from(list('ab{}":, 你好世界🙂é\\')), min_size=0, max_size=12)


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    """A stream of mixed events with random line endings, comments and quirks."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
        kind = draw(
            st.sampled_from(["data", "nospace", "multi", "comment", "error", "empty", "bare"])
        )
        text = draw(_texts)
        if kind == "data":
            parts.append(f"data: {json.dumps({'t': text}, ensure_ascii=False)}{eol}{eol}")
        elif kind == "nospace":
            parts.append(f"data:{json.dumps(text, ensure_ascii=False)}{eol}{eol}")
        elif kind == "multi":
            parts.append(f"data: {text}{eol}data: {text}{eol}{eol}")
        elif kind == "comment":
            parts.append(f": keep-alive {text}{eol}")
        elif kind == "error":
            parts.append(f"event: error{eol}data: {json.dumps({'error': text})}{eol}{eol}")
        elif kind == "empty":
            parts.append(f"data:{eol}{eol}")
        else:
            parts.append(json.dumps({"error": {"message": text}}, ensure_ascii=False) + eol)
    if draw(st.booleans()):
        parts.append("data: [DONE]\n\n")
    return "".join(parts).encode()


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, last = [], 0
    for p in points:
        pieces.append(data[last:p])
        last = p
    pieces.append(data[last:])
    return pieces


@settings(max_examples=300, deadline=None)
@given(streams(), st.lists(st.integers(0, 10_000), max_size=12))
def test_split_anywhere_gives_the_same_events(data: bytes, cuts: list[int]) -> None:
    assert parse(*_split(data, cuts)) == parse(data)


@settings(max_examples=150, deadline=None)
@given(streams())
def test_byte_by_byte_gives_the_same_events(data: bytes) -> None:
    assert parse(*[data[i : i + 1] for i in range(len(data))]) == parse(data)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=6), st.data())
def test_payloads_round_trip_through_any_split(texts: list[str], data: st.DataObject) -> None:
    payloads = [json.dumps({"content": t}, ensure_ascii=False) for t in texts]
    eol = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    raw = "".join(f"data: {p}{eol}{eol}" for p in payloads).encode()
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=10))
    events = parse(*_split(raw, cuts))
    assert [json.loads(p)["content"] for _, p in events] == texts


@settings(max_examples=200, deadline=None)
@given(streams())
def test_one_read_per_event_gives_the_same_events(data: bytes) -> None:
    """A read holding exactly one whole event takes the parser's short path."""
    reads = [piece + b"\n\n" for piece in data.split(b"\n\n")]
    reads[-1] = reads[-1][:-2]
    assert b"".join(reads) == data
    assert parse(*reads) == parse(data)


def test_short_path_keeps_what_earlier_reads_left() -> None:
    """A whole "data: ..." read after a BOM, an event name, a CR or a held data line."""
    parser = SSEParser(max_line=20)
    assert parser.feed("\ufeffdata: a\n\n".encode()) == [(None, "a")]
    assert parser.feed(b"event: error\n") == []
    assert parser.feed(b'data: {"e":1}\n\n') == [("error", '{"e":1}')]
    assert parser.feed(b"data: b\r") == []  # the line ended; its event did not
    assert parser.feed(b"data: c\n\n") == [(None, "b\nc")]
    assert parser.feed(b"data: d\n\n") == [(None, "d")]
    with pytest.raises(ProtocolError):
        parser.feed(b"data: " + b"x" * 30 + b"\n\n")
