"""The loader: every broken SOP gives the exact file:line:col and message, in zh and en."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from sqops.errors import InputError, SopError, SqopsError
from sqops.sop import load_sop, parse_sop

BASE = """\
version: 1
community:
  name: 测试群
  platform: wechat
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(SopError) as info:
        parse_sop(textwrap.dedent(text), "sop.yaml")
    return [p.render("en") for p in info.value.problems]


CASES = [
    # (id, yaml text, expected first problem, rendered in English)
    ("syntax", "version: 1\ncommunity: [\n", "sop.yaml:3:1: YAML syntax error:"),
    ("tab-indent", "version: 1\ncommunity:\n\tname: x\n", "sop.yaml:3:1: YAML syntax error:"),
    (
        "duplicate-key",
        BASE + "  platform: qq\n",
        "sop.yaml:5:3: duplicate key 'platform' (first at line 4); YAML would silently keep the last one",
    ),
    (
        "python-tag",
        BASE + "positioning: !!python/object:os.system {}\n",
        "sop.yaml:5:14: unsupported YAML tag tag:yaml.org,2002:python/object:os.system",
    ),
    (
        "unknown-top-key",
        BASE + "cadance: {}\n",
        "sop.yaml:5:1: unknown key 'cadance'; did you mean 'cadence'?",
    ),
    (
        "unknown-nested-key",
        BASE + "  timezon: Asia/Shanghai\n",
        "sop.yaml:5:3: unknown key 'timezon'; did you mean 'timezone'?",
    ),
    ("missing-community", "version: 1\n", "sop.yaml:1:1: missing required key 'community'"),
    (
        "missing-name",
        "version: 1\ncommunity:\n  platform: qq\n",
        "sop.yaml:2:1: missing required key 'name'",
    ),
    (
        "bad-platform",
        "version: 1\ncommunity:\n  name: x\n  platform: wechart\n",
        "sop.yaml:4:13: value 'wechart' is not one of: wechat, wecom, qq, xiaohongshu, telegram, whatsapp, discord; did you mean 'wechat'?",
    ),
    (
        "bad-version",
        "version: 2\ncommunity: {name: x, platform: qq}\n",
        "sop.yaml:1:10: value 2 is not one of: 1",
    ),
    (
        "bad-timezone",
        BASE + "  timezone: Asia/Shanghia\n",
        "sop.yaml:5:13: unknown timezone 'Asia/Shanghia': use an IANA name such as Asia/Shanghai",
    ),
    (
        "time-as-int",
        BASE + "cadence:\n  daily:\n    - {time: 830, title: 早安}\n",
        'sop.yaml:7:14: a time is written "HH:MM" (24-hour clock) in quotes, e.g. "08:30"; got 830',
    ),
    (
        "time-bad",
        BASE + 'cadence:\n  daily:\n    - {time: "25:00", title: 早安}\n',
        "sop.yaml:7:14: not a time: '25:00'; write HH:MM on a 24-hour clock",
    ),
    (
        "quiet-hours-bad",
        BASE + "rules:\n  quiet_hours: 10pm\n",
        'sop.yaml:6:16: a time window is written "HH:MM-HH:MM", e.g. "22:00-08:00"; got \'10pm\'',
    ),
    (
        "weekday-bad",
        BASE + 'cadence:\n  weekly:\n    - {weekday: wendsday, time: "19:30", title: 秒杀}\n',
        "sop.yaml:7:17: not a weekday: 'wendsday'",
    ),
    (
        "monthly-day-32",
        BASE + 'cadence:\n  monthly:\n    - {day: 32, time: "10:00", title: m}\n',
        "sop.yaml:7:13: a day of the month is 1..31, or last",
    ),
    (
        "bad-kind",
        BASE + 'cadence:\n  daily:\n    - {time: "08:30", title: x, kind: promo}\n',
        "sop.yaml:7:39: value 'promo' is not one of: activation, conversion, brand, review, service, other",
    ),
    (
        "bad-kpi-key",
        BASE + "kpis:\n  speakin_rate: {target: 0.2}\n",
        "sop.yaml:6:3: key 'speakin_rate' is not one of:",
    ),
    (
        "mix-sum",
        BASE + "content_mix: {activation: 0.5, conversion: 0.5, brand: 0.5}\n",
        "sop.yaml:5:14: the content mix should add up to 1 (or 100%); it adds up to 1.5",
    ),
    (
        "bad-date",
        BASE + "  launched_on: 2026-13-01\n",
        "sop.yaml:5:16: Input should be a valid date",
    ),
    (
        "bad-regex",
        BASE + 'rules:\n  nickname_pattern: "(["\n',
        "sop.yaml:6:21: invalid regular expression:",
    ),
    ("list-expected", BASE + "roles: owner\n", "sop.yaml:5:8: Input should be a valid list"),
    (
        "top-not-mapping",
        "- a\n- b\n",
        "sop.yaml:1:1: the top level of an SOP file should be a mapping",
    ),
    ("recursive-alias", BASE + "groups: &g [*g]\n", "sop.yaml:5:9: an alias refers to itself"),
    (
        "neg-max-members",
        BASE + "  max_members: 0\n",
        "sop.yaml:5:16: Input should be greater than or equal to 1",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_broken_sop_is_located(text: str, expected: str) -> None:
    errors = _errors(text)
    assert errors[0].startswith(expected), errors


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = BASE + "  timezon: x\ncadence:\n  daily:\n    - {time: 1830, title: a, kind: promo}\n"
    errors = _errors(text)
    assert [e.split(": ")[0] for e in errors] == ["sop.yaml:5:3", "sop.yaml:8:14", "sop.yaml:8:36"]


def test_messages_exist_in_chinese() -> None:
    with pytest.raises(SopError) as info:
        parse_sop(BASE + "cadance: {}\n", "sop.yaml")
    assert info.value.render("zh") == "sop.yaml:5:1: 未知的键 “cadance”，你是不是想写 “cadence”？"


def test_yaml11_surprises_are_read_as_meant() -> None:
    text = BASE + textwrap.dedent("""\
        rules:
          quiet_hours: 22:00-08:00
          forbidden: [NO, on, yes, off]
        cadence:
          daily:
            - {time: 18:30, title: 晚间, kind: activation}
            - {time: 8:30, title: 早安}
        groups:
          - {id: 007, name: 2026}
        """)
    sop = parse_sop(text, "sop.yaml").sop
    assert [i.time for i in sop.cadence.daily] == [dt.time(18, 30), dt.time(8, 30)]
    assert sop.rules.forbidden == ["NO", "on", "yes", "off"]
    assert str(sop.rules.quiet_hours) == "22:00-08:00"
    assert sop.groups[0].id == "007"  # leading zeros kept: an id, not the number 7
    assert sop.groups[0].name == "2026"


def test_alias_bomb_is_stopped_quickly() -> None:
    lines = [
        "version: 1",
        "community: {name: x, platform: qq}",
        'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
    ]
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    text = "\n".join(lines) + "\n"
    assert len(text.encode()) < 1024
    errors = _errors(text)
    assert "too many nodes after expanding aliases" in errors[0]


def test_merge_keys_work() -> None:
    text = BASE + textwrap.dedent("""\
        cadence:
          daily:
            - &base {time: "08:30", title: 早安, kind: activation, owner: content}
            - {<<: *base, time: "20:00", title: 晚安}
        """)
    sop = parse_sop(text, "sop.yaml").sop
    assert [(i.title, i.owner, i.time) for i in sop.cadence.daily] == [
        ("早安", "content", dt.time(8, 30)),
        ("晚安", "content", dt.time(20, 0)),
    ]


def test_percent_content_mix_is_accepted() -> None:
    sop = parse_sop(
        BASE + "content_mix: {activation: 50, conversion: 30, brand: 20}\n", "s.yaml"
    ).sop
    assert (sop.content_mix.activation, sop.content_mix.conversion, sop.content_mix.brand) == (
        0.5,
        0.3,
        0.2,
    )


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    p = tmp_path / "sop.yaml"
    p.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_sop(p).sop.community.name == "测试群"


def test_gbk_file_gets_a_clear_message(tmp_path: Path) -> None:
    p = tmp_path / "sop.yaml"
    p.write_bytes(BASE.encode("gbk"))
    with pytest.raises(InputError) as info:
        load_sop(p)
    msg = info.value.render("en")
    assert msg.startswith(f"{p.as_posix()}:3:9: file is not UTF-8 (it looks like GBK/GB18030)")


def test_size_limit(tmp_path: Path) -> None:
    p = tmp_path / "big.yaml"
    p.write_bytes(b"# " + b"x" * (3 * 1024 * 1024))
    with pytest.raises(InputError, match="too large"):
        load_sop(p)


def test_script_file_outside_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("top secret")
    sub = tmp_path / "sop"
    sub.mkdir()
    p = sub / "sop.yaml"
    p.write_text(BASE + "scripts:\n  leak: ../secret.txt\n", encoding="utf-8")
    loaded = load_sop(p)
    src = loaded.script("leak", "zh")
    assert src is not None and src.text is None
    assert src.problem is not None and "outside the SOP's folder" in src.problem.text.en


def test_block_script_lines_map_to_the_file(tmp_path: Path) -> None:
    p = tmp_path / "sop.yaml"
    p.write_text(BASE + "scripts:\n  hello: |\n    line one\n    line two\n", encoding="utf-8")
    src = load_sop(p).script("hello", "zh")
    assert src is not None and (src.line, src.file) == (7, p.as_posix())


def test_missing_file() -> None:
    with pytest.raises(SqopsError, match="file not found"):
        load_sop("does/not/exist.yaml")
