"""``sqops demo``: deterministic, spec-shaped tables with the documented dirty rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from sqops.demo import BAD_TS_TEXT, TABLES, DemoOptions, demo_groups, generate_demo
from sqops.sop import load_sop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "skincare"
SOP_PATH = EXAMPLE / "sop.yaml"
#: The command that wrote examples/skincare/data (also in docs/demo.md and the example README).
EXAMPLE_ARGS = ["--sop", str(SOP_PATH), "--members", "100"]

SPEC_COLUMNS = {
    "messages": ["ts", "group_id", "member_id", "msg_id", "member_name", "msg_type", "content", "reply_to", "role"],
    "members": ["ts", "group_id", "member_id", "event", "inviter_id", "channel", "member_name"],
    "staff": ["member_id", "role", "name"],
    "posts": ["post_id", "ts", "group_id", "kind", "title", "column"],
    "engagement": ["ts", "member_id", "event", "post_id", "activity_id", "group_id"],
    "orders": ["order_id", "ts", "member_id", "amount", "group_id", "status", "coupon_id"],
    "coupons": ["coupon_id", "member_id", "ts", "group_id"],
}  # fmt: skip


def _read(directory: Path, table: str) -> pl.DataFrame:
    return pl.read_csv(directory / f"{table}.csv", infer_schema=False)


@pytest.fixture(scope="module")
def sop():
    return load_sop(SOP_PATH).sop


@pytest.fixture(scope="module")
def small(tmp_path_factory, sop) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate_demo(sop, out, DemoOptions(members=40, days=100, seed=3))
    return out


def test_example_data_is_reproduced_byte_for_byte(cli, tmp_path):
    result = cli("demo", tmp_path / "data", *EXAMPLE_ARGS)
    assert result.exit_code == 0, result.output
    committed = sorted(p.name for p in (EXAMPLE / "data").iterdir())
    assert committed == sorted(f"{t}.csv" for t in TABLES)
    for name in committed:
        assert (tmp_path / "data" / name).read_bytes() == (EXAMPLE / "data" / name).read_bytes(), (
            name
        )


def test_example_data_stays_small():
    total = sum(p.stat().st_size for p in (EXAMPLE / "data").iterdir())
    assert total < 2_000_000


def test_bundled_sop_is_the_example_sop():
    bundled = ROOT / "src" / "sqops" / "demo" / "skincare.sop.yaml"
    assert bundled.read_bytes() == SOP_PATH.read_bytes()


def test_columns_follow_the_spec_and_csv_has_a_bom(small):
    for table, cols in SPEC_COLUMNS.items():
        raw = (small / f"{table}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert raw.split(b"\r\n", 1)[0].decode("utf-8-sig").split(",") == cols


def test_parquet_is_deterministic_and_typed(tmp_path, sop):
    opts = DemoOptions(members=30, days=40, seed=5, fmt="parquet")
    generate_demo(sop, tmp_path / "a", opts)
    generate_demo(sop, tmp_path / "b", opts)
    for t in TABLES:
        assert (tmp_path / "a" / f"{t}.parquet").read_bytes() == (
            tmp_path / "b" / f"{t}.parquet"
        ).read_bytes()
    m = pl.read_parquet(tmp_path / "a" / "messages.parquet")
    assert list(m.columns) == SPEC_COLUMNS["messages"]
    assert m.schema["ts"] == pl.Datetime("us")
    assert m["ts"].null_count() == 1  # the bad timestamp, as a null in Parquet


def test_another_seed_gives_other_data(tmp_path, sop):
    generate_demo(sop, tmp_path / "a", DemoOptions(members=20, days=30, seed=1))
    generate_demo(sop, tmp_path / "b", DemoOptions(members=20, days=30, seed=2))
    assert (tmp_path / "a" / "messages.csv").read_bytes() != (
        tmp_path / "b" / "messages.csv"
    ).read_bytes()


def test_the_dirty_rows_are_there_once(small):
    m = _read(small, "messages")
    assert (m["ts"] == BAD_TS_TEXT).sum() == 1
    dup = m.group_by("msg_id").len().filter(pl.col("len") > 1)
    assert dup.height == 1 and dup["len"][0] == 2
    o = _read(small, "orders")
    assert (o["amount"].cast(pl.Float64) < 0).sum() == 1
    assert o["group_id"].null_count() == 1
    assert o.filter(pl.col("group_id").is_null())["status"][0] == "paid"
    # a member who speaks in g01 with no member events there
    mem = _read(small, "members")
    speakers = set(
        m.filter((pl.col("group_id") == "g01") & (pl.col("role") == "member"))["member_id"]
    )
    with_events = set(mem.filter(pl.col("group_id") == "g01")["member_id"])
    assert len(speakers - with_events) == 1


def test_rows_stay_inside_the_range_and_after_each_launch(small, sop):
    launch = {g.id: g.launched_on for g in sop.groups}
    for table in ("messages", "members", "posts", "engagement", "orders", "coupons"):
        df = _read(small, table).filter(pl.col("ts") != BAD_TS_TEXT)
        ts = df["ts"].str.to_datetime("%Y-%m-%d %H:%M:%S")
        assert ts.min() >= dt.datetime(2026, 10, 1), table
        assert ts.max() < dt.datetime(2027, 1, 9), table  # 100 days from 2026-10-01
        with_gid = df.with_columns(day=ts.dt.date()).drop_nulls("group_id")
        for gid, first in with_gid.group_by("group_id").agg(pl.col("day").min()).iter_rows():
            assert first >= launch[gid], (table, gid)


def test_membership_events_are_ordered_per_member(small):
    mem = _read(small, "members").with_columns(pl.col("ts").str.to_datetime())
    first = mem.group_by("group_id", "member_id", "event").agg(pl.col("ts").min())
    wide = first.pivot("event", index=["group_id", "member_id"], values="ts")
    both = wide.drop_nulls(["invited", "join"])
    assert both.height > 50
    assert (both["invited"] < both["join"]).all()
    left = wide.drop_nulls(["join", "leave"])
    assert left.height > 0 and (left["join"] < left["leave"]).all()
    # some invitations are never followed by a join; some joins come through an inviter
    assert wide.filter(pl.col("join").is_null()).height > 0
    assert mem.filter((pl.col("event") == "join") & pl.col("inviter_id").is_not_null()).height > 0


def test_staff_and_bot_are_marked(small, sop):
    m = _read(small, "messages")
    staff_rows = m.filter(pl.col("role") == "staff")
    assert set(staff_rows["member_id"]) <= sop.staff_ids
    assert set(m.filter(pl.col("role") == "bot")["member_id"]) == {"bot_helper"}
    assert not set(m.filter(pl.col("role") == "member")["member_id"]) & (
        sop.staff_ids | {"bot_helper"}
    )
    assert set(_read(small, "staff")["member_id"]) == sop.staff_ids
    # join notices are system messages of the joining member
    assert m.filter(pl.col("msg_type") == "system")["role"].unique().to_list() == ["member"]


def test_posts_follow_the_cadence_with_jitter(small):
    posts = _read(small, "posts").with_columns(pl.col("ts").str.to_datetime())
    morning = posts.filter((pl.col("group_id") == "g01") & (pl.col("column") == "morning"))
    # g01 launches 2026-10-01: 100 planned morning pushes, 8% missed on average
    assert 80 <= morning.height <= 100
    late = morning.select(
        (
            pl.col("ts") - pl.col("ts").dt.truncate("1d") - pl.duration(hours=8, minutes=30)
        ).dt.total_minutes()
    ).to_series()
    assert late.min() >= -3 and late.max() <= 120
    assert (late.abs() <= 8).mean() > 0.7  # mostly on time
    # the lifecycle welcome is relative to each group's launch; campaigns on their date
    welcome = posts.filter(pl.col("column") == "welcome")
    expected = {
        ("g01", dt.date(2026, 10, 1)),
        ("g02", dt.date(2026, 10, 15)),
        ("g03", dt.date(2026, 11, 1)),
    }
    assert {(g, d.date()) for g, d in welcome.select("group_id", "ts").iter_rows()} <= expected
    assert all(
        pid.startswith(f"{g}-") for g, pid in posts.select("group_id", "post_id").iter_rows()
    )
    assert posts["post_id"].n_unique() == posts.height


def test_messages_have_a_lifecycle_decay_and_an_evening_peak(small):
    m = _read(small, "messages").filter(
        (pl.col("role") == "member") & (pl.col("ts") != BAD_TS_TEXT)
    )
    ts = m["ts"].str.to_datetime()
    hours = ts.dt.hour().value_counts().sort("ts")
    by_hour = dict(hours.iter_rows())
    assert by_hour.get(21, 0) > 5 * by_hour.get(3, 0)
    g01 = m.filter(pl.col("group_id") == "g01")["ts"].str.to_datetime().dt.date()
    first_month = (g01 < dt.date(2026, 10, 31)).sum()
    third_month = ((g01 >= dt.date(2026, 12, 1)) & (g01 < dt.date(2026, 12, 31))).sum()
    assert first_month > third_month


def test_more_groups_are_synthesised_with_spread_launches(sop):
    start, groups = demo_groups(sop, 6, None, 120)
    assert start == dt.date(2026, 10, 1)
    assert [g.id for g in groups] == ["g01", "g02", "g03", "g04", "g05", "g06"]
    launches = [g.launched_on for g in groups[3:]]
    assert len(set(launches)) == 3 and all(
        start <= d < start + dt.timedelta(days=72) for d in launches
    )
    fewer = demo_groups(sop, 2, None, 120)[1]
    assert [g.id for g in fewer] == ["g01", "g02"]


def test_cli_reports_rows_and_rejects_bad_options(cli, tmp_path):
    ok = cli(
        "demo", tmp_path / "d", "--members", "10", "--days", "20", "--groups", "4", "--lang", "en"
    )
    assert ok.exit_code == 0
    assert (
        ok.output.splitlines()[0]
        == f"wrote example data for 4 groups, 2026-10-01 to 2026-10-20 (csv) → {(tmp_path / 'd').as_posix()}"
    )
    assert "  messages.csv: " in ok.output
    bad = cli("demo", tmp_path / "e", "--days", "0")
    assert bad.exit_code == 2
    missing = cli("demo", tmp_path / "f", "--sop", tmp_path / "nope.yaml", "--lang", "en")
    assert missing.exit_code == 2
    assert "nope.yaml" in missing.stderr
    assert not (tmp_path / "f").exists()


def test_start_moves_the_range_and_early_groups_wait_for_their_launch(cli, tmp_path):
    out = tmp_path / "s"
    result = cli(
        "demo", out, "--members", "8", "--days", "20", "--start", "2026-09-25", "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    assert "2026-09-25 to 2026-10-14" in result.output
    m = pl.read_csv(out / "messages.csv", infer_schema=False).filter(pl.col("ts") != BAD_TS_TEXT)
    days = m["ts"].str.slice(0, 10)
    assert days.min() >= "2026-10-01"  # g01 launches 2026-10-01: nothing before
    assert days.max() <= "2026-10-14"
    assert set(m["group_id"]) == {"g01"}  # g02 (10-15) and g03 (11-01) launch after the range
