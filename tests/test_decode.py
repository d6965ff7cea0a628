"""The one decoding policy (sqops.data.decode) that every reader of text files uses."""

from __future__ import annotations

import pytest

from sqops.data.decode import decode_bytes, detect_file_encoding
from sqops.errors import InputError

TEXT = "群,成员\n上海一群,小林\n"


@pytest.mark.parametrize(
    ("data", "enc"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("utf-8-sig"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),
        (TEXT.encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
        (TEXT.encode("gb18030"), "gb18030"),
    ],
)
def test_each_encoding_is_read_the_same_everywhere(tmp_path, data, enc):
    assert decode_bytes(data, "x.csv") == (TEXT, enc)
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    assert detect_file_encoding(p) == {"utf-8-sig": "utf-8"}.get(enc, enc)


def test_undecodable_bytes_name_the_line_everywhere(tmp_path):
    data = b"a,b\nok,ok\n\xff\xfe\x80\x80\n"
    with pytest.raises(InputError) as e:
        decode_bytes(data, "x.csv")
    assert e.value.render("en") == (
        "x.csv:3: unknown text encoding (supported: UTF-8, UTF-8 with BOM, UTF-16, GB18030)"
    )
    p = tmp_path / "x.csv"
    p.write_bytes(data)
    with pytest.raises(InputError) as e:
        detect_file_encoding(p, "x.csv")
    assert e.value.problems[0].where.line == 3


def test_hand_written_files_must_be_utf8():
    with pytest.raises(InputError) as e:
        decode_bytes("a: 小林\n".encode("gb18030"), "sop.yaml", hand_written=True)
    assert "looks like GBK" in e.value.render("en")
    assert e.value.problems[0].where.line == 1
    with pytest.raises(InputError) as e:
        decode_bytes("a: 1\n".encode("utf-16"), "sop.yaml", hand_written=True)
    assert "UTF-16" in e.value.render("en")
    assert decode_bytes("a: 1\n".encode("utf-8-sig"), "sop.yaml", hand_written=True)[0] == "a: 1\n"


def test_nul_is_not_text():
    with pytest.raises(InputError) as e:
        decode_bytes(b"a\nb\x00c\n", "x.txt")
    assert e.value.problems[0].where.line == 2
