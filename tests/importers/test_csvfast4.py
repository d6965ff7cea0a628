"""The cheaper paths of session 14 (csvfast4, #19 item 2) give what the plain way gives:
the table order's one-key stable sorts by numpy against polars' (nulls, NaN, ±0.0, ∞,
ranks past 16 bits); the generic reader's values with the default chosen only in the
columns that need it against the row-by-row reading (differential, Hypothesis) — and
hand-counted cases."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.importers._base import _stable_arg_sort

from .test_csvfast3 import _bulk_equals_row_by_row


def _polars_stable(keys: pl.Series) -> list[int]:
    return keys.to_frame("k").select(pl.arg_sort_by("k", maintain_order=True)).to_series().to_list()


_TIME = st.sampled_from([1.0, 2.0, 2.5, -0.0, 0.0, -1.5, float("inf"), float("-inf"), float("nan")])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TIME, st.none()), max_size=60))
def test_stable_sort_of_times_is_polars(times):
    keys = pl.Series(times, dtype=pl.Float64)
    assert _stable_arg_sort(keys).to_list() == _polars_stable(keys)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 5), st.none()), max_size=60),
    st.sampled_from([0, 65_530, 65_534, 65_535, 2**32 - 7]),
)
def test_stable_sort_of_ranks_is_polars(ranks, base):
    """Ranks (UInt32, a null group's rank null) near and past what 16 bits hold."""
    keys = pl.Series([None if r is None else r + base for r in ranks], dtype=pl.UInt32)
    assert _stable_arg_sort(keys).to_list() == _polars_stable(keys)


def test_stable_sort_hand_made():
    # times 2, NaN, -0.0, 0.0, 2: -0.0 (row 2) and 0.0 (row 3) equal, kept in that order,
    # then the two 2s (rows 0, 4), NaN (row 1) last
    keys = pl.Series([2.0, float("nan"), -0.0, 0.0, 2.0])
    assert _stable_arg_sort(keys).to_list() == [2, 3, 0, 4, 1]
    # ranks 1, null, 0, 1, null: the nulls first (rows 1, 4), then 0 (row 2), then 1 (0, 3)
    keys = pl.Series([1, None, 0, 1, None], dtype=pl.UInt32)
    assert _stable_arg_sort(keys).to_list() == [1, 4, 2, 0, 3]
    # a null time: polars' sort, nulls first (row 1), then 1.0 (row 2), 3.0 (row 0)
    assert _stable_arg_sort(pl.Series([3.0, None, 1.0])).to_list() == [1, 2, 0]


# ---------------------------------------------------------------- generic: defaults where needed

_MAP_HEAD = "table: messages\ncolumns:\n  ts: 时间\n  group_id: 群\n  member_id: 成员\n"
_MAPS = [
    # no default, no mapping of values
    _MAP_HEAD + "  member_name: 昵称\n  content: 内容\n",
    # a default for a column of the file, values mapped, a type column
    _MAP_HEAD + "  member_name: 昵称\n  content: 内容\n  msg_type: 类型\n"
    "values:\n  msg_type: {文本: text, 图片: image, 空: video}\n  content: {x: ''}\n"
    "defaults:\n  group_id: 默认群\n  msg_type: text\n",
]
_VALUE = st.sampled_from(
    ["", " ", "g1", " g1 ", "m2", "文本", " 图片", "空", "x", "video", "\x1cm"]
)
_WHEN = st.sampled_from(["2026-12-03 20:00", "2026-12-03 20:00:05", " 2026/12/03 20:05", "x", ""])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(_WHEN, _VALUE, _VALUE, _VALUE, _VALUE, _VALUE, st.integers(2, 6)),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(range(len(_MAPS))),
)
def test_generic_defaults_where_needed_equal_row_by_row(tmp_path_factory, rows, which):
    """The generic bulk, its values stripped once and the default (or null) chosen only in
    the columns with an empty value (or a null, short row, where there is a default), gives
    the row-by-row reading's tables, counts and problems: values mapped to "", defaults,
    columns with and without empties, short rows."""
    from sqops.importers import generic, import_files

    tmp = tmp_path_factory.mktemp("generic4")
    lines = ["时间,群,成员,昵称,内容,类型"]
    for *cells, width in rows:
        lines.append(",".join(cells[:width]))
    (tmp / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "map.yaml").write_text(_MAPS[which], encoding="utf-8")
    _bulk_equals_row_by_row(
        generic, lambda: import_files("generic", [tmp / "t.csv"], columns=tmp / "map.yaml")
    )


def test_generic_defaults_where_needed_hand_made(tmp_path):
    """Three rows, no empty cell in 类型 (mapped, no when) but one in 群 (the default):
    row 2's group is the default, the types mapped; 3 messages, none skipped."""
    from sqops.importers import import_files

    (tmp_path / "t.csv").write_text(
        "时间,群,成员,昵称,内容,类型\n"
        "2026-12-03 20:00,g1,m1,Ana,hi,文本\n"
        "2026-12-03 20:01, ,m2,Bo,pic,图片\n"
        "2026-12-03 20:02,g1,m1,Ana,ok,video\n",
        encoding="utf-8",
    )
    (tmp_path / "map.yaml").write_text(_MAPS[1], encoding="utf-8")
    got = import_files("generic", [tmp_path / "t.csv"], columns=tmp_path / "map.yaml", tz="UTC")
    m = got.tables["messages"]
    assert m["group_id"].to_list() == ["g1", "g1", "默认群"]  # (sorted by group: g1 first)
    assert m["msg_type"].to_list() == ["text", "video", "image"]
    assert got.counts["messages"] == 3 and got.counts["skipped"] == 0


# ---------------------------------------------------------------- Discord: the common ISO form

_PARTS = st.tuples(
    st.sampled_from(["2026", "1969", "1970", "9999", "9998", "0001"]),
    st.sampled_from(["01", "02", "12", "13", "00"]),
    st.sampled_from(["01", "28", "29", "30", "31", "00"]),
    st.sampled_from(["T", "T", " "]),
    st.sampled_from(["00", "23", "24"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from([".000", ".001", ".999", ".120", ".5", ".123456", ""]),
    st.sampled_from(
        ["+08:00", "-00:00", "+00:00", "-05:30", "+14:00", "+14:01", "-14:00", "+13:60", "Z", ""]
    ),
)


def _stamp_text(parts: tuple[str, ...]) -> str:
    y, mo, d, sep, h, mi, s, frac, off = parts
    return f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{off}"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_PARTS, st.booleans()), min_size=1, max_size=10),
    st.sampled_from(["Asia/Shanghai", "America/New_York", "UTC"]),
    st.booleans(),
)
def test_common_iso_stamp_is_with_iso_stamp(rows, zone, common):
    """``common_iso_stamp`` gives ``with_iso_stamp``'s frame: texts of the common form
    (``common``: every text made so — a fraction of three digits, an offset, a T) with
    invalid dates, hours, minutes, leap seconds, years 1969 and 9999, offsets of -00:00,
    past ±14:00 or with 60 minutes, and, mixed in, the other forms (no fraction, six
    digits, Z, a space, no offset: ``with_iso_stamp`` reads the frame itself)."""
    from sqops.importers import _jsonvec as vec
    from sqops.importers.discord import common_iso_stamp

    texts = []
    for parts, _ in rows:
        if common:
            p = list(parts)
            p[3] = "T"
            p[7] = p[7] if len(p[7]) == 4 else ".250"
            p[8] = p[8] if len(p[8]) == 6 else "+09:00"
            parts = tuple(p)
        texts.append(_stamp_text(parts))
    frame = pl.DataFrame({"when": texts, "_odd": [o for _, o in rows]})
    want = vec.with_iso_stamp(frame, "when", zone)
    got = common_iso_stamp(frame, "when", zone)
    assert got.equals(want)
    assert frame["when"].to_list() == texts  # (the texts given are not changed)


def test_common_iso_stamp_hand_made():
    from sqops.importers.discord import common_iso_stamp

    frame = pl.DataFrame(
        {
            "when": [
                "2026-12-01T08:00:00.000+08:00",  # 2026-12-01 00:00 UTC, no milliseconds
                "2026-12-01T00:00:01.250-00:00",  # -00:00 is written +00:00
                "2026-02-30T00:00:00.100+08:00",  # no 30 February: odd
                "2026-12-01T00:00:60.000+08:00",  # a leap second: odd
            ],
            "_odd": [False, False, False, False],
        }
    )
    got = common_iso_stamp(frame, "when", "UTC")
    # 2026-12-01 00:00 UTC = 20,788 days after 1970-01-01 = 1,796,083,200 s
    assert got["_t"].to_list()[:2] == [1_796_083_200.0, 1_796_083_201.25]
    assert got["ts"].to_list()[:2] == ["2026-12-01T08:00:00+08:00", "2026-12-01T00:00:01.250+00:00"]
    assert got["_odd"].to_list() == [False, False, True, True]


# ---------------------------------------------------------------- by_distinct: places among the texts

_TEXT = st.one_of(st.none(), st.sampled_from(["A", "b", " C ", "", "1.5", "2", "x@Y.com", "中"]))


@settings(max_examples=200, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=40), st.integers(0, 40))
def test_by_distinct_by_places_is_the_expression_on_every_row(texts, cut):
    """Texts of which more than four map to another (the lookup path): ``by_distinct``
    gives what the function gives on every row — strings and floats, nulls, on the frame
    and on a part of it (the rows of the bulk) — and null for a text it never saw."""
    from sqops.importers import shopify
    from sqops.importers._base import by_distinct

    texts = [*texts, "p", "q", "r", "s", "t"]  # (five that change: the lookup path)
    frame = pl.DataFrame({"s": texts}, schema={"s": pl.String})
    for fn, dtype in (
        (lambda e: e.str.to_uppercase(), pl.String()),
        (shopify._plain_amount, pl.Float64()),
    ):
        expr = by_distinct(frame, pl.col("s"), fn, dtype)
        assert frame.select(expr).columns == ["s"]
        for part in (frame, frame.slice(cut), frame.reverse()):
            got = part.select(expr).to_series()
            assert got.to_list() == part.select(fn(pl.col("s"))).to_series().to_list()
            assert got.dtype == dtype
    never = pl.DataFrame({"s": ["never seen", None]}, schema={"s": pl.String})
    upper = by_distinct(frame, pl.col("s"), lambda e: e.str.to_uppercase())
    assert never.select(upper).to_series().to_list() == [None, None]


def test_by_distinct_by_places_hand_made():
    from sqops.importers._base import by_distinct

    # six texts that change (a..f upper-cased), a null: each row its own, the null null
    frame = pl.DataFrame({"s": ["a", "b", "c", None, "d", "e", "f", "a"]})
    got = frame.select(by_distinct(frame, pl.col("s"), lambda e: e.str.to_uppercase()))
    assert got["s"].to_list() == ["A", "B", "C", None, "D", "E", "F", "A"]


# ---------------------------------------------------------------- wechat-msg: cells filled only where null

_MSG_HEAD = (
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,"
    "NickName,Sender\n"
)
_MSG_ROW = st.sampled_from(
    [
        "1,g@chatroom,1,0,0,1764763200,2, 早 ,,,Mia,wxid_mia",  # a text
        "2,g@chatroom,3,0,1,1764763260,2,img,,,Qing,",  # the exporter's image, no Sender
        '3,g@chatroom,10000,0,0,1764763200,2,"""阿青""邀请""Mia""加入了群聊",,,,',  # a notice
        "4,g@chatroom,1,0,0,1764763300,2,短行",  # short: no Remark, NickName, Sender
        "5,g@chatroom,1,0,0,1764763310,2,短,,,Bo",  # short: no Sender
        "6,g@chatroom,1,0,0,1764763320000,2,毫秒,,备注,Mia,wxid_mia",  # milliseconds
        "7, g@chatroom ,49,57,0,1764763330,2,引用,,,Mia,wxid_mia",  # a quote, spaces
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_MSG_ROW, min_size=1, max_size=10))
def test_wechat_msg_short_rows_equal_row_by_row(tmp_path_factory, rows):
    """WeChatMsg rows, some shorter than the header (their cells past the end null, filled
    with ""; in a file without one no column is filled): the bulk gives the row-by-row
    reading's tables, counts and problems."""
    from sqops.importers import import_files, wechat

    tmp = tmp_path_factory.mktemp("msg4")
    (tmp / "msg.csv").write_text(_MSG_HEAD + "\n".join(rows) + "\n", encoding="utf-8")
    _bulk_equals_row_by_row(wechat, lambda: import_files("wechat-msg", [tmp / "msg.csv"]))
