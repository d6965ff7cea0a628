"""The CSV body of an imported table, written from the frame by polars: the same bytes as
:func:`sqops.render.output.csv_text` writes row by row (cells neutralised by
:func:`~sqops.render.output.excel_safe`, quoted as :mod:`csv` quotes, CRLF), without a
Python call per row.

The rare cells whose text only the Python functions decide go to them one by one: cells that
start like a formula (``= + - @``, tab, CR), amounts whose shortest spelling ends in a
5 right after the cents (``0.125``: which way it rounds depends on its exact binary value).
"""

from __future__ import annotations

import io

import polars as pl

from sqops.render.output import excel_safe

_FORMULA_START = r"^[=+\-@\t\r]"
_NEEDS_QUOTES = r"[,\"\r\n]"


def amount_text(value: float) -> str:
    """An amount as the CSV of a table shows it: ``12``, ``12.5``, ``12.34`` (two decimals,
    rounded, trailing zeros dropped)."""
    if value != int(value):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(int(value))


def amount_text_expr(v: pl.Expr) -> pl.Expr:
    """:func:`amount_text` of a Float64 column. The shortest spelling of a float (polars'
    text of it) rounds to the same cents as its exact value unless it ends in a 5 right after
    the cents (a possible tie: :func:`amount_text` decides those)."""
    r = v.cast(pl.String)
    parts = r.str.extract_groups(r"^([0-9]+)\.([0-9]*)$").struct
    whole, dec = parts.field("1"), parts.field("2")
    dec3 = dec + "000"
    cents = whole.cast(pl.Int64, strict=False) * 100 + dec3.str.slice(0, 2).cast(pl.Int64)
    tail = dec.str.slice(2)
    up = tail.str.contains(r"^(?:[6-9]|5[0-9]*[1-9])")
    cents = cents + up.cast(pl.Int64)
    frac = (cents % 100).cast(pl.String).str.zfill(2).str.strip_chars_end("0")
    rounded = pl.concat_str(
        (cents // 100).cast(pl.String),
        pl.when(frac != "").then(pl.lit(".") + frac).otherwise(pl.lit("")),
    )
    integral = v.abs() < 1e15
    integral_text = pl.when(integral & (v == v.floor())).then(v.cast(pl.Int64).cast(pl.String))
    fast = pl.when(whole.is_not_null() & (tail != "5") & (whole.str.len_chars() <= 15)).then(
        rounded
    )
    done = pl.coalesce(integral_text, fast)
    slow = pl.when(done.is_null()).then(v).map_elements(amount_text, return_dtype=pl.String)
    return pl.when(v.is_null()).then(None).otherwise(pl.coalesce(done, slow))


def _cell(c: str, dtype: pl.DataType) -> pl.Expr:
    text = amount_text_expr(pl.col(c)) if dtype == pl.Float64 else pl.col(c).cast(pl.String)
    risky = text.str.contains(_FORMULA_START)
    neutral = pl.when(risky).then(text).map_elements(excel_safe, return_dtype=pl.String)
    text = pl.when(risky).then(neutral).otherwise(text).fill_null("")
    quoted = pl.lit('"') + text.str.replace_all('"', '""', literal=True) + pl.lit('"')
    return pl.when(text.str.contains(_NEEDS_QUOTES)).then(quoted).otherwise(text)


def csv_body(df: pl.DataFrame) -> bytes:
    """The data rows of ``df`` as :func:`~sqops.render.output.csv_text` writes them."""
    if df.height == 0:
        return b""
    line = pl.concat_str([_cell(c, t) for c, t in df.schema.items()], separator=",")
    buf = io.BytesIO()
    df.select(line.alias("l")).write_csv(
        buf, include_header=False, quote_style="never", line_terminator="\r\n"
    )
    return buf.getvalue()
