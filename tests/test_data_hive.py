"""Tables partitioned by group (``TABLE/group_id=…/*.parquet``): written by
``--partition-by group_id`` (import, demo), read back by ``read_tables`` as one table."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from sqops.data.hive import partition_files, scan_partitioned, write_partitioned
from sqops.data.tables import read_tables
from sqops.errors import UsageError

FIX = Path(__file__).parent / "importers" / "fixtures"


def test_write_and_read_back(tmp_path: Path) -> None:
    orders = pl.DataFrame(
        {
            "order_id": ["o1", "o2", "o3", "o4", "o5"],
            "ts": ["2026-12-01 10:00"] * 5,
            "member_id": ["a", "b", "c", "d", "e"],
            "amount": ["1", "2", "3", "4", "5"],
            "group_id": ["g2", "g1", None, "a/b", "g1"],
        }
    )
    orders.write_parquet(tmp_path / "orders.parquet")
    pl.DataFrame({"member_id": ["s1"]}).write_parquet(tmp_path / "staff.parquet")
    out = write_partitioned(tmp_path / "orders.parquet")
    assert out == tmp_path / "orders" and not (tmp_path / "orders.parquet").exists()
    # one folder per group ("/" %-encoded), the rows without one in Hive's default partition
    dirs = sorted(p.parent.name for p in partition_files(out))
    assert dirs == [
        "group_id=__HIVE_DEFAULT_PARTITION__",
        "group_id=a%2Fb",
        "group_id=g1",
        "group_id=g2",
    ]
    # a table without group_id stays one file
    assert write_partitioned(tmp_path / "staff.parquet") == tmp_path / "staff.parquet"
    # read back: the files in path order (null, a/b, g1 ×2, g2), group ids as text
    back = scan_partitioned(out).collect()
    assert back["order_id"].to_list() == ["o3", "o4", "o2", "o5", "o1"]
    assert back["group_id"].to_list() == [None, "a/b", "g1", "g1", "g2"]
    pl.DataFrame(
        {"ts": ["2026-12-01 09:00"], "group_id": ["g1"], "member_id": ["a"]}
    ).write_parquet(tmp_path / "messages.parquet")
    write_partitioned(tmp_path / "messages.parquet")
    tables = read_tables(tmp_path)
    assert sorted(tables.tables) == ["messages", "orders", "staff"]
    assert tables["orders"].rows_read == 5 and tables["orders"].source.endswith("orders")
    rows = tables["orders"].frame.sort("_row").collect()
    assert rows["order_id"].to_list() == ["o3", "o4", "o2", "o5", "o1"]
    assert rows["_row"].to_list() == [1, 2, 3, 4, 5]
    # written again: the folder is replaced whole
    orders.head(2).write_parquet(tmp_path / "orders.parquet")
    write_partitioned(tmp_path / "orders.parquet")
    assert scan_partitioned(out).collect().height == 2


def test_bad_key() -> None:
    with pytest.raises(UsageError):
        write_partitioned(Path("x.parquet"), "member_id")


def test_demo_partition_by(cli, tmp_path: Path) -> None:
    flat, parts = tmp_path / "flat", tmp_path / "parts"
    args = ["--groups", "3", "--members", "20", "--days", "40", "--format", "parquet"]
    assert cli("demo", flat, *args).exit_code == 0
    r = cli("demo", parts, *args, "--partition-by", "group_id", "--lang", "en")
    assert r.exit_code == 0, r.stderr
    assert "messages/:" in r.stdout
    assert len(partition_files(parts / "messages")) == 3
    # the same rows as the flat files (a table's rows are in group order either way)
    for table in ("messages", "orders", "engagement"):
        a = pl.read_parquet(flat / f"{table}.parquet")
        b = scan_partitioned(parts / table).select(a.columns).collect()
        assert sorted(a.rows(), key=str) == sorted(b.rows(), key=str)
    bad = cli("demo", tmp_path / "x", "--partition-by", "group_id", "--lang", "en")
    assert bad.exit_code == 2 and "--format parquet" in bad.stderr


def test_import_partition_by(cli, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    r = cli("import", "wechat-msg", FIX / "wechat_msg.csv", "-o", out, "--partition-by", "group_id")
    assert r.exit_code == 0, r.stderr
    assert partition_files(out / "messages")
    flat = tmp_path / "flat"
    assert cli("import", "wechat-msg", FIX / "wechat_msg.csv", "-o", flat).exit_code == 0
    one = cli("report", flat, "-f", "json", "--no-adherence", "--lang", "en")
    two = cli("report", out, "-f", "json", "--no-adherence", "--lang", "en", "--partitions", "2")
    assert one.exit_code == two.exit_code == 0
    # the same report but for where each table was read from
    strip = lambda t: "\n".join(x for x in t.splitlines() if '"source"' not in x)  # noqa: E731
    assert strip(one.stdout) == strip(two.stdout)


def test_written_in_slices_is_the_same_bytes(tmp_path: Path) -> None:
    # 40 groups of 3–4 rows and 10 rows without one, interleaved; a memory limit of 64 bytes
    # asks for more slices than there are groups — each group still lands in exactly one
    # slice, in its row order, so the files are byte for byte those of the one pass
    from sqops.data.hive import slices

    groups = [f"g{i % 40:02d}" if i % 17 else None for i in range(160)]
    table = pl.DataFrame(
        {
            "msg_id": [f"m{i}" for i in range(160)],
            "group_id": groups,
            "content": [f"第 {i} 条" for i in range(160)],
        }
    )
    trees = {}
    for name, limit in (("one", None), ("many", 64)):
        folder = tmp_path / name
        folder.mkdir()
        table.write_parquet(folder / "messages.parquet")
        scan = pl.scan_parquet(folder / "messages.parquet")
        # (160 rows of some 40 bytes: twice that is many times half of 64 bytes)
        assert (slices(scan, limit) == 1) == (limit is None)
        if limit is not None:
            assert slices(scan, limit) > 40
        out = write_partitioned(folder / "messages.parquet", memory_limit=limit)
        trees[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in partition_files(out)}
    assert len(trees["one"]) == 41  # 40 groups and the rows without one
    assert trees["many"] == trees["one"]
    # an empty table is one pass
    assert slices(pl.LazyFrame({"group_id": []}, schema={"group_id": pl.String})) == 1
