"""The section's cheaper steps of session 20 (benchmarks/README.md, "adherence, session 20")
give what the steps they replace gave: checked against those steps (kept here as references)
on random inputs, and by hand."""

from __future__ import annotations

import collections
import datetime as dt
import random
import sys

import polars as pl
import pytest

from sqops.adherence._compute import (
    _by_place,
    _frozen,
    _hour_counts,
    _in_order,
    _match,
    _numbers_rows,
    _parts,
    _rank_key,
)
from sqops.adherence._model import ROW_COLUMNS
from sqops.data.tables import ID
from sqops.sop.loader import parse_sop

from .conftest import frame, run
from .test_adherence_pairs import _frames, _match_reference
from .test_adherence_people import SOP


# ---------------------------------------------------------------- the rows of each group
def _rows_of(groups: list[int], n_groups: int, seed: int) -> pl.DataFrame:
    """Rows as ``_rows`` gives them: sorted by the group's place ``_g``, every ROW_COLUMN."""
    rng = random.Random(seed)
    gs = sorted(groups)
    data: dict[str, list] = {c: [] for c in ROW_COLUMNS}
    for i, g in enumerate(gs):
        data["group_id"].append(f"g{g:03d}")
        for c in ROW_COLUMNS[1:]:
            data[c].append(None if c in ("day", "quiet", "delta_min", "replies_2h", "opens_48h") else f"{c}{i}-{rng.random():.3f}")  # fmt: skip
    return pl.DataFrame(data).with_columns(pl.Series("_g", gs, dtype=pl.Int64))


def test_parts_are_the_partitions_in_place():
    for seed in range(20):
        rng = random.Random(seed)
        n = rng.randint(1, 12)
        # groups with no rows among them: first, last, in between
        groups = [rng.randrange(n) for _ in range(rng.randint(0, 40))]
        rows = _rows_of(groups, n, seed)
        got = _parts(rows, n)
        assert len(got) == n
        want = {k[0]: v for k, v in rows.select(ROW_COLUMNS).partition_by("group_id", as_dict=True).items()}  # fmt: skip
        for g, part in enumerate(got):
            assert part.columns == list(ROW_COLUMNS)
            ref = want.get(f"g{g:03d}", rows.select(ROW_COLUMNS).clear())
            assert part.equals(ref), (seed, g)


def test_parts_by_hand():
    rows = _rows_of([0, 0, 2, 2, 2], 4, 1)
    got = _parts(rows, 4)
    assert [p.height for p in got] == [2, 0, 3, 0]
    assert got[2]["group_id"].to_list() == ["g002"] * 3
    assert got[2]["item_id"].to_list() == rows["item_id"].to_list()[2:]


# ---------------------------------------------------------------- people
# the SOP of test_adherence_people (小苏 runs the mornings, the owner role 小林 the noons),
# with groups of these vars
PEOPLE = (
    SOP.split("groups:")[0]
    + """groups:
  - {id: g1, name: 一群, vars: {owner: 1}}
  - {id: g2, name: 二群, vars: {owner: true}}
  - {id: g3, name: 三群, vars: {owner: 阿强, n: 3}}
  - {id: g4, name: 四群, vars: {owner: 阿强}}
  - {id: g5, name: 五群, vars: {owner: 阿强}}
  - {id: g6, name: 六群}
"""
)


def test_people_asked_once_per_distinct_vars():
    """Groups with equal vars share their people; ``1`` and ``True`` are not equal vars
    (``vars.owner: 1`` names the person "1", ``true`` names nobody: the role's name)."""
    loaded = parse_sop(PEOPLE, "sop.yaml")
    # one post each day in each group, at noon: the morning items missed, the noon ones on time
    # (but g4's of 10-02 at 12:45, late: 阿强 has two outcomes in one group)
    posts = frame(
        "post_id, ts, group_id",
        [
            (f"p{g}{d}", f"2026-10-0{d} 12:{45 if (g, d) == (4, 2) else 0:02d}", f"g{g}")
            for g in range(1, 7)
            for d in (1, 2)
        ],
    )
    messages = frame(
        "ts, group_id, member_id, msg_type",
        [("2026-10-02 23:00", f"g{g}", "m1", "text") for g in range(1, 7)],
    )
    adh = run(loaded, posts=posts, messages=messages)
    got = [(p.person, p.groups, p.planned, p.on_time, p.late, p.missed) for p in adh.people]
    assert got == [
        ("1", 1, 2, 2, 0, 0),  # g1's noon
        ("小林", 2, 4, 4, 0, 0),  # the noon of g2 (owner true: nobody) and g6 (no vars)
        ("小苏", 6, 12, 0, 0, 12),  # every group's morning
        ("阿强", 3, 6, 5, 1, 0),  # the noon of g3, g4, g5
    ]


def test_frozen_vars():
    assert _frozen({"owner": 1}, 0) != _frozen({"owner": True}, 0)
    assert _frozen({"a": "x", "owner": "y"}, 0) == _frozen({"owner": "y", "a": "x"}, 5)
    # a value that cannot be hashed (a library caller's vars): a key of the group's own
    assert _frozen({"tags": ["a"]}, 7) == ("unhashable", 7)
    assert _frozen({"tags": ["a"]}, 7) != _frozen({"tags": ["a"]}, 8)


# ---------------------------------------------------------------- staff by id
def _role_messages():
    # x is staff by the role of one message: every message of x is staff's (staff_ids)
    return frame(
        "ts, group_id, member_id, msg_type, role",
        [
            ("2026-10-01 09:00", "g1", "x", "text", "staff"),
            ("2026-10-01 10:30", "g1", "x", "text", "member"),
            ("2026-10-01 10:40", "g1", "m1", "text", "member"),
            ("2026-10-01 10:50", "g1", "x", "text", None),
            ("2026-10-01 11:00", "g1", "m2", "text", None),
            ("2026-10-01 11:10", "g1", "s1", "text", "member"),  # s1: a member of a role
            ("2026-10-01 11:20", "g1", "m1", "system", "member"),
        ],
    )


def test_member_messages_leave_out_staff_by_id_whatever_the_row_role():
    adh = run(posts=frame("post_id, ts, group_id", [("p1", "2026-10-01 10:00", "g1")]), messages=_role_messages())  # fmt: skip
    (row,) = adh.groups[0].rows.filter(pl.col("post_id") == "p1").iter_rows(named=True)
    assert row["replies_2h"] == 2  # m1 at 10:40 and m2 at 11:00
    hours = {h.hour: h.member_messages for h in adh.fleet.clock.hours if h.member_messages}
    assert hours == {10: 1, 11: 1}


def test_is_staff_on_text_ids():
    """A messages table whose ids are texts, not the process's categorical: by the texts."""
    from dataclasses import replace

    from sqops.adherence._compute import _is_staff
    from sqops.data.tables import prepare_tables

    t = prepare_tables({"messages": _role_messages()}, tz="Asia/Shanghai")
    td = t["messages"]
    for frame_ in (td.frame, td.frame.with_columns(pl.col("member_id").cast(pl.String))):
        got = (
            replace(td, frame=frame_)
            .frame.filter(_is_staff(replace(td, frame=frame_), ["s1", "x"]))
            .select(pl.col("member_id").cast(pl.String))
            .collect()["member_id"]
            .to_list()
        )
        assert got == ["x", "x", "x", "s1"]


# ---------------------------------------------------------------- the pairs' rank
@pytest.mark.parametrize("seed", range(60))
def test_pairs_ranked_by_one_key_in_order_as_by_five(seed):
    """Posts numbered by group, local time and id (as the section numbers them when their
    local times are the times + one offset): ranked by (priority, distance, oid) as one
    integer and ``qid``, the matching is the five-key sort's, ranks and all."""
    planned, posts = _frames(random.Random(seed))
    got = _match(planned, posts, in_order=True).sort("oid", "qid")
    want = _match(planned, posts).sort("oid", "qid")
    assert got.equals(want)
    assert got.equals(_match_reference(planned, posts).sort("oid", "qid").select(got.columns))


def test_pairs_at_one_distance_before_and_after_by_hand():
    day, t = dt.date(2026, 10, 1), dt.datetime(2026, 10, 1, 12, 0)
    planned = pl.DataFrame(
        {"oid": [0, 1], "group_id": ["g1", "g1"], "day": [day, day], "item_id": ["a", "b"],
         "title": ["A", "B"], "ptime": [t, t + dt.timedelta(minutes=20)]},
        schema_overrides={"oid": pl.UInt32},
    )  # fmt: skip
    lts = [t - dt.timedelta(minutes=10), t + dt.timedelta(minutes=10), t + dt.timedelta(minutes=10)]  # fmt: skip
    posts = pl.DataFrame(
        {"post_id": ["q9", "q2", "q5"], "group_id": ["g1"] * 3, "day": [day] * 3, "lt": lts,
         "title": [None] * 3, "column": [None] * 3},
        schema_overrides={"title": pl.String, "column": pl.String},
    ).with_columns(pl.col("post_id").cast(ID), pl.col("group_id").cast(ID)).sort("group_id", "lt", "post_id").with_row_index("qid")  # fmt: skip
    # a (12:00): q9 (11:50), q2 and q5 (12:10) at 10 min, the earlier first; b (12:20): q2
    # and q5 at 10 min, ranked after a's (oid): a takes q9, then b q2 (its id before q5's)
    for in_order in (False, True):
        got = _match(planned, posts, in_order=in_order).sort("oid")
        assert got.select("oid", "qid", "delta_s").rows() == [(0, 0, -600.0), (1, 1, -600.0)]


def test_rank_key_past_63_bits_is_none():
    big = pl.DataFrame({"_us": [1 << 40, -5], "oid": [1 << 22, 0], "_prio": [1, 0]})
    assert _rank_key(big) is None
    small = pl.DataFrame({"_us": [-3, 3, 0], "oid": [2, 1, 5], "_prio": [0, 0, 1]})
    keys = small.select(_rank_key(small))["_prio"].to_list()
    assert keys == [(0 * 4 + 3) * 6 + 2, (0 * 4 + 3) * 6 + 1, (1 * 4 + 0) * 6 + 5]
    assert _rank_key(small.clear()) is None


NEW_YORK = """\
version: 1
community: {name: 测试社群, platform: wechat, timezone: America/New_York, launched_on: 2026-11-01}
cadence:
  daily:
    - {id: night, time: "01:20", title: 夜, kind: activation}
"""


def test_posts_across_a_clock_change_ranked_by_local_time():
    """New York's clock goes back on 2026-11-01 at 02:00: 01:30 EDT (05:30 UTC) comes before
    01:10 EST (06:10 UTC). Both are 10 minutes from the 01:20 item; the earlier local time
    is taken, as the five keys rank them (ranked by ``qid``, the UTC order, 01:30 was)."""
    from sqops.adherence import compute_adherence
    from sqops.data.tables import prepare_tables

    posts = frame(
        "post_id, ts, group_id",
        [("p1", "2026-11-01T05:30:00Z", "g1"), ("p2", "2026-11-01T06:10:00Z", "g1")],
    )
    messages = frame("ts, group_id, member_id", [("2026-11-01T23:00:00-05:00", "g1", "m1")])
    t = prepare_tables({"posts": posts, "messages": messages}, tz="America/New_York")
    adh = compute_adherence(parse_sop(NEW_YORK, "sop.yaml"), t)
    rows = adh.groups[0].rows.filter(pl.col("item_id") == "night")
    assert rows.select("post_id", "posted", "delta_min").rows() == [("p2", "01:10:00", -10.0)]


# ---------------------------------------------------------------- planned rows by places
def test_numbers_rows():
    def s(xs):
        return pl.Series(xs, dtype=pl.UInt32)

    assert _numbers_rows(s([])) and _numbers_rows(s([0, 1, 2]))
    assert not _numbers_rows(s([0, 0, 2])) and not _numbers_rows(s([1, 2, 3]))
    assert not _numbers_rows(s([0, 2, 1]))


@pytest.mark.parametrize("seed", range(20))
def test_planned_rows_by_places_as_by_joins(seed):
    rng = random.Random(seed)
    n, m = rng.randint(0, 30), rng.randint(0, 20)
    planned = pl.DataFrame({"x": [rng.random() for _ in range(n)]}).with_row_index("oid")
    p_join = (
        pl.DataFrame(
            {
                "post_id": [f"p{i}" for i in range(m)],
                "lt": [dt.datetime(2026, 10, 1, rng.randrange(24)) for _ in range(m)],
                "replies_2h": [rng.choice([None, 0, 3]) for _ in range(m)],
                "quiet": [rng.choice([None, True, False]) for _ in range(m)],
            },
            schema_overrides={"replies_2h": pl.Int64, "quiet": pl.Boolean},
        )
        .with_columns(pl.col("post_id").cast(ID))
        .with_row_index("qid")
    )
    k = rng.randint(0, min(n, m))
    matched = pl.DataFrame(
        {"oid": rng.sample(range(n), k), "qid": rng.sample(range(m), k),
         "delta_s": [rng.uniform(-3600, 3600) for _ in range(k)]},
        schema={"oid": pl.UInt32, "qid": pl.UInt32, "delta_s": pl.Float64},
    )  # fmt: skip
    want = planned.join(matched, on="oid", how="left").join(p_join, on="qid", how="left")
    got = _by_place(planned, matched, p_join)
    assert got is not None
    assert got.select(want.columns).equals(want.sort("oid"))
    assert got.schema == want.select(got.columns).schema
    # planned rows that are not numbered 0, 1, ...: the joins (None here)
    if n > 1:
        assert _by_place(planned.reverse(), matched, p_join) is None


def test_in_order_by_hand():
    day = dt.date(2026, 10, 1)
    t = [dt.datetime(2026, 10, 1, h) for h in (8, 9, 9, 7)]
    rows = pl.DataFrame(
        {"_g": [0, 0, 0, 1], "day": [day] * 4, "_t": t, "_o": [0, 1, 2, 3]},
        schema_overrides={"_o": pl.Int64},
    )
    assert _in_order(rows)
    assert not _in_order(rows.with_columns(pl.Series("_g", [0, 1, 0, 1])))  # a group back
    assert not _in_order(rows.with_columns(pl.Series("_t", [t[1], t[0], t[2], t[3]])))
    assert not _in_order(rows.with_columns(pl.Series("_o", [0, 2, 1, 3])))  # ties by _o
    assert not _in_order(rows.with_columns(pl.Series("day", [day, day, day - dt.timedelta(1), day])))  # fmt: skip
    assert _in_order(rows.clear())


# ---------------------------------------------------------------- member messages per hour
@pytest.mark.parametrize("ordered", [True, False])
def test_hour_counts_by_the_runs_as_read(ordered, monkeypatch):
    """Keys in runs (as a chat's messages come: by group and time) are counted by their runs'
    lengths; shuffled ones (more runs than half the keys) by the runs of the sorted keys;
    both as the group-by."""
    monkeypatch.delitem(sys.modules, "numpy", raising=False)
    rng = random.Random(3)
    gh = [g * 24 + h for g in range(4) for h in sorted(rng.sample(range(24), 6)) for _ in range(rng.randint(1, 9))]  # fmt: skip
    gh += [5, 5, 30, 5]  # (a key seen again after other keys)
    if not ordered:
        rng.shuffle(gh)
    keys = pl.Series("_gh", gh, dtype=pl.Int64)
    assert (keys.rle().len() * 2 <= keys.len()) is ordered
    counted = sorted(collections.Counter(gh).items())
    want = pl.DataFrame(
        [(k // 24, k % 24, n) for k, n in counted],
        schema={"_g": pl.Int64, "hour": pl.Int64, "n": pl.UInt32},
        orient="row",
    )
    got = _hour_counts(keys, 4)
    assert got.equals(want)
    assert got.schema == want.schema
