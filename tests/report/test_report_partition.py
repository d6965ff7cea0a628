"""The partitioned report (sqops.report.partition): the same bytes as the single pass.

The JSON and the Markdown of the partitioned run are compared with the single pass's on the
example data, on a generated fleet whose orders, coupons and participations lack
``group_id`` for a third of their rows, and on a hand-made fleet where one member is in two
groups that fall in different buckets.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import zlib
from pathlib import Path

import polars as pl
import pytest

from sqops.data.tables import prepare_tables, read_tables
from sqops.errors import UsageError
from sqops.report.build import Report, Settings, build_report
from sqops.report.html import to_html
from sqops.report.partition import (
    BASE_BYTES,
    BUCKET_PER_BYTE,
    KEPT_PER_BYTE,
    MERGE_PER_BYTE,
    bucket_of,
    build_partitioned,
    floor_estimate,
    group_bytes,
    memory_limit_bytes,
    merge_partials,
    partitions_by_size,
    partitions_for,
    peak_estimate,
    plan_partitions,
    run_partition,
)
from sqops.report.render import to_json, to_markdown
from sqops.report.xlsx import to_xlsx
from sqops.sop.loader import load_sop

from .conftest import frame

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "skincare"


def _partitioned(tables, folder: Path, n: int, settings: Settings, by=(), **kw) -> Report:
    """Plan, each bucket's run and the merge, with the plan and every partial pickled and
    unpickled on the way (as a distributed engine moves them)."""
    plan = plan_partitions(tables, folder, partitions=n, settings=settings, **kw)
    plan = pickle.loads(pickle.dumps(plan))
    parts = [pickle.loads(pickle.dumps(run_partition(plan, k))) for k in plan.nonempty]
    return merge_partials(plan, parts, by=by)


def _same(single: Report, part: Report) -> None:
    assert to_json(part) == to_json(single)
    assert to_markdown(part) == to_markdown(single)
    if part.prepared is not None:  # (the buckets sent their inputs: every output)
        assert to_json(part, views=True) == to_json(single, views=True)
        assert to_html(part) == to_html(single)
        assert to_xlsx(part) == to_xlsx(single)


@pytest.mark.parametrize("n", [1, 2, 3])
def test_example_is_byte_identical(tmp_path: Path, n: int) -> None:
    loaded = load_sop(EXAMPLE / "sop.yaml")
    settings = Settings.from_loaded(loaded)
    tables = read_tables(EXAMPLE / "data", tz=settings.tz, columns=settings.columns)
    single = build_report(tables, settings=settings, lang="zh")
    _same(single, _partitioned(tables, tmp_path / f"p{n}", n, settings, lang="zh"))


@pytest.mark.parametrize("n", [2, 4, 9])
def test_fleet_without_group_ids_is_byte_identical(tmp_path: Path, fleet: Path, n: int) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    single = build_report(tables, settings=settings, by=(), lang="en")
    rep = _partitioned(tables, tmp_path, n, settings)
    _same(single, rep)
    # in this process, the buckets reading the validated tables lazily (no files)
    _same(single, build_partitioned(tables, partitions=n, settings=settings))
    if n == 4:  # the buckets' inputs too (pickled): the HTML, the workbook and the views
        _same(single, _partitioned(tables, tmp_path / "in", n, settings, inputs=True))
    # (the fleet has what the test is about: rows attributed across groups, several buckets)
    orders = next(t for t in single.data_quality["tables"] if t["table"] == "orders")
    assert (
        orders["unattributed"] < pl.read_parquet(fleet / "orders.parquet")["group_id"].null_count()
    )
    assert len({bucket_of(g.group_id, n) for g in single.groups}) > 1


@pytest.mark.parametrize(
    "kw", [{"compare": "prev"}, {"trend": 6}, {"compare": "2026-12-20", "trend": 3}]
)
def test_compare_and_trend(tmp_path: Path, fleet: Path, kw: dict) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    single = build_report(tables, settings=settings, lang="en", **kw)
    _same(single, _partitioned(tables, tmp_path, 4, settings, **kw))


def test_chosen_groups(tmp_path: Path, fleet: Path) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    for only in (["g01"], ["g02", "g05", "g07"]):
        single = build_report(tables, settings=settings, groups=only)
        _same(single, _partitioned(tables, tmp_path / only[0], 3, settings, groups=only))
        _same(single, build_partitioned(tables, partitions=2, settings=settings, groups=only))
    with pytest.raises(UsageError, match="no such group"):
        build_partitioned(tables, partitions=2, settings=settings, groups=["g01", "nope"])


def test_rollups_by_attribute(tmp_path: Path, fleet: Path) -> None:
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    gids = sorted(
        tables["messages"].frame.select("group_id").unique().collect()["group_id"].to_list()
    )
    settings.group_vars = {g: {"city": "north" if i % 2 else "south"} for i, g in enumerate(gids)}
    single = build_report(tables, settings=settings, by=("city",), lang="en")
    rep = build_partitioned(tables, tmp_path, partitions=3, settings=settings, by=("city",))
    _same(single, rep)


# ------------------------------------------------------------------ a member in two buckets
D0 = dt.date(2026, 11, 1)  # day 0 of both groups; as-of 2026-12-06 is day index 35


def _two_buckets() -> tuple[str, str]:
    """Two group ids in different buckets of 3 (gA: 1, gB: 2)."""
    assert bucket_of("gA", 3) == zlib.crc32(b"gA") % 3 == 1
    assert bucket_of("gB", 3) == 2
    return "gA", "gB"


def _hand_fleet() -> dict[str, pl.DataFrame]:
    a, b = _two_buckets()
    return {
        "members": frame(
            "ts,group_id,member_id,event",
            [
                ("2026-11-01 09:00", a, "m1", "join"),
                ("2026-11-01 09:00", b, "m1", "join"),
                ("2026-11-01 09:00", a, "m2", "join"),
                ("2026-11-01 09:00", b, "m3", "join"),
            ],
        ),
        "messages": frame(
            "ts,group_id,member_id",
            [
                ("2026-12-02 10:00", a, "m1"),
                ("2026-12-04 10:00", b, "m1"),
                ("2026-12-02 11:00", a, "m2"),
                ("2026-12-03 11:00", b, "m3"),
                ("2026-12-01 08:00", a, "s1"),
            ],
        ),
        "orders": frame(
            "order_id,ts,member_id,amount,group_id,coupon_id",
            [
                # m1 in both groups: last spoke in gB (12-04) before 12-05 → gB
                ("o1", "2026-12-05 12:00", "m1", "10", None, "c1"),
                # on 12-03 m1 had spoken in gA only (12-02) → gA
                ("o2", "2026-12-03 12:00", "m1", "20", None, None),
                # m2 is in gA alone → gA
                ("o3", "2026-12-05 12:00", "m2", "30", None, None),
                # m9 is in no group: unattributed
                ("o4", "2026-12-05 12:00", "m9", "40", None, None),
            ],
        ),
        "posts": frame("post_id,ts,group_id", [("p1", "2026-11-10 09:00", a)]),
        # gA's post opened by m3, a member of gB, on a row that carries gB (the other bucket)
        "engagement": frame(
            "ts,member_id,event,post_id,group_id", [("2026-11-10 10:00", "m3", "open", "p1", b)]
        ),
        "coupons": frame(
            "coupon_id,member_id,ts,group_id",
            # issued in gA, used on o1, which is gB's (another bucket)
            [("c1", "m1", "2026-12-01 09:00", a), ("c2", "m2", "2026-12-01 09:00", a)],
        ),
    }


def test_member_in_two_buckets_by_hand(tmp_path: Path) -> None:
    settings = Settings(staff_ids=frozenset({"s1"}), day0={"gA": D0, "gB": D0})
    as_of = dt.date(2026, 12, 6)
    tables = prepare_tables(_hand_fleet(), tz=settings.tz)
    single = build_report(tables, settings=settings, as_of=as_of)
    rep = _partitioned(
        prepare_tables(_hand_fleet(), tz=settings.tz), tmp_path, 3, settings, as_of=as_of
    )
    _same(single, rep)

    def nd(name: str, gid: str | None) -> tuple[float | None, float | None]:
        if gid is None:
            k = next(k for k in rep.fleet if k.name == name)
        else:
            k = next(g for g in rep.groups if g.group_id == gid).kpi(name)
        return k.numerator, k.denominator

    # conversion (window 12-01..12-06): gA members m1, m2, buyers m1 (o2) and m2 (o3): 2/2;
    # gB members m1, m3, buyer m1 (o1): 1/2; the fleet 3/4
    assert nd("conversion_rate", "gA") == (2, 2)
    assert nd("conversion_rate", "gB") == (1, 2)
    assert nd("conversion_rate", None) == (3, 4)
    # gA issued c1 and c2; c1 was used on o1, an order of gB in the other bucket: 1/2
    assert nd("coupon_usage_rate", "gA") == (1, 2)
    # p1 (gA, 11-10, in the activation window 11-08..11-30): opened by m3 within 48 h, over
    # gA's members on 11-10 (m1, m2): 1/2; gB has no post: 0/0 (no value)
    assert nd("content_open_rate", "gA") == (1, 2)
    assert nd("content_open_rate", None) == (1, 2)
    orders = next(t for t in rep.data_quality["tables"] if t["table"] == "orders")
    assert orders["unattributed"] == 1  # o4

    # --group gA: gA's figures over gA's orders alone (as one pass narrows them), so c1's
    # use on o1 (gB's) does not count: 0/2
    rep = _partitioned(
        prepare_tables(_hand_fleet(), tz=settings.tz),
        tmp_path / "only",
        3,
        settings,
        as_of=as_of,
        groups=["gA"],
    )
    _same(
        build_report(
            prepare_tables(_hand_fleet(), tz=settings.tz),
            settings=settings,
            as_of=as_of,
            groups=["gA"],
        ),
        rep,
    )
    assert nd("coupon_usage_rate", None) == (0, 2)
    assert nd("conversion_rate", None) == (2, 2)
    # compared with 12-05 and 12-04: c1 was used on o1 (gB, other bucket) on 12-05
    for day, used in (("2026-12-05", 1), ("2026-12-04", 0)):
        single = build_report(
            prepare_tables(_hand_fleet(), tz=settings.tz),
            settings=settings,
            as_of=as_of,
            compare=day,
            trend=2,
        )
        rep = _partitioned(
            prepare_tables(_hand_fleet(), tz=settings.tz),
            tmp_path / day,
            3,
            settings,
            as_of=as_of,
            compare=day,
            trend=2,
        )
        _same(single, rep)
        then = next(g for g in rep.groups if g.group_id == "gA").kpi("coupon_usage_rate")
        assert then.previous is not None
        assert (then.previous.numerator, then.previous.denominator) == (used, 2)


# ------------------------------------------------------------------ the number of buckets
def test_memory_limit_text() -> None:
    assert memory_limit_bytes("2G") == 2 << 30
    assert memory_limit_bytes("1500M") == 1500 << 20
    assert memory_limit_bytes("1.5GiB") == 3 << 29
    assert memory_limit_bytes("800mb") == 800 << 20
    assert memory_limit_bytes("4096") == 4096
    assert memory_limit_bytes(None) > 0
    for bad in ("", "-1G", "lots", "infG", "0"):
        with pytest.raises(UsageError):
            memory_limit_bytes(bad)


def test_partitions_for_limit() -> None:
    tables = prepare_tables(_hand_fleet())
    # rows × (columns + the row number): messages 5 × (ts, group_id, member_id, day + 1),
    # members 4 × (+ event) 6, posts 1 × (post_id, ts, group_id, day + 1) 5, engagement
    # 1 × (ts, member_id, event, post_id, group_id, day + 1) 7, orders 4 × (order_id, ts,
    # member_id, amount, group_id, coupon_id, day, status + 1) 9, coupons 2 × 6:
    # 25 + 24 + 5 + 7 + 36 + 12 = 109 cells, 8 bytes each = 872 bytes
    assert partitions_for(tables, 872) == 1
    assert partitions_for(tables, 871) == 2
    assert partitions_for(tables, 100) == 9


def test_where_in_reads_the_groups_rows_in_the_scan() -> None:
    tables = prepare_tables(
        {
            "messages": frame(
                "msg_id,ts,group_id,member_id",
                [
                    ("x1", "2026-12-01 10:00", "g1", "m1"),  # row 1
                    ("x2", "2026-12-01 10:00", "g2", "m1"),  # row 2
                    ("x3", "not a time", "g1", "m2"),  # row 3: rejected (bad_time)
                    ("x1", "2026-12-02 10:00", "g3", "m2"),  # row 4: x1 again, dropped
                    ("x5", "2026-12-02 10:00", "g3", "m3"),  # row 5
                    ("x6", "2026-12-03 10:00", None, "m3"),  # row 6: rejected (no group)
                    ("x7", "2026-12-03 10:00", "g1", "m4"),  # row 7
                ],
            ),
            "orders": frame(
                "order_id,ts,member_id,amount,group_id",
                [
                    ("o1", "2026-12-01 10:00", "m1", "5", "g1"),  # row 1
                    ("o2", "2026-12-01 11:00", "m1", "6", None),  # row 2: no group (allowed)
                    ("o3", "2026-12-01 12:00", "m2", "7", "g2"),  # row 3
                ],
            ),
        }
    )
    td = tables["messages"]
    assert td._narrow is not None  # (read from the validated copy's scan)
    got = td.where_in("group_id", ["g1", "g3"]).collect()
    # valid rows of g1 or g3: 1, 5, 7 (3 rejected, 4 a repeated id), in row order
    assert got["_row"].to_list() == [1, 5, 7]
    assert got["group_id"].cast(pl.String).to_list() == ["g1", "g3", "g1"]
    assert got.equals(
        td.frame.filter(pl.col("group_id").cast(pl.String).is_in(["g1", "g3"])).collect()
    )
    assert td.where_in("group_id", ["g2"]).collect()["_row"].to_list() == [2]
    # orders of g2, and + the row without a group
    orders = tables["orders"]
    assert orders.where_in("group_id", ["g2"]).collect()["_row"].to_list() == [3]
    assert orders.where_in("group_id", ["g2"], nulls=True).collect()["_row"].to_list() == [2, 3]
    # a frame that is not the copy's (replaced): the filter on it
    other = dataclasses.replace(td, frame=td.frame.filter(pl.col("_row") > 1))
    assert other.where_in("group_id", ["g1"]).collect()["_row"].to_list() == [7]


def test_group_bytes_of_hive_folders(tmp_path: Path) -> None:
    # the sizes are what is on disk (any bytes do: only the files' sizes are read)
    def put(rel: str, size: int) -> None:
        f = tmp_path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"x" * size)

    put("messages/group_id=g1/a.parquet", 40)
    put("messages/group_id=g%2F2/a.parquet", 30)  # the id g/2, %-encoded in the path
    put("engagement/group_id=g1/0.parquet", 5)
    put("engagement/group_id=__HIVE_DEFAULT_PARTITION__/0.parquet", 8)  # rows without group
    put("orders.parquet", 1000)  # a flat table: no group's
    put("notes/group_id=g9/a.parquet", 7)  # not a table
    # g1: 40 + 5 = 45; g/2: 30; no group: 8
    assert group_bytes(tmp_path) == {"g1": 45, "g/2": 30, "": 8}
    flat = tmp_path / "flat"
    flat.mkdir()
    (flat / "messages.parquet").write_bytes(b"x")
    assert group_bytes(flat) is None
    assert group_bytes(None) is None


def test_partitions_by_size() -> None:
    # g1 40, g2 30, g3 20, g4 10 bytes, 8 without a group (spread: 8 // parts a bucket);
    # all: 108. CRC-32: g1 985395109, g2 2746400287, g3 3568668297, g4 1255217962, so
    #   1 part: 108
    #   2 parts: g4 → 0; g1, g2, g3 → 1: 4 + 10 = 14, 4 + 90 = 94 → largest 94
    #   3 parts: g3 → 0; g1, g2, g4 → 1: 2 + 20, 2 + 80, 2 → 82
    #   4 parts: g1, g3 → 1; g4 → 2; g2 → 3: 2, 62, 12, 32 → 62
    sizes = {"g1": 40, "g2": 30, "g3": 20, "g4": 10, "": 8}
    kept = KEPT_PER_BYTE * 108
    est = {
        n: BASE_BYTES + int(kept + BUCKET_PER_BYTE * m)
        for n, m in [(1, 108), (2, 94), (3, 82), (4, 62)]
    }
    # the floor, the merge's: BASE + 1.5 × 108 = BASE + 162, under every bucket's estimate
    # (1.1 × 108 = 118.8 plus at least 1.9 × 62 = 117.8)
    assert floor_estimate(sizes) == BASE_BYTES + int(MERGE_PER_BYTE * 108)
    for n in (1, 2, 3, 4):
        assert peak_estimate(sizes, n) == est[n]
        assert partitions_by_size(sizes, est[n]) == n
    assert partitions_by_size(sizes, est[1] - 1) == 2
    assert partitions_by_size(sizes, est[3] - 1) == 4
    # under every estimate up to twice the groups (8 buckets: g1 alone is 40 + 1 = 41 bytes,
    # above the floor's room): twice the groups
    assert partitions_by_size(sizes, BASE_BYTES) == 8
    assert partitions_for(prepare_tables(_hand_fleet()), est[3], sizes) == 3


def test_partitions_by_size_stops_at_the_floor() -> None:
    # 100 groups of 1,000,000 bytes each (no rows without a group): 100,000,000 in all; the
    # floor BASE + 1.5e8; a bucket's estimate BASE + 1.1e8 + 1.9 × its largest bucket, under
    # the floor once the largest bucket is at most 0.4e8 / 1.9 = 21,052,631 bytes, i.e. 21
    # groups: the fewest buckets for that, whatever lower limit is asked
    sizes = {f"g{i:03d}": 1_000_000 for i in range(100)}
    n = partitions_by_size(sizes, 1)
    assert n < 100
    assert peak_estimate(sizes, n) == floor_estimate(sizes) == BASE_BYTES + 150_000_000
    assert all(peak_estimate(sizes, k) > floor_estimate(sizes) for k in range(1, n))
    assert max(sum(1 for g in sizes if bucket_of(g, n) == b) for b in range(n)) <= 21


# ------------------------------------------------------------------ the command line
def test_cli_memory_limit_on_hive_folder(cli, tmp_path: Path, fleet: Path) -> None:
    import shutil

    from sqops.data.hive import write_partitioned

    hive = tmp_path / "hive"
    shutil.copytree(fleet, hive)
    for f in sorted(hive.glob("*.parquet")):
        write_partitioned(f)
    sizes = group_bytes(hive)
    assert sizes is not None and len([g for g in sizes if g]) == 9  # the fleet's 9 groups
    # 1M is under BASE_BYTES: no number of buckets reaches it, so the fewest buckets that
    # reach the floor (the merge's estimate): more than one (one bucket's estimate is 3.0 ×
    # the files, the floor 1.5 ×)
    n = partitions_for(read_tables(hive), 1 << 20, sizes)
    assert n > 1 and peak_estimate(sizes, n) == floor_estimate(sizes)
    assert peak_estimate(sizes, n - 1) > floor_estimate(sizes)
    one, limited = tmp_path / "one.json", tmp_path / "limited.json"
    assert cli("report", hive, "-o", one).exit_code == 0
    r = cli("report", hive, "-o", limited, "--memory-limit", "1M", "--lang", "en")
    assert r.exit_code == 0 and "--memory-limit 1 MB is under the ~" in r.stderr
    assert one.read_bytes() == limited.read_bytes()


def test_cli_partitions_same_bytes(cli, tmp_path: Path, fleet: Path) -> None:
    one, two, three = (tmp_path / f"{n}.json" for n in ("one", "parts", "limit"))
    md_one, md_parts = tmp_path / "one.md", tmp_path / "parts.md"
    assert cli("report", fleet, "-o", one).exit_code == 0
    assert cli("report", fleet, "-o", two, "--partitions", "4").exit_code == 0
    # 16K: 2,048 cells (8 bytes each) a bucket, far fewer than the fleet has: a bucket or so
    # per group
    assert cli("report", fleet, "-o", three, "--memory-limit", "16K").exit_code == 0
    assert one.read_bytes() == two.read_bytes() == three.read_bytes()
    assert cli("report", fleet, "-o", md_one).exit_code == 0
    assert cli("report", fleet, "-o", md_parts, "--partitions", "3").exit_code == 0
    assert md_one.read_bytes() == md_parts.read_bytes()
    trend_one, trend_parts = tmp_path / "t1.json", tmp_path / "t2.json"
    assert cli("report", fleet, "-o", trend_one, "--trend", "3", "--compare", "prev").exit_code == 0
    r = cli(
        "report", fleet, "-o", trend_parts, "--trend", "3", "--compare", "prev", "--partitions", "2"
    )
    assert r.exit_code == 0, r.stderr
    assert trend_one.read_bytes() == trend_parts.read_bytes()


def test_cli_memory_limit_says_what_is_made_whole(cli, tmp_path: Path, fleet: Path) -> None:
    # 16K: partitioned (the tables' cells rule: this process holds more than 16K); the JSON
    # into a file is written a group at a time: no note; Markdown and stdout JSON: the note
    said = "--views, JSON to stdout and reports with --compare/--trend are made whole"
    r = cli("report", fleet, "-o", tmp_path / "r.json", "--memory-limit", "16K", "--lang", "en")
    assert r.exit_code == 0 and "this process holds once the data is read" in r.stderr
    assert "--memory-limit 0.016 MB is under" in r.stderr  # (16K: not "0 MB")
    assert said not in r.stderr
    r = cli("report", fleet, "-o", tmp_path / "r.md", "--memory-limit", "16K", "--lang", "en")
    assert r.exit_code == 0 and said in r.stderr
    r = cli("report", fleet, "-f", "json", "--memory-limit", "16K", "--lang", "zh")
    assert r.exit_code == 0 and "输出到标准输出的 JSON 以及带 --compare/--trend 的报告" in r.stderr
    # JSON into a file with --compare: its group sections are held for the comparison
    r = cli(
        "report",
        fleet,
        "-o",
        tmp_path / "c.json",
        "--memory-limit",
        "16K",
        "--compare",
        "prev",
        "--lang",
        "en",
    )
    assert r.exit_code == 0 and said in r.stderr
    # the one pass (no bucket): no note
    r = cli("report", fleet, "-o", tmp_path / "one.md", "--lang", "en")
    assert r.exit_code == 0 and said not in r.stderr


def test_cli_every_output(cli, tmp_path: Path) -> None:
    """HTML, the workbook, the lists and the views read every member's inputs: the buckets
    send theirs, merged; the same bytes again."""
    data, sop = EXAMPLE / "data", EXAMPLE / "sop.yaml"
    for n, extra in (("one", []), ("parts", ["--partitions", "3"])):
        out = tmp_path / n
        out.mkdir()
        base = ["report", data, "--sop", sop, *extra]
        assert cli(*base, "-o", out / "r.html").exit_code == 0
        assert cli(*base, "-o", out / "r.xlsx").exit_code == 0
        assert cli(*base, "-o", out / "r.json", "--views").exit_code == 0
        assert cli(*base, "-f", "md", "-o", out / "r.md", "--lists", out / "lists").exit_code == 0
    one = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.*"))
    parts = sorted(p.relative_to(tmp_path / "parts") for p in (tmp_path / "parts").rglob("*.*"))
    assert one == parts and len(one) > 8
    for rel in one:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "parts" / rel).read_bytes(), rel


def test_cli_memory_limit_bad(cli) -> None:
    r = cli("report", EXAMPLE / "data", "--memory-limit", "much", "--lang", "en")
    assert r.exit_code == 2 and "--memory-limit" in r.stderr


def test_buckets_in_other_processes(tmp_path: Path) -> None:
    """The plan and the partials cross process boundaries (fresh interpreters, as a
    distributed engine's workers are): the same bytes."""
    import multiprocessing as mp

    settings = Settings(staff_ids=frozenset({"s1"}), day0={"gA": D0, "gB": D0})
    as_of = dt.date(2026, 12, 6)
    tables = prepare_tables(_hand_fleet(), tz=settings.tz)
    single = build_report(tables, settings=settings, as_of=as_of, trend=2)
    plan = plan_partitions(
        tables, tmp_path, partitions=3, settings=settings, as_of=as_of, trend=2, inputs=True
    )
    with mp.get_context("spawn").Pool(1) as pool:
        parts = pool.starmap(run_partition, [(plan, k) for k in plan.nonempty])
    assert len(parts) == 2  # gA in bucket 1, gB in bucket 2
    _same(single, merge_partials(plan, parts))


def test_cli_by_files_per_value(cli, tmp_path: Path, fleet: Path) -> None:
    """``--by ATTR -f md -o DIR/``: one Markdown file per value (each a scoped copy of the
    merged report: its service and channels narrowed again), the same bytes."""
    groups = tmp_path / "stores.csv"
    groups.write_text(
        "id,city\n" + "".join(f"g{i:02d},{'north' if i % 2 else 'south'}\n" for i in range(1, 10)),
        encoding="utf-8",
    )
    for n, extra in (("one", []), ("parts", ["--partitions", "3"])):
        out = tmp_path / n
        r = cli(
            "report", fleet, "--groups", groups, "--by", "city", "-f", "md", "-o", f"{out}/", *extra
        )
        assert r.exit_code == 0, r.stderr
    files = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert files == ["city-north.md", "city-south.md"]
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "parts" / name).read_bytes()


# ------------------------------------------------------------------ phase 0 in bounded passes
def test_rows_without_group_in_member_slices(
    tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attribution slice by slice of members (at most 40 rows without a group per slice:
    many slices): the same bytes, and the slices' files are where the buckets read them."""
    import sqops.report.split as split

    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    single = build_report(tables, settings=settings, lang="en")
    monkeypatch.setattr(split, "SLICE_ROWS", 40)
    folder = tmp_path / "sliced"
    plan = plan_partitions(tables, folder, partitions=3, settings=settings)
    slices = sorted(p.name for p in (folder / "loose" / "orders").iterdir())
    assert len(slices) > 3  # (a third of the orders lack a group: more than 120 rows)
    parts = [pickle.loads(pickle.dumps(run_partition(plan, k))) for k in plan.nonempty]
    _same(single, merge_partials(plan, parts))
    # in this process, without files: the slices' groups kept in the plan
    _same(single, build_partitioned(tables, partitions=3, settings=settings))


def test_bucket_files_keep_the_row_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqops.report.split as split

    settings = Settings(staff_ids=frozenset({"s1"}), day0={"gA": D0, "gB": D0})
    tables = prepare_tables(_hand_fleet(), tz=settings.tz)
    # 4 orders without a group, nothing else without one: 4 slices of members; the orders
    # found a group (m1's o1 and o2, m2's o3) are written by the slices of m1 and m2
    monkeypatch.setattr(split, "SLICE_ROWS", 1)
    plan = plan_partitions(
        tables, tmp_path, partitions=3, settings=settings, as_of=dt.date(2026, 12, 6)
    )
    written = {p.name for p in (tmp_path / "loose" / "orders").iterdir()}
    assert 1 <= len(written) <= 2 and written <= {f"slice-{j}" for j in range(4)}

    def rows(name: str, k: int) -> list[int]:
        files = split.bucket_files(tmp_path, name, k)
        return pl.read_parquet(files)["_row"].sort().to_list() if files else []

    # orders rows 1..4 (o1..o4): o1 → gB (bucket 2), o2 and o3 → gA (bucket 1), o4 none
    assert rows("orders", 1) == [2, 3]
    assert rows("orders", 2) == [1]
    assert rows("orders", 0) == []
    # members rows 1-4: gA's are 1 and 3, gB's 2 and 4; messages 1, 3, 5 (s1) in gA
    assert rows("members", 1) == [1, 3] and rows("members", 2) == [2, 4]
    assert rows("messages", 1) == [1, 3, 5] and rows("messages", 2) == [2, 4]
    # the open of gA's post p1 carries gB: in gA's bucket as an open, in gB's as a row
    assert rows("opens", 1) == [1] and rows("engagement", 2) == [1]
    orders = next(t for t in plan.data_quality["tables"] if t["table"] == "orders")
    assert orders["unattributed"] == 1  # o4


def test_private_folder_removed_on_error(tmp_path: Path, fleet: Path, monkeypatch) -> None:
    import tempfile

    from sqops.report.partition import partitioned_report

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    tables = read_tables(fleet)
    with pytest.raises(UsageError, match="no such group"):
        partitioned_report(tables, 2, groups=["nope"])
    assert not list(tmp_path.glob("sqops-report-parts-*"))
    partitioned_report(tables, 2)
    assert not list(tmp_path.glob("sqops-report-parts-*"))


def test_duplicate_ids_in_hash_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqops.data.tables as tables_mod
    from sqops.data.tables import repeated_keys

    # keys 5, 3, 5, 7, 3, 3, 9: 5 twice and 3 three times, whatever the slices
    ids = pl.LazyFrame({"k": [5, 3, 5, 7, 3, 3, 9]})
    for per in (100, 3, 2, 1):
        got = repeated_keys(ids, pl.col("k"), 7, per)
        assert sorted(got.to_list()) == [3, 5], per
    rows = [
        ("a", "2026-12-01 10:00", "g1", "m1"),  # row 1
        ("b", "2026-12-01 10:00", "g1", "m1"),  # row 2
        ("a", "2026-12-01 11:00", "g1", "m2"),  # row 3: a again
        ("c", "2026-12-01 11:00", "g2", "m2"),  # row 4
        ("b", "2026-12-02 11:00", "g2", "m3"),  # row 5: b again
        ("a", "2026-12-02 11:00", "g2", "m3"),  # row 6: a a third time
        ("d", "2026-12-02 12:00", "g2", "m3"),  # row 7
    ]
    msgs = frame("msg_id,ts,group_id,member_id", rows)
    whole = prepare_tables({"messages": msgs})["messages"]
    monkeypatch.setattr(tables_mod, "KEY_SLICE_ROWS", 2)  # 4 slices of the 7 rows
    sliced = prepare_tables({"messages": msgs})["messages"]
    for td in (whole, sliced):
        assert (td.duplicates, td.duplicate_rows) == (3, [3, 5, 6])
        assert td.frame.collect()["_row"].to_list() == [1, 2, 4, 7]


def test_service_merged_in_pieces(
    tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The merge's service section from the buckets' group counts, the fleet's sums, the
    staff a slice of members at a time (here one answered question a slice: every staff
    member in a slice of their own or with others) and the unanswered questions alone: the
    single pass's section."""
    import shutil

    from sqops.report import partition

    # the fleet and, at the end of the as-of day in three groups, a member's question no
    # staff message follows (unanswered: 3 rows in the list)
    data = tmp_path / "data"
    shutil.copytree(fleet, data)
    msgs = pl.read_parquet(data / "messages.parquet")
    last = msgs["ts"].max()
    asked = pl.concat(
        msgs.filter((pl.col("group_id") == g) & (pl.col("role") == "member")).tail(1)
        for g in ("g02", "g05", "g08")
    ).with_columns(
        pl.lit(last).dt.offset_by("1m").alias("ts"),
        (pl.int_range(3) + 9_100_000_000).alias("msg_id"),
        pl.lit("text").alias("msg_type"),
        pl.lit("还有货吗？").alias("content"),
        pl.lit(None, pl.Int64).alias("reply_to"),
    )
    pl.concat([msgs, asked]).write_parquet(data / "messages.parquet")
    settings = Settings()
    tables = read_tables(data, tz=settings.tz)
    single = build_report(tables, settings=settings, lang="en")
    svc = single.service
    assert svc is not None and svc.fleet is not None
    # (the fleet has what the test is about: answered questions of several staff members,
    # unanswered ones, questions in every bucket)
    assert len(svc.staff) > 1 and svc.unanswered.height == 3
    monkeypatch.setattr(partition, "STAFF_SLICE", 1)
    for n in (2, 5):
        rep = _partitioned(tables, tmp_path / str(n), n, settings)
        assert rep.service is not None
        assert rep.service.to_dict() == svc.to_dict()
        _same(single, rep)


def test_service_with_a_bucket_without_questions(tmp_path: Path) -> None:
    """A bucket whose groups asked nothing in the window sends its (empty) questions with the
    columns every bucket sends: the merge concatenates them (it stopped on "schema lengths
    differ"), the single pass's section."""
    rows = [
        # g1 (bucket 1 of 2): one question, answered by s1 ten minutes later
        ("q1", "2026-12-07 09:00:00", "g1", "m1", "text", "有货吗?"),
        ("a1", "2026-12-07 09:10:00", "g1", "s1", "text", "有"),
        # g4 (bucket 0 of 2): members talk, no question mark, no reply: no question
        ("c1", "2026-12-07 10:00:00", "g4", "m2", "text", "早"),
        ("c2", "2026-12-07 10:05:00", "g4", "s1", "text", "早上好"),
    ]
    messages = frame("msg_id, ts, group_id, member_id, msg_type, content", rows)
    settings = Settings(staff_ids=frozenset({"s1"}))
    tables = prepare_tables({"messages": messages})
    plan = plan_partitions(tables, tmp_path / "plan", partitions=2, settings=settings)
    assert plan.groups_of(0) == ["g4"] and plan.groups_of(1) == ["g1"]  # (the case)
    single = build_report(tables, settings=settings)
    svc = single.service
    assert svc is not None and svc.fleet is not None
    # one question in all (g1's), answered in 10 minutes; g4 none
    assert (svc.fleet.questions, svc.fleet.answered, svc.fleet.median_response_minutes) == (
        1,
        1,
        10.0,
    )
    assert svc.groups["g4"].questions == 0
    rep = _partitioned(tables, tmp_path / "parts", 2, settings)
    assert rep.service is not None and rep.service.to_dict() == svc.to_dict()
    # nothing unanswered and no group named: the same empty list, its names as text in both
    assert rep.service.unanswered.schema == svc.unanswered.schema
    assert svc.unanswered.height == 0 and svc.unanswered.schema["group_name"] == pl.String
    _same(single, rep)


def test_service_minutes_of_a_bucket_with_one_question(tmp_path: Path) -> None:
    """A bucket with a single question computes its minutes as the one pass does over many:
    polars divided one row by 60 exactly (813 s → 13.55 → "13.6") and several as × 1/60
    (13.549999999999999 → "13.5"), so the group's and the staff member's medians differed."""
    rows = [
        # g1 (bucket 1 of 2): two questions, answered by s1 after 10 and 20 minutes
        ("q1", "2026-12-07 09:00:00", "g1", "m1", "text", "有货吗?"),
        ("a1", "2026-12-07 09:10:00", "g1", "s1", "text", "有"),
        ("q2", "2026-12-07 11:00:00", "g1", "m1", "text", "多少钱?"),
        ("a2", "2026-12-07 11:20:00", "g1", "s1", "text", "99"),
        # g4 (bucket 0 of 2): one question, answered by s2 after 13 min 33 s = 813 s
        ("q3", "2026-12-07 10:00:00", "g4", "m2", "text", "在吗?"),
        ("a3", "2026-12-07 10:13:33", "g4", "s2", "text", "在"),
    ]
    messages = frame("msg_id, ts, group_id, member_id, msg_type, content", rows)
    settings = Settings(staff_ids=frozenset({"s1", "s2"}))
    tables = prepare_tables({"messages": messages})
    plan = plan_partitions(tables, tmp_path / "plan", partitions=2, settings=settings)
    assert plan.groups_of(0) == ["g4"] and plan.groups_of(1) == ["g1"]  # (the case)
    single = build_report(tables, settings=settings)
    svc = single.service
    assert svc is not None
    # 813 s in minutes as the section computes them (× 1/60): below 13.55, shown 13.5
    assert svc.groups["g4"].median_response_minutes == 813 * (1 / 60) < 13.55
    assert [(s.member_id, s.answered) for s in svc.staff] == [("s1", 2), ("s2", 1)]
    assert svc.to_dict()["staff"][1]["median_response_minutes"] == 13.5
    rep = _partitioned(tables, tmp_path / "parts", 2, settings)
    assert rep.service is not None and rep.service.to_dict() == svc.to_dict()
    _same(single, rep)


def test_cli_memory_limit_without_proc_says_so(
    cli, tmp_path: Path, fleet: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the system does not say what the process holds (no /proc: macOS, Windows) the
    tables' cells decide the buckets, and --memory-limit says so (docs/report.md)."""
    from sqops.data import runtime

    monkeypatch.setattr(runtime, "resident_bytes", lambda: None)
    r = cli("report", fleet, "-o", tmp_path / "r.json", "--memory-limit", "16K", "--lang", "en")
    assert r.exit_code == 0 and "the system does not say what this process holds" in r.stderr
    r = cli("report", fleet, "-o", tmp_path / "z.json", "--memory-limit", "16K", "--lang", "zh")
    assert r.exit_code == 0 and "系统不提供本进程占用的内存" in r.stderr
    # the same bytes as the one pass
    one = cli("report", fleet, "-o", tmp_path / "one.json", "--lang", "en")
    assert one.exit_code == 0
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "r.json").read_bytes()
