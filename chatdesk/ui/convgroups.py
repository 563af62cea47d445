"""Date groups of the conversation sidebar and the shown labels of repeated titles.

Plain Python (no Qt): which section a row falls in ("Pinned", "Today", a month) and
how rows with the same title are told apart are rules about dates and strings, kept
apart from the list model that turns them into rows and the widget that shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import IntEnum

from chatdesk.store.rows import ConversationRow

# The latest timestamp shown as a date (year 3000): bounds hostile values from a file.
_LATEST = 32503680000.0


class Group(IntEnum):
    """Sidebar sections, in display order (OLDER repeats: one header per month)."""

    PINNED = 0
    TODAY = 1
    YESTERDAY = 2
    PREVIOUS_7_DAYS = 3
    PREVIOUS_30_DAYS = 4
    OLDER = 5


@dataclass(slots=True, frozen=True)
class Header:
    """A group header row; ``month`` (year * 12 + month - 1) tells OLDER months apart."""

    group: Group
    month: int = 0


@dataclass(slots=True, frozen=True)
class DayBounds:
    """Local-time midnights that separate the date groups, fixed at load time."""

    today: float
    yesterday: float
    week: float
    month: float = 0.0
    year: int = 0

    @classmethod
    def at(cls, now: float) -> DayBounds:
        """Boundaries for the local calendar day containing ``now`` (epoch seconds)."""
        today = datetime.fromtimestamp(now).date()

        def midnight(day: date) -> float:
            # A naive datetime's timestamp() is interpreted in local time (DST-safe).
            return datetime(day.year, day.month, day.day).timestamp()

        return cls(
            today=midnight(today),
            yesterday=midnight(today - timedelta(days=1)),
            week=midnight(today - timedelta(days=7)),
            month=midnight(today - timedelta(days=30)),
            year=today.year,
        )

    def group_of(self, row: ConversationRow) -> Group:
        if row.pinned:
            return Group.PINNED
        if row.updated >= self.today:
            return Group.TODAY
        if row.updated >= self.yesterday:
            return Group.YESTERDAY
        if row.updated >= self.week:
            return Group.PREVIOUS_7_DAYS
        if row.updated >= self.month:
            return Group.PREVIOUS_30_DAYS
        return Group.OLDER

    def header_of(self, row: ConversationRow) -> Header:
        group = self.group_of(row)
        if group != Group.OLDER:
            return Header(group)
        when = datetime.fromtimestamp(max(0.0, min(row.updated, _LATEST)))
        return Header(group, when.year * 12 + when.month - 1)


# A display row is either a group header or a conversation.
Item = Header | ConversationRow

# Kinds a conversation can be; the delegate draws an icon for each.
KINDS = ("chat", "compare", "promptset")


def item_key(item: Item) -> tuple[str, int, int]:
    """A row's identity across rebuilds (headers by group and month, rows by id)."""
    if isinstance(item, Header):
        return ("h", int(item.group), item.month)
    return ("c", item.id, 0)


def distinct_labels(convs: list[ConversationRow], untitled: str, today: float) -> dict[int, str]:
    """Shown titles for rows whose title repeats: the time (or the day and time) of
    the conversation's start, then "(2)", "(3)" if that still repeats.

    ``untitled`` is the (translated) name of a row without a title; ``today`` is local
    midnight, before which the day is shown too.
    """
    by_title: dict[str, list[ConversationRow]] = {}
    for conv in convs:
        by_title.setdefault(conv.title or "", []).append(conv)
    labels: dict[int, str] = {}
    for title, rows in by_title.items():
        if len(rows) < 2:
            continue
        base = title or untitled
        seen: dict[str, int] = {}
        for conv in sorted(rows, key=lambda r: (r.created, r.id)):
            when = datetime.fromtimestamp(max(0.0, min(conv.created, _LATEST)))
            stamp = when.strftime("%H:%M")
            if conv.created < today:
                stamp = when.strftime("%m-%d %H:%M")
            label = f"{base} · {stamp}"
            seen[label] = seen.get(label, 0) + 1
            if seen[label] > 1:
                label = f"{label} ({seen[label]})"
            labels[conv.id] = label
    return labels


__all__ = ["KINDS", "DayBounds", "Group", "Header", "Item", "distinct_labels", "item_key"]
