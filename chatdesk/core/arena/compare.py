"""A comparison: 2 to 4 columns (a model plus its own parameters) answering one prompt.

Stored as an ordinary conversation plus a ``comparisons`` row. The first turn is one
user message with one sibling answer per column (``meta["column"]`` says which). On
later turns each column keeps its own thread by default: the prompt is saved once
per column, under that column's last answer. When the user carries one answer
forward, the prompt is saved once, under that answer, and every column replies to it
(so that answer is the shared context from then on). The window's compare view and
``chatdesk compare`` both drive this class; it imports no Qt.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chatdesk.core.chat.exchange import Exchange, ExchangeObserver, ExchangeTarget
from chatdesk.core.chat.extrabody import extra_body_for
from chatdesk.core.chat.figures import STREAMED_TOKENS
from chatdesk.core.chat.patient import STREAM_WAIT_S, PatientStore
from chatdesk.core.chat.turnrefs import clean_turns
from chatdesk.core.chat.turns import Draft, build_request, save_user_turn
from chatdesk.core.services import Endpoint
from chatdesk.store.rows import COLUMN_LABELS, MessageRow, MessageStatus

if TYPE_CHECKING:
    from chatdesk.store import Store

#: The column labels, "A" to "D": the one list, defined next to the rows because the
#: store (which cannot import core) checks votes against it too.
LABELS = COLUMN_LABELS
MIN_COLUMNS, MAX_COLUMNS = 2, len(LABELS)


@dataclass(slots=True)
class ColumnSpec:
    """One column: a model on a provider (None = the default one), with its parameters."""

    model: str
    params: dict[str, Any] = field(default_factory=dict)
    provider: str | None = None

    def to_dict(self, label: str) -> dict[str, Any]:
        return {
            "label": label,
            "model": self.model,
            "provider": self.provider,
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, raw: Any) -> ColumnSpec:
        """From the stored JSON; anything malformed becomes an empty but valid column."""
        if not isinstance(raw, dict):
            return cls(model="?")
        params = raw.get("params")
        provider = raw.get("provider")
        return cls(
            model=str(raw.get("model") or "?")[:200],
            params=dict(params) if isinstance(params, dict) else {},
            provider=str(provider)[:100] if isinstance(provider, str) else None,
        )


@dataclass(frozen=True, slots=True)
class CarryNote:
    """In a column's display: the next turn continued from ``source``'s answer
    (``carried``: this column's own answer was the one carried)."""

    source: int
    carried: bool


class CompareError(ValueError):
    """A comparison that cannot be set up (too few or too many columns...)."""


def check_columns(columns: list[ColumnSpec]) -> None:
    if not MIN_COLUMNS <= len(columns) <= MAX_COLUMNS:
        raise CompareError(
            f"a comparison has {MIN_COLUMNS} to {MAX_COLUMNS} columns, not {len(columns)}"
        )
    for spec in columns:
        if not spec.model.strip():
            raise CompareError("every column needs a model")


class Comparison:
    """A saved comparison and the exchanges of its current turn."""

    def __init__(self, store: Store, comparison_id: int) -> None:
        self.store = store
        self.id = comparison_id
        row = store.get_comparison(comparison_id)
        if row is None:
            raise CompareError(f"no comparison with id {comparison_id}")
        self.conversation_id: int = row.conversation_id
        self.blind: bool = bool(row.blind)
        raw = row.columns if isinstance(row.columns, list) else []
        self.columns = [ColumnSpec.from_dict(c) for c in raw[:MAX_COLUMNS]]
        self.state: dict[str, Any] = dict(row.state) if isinstance(row.state, dict) else {}
        if self.state.get("turns"):
            own = store.message_ids(self.conversation_id)
            self.state["turns"] = clean_turns(self.state["turns"], own, len(self.columns))
        self.exchanges: list[Exchange | None] = [None] * len(self.columns)
        # How long a streaming write waits for a busy database before it is kept in
        # memory (the window sets a shorter wait: it must keep painting).
        self.stream_wait = STREAM_WAIT_S
        # This run's own extra body (``compare --extra-body``), merged over the stored ones.
        self.extra_body: dict[str, Any] | None = None

    # --- creating and loading -------------------------------------------------------

    @classmethod
    def create(
        cls,
        store: Store,
        columns: list[ColumnSpec],
        *,
        title: str = "",
        system_prompt: str = "",
        blind: bool = False,
        rng: random.Random | None = None,
    ) -> Comparison:
        """Save a new, empty comparison; blind mode shuffles the columns once, here."""
        check_columns(columns)
        order = list(range(len(columns)))
        if blind:
            (rng or random.Random()).shuffle(order)
        shown = [columns[i] for i in order]
        conv_id = store.create_conversation(
            title or "Comparison",
            model=None if blind else shown[0].model,  # no name leaks before the vote
            provider=shown[0].provider,
            system_prompt=system_prompt,
        )
        comparison_id = store.create_comparison(
            conv_id,
            [c.to_dict(LABELS[i]) for i, c in enumerate(shown)],
            blind=blind,
            state={"column_order": order, "turns": [], "carry": None, "sync_scroll": True},
        )
        return cls(store, comparison_id)

    @classmethod
    def for_conversation(cls, store: Store, conversation_id: int) -> Comparison | None:
        row = store.comparison_for_conversation(conversation_id)
        return None if row is None else cls(store, row.id)

    def save_state(self) -> None:
        self.store.update_comparison(
            self.id,
            columns=[c.to_dict(LABELS[i]) for i, c in enumerate(self.columns)],
            state=self.state,
        )

    # --- what each column shows ------------------------------------------------------

    @property
    def labels(self) -> list[str]:
        return [LABELS[i] for i in range(len(self.columns))]

    @property
    def turns(self) -> list[dict[str, Any]]:
        turns = self.state.get("turns")
        if not isinstance(turns, list):
            turns = self.state["turns"] = []
        return turns

    def leaf(self, column: int) -> int | None:
        """The last message of a column's thread (its latest answer, or its question)."""
        for turn in reversed(self.turns):
            found = (turn.get("leaves") or {}).get(str(column))
            if isinstance(found, int):
                return found  # tool results after the answer (a tool turn cut short)
            answers = turn.get("answers") or {}
            found = answers.get(str(column))
            if isinstance(found, int):
                return found
            users = turn.get("users") or {}
            found = users.get(str(column))
            if isinstance(found, int):
                return found
        return None

    def path(self, column: int) -> list[MessageRow]:
        """Everything this column's model has seen and said, root first."""
        leaf = self.leaf(column)
        return self.store.path_to(leaf) if leaf is not None else []

    def shown(self, column: int) -> list[MessageRow | CarryNote]:
        """What the column shows: each turn's prompt and this column's OWN answer.

        ``path`` is what the model saw; after a carried turn that runs through the
        carried column's answer, which must not be shown as this column's. Each turn
        contributes the messages from its prompt down to the column's end of that turn
        (its answer, tool rounds, a stop or an error); a carried turn is preceded by a
        :class:`CarryNote` (in the carried column too, under the answer it carried).
        """
        by_id = {r.id: r for r in self.store.list_messages(self.conversation_id)}
        key = str(column)
        out: list[MessageRow | CarryNote] = []
        for t, turn in enumerate(self.turns):
            user = (turn.get("users") or {}).get(key)
            if not isinstance(user, int) or user not in by_id:
                continue
            end = None
            for refs in ("leaves", "answers"):
                found = (turn.get(refs) or {}).get(key)
                if isinstance(found, int) and found in by_id:
                    end = found
                    break
            chain: list[MessageRow] = []
            node = by_id.get(end if end is not None else user)
            while node is not None and len(chain) <= len(by_id):
                chain.append(node)
                if node.id == user and t > 0:
                    break
                node = by_id.get(node.parent_id) if node.parent_id is not None else None
            if t > 0 and (not chain or chain[-1].id != user):
                chain = [by_id[user]]  # a broken thread: at least the prompt
            carry = turn.get("carry")
            if t > 0 and isinstance(carry, int) and 0 <= carry < len(self.columns):
                out.append(CarryNote(carry, carried=carry == column))
            out.extend(reversed(chain))
        return out

    def answer(self, column: int, turn: int = -1) -> MessageRow | None:
        if not self.turns:
            return None
        found = (self.turns[turn].get("answers") or {}).get(str(column))
        return self.store.get_message(found) if isinstance(found, int) else None

    def last_prompt(self) -> str:
        if not self.turns:
            return ""
        users = self.turns[-1].get("users") or {}
        for uid in users.values():
            row = self.store.get_message(uid) if isinstance(uid, int) else None
            if row is not None:
                return row.content
        return ""

    @property
    def carry(self) -> int | None:
        """The column whose latest answer feeds every column's next turn (None: own threads)."""
        value = self.state.get("carry")
        return value if isinstance(value, int) and 0 <= value < len(self.columns) else None

    def set_carry(self, column: int | None) -> None:
        self.state["carry"] = column
        self.save_state()

    # --- running a turn ---------------------------------------------------------------

    def start_turn(
        self,
        draft: Draft,
        client_for: Callable[[ColumnSpec], tuple[Any, Endpoint]],
        *,
        stream: bool = True,
    ) -> list[Exchange]:
        """Save the prompt (per the carry rule) and make one exchange per column.

        The exchanges are returned not started; a column whose request cannot be built
        (a parameter out of range) raises before anything is saved.
        """
        carry = self.carry
        # The carried column's thread end: its answer, or the tool results after it when
        # its turn stopped on tool calls (a call without its result is refused upstream).
        carried_id = self.leaf(carry) if carry is not None and self.turns else None
        carried = self.store.get_message(carried_id) if carried_id is not None else None
        conv = self.store.get_conversation(self.conversation_id)
        # Check every column's request first: nothing is saved for a refused turn.
        for spec in self.columns:
            build_request(
                self.store,
                conv,
                [],
                spec.model,
                spec.params,
                draft=draft,
                stream=stream,
                extra_body=self.extra_body,
            )
        users: dict[str, int] = {}
        if carried is not None:
            _, uid = self._save_prompt(draft, carried.id)
            users = {str(i): uid for i in range(len(self.columns))}
        elif not self.turns:
            _, uid = self._save_prompt(draft, None)
            users = {str(i): uid for i in range(len(self.columns))}
        else:
            for i in range(len(self.columns)):
                _, uid = self._save_prompt(draft, self.leaf(i))
                users[str(i)] = uid
        self.turns.append({"users": users, "answers": {}, "carry": carry})
        self.state["carry"] = None  # the rule applies to one turn; each column goes on
        self.save_state()
        return [self.make_exchange(i, client_for, stream=stream) for i in range(len(self.columns))]

    def _save_prompt(self, draft: Draft, parent: int | None) -> tuple[int, int]:
        return save_user_turn(
            self.store,
            self.conversation_id,
            draft,
            parent_id=parent,
            model=None,
            provider=None,
            system_prompt="",
            params=None,
        )

    def make_exchange(
        self,
        column: int,
        client_for: Callable[[ColumnSpec], tuple[Any, Endpoint]],
        *,
        stream: bool = True,
    ) -> Exchange:
        """The exchange answering the current turn's prompt in ``column`` (also Retry)."""
        spec = self.columns[column]
        turn = self.turns[-1] if self.turns else {}
        user_id = (turn.get("users") or {}).get(str(column))
        if not isinstance(user_id, int):
            raise CompareError("this comparison has no prompt to answer")
        conv = self.store.get_conversation(self.conversation_id)
        path = self.store.path_to(user_id)
        client, endpoint = client_for(spec)
        extra = extra_body_for(self.store, endpoint.name, spec.model, self.extra_body)
        request = build_request(
            self.store, conv, path, spec.model, spec.params, stream=stream, extra_body=extra
        )
        exchange = Exchange(
            client,
            request,
            store=PatientStore(self.store, stream_wait=self.stream_wait),
            target=ExchangeTarget(self.conversation_id, user_id, meta={"column": column}),
            label=LABELS[column],
        )
        exchange.observe(_AnswerRecorder(self, column))
        self.exchanges[column] = exchange
        return exchange

    def keep_streamed(self, column: int, tokens: int) -> None:
        """A stopped or failed answer has no usage from the server: keep the count of
        tokens that streamed, so reopening shows what was seen live."""
        row = self.answer(column)
        if row is None or tokens <= 0 or (row.usage or {}).get("completion_tokens"):
            return
        meta = dict(row.meta) if isinstance(row.meta, dict) else {}
        meta[STREAMED_TOKENS] = int(tokens)
        self.store.update_message(row.id, meta=meta)

    def set_leaf(self, column: int, message_id: int) -> None:
        """The column's thread goes on after ``message_id`` (the tool results of a tool
        turn), until the next answer of the column is recorded."""
        if self.turns:
            self.turns[-1].setdefault("leaves", {})[str(column)] = message_id
            self.save_state()

    def follow(self, column: int, exchange: Exchange) -> None:
        """Record ``exchange``'s answer as the column's latest (the later rounds of a
        tool turn: the column's thread then ends at the answer after the tool results)."""
        exchange.observe(_AnswerRecorder(self, column))

    # --- columns ----------------------------------------------------------------------

    def can_edit_columns(self) -> bool:
        """Columns are fixed once the first prompt is sent (threads belong to them)."""
        return not self.turns

    def set_columns(self, columns: list[ColumnSpec]) -> None:
        check_columns(columns)
        if not self.can_edit_columns():
            raise CompareError("columns can change only before the first prompt")
        self.columns = list(columns)
        self.exchanges = [None] * len(columns)
        self.state["column_order"] = list(range(len(columns)))
        self.save_state()

    def models(self) -> list[str]:
        return [c.model for c in self.columns]

    # --- votes ------------------------------------------------------------------------

    def votes(self) -> list[Any]:
        return list(self.store.votes_for(self.id))

    def vote(self, winner: str) -> int:
        """Record a vote on the latest turn (reveals the names in blind mode)."""
        if not self.turns:
            raise CompareError("nothing to vote on yet")
        users = self.turns[-1].get("users") or {}
        user_id = next((u for u in users.values() if isinstance(u, int)), None)
        order = self.state.get("column_order")
        return int(
            self.store.add_vote(
                self.id,
                winner,
                models=self.models(),
                prompt=self.last_prompt(),
                column_order=order if isinstance(order, list) else list(range(len(self.columns))),
                user_message_id=user_id,
            )
        )

    def voted_latest(self) -> bool:
        """Whether the latest turn has a vote (blind names stay hidden until it has)."""
        if not self.turns:
            return False
        users = self.turns[-1].get("users") or {}
        ids = {u for u in users.values() if isinstance(u, int)}
        return any(v.user_message_id in ids for v in self.store.votes_for(self.id))

    def names_hidden(self) -> bool:
        """Blind until the first vote; once revealed, the names stay on screen."""
        return self.blind and not self.votes()

    def fork_column(self, column: int, title: str | None = None) -> int:
        """ "Continue in chat": a new ordinary conversation holding this column's history."""
        spec = self.columns[column]
        path = self.path(column)
        conv = self.store.get_conversation(self.conversation_id)
        new_id = self.store.create_conversation(
            title or (conv.title if conv else "Comparison"),
            model=spec.model,
            provider=spec.provider,
            system_prompt=conv.system_prompt if conv else "",
            params=dict(spec.params),
        )
        parent: int | None = None
        with self.store.transaction():
            for row in path:
                parent = self.store.add_message(
                    new_id,
                    row.role,
                    row.content,
                    parent_id=parent,
                    parts=row.parts,
                    reasoning=row.reasoning,
                    name=row.name,
                    tool_calls=row.tool_calls,
                    tool_call_id=row.tool_call_id,
                    model_requested=row.model_requested,
                    model=row.model,
                    finish_reason=row.finish_reason,
                    usage=row.usage,
                    ttft_ms=row.ttft_ms,
                    duration_ms=row.duration_ms,
                    status=(
                        MessageStatus.INTERRUPTED
                        if row.status == MessageStatus.STREAMING
                        else row.status
                    ),
                    error=row.error,
                    error_category=row.error_category,
                    created=row.created,
                    make_current=True,
                )
        return new_id


def names_hidden_in(store: Store, conversation_id: int) -> bool:
    """Whether a conversation is a blind comparison nobody has voted on yet: its
    answers' models must not be named anywhere (search results, exports...)."""
    row = store.comparison_for_conversation(conversation_id)
    return row is not None and bool(row.blind) and not store.votes_for(row.id)


class _AnswerRecorder(ExchangeObserver):
    """Writes each column's answer id into the turn as soon as its row exists."""

    def __init__(self, comparison: Comparison, column: int) -> None:
        self.comparison = comparison
        self.column = column

    def message_created(self, exchange: Exchange, index: int, message_id: int) -> None:
        if index != 0:
            return
        turn = self.comparison.turns[-1]
        answers = turn.setdefault("answers", {})
        answers[str(self.column)] = message_id
        (turn.get("leaves") or {}).pop(str(self.column), None)  # the answer is the newest
        self.comparison.save_state()
