"""Reading the data tables: formats, encodings, column maps, time formats, bad rows, duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.tables import (
    detect_encoding,
    fixed_offset,
    parse_ts,
    prepare_tables,
    read_tables,
)
from sqops.errors import DataError, InputError, SqopsError

MSG = "ts,group_id,member_id,member_name\n2026-12-01 10:00,g1,a,小林\n2026-12-02 10:00,g1,b,阿青\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _names(tables) -> list[str]:
    return tables["messages"].frame.collect()["member_name"].to_list()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_are_detected(tmp_path, encoding):
    _write(tmp_path / "messages.csv", MSG, encoding)
    t = read_tables(tmp_path)
    assert _names(t) == ["小林", "阿青"]
    assert t["messages"].columns[:4] == ("ts", "group_id", "member_id", "member_name")


def test_detect_encoding(tmp_path):
    assert detect_encoding(_write(tmp_path / "a.csv", MSG, "utf-8-sig")) == "utf-8"
    assert detect_encoding(_write(tmp_path / "b.csv", MSG, "gbk")) == "gb18030"
    assert detect_encoding(_write(tmp_path / "c.csv", MSG, "utf-16")) == "utf-16"


def test_explicit_encoding_that_does_not_fit_is_a_clear_error(tmp_path):
    _write(tmp_path / "messages.csv", MSG, "gbk")
    with pytest.raises(InputError) as e:
        read_tables(tmp_path, encoding="utf-8")
    assert "messages.csv" in e.value.render("en")


def test_tsv_jsonl_parquet_xlsx(tmp_path):
    rows = {"ts": ["2026-12-01 10:00", "2026-12-02 10:00"], "group_id": ["g1", "g1"], "member_id": ["a", "b"],
            "member_name": ["小林", "阿青"]}  # fmt: skip
    df = pl.DataFrame(rows)
    (tmp_path / "tsv").mkdir()
    _write(tmp_path / "tsv" / "messages.tsv", MSG.replace(",", "\t"))
    (tmp_path / "jsonl").mkdir()
    df.write_ndjson(tmp_path / "jsonl" / "messages.jsonl")
    (tmp_path / "pq").mkdir()
    # a typed parquet: real datetimes (naive → local) and integer ids
    pdf = df.with_columns(pl.col("ts").str.to_datetime(), pl.Series("msg_id", [1, 2]))
    pdf.write_parquet(tmp_path / "pq" / "messages.parquet")
    (tmp_path / "xlsx").mkdir()
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["ts", "group_id", "member_id", "member_name"])
    ws.append([dt.datetime(2026, 12, 1, 10, 0), "g1", "a", "小林"])
    ws.append(["2026/12/2 10:00", "g1", "b", "阿青"])
    wb.save(tmp_path / "xlsx" / "messages.xlsx")
    for sub in ("tsv", "jsonl", "pq", "xlsx"):
        t = read_tables(tmp_path / sub)
        f = t["messages"].frame.collect()
        assert f["member_name"].to_list() == ["小林", "阿青"], sub
        assert f["day"].to_list() == [dt.date(2026, 12, 1), dt.date(2026, 12, 2)], sub
        assert f["ts"][0] == dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), sub


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-12-01T10:00:00+08:00", dt.datetime(2026, 12, 1, 2, 0)),
        ("2026-12-01T02:00:00Z", dt.datetime(2026, 12, 1, 2, 0)),
        ("2026-12-01 10:00:00+0800", dt.datetime(2026, 12, 1, 2, 0)),
        ("2026-12-01 10:00", dt.datetime(2026, 12, 1, 2, 0)),  # naive: Asia/Shanghai
        ("2026-12-01T10:00:00.250", dt.datetime(2026, 12, 1, 2, 0, 0, 250000)),
        ("2026/12/1 10:00", dt.datetime(2026, 12, 1, 2, 0)),
        ("2026/12/1 8:05:09", dt.datetime(2026, 12, 1, 0, 5, 9)),
        ("2026-12-01", dt.datetime(2026, 11, 30, 16, 0)),  # a date alone: local midnight
        ("1796090400", dt.datetime(2026, 12, 1, 2, 0)),  # epoch seconds
        ("1796090400000", dt.datetime(2026, 12, 1, 2, 0)),  # epoch milliseconds
        ("2026-02-30 10:00", None),
        ("12/01/2026 10:00", None),
        ("yesterday", None),
        ("", None),
    ],
)
def test_time_formats(text, utc):
    got = pl.DataFrame({"t": [text]}).select(parse_ts(pl.col("t"), "Asia/Shanghai"))["t"][0]
    assert got == (utc.replace(tzinfo=dt.UTC) if utc else None)


def test_naive_times_use_the_given_timezone():
    got = pl.DataFrame({"t": ["2026-12-01 10:00"]}).select(parse_ts(pl.col("t"), "Europe/London"))[
        "t"
    ][0]
    assert got == dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def test_bad_rows_are_counted_with_row_numbers(tmp_path):
    _write(tmp_path / "messages.csv", "ts,group_id,member_id,msg_id\n"
           "2026-12-01 10:00,g1,a,m1\n"
           "not a time,g1,b,m2\n"
           "2026-12-01 11:00,g1,,m3\n"
           "2026-12-01 12:00,g1,c,m1\n"  # duplicate msg_id: counted once
           "2026-12-01 13:00,g1,d,m4\n")  # fmt: skip
    _write(
        tmp_path / "orders.csv",
        "order_id,ts,member_id,amount,status\no1,2026-12-01 10:00,a,¥1,299.00,paid\n".replace(
            "¥1,299.00", '"¥1,299.00"'
        )
        + "o2,2026-12-01 10:00,a,-3,paid\no3,2026-12-01 10:00,a,abc,paid\no4,2026-12-01 10:00,a,5,lost\n",
    )
    t = read_tables(tmp_path)
    m = t["messages"]
    assert m.rows_read == 5 and m.valid_rows == 2
    assert m.reject_counts == {"bad_time": 1, "empty_id": 1}
    assert m.first_rejected_rows() == {"bad_time": [2], "empty_id": [3]}
    assert (m.duplicates, m.duplicate_rows) == (1, [4])
    assert m.frame.collect()["member_id"].to_list() == ["a", "d"]
    o = t["orders"]
    assert o.reject_counts == {"bad_amount": 1, "bad_status": 1, "negative_amount": 1}
    assert o.frame.collect()["amount"].to_list() == [1299.0]


def test_column_mapping_and_missing_column_error(tmp_path):
    _write(tmp_path / "messages.csv", "时间,群,发送人\n2026-12-01 10:00,g1,a\n")
    t = read_tables(
        tmp_path, columns={"messages": {"ts": "时间", "group_id": "群", "member_id": "发送人"}}
    )
    assert t["messages"].frame.collect()["member_id"].to_list() == ["a"]
    with pytest.raises(DataError) as e:
        read_tables(tmp_path, columns={"messages": {"ts": "时间", "group_id": "群"}})
    msg = e.value.render("en")
    assert "messages.csv" in msg and "messages" in msg and "'member_id'" in msg
    assert "时间" not in msg.split("found:")[0] and "ts, group_id, 发送人" in msg
    assert e.value.exit_code == 2


def test_no_valid_row_is_an_error(tmp_path):
    _write(tmp_path / "messages.csv", "ts,group_id,member_id\nnope,g1,a\n")
    with pytest.raises(DataError, match="no valid row"):
        read_tables(tmp_path)


def test_missing_messages_table(tmp_path):
    _write(tmp_path / "orders.csv", "order_id,ts,member_id,amount\no1,2026-12-01,a,1\n")
    with pytest.raises(DataError, match="messages table is missing"):
        read_tables(tmp_path)


def test_prepare_tables_from_frames_matches_files(tmp_path):
    _write(tmp_path / "messages.csv", MSG)
    ta = read_tables(tmp_path)  # keep the tables while their frames are read
    tb = prepare_tables({"messages": pl.read_csv(tmp_path / "messages.csv")})
    a = ta["messages"].frame.collect().drop("_row")
    b = tb["messages"].frame.collect().drop("_row")
    assert a.equals(b)


def test_every_loader_error_is_a_sqops_error(tmp_path):
    # a ragged CSV, an empty file: never a traceback
    _write(tmp_path / "messages.csv", 'ts,group_id,member_id\n"2026-12-01,g1\n')
    with pytest.raises(SqopsError):
        read_tables(tmp_path)


def test_mixed_time_formats_take_the_general_parser_for_the_odd_rows(tmp_path):
    # the sampled format reads most rows; the odd ones go through the general parser
    _write(tmp_path / "messages.csv", "ts,group_id,member_id,msg_id,msg_type\n"
           "2026-12-01 10:00:00,g1,a,m1,TEXT\n"
           "2026/12/1 9:05,g1,b,m2,text\n"
           "1796090700,g1,c,m3,text\n"
           "yesterday,g1,d,m4,Image\n"
           "2026-12-01T08:00:00+00:00,g1,e,m5,text\n"
           "2026-12-01 10:00:00,g1,f,m1,text\n")  # fmt: skip
    m = read_tables(tmp_path)["messages"]
    got = m.frame.collect()
    assert got["_row"].to_list() == [1, 2, 3, 5]  # the file's order, the duplicate id dropped
    assert got["member_id"].to_list() == ["a", "b", "c", "e"]
    assert [t.isoformat() for t in got["ts"].to_list()] == [
        "2026-12-01T02:00:00+00:00",
        "2026-12-01T01:05:00+00:00",
        "2026-12-01T02:05:00+00:00",
        "2026-12-01T08:00:00+00:00",
    ]
    assert got["msg_type"].to_list() == ["text"] * 4  # normalised in the valid rows
    assert (m.duplicates, m.duplicate_rows) == (1, [6])
    # a rejected row keeps the text as it was read
    rej = m.rejected.to_dicts()
    assert rej == [
        {"_row": 4, "_reason": "bad_time", "ts": "yesterday", "group_id": "g1",
         "member_id": "d", "msg_id": "m4", "msg_type": "Image"}
    ]  # fmt: skip


def test_integer_message_ids_stay_integers_and_repeats_are_found(tmp_path):
    # a typed export (Parquet) with integer msg_id: no text copy of every id; repeats found
    # after the first, null ids are not repeats, rejected rows show the id as read
    frame = pl.DataFrame(
        {
            "ts": ["2026-12-01 10:00", "2026-12-01 11:00", "bad", "2026-12-01 12:00",
                   "2026-12-01 13:00", "2026-12-01 14:00"],
            "group_id": ["g1"] * 6,
            "member_id": ["a", "b", "c", "d", "e", "f"],
            "msg_id": [7, 8, 9, 7, None, None],
        },
        schema={"ts": pl.String, "group_id": pl.String, "member_id": pl.String,
                "msg_id": pl.Int64},
    )  # fmt: skip
    frame.write_parquet(tmp_path / "messages.parquet")
    m = read_tables(tmp_path)["messages"]
    got = m.frame.collect()
    assert got.schema["msg_id"] == pl.Int64
    assert m.duplicates == 1 and m.duplicate_rows == [4]
    assert got["_row"].to_list() == [1, 2, 5, 6]
    assert got["msg_id"].to_list() == [7, 8, None, None]
    assert m.rejected.select("_row", "_reason", "msg_id").rows() == [(3, "bad_time", 9)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["m1", "m2", "m3", " m1", "", "m10"])),
        min_size=1,
        max_size=30,
    )
)
def test_duplicate_ids_are_the_repeats_after_the_first(ids):
    # what the two-step (hash, then exact) check must find: every row whose id was seen before
    frame = pl.DataFrame(
        {
            "ts": ["2026-12-01 10:00"] * len(ids),
            "group_id": ["g1"] * len(ids),
            "member_id": ["a"] * len(ids),
            "msg_id": ids,
        },
        schema={
            "ts": pl.String,
            "group_id": pl.String,
            "member_id": pl.String,
            "msg_id": pl.String,
        },
    )
    seen: set[str] = set()
    expected = []
    for row, raw in enumerate(ids, start=1):
        key = raw.strip() if raw is not None else None
        if not key:
            continue
        if key in seen:
            expected.append(row)
        seen.add(key)
    m = prepare_tables({"messages": frame})["messages"]
    assert m.duplicates == len(expected)
    assert m.duplicate_rows == expected[:5]
    kept = m.frame.collect()["_row"].to_list()
    assert kept == [r for r in range(1, len(ids) + 1) if r not in expected]


@pytest.mark.parametrize("kind", ["csv", "parquet", "csv-offset"])
def test_day_is_the_local_date_in_a_zone_with_clock_changes(tmp_path, kind):
    # New York: 07:00 UTC is still the previous local day; 01:30 on 2026-11-01 happens twice
    local = [
        "2026-12-01 23:30:00",
        "2026-11-01 01:30:00",
        "2026-03-08 02:30:00",
        "2026-07-01 00:10:00",
    ]
    if kind == "parquet":
        pl.DataFrame(
            {
                "ts": [dt.datetime.fromisoformat(t) for t in local],
                "group_id": ["g1"] * 4,
                "member_id": ["a", "b", "c", "d"],
            }
        ).write_parquet(tmp_path / "messages.parquet")
    else:
        utc = ["2026-12-02T04:30:00+00:00", "2026-11-01T05:30:00+00:00", "2026-03-08T07:30:00+00:00", "2026-07-01T04:10:00+00:00"]  # fmt: skip
        cells = utc if kind == "csv-offset" else local
        body = "".join(f"{t},g1,{m}\n" for t, m in zip(cells, "abcd", strict=True))
        _write(tmp_path / "messages.csv", "ts,group_id,member_id\n" + body)
    m = read_tables(tmp_path, tz="America/New_York")["messages"]
    got = m.frame.collect()
    # 02:30 on 2026-03-08 does not exist in New York: rejected as a bad time (unless the
    # file gave the instant itself, with an offset)
    expect_days = [dt.date(2026, 12, 1), dt.date(2026, 11, 1), dt.date(2026, 7, 1)]
    if kind == "csv-offset":
        expect_days.insert(2, dt.date(2026, 3, 8))
    else:
        assert m.reject_counts == {"bad_time": 1}
    assert got["day"].to_list() == expect_days
    assert got["ts"].dt.convert_time_zone("America/New_York").dt.date().to_list() == expect_days


def test_fixed_offset_only_where_the_zone_keeps_one_offset():
    d = dt.datetime
    assert fixed_offset("Asia/Shanghai", d(2020, 1, 1), d(2027, 6, 1)) == dt.timedelta(hours=8)
    assert fixed_offset("Asia/Shanghai", d(1988, 1, 1), d(1988, 12, 31)) is None  # DST then
    assert fixed_offset("America/New_York", d(2026, 1, 2), d(2026, 2, 20)) == dt.timedelta(hours=-5)
    assert fixed_offset("America/New_York", d(2026, 1, 2), d(2026, 3, 20)) is None
    # a transition just outside the range still counts (a day either side is probed)
    assert fixed_offset("America/New_York", d(2026, 1, 2), d(2026, 3, 7, 12)) is None
    assert fixed_offset("UTC", d(1970, 1, 1), d(1989, 1, 1)) == dt.timedelta(0)
    assert fixed_offset("UTC", d(1970, 1, 1), d(2000, 1, 1)) is None  # too long a span to probe
    assert fixed_offset("Asia/Shanghai", None, d(2020, 1, 1)) is None


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "Asia/Kolkata"])
def test_parquet_times_by_offset_equal_the_general_conversion(tmp_path, tz):
    base = dt.datetime(2026, 1, 5, 0, 7)
    naive = [base + dt.timedelta(minutes=97 * i) for i in range(400)]  # about 27 days
    pl.DataFrame(
        {"ts": naive, "group_id": ["g1"] * 400, "member_id": [f"m{i}" for i in range(400)]}
    ).write_parquet(tmp_path / "messages.parquet")
    tables = read_tables(tmp_path, tz=tz)  # (kept: its frames read from its spill folder)
    got = tables["messages"].frame.collect()
    want = (
        pl.Series(naive)
        .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )
    assert got["ts"].to_list() == want.to_list()
    assert got["day"].to_list() == [t.date() for t in naive]


def test_one_bad_time_among_the_first_rows_keeps_the_fast_format():
    from sqops.data.tables import _sniff_format

    fmt = "%Y-%m-%d %H:%M:%S"
    assert (
        _sniff_format(["2026-11-31 08:15:00", "2026-12-01 10:00:00", "2026-12-01 11:00:00"]) == fmt
    )
    assert _sniff_format(["1796090400", "1796090400000", "2026-12-01 10:00"]) is None  # no majority
    assert _sniff_format(["1796090400", "1796090401", "yesterday"]) == "epoch_s"
    assert _sniff_format(["", ""]) is None


def test_epoch_seconds_with_a_millisecond_cell_and_a_bad_one(tmp_path):
    # the sampled format (epoch seconds) reads only 10-digit cells; the 13-digit cell is
    # milliseconds (general parser), "2026-11-31" is no date
    _write(tmp_path / "messages.csv", "ts,group_id,member_id\n"
           "1796090400,g1,a\n1796090460,g1,b\n1796090520000,g1,c\n2026-11-31 10:00,g1,d\n"
           "1796090580,g1,e\n1796090640,g1,f\n")  # fmt: skip
    m = read_tables(tmp_path)["messages"]
    got = m.frame.collect()
    assert got["member_id"].to_list() == ["a", "b", "c", "e", "f"]
    times = [t.strftime("%H:%M") for t in got["ts"].to_list()]
    assert times == ["02:00", "02:01", "02:02", "02:03", "02:04"]
    assert m.reject_counts == {"bad_time": 1}


def test_unread_optional_columns_stay_with_rejected_rows_only(tmp_path):
    # activity_id (engagement) feeds no computation: the typed copy leaves it out, the
    # rejected rows keep it as read; row numbers come from the file. channel (members) feeds
    # the channels section: the typed copy keeps it, and the rejected rows too
    _write(tmp_path / "messages.csv", "ts,group_id,member_id\n2026-12-01 10:00,g1,a\n")
    _write(tmp_path / "engagement.csv", "ts,member_id,event,activity_id\n"
           "2026-12-01 10:00,a,open,act1\n"
           "2026-12-01 10:05,b,wave,act2\n"
           "2026-12-01 10:10,c,participate,act3\n")  # fmt: skip
    _write(tmp_path / "members.csv", "ts,group_id,member_id,event,channel\n"
           "2026-12-01 09:00,g1,a,join,poster\n"
           "yesterday,g1,b,join,qr\n")  # fmt: skip
    t = read_tables(tmp_path)
    e = t["engagement"]
    assert "activity_id" not in e.columns and "activity_id" not in e.frame.collect_schema()
    assert e.frame.select("_row", "member_id").collect().rows() == [(1, "a"), (3, "c")]
    assert e.rejected.select("_row", "_reason", "activity_id").rows() == [(2, "bad_event", "act2")]
    m = t["members"]
    assert "channel" in m.columns
    assert m.frame.select("_row", "channel").collect().rows() == [(1, "poster")]
    assert m.rejected.select("_row", "_reason", "channel").rows() == [(2, "bad_time", "qr")]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
@pytest.mark.parametrize(
    ("tz", "late", "late_utc"),
    [
        # the sample (first 2,000 rows) is winter time; a summer time comes later
        ("Europe/Berlin", "2026-07-01 12:00:00", dt.datetime(2026, 7, 1, 10, 0, tzinfo=dt.UTC)),
        # Shanghai kept +8 since 1991; in the summer of 1988 it was +9
        ("Asia/Shanghai", "1988-07-01 12:00:00", dt.datetime(1988, 7, 1, 3, 0, tzinfo=dt.UTC)),
    ],
)
def test_times_after_the_sample_outside_its_offset_convert_by_the_zone(
    tmp_path, kind, tz, late, late_utc
):
    # the fixed offset taken from a sample is checked against every time of the table
    n = 2_100
    early = [f"2026-01-{1 + i % 28:02d} 08:{i % 60:02d}:00" for i in range(n)]
    frame = pl.DataFrame(
        {"ts": [*early, late], "group_id": ["g1"] * (n + 1), "member_id": ["a"] * (n + 1)}
    )
    if kind == "parquet":
        frame = frame.with_columns(pl.col("ts").str.to_datetime())
        frame.write_parquet(tmp_path / "messages.parquet")
    else:
        frame.write_csv(tmp_path / "messages.csv")
    tables = read_tables(tmp_path, tz=tz)  # (the copy lives as long as its Tables)
    got = tables["messages"].frame.collect()
    first = dt.datetime(2026, 1, 1, 8, 0)
    off = first.replace(tzinfo=ZoneInfo(tz)).utcoffset()
    assert got["ts"][0] == (first - off).replace(tzinfo=dt.UTC)
    assert got["ts"][-1] == late_utc
    assert got["day"][-1] == dt.date.fromisoformat(late[:10])


def test_ids_are_categorical_and_repeated_post_ids_are_found():
    # ids and member names are coded (tables.CODED); a repeated post id is still
    # found by the hash-then-exact check, whatever the codes
    posts = pl.DataFrame(
        {
            "post_id": ["p1", "p2", " p1 ", "p3", "p2"],
            "ts": ["2026-12-01 10:00"] * 5,
            "group_id": ["g1", "g1", "g2", "g1", "g1"],
        }
    )
    msgs = pl.DataFrame({"ts": ["2026-12-01 10:00"], "group_id": ["g1"], "member_id": ["a"]})
    mem = pl.DataFrame(
        {
            "ts": ["2026-12-01 09:00"],
            "group_id": ["g1"],
            "member_id": ["a"],
            "event": ["join"],
            "inviter_id": ["b"],
            "member_name": [" 小林 "],
        }
    )
    t = prepare_tables({"messages": msgs, "posts": posts, "members": mem})
    assert t["posts"].duplicates == 2
    assert t["posts"].duplicate_rows == [3, 5]
    schema = {n: t[n].frame.collect_schema() for n in ("messages", "posts", "members")}
    assert schema["messages"]["group_id"] == pl.Categorical
    assert schema["messages"]["member_id"] == pl.Categorical
    assert schema["posts"]["post_id"] == pl.Categorical
    assert schema["members"]["inviter_id"] == pl.Categorical
    assert schema["members"]["member_name"] == pl.Categorical
    assert t["posts"].frame.collect()["post_id"].to_list() == ["p1", "p2", "p3"]
    assert t["members"].frame.collect()["member_name"].to_list() == ["小林"]  # (stripped)


def test_frames_built_for_absent_columns_join_with_coded_ids(h):
    # members with no join/leave (empty presence from events), no inviter or name columns,
    # an order without group_id (attributed by presence), messages without names: the frames
    # the report builds for what is absent must carry the ids' dtype
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "a"), ("2026-12-02 10:00", "g1", "b"),
    ])  # fmt: skip
    mem = h.frame("ts, group_id, member_id, event", [("2026-12-01 09:00", "g1", "a", "invited")])
    orders = h.frame("order_id, ts, member_id, amount", [("o1", "2027-01-01 10:00", "a", "9.9")])
    r = h.run(dt.date(2027, 1, 5), messages=msgs, members=mem, orders=orders)
    assert [g.group_id for g in r.groups] == ["g1"]
    p = r.prepared
    assert p is not None and p.orders is not None
    assert p.orders["group_id"].to_list() == ["g1"]  # a was present in g1 that day
    assert p.presence.height == 2 and p.names.height == 0
    # day 31 is in the monetisation window: a's order is the group's one order
    assert h.nd(r, "conversion_rate") == (1, 2)
    assert h.kpi(r, "aov").value == pytest.approx(9.9)


def test_parquet_float_ids_read_as_the_integers_they_are(tmp_path):
    # pandas writes an integer id column with a missing value as float64: 1.0, 2.0, NaN.
    # The same data as CSV says 1 and 2; both must give members "1" and "2" (not "1.0").
    # amounts keep their fractions; a non-whole float id stays as written.
    df = pl.DataFrame(
        {
            "ts": ["2026-12-01 10:00", "2026-12-01 11:00", "2026-12-02 10:00"],
            "group_id": [7.0, 7.0, 7.0],
            "member_id": [1.0, 2.0, 2.5],
        }
    )
    df.write_parquet(tmp_path / "messages.parquet")
    orders = pl.DataFrame(
        {"order_id": [10.0, 11.0], "ts": ["2026-12-01 10:00"] * 2, "member_id": [1.0, None],
         "amount": [99.5, 100.0]}
    )  # fmt: skip
    orders.write_parquet(tmp_path / "orders.parquet")
    t = read_tables(tmp_path)
    m = t["messages"].frame.collect()
    assert m["group_id"].cast(pl.String).to_list() == ["7", "7", "7"]
    assert m["member_id"].cast(pl.String).to_list() == ["1", "2", "2.5"]
    o = t["orders"].frame.collect()
    assert o["order_id"].cast(pl.String).to_list() == ["10"]  # (the row without a member: rejected)
    assert o["amount"].to_list() == [99.5]
    assert t["orders"].reject_counts == {"empty_id": 1}


def test_no_valid_row_names_the_top_reasons(tmp_path):
    # 3 rows: two unreadable times (the first quoted), one empty group id
    (tmp_path / "messages.csv").write_text(
        "ts,group_id,member_id\n1890-01-01 10:00+08:05:43,g1,a\nyesterday,g1,b\n"
        "2026-12-01 10:00,,c\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as e:
        read_tables(tmp_path)
    en = e.value.render("en")
    assert "no valid row (3 read, 3 rejected): unreadable time: 2 (rows 1, 2, e.g. " in en
    assert "'1890-01-01 10:00+08:05:43'); empty id: 1 (rows 3)" in en
    assert "时间无法识别 2 行（第 1, 2 行" in e.value.render("zh")


def test_question_text_is_the_stripped_content_of_possible_questions(tmp_path):
    # Five messages; question_text keeps the content (stripped) of those that can be a
    # question: a question mark (either width) or a reply. Counted by hand:
    #   1 "  价格多少？ " -> "价格多少？" (fullwidth mark, spaces stripped)
    #   2 "ok"          -> null (no mark, no reply)
    #   3 "   "         -> null (a reply, but nothing left after stripping)
    #   4 " sure "      -> "sure" (a reply)
    #   5 "why?"        -> "why?"
    text = (
        "ts,group_id,member_id,msg_id,reply_to,content\n"
        '2026-12-01 10:00,g1,a,1,,"  价格多少？ "\n'
        "2026-12-01 10:01,g1,b,2,,ok\n"
        '2026-12-01 10:02,g1,c,3,1,"   "\n'
        '2026-12-01 10:03,g1,d,4,1," sure "\n'
        "2026-12-01 10:04,g1,e,5,,why?\n"
    )
    _write(tmp_path / "messages.csv", text)
    tables = read_tables(tmp_path)
    got = tables["messages"].frame.collect()["question_text"].to_list()
    assert got == ["价格多少？", None, None, "sure", "why?"]
