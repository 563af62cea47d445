"""Local history store (SQLite, stdlib only; never imports Qt).

Use :class:`Store`; rows come back as the dataclasses of :mod:`chatdesk.store.rows`.
"""

from chatdesk.store.db import Store
from chatdesk.store.errors import StoreError
from chatdesk.store.rows import (
    MESSAGE_STATUSES,
    ComparisonRow,
    ConversationRow,
    MessageRow,
    ProviderRow,
    SearchHit,
    VoteRow,
)

__all__ = [
    "MESSAGE_STATUSES",
    "ComparisonRow",
    "ConversationRow",
    "MessageRow",
    "ProviderRow",
    "SearchHit",
    "Store",
    "StoreError",
    "VoteRow",
]
