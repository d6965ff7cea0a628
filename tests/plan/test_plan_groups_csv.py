"""``--groups stores.csv``: encodings, Chinese headers, vars, and errors that name the row."""

from __future__ import annotations

import datetime as dt

import pytest

from sqops.errors import DataError, InputError
from sqops.plan import parse_groups_csv, read_groups_csv

D = dt.date


def test_utf8_bom_and_extra_columns_become_vars(tmp_path):
    p = tmp_path / "stores.csv"
    p.write_bytes(
        "\ufeffid,name,launched_on,city,manager\r\ns01,徐汇店,2026-10-01,上海,王姐\r\ns02,西湖店,,杭州,\r\n".encode()
    )
    groups = read_groups_csv(p, default_launch=D(2026, 9, 1))
    assert [(g.id, g.name, g.launched_on, g.vars) for g in groups] == [
        ("s01", "徐汇店", D(2026, 10, 1), {"city": "上海", "manager": "王姐"}),
        ("s02", "西湖店", D(2026, 9, 1), {"city": "杭州", "manager": ""}),
    ]
    assert groups[1].where.row == 2


def test_gb18030_with_chinese_headers_and_slash_dates(tmp_path):
    p = tmp_path / "门店.csv"
    p.write_bytes(
        "门店编号,门店名称,建群日期,城市\r\nA1,南京店,2026/10/5,南京\r\n".encode("gb18030")
    )
    (g,) = read_groups_csv(p)
    assert (g.id, g.name, g.launched_on, g.vars) == (
        "A1",
        "南京店",
        D(2026, 10, 5),
        {"城市": "南京"},
    )


def test_name_defaults_to_id_and_blank_lines_are_skipped():
    groups = parse_groups_csv("id\nx1\n\n,\nx2\n", "g.csv")
    assert [(g.id, g.name, g.where.row) for g in groups] == [("x1", "x1", 1), ("x2", "x2", 2)]


@pytest.mark.parametrize(
    ("text", "message", "row", "key"),
    [
        (
            "name,city\n甲,上海\n",
            "g.csv has no id column (the group's or store's id); columns found: name, city",
            None,
            None,
        ),
        ("id,name\na,甲\na,乙\n", "id 'a' repeats row 1", 2, "id"),
        ("id,name\na,甲\n,乙\n", "empty id", 2, "id"),
        (
            "id,launched_on\na,2026-13-01\n",
            "launched_on '2026-13-01' is not a date (write 2026-10-01 or 2026/10/1)",
            1,
            "launched_on",
        ),
        ("id,name\na,甲,多余\n", "this row has 3 values but the header has 2 columns", 1, None),
        ("id,1st\na,b\n", "column '1st' cannot be a script variable", None, None),
        ("id,city,city\na,b,c\n", "duplicate column 'city'", None, None),
        ("id\n", "g.csv lists no group", None, None),
        ("", "g.csv is empty", None, None),
    ],
)
def test_errors_name_the_row(text, message, row, key):
    with pytest.raises(DataError) as exc:
        parse_groups_csv(text, "g.csv")
    assert exc.value.text.en.startswith(message)
    assert exc.value.where.row == row
    assert exc.value.where.key == key
    assert exc.value.text.zh and exc.value.text.zh != exc.value.text.en


def test_undecodable_file(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_bytes(b"id\n\xff\xfe\xfd\x80\n")
    with pytest.raises(InputError) as exc:
        read_groups_csv(p)
    # the one decoding policy's message (sqops.data.decode), with the line of the first bad byte
    assert exc.value.text.en.startswith("unknown text encoding")
    assert exc.value.problems[0].where.line == 2


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as exc:
        read_groups_csv(tmp_path / "nope.csv")
    assert exc.value.text.en.startswith("cannot read")
