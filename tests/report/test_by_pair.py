"""``by_pair``: the (group, member) ids read back from the pair key's halves (both ids
categoricals) against a plain group-by of the two columns, and the other column types
(which keep their ``first`` aggregation and their type)."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.data.membership import by_pair
from sqops.data.tables import ID


def _rows(df: pl.DataFrame) -> list[tuple[object, ...]]:
    return sorted(tuple(str(v) if i < 2 else v for i, v in enumerate(r)) for r in df.iter_rows())


def _aggs() -> list[pl.Expr]:
    return [
        pl.col("day").min().alias("lo"),
        pl.col("day").max().alias("hi"),
        pl.len().alias("n"),
    ]


def test_by_hand() -> None:
    df = pl.DataFrame(
        {
            "group_id": ["g1", "g1", "g2", "g1", "g2", "群3"],
            "member_id": ["a", "b", "a", "a", "a", "成员"],
            "day": [5, 1, -2, 3, 7, 0],
        },
        schema={"group_id": ID, "member_id": ID, "day": pl.Int32},
    )
    got = by_pair(df, *_aggs())
    # g1/a: days 5 and 3; g1/b: day 1; g2/a: days -2 and 7; 群3/成员: day 0
    assert _rows(got) == [
        ("g1", "a", 3, 5, 2),
        ("g1", "b", 1, 1, 1),
        ("g2", "a", -2, 7, 2),
        ("群3", "成员", 0, 0, 1),
    ]
    assert got.columns == ["group_id", "member_id", "lo", "hi", "n"]
    assert got.schema["group_id"] == ID and got.schema["member_id"] == ID
    # lazy the same; no aggregation: the distinct pairs
    assert _rows(by_pair(df.lazy(), *_aggs()).collect()) == _rows(got)
    assert _rows(by_pair(df)) == [("g1", "a"), ("g1", "b"), ("g2", "a"), ("群3", "成员")]


def test_text_ids_keep_their_type() -> None:
    df = pl.DataFrame({"group_id": ["g1", "g1"], "member_id": ["a", "a"], "day": [2, 4]})
    got = by_pair(df, *_aggs())
    assert got.schema["group_id"] == pl.String and got.schema["member_id"] == pl.String
    assert _rows(got) == [("g1", "a", 2, 4, 2)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["g1", "g2", "群", "g-4"]),
            st.sampled_from(["a", "b", "成员", "m" * 30, "z"]),
            st.integers(-50_000, 50_000),
        ),
        max_size=60,
    ),
    st.booleans(),
)
def test_against_group_by(rows: list[tuple[str, str, int]], lazy: bool) -> None:
    df = pl.DataFrame(rows, schema={"group_id": ID, "member_id": ID, "day": pl.Int32}, orient="row")
    want = df.group_by("group_id", "member_id").agg(*_aggs())
    got = by_pair(df.lazy() if lazy else df, *_aggs())
    got = got.collect() if isinstance(got, pl.LazyFrame) else got
    assert got.schema == want.schema
    assert _rows(got) == _rows(want)


def test_other_categories_keep_their_type() -> None:
    # ids of their own categories (not ``ID``'s) are aggregated, not read back from the key
    own = pl.Categorical(pl.Categories("test-by-pair-own"))
    df = pl.DataFrame(
        {"group_id": ["g2", "g1", "g2"], "member_id": ["b", "a", "b"], "day": [9, 1, 3]},
        schema={"group_id": own, "member_id": own, "day": pl.Int32},
    )
    got = by_pair(df, *_aggs())
    assert got.schema["group_id"] == own and got.schema["member_id"] == own
    # g1/a: day 1; g2/b: days 9 and 3
    assert _rows(got) == [("g1", "a", 1, 1, 1), ("g2", "b", 3, 9, 2)]
