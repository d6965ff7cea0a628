"""``sqops demo`` refuses, before writing anything, what would run for hours, run past the
calendar or fill the disk (#20: ``--groups 1000000 --days 100000`` ran until killed)."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest

from sqops.demo import DemoOptions, estimate
from sqops.sop import load_sop

SOP = "examples/skincare/sop.yaml"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--groups", "1000000", "--days", "100000"], "--days is at most 3,660"),
        (["--groups", "1000000"], "--groups is at most 100,000"),
        (["--members", "1000000"], "--members is at most 100,000"),
        # 100,000 groups × 500 members (the SOP's cap) × 120 days × 0.12 = 720 M messages
        (["--groups", "100000", "--members", "500"], "about 720,000,000 messages"),
        (["--start", "9999-12-25", "--days", "30"], "30 days from 9999-12-25 run past"),
    ],
)
def test_refused_before_anything_is_written(cli, tmp_path, args, words):
    out = tmp_path / "d"
    r = cli("demo", str(out), "--sop", SOP, "--lang", "en", *args)
    assert r.exit_code == 2, r.output
    assert words in r.stderr
    assert "Traceback" not in r.output
    assert not out.exists()


def test_refused_when_the_disk_is_too_small(cli, tmp_path, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda p: usage(10**9, 10**9 - 2**20, 2**20))
    out = tmp_path / "d"
    # 3 groups × 200 members × 120 days × 0.12 = 8,640 messages × 240 bytes ≈ 1.98 MB > 1 MB
    r = cli("demo", str(out), "--sop", SOP, "--lang", "en")
    assert r.exit_code == 2, r.output
    assert "has 1 MB free" in r.stderr
    assert not out.exists()


def test_estimate_is_of_the_right_size():
    # the estimate is what the bounds rest on: the example's three groups × 200 members × 120
    # days write 10,256 messages (staff posts included); estimated 8,640
    sop = load_sop(SOP).sop
    messages, size = estimate(sop, DemoOptions())
    assert messages == 3 * 200 * 120 * 12 // 100
    assert size == messages * 240
    assert estimate(sop, DemoOptions(fmt="parquet"))[1] == messages * 100


def test_parquet_parts_on_the_way_fit_the_estimate(tmp_path, monkeypatch):
    # the temporary parts a Parquet table is made from stay on disk until it closes: the
    # estimate's 100 bytes a message is the file (27) and the parts (LZ4: ~69 at 150 groups;
    # uncompressed they were ~380, which filled the disk of the 200 M-message benchmark)
    from sqops.demo import _writer, generate_demo

    parts: list[int] = []
    close = _writer.TableWriter.close

    def counting_close(self):
        parts.extend(p.stat().st_size for p in self._parts)
        close(self)

    monkeypatch.setattr(_writer.TableWriter, "close", counting_close)
    sop = load_sop(SOP).sop
    result = generate_demo(sop, tmp_path / "d", DemoOptions(fmt="parquet", groups=12))
    messages = result.rows["messages"]
    files = sum(p.stat().st_size for p in (tmp_path / "d").glob("*.parquet"))
    assert messages > 1000 and parts
    assert sum(parts) + files <= messages * 100


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_an_interruption_while_opening_the_tables_leaves_nothing(tmp_path, monkeypatch, fmt):
    # Ctrl-C while the third table's temporary file is being made: the first two temporary
    # files (or folders) are removed, nothing is published
    from sqops.demo import _writer, generate_demo

    real = _writer._fresh
    calls = []

    def fresh(directory, table):
        calls.append(table)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(directory, table)

    monkeypatch.setattr(_writer, "_fresh", fresh)
    with pytest.raises(KeyboardInterrupt):
        generate_demo(load_sop(SOP).sop, tmp_path / "d", DemoOptions(fmt=fmt, days=3))
    assert len(calls) == 3
    assert list((tmp_path / "d").iterdir()) == []
