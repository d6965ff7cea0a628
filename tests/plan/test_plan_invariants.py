"""Hypothesis invariants of the expansion: inside the window, sorted, counts match the cadence."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.plan import expand
from sqops.plan.scripts import stage_of_index
from sqops.sop import parse_sop

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

times = st.builds(
    lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 15, 30, 45])
)
dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def cadences(draw):
    daily = [{"time": draw(times), "title": f"d{i}"} for i in range(draw(st.integers(0, 3)))]
    weekly = [
        {"time": draw(times), "title": f"w{i}", "weekday": draw(st.sampled_from(WEEKDAYS))}
        for i in range(draw(st.integers(0, 3)))
    ]
    monthly = [
        {
            "time": draw(times),
            "title": f"m{i}",
            "day": draw(st.one_of(st.integers(1, 31), st.sampled_from([29, 30, 31, "last"]))),
        }
        for i in range(draw(st.integers(0, 3)))
    ]
    lifecycle = [
        {"time": draw(times), "title": f"l{i}", "day": draw(st.integers(1, 200))}
        for i in range(draw(st.integers(0, 3)))
    ]
    campaigns = [
        {
            "time": draw(times),
            "title": f"c{i}",
            "date": draw(dates).isoformat(),
            "countdown_days": draw(st.integers(0, 5)),
        }
        for i in range(draw(st.integers(0, 2)))
    ]
    return {
        "daily": daily,
        "weekly": weekly,
        "monthly": monthly,
        "lifecycle": lifecycle,
        "campaigns": campaigns,
    }


def _in(d: dt.date, start: dt.date, end: dt.date, launch: dt.date) -> bool:
    return start <= d < end and d >= launch


def _expected(cad, launch: dt.date, start: dt.date, days: int) -> Counter:
    end = start + dt.timedelta(days=days)
    window = [start + dt.timedelta(days=i) for i in range(days)]
    live = [d for d in window if d >= launch]
    out: Counter = Counter()
    for i, _ in enumerate(cad["daily"]):
        out[("daily", i)] = len(live)
    for i, item in enumerate(cad["weekly"]):
        out[("weekly", i)] = sum(1 for d in live if WEEKDAYS[d.weekday()] == item["weekday"])
    months = sorted({(d.year, d.month) for d in window})
    for i, item in enumerate(cad["monthly"]):
        n = 0
        for y, m in months:
            last = calendar.monthrange(y, m)[1]
            day = last if item["day"] == "last" else min(item["day"], last)
            n += _in(dt.date(y, m, day), start, end, launch)
        out[("monthly", i)] = n
    for i, item in enumerate(cad["lifecycle"]):
        out[("lifecycle", i)] = int(
            _in(launch + dt.timedelta(days=item["day"] - 1), start, end, launch)
        )
    for i, item in enumerate(cad["campaigns"]):
        d = dt.date.fromisoformat(item["date"])
        out[("campaign", i)] = int(_in(d, start, end, launch))
        out[("countdown", i)] = sum(
            _in(d - dt.timedelta(days=k), start, end, launch)
            for k in range(1, item["countdown_days"] + 1)
        )
    return +out


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cad=cadences(), launch=dates, offset=st.integers(-40, 120), days=st.integers(1, 100))
def test_expansion_invariants(cad, launch, offset, days):
    doc = {
        "version": 1,
        "community": {"name": "c", "platform": "wechat", "launched_on": launch.isoformat()},
        "cadence": cad,
    }
    loaded = parse_sop(json.dumps(doc, ensure_ascii=False), "sop.yaml")
    start = launch + dt.timedelta(days=offset)
    plan = expand(loaded, start=start, days=days, lang="en")
    occs = plan.groups[0].occurrences
    end = start + dt.timedelta(days=days)
    # inside the window, never before the launch, sorted
    assert all(start <= o.date < end and o.date >= launch for o in occs)
    assert [o.sort_key() for o in occs] == sorted(o.sort_key() for o in occs)
    # day index and stage follow from the launch day
    assert all(
        o.day_index == (o.date - launch).days and o.stage == stage_of_index(o.day_index)
        for o in occs
    )
    # counts match the cadence, computed independently (months, not days, for monthly items)
    titles = {f"{s[0]}{i}": (s, i) for s in ("d", "w", "m", "l", "c") for i in range(3)}
    section = {"d": "daily", "w": "weekly", "m": "monthly", "l": "lifecycle", "c": "campaign"}
    got: Counter = Counter()
    for o in occs:
        if o.source == "countdown":
            got[("countdown", int(o.campaign_id and _campaign_index(cad, o.title)))] += 1
        else:
            s, i = titles[o.title]
            got[(section[s], i)] += 1
    assert got == _expected(cad, launch, start, days)
    # ids are unique per date
    per_date = Counter((o.date, o.item_id) for o in occs)
    assert all(n == 1 for n in per_date.values())
    # conflicts only on dates that have items
    assert {c.date for c in plan.groups[0].conflicts} <= {o.date for o in occs}


def _campaign_index(cad, title: str) -> int:
    # countdown titles are "<campaign title> · N day(s) left"
    name = title.split(" · ")[0]
    return next(i for i, c in enumerate(cad["campaigns"]) if c["title"] == name)
