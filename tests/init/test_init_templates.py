"""Every starter SOP in sop_templates/: loads, lints clean, and follows the field's practice."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from sqops.lint import lint_paths
from sqops.sop.loader import load_sop
from sqops.sop.model import KPI_NAMES
from sqops.sop.templates import (
    FIELDS,
    TEMPLATE_TYPES,
    available_templates,
    read_template,
    source_templates_dir,
    template_filename,
)

CASES = [(t, lang) for t in TEMPLATE_TYPES for lang in ("zh", "en")]
IDS = [f"{t}.{lang}" for t, lang in CASES]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
HEADER = "# yaml-language-server: $schema=sop.schema.json\n"


def _copy(tmp_path: Path, type_: str, lang: str) -> Path:
    target = tmp_path / template_filename(type_, lang)
    target.write_text(read_template(type_, lang), encoding="utf-8")
    return target


def test_all_eight_templates_exist() -> None:
    assert available_templates() == CASES
    names = sorted(p.name for p in source_templates_dir().iterdir())
    assert names == sorted(template_filename(t, lang) for t, lang in CASES)


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_template_loads_with_its_type_and_language(tmp_path: Path, type_: str, lang: str) -> None:
    sop = load_sop(_copy(tmp_path, type_, lang)).sop
    assert sop.community.type == type_
    assert sop.community.language == lang


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_template_lints_without_any_finding(tmp_path: Path, type_: str, lang: str) -> None:
    [result] = lint_paths([_copy(tmp_path, type_, lang)])
    assert not result.could_not_run
    # not even info: a starter SOP is the example of good practice
    assert [(f.severity, f.rule, f.where.line, f.text.en) for f in result.findings] == []


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_template_text_is_in_its_language(type_: str, lang: str) -> None:
    text = read_template(type_, lang)
    assert text.startswith(HEADER)
    if lang == "en":
        offending = [line for line in text.splitlines() if CJK.search(line)]
        assert offending == []
    else:
        # the comments explain the keys in Chinese: most comment lines carry Chinese text
        comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
        assert sum(1 for line in comments if CJK.search(line)) > len(comments) * 0.6


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_each_init_field_is_marked_once(type_: str, lang: str) -> None:
    text = read_template(type_, lang)
    for field in FIELDS:
        assert text.count(f"[init:{field}]") == 1, field


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_template_follows_the_practice(tmp_path: Path, type_: str, lang: str) -> None:
    loaded = load_sop(_copy(tmp_path, type_, lang))
    sop = loaded.sop
    # SMART goals on KPIs the report computes
    assert len(sop.goals) >= 3
    for g in sop.goals:
        assert g.metric in KPI_NAMES
        assert g.target is not None
        assert (g.by is None) != (g.within_days is None)
    # the 1+3 team, support answering within a day
    roles = {r.role: r for r in sop.roles}
    assert {"owner", "admin", "content", "events", "support"} <= set(roles)
    assert roles["support"].response_hours is not None and roles["support"].response_hours <= 24
    # three don'ts, three musts, no promotion late at night
    assert len(sop.rules.forbidden) == 3 and len(sop.rules.required) == 3
    assert str(sop.rules.quiet_hours) == "22:00-08:00"
    expected_cap = {"broadcast": (5, 6), "refined": (3, 5), "service": (2, 3), "store": (4, 5)}[
        type_
    ]
    assert expected_cap[0] <= sop.rules.max_posts_per_day <= expected_cap[1]
    c = sop.cadence
    assert c.daily and c.weekly
    assert any(m.day == "last" and m.kind == "review" for m in c.monthly)
    day1 = [it for it in c.lifecycle if it.day == 1]
    assert len(day1) == 1
    welcome = day1[0].title + loaded.scripts[day1[0].script][None].text
    assert re.search(r"群规|rules", day1[0].title, re.I)
    assert re.search(r"群规|rules", welcome, re.I)
    assert any(it.day <= 3 and it.day > 1 and it.kind == "activation" for it in c.lifecycle)
    assert len(c.campaigns) == 1 and c.campaigns[0].countdown_days > 0
    # no conversion in quiet hours, no two items at the same minute
    qh = sop.rules.quiet_hours
    times: Counter[str] = Counter()
    for section in (c.daily, c.weekly, c.monthly, c.lifecycle, c.campaigns):
        for it in section:
            assert not (it.kind == "conversion" and qh.contains(it.time)), it.title
            times[f"{it.time:%H:%M}"] += 1
    for camp in c.campaigns:
        if camp.countdown_time:
            times[f"{camp.countdown_time:%H:%M}"] += 1
    assert [t for t, n in times.items() if n > 1] == []
    # every item that names a script has it, every script is used
    used = {it.script for s in (c.daily, c.weekly, c.monthly, c.lifecycle, c.campaigns) for it in s}
    used |= {camp.countdown_script for camp in c.campaigns}
    used.discard(None)
    assert used == set(sop.scripts)


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_regular_cadence_mix_is_within_ten_points(tmp_path: Path, type_: str, lang: str) -> None:
    sop = load_sop(_copy(tmp_path, type_, lang)).sop
    counts: Counter[str] = Counter()
    for it in sop.cadence.daily:
        counts[it.kind] += 28
    for it in sop.cadence.weekly:
        counts[it.kind] += 4
    for it in sop.cadence.monthly:
        counts[it.kind] += 1
    kinds = ("activation", "conversion", "brand")
    total = sum(counts[k] for k in kinds)
    for k in kinds:
        assert abs(counts[k] / total - sop.content_mix.share(k)) <= 0.10, k


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_store_template_uses_group_vars_every_group_has(tmp_path: Path, lang: str) -> None:
    loaded = load_sop(_copy(tmp_path, "store", lang))
    sop = loaded.sop
    assert len(sop.groups) >= 2
    used: set[str] = set()
    for variants in loaded.scripts.values():
        for src in variants.values():
            used |= set(re.findall(r"vars\.(\w+)", src.text or ""))
    assert {"store", "city", "manager"} <= used
    for g in sop.groups:
        assert used <= set(g.vars), g.id


@pytest.mark.parametrize(("type_", "lang"), [c for c in CASES if c[0] != "store"])
def test_other_templates_use_no_group_vars(type_: str, lang: str) -> None:
    # without groups, vars is empty: a vars.x there would fail to render
    assert "vars." not in read_template(type_, lang).split("\nscripts:", 1)[1]


@pytest.mark.parametrize(("type_", "lang"), CASES, ids=IDS)
def test_template_plans_without_conflicts(cli, tmp_path: Path, type_: str, lang: str) -> None:
    """From launch through the campaign: no day over the cap, nothing in quiet hours, no clash."""
    import json

    sop_path = _copy(tmp_path, type_, lang)
    sop = load_sop(sop_path).sop
    start = sop.community.launched_on
    days = (sop.cadence.campaigns[0].date - start).days + 7
    r = cli("plan", sop_path, "--start", start.isoformat(), "--days", str(days), "-f", "json")
    assert r.exit_code == 0, r.stderr
    plan = json.loads(r.stdout)
    assert len(plan["groups"]) == max(1, len(sop.groups))
    for group in plan["groups"]:
        assert group["conflicts"] == []
        occurrences = group["occurrences"]
        assert {o["source"] for o in occurrences} >= {"daily", "weekly", "monthly", "lifecycle"}
        # every item with a script got its text, rendered for this group
        for o in occurrences:
            assert (o["script"] is None) == (o["script_name"] is None), o["item_id"]
            if o["script"]:
                assert "{{" not in o["script"] and "{%" not in o["script"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_store_gets_its_own_text(cli, tmp_path: Path, lang: str) -> None:
    import json

    sop_path = _copy(tmp_path, "store", lang)
    r = cli("plan", sop_path, "--start", "2027-03-23", "--days", "1", "-f", "json")
    assert r.exit_code == 0, r.stderr
    plan = json.loads(r.stdout)
    sop = load_sop(sop_path).sop
    perks = {
        g["id"]: next(o["script"] for o in g["occurrences"] if o["item_id"] == "store_perk")
        for g in plan["groups"]
    }
    for g in sop.groups:
        assert str(g.vars["store"]) in perks[g.id]
    assert len(set(perks.values())) == len(sop.groups)
