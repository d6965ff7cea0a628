"""Triage and ``--by`` roll-ups (spec §3), counted by hand on small tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest

from sqops.domain.kpis import KPI
from sqops.errors import UsageError
from sqops.report.build import GroupReport, Kpi, Settings, Stage, build_report
from sqops.report.render import to_markdown
from sqops.report.triage import build_triage, file_stem, gap

D0 = dt.date(2026, 12, 1)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skincare"


# ------------------------------------------------------------------ hand-made groups
def _k(name: str, value: float | None, target: float | None, status: str) -> Kpi:
    return Kpi(name, KPI[name].stage, value, None, None, target, None, status, True, [])


def _g(gid: str, stage: str | None, *kpis: Kpi) -> GroupReport:
    stages = [Stage(stage, "in_progress", (None, None), list(kpis))] if stage else []
    return GroupReport(gid, None, D0, 0 if stage else -3, stage, stages, [], 0)


def test_gap_higher_lower_zero_target_and_unjudged():
    # speaking 0.2 against 0.3: (0.3 - 0.2) / 0.3 = 1/3
    assert gap(_k("speaking_rate", 0.2, 0.3, "warn")) == pytest.approx(1 / 3)
    # churn (lower is better) 0.08 against 0.05: (0.08 - 0.05) / 0.05 = 0.6
    assert gap(_k("churn_rate", 0.08, 0.05, "warn")) == pytest.approx(0.6)
    # dormant 0.9 against 0.5: 0.4 / 0.5 = 0.8 (bad, past the 0.8 floor)
    assert gap(_k("dormant_rate", 0.9, 0.5, "bad")) == pytest.approx(0.8)
    # a target of 0 (churn ≤ 0): the absolute gap, 0.1 - 0
    assert gap(_k("churn_rate", 0.1, 0.0, "bad")) == pytest.approx(0.1)
    # at or past target, no target, no data, unavailable: no gap
    assert gap(_k("speaking_rate", 0.3, 0.3, "good")) is None
    assert gap(_k("aov", 120.0, None, "no_target")) is None
    assert gap(_k("speaking_rate", None, 0.3, "no_data")) is None
    assert gap(_k("participation_rate", None, 0.2, "unavailable")) is None


def test_triage_order_counts_and_edges():
    groups = [
        # one warn, gap (0.3 - 0.15) / 0.3 = 0.5
        _g("a", "activation", _k("speaking_rate", 0.15, 0.3, "warn")),
        # one warn, gap 0.5 too: tied with "a" on everything, so by id after it
        _g("b", "activation", _k("speaking_rate", 0.15, 0.3, "warn")),
        # one bad (dormant 0.9 → 0.8) and one warn (churn 0.06 → 0.2): first of all
        _g(
            "z",
            "retention",
            _k("weekly_active_rate", 0.4, 0.3, "good"),
            _k("churn_rate", 0.06, 0.05, "warn"),
            _k("dormant_rate", 0.9, 0.5, "bad"),
        ),
        # two warns, gaps 0.1 and 0.2 (repurchase 0.24 → 0.2): before the one-warn groups
        _g(
            "y",
            "retention",
            _k("weekly_active_rate", 0.27, 0.3, "warn"),
            _k("repurchase_rate", 0.24, 0.3, "warn"),
        ),
        # one warn with the larger gap 0.9: before "a" and "b"
        _g("c", "activation", _k("speaking_rate", 0.03, 0.3, "warn")),
        # all good, and aov without target: good, shortfall 0
        _g(
            "d",
            "monetisation",
            _k("conversion_rate", 0.1, 0.08, "good"),
            _k("aov", 99.0, None, "no_target"),
        ),
        # as-of before launch: no current stage, unrated
        _g("e", None),
        # only unavailable / no target: unrated
        _g(
            "f",
            "activation",
            Kpi(
                "participation_rate",
                "activation",
                None,
                None,
                None,
                0.2,
                0.1,
                "unavailable",
                False,
                ["engagement: participate"],
            ),
        ),  # fmt: skip
    ]
    t = build_triage(groups)
    assert [e.group_id for e in t] == ["z", "y", "c", "a", "b", "d", "e", "f"]
    assert [e.rank for e in t] == [1, 2, 3, 4, 5, 6, 7, 8]
    z, y, c, a = t[0], t[1], t[2], t[3]
    assert (z.bad, z.warn, z.worst_kpi, z.health) == (1, 1, "dormant_rate", "bad")
    assert z.shortfall == pytest.approx(0.8)
    assert (y.bad, y.warn, y.worst_kpi) == (0, 2, "repurchase_rate")
    assert y.shortfall == pytest.approx(0.2)
    assert (c.worst_kpi, a.worst_kpi) == ("speaking_rate", "speaking_rate")
    assert c.shortfall == pytest.approx(0.9) and a.shortfall == pytest.approx(0.5)
    d, e, f = t[5], t[6], t[7]
    assert (d.bad, d.warn, d.shortfall, d.worst_kpi, d.health) == (0, 0, 0.0, None, "good")
    assert (e.current_stage, e.health, e.next_action) == (None, "unrated", None)
    assert (f.bad, f.warn, f.health) == (0, 0, "unrated")
    # the next action is the field's advice for the worst KPI, in the report language
    doc = z.to_dict("en")
    assert doc["next_action"] == KPI["dormant_rate"].advice.get("en")
    assert doc["shortfall"] == 0.8 and doc["rank"] == 1


def test_triage_equal_gaps_in_one_group_take_the_registry_order():
    # speaking 0.15 → gap 0.5, participation 0.1 against 0.2 → gap 0.5: the first listed wins
    g = _g(
        "g",
        "activation",
        _k("speaking_rate", 0.15, 0.3, "warn"),
        _k("participation_rate", 0.1, 0.2, "warn"),
    )
    assert build_triage([g])[0].worst_kpi == "speaking_rate"


# ------------------------------------------------------------------ from tables
def _tables(h, speakers: dict[str, int], members: dict[str, int]):
    """Each group's members join on D0; ``speakers[g]`` of them speak on day index 8."""
    ev, msgs = [], []
    for g, n in members.items():
        for i in range(n):
            ev.append(("2026-12-01 09:00", g, f"{g}m{i}", "join"))
        for i in range(speakers.get(g, 0)):
            msgs.append(("2026-12-09 10:00", g, f"{g}m{i}"))
    return {
        "members": h.frame("ts, group_id, member_id, event", ev),
        "messages": h.frame("ts, group_id, member_id", msgs),
    }


def _settings(group_vars, day0=None) -> Settings:
    return Settings(day0=day0 or {}, default_day0=D0, group_vars=group_vars)


def test_rollups_pool_numerators_and_count_health(h):
    # as-of D0 + 10: day index 10, activation for g1..g3; g4 launches on D0 + 20 (no stage).
    # speaking rate = speakers on days 7..10 / members: g1 1/4 = 0.25 (warn), g2 1/5 = 0.2
    # (warn), g3 1/25 = 0.04 (bad, under the 0.05 floor); g4 not started
    tables = _tables(h, {"g1": 1, "g2": 1, "g3": 1}, {"g1": 4, "g2": 5, "g3": 25, "g4": 2})
    gv = {"g1": {"owner": "alice"}, "g2": {"owner": "alice"}, "g3": {"owner": "bob"}}
    s = _settings(gv, day0={"g1": D0, "g2": D0, "g3": D0, "g4": D0 + dt.timedelta(20)})
    rep = build_report(tables, settings=s, as_of=D0 + dt.timedelta(10), by=["owner"])

    # triage: g3 (1 bad) first; g2 (gap 0.1/0.3 = 1/3) before g1 (0.05/0.3 = 1/6); g4 last
    assert [e.group_id for e in rep.triage] == ["g3", "g2", "g1", "g4"]
    assert [e.health for e in rep.triage] == ["bad", "warn", "warn", "unrated"]
    assert rep.triage[1].shortfall == pytest.approx(1 / 3)
    assert rep.triage[2].shortfall == pytest.approx(1 / 6)
    assert rep.triage[0].shortfall == pytest.approx(0.26 / 0.3)

    rows = {r.value: r for r in rep.rollups["owner"]}
    assert [r.value for r in rep.rollups["owner"]] == ["alice", "bob", None]  # null last
    alice = rows["alice"]
    assert (alice.groups, alice.good, alice.warn, alice.bad, alice.unrated) == (2, 0, 2, 0, 0)
    sp = next(k for k in alice.kpis if k.name == "speaking_rate")
    # pooled: (1 + 1) / (4 + 5) = 2/9 = 0.222: warn (not the mean of 0.25 and 0.2)
    assert (sp.numerator, sp.denominator, sp.status) == (2, 9, "warn")
    bob = next(k for k in rows["bob"].kpis if k.name == "speaking_rate")
    assert (bob.numerator, bob.denominator, bob.status) == (1, 25, "bad")
    # g4 has no owner: the value null; its one group has not started any stage
    none = rows[None]
    assert (none.groups, none.unrated, none.group_ids) == (1, 1, ("g4",))
    assert next(k for k in none.kpis if k.name == "speaking_rate").status == "not_started"
    assert not any(k.status in ("good", "warn", "bad") for k in none.kpis_shown)

    doc = rep.to_dict()
    assert doc["rollups"]["owner"][0]["value"] == "alice"
    assert doc["rollups"]["owner"][2]["value"] is None
    assert doc["rollups"]["owner"][0]["kpis"][3]["name"] == "speaking_rate"
    assert [e["group_id"] for e in doc["triage"]] == ["g3", "g2", "g1", "g4"]


def test_rollup_of_everyone_is_the_fleet(h):
    tables = _tables(h, {"g1": 1, "g2": 3}, {"g1": 4, "g2": 5})
    s = _settings({"g1": {"brand": "x"}, "g2": {"brand": "x"}})
    rep = build_report(tables, settings=s, as_of=D0 + dt.timedelta(10), by=["brand"])
    (row,) = rep.rollups["brand"]
    assert [k.to_dict() for k in row.kpis] == [k.to_dict() for k in rep.fleet]
    # g1 1/4 warn, g2 3/5 good
    assert (row.groups, row.good, row.warn, row.bad) == (2, 1, 1, 0)


def test_unknown_attribute_is_a_usage_error_with_a_hint(h):
    tables = _tables(h, {"g1": 1}, {"g1": 4})
    s = _settings({"g1": {"owner": "alice", "city": "上海"}})
    with pytest.raises(UsageError) as e:
        build_report(tables, settings=s, by=["ownr"])
    text = e.value.render("en")
    assert "did you mean 'owner'" in text and "attributes: city, owner" in text
    with pytest.raises(UsageError) as e:
        build_report(tables, settings=_settings({}), by=["owner"])
    assert "groups[].vars" in e.value.render("en")


def test_markdown_shows_the_top_20_then_one_line(h):
    # 26 groups of 10 members: g01-g03 no speaker (0 %: bad), g04-g22 one (10 %: warn),
    # g23-g25 three (30 %: good), g26 launched after the as-of day (unrated). The first 20
    # rows are 3 bad and 17 warn; the other 6: g21, g22 warn, 3 good, 1 unrated.
    ids = [f"g{i:02d}" for i in range(1, 27)]
    sp = {g: 0 if i < 3 else 1 if i < 22 else 3 for i, g in enumerate(ids)}
    day0 = {g: D0 for g in ids} | {"g26": D0 + dt.timedelta(20)}
    tables = _tables(h, sp, dict.fromkeys(ids, 10))
    rep = build_report(tables, settings=_settings({}, day0), as_of=D0 + dt.timedelta(10))
    assert len(rep.triage) == 26 and rep.triage[19].group_id == "g20"
    text = to_markdown(rep)
    lines = text.splitlines()
    start = lines.index("## Triage: which groups first")
    assert lines[0].startswith("# Community health report")
    assert start < lines.index("## Fleet")
    rows = [x for x in lines[start:] if x.startswith("| ")]
    assert rows[1].startswith("| 1 | g01 |") and rows[20].startswith("| 20 | g20 |")
    assert not any(x.startswith("| 21 | ") for x in lines)
    assert "… and 6 more: 2 warn, 3 good, 1 unrated" in lines
    zh = to_markdown(dataclasses.replace(rep, lang="zh"))
    assert "…… 另有 6 个群：预警 2、达标 3、无法评级 1" in zh

    # the terminal: the same 20 rows and line, right after the title lines
    from sqops.render.console import Console
    from sqops.report.render import print_terminal

    con = Console(record=True, width=200, color_system=None)
    print_terminal(rep, con)
    out = [x.rstrip() for x in con.export_text().splitlines()]
    assert out[2] == "Triage: which groups first"
    table = out[: out.index(next(x for x in out if x.startswith("└")))]
    ranks = [r for x in table if x.startswith("│") and (r := x.split("│")[1].strip())]
    assert ranks == [str(i) for i in range(1, 21)]
    assert "… and 6 more: 2 warn, 3 good, 1 unrated" in out


def test_file_stems_are_safe_and_name_the_null_value():
    assert file_stem("owner", "王店长") == "owner-王店长"
    assert file_stem("owner", "Li / HZ") == "owner-Li___HZ"
    assert file_stem("owner", None) == "no-owner"
    assert file_stem("owner", "../x") == "owner-.._x"
    assert len(file_stem("owner", "x" * 300)) == 80


def test_sop_vars_become_attributes():
    from sqops.report.settings import _vars

    assert _vars({"city": "上海", "vip": True, "floor": 3, "note": None, "blank": " "}) == {
        "city": "上海",
        "vip": "true",
        "floor": "3",
    }


# ------------------------------------------------------------------ CLI
needs_example = pytest.mark.skipif(
    not (EXAMPLE / "data" / "messages.csv").exists(), reason="no example data"
)


@needs_example
def test_cli_by_owner_writes_one_markdown_file_per_value(cli, tmp_path):
    groups = tmp_path / "owners.csv"
    groups.write_text("id,owner\ng01,王店长\ng02,Li / HZ\ng03,\n", encoding="utf-8")
    out = tmp_path / "out"
    r = cli(
        "report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "--no-adherence",
        "--groups", groups, "--by", "owner", "-f", "md", "-o", f"{out}/",
    )  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "no-owner.md",
        "owner-Li___HZ.md",
        "owner-王店长.md",
    ]
    wang = (out / "owner-王店长.md").read_text(encoding="utf-8")
    assert wang.splitlines()[0] == "# 社群健康报告 — 青禾护肤研究所 · owner = 王店长"
    assert "| 1 | g01 上海一群 |" in wang and "g02" not in wang
    assert "## 群 g01 上海一群" in wang and "## owner = 王店长：各群合计" in wang
    none = (out / "no-owner.md").read_text(encoding="utf-8")
    assert "owner = （未设置）" in none and "## 群 g03 南京一群" in none and "g01" not in none


@needs_example
def test_cli_by_json_and_the_attribute_errors(cli, tmp_path):
    base = ("report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "--no-adherence")
    base = (*base, "--lang", "en")
    r = cli(*base, "--by", "city", "-f", "json")
    assert r.exit_code == 0, r.stderr
    doc = json.loads(r.stdout)
    import jsonschema

    from sqops.report.schema import report_schema

    jsonschema.validate(doc, report_schema())
    assert [x["value"] for x in doc["rollups"]["city"]] == ["上海", "南京", "杭州"]
    assert sum(x["groups"] for x in doc["rollups"]["city"]) == len(doc["triage"]) == 3
    r = cli(*base, "--by", "cty")
    assert r.exit_code == 2 and "did you mean 'city'" in r.stderr
    r = cli(*base, "--by", "city", "-f", "html", "-o", f"{tmp_path}/d/")
    assert r.exit_code == 2 and "--format md" in r.stderr
    clash = tmp_path / "clash.csv"
    clash.write_text("id,owner\ng01,a/b\ng02,a_b\n", encoding="utf-8")
    r = cli(*base, "--groups", clash, "--by", "owner", "-f", "md", "-o", f"{tmp_path}/c/")
    assert r.exit_code == 2 and "same file name" in r.stderr
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())


def test_html_opens_with_every_group_and_shows_the_rollups(h):
    from sqops.report.html import to_html

    # the same 26 groups as the Markdown test; an owner's name with markup in it
    ids = [f"g{i:02d}" for i in range(1, 27)]
    sp = {g: 0 if i < 3 else 1 if i < 22 else 3 for i, g in enumerate(ids)}
    day0 = {g: D0 for g in ids} | {"g26": D0 + dt.timedelta(20)}
    gv = {g: {"owner": "<b>x</b>"} for g in ids[:10]}
    tables = _tables(h, sp, dict.fromkeys(ids, 10))
    rep = build_report(
        tables, settings=_settings(gv, day0), as_of=D0 + dt.timedelta(10), by=["owner"]
    )
    html = to_html(rep)
    triage = html[html.index('<table class="triage">') : html.index("</table>")]
    assert html.index('<table class="triage">') < html.index("<h2>Fleet</h2>")
    assert triage.count("<tr>") == 27  # the head and all 26 groups (no top-20 cut here)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    # owner <b>x</b>: g01-g10 (3 bad, 7 warn); not set: g11-g26 (12 warn, 3 good, 1 unrated)
    assert "<h2>By owner</h2>" in html
    owner = '<tr><td>&lt;b&gt;x&lt;/b&gt;</td><td class="n">10</td><td class="n">0</td>'
    assert owner + '<td class="n">7</td><td class="n">3</td><td class="n">0</td>' in html
    unset = '<tr><td>(not set)</td><td class="n">16</td><td class="n">3</td>'
    assert unset + '<td class="n">12</td><td class="n">0</td><td class="n">1</td>' in html


def test_rollup_waits_for_the_weekly_block_only_where_a_group_waits(h):
    # as-of D0 + 92: g1 (launched D0) is in retention at day index 92, before the first full
    # weekly block (index 96), so its weekly active rate waits; g2 (launched D0 + 80) is in
    # activation (index 12) and has not reached retention at all
    tables = _tables(h, {"g1": 1, "g2": 1}, {"g1": 4, "g2": 4})
    day0 = {"g1": D0, "g2": D0 + dt.timedelta(80)}
    gv = {"g1": {"city": "a"}, "g2": {"city": "b"}}
    rep = build_report(
        tables, settings=_settings(gv, day0), as_of=D0 + dt.timedelta(92), by=["city"]
    )
    wa = {
        r.value: next(k for k in r.kpis if k.name == "weekly_active_rate")
        for r in rep.rollups["city"]
    }
    assert (wa["a"].status, wa["a"].needs) == (
        "unavailable",
        list(KPI["weekly_active_rate"].waiting_needs),
    )
    assert (wa["b"].status, wa["b"].needs) == ("not_started", [])
    fleet = next(k for k in rep.fleet if k.name == "weekly_active_rate")
    assert fleet.status == "unavailable"  # (the fleet has a waiting group)


@needs_example
def test_cli_groups_file_gives_names_and_day_zero_as_the_plan_reads_them(cli, tmp_path):
    # a fleet too large for the SOP lists its stores in --groups (as sqops plan reads them):
    # without the SOP, the CSV's names and launch days are the report's, the same as the
    # SOP's groups give; a launch day in the CSV wins over the SOP's
    groups = tmp_path / "stores.csv"
    groups.write_text(
        "id,name,launched_on\ng01,上海一群,2026-10-01\ng02,杭州一群,2026-10-15\n"
        "g03,南京一群,2026-11-01\n",
        encoding="utf-8",
    )
    base = ("report", EXAMPLE / "data", "--no-adherence", "-f", "json", "--as-of", "2026-12-20")

    def groups_of(*args):
        r = cli(*base, *args)
        assert r.exit_code == 0, r.stderr
        return [(g["group_id"], g["name"], g["day0"]) for g in json.loads(r.stdout)["groups"]]

    with_sop = groups_of("--sop", EXAMPLE / "sop.yaml")
    assert with_sop == [
        ("g01", "上海一群", "2026-10-01"),
        ("g02", "杭州一群", "2026-10-15"),
        ("g03", "南京一群", "2026-11-01"),
    ]
    assert groups_of("--groups", groups) == with_sop
    later = tmp_path / "later.csv"
    later.write_text("id,launched_on\ng01,2026-10-08\n", encoding="utf-8")
    got = groups_of("--sop", EXAMPLE / "sop.yaml", "--groups", later)
    assert got[0] == ("g01", "上海一群", "2026-10-08") and got[1:] == with_sop[1:]
