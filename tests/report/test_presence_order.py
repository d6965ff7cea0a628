"""No output depends on the order of ``Prepared.presence`` (since b5d8e2e ``merge_intervals``
leaves it in no particular order, not sorted by the ids): every KPI, list, the member actions
and the views give the same rows with the presence's rows reversed or shuffled."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import polars as pl
import pytest

D = dt.date


def _fleet(h, as_of: dt.date):
    """Three groups; members in several groups, rejoins, a join and a leave the same day,
    leaves before as-of, ids whose text order is not their coding order, an order and a
    coupon without a group (attributed through presence)."""
    ev = [
        ("2026-12-01 09:00", "g1", "m9", "join"),
        ("2026-12-01 09:00", "g2", "m9", "join"),
        ("2026-12-03 10:00", "g1", "m9", "leave"),
        ("2026-12-05 10:00", "g1", "m9", "join"),
        ("2026-12-02 10:00", "g1", "m10", "join"),
        ("2026-12-02 10:00", "g1", "m10", "leave"),
        ("2026-12-04 10:00", "g3", "m10", "join"),
        ("2026-12-06 10:00", "g2", "m2", "leave"),
        ("2026-12-08 10:00", "g2", "m2", "join"),
        ("2026-12-01 10:00", "g3", "a", "join"),
        ("2026-12-09 10:00", "g3", "a", "leave"),
        ("2026-12-01 10:00", "g1", "b", "join"),
        ("2026-12-01 11:00", "g2", "b", "join"),
        ("2026-12-01 12:00", "g3", "b", "join"),
        ("2026-12-20 12:00", "g2", "b", "leave"),
    ]
    msgs = [
        ("2026-12-02 11:00", "g1", "m9"),
        ("2026-12-07 11:00", "g2", "m9"),
        ("2026-12-04 11:00", "g3", "m10"),
        ("2026-12-09 11:00", "g2", "m2"),
        ("2026-12-01 12:00", "g3", "a"),
        ("2026-12-02 12:00", "g1", "b"),
        ("2026-12-03 12:00", "g2", "b"),
        ("2026-12-10 12:00", "g1", "c"),
        ("2026-12-10 13:00", "g1", "s1"),
        ("2027-01-20 12:00", "g2", "m9"),
        ("2027-01-24 12:00", "g3", "b"),
    ]
    orders = [
        ("o1", "2026-12-05 12:00", "m9", "10.5", None, "paid", "c1"),
        ("o2", "2026-12-09 12:00", "m2", "20", "g2", "paid", None),
        ("o3", "2026-12-04 12:00", "b", "30.25", None, "paid", None),
        ("o4", "2026-12-07 12:00", "m10", "5", "g3", "refunded", None),
    ]
    coupons = [
        ("c1", "m9", "2026-12-04 09:00", "g1"),
        ("c2", "b", "2026-12-02 09:00", None),
        ("c3", "m10", "2026-12-04 09:00", "g3"),
    ]
    pl.Series(["b", "m9", "m2", "m10", "a", "c"]).cast(pl.Categorical)
    return h.run(
        as_of,
        messages=h.frame("ts, group_id, member_id", msgs),
        members=h.frame("ts, group_id, member_id, event", ev),
        orders=h.frame("order_id, ts, member_id, amount, group_id, status, coupon_id", orders),
        coupons=h.frame("coupon_id, member_id, ts, group_id", coupons),
        day0={"g1": D(2026, 12, 1), "g2": D(2026, 12, 1), "g3": D(2026, 12, 2)},
    )


def _outputs(report, p) -> dict[str, object]:
    from sqops.domain import KPI, KPI_NAMES
    from sqops.report import kpis as K
    from sqops.report.actions import action_table
    from sqops.report.lists import (
        cohort_retention,
        koc_list,
        pyramid,
        recall_list,
        rfm,
        silence,
    )
    from sqops.report.views import build_views

    def rows(df: pl.DataFrame, sort: bool = False) -> list[tuple]:
        return (df.sort(df.columns) if sort and df.height else df).rows()

    wins = {kd.stage: K.windows(p, kd.stage) for kd in KPI.values()}
    have = {k.name for k in report.fleet if not k.needs}  # (the KPIs the data can give)
    out: dict[str, object] = {
        f"kpi {n}": rows(K.compute(p, n, wins[KPI[n].stage], None), sort=True)
        for n in KPI_NAMES
        if n in have and wins[KPI[n].stage].height
    }
    out["silence"] = rows(silence(p), sort=True)  # (in no particular order before as after)
    for f in (recall_list, koc_list, rfm, pyramid, cohort_retention):
        out[f.__name__] = rows(f(p))
    out["actions"] = rows(action_table(p, True))
    out["views"] = build_views(dataclasses.replace(report, prepared=p))
    return out


@pytest.mark.parametrize("as_of", [D(2026, 12, 12), D(2027, 1, 25)])
def test_no_output_depends_on_the_presence_order(h, as_of: dt.date):
    r = _fleet(h, as_of)
    p = r.prepared
    assert p is not None and p.presence.height >= 10
    # (the fleet reaches what the test is about: a member in several groups, an interval
    # ending before as-of, an attributed order)
    pres = p.presence.with_columns(pl.col("member_id").cast(pl.String))
    assert pres.filter(pl.col("member_id") == "b").height == 3
    assert pres.filter(pl.col("e") < p.as_of).height >= 2
    want = _outputs(r, dataclasses.replace(p, memo={}))
    n = p.presence.height
    for perm in (list(range(n))[::-1], random.Random(7).sample(range(n), n)):
        q = dataclasses.replace(p, presence=p.presence[perm], memo={})
        got = _outputs(r, q)
        assert got.keys() == want.keys()
        for k in want:
            assert got[k] == want[k], k
