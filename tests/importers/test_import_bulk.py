"""The bulk API of the importers (issue #19): ``Context.add_messages`` and the vectorised
helpers give exactly what the per-row Python path gives."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.scalars import clean, clean_name, parse_ts, ts_text
from sqops.importers._base import (
    PY_SPACES,
    Context,
    clean_expr,
    clean_name_expr,
    instant_expr,
    local_to_utc,
    naive_ts_expr,
    norm_name,
    norm_name_expr,
    strip_expr,
    ts_text_expr,
    zone_offset,
)

# --------------------------------------------------------------------------- names


def test_py_spaces_are_pythons_white_space():
    assert "".join(chr(i) for i in range(0x110000) if chr(i).isspace()) == PY_SPACES


#: characters the name functions treat specially, and some that combine or compose
_SPECIAL = (
    PY_SPACES
    + "\u200b\u200c\u200d\u2060\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068"
    "\u2069\ufeff\u0301\u0308\u0323\u1100\u1161\u11a8e\u00e9A\u00c5\u212b\u1e0a\u0307"
    "\u0f73\u0344\uac00\u4e2d\U0001f469\U0001f3fb\u2696\ufe0f\x00"
)
_TEXTS = st.lists(
    st.one_of(st.text(alphabet=st.sampled_from(_SPECIAL), max_size=6), st.text(max_size=4)),
    max_size=5,
).map("".join)


def _apply(expr, values):
    return (
        pl.DataFrame({"s": values}, schema={"s": pl.String})
        .select(expr(pl.col("s")))["s"]
        .to_list()
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXTS, min_size=1, max_size=8))
def test_name_expressions_equal_the_python_functions(values):
    with_null = [*values, None]
    assert _apply(clean_expr, with_null) == [*map(clean, values), None]
    assert _apply(clean_name_expr, with_null) == [*map(clean_name, values), None]
    assert _apply(norm_name_expr, with_null) == [*map(norm_name, values), None]
    assert _apply(strip_expr, with_null) == [*(v.strip() for v in values), None]


def test_name_expressions_on_hand_picked_texts():
    # a ZWSP between "e" and an accent keeps NFC from composing them; removing it (clean_name)
    # leaves "e" + U+0301 as is, and norm_name (which cleans twice via clean_name's caller) too
    values = [" \u200eAna\u00a0 Li\u3000", "e\u200b\u0301", "\u212b", "\x1c x \x1f", "👩🏻‍⚖️"]
    assert _apply(norm_name_expr, values) == ["Ana Li", "e\u0301", "\u00c5", "x", "👩🏻⚖️"]
    assert _apply(clean_expr, values)[4] == "👩🏻‍⚖️"  # clean keeps the joiner


# --------------------------------------------------------------------------- times

_ZONES = [
    "Asia/Shanghai",
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/St_Johns",
    "UTC",
]


@settings(max_examples=300, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1000, 1, 2), max_value=dt.datetime(9998, 12, 30)),
    tz=st.sampled_from(_ZONES),
    whole=st.booleans(),
)
def test_ts_text_and_instant_expressions_equal_the_python_ones(when, tz, whole):
    if whole:
        when = when.replace(microsecond=0)
    aware = when.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz))
    utc = pl.lit(when).dt.replace_time_zone("UTC")
    got = pl.select(ts_text_expr(utc, tz).alias("a"), instant_expr(utc).alias("b")).row(0)
    assert got == (ts_text(aware), aware.timestamp())


def test_ts_text_expression_on_hand_picked_times():
    shanghai = [dt.datetime(2026, 12, 1, 12, 15, 3), dt.datetime(1890, 5, 1, 4, 0, 0, 250000)]
    got = pl.select(
        ts_text_expr(pl.lit(pl.Series(shanghai)).dt.replace_time_zone("UTC"), "Asia/Shanghai")
    )
    # 1890 in Shanghai is local mean time (+08:05:43): written in UTC with Z
    assert got.to_series().to_list() == ["2026-12-01T20:15:03+08:00", "1890-05-01T04:00:00.250Z"]
    fixed = pl.select(
        ts_text_expr(
            pl.lit(pl.Series(shanghai[:1])).dt.replace_time_zone("UTC"),
            "Asia/Shanghai",
            dt.timedelta(hours=8),
        )
    )
    assert fixed.item() == "2026-12-01T20:15:03+08:00"


_NAIVE = st.builds(
    "{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}{}".format,
    st.integers(900, 9999),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from([" ", "T"]),
    st.integers(0, 25),
    st.integers(0, 61),
    st.one_of(st.just(""), st.integers(0, 61).map(":{:02d}".format)),
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_NAIVE, min_size=1, max_size=6), tz=st.sampled_from(_ZONES))
def test_naive_times_read_as_parse_ts_reads_them(texts, tz):
    """Every text the vectorised reader reads is read to the same instant by
    :func:`parse_ts`; every text it leaves null goes the per-row way (where parse_ts
    decides), so only the agreement on what it reads matters."""
    frame = pl.DataFrame({"s": texts}).with_columns(naive_ts_expr(pl.col("s")).alias("n"))
    off = zone_offset(tz, frame["n"])
    got = frame.select(instant_expr(local_to_utc(pl.col("n"), tz, off)))["n"].to_list()
    for text, t in zip(texts, got, strict=True):
        if t is not None:
            want = parse_ts(text, ZoneInfo(tz))
            assert want is not None and want.timestamp() == t, text


def test_instant_of_a_column_of_millisecond_times_is_correctly_rounded():
    """A constant divisor is a multiplication by its reciprocal in polars: 1797732000028000 µs
    came out 1797732000.0279999 s, where ``datetime.timestamp()`` gives 1797732000.028 (about
    3 in 10 millisecond times were one unit in the last place off, so a row read in bulk and
    its duplicate read row by row did not dedupe). Every value here is checked against
    Python's division, the nulls and the times past 2**53 µs too."""
    us = [1797732000028000 + 1000 * k for k in range(2000)] + [None, 1 << 60, -(1 << 55)]
    frame = pl.DataFrame({"u": us}).with_columns(pl.col("u").cast(pl.Datetime("us", "UTC")))
    got = frame.lazy().select(instant_expr(pl.col("u"))).collect()["u"].to_list()
    want = [None if v is None else v / 1_000_000 for v in us]
    assert got == want
    assert got[0] == 1797732000.028


# --------------------------------------------------------------------------- add_messages

_TZ = ZoneInfo("Asia/Shanghai")


def _when(h: int, m: int) -> dt.datetime:
    return dt.datetime(2026, 12, 1, h, m, tzinfo=_TZ)


def _bulk(rows: list[dict]) -> pl.DataFrame:
    """A frame for add_messages from message()-style keyword rows."""
    frame = pl.DataFrame(
        {
            "_t": [r["ts"].timestamp() for r in rows],
            "ts": [ts_text(r["ts"]) for r in rows],
            **{
                c: [r.get(c) for r in rows]
                for c in ("group_id", "member_id", "msg_id", "member_name", "content", "msg_type")
            },
        },
        schema_overrides={"msg_id": pl.String, "content": pl.String, "member_name": pl.String},
    )
    return frame.with_columns(pl.col("msg_type").fill_null("text"))


def _run(files: list[list[tuple[str, list[dict]]]], **kw) -> tuple[Context, object]:
    """Feed a Context file by file; each step is ("one", rows) → message() per row,
    ("bulk", rows) → one add_messages, ("join", rows) → member_event by name."""
    ctx = Context(tz=_TZ, **kw)
    for no, steps in enumerate(files):
        ctx.file_no = no
        for how, rows in steps:
            if how == "bulk":
                ctx.add_messages(_bulk(rows))
            elif how == "join":
                for r in rows:
                    ctx.member_event(
                        ts=r["ts"], group_id=r["group_id"], event="join", member_name=r["name"]
                    )
            else:
                for r in rows:
                    ctx.message(**{k: v for k, v in r.items() if v is not None})
    return ctx, ctx.finish()


def _msg(h, m, member, content, *, g="g1", msg_id=None, name=None):
    return {
        "ts": _when(h, m),
        "group_id": g,
        "member_id": member,
        "msg_id": msg_id,
        "member_name": name,
        "content": content,
    }


def test_add_messages_equals_message_row_by_row():
    a = _msg(9, 0, "u1", "早", name="Ana")
    b = _msg(9, 0, "u2", "ok", name="Bo")
    c = _msg(9, 0, "u2", "ok", name="Bo")  # a second "ok" in the same minute: kept (one file)
    d = _msg(8, 30, "u3", "hi", g="g0", name="Cy")
    e = _msg(9, 5, "u1", "img", msg_id="m7")
    e2 = _msg(9, 6, "u1", "again", msg_id="m7")  # the same msg_id in g1: a duplicate
    # file 2 overlaps file 1: "ok" once (file 1 had it twice: dropped), "早" again (dropped),
    # a new message at 9:10 (kept)
    f = _msg(9, 10, "u2", "new", name="Bo")
    join = {"ts": _when(9, 1), "group_id": "g1", "name": "Bo"}
    steps_1 = [("one", [a]), ("bulk", [b, c, d]), ("join", [join]), ("bulk", [e]), ("one", [e2])]
    steps_2 = [("bulk", [a, b]), ("one", [f])]
    ctx, mixed = _run([steps_1, steps_2])
    _, python = _run(
        [
            [(("one" if h != "join" else h), r) for h, r in steps_1],
            [("one", steps_2[0][1]), ("one", [f])],
        ]
    )
    assert mixed.tables["messages"].equals(python.tables["messages"])
    assert mixed.counts == python.counts
    msgs = mixed.tables["messages"]
    # hand count: a, b, c, d, e, f kept (6); e2 (same msg_id), file 2's a and b dropped (3)
    assert msgs.height == 6 and mixed.counts["duplicate_messages"] == 3
    # sorted by group, then time, then the order rows were added: g0's 8:30 first; at 9:00
    # in g1 a (added first), b, c
    assert msgs["content"].to_list() == ["hi", "早", "ok", "ok", "img", "new"]
    # Bo was named in a bulk frame: the join by name resolves to u2
    assert mixed.tables["members"]["member_id"].to_list() == ["u2"]


def test_add_messages_group_override_self_name_and_optional_columns():
    rows = [_msg(9, 0, "self", "我来了"), _msg(9, 1, "u9", "好", name="Me")]
    ctx = Context(tz=_TZ, group_id="G", self_name="Me")
    ctx.add_messages(_bulk(rows).drop("msg_id"))
    out = ctx.finish().tables["messages"]
    # --group-id replaces g1; --self-name gives "self" the id "Me" was shown with (u9)
    assert out["group_id"].to_list() == ["G", "G"]
    assert out["member_id"].to_list() == ["u9", "u9"]
    # msg_id never given, member_name given once: only the columns with a value are written
    assert out.columns == ["ts", "group_id", "member_id", "member_name", "msg_type", "content"]


def test_add_messages_empty_texts_as_in_message():
    row = _msg(9, 0, "u1", "", msg_id="", name="")
    ctx = Context(tz=_TZ)
    ctx.add_messages(_bulk([row]))
    out = ctx.finish().tables["messages"]
    one = Context(tz=_TZ)
    one.message(**row)
    # empty msg_id and content are null (not written); an empty name stays empty, as
    # message() keeps it
    assert out.equals(one.finish().tables["messages"])
    assert out.columns == ["ts", "group_id", "member_id", "member_name", "msg_type"]


def test_add_messages_refuses_unknown_columns():
    with pytest.raises(AssertionError):
        Context(tz=_TZ).add_messages(pl.DataFrame({"_t": [0.0], "ts": ["x"], "group": ["g"]}))
