"""A column that failed has not lost a vote, also after the threads split (issue 15).

From the second turn on, each column of a comparison asks with its own copy of the
prompt and the vote names only one copy. A column that failed (its error reply hangs
under its own copy) or that failed before any reply was saved (its exchange never
ran) must not count as a loss. Real comparisons against the fake server, real SQLite.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from chatdesk.api.client import ChatClient
from chatdesk.core.arena.arena import fit_board, read_board
from chatdesk.core.arena.compare import ColumnSpec, Comparison
from chatdesk.core.chat.turns import Draft
from chatdesk.core.services import Endpoint
from chatdesk.store import Store
from tests.fakeserver import FakeServer, Reply

KEY = "sk-test-arena-split-0123"
MODELS = ["good", "fine", "broken"]


def test_a_column_that_failed_after_the_split_has_not_lost(tmp_path: Path) -> None:
    with FakeServer(api_key=KEY) as server, Store(tmp_path / "h.sqlite3") as store:
        for model in MODELS[:2]:
            server.script_for(model, *(Reply(text=f"{model} answer {n}") for n in range(3)))
        server.script_for(
            "broken", Reply(text="broken answer 0"), Reply.error(500, "the model crashed")
        )
        endpoint = Endpoint("fake", server.base_url, KEY, None, "env", "fake")
        comp = Comparison.create(store, [ColumnSpec(m, {}) for m in MODELS])

        async def turn(prompt: str, columns: list[int]) -> None:
            async with ChatClient(server.base_url, KEY, max_retries=0) as client:
                exchanges = comp.start_turn(Draft(text=prompt), lambda _spec: (client, endpoint))
                await asyncio.gather(*(exchanges[i].start() for i in columns))

        asyncio.run(turn("first", [0, 1, 2]))  # all three answer
        comp.vote("A")
        asyncio.run(turn("second", [0, 1, 2]))  # broken fails: HTTP 500
        comp.vote("A")
        asyncio.run(turn("third", [0, 1]))  # broken's exchange never ran: no reply row
        comp.vote("A")
        users = comp.turns[-1]["users"]
        assert len(set(users.values())) == 3  # the threads had split
        rows = {r.standing.model: r.standing for r in fit_board(read_board(store, None, None))}
    assert (rows["good"].votes, rows["good"].wins) == (3, 3)
    assert (rows["fine"].votes, rows["fine"].losses) == (3, 3)
    # broken played the first turn only
    assert (rows["broken"].votes, rows["broken"].losses) == (1, 1)
