"""Scripts rendered for each occurrence: the context, errors that name script/line/variable,
and a sandbox that stops escapes and runaway output."""

from __future__ import annotations

import datetime as dt

import pytest

from sqops.errors import TemplateError
from sqops.plan import GroupInfo, build_plan

D = dt.date

CONTEXT_BODY = """\
cadence:
  daily:
    - {id: am, time: "08:30", title: 早安, owner: content, script: ctx}
  campaigns:
    - {id: s12, date: 2026-12-12, time: "10:00", title: 双十二, owner: events, script: camp, countdown_days: 2, countdown_script: cd}
scripts:
  ctx: "{{ community.name }}|{{ group.name }}|{{ vars.city }}|{{ date | zh_date }}|{{ weekday }}|{{ day }}|{{ stage }}|{{ stage_name }}|{{ item.time }}|{{ item.title }}|{{ owner_name }}|{{ roles.support.name }}|{{ campaign }}|{{ countdown }}"
  camp: "{{ campaign.title }} {{ campaign.date | zh_date }} {{ item.time }} {{ owner_name }}"
  cd: "距{{ campaign.title }}还有 {{ countdown }} 天（{{ date | en_date }}）"
"""

GROUPS = [GroupInfo("g1", "上海一群", D(2026, 12, 1), {"city": "上海"})]


def test_context_values_zh(load):
    loaded = load(CONTEXT_BODY)
    plan = build_plan(loaded, start=D(2026, 12, 12), days=1, lang="zh", groups=GROUPS)
    am = next(o for o in plan.groups[0].occurrences if o.item_id == "am")
    # 2026-12-12 is a Saturday, day index 11 from 2026-12-01 → lifecycle day 12, activation
    assert (
        am.script
        == "测试社群|上海一群|上海|12月12日 周六|周六|12|activation|激活期|08:30|早安|小苏|小何|None|None"
    )
    camp = next(o for o in plan.groups[0].occurrences if o.item_id == "s12")
    assert camp.script == "双十二 12月12日 周六 10:00 小陈"


def test_context_values_en_and_countdown(load):
    loaded = load(CONTEXT_BODY)
    plan = build_plan(loaded, start=D(2026, 12, 10), days=2, lang="en", groups=GROUPS)
    by_id = {o.item_id: o for o in plan.groups[0].occurrences}
    assert by_id["s12-cd2"].script == "距双十二还有 2 天（Thu 10 Dec）"
    assert by_id["s12-cd1"].script == "距双十二还有 1 天（Fri 11 Dec）"
    am = [o for o in plan.groups[0].occurrences if o.item_id == "am"][0]
    assert am.script.split("|")[4] == "Thu"
    assert am.script.split("|")[7] == "activation"


def test_countdown_without_its_own_script_has_none(load):
    loaded = load(CONTEXT_BODY.replace(", countdown_script: cd", ""))
    plan = build_plan(loaded, start=D(2026, 12, 11), days=1, lang="zh", groups=GROUPS)
    cd = next(o for o in plan.groups[0].occurrences if o.source == "countdown")
    assert cd.script_name is None and cd.script is None


def test_missing_group_variable_names_script_line_variable_and_group(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: am, time: "08:30", title: 早安, script: hello}
        scripts:
          hello: |
            大家好
            欢迎来自{{ vars.city }}的朋友
        """
    )
    groups = [
        GroupInfo("g1", "一群", D(2026, 10, 1), {"city": "上海"}),
        GroupInfo("g2", "二群", D(2026, 10, 1), {}),
    ]
    with pytest.raises(TemplateError) as exc:
        build_plan(loaded, start=D(2026, 10, 1), days=1, lang="en", groups=groups)
    err = exc.value
    assert (
        err.text.en
        == "script 'hello': vars.city is undefined (vars has no 'city') (group g2, 2026-10-01)"
    )
    assert (
        err.text.zh == "脚本 “hello”：vars.city 未定义（vars 里没有 “city”）（群 g2，2026-10-01）"
    )
    # the block starts on the line after "hello: |"; the variable is on its 2nd line
    lines = loaded.text.splitlines()
    assert lines[err.where.line - 1].strip() == "欢迎来自{{ vars.city }}的朋友"
    assert err.where.file.endswith("sop.yaml")


def test_campaign_is_none_outside_campaign_items(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: am, time: "08:30", title: 早安, script: bad}
        scripts:
          bad: "{{ campaign.title }}"
        """
    )
    with pytest.raises(TemplateError) as exc:
        build_plan(loaded, start=D(2026, 10, 1), days=1, lang="en")
    assert "campaign.title is undefined (campaign is none here)" in exc.value.text.en


def test_unknown_variable_is_caught_before_rendering(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: am, time: "08:30", title: 早安, script: s}
        scripts:
          s: "{{ cty }}"
        """
    )
    with pytest.raises(TemplateError) as exc:
        build_plan(loaded, start=D(2026, 10, 1), days=1, lang="en")
    assert exc.value.text.en.startswith("script 's' uses cty, which the renderer does not provide")
    assert loaded.text.splitlines()[exc.value.where.line - 1].strip() == 's: "{{ cty }}"'


def test_script_file_error_points_into_the_file(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: am, time: "08:30", title: 早安, script: f}
        scripts:
          f: scripts/f.j2
        """,
        files={"scripts/f.j2": "第一行\n第二行\n{{ group.nope }}\n"},
    )
    with pytest.raises(TemplateError) as exc:
        build_plan(loaded, start=D(2026, 10, 1), days=1, lang="en")
    assert exc.value.where.file.endswith("scripts/f.j2")
    assert exc.value.where.line == 3
    assert "group.nope is undefined" in exc.value.text.en


def test_undefined_script_name(load):
    loaded = load(
        """\
        cadence:
          daily:
            - {id: am, time: "08:30", title: 早安, script: nothere}
        scripts:
          other: "x"
        """
    )
    with pytest.raises(TemplateError) as exc:
        build_plan(loaded, start=D(2026, 10, 1), days=1, lang="en")
    assert exc.value.text.en == "script 'nothere' is not defined under scripts:; defined: other"
    assert loaded.text.splitlines()[exc.value.where.line - 1].strip().startswith("- {id: am")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ ''.__class__.__mro__ }}", "sandbox refuses"),
        ("{{ group.__class__ }}", "sandbox refuses"),
        ("{{ date.__class__.__subclasses__() }}", "sandbox refuses"),
        ("{{ roles.owner.members.append('x') }}", "sandbox refuses"),
        ("{{ range(100000) | list }}", "sandbox refuses"),
        ("{{ 'x' * 10000000 }}", "sandbox refuses"),
        (
            "{% for i in range(999) %}{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}",
            "more than 20000 characters",
        ),
        ("{{ 2 ** 100000 }}", "sandbox refuses"),
    ],
)
def test_sandbox_stops_escapes_and_runaway_output(load, template, expected):
    body = (
        "cadence:\n"
        "  daily:\n"
        '    - {id: am, time: "08:30", title: 早安, script: evil}\n'
        "scripts:\n"
        "  evil: |\n"
        "    " + template + "\n"
    )
    loaded = load(body)
    with pytest.raises(TemplateError) as exc:
        build_plan(loaded, start=D(2026, 10, 1), days=1, lang="en")
    assert expected in exc.value.text.en
    assert "script 'evil'" in exc.value.text.en
