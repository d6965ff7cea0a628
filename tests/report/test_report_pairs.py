"""The (group_id, member_id) pairs by one integer per pair (``sqops.report.kpis._pairs``,
``sqops.data.membership.by_pair``) are what the plain ``unique`` and ``group_by`` over the two
id columns give: with ``ID`` categoricals and with text ids, nulls left aside (ids are never
null in validated tables), many repeated pairs, codes of ids first seen far apart."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.membership import by_pair
from sqops.data.tables import ID
from sqops.report.kpis import _pairs

_IDS = st.text(alphabet="ab01 群", min_size=0, max_size=3)


def _frame(pairs: list[tuple[str, str]], as_id: bool) -> pl.DataFrame:
    f = pl.DataFrame(
        {"group_id": [g for g, _ in pairs], "member_id": [m for _, m in pairs]},
        schema={"group_id": pl.String, "member_id": pl.String},
    ).with_columns(v=pl.int_range(pl.len()))
    return f.with_columns(pl.col("group_id", "member_id").cast(ID)) if as_id else f


def _sorted(f: pl.DataFrame) -> list[tuple[object, ...]]:
    return sorted(
        f.with_columns(pl.col("group_id", "member_id").cast(pl.String)).rows(),
        key=repr,
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_IDS, _IDS), min_size=0, max_size=60), st.booleans())
def test_pairs_and_by_pair_are_unique_and_group_by(pairs, as_id):
    f = _frame(pairs, as_id)
    plain = f.select("group_id", "member_id").unique()
    assert _sorted(_pairs(f.lazy()).collect()) == _sorted(plain)
    aggs = (pl.len().alias("n"), pl.col("v").sum().alias("s"), pl.col("v").min().alias("lo"))
    grouped = f.group_by("group_id", "member_id").agg(*aggs)
    for got in (by_pair(f, *aggs), by_pair(f.lazy(), *aggs).collect()):
        assert got.schema == grouped.schema
        assert _sorted(got) == _sorted(grouped)


def test_codes_far_apart_keep_their_pairs():
    """A group id first coded after many member ids (a large code): each pair stays its own."""
    many = [f"m{i}" for i in range(70_000)]
    pl.Series(many).cast(ID)  # (the member ids coded first)
    pairs = [("g-late", "m5"), ("g-late", "m69999"), ("g-other", "m5"), ("g-late", "m5")]
    f = _frame(pairs, True)
    got = by_pair(f, pl.len().alias("n"))
    assert _sorted(got) == [
        ("g-late", "m5", 2),
        ("g-late", "m69999", 1),
        ("g-other", "m5", 1),
    ]
