"""The report's one-screen summary (report/summary.py), its window note and the HTML details
of issue #22 (file names in the data-quality table, the plan's colour legend)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from tests.conftest import EXAMPLES

from sqops.report.compare import Previous
from sqops.report.summary import build_summary, summary_view
from sqops.report.triage import TriageEntry

DAY = dt.date(2026, 12, 1)


def _entry(rank, gid, health, bad, warn, worst, shortfall=0.0):
    return TriageEntry(rank, gid, f"{gid} name", "activation", bad, warn, shortfall, worst, health)


def _kpi(name, change):
    prev = None if change is None else Previous(DAY, 0.2, 20, 100, 0.05, change)
    return SimpleNamespace(name=name, previous=prev)


def _report(compared: bool):
    triage = [
        _entry(1, "g1", "bad", 2, 0, "speaking_rate", 0.5),
        _entry(2, "g2", "warn", 0, 2, "dormant_rate", 0.3),
        _entry(3, "g3", "warn", 0, 1, "join_rate", 0.2),
        _entry(4, "g4", "warn", 0, 1, "koc_share", 0.1),
        _entry(5, "g5", "good", 0, 0, None),
        _entry(6, "g6", "unrated", 0, 0, None),
    ]
    fleet = [
        _kpi("join_rate", "up"),  # significant, an improvement
        _kpi("speaking_rate", "noise"),  # not significant: left out
        _kpi("dormant_rate", "up"),  # significant, and worse (lower is better)
        _kpi("koc_share", None),  # no value on the earlier day: left out
        _kpi("churn_rate", "flat"),  # equal: left out
    ]
    return SimpleNamespace(
        triage=triage, fleet_shown=fleet, compared_with=DAY if compared else None, lang="en"
    )


def test_summary_takes_the_worst_three_groups_their_actions_and_significant_changes():
    s = build_summary(_report(compared=True))
    # g1..g4 are bad or warn (4 groups); the first three in triage order are shown, 1 more
    assert [e.group_id for e in s.attention] == ["g1", "g2", "g3"]
    assert s.more == 1
    # the next action of each of those three: the advice of its worst KPI
    assert [(e.group_id, e.worst_kpi) for e, _ in s.actions] == [
        ("g1", "speaking_rate"),
        ("g2", "dormant_rate"),
        ("g3", "join_rate"),
    ]
    # of five fleet KPIs two changed significantly (up / down): join_rate and dormant_rate
    assert [k.name for k in s.changes] == ["join_rate", "dormant_rate"]
    v = summary_view(_report(compared=True))
    assert [tone for _, _, tone in v["changes"]] == ["good", "bad"]  # dormant up is worse
    assert v["more"] == "1 more group(s) need attention: see the triage."
    assert v["attention"][0] == (
        "bad",
        "bad",
        "g1 g1 name",
        "activation",
        "bad 2 · warn 0 · worst: speaking rate, 50.0% below target",
    )
    assert [(g, k) for g, k, _ in v["actions"]] == [
        ("g1 g1 name", "speaking rate"),
        ("g2 g2 name", "dormant rate"),
        ("g3 g3 name", "join rate"),
    ]


def test_summary_without_compare_and_with_every_group_fine():
    r = _report(compared=False)
    r.triage = [_entry(1, "g5", "good", 0, 0, None), _entry(2, "g6", "unrated", 0, 0, None)]
    s = build_summary(r)
    assert s.attention == () and s.actions == () and s.changes == () and s.more == 0
    v = summary_view(r)
    assert v["calm"] is True and v["compared"] is False
    assert v["all_good"] == "No group is below target."


def test_window_note_names_retention_and_its_28_days(cli, tmp_path):
    from sqops.report.render import window_notes

    # retention is the only stage evaluated over its last days: from day index 90 (day 91)
    assert window_notes("en") == [
        "retention starts on day 91 and is evaluated over its last 28 days up to the as-of day "
        "(not before day 91), so its window may start after the previous stage ends: the days "
        "between are not skipped, only not counted."
    ]
    assert window_notes("zh")[0].startswith(
        "留存期自第 91 天起；按截至日前最近 28 天（不早于第 91 天）评估"
    )


def test_html_shows_file_names_not_local_folders(cli, tmp_path):
    d = tmp_path / "secret-folder" / "data"
    d.mkdir(parents=True)
    (d / "messages.csv").write_text(
        "ts,group_id,member_id\n2026-12-01 10:00,g1,a\n", encoding="utf-8"
    )
    out = tmp_path / "r.html"
    r = cli("report", str(d.resolve()), "-f", "html", "-o", out, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "secret-folder" not in html  # the absolute path is not shown
    assert "<td>messages.csv</td>" in html
    assert 'id="summary"' in html and "evaluated over its last 28 days" in html


def test_plan_html_has_a_legend_of_the_kinds_it_colours(cli, tmp_path):
    out = tmp_path / "p.html"
    r = cli("plan", EXAMPLES / "skincare" / "sop.yaml", "-f", "html", "-o", out, "--lang", "en")
    assert r.exit_code == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    legend = html.split('<ul class="legend">', 1)[1].split("</ul>", 1)[0]
    # the example's October plan has activation, conversion and brand items (KIND_NAMES order)
    assert legend == (
        '<li class="lead">Colours show the kind of item:</li>'
        '<li class="k-activation">activation</li><li class="k-conversion">conversion</li>'
        '<li class="k-brand">brand</li>'
    )
