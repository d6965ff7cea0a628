"""Presence with only the pairs that may overlap merged (session 20, sect9): a speaker
without events keeps its one interval (D0 to as-of), a pair with one event interval and no
day spoken outside it keeps that one, and every other pair — several event intervals, days
spoken outside its one, or events that open none — is merged with its days spoken. By hand,
each case beside the others (a mutant leaving out any of them fails)."""

from __future__ import annotations

import polars as pl

from sqops.data.membership import _presence, presence_from_events
from sqops.data.tables import ID

from .test_presence_merge import _events as _timed_events
from .test_presence_merge import _rows

ASOF = 30


def _groups() -> pl.DataFrame:
    """g1 with D0 day 0, g2 with D0 day 3, g3 with D0 day 40 (after as-of)."""
    return pl.DataFrame(
        {"group_id": ["g1", "g2", "g3"], "d0": [0, 3, 40]},
        schema={"group_id": ID, "d0": pl.Int32},
    )


def _events(rows: list[tuple[str, str, str, int]]) -> pl.DataFrame:
    """Member events from (group, member, event, day), each at noon UTC of its day, in the
    order given (an ``invited`` row too: not a join or leave)."""
    return _timed_events([(g, m, e, d * 86_400 + 43_200, d) for g, m, e, d in rows])


def _act(rows: list[tuple[str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(g, m, d, 1) for g, m, d in rows],
        schema={"group_id": ID, "member_id": ID, "day": pl.Int32, "n": pl.UInt32},
        orient="row",
    )


EVENTS = [
    # g1/a: two event intervals that touch (2-5 and 6-as-of): merged into one
    ("g1", "a", "join", 2),
    ("g1", "a", "leave", 5),
    ("g1", "a", "join", 6),
    # g1/b: one event interval (10-as-of); spoke on days 7 and 8, outside it: 7-8 and 10-30
    # apart, and day 9 spoken too joins them all (below)
    ("g1", "b", "join", 10),
    # g1/c: a join after as-of opens nothing (no interval kept); spoke on days 4 and 5
    ("g1", "c", "invited", 1),
    ("g1", "c", "join", 35),
    # g2/e: one event interval (4-12), spoken inside it only: kept as it is
    ("g2", "e", "join", 4),
    ("g2", "e", "leave", 12),
    # g2/f: events, never spoke: their intervals alone (two apart)
    ("g2", "f", "join", 1),
    ("g2", "f", "leave", 2),
    ("g2", "f", "join", 20),
    ("g2", "f", "leave", 22),
    # g2/k: two event intervals that touch (14-15, 16-as-of), never spoke: merged too
    ("g2", "k", "join", 14),
    ("g2", "k", "leave", 15),
    ("g2", "k", "join", 16),
    # a member's events in one group only: g2/a (below) speaks without events
    ("g1", "h", "leave", 9),
]

ACT = [
    ("g1", "a", 3),
    ("g1", "a", 7),
    ("g1", "b", 7),
    ("g1", "b", 8),
    ("g1", "b", 9),
    ("g1", "c", 4),
    ("g1", "c", 5),
    ("g2", "e", 5),
    ("g2", "e", 12),
    ("g2", "a", 8),  # no events in g2: from D0 (3) to as-of
    ("g3", "z", 29),  # no events, D0 after as-of: (40, 30), kept as it is
]


#: every speaker of ACT from their group's D0 to as-of (D0 after as-of kept as it is)
FROM_D0 = [
    ("g1", "a", 0, 30),
    ("g1", "b", 0, 30),
    ("g1", "c", 0, 30),
    ("g2", "a", 3, 30),
    ("g2", "e", 3, 30),
    ("g3", "z", 40, 30),
]


def test_presence_by_hand() -> None:
    basis, got, last = _presence(_act(ACT), _events(EVENTS), _groups(), ASOF)
    assert basis == "membership"
    assert got.columns == ["group_id", "member_id", "s", "e"]
    assert [got.schema[c] for c in got.columns] == [ID, ID, pl.Int32, pl.Int32]
    assert _rows(got) == [
        ("g1", "a", 2, 30),
        ("g1", "b", 7, 30),
        ("g1", "c", 4, 5),
        ("g1", "h", 0, 9),  # (a first leave: from D0)
        ("g2", "a", 3, 30),
        ("g2", "e", 4, 12),
        ("g2", "f", 1, 2),
        ("g2", "f", 20, 22),
        ("g2", "k", 14, 30),
        ("g3", "z", 40, 30),
    ]
    assert sorted((str(g), str(m), int(d)) for g, m, d in last.iter_rows()) == [
        ("g1", "a", 7),
        ("g1", "b", 9),
        ("g1", "c", 5),
        ("g2", "a", 8),
        ("g2", "e", 12),
        ("g3", "z", 29),
    ]


def test_presence_spoken_outside_apart() -> None:
    """g1/b without day 9 spoken: days 7-8 one interval, the event interval 10-30 another."""
    act = [r for r in ACT if r != ("g1", "b", 9)]
    _, got, _ = _presence(_act(act), _events(EVENTS), _groups(), ASOF)
    assert [r for r in _rows(got) if r[:2] == ("g1", "b")] == [
        ("g1", "b", 7, 8),
        ("g1", "b", 10, 30),
    ]


def test_presence_without_join_or_leave() -> None:
    """Member events but none a join or leave: every speaker from D0 (none with events)."""
    ev = _events([("g1", "a", "invited", 1)])
    basis, got, _ = _presence(_act(ACT), ev, _groups(), ASOF)
    assert basis == "membership"
    assert _rows(got) == FROM_D0
    empty = presence_from_events(ev, _groups(), ASOF)
    assert empty.height == 0
    assert [empty.schema[c] for c in ("group_id", "member_id", "s", "e")] == [
        ID,
        ID,
        pl.Int32,
        pl.Int32,
    ]


def test_presence_speakers() -> None:
    """No members table: each speaker from their group's D0 to as-of, one interval each
    (D0 after as-of kept as it is)."""
    basis, got, _ = _presence(_act(ACT), None, _groups(), ASOF)
    assert basis == "speakers"
    assert [got.schema[c] for c in got.columns] == [ID, ID, pl.Int32, pl.Int32]
    assert _rows(got) == FROM_D0


def test_presence_from_events_by_hand() -> None:
    """The event intervals alone (the days spoken not read), in pair then start order."""
    got = presence_from_events(_events(EVENTS), _groups(), ASOF)
    assert _rows(got) == [
        ("g1", "a", 2, 5),
        ("g1", "a", 6, 30),
        ("g1", "b", 10, 30),
        ("g1", "h", 0, 9),
        ("g2", "e", 4, 12),
        ("g2", "f", 1, 2),
        ("g2", "f", 20, 22),
        ("g2", "k", 14, 15),
        ("g2", "k", 16, 30),
    ]
    # a join and a leave at the same time: the join first (present that day, then left)
    ev = _events([("g1", "x", "leave", 5), ("g1", "x", "join", 5)])
    assert _rows(presence_from_events(ev, _groups(), ASOF)) == [("g1", "x", 5, 5)]
