"""An earlier as-of's inputs derived from the latest (``Prepared.at``, what ``--trend`` and
``--compare`` use) equal ``prepare(as_of=that day)``: every frame, and the report built on them.

The hand-made test counts the cases where cutting the latest presence at the earlier day would
be wrong; the property test compares every part on random small tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from sqops.data.membership import Prepared, prepare, to_int
from sqops.data.tables import Tables, prepare_tables
from sqops.report.build import Settings, build_report

D = dt.date
SKIP = {"memo", "history", "heat"}  # (heat: left empty, see prepare_earlier)


def _tables(frames: dict[str, pl.DataFrame]) -> Tables:
    return prepare_tables(frames, tz="Asia/Shanghai")


def _prepare(tables: Tables, s: Settings, day: dt.date, only=None) -> Prepared[pl.DataFrame]:
    return prepare(
        tables,
        as_of=day,
        sop_staff=s.staff_ids,
        day0=s.day0,
        default_day0=s.default_day0,
        only_groups=only,
        koc=s.koc,
    )


def _sorted(df: pl.DataFrame) -> pl.DataFrame:
    # (categorical ids sort by their codes: as text, so both sides sort alike)
    return df.sort([pl.col(c).cast(pl.String) if df.schema[c] == pl.Categorical else c
                    for c in df.columns], nulls_last=True)  # fmt: skip


def assert_same(got: Prepared[pl.DataFrame], want: Prepared[pl.DataFrame]) -> None:
    for f in dataclasses.fields(Prepared):
        if f.name in SKIP:
            continue
        a, b = getattr(got, f.name), getattr(want, f.name)
        if isinstance(b, pl.DataFrame):
            assert isinstance(a, pl.DataFrame), f.name
            assert a.schema == b.schema, f.name
            try:
                assert_frame_equal(_sorted(a), _sorted(b))
            except AssertionError as e:
                raise AssertionError(f"{f.name}: {e}") from None
        else:
            assert a == b, f.name
    assert got.heat.height == 0 and got.heat.schema == want.heat.schema


def _frame(cols: str, rows: list[tuple]) -> pl.DataFrame:
    names = [c.strip() for c in cols.split(",")]
    data = {n: [None if r[i] is None else str(r[i]) for r in rows] for i, n in enumerate(names)}
    return pl.DataFrame(data, schema={n: pl.String for n in names})


def test_presence_and_attribution_are_made_again_not_cut(h):
    """Member b spoke on 12-03 and joined on 12-15; c left with nothing open on 12-08 and
    again on 12-18; c's order of 12-09 has no group. Latest as-of 12-20, earlier 12-10."""
    msgs = _frame("ts, group_id, member_id", [
        ("2026-12-01 09:00", "g1", "a"),
        ("2026-12-03 10:00", "g1", "b"),
        ("2026-12-05 10:00", "g1", "c"),
        ("2026-12-02 10:00", "g2", "c"),
        ("2026-12-16 10:00", "g3", "a"),  # g3's first data: after 12-10
    ])  # fmt: skip
    members = _frame("ts, group_id, member_id, event", [
        ("2026-12-08 10:00", "g1", "c", "leave"),
        ("2026-12-15 10:00", "g1", "b", "join"),
        ("2026-12-18 10:00", "g1", "c", "leave"),
    ])  # fmt: skip
    orders = _frame("order_id, ts, member_id, amount, group_id", [
        ("o1", "2026-12-09 12:00", "c", "10", None),
    ])  # fmt: skip
    s = Settings(day0={"g1": D(2026, 12, 1), "g2": D(2026, 12, 1)})
    tables = _tables({"messages": msgs, "members": members, "orders": orders})
    latest = _prepare(tables, s, D(2026, 12, 20))
    got = latest.at(D(2026, 12, 10))
    assert_same(got, _prepare(tables, s, D(2026, 12, 10)))
    # at 12-10, by hand (days as dates):
    # a: no events, spoke in g1 → from D0 12-01 to 12-10
    # b: no event by 12-10 (the join is later), spoke → 12-01..12-10 (on 12-20: the day
    #    spoken 12-03 and 12-15..12-20 — cutting that would lose 12-01..12-10)
    # c in g1: the 12-08 leave, nothing open, first event → D0 12-01..12-08 (on 12-20 the
    #    second leave opens at 12-08 and runs to 12-18, so cutting would give 12-01..12-10)
    # c in g2: no events, spoke → 12-01..12-10; g3 has no data yet
    pres = {
        (g, m, str(s_), str(e))
        for g, m, s_, e in got.presence.select(
            pl.col("group_id").cast(pl.String),
            pl.col("member_id").cast(pl.String),
            pl.col("s").map_elements(lambda d: D(1970, 1, 1) + dt.timedelta(days=d), pl.Date),
            pl.col("e").map_elements(lambda d: D(1970, 1, 1) + dt.timedelta(days=d), pl.Date),
        ).iter_rows()
    }
    assert pres == {
        ("g1", "a", "2026-12-01", "2026-12-10"),
        ("g1", "b", "2026-12-01", "2026-12-10"),
        ("g1", "c", "2026-12-01", "2026-12-08"),
        ("g2", "c", "2026-12-01", "2026-12-10"),
    }
    assert got.groups["group_id"].cast(pl.String).to_list() == ["g1", "g2"]
    # o1 (12-09, no group): on 12-20 c is in g1 (12-01..12-18) and g2 that day and last spoke
    # in g1 (12-05 > 12-02) → g1; on 12-10 c left g1 on 12-08 → only g2
    assert latest.orders["group_id"].cast(pl.String).to_list() == ["g1"]
    assert got.orders["group_id"].cast(pl.String).to_list() == ["g2"]
    # rows after the as-of: 12-10 → the 12-16 message, the two later events
    assert got.after_as_of == {"messages": 1, "members": 2, "orders": 0}
    assert got.unattributed == {"orders": 0}


def test_not_after_the_as_of_and_not_without_history(h):
    tables = _tables(
        {"messages": _frame("ts, group_id, member_id", [("2026-12-01 09:00", "g1", "a")])}
    )
    p = _prepare(tables, Settings(), D(2026, 12, 5))
    with pytest.raises(ValueError, match="after the as-of"):
        p.at(D(2026, 12, 6))
    with pytest.raises(ValueError, match="no history"):
        p.at(D(2026, 12, 3)).at(D(2026, 12, 2))


# ------------------------------------------------------------------ property test
GROUPS = ["g1", "g2", "g3"]
WHO = ["a", "b", "c", "d", "s1"]  # s1: staff (SOP)
NAMES = [None, "Ann-1", "Ann", "Bo-2", "Bo"]
day_ = st.integers(0, 27)


def _ts(day: int, minute: int) -> str:
    t = dt.datetime(2026, 12, 1) + dt.timedelta(days=day, minutes=minute)
    return t.strftime("%Y-%m-%d %H:%M")


minute = st.integers(0, 24 * 60 - 1)
maybe_group = st.sampled_from([None, *GROUPS])


@st.composite
def tables_st(draw):
    msgs = draw(st.lists(st.tuples(day_, minute, st.sampled_from(GROUPS), st.sampled_from(WHO),
        st.sampled_from(["text", "text", "system"]), st.sampled_from(NAMES),
        st.sampled_from(["member", "member", "member", "bot"])), min_size=1, max_size=25))  # fmt: skip
    events = draw(st.lists(st.tuples(day_, minute, st.sampled_from(GROUPS), st.sampled_from(WHO),
        st.sampled_from(["join", "join", "leave", "leave", "invited", "profile_complete"]),
        st.sampled_from([None, *WHO]), st.sampled_from(NAMES)), max_size=25))  # fmt: skip
    orders = draw(st.lists(st.tuples(day_, minute, st.sampled_from(WHO), maybe_group,
        st.sampled_from(["paid", "paid", "refunded"]), st.sampled_from([None, "c1", "c2", "c3"]),
        st.sampled_from(["9.9", "10", "25.5"])), max_size=8))  # fmt: skip
    coupons = draw(st.lists(st.tuples(day_, minute, st.sampled_from(WHO), maybe_group),
                            max_size=4))  # fmt: skip
    posts = draw(st.lists(st.tuples(day_, minute, st.sampled_from(GROUPS)), max_size=5))
    eng = draw(st.lists(st.tuples(day_, minute, st.sampled_from(WHO),
        st.sampled_from(["open", "open", "participate", "click"]), st.integers(1, 5), maybe_group),
        max_size=20))  # fmt: skip
    f = {
        "messages": _frame("ts, group_id, member_id, msg_type, member_name, role",
            [(_ts(d, m), g, w, t, n, r) for d, m, g, w, t, n, r in msgs]),
        "orders": _frame("order_id, ts, member_id, group_id, status, coupon_id, amount",
            [(f"o{i}", _ts(d, m), w, g, s, c, a) for i, (d, m, w, g, s, c, a) in enumerate(orders)]),
        "coupons": _frame("coupon_id, ts, member_id, group_id",
            [(f"c{i + 1}", _ts(d, m), w, g) for i, (d, m, w, g) in enumerate(coupons)]),
        "posts": _frame("post_id, ts, group_id",
            [(f"p{i + 1}", _ts(d, m), g) for i, (d, m, g) in enumerate(posts)]),
        "engagement": _frame("ts, member_id, event, post_id, group_id",
            [(_ts(d, m), w, e, f"p{p}", g) for d, m, w, e, p, g in eng]),
    }  # fmt: skip
    # (without member events: presence from speakers alone)
    f["members"] = _frame("ts, group_id, member_id, event, inviter_id, member_name",
        [(_ts(d, m), g, w, e, i, n) for d, m, g, w, e, i, n in events])  # fmt: skip
    return {k: v for k, v in f.items() if v.height}  # (an empty table is an error)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frames=tables_st(),
    latest=st.integers(10, 27),
    back=st.lists(st.integers(0, 27), min_size=1, max_size=3),
    only=st.sampled_from([None, ["g1"], ["g2", "g3"]]),
    launched=st.sampled_from([{}, {"g1": 0}, {"g1": 0, "g2": 12}, {"g3": 20}]),
    koc=st.sampled_from([(7, 1, 30), (1, 1, 1), (2, 1, 2)]),
)
def test_earlier_inputs_and_reports_equal_prepare_on_random_tables(
    frames, latest, back, only, launched, koc
):
    start = D(2026, 12, 1)
    s = Settings(
        staff_ids=frozenset({"s1"}),
        nickname_pattern="^[^-]+-.+$",
        koc=koc,
        day0={g: start + dt.timedelta(days=d) for g, d in launched.items()},
    )
    tables = _tables(frames)
    as_of = start + dt.timedelta(days=latest)
    p = _prepare(tables, s, as_of, only)
    for b in back:
        day = as_of - dt.timedelta(days=b)
        want = _prepare(tables, s, day, only)
        got = p.at(day)
        assert got.as_of == to_int(day)
        assert_same(got, want)
        if want.groups.height == 0:
            continue
        fresh = build_report(tables, settings=s, as_of=day, groups=only, missing_groups_ok=True,
                             sections=False)  # fmt: skip
        derived = build_report(tables, settings=s, as_of=day, groups=only, missing_groups_ok=True,
                               sections=False, prepared=got)  # fmt: skip
        assert derived.to_dict() == fresh.to_dict()
        # (names only matter to profile_completion_rate with a pattern: without one, left out)
        assert_same(p.at(day, names=False), dataclasses.replace(want, names=got.names.clear()))


def test_opens_after_the_earlier_day_drop_out():
    """p1 at 12-09 10:00 (g1): a opens it 12-09 12:00, b 12-10 09:00 (both within 48 h), a
    again 12-10 11:00, c 12-12 11:00 (49 h: too late). Openers: on 12-10 a, b → 2; on 12-09
    a → 1 (b's open is after that day); on 12-12 still 2: never c."""
    msgs = _frame("ts, group_id, member_id", [("2026-12-01 09:00", "g1", "a")])
    posts = _frame("post_id, ts, group_id", [("p1", "2026-12-09 10:00", "g1")])
    eng = _frame("ts, member_id, event, post_id", [
        ("2026-12-09 12:00", "a", "open", "p1"),
        ("2026-12-10 09:00", "b", "open", "p1"),
        ("2026-12-10 11:00", "a", "open", "p1"),
        ("2026-12-11 11:00", "c", "open", "p1"),
    ])  # fmt: skip
    tables = _tables({"messages": msgs, "posts": posts, "engagement": eng})
    s = Settings()
    latest = _prepare(tables, s, D(2026, 12, 12))
    opens = {d: latest.at(D(2026, 12, d)).post_opens for d in (8, 9, 10)}
    assert opens[8] is not None and opens[8].height == 0  # (p1 is not yet posted)
    assert [opens[d]["opens"].to_list() for d in (9, 10)] == [[1], [2]]
    assert latest.post_opens is not None and latest.post_opens["opens"].to_list() == [2]
    for d in (8, 9, 10):
        assert_same(latest.at(D(2026, 12, d)), _prepare(tables, s, D(2026, 12, d)))
