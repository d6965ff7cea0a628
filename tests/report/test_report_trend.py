"""``sqops report --trend N`` (spec §3): every point equals the report ``--as-of`` that day.

The example test checks EVERY point of examples/skincare against ``build_report(as_of=day)``;
the hand-made one the nulls (before any data, a group without data yet, a stage not started).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sqops.errors import UsageError
from sqops.report.build import Settings, build_report
from sqops.report.trend import Point, check_points, sparkline, svg_line, trend_days

D = dt.date
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "skincare"


def _same(point, k) -> bool:
    """A trend point against the KPI of the report --as-of that day."""
    if k is None or k.numerator is None or k.denominator is None:
        return point is None
    return point == Point(k.numerator, k.denominator, k.value)


@pytest.mark.skipif(not (EXAMPLE / "data" / "messages.csv").exists(), reason="no example data")
def test_every_point_of_the_example_equals_the_report_as_of_that_day():
    from sqops.data.tables import read_tables
    from sqops.sop.loader import load_sop

    settings = Settings.from_sop(load_sop(EXAMPLE / "sop.yaml").sop)
    tables = read_tables(EXAMPLE / "data", {}, tz=settings.tz, columns=settings.columns)
    rep = build_report(tables, settings=settings, trend=8)
    tr = rep.trend
    assert tr is not None and tr.days == trend_days(rep.as_of, 8) and tr.days[-1] == rep.as_of
    assert tr.days[0] == rep.as_of - dt.timedelta(days=49)
    checked = 0
    for i, day in enumerate(tr.days):
        then = build_report(tables, settings=settings, as_of=day)
        fleet = {k.name: k for k in then.fleet}
        assert list(tr.fleet) == list(fleet)  # every KPI, in the report's order
        for name, series in tr.fleet.items():
            assert _same(series[i], fleet[name]), (day, name)
            checked += 1
        groups = {g.group_id: g for g in then.groups}
        for g in rep.groups:
            current = [k.name for k in g.stage(g.current_stage).kpis] if g.current_stage else []
            assert list(tr.groups[g.group_id]) == current
            for name in current:
                gthen = groups.get(g.group_id)
                k = gthen.kpi(name) if gthen else None
                assert _same(tr.groups[g.group_id][name][i], k), (day, g.group_id, name)
                checked += 1
    # 8 days × (16 fleet KPIs + 4 + 4 + 3 current-stage KPIs of g01, g02, g03)
    assert checked == 8 * (16 + 4 + 4 + 3)
    # some points do move over the eight weeks (the test is not comparing constants only)
    assert len({p.value for p in tr.fleet["koc_share"] if p}) > 1


def test_nulls_before_the_data_and_for_a_group_without_data_yet(h):
    msgs = h.frame("ts, group_id, member_id", [
        ("2026-12-01 10:00", "g1", "a"),
        ("2026-12-09 10:00", "g1", "b"),
        ("2026-12-09 10:00", "g2", "c"),  # g2's first data
    ])  # fmt: skip
    settings = Settings(day0={"g1": D(2026, 12, 1), "g2": D(2026, 12, 1)})
    rep = build_report({"messages": msgs}, settings=settings, as_of=D(2026, 12, 10), trend=3)
    doc = rep.to_dict()["trend"]
    assert doc["days"] == ["2026-11-26", "2026-12-03", "2026-12-10"]
    # 11-26: before any data → the report --as-of 11-26 does not exist → null everywhere.
    # koc_share (propagation): 12-03 g1 has a only → 0/1 (no KOC); 12-10 a, b, c → 0/3
    assert doc["fleet"]["koc_share"] == [
        None,
        {"numerator": 0, "denominator": 1, "value": 0.0},
        {"numerator": 0, "denominator": 3, "value": 0.0},
    ]
    # speaking_rate: activation starts at day 7 (12-08): not started on 12-03 → null; on
    # 12-10 W = 12-08..12-10, g1 speakers b of members a, b → 1/2, g2 c/c → 1/1, fleet 2/3
    assert doc["fleet"]["speaking_rate"] == [
        None,
        None,
        {"numerator": 2, "denominator": 3, "value": 0.6667},
    ]
    # groups: their current stage at 12-10 (activation) only
    assert list(doc["groups"]["g1"]) == ["speaking_rate", "participation_rate", "content_open_rate"]
    assert doc["groups"]["g2"]["speaking_rate"] == [
        None,
        None,
        {"numerator": 1, "denominator": 1, "value": 1.0},
    ]
    # a KPI whose input is missing (participation needs engagement) is null on every day
    assert doc["groups"]["g1"]["participation_rate"] == [None, None, None]
    assert json.dumps(doc)  # plain JSON


def test_points_are_checked():
    assert check_points(2) == 2 and check_points(26) == 26
    for bad in (1, 27, 0, -3):
        with pytest.raises(UsageError, match="--trend takes 2 to 26 points"):
            check_points(bad)


def test_sparkline_and_svg():
    s = [Point(1, 10, 0.1), None, Point(5, 10, 0.5), Point(35, 100, 0.35), Point(0, 0, None)]
    # lowest 0.1 → ▁, highest 0.5 → █, 0.35: (0.35 − 0.1) / 0.4 × 7 = 4.375 → block 4 ▅;
    # no value (null, or a 0 denominator) → space
    assert sparkline(s) == "▁ █▅ "
    assert sparkline([Point(1, 2, 0.5), Point(2, 4, 0.5)]) == "▄▄"  # constant: mid height
    assert sparkline([None, None]) == ""
    svg = svg_line(s, width=96, height=20)
    # two runs (split by the null): one point alone draws no line; 0.5 and 0.35 a line
    assert svg.count("<polyline") == 1 and "<script" not in svg
    # x of point 2 of 5: 2 + 2 × (92 / 4) = 48, of point 3: 71; y of the highest 0.5 = 2 (top
    # padding), of 0.35: 2 + (0.5 − 0.35) / 0.4 × 16 = 8
    assert 'points="48.0,2.0 71.0,8.0"' in svg
    assert svg_line([None]) == ""


def _data(tmp_path):
    d = tmp_path / "data"
    d.mkdir()
    (d / "messages.csv").write_text(
        "ts,group_id,member_id\n2026-12-01 10:00,g1,a\n2026-12-09 10:00,g1,b\n",
        encoding="utf-8",
    )
    return d


@pytest.mark.parametrize("n", ["1", "27", "x"])
def test_cli_rejects_a_bad_n(cli, tmp_path, n):
    r = cli("report", _data(tmp_path), "--trend", n, "--lang", "en")
    assert r.exit_code == 2 and "--trend" in r.stderr and "Traceback" not in r.stderr


def test_cli_formats(cli, tmp_path):
    import jsonschema

    from sqops.report.schema import report_schema

    d = _data(tmp_path)
    r = cli("report", d, "--trend", "2", "--compare", "prev", "-f", "json", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    jsonschema.validate(doc, report_schema())
    assert doc["trend"]["days"] == ["2026-12-02", "2026-12-09"]
    r = cli("report", d, "--trend", "2", "-f", "md", "--lang", "en")
    assert (
        "## Trend (one point every 7 days, 2 points)" in r.stdout
        and "| 12-02 | 12-09 |" in r.stdout
    )
    r = cli("report", d, "--trend", "2", "-f", "html", "--lang", "zh")
    assert r.exit_code == 0 and '<svg class="spark"' in r.stdout and "<th>趋势</th>" in r.stdout
