"""Writing outputs: atomic, with ordinary permissions, and safe for spreadsheets."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.errors import UsageError
from sqops.render.output import atomic_write_text, csv_text, excel_safe, json_bytes, json_text


def test_new_file_gets_umask_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644


def test_replaced_file_keeps_its_mode(tmp_path: Path) -> None:
    p = tmp_path / "b.txt"
    p.write_text("old")
    p.chmod(0o640)
    atomic_write_text(p, "new")
    assert p.read_text() == "new"
    assert stat.S_IMODE(p.stat().st_mode) == 0o640
    assert [f.name for f in tmp_path.iterdir()] == ["b.txt"]  # no temporary file left behind


def test_unwritable_place_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError):
        atomic_write_text(tmp_path / "file" / "inside.txt", "x")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("-12.5", "-12.5"),
        ("+86", "+86"),
        ("普通文本", "普通文本"),
        (None, ""),
    ],
)
def test_excel_safe(value: object, expected: str) -> None:
    assert excel_safe(value) == expected


def test_csv_text_has_bom_and_crlf() -> None:
    text = csv_text(["名字", "备注"], [['=HYPERLINK("x")', "a,b"]])
    assert text == '\ufeff名字,备注\r\n"\'=HYPERLINK(""x"")","a,b"\r\n'


# ---------------------------------------------------------------- json_text
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
_keys = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(_keys, inner, max_size=5)
    ),
    max_leaves=40,
)


def _finite(o):
    """``o`` with every float value that is not finite as None (what json_text writes)."""
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_finite(v) for v in o]
    return o


def _no_small_floats(o):
    """``o`` with the floats whose spelling orjson and Python differ on (0 < |x| < 1e-4) as 0."""
    if isinstance(o, float) and 0 < abs(o) < 1e-4:
        return 0.0
    if isinstance(o, dict):
        return {k: _no_small_floats(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_no_small_floats(v) for v in o]
    return o


@settings(max_examples=300, deadline=None)
@given(_json)
def test_json_text_is_the_standard_librarys_text_but_small_floats(obj):
    want = json.dumps(_finite(obj), ensure_ascii=False, indent=2)
    assert json.loads(json_text(obj)) == json.loads(want)
    assert json_bytes(obj) == json_text(obj).encode("utf-8")
    plain = _no_small_floats(obj)
    assert json_text(plain) == json.dumps(_finite(plain), ensure_ascii=False, indent=2)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.floats(allow_nan=False, allow_infinity=False, max_value=1e-3, min_value=-1e-3)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(alphabet='0.e-: "\n,')
        | st.integers(min_value=-(2**63), max_value=2**63 - 1),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
        max_leaves=20,
    )
)
def test_json_text_floats_read_back_exactly(obj):
    assert json.loads(json_text(obj)) == obj


def test_json_text_float_spelling():
    # orjson's spelling (the shortest that reads back): differs from json.dumps only below 1e-4
    assert json_text([1e-7, -5e-05, 2.5e-05, 1e-4, 5e-324, 1e-300, 1e16, -0.0, 10.00001]) == (
        "[\n  1e-7,\n  -0.00005,\n  0.000025,\n  0.0001,\n  5e-324,\n  1e-300,\n  1e+16,\n"
        "  -0.0,\n  10.00001\n]"
    )
    assert (
        json_text([float("nan"), float("inf"), -float("inf")]) == "[\n  null,\n  null,\n  null\n]"
    )
    assert json_text({"s": ["0.00005", "e-7"]}) == '{\n  "s": [\n    "0.00005",\n    "e-7"\n  ]\n}'


def test_json_text_what_orjson_refuses_the_standard_library_writes():
    obj = {"big": 10**30, "small": 1e-7, "nan": float("nan"), 1: [float("inf")]}
    assert json_text(obj) == (
        '{\n  "big": 1000000000000000000000000000000,\n  "small": 1e-07,\n  "nan": null,\n'
        '  "1": [\n    null\n  ]\n}'
    )


class _Level(enum.IntEnum):
    HIGH = 2


class _Name(str):
    pass


def test_json_text_subclasses_default_and_errors():
    obj = {
        "when": dt.date(2026, 12, 1),
        "level": _Level.HIGH,
        "name": _Name('小林 "x"\n'),
        "nested": [dt.time(8, 30), {"d": dt.date(2027, 1, 1)}],
        1.5: [],
        2: {},
    }
    assert json_text(obj, default=str) == json.dumps(obj, ensure_ascii=False, indent=2, default=str)
    with pytest.raises(TypeError):
        json_text({"when": dt.date(2026, 12, 1)})
    with pytest.raises(TypeError):
        json_text({(1, 2): "tuple keys are not JSON"})
