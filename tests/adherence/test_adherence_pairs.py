"""The cheaper steps of the matching and of the member messages equal what they replace.

``_match`` pairs a post carrying a known label only with the items its label names (two
equi-joins); the reference below pairs every post with every item of its group and day and
drops the unlabelled pairs of known posts after, as the section did before. The member
messages' group index, local hour and counts per hour are checked against the join, the
time-zone conversion and the group-by they replaced.
"""

from __future__ import annotations

import datetime as dt
import random
import sys

import polars as pl
import pytest

from sqops.adherence._compute import (
    _group_index,
    _hour_counts,
    _local_hour,
    _match,
    match_pairs,
)
from sqops.data.tables import ID, fixed_offset, to_local


def _match_reference(planned: pl.DataFrame, posts: pl.DataFrame) -> pl.DataFrame:
    ids = sorted(set(planned["item_id"].to_list()))
    titles = sorted(set(planned["title"].to_list()))
    pq = planned.select(
        "oid", pl.col("group_id").cast(posts.schema["group_id"]), "day", "item_id", "title", "ptime"
    ).join(
        posts.select(
            "qid", "group_id", "day", "lt", "post_id",
            pl.col("title").alias("q_title"), pl.col("column").alias("q_column"),
        ),
        on=["group_id", "day"],
    )  # fmt: skip
    lab = (pl.col("q_column") == pl.col("item_id")).fill_null(False) | (
        pl.col("q_title") == pl.col("title")
    ).fill_null(False)
    known = pl.col("q_column").is_in(ids).fill_null(False) | pl.col("q_title").is_in(
        titles
    ).fill_null(False)
    ranked = (
        pq.with_columns(
            ((pl.col("lt") - pl.col("ptime")).dt.total_microseconds() / 1e6).alias("delta_s"),
            lab.alias("_lab"),
            known.alias("_known"),
        )
        .filter(pl.col("_lab") | ~pl.col("_known"))
        .with_columns(
            pl.when(pl.col("_lab")).then(0).otherwise(1).alias("_prio"),
            pl.col("delta_s").abs().alias("_abs"),
        )
        .sort(["_prio", "_abs", "oid", "lt", "post_id"])
        .with_row_index("rank")
    )
    return match_pairs(ranked).join(ranked.select("oid", "qid", "delta_s"), on=["oid", "qid"])


def _frames(rnd: random.Random) -> tuple[pl.DataFrame, pl.DataFrame]:
    days = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(3)]
    groups = ["g1", "g2", "群3"]
    # items: two items may share a title; every (group, day) plans a random few
    items = [(f"i{k}", rnd.choice(["早安", "Tips", "Flash sale", f"t{k}"])) for k in range(5)]
    planned = []
    for g in groups:
        for d in days:
            for item, title in rnd.sample(items, rnd.randint(0, 4)):
                t = dt.datetime.combine(d, dt.time(rnd.randint(7, 22), rnd.choice([0, 30])))
                planned.append((g, d, item, title, t))
    planned.sort(key=lambda r: (r[0], r[1], r[4], r[2]))
    labels = [x for x, _ in items] + ["other", None]
    titles = [t for _, t in items] + ["chat", None]
    posts = []
    for q in range(rnd.randint(0, 30)):
        g, d = rnd.choice(groups), rnd.choice(days)
        lt = dt.datetime.combine(d, dt.time(rnd.randint(6, 23), rnd.randint(0, 59)))
        posts.append((f"p{q:02d}", g, d, lt, rnd.choice(titles), rnd.choice(labels)))
    P = pl.DataFrame(
        planned,
        schema={"group_id": pl.String, "day": pl.Date, "item_id": pl.String,
                "title": pl.String, "ptime": pl.Datetime("us")},
        orient="row",
    ).with_row_index("oid")  # fmt: skip
    Q = (
        pl.DataFrame(
            posts,
            schema={
                "post_id": pl.String,
                "group_id": pl.String,
                "day": pl.Date,
                "lt": pl.Datetime("us"),
                "title": pl.String,
                "column": pl.String,
            },
            orient="row",
        )  # fmt: skip
        .with_columns(pl.col("post_id").cast(ID), pl.col("group_id").cast(ID))
        .sort("group_id", "lt", "post_id")
        .with_row_index("qid")
    )
    return P, Q


@pytest.mark.parametrize("seed", range(60))
def test_labelled_pairs_by_equi_joins_match_as_every_pair_did(seed):
    planned, posts = _frames(random.Random(seed))
    got = _match(planned, posts).sort("oid", "qid")
    want = _match_reference(planned, posts).sort("oid", "qid")
    assert got.select("oid", "qid", "delta_s").equals(want.select("oid", "qid", "delta_s"))
    assert got.columns == want.columns


def test_a_post_labelled_by_its_id_and_its_title_is_one_candidate():
    planned, posts = _frames(random.Random(1))
    day, t = dt.date(2026, 10, 1), dt.datetime(2026, 10, 1, 8, 0)
    planned = pl.DataFrame(
        {"oid": [0], "group_id": ["g1"], "day": [day], "item_id": ["i1"], "title": ["早安"],
         "ptime": [t]},
        schema_overrides={"oid": pl.UInt32},
    )  # fmt: skip
    posts = posts.clear().vstack(
        pl.DataFrame(
            {
                "qid": [0],
                "post_id": ["p"],
                "group_id": ["g1"],
                "day": [day],
                "lt": [t + dt.timedelta(minutes=3)],
                "title": ["早安"],
                "column": ["i1"],
            },
            schema=posts.schema,
        )  # fmt: skip
    )
    got = _match(planned, posts)
    assert got.select("oid", "qid", "rank", "delta_s").rows() == [(0, 0, 0, 180.0)]


def test_group_index_by_code_as_the_join_did():
    # codes of other groups made after the chosen ones (larger) and before; a null group
    pl.Series(["zz-before"], dtype=pl.String).cast(ID)
    chosen = ["a", "b", "群c"]
    pl.Series(chosen, dtype=pl.String).cast(ID)
    frame = pl.DataFrame(
        {"group_id": ["b", "zz-before", "群c", None, "zz-after-" + "x" * 3, "a", "b"]}
    ).with_columns(pl.col("group_id").cast(ID))
    got = frame.select(_group_index(chosen).alias("_g"))["_g"].to_list()
    assert got == [1, None, 2, None, None, 0, 1]


def test_group_index_of_groups_coded_after_millions_of_ids(monkeypatch):
    # (the dictionary is shared by every id column: groups first seen after many member ids
    # have large codes; past _GATHER_MAX_CODE the lookup is by hash, not a table that long)
    import sqops.adherence._compute as compute

    monkeypatch.setattr(compute, "_GATHER_MAX_CODE", 1000)
    many = pl.Series([f"member-{i}" for i in range(5000)], dtype=pl.String).cast(ID)
    chosen = ["g-late-1", "g-late-2"]
    frame = pl.DataFrame(
        {"group_id": ["g-late-2", "member-7", None, "g-late-1", "g-other"]}
    ).with_columns(pl.col("group_id").cast(ID))
    codes = pl.Series(chosen, dtype=pl.String).cast(ID).to_physical()
    assert int(codes.min()) > 1000  # type: ignore[arg-type]  # (the hash path is taken)
    got = frame.select(_group_index(chosen).alias("_g"))["_g"].to_list()
    assert got == [1, None, None, 0, None]
    assert many.len() == 5000  # (kept alive: the dictionary keeps its codes meanwhile)


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "Asia/Kolkata", "UTC"])
def test_local_hour_as_to_local(tz):
    rnd = random.Random(tz)
    base = dt.datetime(1969, 12, 28, tzinfo=dt.UTC)  # (before 1970 too: floored division)
    ts = [base + dt.timedelta(seconds=rnd.randint(0, 40 * 86400)) for _ in range(500)]
    df = pl.DataFrame({"ts": ts}, schema={"ts": pl.Datetime("us", "UTC")})
    off = fixed_offset(tz, dt.datetime(1969, 12, 27), dt.datetime(1970, 2, 10))
    want = df.select(to_local(pl.col("ts"), tz, off).dt.hour().cast(pl.Int64))["ts"]
    assert df.select(_local_hour(pl.col("ts"), tz, off))["ts"].equals(want)
    none = df.select(_local_hour(pl.col("ts"), tz, None))["ts"]
    assert none.equals(df.select(to_local(pl.col("ts"), tz, None).dt.hour().cast(pl.Int64))["ts"])


@pytest.mark.parametrize("numpy_loaded", [True, False])
def test_hour_counts_as_the_group_by(numpy_loaded, monkeypatch):
    if numpy_loaded:
        import numpy  # noqa: F401
    else:  # (the runs of the sorted keys: numpy not imported for this)
        monkeypatch.delitem(sys.modules, "numpy", raising=False)
    rnd = random.Random(5)
    gh = pl.Series("_gh", [rnd.randrange(3 * 24) for _ in range(2000)] + [71], dtype=pl.Int64)
    got = _hour_counts(gh, 3).sort("_g", "hour")
    want = (
        gh.to_frame()
        .group_by("_gh")
        .len("n")
        .select((pl.col("_gh") // 24).alias("_g"), (pl.col("_gh") % 24).alias("hour"), "n")
        .sort("_g", "hour")
    )
    assert got.equals(want)
    assert _hour_counts(gh.clear(), 3).schema == want.schema
