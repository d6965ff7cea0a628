"""Whatever text a user feeds the loader, it loads or raises sqops' own error — nothing else."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.errors import SqopsError
from sqops.lint import lint_text
from sqops.sop import parse_sop

GOOD = (Path(__file__).parent / "data" / "good.yaml").read_text(encoding="utf-8")

FRAGMENTS = st.sampled_from(
    [
        "version: 1\n",
        "community:\n",
        "  name: x\n",
        "  platform: wechat\n",
        "cadence:\n",
        "  daily:\n",
        '    - {time: "08:30", title: t}\n',
        "    - {time: 18:30, title: t, kind: conversion}\n",
        "rules: {quiet_hours: 22:00-08:00}\n",
        "a: &a [*a]\n",
        "b: !!python/name:os.system\n",
        "- x\n",
        "scripts: {s: '{{ nope }}'}\n",
        "  <<: {x: 1}\n",
        "groups: [{id: 1}, {id: 1}]\n",
        "\t\n",
        "? [a]\n: b\n",
        "kpis: {aov: {target: .inf}}\n",
        "content_mix: {activation: .nan}\n",
        "x: 0x1F\n",
        "y: 0o777\n",
        "goals: [{metric: 7}]\n",
        "%YAML 1.1\n---\n",
        "--- \n...\n",
        "'\n",
        '"\\x\n',
        "{\n",
        "[[[[[[\n",
    ]
)


def _check(text: str) -> None:
    try:
        parse_sop(text, "f.yaml")
    except SqopsError as exc:
        assert exc.render("en") and exc.render("zh")
    res = lint_text(text, "f.yaml", Path("."))
    for f in res.findings:
        assert f.text.en and f.text.zh


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300))
def test_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(FRAGMENTS, max_size=12))
def test_yaml_like_fragments(parts: list[str]) -> None:
    _check("".join(parts))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.integers(0, len(GOOD) - 1), st.integers(0, 40), st.text(max_size=8))
def test_mutated_good_file(pos: int, cut: int, insert: str) -> None:
    _check(GOOD[:pos] + insert + GOOD[pos + cut :])


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(JSONISH)
def test_any_structure(data: object) -> None:
    _check(yaml.safe_dump({"version": 1, "community": data, "cadence": data}, allow_unicode=True))


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    deadline=None,
)
@given(st.binary(max_size=200) | st.lists(FRAGMENTS, max_size=8).map(lambda p: "".join(p).encode()))
def test_cli_never_raises(cli, tmp_path_factory, data: bytes) -> None:
    p = tmp_path_factory.mktemp("fuzz") / "sop.yaml"
    p.write_bytes(data)
    r = cli("lint", p, "--lang", "en")  # catch_exceptions=False: a traceback fails the test
    assert r.exit_code in (0, 1, 2)
    assert r.stdout.strip() or r.stderr.strip()


# ---------------------------------------------------------------- libyaml vs Python parser
def _both_parsers(text: str) -> list[tuple]:
    """What load_yaml gives with libyaml (when PyYAML has it) and with the Python parser."""
    from sqops.data import yamlsafe
    from sqops.errors import SopError

    out = []
    saved = yamlsafe._CComposer
    for c_composer in (saved, None):
        yamlsafe._CComposer = c_composer
        try:
            data, pos = yamlsafe.load_yaml(text, "f.yaml")
            out.append(("ok", repr(data), pos.values, pos.keys, pos.blocks))
        except SopError as exc:
            out.append(("error", exc.render("en")))
        finally:
            yamlsafe._CComposer = saved
    return out


def _same_with_either_parser(text: str) -> None:
    fast, slow = _both_parsers(text)
    assert fast == slow


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(FRAGMENTS | st.sampled_from(["名称: 小林 # 注\n", "  标题: '早安'\n", "- 一\n"]),
                max_size=12))  # fmt: skip
def test_libyaml_and_python_parser_agree_on_fragments(parts: list[str]) -> None:
    _same_with_either_parser("".join(parts))


YAML_CHARS = " \t\n\r:-?[]{},#&*!|>'\"%@`~+=<\\ab中1.0x\x85\xa0\u2028\ufeff\x7f"


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.integers(0, len(GOOD) - 1),
    st.integers(0, 40),
    st.text(alphabet=YAML_CHARS, max_size=6) | st.text(max_size=8),
)
def test_libyaml_and_python_parser_agree_on_a_mutated_file(pos: int, cut: int, ins: str) -> None:
    _same_with_either_parser(GOOD[:pos] + ins + GOOD[pos + cut :])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(JSONISH, st.booleans())
def test_libyaml_and_python_parser_agree_on_any_structure(data: object, flow: bool) -> None:
    text = yaml.safe_dump({"群": data, "k": [data]}, allow_unicode=True, default_flow_style=flow)
    _same_with_either_parser(text)


def test_libyaml_is_used_when_pyyaml_has_it() -> None:
    from sqops.data import yamlsafe

    assert (yamlsafe._CComposer is not None) == yaml.__with_libyaml__
