"""``sqops report --compare DAY|prev`` (spec §3): the z-test worked by hand, and the previous
values equal to the report ``--as-of DAY`` on hand-made tables.

Group g1 has day 0 = 2026-12-01 (settings, as an SOP's launched_on); s1 is staff. Without a
members table the basis is "speakers": every non-staff sender is present from day 0 on.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from sqops.errors import UsageError
from sqops.report.build import Settings, build_report
from sqops.report.compare import Previous, change_of, compare_day

D = dt.date


# ------------------------------------------------------------------ the statistic
def test_equal_values_are_flat():
    # 30/100 and 3/10 are both 0.3: flat, whatever the sample sizes
    assert change_of(30, 100, 3, 10) == "flat"
    assert change_of(5, 10, 5, 10) == "flat"


def test_p_zero_and_p_one():
    # p = (0 + 0) / (50 + 40) = 0: both values are 0 → equal → flat (the spec checks equality first)
    assert change_of(0, 50, 0, 40) == "flat"
    # p = (20 + 10) / (20 + 10) = 1: both 100% → flat
    assert change_of(20, 20, 10, 10) == "flat"
    # a rate that can pass 1 (fission: joins / members on the first day): 3/2 now, 1/2 before;
    # p = (3 + 1) / (2 + 2) = 1 → p (1 − p) = 0, no test possible → noise
    assert change_of(3, 2, 1, 2) == "noise"
    # p > 1 (5/2 and 3/2: p = 8/4 = 2) → noise, never a square root of a negative number
    assert change_of(5, 2, 3, 2) == "noise"


def test_significant_up_and_down():
    # 10/100 → 30/100: p = 40/200 = 0.2, SE = √(0.2·0.8·(1/100 + 1/100)) = √0.0032 = 0.05657,
    # z = 0.2 / 0.05657 = 3.54 ≥ 1.96 → up; the reverse is down (z = −3.54)
    assert change_of(30, 100, 10, 100) == "up"
    assert change_of(10, 100, 30, 100) == "down"


def test_not_significant_and_the_threshold():
    # 10/100 → 15/100: p = 25/200 = 0.125, SE = √(0.125·0.875·0.02) = 0.04677,
    # z = 0.05 / 0.04677 = 1.07 < 1.96 → noise
    assert change_of(15, 100, 10, 100) == "noise"
    # 20/100 → 32/100: p = 0.26, SE = √(0.26·0.74·0.02) = 0.06203, z = 0.12/0.06203 = 1.93 → noise
    assert change_of(32, 100, 20, 100) == "noise"
    # 20/100 → 33/100: p = 0.265, SE = √(0.265·0.735·0.02) = 0.06241, z = 0.13/0.06241 = 2.08 → up
    assert change_of(33, 100, 20, 100) == "up"
    # the same worked numbers, checked against the formula once more
    p = 53 / 200
    assert (0.33 - 0.20) / math.sqrt(p * (1 - p) * (2 / 100)) == pytest.approx(2.083, abs=1e-3)


def test_tone_follows_the_better_direction():
    up = Previous(D(2026, 12, 1), 0.1, 10, 100, 0.2, "up")
    assert up.tone("speaking_rate") == "good"  # higher is better
    assert up.tone("churn_rate") == "bad"  # lower is better: more churn is worse
    assert Previous(D(2026, 12, 1), 0.1, 10, 100, 0.0, "flat").tone("churn_rate") == "neutral"
    assert up.text("speaking_rate") == "↑ +20.0 pp"
    assert up.text("speaking_rate", "zh") == "↑ +20.0 个百分点"
    assert Previous(D(2026, 12, 1), 80.0, 160, 2, -20.0, None).text("aov") == "-20.00"


# ------------------------------------------------------------------ on reports
def _settings() -> Settings:
    return Settings(staff_ids=frozenset({"s1"}), day0={"g1": D(2026, 12, 1), "g2": D(2026, 12, 1)})


def _kpi(report, name, group=None):
    if group is None:
        return next(k for k in report.fleet if k.name == name)
    return next(g for g in report.groups if g.group_id == group).kpi(name)


def test_unavailable_on_one_day_and_a_group_without_data_yet(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "a"),
        ("2026-12-09 10:00", "g1", "b"),
        ("2026-12-09 10:00", "g2", "c"),  # g2's first data: it has no report on 12-03
        ("2026-12-09 11:00", "g1", "s1"),  # staff: counted nowhere
    ])  # fmt: skip
    rep = build_report({"messages": msgs}, settings=_settings(), as_of=D(2026, 12, 10),
                       compare=D(2026, 12, 3))  # fmt: skip
    assert rep.compared_with == D(2026, 12, 3)
    # speaking_rate at 12-10 (day 9, activation W = 12-08..12-10): g1 members a, b, speaker b
    # → 1/2; g2: c/c → 1/1; fleet 2/3. On 12-03 (day 2) activation has not started: no
    # previous value, so no previous, delta or change.
    sr = _kpi(rep, "speaking_rate", "g1")
    assert (sr.numerator, sr.denominator, sr.previous) == (1, 2, None)
    assert _kpi(rep, "speaking_rate").previous is None
    assert "previous" not in sr.to_dict() and "change" not in sr.to_dict()
    # koc_share (propagation, always started): g1 on 12-03 has member a only (b's message is
    # later), no KOC → 0/1; on 12-10 0/2. Both 0: flat (p = 0), delta 0.
    ks = _kpi(rep, "koc_share", "g1").to_dict()
    assert ks["previous"] == {"value": 0.0, "numerator": 0, "denominator": 1}
    assert (ks["delta"], ks["change"]) == (0.0, "flat")
    # g2 had no data on 12-03: nothing to compare with
    assert _kpi(rep, "koc_share", "g2").previous is None
    # fleet koc_share: 0/3 now, 0/1 then (g1 only)
    f = _kpi(rep, "koc_share").previous
    assert f is not None and (f.numerator, f.denominator, f.change) == (0, 1, "flat")
    # referral_rate needs members.inviter_id: unavailable both days → no previous
    assert _kpi(rep, "referral_rate", "g1").previous is None
    # and the previous values are exactly those of the report --as-of 12-03
    then = build_report({"messages": msgs}, settings=_settings(), as_of=D(2026, 12, 3))
    k0 = _kpi(then, "koc_share", "g1")
    assert (k0.value, k0.numerator, k0.denominator) == (0.0, 0, 1)
    assert [g.group_id for g in then.groups] == ["g1"]


def test_aov_has_a_delta_and_no_change(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "a"),
        ("2026-12-01 10:00", "g1", "b"),
    ])  # fmt: skip
    orders = h.frame("order_id, ts, member_id, amount, group_id", [
        ("o1", "2026-12-31 10:00", "a", "100", "g1"),  # day 30: monetisation starts
        ("o2", "2027-01-01 10:00", "b", "60", "g1"),
        ("o3", "2027-01-04 10:00", "a", "20", "g1"),
    ])  # fmt: skip
    rep = build_report({"messages": msgs, "orders": orders}, settings=_settings(),
                       as_of=D(2027, 1, 5), compare="2027-01-01")  # fmt: skip
    # aov on 01-01: (100 + 60) / 2 = 80; on 01-05: (100 + 60 + 20) / 3 = 60 → delta −20
    aov = _kpi(rep, "aov", "g1").to_dict()
    assert aov["previous"] == {"value": 80.0, "numerator": 160, "denominator": 2}
    assert aov["delta"] == -20.0 and "change" not in aov
    # conversion_rate: members a, b both bought in W on both days: 2/2 → 2/2, flat (p = 1)
    cr = _kpi(rep, "conversion_rate", "g1").to_dict()
    assert cr["previous"] == {"value": 1.0, "numerator": 2, "denominator": 2}
    assert (cr["delta"], cr["change"]) == (0.0, "flat")
    # the same day as as-of compares with itself: every KPI with a value is flat
    same = build_report({"messages": msgs, "orders": orders}, settings=_settings(),
                        as_of=D(2027, 1, 5), compare=D(2027, 1, 5))  # fmt: skip
    assert _kpi(same, "aov", "g1").previous.delta == 0.0  # type: ignore[union-attr]


def test_a_chosen_group_without_data_on_the_compared_day(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "a"),
        ("2026-12-09 10:00", "g2", "c"),  # g2's first data
    ])  # fmt: skip
    # --group g2 --compare 12-03: the report --as-of 12-03 has no g2 (no data yet), so g2
    # and the fleet (g2 alone) have nothing to compare with; not an error
    rep = build_report({"messages": msgs}, settings=_settings(), as_of=D(2026, 12, 10),
                       groups=["g2"], compare=D(2026, 12, 3))  # fmt: skip
    assert rep.compared_with == D(2026, 12, 3)
    assert all(k.previous is None for k in rep.fleet)
    assert all(k.previous is None for s in rep.groups[0].stages for k in s.kpis)
    # koc_share of g2 now: c is the one member, no KOC → 0/1
    assert (_kpi(rep, "koc_share", "g2").numerator, _kpi(rep, "koc_share", "g2").denominator) == (
        0,
        1,
    )


def test_prev_and_bad_days():
    first = D(2026, 12, 1)
    assert compare_day("prev", D(2026, 12, 10), first) == D(2026, 12, 3)
    assert compare_day("2026-12-05", D(2026, 12, 10), first) == D(2026, 12, 5)
    with pytest.raises(UsageError, match="after the as-of day"):
        compare_day("2026-12-11", D(2026, 12, 10), first)
    with pytest.raises(UsageError, match="before the first day of the data"):
        compare_day("2026-11-30", D(2026, 12, 10), first)
    with pytest.raises(UsageError, match="not a date"):
        compare_day("last week", D(2026, 12, 10), first)
    # prev before the data (as-of 12-05 − 7 = 11-28) is the same usage error
    with pytest.raises(UsageError, match="before the first day"):
        compare_day("prev", D(2026, 12, 5), first)


def _data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "messages.csv").write_text(
        "ts,group_id,member_id\n"
        "2026-12-01 10:00,g1,a\n2026-12-02 10:00,g1,b\n2026-12-09 10:00,g1,a\n"
        "2026-12-10 10:00,g1,c\n",
        encoding="utf-8",
    )
    return d


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--compare", "2026-12-11"], "after the as-of day"),
        (["--compare", "2026-11-01"], "before the first day of the data"),
        (["--compare", "yesterday"], "--compare"),
    ],
)
def test_cli_usage_errors(cli, tmp_path, args, needle):
    r = cli("report", _data(tmp_path), *args, "--lang", "en")
    assert r.exit_code == 2 and needle in r.stderr and "Traceback" not in r.stderr


def test_cli_every_format(cli, tmp_path):
    import jsonschema

    from sqops.report.schema import report_schema

    d = _data(tmp_path)
    r = cli("report", d, "--compare", "prev", "-f", "json", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, report_schema())
    # as-of 12-10 (latest day), prev = 12-03. koc_share g1: members a, b on 12-03, a, b, c on
    # 12-10 (speakers basis); no KOC → 0/2 then, 0/3 now → flat
    assert doc["compared_with"] == "2026-12-03"
    ks = next(k for s in doc["groups"][0]["stages"] for k in s["kpis"] if k["name"] == "koc_share")
    assert ks["previous"] == {"value": 0.0, "numerator": 0, "denominator": 2}
    assert ks["change"] == "flat"
    r = cli("report", d, "--compare", "prev", "-f", "md", "--lang", "en")
    assert r.exit_code == 0 and "| vs 2026-12-03 |" in r.stdout and "→ 0.0 pp" in r.stdout
    r = cli("report", d, "--compare", "prev", "-f", "md", "--lang", "zh")
    assert "| 较 2026-12-03 |" in r.stdout and "→ 0.0 个百分点" in r.stdout
    r = cli("report", d, "--compare", "prev", "-f", "html", "--lang", "en")
    assert r.exit_code == 0 and '<td class="n st-no_data">→ 0.0 pp</td>' in r.stdout
    assert "<script" not in r.stdout
