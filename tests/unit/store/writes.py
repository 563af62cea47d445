"""Random sequences of message writes, for property tests of the search indexes."""

from __future__ import annotations

from hypothesis import strategies as st

from chatdesk.store import Store

STATUSES = st.sampled_from(["streaming", "done", "stopped", "error", "interrupted"])

Op = tuple[str, object, object]


def write_ops(words: list[str]) -> st.SearchStrategy[list[Op]]:
    """Adds, edits of content/reasoning, status changes, deletes and interrupt sweeps."""
    text = st.lists(st.sampled_from(words), max_size=4)
    return st.lists(
        st.one_of(
            st.tuples(st.just("add"), text, STATUSES),
            st.tuples(st.just("content"), st.integers(0, 20), text),
            st.tuples(st.just("reasoning"), st.integers(0, 20), text),
            st.tuples(st.just("status"), st.integers(0, 20), STATUSES),
            st.tuples(st.just("delete"), st.integers(0, 20), st.just(None)),
            st.tuples(st.just("interrupt"), st.just(0), st.just(None)),
        ),
        max_size=25,
    )


def apply_op(s: Store, cid: int, ids: list[int], op: Op) -> None:
    """Run one write against conversation ``cid``; ``ids`` collects the added messages."""
    kind, a, b = op
    live = [i for i in ids if s.get_message(i) is not None]
    target = live[a % len(live)] if live and isinstance(a, int) else None
    if kind == "add":
        parent = live[-1] if live else None
        ids.append(s.add_message(cid, "user", " ".join(a), parent_id=parent, status=b))  # type: ignore[arg-type]
    elif kind == "content" and target:
        s.update_message(target, content=" ".join(b))  # type: ignore[arg-type]
    elif kind == "reasoning" and target:
        s.update_message(target, reasoning=" ".join(b))  # type: ignore[arg-type]
    elif kind == "status" and target:
        s.update_message(target, status=b)
    elif kind == "delete" and target:
        s.delete_message(target)
    elif kind == "interrupt":
        s.mark_interrupted()
