"""A UTF-8 file with a GBK line mixed in (#20 "Reading tables"): an error naming that line,
not the whole file decoded as GB18030 (every UTF-8 name mojibake). Whole GBK files still read."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.decode import decode_bytes, detect_file_encoding
from sqops.data.tables import read_tables
from sqops.errors import InputError

HEAD = "ts,group_id,member_id,member_name\n"
# common GB2312 hanzi (rows 16-55): what names in GBK exports are made of
HANZI = [
    bytes([hi, lo]).decode("gbk") for hi in range(0xB0, 0xD7) for lo in range(0xA1, 0xFF)
]  # fmt: skip


def _rows(names: list[str]) -> list[str]:
    return [f"2026-12-01 10:00,g1,m{i},{n}\n" for i, n in enumerate(names)]


def _mixed(names: list[str], bad: int) -> tuple[bytes, int]:
    """UTF-8 rows but row ``bad`` in GBK; (bytes, its line)."""
    rows = _rows(names)
    data = HEAD.encode() + b"".join(
        r.encode("gbk") if i == bad else r.encode("utf-8") for i, r in enumerate(rows)
    )
    return data, bad + 2


NAMES = ["小林", "阿青", "王小明", "李雷", "韩梅梅", "张伟"]
# UTF-8 names whose bytes are valid GB18030 too: the mixed file decodes as GB18030 throughout
# (every UTF-8 name mojibake), the case
GB_OK = ["啊阿", "啊埃", "啊挨", "啊哎", "啊唉", "啊哀"]


def test_the_gb_ok_names_decode_as_gb18030() -> None:
    _mixed(GB_OK, 3)[0].decode("gb18030")


@pytest.mark.parametrize("names", [NAMES, GB_OK])
def test_decode_bytes_names_the_gbk_line(names: list[str]) -> None:
    data, line = _mixed(names, 3)
    with pytest.raises(InputError) as exc:
        decode_bytes(data, "messages.csv")
    assert exc.value.where.line == line == 5
    assert "line 5 is not UTF-8" in exc.value.text.en and "第 5 行" in exc.value.text.zh


@pytest.mark.parametrize("names", [NAMES, GB_OK])
def test_detect_file_encoding_names_the_gbk_line(names: list[str], tmp_path: Path) -> None:
    data, line = _mixed(names, 3)
    (tmp_path / "m.csv").write_bytes(data)
    with pytest.raises(InputError) as exc:
        detect_file_encoding(tmp_path / "m.csv", "m.csv", chunk=7)
    assert exc.value.where.line == line


@pytest.mark.parametrize("names", [NAMES, GB_OK])
def test_report_exits_2_naming_the_line(names: list[str], tmp_path: Path, cli) -> None:
    data, line = _mixed(names, 1)
    (tmp_path / "messages.csv").write_bytes(data)
    with pytest.raises(InputError) as exc:
        read_tables(tmp_path)
    assert exc.value.where.line == line == 3
    r = cli("report", tmp_path, "--lang", "en")
    assert r.exit_code == 2 and "messages.csv:3" in r.output and "not UTF-8" in r.output


@pytest.mark.parametrize("names", [NAMES, GB_OK])
def test_the_gbk_line_first_of_the_non_ascii_lines(names: list[str], tmp_path: Path) -> None:
    data, line = _mixed(names, 0)
    with pytest.raises(InputError) as exc:
        decode_bytes(data, "m.csv")
    assert exc.value.where.line == line == 2


def test_a_large_whole_gbk_file_still_reads(tmp_path: Path) -> None:
    # many short GBK names: about 1 in 1,000 such lines is valid UTF-8 by chance
    rng = random.Random(7)
    names = ["".join(rng.choice(HANZI) for _ in range(2)) for _ in range(5000)]
    data = (HEAD + "".join(_rows(names))).encode("gbk")
    text, enc = decode_bytes(data, "m.csv")
    assert enc == "gb18030" and names[-1] in text
    (tmp_path / "messages.csv").write_bytes(data)
    assert detect_file_encoding(tmp_path / "messages.csv") == "gb18030"
    tables = read_tables(tmp_path)
    f = tables["messages"].frame.collect()
    assert f["member_name"].to_list()[:3] == names[:3]


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(
        st.text(st.sampled_from(HANZI), min_size=1, max_size=4), min_size=3, max_size=40
    ),
    data=st.data(),
)
def test_one_gbk_line_in_utf8_is_named(names: list[str], data: st.DataObject) -> None:
    bad = data.draw(st.integers(0, len(names) - 1))
    raw, line = _mixed(names, bad)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # (the GBK line happens to be valid UTF-8 too)
        return
    with pytest.raises(InputError) as exc:
        decode_bytes(raw, "m.csv")
    assert exc.value.where.line == line


@settings(max_examples=60, deadline=None)
@given(
    names=st.lists(st.text(st.sampled_from(HANZI), min_size=1, max_size=4), min_size=1, max_size=40)
)
def test_whole_gbk_is_gb18030(names: list[str]) -> None:
    raw = (HEAD + "".join(_rows(names))).encode("gbk")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # (GBK that is valid UTF-8 too, such as 一 alone: read as UTF-8, as always)
        return
    text, enc = decode_bytes(raw, "m.csv")
    assert text == HEAD + "".join(_rows(names))


def test_a_bom_file_names_the_line_of_a_bad_byte_that_starts_a_line() -> None:
    # the BOM is not part of the text the error counts in: a bad byte just after a line break
    # is on the next line (counted in the bytes with the BOM it would be three bytes earlier)
    data = b"\xef\xbb\xbf" + HEAD.encode() + "".join(_rows(NAMES[:2])).encode() + b"\xb0\xa1,x\n"
    with pytest.raises(InputError) as exc:
        decode_bytes(data, "messages.csv")
    assert exc.value.where.line == 4
