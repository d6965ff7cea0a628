"""Text made as UTF-8 bytes (the report's JSON) goes to a UTF-8 stdout as those bytes, not
decoded and encoded again (``sqops.cli.route._utf8_stdout``); to any other stdout (GBK, a
stream without bytes beneath) as text, in that stream's encoding, as before."""

from __future__ import annotations

import io
import sys

import pytest

from sqops.cli.route import Route

DOC = '{\n  "name": "青禾 ✓"\n}\n'


class _Spy(io.TextIOWrapper):
    """A text stdout over bytes that counts the text written to it."""

    texts: int = 0

    def write(self, s: str) -> int:
        self.texts += 1
        return super().write(s)


def _stdout(monkeypatch: pytest.MonkeyPatch, encoding: str) -> tuple[_Spy, io.BytesIO]:
    raw = io.BytesIO()
    out = _Spy(raw, encoding=encoding, errors="replace", newline=None)
    monkeypatch.setattr(sys, "stdout", out)
    return out, raw


def test_utf8_bytes_go_to_a_utf8_stdout_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    out, raw = _stdout(monkeypatch, "UTF8")
    Route("json").write(DOC.encode("utf-8"))
    assert raw.getvalue() == DOC.encode("utf-8")
    assert out.texts == 0  # (not decoded and written as text)


def test_utf8_bytes_go_to_another_stdout_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    out, raw = _stdout(monkeypatch, "gbk")
    Route("json").write(DOC.encode("utf-8"))
    out.flush()
    assert raw.getvalue() == DOC.encode("gbk", errors="replace")  # (✓ is not GBK: "?")
    assert b"?" in raw.getvalue()
    assert out.texts == 1


def test_bytes_go_as_text_to_a_stdout_without_bytes_beneath(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    Route("json").write(DOC.encode("utf-8"))
    assert out.getvalue() == DOC


def test_the_report_json_is_the_same_as_bytes_and_as_text() -> None:
    from sqops.data.tables import read_tables
    from sqops.report import render
    from sqops.report.build import build_report

    tables = read_tables("examples/skincare/data")
    rep = build_report(tables)
    assert render.to_json_bytes(rep) == render.to_json(rep).encode("utf-8")
    assert render.to_json_bytes(rep).endswith(b"}\n")
