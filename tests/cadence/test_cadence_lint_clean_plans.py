"""What lints clean renders: an SOP without lint errors never fails in ``sqops plan`` with a
template error (issue #18, part 3) — over the bundled templates and examples, and over
generated variations of scripts, items and groups."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sqops.lint import lint_loaded
from sqops.plan import MAX_DAYS, build_plan, default_start
from sqops.sop import load_sop, parse_sop

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = sorted((ROOT / "sop_templates").glob("*.yaml")) + sorted(
    (ROOT / "examples").glob("*/sop.yaml")
)


def _errors(loaded) -> list[str]:
    return [f"{f.rule}: {f.text.en}" for f in lint_loaded(loaded) if f.severity == "error"]


def _window(loaded) -> tuple[dt.date, int]:
    """A window holding every item of the SOP at least once."""
    cad = loaded.sop.cadence
    start = default_start(loaded) or dt.date(2026, 1, 5)
    first = min([start] + [c.date - dt.timedelta(days=c.countdown_days) for c in cad.campaigns])
    last = max(
        [start + dt.timedelta(days=62)]
        + [start + dt.timedelta(days=it.day + 1) for it in cad.lifecycle]
        + [c.date + dt.timedelta(days=1) for c in cad.campaigns]
    )
    return first, min((last - first).days, MAX_DAYS)


def _plans(loaded) -> int:
    start, days = _window(loaded)
    rendered = 0
    for lang in ("zh", "en"):
        plan = build_plan(loaded, start=start, days=days, lang=lang)
        rendered += sum(1 for gp in plan.groups for o in gp.occurrences if o.script is not None)
    return rendered


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_bundled_sops_lint_clean_and_render(path: Path) -> None:
    loaded = load_sop(path)
    assert _errors(loaded) == []
    assert _plans(loaded) > 0


# ------------------------------------------------------------------ generated variations
SNIPPETS = [
    "{{ item.id }} {{ item.title }} {{ item.time }} {{ item.kind }}",
    "{{ item.owner }} {{ item.person }} {{ owner_name }}",
    "{{ campaign.id }}",
    "{{ campaign.title }} {{ campaign.date | zh_date }} {{ campaign.time }}",
    "{{ countdown }}",
    "{{ countdown + 1 }}",
    "{{ vars.city }}",
    "{{ vars.store }}",
    "{{ group.id }} {{ group.name }} {{ group.launched_on }}",
    "{{ roles.owner.name }} {{ roles.support.members | join(',') }}",
    "{{ roles.events.name }}",
    "{{ date | en_date }} {{ weekday }} {{ day }} {{ stage }} {{ stage_name }}",
    "{{ community.name }} {{ community.nmae }}",
    "{% for t in rules.forbidden %}{{ t }}{% endfor %} {{ rules.quiet_hours }}",
    "{{ lang }} {{ community.platform }} {{ positioning.persona.tags | length }}",
    "{% if campaign %}{{ campaign.title }}{% endif %}",
    "{{ item.id | upper }}{{ item.nope }}",
    "{{ (day * 2) | string }}",
]
TIMES = ["08:30", "10:00", "12:00", "20:00"]
ROLES = ["owner", "support", "events", None]


@st.composite
def sops(draw):
    scripts = {f"s{i}": s for i, s in enumerate(SNIPPETS)}
    names = st.sampled_from(sorted(scripts))

    def item(**extra):
        it = {"time": draw(st.sampled_from(TIMES)), "title": f"t{draw(st.integers(0, 999))}"}
        if draw(st.booleans()):
            it["script"] = draw(names)
        owner = draw(st.sampled_from(ROLES))
        if owner:
            it["owner"] = owner
        if draw(st.integers(0, 3)) == 0:
            it["id"] = draw(st.sampled_from(["a", "b", "c", "d"]))
        return it | extra

    launch = draw(st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2027, 6, 30))))
    groups = [
        {"id": f"g{i}", "vars": draw(st.sampled_from([{}, {"city": "上海"}, {"city": "杭州", "store": "西湖店"}]))}
        for i in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    doc = {
        "version": 1,
        "community": {"name": "测试群", "platform": "wechat"}
        | ({"launched_on": launch.isoformat()} if launch else {}),
        "roles": [
            {"role": "owner", "name": "小林", "members": ["wx_lin"]},
            {"role": "support", "name": "阿青", "members": ["wx_qing"], "response_hours": 12},
        ],
        "rules": {"forbidden": ["广告"], "max_posts_per_day": 30},
        "cadence": {
            "daily": [item() for _ in range(draw(st.integers(0, 2)))],
            "weekly": [item(weekday="fri") for _ in range(draw(st.integers(0, 1)))],
            "monthly": [item(day=draw(st.sampled_from([1, 31, "last"]))) for _ in range(draw(st.integers(0, 1)))],
            "lifecycle": [item(day=draw(st.integers(1, 40))) for _ in range(draw(st.integers(0, 2)))],
            "campaigns": [
                item(
                    date=draw(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))).isoformat(),
                    countdown_days=draw(st.integers(0, 2)),
                )
                | ({"countdown_script": draw(names)} if draw(st.booleans()) else {})
                for _ in range(draw(st.integers(0, 2)))
            ],
        },
        "scripts": scripts,
    }  # fmt: skip
    if groups:
        doc["groups"] = groups
    return parse_sop(json.dumps(doc, ensure_ascii=False), "sop.yaml", Path("."))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sops())
def test_a_lint_clean_sop_always_renders_in_plan(loaded) -> None:
    errors = _errors(loaded)
    event("lint errors" if errors else "lint clean")
    if not errors:
        _plans(loaded)  # raises TemplateError / SopError if lint let something through
