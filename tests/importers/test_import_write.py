"""write_tables' CSV body (polars, no Python call per row) is byte for byte what
``csv_text`` writes row by row."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.importers._write import amount_text, amount_text_expr, csv_body
from sqops.render.output import csv_text

_AMOUNTS = st.one_of(
    st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
    st.integers(0, 10**6).map(lambda n: n / 1000),  # three decimals: 0.125, 2.675 (ties)
    st.integers(0, 10**6).map(lambda n: n / 100),
    st.sampled_from([0.0, -0.0, 0.125, 0.375, 2.675, 1.005, 0.995, 99.999, 1e-7, 5e-324]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_AMOUNTS, min_size=1, max_size=20))
def test_amount_text_expression_equals_amount_text(values):
    got = pl.DataFrame({"a": [*values, None]}, schema={"a": pl.Float64}).select(
        amount_text_expr(pl.col("a")).alias("a")
    )
    assert got["a"].to_list() == [*map(amount_text, values), None]


def test_amount_text_on_hand_picked_values():
    # 0.125 is exactly 1/8: a tie, rounded to even (0.12); 2.675 is just below 2.675 (2.67)
    values = [12.0, 12.5, 12.345, 0.125, 2.675, 0.999, 1299.0]
    assert [amount_text(v) for v in values] == ["12", "12.5", "12.35", "0.12", "2.67", "1", "1299"]


_CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from(',"\r\n\t =+-@x1.\u4e2d\u00a0e'), max_size=6),
    st.text(max_size=5),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_CELLS, _CELLS, _AMOUNTS | st.none()), min_size=1, max_size=12))
def test_csv_body_equals_csv_text(rows):
    df = pl.DataFrame(
        rows, schema={"a": pl.String, "b": pl.String, "amount": pl.Float64}, orient="row"
    )
    py_rows = [[a, b, None if x is None else amount_text(x)] for a, b, x in rows]
    want = csv_text(df.columns, py_rows)
    assert (csv_text(df.columns, []).encode() + csv_body(df)).decode() == want


def test_csv_body_neutralises_formulas_and_quotes():
    df = pl.DataFrame({"a": ["=SUM(A1)", "-5", "-x", 'say "hi"', "a,b", None]})
    # -5 is a number (kept), -x and =SUM are neutralised with an apostrophe
    assert csv_body(df).decode().split("\r\n") == [
        "'=SUM(A1)",
        "-5",
        "'-x",
        '"say ""hi"""',
        '"a,b"',
        "",
        "",
    ]
