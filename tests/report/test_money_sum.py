"""Money sums do not depend on the order of the rows (outputs are byte-identical)."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.report.kpis import money_sum


def _sum(values: list[float]) -> float:
    return (
        pl.DataFrame({"amount": values}, schema={"amount": pl.Float64})
        .select(money_sum(pl.col("amount")))
        .item()
    )


def test_whole_cents_are_summed_exactly() -> None:
    amounts = [279.29999999999995, 121.80000000000001, 0.1, 0.2, 99.99]  # floats as programs write
    assert _sum(amounts) == 501.39  # (a float sum gives 501.39000000000004)
    assert _sum([0.1] * 10) == 1.0  # (a float sum gives 0.9999999999999999)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=40).map(
        lambda cs: [c / 100 for c in cs]
    )
    | st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40),
    st.randoms(use_true_random=False),
)
def test_the_order_of_the_rows_does_not_matter(values: list[float], rnd) -> None:
    shuffled = values[:]
    rnd.shuffle(shuffled)
    assert _sum(shuffled) == _sum(values)


def test_in_a_group_by() -> None:
    df = pl.DataFrame({"g": ["a", "b", "a", "b"], "amount": [0.1, 1.005, 0.2, 2.0]})
    got = dict(df.group_by("g").agg(money_sum(pl.col("amount"))).iter_rows())
    assert got == {"a": 0.3, "b": 3.005}  # b: not whole cents, the sorted float sum


def test_a_group_alone_or_with_others() -> None:
    """A group's sum does not depend on the other groups computed with it (a partitioned
    run's bucket holds some of them): polars divides a column of several rows by a literal
    as × 0.01, and 74,830 cents × 0.01 = 748.3000000000001 against 748.3 for one row."""
    # 191.30 + 250.10 + 163.70 + 143.20 = 748.30: 19,130 + 25,010 + 16,370 + 14,320 cents
    a = [191.3, 250.1, 163.70000000000002, 143.20000000000002]
    alone = pl.DataFrame({"g": ["a"] * 4, "amount": a})
    others = pl.DataFrame({"g": ["a"] * 4 + ["b", "b"], "amount": [*a, 1.25, 2.0]})
    for df in (alone, others):
        for engine in ("in-memory", "streaming"):
            got = dict(
                df.lazy()
                .group_by("g")
                .agg(money_sum(pl.col("amount")))
                .collect(engine=engine)
                .iter_rows()
            )
            assert got["a"] == 748.3
    assert _sum(a) == 748.3
