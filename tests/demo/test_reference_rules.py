"""The DuckDB reference on a hand-made group: membership rules and KPIs computed by hand."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("duckdb")
ROOT = Path(__file__).resolve().parents[2]

SOP = """\
version: 1
community: {name: t, platform: wecom}
roles:
  - {role: owner, members: [s1]}
groups:
  - {id: g1, launched_on: 2026-01-01}
"""
MEMBERS = """\
ts,group_id,member_id,event,inviter_id
2026-01-01 09:00:00,g1,a,invited,
2026-01-01 10:00:00,g1,a,join,
2026-01-03 12:00:00,g1,a,leave,
2026-01-02 09:00:00,g1,b,invited,
2026-01-02 10:00:00,g1,c,join,
2026-01-02 11:00:00,g1,c,profile_complete,
2026-01-05 08:00:00,g1,d,leave,
2026-01-08 20:00:00,g1,e,join,c
2026-01-01 08:00:00,g1,s1,join,
"""
MESSAGES = """\
ts,group_id,member_id,msg_id,msg_type,role
2026-01-09 10:00:00,g1,f,1,text,member
2026-01-09 11:00:00,g1,a,2,text,member
2026-01-09 12:00:00,g1,c,3,system,member
2026-01-09 13:00:00,g1,bot,4,text,bot
2026-01-10 09:00:00,g1,e,5,text,member
2026-01-10 09:00:00,g1,e,5,text,member
2026-01-10 09:30:00,g1,s1,6,text,staff
"""


def _kpis(result):
    (group,) = result["groups"]
    return {
        (s["stage"], k["name"]): (k["numerator"], k["denominator"]) if k["available"] else None
        for s in group["stages"]
        for k in s["kpis"]
    }


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    spec = importlib.util.spec_from_file_location(
        "sqops_bench_ref2", ROOT / "benchmarks" / "reference_duckdb.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    d = tmp_path_factory.mktemp("ref")
    (d / "sop.yaml").write_text(SOP, encoding="utf-8")
    (d / "members.csv").write_text(MEMBERS, encoding="utf-8")
    (d / "messages.csv").write_text(MESSAGES, encoding="utf-8")
    return mod.reference_report(d, d / "sop.yaml", dt.date(2026, 1, 10))


def test_stages_and_windows(result):
    (group,) = result["groups"]
    assert group["day0"] == "2026-01-01" and group["current_stage"] == "activation"
    status = {s["stage"]: (s["status"], s["window"]) for s in group["stages"]}
    assert status["launch"] == ("complete", ["2026-01-01", "2026-01-07"])
    assert status["activation"] == ("in_progress", ["2026-01-08", "2026-01-10"])
    assert status["monetisation"] == ("not_started", None)


def test_launch_kpis(result):
    k = _kpis(result)
    assert k[("launch", "join_rate")] == (1, 2)  # a and b invited; only a joined
    assert k[("launch", "profile_completion_rate")] == (1, 2)  # a, c joined; c completed
    assert k[("launch", "first_week_retention")] == (1, 2)  # a left on day 2


def test_activation_membership_rules(result):
    k = _kpis(result)
    # members in Jan 8-10: c (joined), e (joined), f (speaks, no events: from day 0),
    # a (left, but speaks on Jan 9); not d (a leave with nothing open: day 0 to Jan 5),
    # not s1 (staff), not bot (role = bot)
    # speakers: f, a, e (c only sent a system message)
    assert k[("activation", "speaking_rate")] == (3, 4)
    assert k[("activation", "participation_rate")] is None  # no engagement table


def test_propagation(result):
    k = _kpis(result)
    # on Jan 1 (T's first day): a, d, f; e joined Jan 8 invited by c
    assert k[("propagation", "fission_rate")] == (1, 3)
    # on the as-of day: c, e, f; c invited e
    assert k[("propagation", "referral_rate")] == (1, 3)
    assert k[("propagation", "koc_share")] == (0, 3)


def test_an_sop_without_groups_takes_the_community_launch_day(tmp_path):
    """No `groups:` list: `community.launched_on` (2025-12-30, before every row) is the group's
    day 0 in the reference as in sqops — the launch window is Dec 30 – Jan 5, so on the as-of
    day Jan 10 (day index 11) the group is in activation, from Jan 6 (by its first row, Jan 1,
    the window would be Jan 1 – Jan 7)."""
    import json
    import subprocess
    import sys

    spec = importlib.util.spec_from_file_location(
        "sqops_bench_ref3", ROOT / "benchmarks" / "reference_duckdb.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sop = SOP.replace(
        "community: {name: t, platform: wecom}",
        "community: {name: t, platform: wecom, launched_on: 2025-12-30}",
    ).split("groups:")[0]
    (tmp_path / "sop.yaml").write_text(sop, encoding="utf-8")
    (tmp_path / "members.csv").write_text(MEMBERS, encoding="utf-8")
    (tmp_path / "messages.csv").write_text(MESSAGES, encoding="utf-8")
    ref = mod.reference_report(tmp_path, tmp_path / "sop.yaml", dt.date(2026, 1, 10))
    (group,) = ref["groups"]
    assert group["day0"] == "2025-12-30"
    windows = {s["stage"]: s["window"] for s in group["stages"]}
    assert windows["launch"] == ["2025-12-30", "2026-01-05"]
    assert windows["activation"] == ["2026-01-06", "2026-01-10"]
    out = tmp_path / "r.json"
    done = subprocess.run(
        [sys.executable, "-m", "sqops", "report", str(tmp_path), "--sop", str(tmp_path / "sop.yaml"),
         "--as-of", "2026-01-10", "--format", "json", "-o", str(out), "--no-adherence"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (mine,) = json.loads(out.read_text(encoding="utf-8"))["groups"]
    assert mine["day_index"] == 11
    launch = next(s for s in mine["stages"] if s["stage"] == "launch")
    assert launch["window"] == ["2025-12-30", "2026-01-05"]
