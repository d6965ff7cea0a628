"""wechat-msg and the shared tail, session 16 (wmsg2, #19 item 2): ``ts_text_expr`` told the
times' bounds and whether one has a fraction of a second writes what it writes without them;
the wechat-msg bulk records the aliases of its names itself (one distinct query), exactly
those the row-by-row reading records; :meth:`Context.add_messages` with ``aliased`` does not
record a frame's aliases again, and still records those of the frames before it; the
messages table of a reader's runs is one chunk a column."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sqops.errors import SqopsError

from .test_csvfast3 import _bulk_equals_row_by_row

# ---------------------------------------------------------------- ts told its bounds

_US = 1_000_000
#: 1960 up to 2110 (either side of where polars' zone data is Python's: 1970-01-02 to
#: 2099-12-30), in microseconds: whole seconds or any
_INSTANT = st.one_of(
    st.integers(-315_619_200, 4_417_977_600).map(lambda s: s * _US),
    st.integers(-315_619_200 * _US, 4_417_977_600 * _US),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), _INSTANT), max_size=12),
    st.sampled_from([0, 8 * 60, -5 * 60, 5 * 60 + 30, 14 * 60, -12 * 60]),
    st.booleans(),
)
@example([1_764_547_200 * _US, 1_764_547_201 * _US], 8 * 60, True)
@example([1_764_547_200 * _US, 4_102_444_800 * _US], 8 * 60, True)  # 2100-01-01: Python's
@example([1_764_547_200_123_000, None], -5 * 60, True)
def test_ts_told_its_bounds_and_fraction_is_the_same_text(instants, minutes, with_days):
    """``bounds`` (the earliest and latest time) and ``fraction`` (whether any time has a
    fraction of a second), as wechat-msg computes them, leave every text as it is."""
    from sqops.importers._base import ts_text_expr

    offset = timedelta(minutes=minutes)
    utc = pl.Series("u", instants, dtype=pl.Int64).cast(pl.Datetime("us", "UTC"))
    frame = utc.to_frame()
    naive = [t.replace(tzinfo=None) for t in utc.drop_nulls().to_list()]
    bounds = (min(naive), max(naive)) if naive else None
    days = None
    if with_days and naive:
        days = ((min(naive) + offset).date(), (max(naive) + offset).date())
    fraction = any(t.microsecond for t in naive)
    want = frame.select(ts_text_expr(pl.col("u"), "Etc/UTC", offset, days)).to_series()
    got = frame.select(
        ts_text_expr(pl.col("u"), "Etc/UTC", offset, days, bounds=bounds, fraction=fraction)
    ).to_series()
    assert got.to_list() == want.to_list()


def test_ts_told_its_bounds_hand_made():
    from sqops.importers._base import ts_text_expr

    utc = pl.Series(
        "u",
        [datetime(2026, 12, 1, 12, 15, 3, tzinfo=UTC), None, datetime(2026, 12, 3, tzinfo=UTC)],
    )
    frame = utc.to_frame()
    eight = timedelta(hours=8)
    bounds = (datetime(2026, 12, 1, 12, 15, 3), datetime(2026, 12, 3))
    days = (date(2026, 12, 1), date(2026, 12, 3))
    got = frame.select(
        ts_text_expr(pl.col("u"), "Asia/Shanghai", eight, days, bounds=bounds, fraction=False)
    ).to_series()
    assert got.to_list() == ["2026-12-01T20:15:03+08:00", None, "2026-12-03T08:00:00+08:00"]
    # a time past 2099-12-30: written by Python (here the zone's, not the offset given)
    late = pl.Series("u", [datetime(2100, 1, 1, tzinfo=UTC)]).to_frame()
    bounds = (datetime(2100, 1, 1), datetime(2100, 1, 1))
    got = late.select(
        ts_text_expr(pl.col("u"), "Asia/Tokyo", eight, None, bounds=bounds, fraction=False)
    ).to_series()
    assert got.to_list() == ["2100-01-01T09:00:00+09:00"]


# ---------------------------------------------------------------- wechat-msg's own aliases

_HEAD = (
    "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,"
    "NickName,Sender\n"
)
_NAME = st.sampled_from(["", "Mia", " Mia ", "Bo", "阿梅", "\u3000", "系统", "你", "You"])
_WHO = st.sampled_from(["wxid_mia", "wxid_bo", "", "system", "self"])


@st.composite
def _msg(draw: st.DrawFn) -> str:
    i = draw(st.integers(0, 99))
    group = draw(st.sampled_from(["g1@chatroom", "g2@chatroom"]))
    if draw(st.integers(0, 5)) == 0:  # a notice naming someone
        who = draw(st.sampled_from(["Mia", "Bo", "你", "阿梅"]))
        return f'{i},{group},10000,0,0,176476{i:04d},2,"""{who}""邀请""Zoe""加入了群聊",,,,'
    flag = draw(st.sampled_from(["0", "1"]))
    remark, nick, sender = draw(_NAME), draw(_NAME), draw(_WHO)
    return f"{i},{group},1,0,{flag},176476{i:04d},2,早,,{remark},{nick},{sender}"


def _aliases_of(run):  # type: ignore[no-untyped-def]
    """``run()``'s result and the aliases its context had at the end."""
    from sqops.importers import _base

    seen = {}
    finish = _base.Context.finish

    def kept(self):  # type: ignore[no-untyped-def]
        out = finish(self)
        seen["aliases"] = {
            g: {n: set(ids) for n, ids in d.items()} for g, d in self.aliases.items()
        }
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_base.Context, "finish", kept)
        try:
            result = run()
        except SqopsError as exc:  # (no row at all: both refuse alike)
            return type(exc).__name__, seen.get("aliases")
    return result, seen["aliases"]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_msg(), min_size=1, max_size=12),
    st.sampled_from([{}, {"group_id": "G1"}, {"group_id": "G1", "self_name": "Mia"}]),
)
@example(["1,g1@chatroom,1,0,1,1764760001,2,早,,,Mia,wxid_mia"], {})
@example(["1,g1@chatroom,1,0,0,1764760001,2,早,,Bo, Mia ,wxid_mia"], {"group_id": "G1"})
def test_wechat_msg_aliases_recorded_once_are_the_row_by_row_ones(tmp_path_factory, rows, opts):
    """The bulk records the exporter's id, the nicknames and the names shown of its rows
    from one distinct query (Context.finish does not look for them again): the aliases at
    the end are those of the row-by-row reading, and so are the tables (notices resolve
    names by them), counts and problems."""
    from sqops.importers import import_files

    tmp = tmp_path_factory.mktemp("wmsg2")
    (tmp / "msg.csv").write_text(_HEAD + "\n".join(rows) + "\n", encoding="utf-8")

    def run():  # type: ignore[no-untyped-def]
        return import_files("wechat-msg", [tmp / "msg.csv"], **opts)

    _equal_row_by_row_with_aliases(run)


def _equal_row_by_row_with_aliases(run):  # type: ignore[no-untyped-def]
    """``run()`` (a wechat-msg import) read in bulk and row by row: the same tables, counts
    and problems (:func:`_bulk_equals_row_by_row`), and the same aliases at the end."""
    from sqops.importers import wechat
    from sqops.importers._base import read_text

    _bulk_equals_row_by_row(wechat, run)
    _, fast = _aliases_of(run)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(wechat, "csv_frames", lambda p, d, t=None, **_: read_text(p, d))
        _, slow = _aliases_of(run)
    assert fast == slow


# ---------------------------------------------------------------- Context: aliased frames


def _frame(names: list[str], first_t: float = 1.0) -> pl.DataFrame:
    n = len(names)
    return pl.DataFrame(
        {
            "_t": [first_t + i for i in range(n)],
            "ts": [f"2026-12-01T00:00:0{i}+00:00" for i in range(n)],
            "group_id": ["g"] * n,
            "member_id": [f"m{i}" for i in range(n)],
            "member_name": names,
        }
    )


@pytest.mark.parametrize("spill", [False, True])
def test_an_aliased_frame_is_not_looked_for_again(spill):
    """``aliased=True``: the frame's names are not recorded by the context (the caller has);
    the frames added before it still have theirs recorded, in memory and when spilled."""
    from sqops.importers._base import Context, norm_name

    ctx = Context(tz=UTC)
    if spill:
        ctx.spill_at = 1 << 40  # (each run added by add_messages itself)
    ctx.add_messages(_frame(["Ann"]))
    runs = ctx.message_runs(_frame(["Bea", "Cy"], 10.0), aliased=True)
    runs.add(1)
    runs.add(1)
    runs.close()
    ctx._bulk_aliases()  # (what finish does when it has names to resolve: not the aliased)
    ctx.finish()
    assert ctx.aliases == {"g": {norm_name("Ann"): {"m0"}}}
    plain = Context(tz=UTC)
    plain.add_messages(_frame(["Ann"]))
    runs = plain.message_runs(_frame(["Bea", "Cy"], 10.0))
    runs.add(2)
    runs.close()
    plain._bulk_aliases()  # (what finish does when it has names to resolve)
    assert plain.aliases == {
        "g": {norm_name("Ann"): {"m0"}, norm_name("Bea"): {"m0"}, norm_name("Cy"): {"m1"}}
    }


def test_the_table_of_runs_is_one_chunk_in_file_order():
    """A reader's frame added in runs between rows added one by one: the messages table is
    the rows in order of arrival, each column one chunk (rechunked, not selected)."""
    from sqops.importers._base import Context

    ctx = Context(tz=UTC)
    frame = _frame([f"n{i}" for i in range(600)], 100.0)
    runs = ctx.message_runs(frame)
    for k in range(300):
        runs.add(2)
        ctx.message(
            ts=datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=100 + 2 * k + 1.5),
            group_id="g",
            member_id=f"one{k}",
        )
    runs.close()
    table = ctx.finish().tables["messages"]
    assert table.n_chunks("all") == [1] * table.width
    ids = table["member_id"].to_list()
    assert ids[:5] == ["m0", "m1", "one0", "m2", "m3"]
    assert len(ids) == 900
