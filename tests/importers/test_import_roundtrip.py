"""Round trip per format: fixture → ``sqops import`` → ``sqops report --format json``.

Each chat fixture is reported with a one-off SOP whose launch day is 7 days before the data,
so that the data days fall in the activation stage. Then, by the definitions of spec §2:

* ``speaking_rate`` numerator = distinct non-staff speakers (non-system messages);
* ``fission_rate`` numerator = distinct members whose join has a non-staff inviter;
* ``referral_rate`` = members on the as-of day who invited someone / members on the as-of day.

Order fixtures are reported together with a small hand-written messages table of their
buyers (launch 30 days before, so the orders fall in the monetisation stage): ``aov`` and
``conversion_rate`` then show which orders were read as paid and with what amount.
All expected numbers are counted by hand from the fixtures.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures"


def sop(tmp_path: Path, launched_on: date) -> Path:
    p = tmp_path / "sop.yaml"
    p.write_text(
        "version: 1\n"
        "community:\n"
        "  name: 导入测试群\n"
        "  platform: wechat\n"
        "  type: refined\n"
        "  timezone: Asia/Shanghai\n"
        "  language: en\n"
        f"  launched_on: {launched_on.isoformat()}\n",
        encoding="utf-8",
    )
    return p


def report(cli, data: Path, sop_path: Path) -> dict:
    res = cli("report", data, "--sop", sop_path, "--format", "json", "--lang", "en")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def kpi(group: dict, name: str) -> tuple:
    for stage in group["stages"]:
        for k in stage["kpis"]:
            if k["name"] == name:
                return k["numerator"], k["denominator"]
    raise AssertionError(name)


# (format, fixture files, first data day, as-of, speakers, members in W, joins with a
#  non-staff inviter, inviters present on as-of, members on as-of)
CHAT_CASES = [
    ("wechat-msg", ["wechat_msg.csv"], "2026-12-01", "2026-12-02", 5, 5, 4, 3, 5),
    ("wechat-chatlog", ["wechat_chatlog.csv"], "2026-12-03", "2026-12-04", 4, 4, 3, 2, 4),
    ("wechat-chatlog", ["wechat_chatlog.json"], "2026-12-03", "2026-12-03", 4, 4, 3, 2, 4),
    ("qq", ["qq.txt"], "2026-12-01", "2026-12-02", 4, 4, 1, 1, 4),
    ("telegram", ["telegram_chat.json"], "2026-12-10", "2026-12-11", 4, 4, 3, 2, 4),
    # no from_id: the channel "Glow Brand News" speaks as name:Glow Brand News (present from
    # its first message, as any speaker without a join); Mei (creator), Rui (by Mei)
    ("telegram", ["telegram_no_from_id.json"], "2026-12-10", "2026-12-11", 3, 3, 1, 1, 3),
    ("whatsapp", ["WhatsApp Chat with Glow Club.txt"], "2026-12-14", "2026-12-16", 4, 4, 2, 1, 4),
    # es, midnight as 00:08 a. m., "Ana te añadió": joins Ana, self, Bea, Carla, Dani (5);
    # Carla left on the as-of day (still present that day, as Ben above); speakers Ana, Bea;
    # joins invited by Ana: self, Bea, Carla; inviter present on the as-of day: Ana
    ("whatsapp", ["whatsapp_passive_es.txt"], "2026-12-01", "2026-12-13", 2, 5, 3, 1, 5),
    # ru: joins Аня (created), self, Вера, Галя, Женя (by Аня), Даша (link) = 6, all on
    # 03-12; Галя, Даша and self leave on the as-of day (still present that day); speakers
    # Вера, Галя; joins invited by Аня: self, Вера, Галя, Женя; inviter on as-of: Аня
    ("whatsapp", ["whatsapp_ru.txt"], "2026-03-12", "2026-03-14", 2, 6, 4, 1, 6),
    # zh-Hans: joins 小林, self, 小红, 小白, 小青, 小蓝, 小紫 = 7; 小青, 小蓝 and self leave on
    # the as-of day; speakers 小白, 小红, 小青; invited by a member: self, 小红, 小白, 小青 (by
    # 小林) and 小紫 (by self) = 5; inviters on as-of: 小林 and self = 2
    ("whatsapp", ["whatsapp_zh_hans.txt"], "2026-03-12", "2026-03-14", 3, 7, 5, 2, 7),
    # pt-BR, de, id (Android): each joins 8 on 03-13 (the creator, self and two or three
    # more by the creator, one by link, two or three by self); 4 leaves on the as-of day
    # (still present that day); 3 speakers; invited by a member: self and two or three by
    # the creator, two or three by self = 6; inviters on as-of: the creator and self
    ("whatsapp", ["whatsapp_pt.txt"], "2026-03-13", "2026-03-15", 3, 8, 6, 2, 8),
    ("whatsapp", ["whatsapp_de.txt"], "2026-03-13", "2026-03-15", 3, 8, 6, 2, 8),
    ("whatsapp", ["whatsapp_id.txt"], "2026-03-13", "2026-03-15", 3, 8, 6, 2, 8),
    # de iOS: Anna (created), Dani (by Anna, written "~ Dani", who speaks as "~ Dani" and
    # leaves on the as-of day) — 2 speakers, 2 members, 1 invited, inviter Anna
    ("whatsapp", ["whatsapp_de_ios.txt"], "2026-03-13", "2026-03-14", 2, 2, 1, 1, 2),
    # es iOS: joins Ana (created), self, Bea, Carla (by Ana, "Ana te añadió." and "añadió
    # a"), Dani (link) = 5 in W; Carla left on 12-02, before the as-of day 12-13; speakers
    # Ana, Bea, Carla, Dani (the "<adjunto: …>" lines are theirs); invited by Ana: self, Bea,
    # Carla = 3; inviter on as-of: Ana; on as-of: Ana, self, Bea, Dani = 4
    ("whatsapp", ["whatsapp_es_ios.txt"], "2026-12-01", "2026-12-13", 4, 5, 3, 1, 4),
    # pt-BR iOS: joins Ana (criou este grupo), self, Bia, Carla (by Ana), Duda (by the
    # exporter's link) = 5; Carla leaves on the as-of day (still present); speakers Bia,
    # Carla, Ana (their omitted media), Duda; invited: self, Bia, Carla (Ana), Duda (self) =
    # 4; inviters on as-of: Ana, self
    ("whatsapp", ["whatsapp_pt_ios.txt"], "2026-03-13", "2026-03-14", 4, 5, 4, 2, 5),
    # zh-Hans iOS: joins 小林 (创建了此群组), self, 小红, 小白 (by 小林) = 4; 小白 leaves at
    # 上午12:10 on the as-of day; speakers 小白, 小红; invited by 小林: 3; inviter on as-of: 小林
    ("whatsapp", ["whatsapp_zh_hans_ios.txt"], "2026-03-12", "2026-03-13", 2, 4, 3, 1, 4),
    (
        "whatsapp",
        ["WhatsApp Chat - Glow Club iOS/_chat.txt"],
        "2026-12-14",
        "2026-12-15",
        2,
        2,
        1,
        1,
        2,
    ),
    (
        "wecom",
        ["wecom_messages.jsonl", "wecom_group.json"],
        "2026-12-19",
        "2026-12-21",
        3,
        3,
        1,
        1,
        3,
    ),
    # Discord exports carry no inviter: fission and referral are unavailable, not 0
    ("discord", ["discord.json"], "2026-12-20", "2026-12-21", 3, 3, None, None, 3),
    ("discord", ["discord_general.csv"], "2026-12-20", "2026-12-21", 3, 3, None, None, 3),
]


@pytest.mark.parametrize(
    ("fmt", "files", "first", "as_of", "speakers", "members", "fission", "inviters", "on_as_of"),
    CHAT_CASES,
    ids=[f"{c[0]}:{c[1][0]}" for c in CHAT_CASES],
)
def test_chat_round_trip(
    cli, tmp_path, fmt, files, first, as_of, speakers, members, fission, inviters, on_as_of
):
    out = tmp_path / "data"
    res = cli("import", fmt, *[FIX / f for f in files], "-o", out)
    assert res.exit_code == 0, res.output
    launch = date.fromisoformat(first) - timedelta(days=7)
    rep = report(cli, out, sop(tmp_path, launch))
    assert rep["as_of"] == as_of
    (group,) = rep["groups"]
    assert group["current_stage"] == "activation"
    assert kpi(group, "speaking_rate") == (speakers, members)
    assert kpi(group, "fission_rate")[0] == fission
    assert kpi(group, "referral_rate") == (inviters, on_as_of if inviters is not None else None)
    assert group["members_on_as_of"] == on_as_of


def test_wecom_staff_are_left_out(cli, tmp_path):
    out = tmp_path / "data"
    assert (
        cli(
            "import", "wecom", FIX / "wecom_messages.jsonl", FIX / "wecom_group.json", "-o", out
        ).exit_code
        == 0
    )
    rep = report(cli, out, sop(tmp_path, date(2026, 12, 12)))
    # the owner and the admin (internal members) are staff, plus the "system" bot id
    assert rep["data_quality"]["staff_ids"] == 3


ORDER_CASES = [
    # format, fixture, extra args, buyers (as the importer names them), group, aov (num, den), converted
    (
        "youzan",
        "youzan_orders.csv",
        ["--group-id", "shop1"],
        ["yz_hong", "yz_bai", "name:小黑"],
        "shop1",
        (1387.0, 2),
        2,
    ),
    (
        "shopify",
        "shopify_orders.csv",
        ["--group-id", "shop1"],
        ["ana@example.com", "ben@example.com", "cleo@example.com"],
        "shop1",
        (1184.0, 2),
        2,
    ),
    # POS, draft and guest orders: all 6 paid orders (190.00) count for AOV; the two walk-ins
    # (unknown:#2003, unknown:#2007) are no members, so conversion is 4 of the 4 named buyers
    (
        "shopify",
        "shopify_pos_guest.csv",
        ["--group-id", "shop1"],
        ["mia@example.com", "tel:+15550102233", "name:Lena Ortiz", "tel:+15550109999"],
        "shop1",
        (190.0, 6),
        4,
    ),
    (
        "generic",
        "generic_orders.csv",
        ["--columns", str(FIX / "generic_map.yaml")],
        ["13800000001", "13800000002", "13800000003"],
        "weidian-1",
        (186.0, 2),
        2,
    ),
]


@pytest.mark.parametrize(
    ("fmt", "fixture", "extra", "buyers", "group", "aov", "converted"),
    ORDER_CASES,
    ids=[f"{c[0]}-{c[1]}" for c in ORDER_CASES],
)
def test_order_round_trip(cli, tmp_path, fmt, fixture, extra, buyers, group, aov, converted):
    out = tmp_path / "data"
    res = cli("import", fmt, FIX / fixture, "-o", out, "--format", "csv", *extra)
    assert res.exit_code == 0, res.output
    # the buyers speak in the shop's group on the first order day
    lines = ["ts,group_id,member_id,content"]
    lines += [f"2026-12-20 09:00:00,{group},{b},hi" for b in buyers]
    (out / "messages.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rep = report(cli, out, sop(tmp_path, date(2026, 11, 20)))
    (g,) = rep["groups"]
    assert g["current_stage"] == "monetisation"
    assert kpi(g, "aov") == aov
    assert kpi(g, "conversion_rate") == (converted, len(buyers))


ALL_FIXTURES = [
    ("wechat-msg", ["wechat_msg.csv"]),
    ("wechat-chatlog", ["wechat_chatlog.csv"]),
    ("wechat-chatlog", ["wechat_chatlog.json"]),
    ("qq", ["qq.txt"]),
    ("qq", ["qq_12h.txt"]),
    ("telegram", ["telegram_chat.json"]),
    ("telegram", ["telegram_full.json"]),
    ("whatsapp", ["WhatsApp Chat with Glow Club.txt"]),
    ("whatsapp", ["WhatsApp Chat - Glow Club iOS/_chat.txt"]),
    ("whatsapp", ["whatsapp_es.txt"]),
    ("whatsapp", ["whatsapp_pt.txt"]),
    ("whatsapp", ["whatsapp_de.txt"]),
    ("whatsapp", ["whatsapp_id.txt"]),
    ("whatsapp", ["whatsapp_de_ios.txt"]),
    ("whatsapp", ["whatsapp_es_ios.txt"]),
    ("whatsapp", ["whatsapp_pt_ios.txt"]),
    ("whatsapp", ["whatsapp_fr_ios.txt"]),
    ("whatsapp", ["whatsapp_id_ios.txt"]),
    ("whatsapp", ["whatsapp_zh_hans_ios.txt"]),
    ("whatsapp", ["whatsapp_zh_hant_ios.txt"]),
    ("whatsapp", ["whatsapp_de_ios_media.txt"]),
    ("wecom", ["wecom_messages.jsonl", "wecom_group.json"]),
    ("discord", ["discord.json"]),
    ("discord", ["discord_general.csv"]),
    ("youzan", ["youzan_orders.csv"]),
    ("shopify", ["shopify_orders.csv"]),
]


@pytest.mark.parametrize(
    ("fmt", "files"), ALL_FIXTURES, ids=[f"{f}:{p[0]}" for f, p in ALL_FIXTURES]
)
def test_report_reader_accepts_every_imported_row(fmt, files):
    import polars as pl

    from sqops.data.tables import prepare_tables
    from sqops.importers import import_files

    result = import_files(fmt, [FIX / f for f in files])
    frames = dict(result.tables)
    if "messages" not in frames:  # order exports: the reader needs a messages table
        frames["messages"] = pl.DataFrame(
            {"ts": ["2026-12-20T09:00:00+08:00"], "group_id": ["g"], "member_id": ["m"]}
        )
    tables = prepare_tables(frames, tz="Asia/Shanghai")
    for name, df in result.tables.items():
        assert tables[name].rows_read == df.height
        assert tables[name].rejected.height == 0, tables[name].rejected
        assert tables[name].duplicates == 0
