"""Each importer on its hand-written fixture: the exact canonical rows expected.

Fixtures live in tests/importers/fixtures/ (hand-written for sqops; the WhatsApp ones contain
invisible characters, see fixtures/README.md). Expectations are read off the fixtures by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sqops.importers import import_files

FIX = Path(__file__).parent / "fixtures"


def rows(result, table: str, *cols: str) -> list[tuple]:
    """Rows of ``cols``; a column the importer left out (all empty) reads as None."""
    df = result.tables[table]
    return [tuple(r.get(c) for c in cols) for r in df.iter_rows(named=True)]


def problem_lines(result) -> list[tuple[int | None, str]]:
    return [(p.where.line, p.text.en) for p in result.problems if p.code != "note"]


def events(result) -> list[tuple]:
    return rows(result, "members", "ts", "member_id", "event", "inviter_id", "channel")


def test_wechat_msg():
    r = import_files("wechat-msg", [FIX / "wechat_msg.csv"])
    assert rows(r, "messages", "ts", "member_id", "msg_type") == [
        ("2026-12-01T09:00:00+08:00", "system", "system"),
        ("2026-12-01T09:01:00+08:00", "self", "text"),
        ("2026-12-01T09:05:00+08:00", "wxid_hong", "text"),
        ("2026-12-01T09:10:00+08:00", "wxid_bai", "image"),
        ("2026-12-01T10:00:00+08:00", "system", "system"),
        ("2026-12-01T10:02:00+08:00", "wxid_hong", "miniprogram"),
        ("2026-12-01T10:03:00+08:00", "wxid_hei", "sticker"),
        ("2026-12-02T08:30:00+08:00", "system", "system"),
        ("2026-12-02T12:00:00+08:00", "system", "system"),
        ("2026-12-02T13:00:00+08:00", "wxid_green", "text"),
        ("2026-12-02T14:00:00+08:00", "wxid_hong", "voice"),
        ("2026-12-02T15:00:00+08:00", "system", "system"),
    ]
    assert set(r.tables["messages"]["group_id"]) == {"12345678@chatroom"}
    # names in notices resolve to the wxid shown with that nickname; 小林 is the exporter (self)
    assert events(r) == [
        ("2026-12-01T09:00:00+08:00", "wxid_hong", "join", "self", "invite"),
        ("2026-12-01T09:00:00+08:00", "wxid_bai", "join", "self", "invite"),
        ("2026-12-01T10:00:00+08:00", "wxid_hei", "join", "wxid_hong", "qrcode"),
        ("2026-12-02T08:30:00+08:00", "wxid_green", "join", "wxid_bai", "qrcode"),
        ("2026-12-02T12:00:00+08:00", "wxid_hei", "leave", None, "removed"),
    ]
    assert problem_lines(r) == [
        (9, "too few columns (2 of 12)"),
        (10, "cannot read CreateTime/StrTime: 'not-a-time'"),
    ]
    # a multi-line quoted body stays one message
    assert "收到，谢谢！\n第二行" in r.tables["messages"]["content"].to_list()


@pytest.mark.parametrize("name", ["wechat_chatlog.csv", "wechat_chatlog.json"])
def test_wechat_chatlog(name):
    r = import_files("wechat-chatlog", [FIX / name])
    joins = [e for e in events(r) if e[2] == "join"]
    assert joins == [
        ("2026-12-03T19:00:00+08:00", "wxid_mia", "join", "wxid_qing", "invite"),
        ("2026-12-03T19:00:00+08:00", "wxid_david", "join", "wxid_qing", "invite"),
        ("2026-12-03T20:15:00+08:00", "wxid_luna", "join", "wxid_mia", "qrcode"),
    ]
    speakers = r.tables["messages"].filter(msg_type="text")["member_id"].unique().sort().to_list()
    if name.endswith(".csv"):
        assert speakers == ["wxid_david", "wxid_luna", "wxid_qing"]
        assert events(r)[-1] == (
            "2026-12-04T21:00:00+08:00",
            "wxid_david",
            "leave",
            None,
            "removed",
        )
        types = dict(rows(r, "messages", "ts", "msg_type"))
        assert types["2026-12-03T19:02:00+08:00"] == "image"  # [图片]
        assert types["2026-12-03T20:16:00+08:00"] == "link"  # [链接|...]
        assert types["2026-12-04T09:30:00+08:00"] == "sticker"  # 2026/12/04 9:30, [动画表情]
        assert problem_lines(r) == [(11, "cannot read the time '12/04 oops'")]
    else:
        assert speakers == ["wxid_david", "wxid_qing"]
        # epoch seconds in "time" are read exactly
        assert ("2026-12-03T19:03:30+08:00", "wxid_david") in rows(r, "messages", "ts", "member_id")
        assert [(p.where.key, p.text.en) for p in r.problems] == [
            ("[6]", "not a message object"),
            ("[7]", "lacks the time or talker field"),
        ]


def test_qq():
    r = import_files("qq", [FIX / "qq.txt"])
    assert rows(r, "messages", "ts", "group_id", "member_id", "msg_type") == [
        ("2026-12-01T20:15:03+08:00", "抗老精华交流群", "10001", "text"),
        ("2026-12-01T20:16:10+08:00", "抗老精华交流群", "qing@example.com", "image"),
        ("2026-12-01T20:17:00+08:00", "抗老精华交流群", "system", "system"),
        ("2026-12-01T20:18:00+08:00", "抗老精华交流群", "system", "system"),
        ("2026-12-01T20:20:45+08:00", "抗老精华交流群", "20001", "text"),
        ("2026-12-02T09:00:00+08:00", "抗老精华交流群", "20002", "sticker"),
        ("2026-12-02T22:30:00+08:00", "抗老精华交流群", "system", "system"),
    ]
    assert r.tables["messages"]["content"][0] == "大家好，欢迎来到抗老精华交流群\n今晚八点有福利"
    assert events(r) == [
        ("2026-12-01T20:17:00+08:00", "20001", "join", None, None),
        ("2026-12-01T20:18:00+08:00", "20002", "join", "10001", "invite"),
        ("2026-12-02T22:30:00+08:00", "20001", "leave", None, "left"),
    ]
    assert problem_lines(r) == [(25, "cannot read the time '2026-13-45 25:61:00 坏行(99999)'")]


def test_qq_12_hour_and_several_chats():
    r = import_files("qq", [FIX / "qq_12h.txt"])
    assert rows(r, "messages", "ts", "group_id", "member_id") == [
        ("2026-12-05T09:05:00+08:00", "成分党小组", "10001"),
        ("2026-12-05T12:30:15+08:00", "成分党小组", "mia@example.com"),
        ("2026-12-05T20:00:00+08:00", "成分党小组", "10001"),
        ("2026-12-06T00:10:00+08:00", "福利群", "30003"),  # 上午12:10 is just after midnight
    ]
    assert "members" not in r.tables
    assert r.problems == []


def test_telegram_single_chat():
    r = import_files("telegram", [FIX / "telegram_chat.json"])
    assert events(r) == [
        ("2026-12-10T10:00:00+08:00", "user111", "join", None, "create"),
        ("2026-12-10T10:00:00+08:00", "user222", "join", "user111", "create"),
        ("2026-12-10T11:30:00+08:00", "user333", "join", "user222", "invite"),
        ("2026-12-10T12:00:00+08:00", "user444", "join", "user222", "link"),
        ("2026-12-11T18:00:00+08:00", "user333", "leave", None, "left"),
    ]
    speak = [
        x
        for x in rows(r, "messages", "msg_id", "member_id", "msg_type", "content", "reply_to")
        if x[2] != "system"
    ]
    assert speak == [
        ("tg:1500000001:2", "user111", "text", "Welcome!", None),
        ("tg:1500000001:3", "user222", "text", "Hi all", "tg:1500000001:2"),  # text as parts
        ("tg:1500000001:6", "user333", "image", None, None),
        ("tg:1500000001:8", "user444", "sticker", None, None),
        (
            "tg:1500000001:10",
            "user111",
            "text",
            "Bye Ben",
            None,
        ),  # no date_unixtime: "date" in --tz
    ]
    assert [(p.where.key, p.text.en) for p in r.problems] == [
        ("messages[6]", "cannot read the date")
    ]
    assert set(r.tables["messages"]["group_id"]) == {"tg:1500000001"}


def test_telegram_full_export_keeps_groups_only():
    r = import_files("telegram", [FIX / "telegram_full.json"])
    assert sorted(set(r.tables["messages"]["group_id"])) == ["tg:1500000002", "tg:1500000003"]
    assert r.counts["skipped_chats"] == 1  # the personal chat
    assert events(r) == [("2026-12-10T10:00:00+08:00", "user555", "join", "user111", "link")]


def test_whatsapp_android_12h_month_first():
    r = import_files("whatsapp", [FIX / "WhatsApp Chat with Glow Club.txt"])
    assert set(r.tables["messages"]["group_id"]) == {"Glow Club"}
    assert events(r) == [
        ("2026-12-14T09:00:00+08:00", "name:Lin", "join", None, "create"),
        ("2026-12-14T09:01:00+08:00", "name:Ana", "join", "name:Lin", "invite"),
        ("2026-12-14T09:01:00+08:00", "name:Ben", "join", "name:Lin", "invite"),
        ("2026-12-14T14:00:00+08:00", "tel:+447700900123", "join", None, "link"),
        ("2026-12-16T10:00:00+08:00", "name:Ben", "leave", None, "left"),
        ("2026-12-16T11:00:00+08:00", "tel:+447700900123", "leave", None, "removed"),
    ]
    speak = [
        x for x in rows(r, "messages", "ts", "member_id", "msg_type", "content") if x[2] != "system"
    ]
    assert speak == [
        (
            "2026-12-14T09:05:00+08:00",
            "name:Lin",
            "text",
            "Welcome to Glow Club!\nPlease read the pinned rules.",
        ),
        ("2026-12-14T13:30:00+08:00", "name:Ana", "other", None),
        ("2026-12-14T14:05:00+08:00", "tel:+447700900123", "text", "hi everyone, I'm Cleo"),
        ("2026-12-15T20:15:00+08:00", "name:Ben", "text", "Does the serum sting?"),
        ("2026-12-15T20:20:00+08:00", "name:Ana", "text", "Not at all: use it at night."),
    ]
    assert problem_lines(r) == [(11, "cannot read the date and time")]  # 12/32/26


def test_whatsapp_ios_24h_day_first_invisible_marks():
    r = import_files("whatsapp", [FIX / "WhatsApp Chat - Glow Club iOS" / "_chat.txt"])
    assert set(r.tables["messages"]["group_id"]) == {"Glow Club iOS"}  # from the folder name
    assert events(r) == [
        ("2026-12-14T21:00:00+08:00", "name:Lin", "join", None, "create"),
        ("2026-12-14T21:01:10+08:00", "name:Ana", "join", "name:Lin", "invite"),
        ("2026-12-15T08:00:00+08:00", "name:Ana", "leave", None, "left"),
    ]
    speak = [
        x for x in rows(r, "messages", "ts", "member_id", "msg_type", "content") if x[2] != "system"
    ]
    assert speak == [
        ("2026-12-14T21:02:00+08:00", "name:Lin", "text", "Welcome!"),
        ("2026-12-14T21:03:30+08:00", "name:Ana", "image", None),
        (
            "2026-12-14T21:04:00+08:00",
            "name:Ana",
            "text",
            "Thank you Lin\nsecond line of the same message",
        ),
        ("2026-12-15T07:45:12+08:00", "name:Lin", "image", None),
    ]
    assert r.problems == []


def test_whatsapp_spanish_am_pm():
    r = import_files("whatsapp", [FIX / "whatsapp_es.txt"], group_id="club-brillo")
    assert set(r.tables["messages"]["group_id"]) == {"club-brillo"}
    assert events(r) == [
        ("2026-12-14T09:00:00+08:00", "name:Lin", "join", None, "create"),
        ("2026-12-14T09:01:00+08:00", "name:Ana", "join", "name:Lin", "invite"),
        ("2026-12-15T13:00:00+08:00", "name:Ana", "leave", None, "left"),
    ]
    speak = [x for x in rows(r, "messages", "ts", "member_id", "msg_type") if x[2] != "system"]
    assert speak == [
        ("2026-12-14T21:05:00+08:00", "name:Ana", "text"),
        ("2026-12-14T21:06:00+08:00", "name:Ana", "other"),
        ("2026-12-15T12:30:00+08:00", "name:Lin", "text"),  # 12:30 p. m. is half past noon
    ]


def test_whatsapp_ambiguous_day_month_is_a_note(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text("01/02/2026, 10:00 - Ana: hi\n03/04/2026, 11:00 - Ben: hello\n", encoding="utf-8")
    r = import_files("whatsapp", [p])
    assert rows(r, "messages", "ts") == [
        ("2026-02-01T10:00:00+08:00",),
        ("2026-04-03T11:00:00+08:00",),
    ]
    assert [(p.code, p.text.en) for p in r.problems] == [
        (
            "note",
            "the day/month order is not decided by any date in the file; read as day/month/year",
        )
    ]
    assert r.counts["skipped"] == 0


def test_wecom_messages_and_members_together():
    r = import_files("wecom", [FIX / "wecom_messages.jsonl", FIX / "wecom_group.json"])
    assert rows(r, "messages", "msg_id", "member_id", "msg_type", "role") == [
        ("m001", "XiaoLin", "text", "staff"),
        ("m002", "wmAAA", "image", None),
        ("m003", "wmBBB", "miniprogram", None),
        ("m006", "system", "system", "bot"),  # a recall
        ("m009", "wmCCC", "sticker", None),
    ]
    assert r.counts["duplicate_messages"] == 1  # m001 twice
    assert r.counts["skipped_private"] == 1 and r.counts["skipped_switch"] == 1
    assert events(r) == [
        ("2026-12-19T18:00:00+08:00", "XiaoLin", "join", None, "invite"),
        ("2026-12-19T18:00:00+08:00", "AQing", "join", "XiaoLin", "invite"),
        ("2026-12-20T09:00:00+08:00", "wmAAA", "join", "XiaoLin", "invite"),
        ("2026-12-20T09:30:00+08:00", "wmBBB", "join", "AQing", "qrcode"),
        ("2026-12-21T09:30:00+08:00", "wmCCC", "join", "wmAAA", "link"),
    ]
    assert rows(r, "staff", "member_id", "role") == [("AQing", "admin"), ("XiaoLin", "owner")]
    assert [(p.where.line, p.where.key, p.text.en) for p in r.problems] == [
        (7, None, "cannot read msgtime"),
        (8, None, "JSON syntax error: Expecting ',' delimiter"),
        (None, "member_list[5]", "member lacks userid"),
    ]


def test_discord_json():
    r = import_files("discord", [FIX / "discord.json"])
    assert events(r) == [
        ("2026-12-20T10:00:00+08:00", "111", "join", None, "join"),
        ("2026-12-21T09:00:00+08:00", "444", "join", None, "join"),
    ]
    speak = [
        x
        for x in rows(r, "messages", "msg_id", "member_id", "msg_type", "reply_to", "role")
        if x[2] != "system"
    ]
    assert speak == [
        ("1002", "111", "text", None, None),
        ("1003", "222", "text", "1002", None),
        ("1004", "111", "image", None, None),
        ("1005", "333", "text", None, "bot"),
        ("1008", "444", "sticker", None, None),
    ]
    # an offset in the export is kept as written (same instant)
    assert rows(r, "messages", "ts")[2] == ("2026-12-20T02:05:00+00:00",)
    assert [(p.where.key, p.text.en) for p in r.problems] == [
        ("messages[5]", "cannot read the timestamp")
    ]


def test_discord_csv():
    r = import_files("discord", [FIX / "discord_general.csv"])
    assert events(r) == [
        ("2026-12-20T10:00:00+08:00", "111", "join", None, "join"),
        ("2026-12-21T09:00:00+08:00", "444", "join", None, "join"),
    ]
    assert set(r.tables["messages"]["group_id"]) == {"discord:discord_general"}
    # dates in the exporter's culture (en-US "g": month first, 12-hour, local time)
    speak = [x for x in rows(r, "messages", "ts", "member_id", "msg_type") if x[2] != "system"]
    assert speak == [
        ("2026-12-20T10:01:00+08:00", "111", "text"),
        ("2026-12-20T10:05:00+08:00", "222", "text"),
        ("2026-12-20T10:06:00+08:00", "111", "image"),
        ("2026-12-21T13:15:00+08:00", "444", "text"),
    ]
    system = [x[1] for x in rows(r, "messages", "msg_type", "content") if x[0] == "system"]
    assert system == ["GuildMemberJoin", "Pinned a message.", "GuildMemberJoin"]
    assert problem_lines(r) == [(8, "cannot read the time 'not a date'")]


@pytest.mark.parametrize(
    ("date", "expected"),
    [
        ("20/12/2026 22:05", "2026-12-20T22:05:00+08:00"),  # en-GB: day first decided by 20
        ("2026/12/20 22:05", "2026-12-20T22:05:00+08:00"),  # zh-CN
        ("2026-12-20T22:05:00.0000000+00:00", "2026-12-20T22:05:00+00:00"),  # ISO with offset
    ],
)
def test_discord_csv_culture_dates(tmp_path, date, expected):
    p = tmp_path / "chan.csv"
    p.write_text(
        f'AuthorID,Author,Date,Content,Attachments,Reactions\n"1","a","{date}","hi","",""\n',
        encoding="utf-8",
    )
    assert rows(import_files("discord", [p]), "messages", "ts") == [(expected,)]


def test_youzan_csv():
    r = import_files("youzan", [FIX / "youzan_orders.csv"])
    assert rows(
        r, "orders", "order_id", "ts", "member_id", "amount", "status", "coupon_id", "group_id"
    ) == [
        ("E20261220100001", "2026-12-20T10:01:05+08:00", "yz_hong", 1299.0, "paid", "新人券", None),
        ("E20261220100002", "2026-12-20T11:00:30+08:00", "yz_bai", 88.0, "paid", None, "上海一店"),
        ("E20261220100003", "2026-12-21T09:02:00+08:00", "yz_hong", 299.5, "refunded", None, None),
        (
            "E20261220100004",
            "2026-12-21T10:00:00+08:00",
            "name:小黑",
            199.0,
            "cancelled",
            None,
            None,
        ),
    ]
    assert r.counts["merged_rows"] == 1 and r.counts["skipped_unpaid"] == 1
    assert problem_lines(r) == [
        (8, "cannot read the amount '免费'"),
        (9, "unknown 订单状态 (status) '火星状态'"),
        (10, "empty 订单号 (order id)"),
    ]


def test_youzan_xlsx(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from datetime import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(
        [
            "订单号",
            "订单状态",
            "订单创建时间",
            "买家付款时间",
            "订单实付金额(元)",
            "优惠券名称",
            "买家昵称",
            "买家ID",
        ]
    )
    ws.append(
        [
            "E1",
            "交易成功",
            datetime(2026, 12, 20, 10, 0),
            datetime(2026, 12, 20, 10, 1, 5),
            1299,
            "新人券",
            "小红",
            "yz_hong",
        ]
    )
    ws.append(["E2", "已关闭", "2026-12-21 09:00:00", None, "¥88.00", None, "小白", None])
    ws.append(["E3", "交易成功", "someday", None, 10, None, "小绿", "yz_green"])
    path = tmp_path / "orders.xlsx"
    wb.save(path)
    from sqops.importers import detect_format

    assert detect_format(path) == "youzan"
    r = import_files("youzan", [path])
    assert rows(r, "orders", "order_id", "ts", "member_id", "amount", "status", "coupon_id") == [
        ("E1", "2026-12-20T10:01:05+08:00", "yz_hong", 1299.0, "paid", "新人券"),
        ("E2", "2026-12-21T09:00:00+08:00", "name:小白", 88.0, "cancelled", None),
    ]
    # Excel rows are reported as rows (Excel's row number)
    assert [(p.where.row, p.text.en) for p in r.problems] == [(4, "cannot read the time 'someday'")]


def test_shopify():
    r = import_files("shopify", [FIX / "shopify_orders.csv"])
    assert rows(r, "orders", "order_id", "ts", "member_id", "amount", "status", "coupon_id") == [
        ("#1001", "2026-12-20T10:15:03+08:00", "ana@example.com", 64.0, "paid", "WELCOME10"),
        ("#1002", "2026-12-21T02:00:00+00:00", "ben@example.com", 1120.0, "paid", None),
        ("#1003", "2026-12-21T12:00:00+08:00", "cleo@example.com", 30.0, "refunded", None),
        ("#1005", "2026-12-22T12:30:00+08:00", "ana@example.com", 30.0, "cancelled", None),
    ]
    assert r.counts["merged_rows"] == 1  # #1001's second line item
    assert r.counts["skipped_unpaid"] == 1  # #1004 pending
    assert problem_lines(r) == [(8, "cannot read the amount 'forty'")]


def test_shopify_orders_without_email_are_orders():
    # hand-counted: 7 orders on 12 rows (5 continuation rows); #2006 pending; 6 paid orders,
    # paid total 45 + 18.50 + 12 + 80 + 25 + 9.50 = 190.00; buyers: 4 named (e-mail, phone,
    # billing name, billing phone) and 2 walk-ins (#2003, #2007) with no buyer at all
    r = import_files("shopify", [FIX / "shopify_pos_guest.csv"])
    got = rows(r, "orders", "order_id", "member_id", "amount", "status")
    assert got == [
        ("#2001", "mia@example.com", 45.0, "paid"),
        ("#2002", "tel:+15550102233", 18.5, "paid"),
        ("#2003", "unknown:#2003", 12.0, "paid"),
        ("#2004", "name:Lena Ortiz", 80.0, "paid"),
        ("#2005", "tel:+15550109999", 25.0, "paid"),
        ("#2007", "unknown:#2007", 9.5, "paid"),
    ]
    assert sum(a for _, _, a, _ in got) == 190.0
    assert len({m for _, m, _, _ in got if not m.startswith("unknown:")}) == 4
    assert r.counts["merged_rows"] == 5
    assert r.counts["skipped_unpaid"] == 1
    assert r.counts["unknown_buyers"] == 2
    assert r.counts["skipped"] == 0
    assert [p.code for p in r.problems] == ["note", "note"]
    assert r.problems[0].text.en.startswith("2 order(s) have no buyer")
    assert "give the shop's group with --group-id" in r.problems[1].text.en
    r = import_files("shopify", [FIX / "shopify_pos_guest.csv"], group_id="shop1")
    assert [p.text.en[:30] for p in r.problems] == ["2 order(s) have no buyer (no E"]


def test_generic_orders_with_column_map():
    r = import_files("generic", [FIX / "generic_orders.csv"], columns=FIX / "generic_map.yaml")
    assert rows(
        r, "orders", "order_id", "ts", "member_id", "amount", "status", "group_id", "coupon_id"
    ) == [
        ("WD001", "2026-12-20T10:00:00+08:00", "13800000001", 66.0, "paid", "weidian-1", "满减券"),
        ("WD002", "2026-12-20T11:30:00+08:00", "13800000002", 120.0, "paid", "weidian-1", None),
        ("WD003", "2026-12-21T09:00:00+08:00", "13800000001", 30.5, "refunded", "weidian-1", None),
    ]
    assert problem_lines(r) == [
        (5, "required column(s) empty: member_id"),
        (6, "status value '待评价' is not valid (map it under values)"),
    ]


def test_tz_changes_naive_times_only():
    r = import_files("qq", [FIX / "qq_12h.txt"], tz="Europe/London")
    assert rows(r, "messages", "ts")[0] == ("2026-12-05T09:05:00+00:00",)
    r = import_files("telegram", [FIX / "telegram_chat.json"], tz="UTC")
    # date_unixtime is exact: 10:05 Shanghai = 02:05 UTC
    assert ("tg:1500000001:2", "2026-12-10T02:05:00+00:00") in rows(r, "messages", "msg_id", "ts")


def test_auto_detects_every_fixture():
    from sqops.importers import detect_format

    expected = {
        "wechat_msg.csv": "wechat-msg",
        "wechat_chatlog.csv": "wechat-chatlog",
        "wechat_chatlog.json": "wechat-chatlog",
        "qq.txt": "qq",
        "qq_12h.txt": "qq",
        "telegram_chat.json": "telegram",
        "telegram_full.json": "telegram",
        "WhatsApp Chat with Glow Club.txt": "whatsapp",
        "whatsapp_es.txt": "whatsapp",
        "whatsapp_pt.txt": "whatsapp",
        "whatsapp_de.txt": "whatsapp",
        "whatsapp_id.txt": "whatsapp",
        "whatsapp_de_ios.txt": "whatsapp",
        "wecom_messages.jsonl": "wecom",
        "wecom_group.json": "wecom",
        "discord.json": "discord",
        "discord_general.csv": "discord",
        "youzan_orders.csv": "youzan",
        "shopify_orders.csv": "shopify",
    }
    assert {name: detect_format(FIX / name) for name in expected} == expected


def test_you_in_notices_is_the_exporter_when_the_export_shows_their_id(tmp_path):
    p = tmp_path / "chat.json"
    p.write_text(
        '[{"time": "2026-12-03T19:00:00+08:00", "talker": "g@chatroom", "sender": "wxid_me",'
        ' "senderName": "我", "isSelf": true, "type": 1, "content": "hi"},'
        ' {"time": "2026-12-03T19:01:00+08:00", "talker": "g@chatroom", "sender": "", "type": 10000,'
        ' "content": "你邀请\\"小新\\"加入了群聊"}]',
        encoding="utf-8",
    )
    r = import_files("wechat-chatlog", [p])
    assert rows(r, "members", "member_id", "inviter_id", "member_name") == [
        ("name:小新", "wxid_me", "小新")
    ]
    # without an "is self" message, "you" is the id "self"
    r = import_files("wechat-msg", [FIX / "wechat_msg.csv"])
    assert rows(r, "members", "inviter_id")[0] == ("self",)


def test_qq_without_header_uses_the_file_name(tmp_path):
    p = tmp_path / "福利群.txt"
    p.write_text(
        "2026-12-01 09:00:00 小林(10001)\n你好\n\n2026-12-01 09:01:00 小红\n嗨\n", encoding="utf-8"
    )
    r = import_files("qq", [p])
    assert rows(r, "messages", "group_id", "member_id", "content") == [
        ("福利群", "10001", "你好"),
        ("福利群", "name:小红", "嗨"),
    ]


def test_overlapping_exports_without_ids_count_once(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text(
        "12/14/26, 9:05 PM - Lin: ok\n12/14/26, 9:05 PM - Lin: ok\n12/14/26, 9:06 PM - Ana: hi\n",
        encoding="utf-8",
    )
    # b overlaps a (both "ok" and "hi") and goes on
    b.write_text(
        "12/14/26, 9:05 PM - Lin: ok\n12/14/26, 9:05 PM - Lin: ok\n12/14/26, 9:06 PM - Ana: hi\n"
        "12/14/26, 9:07 PM - Ana: more\n",
        encoding="utf-8",
    )
    r = import_files("whatsapp", [a, b], group_id="g")
    # two "ok" in one minute inside one file are two messages; the copies in b are not
    assert rows(r, "messages", "member_id", "content") == [
        ("name:Lin", "ok"),
        ("name:Lin", "ok"),
        ("name:Ana", "hi"),
        ("name:Ana", "more"),
    ]
    assert r.counts["duplicate_messages"] == 3


def test_youzan_title_rows_above_the_header(tmp_path):
    p = tmp_path / "orders.csv"
    p.write_text(
        "有赞订单导出,,\n导出时间：2026-12-31,,\n"
        "订单号,订单状态,买家付款时间,订单实付金额,买家ID\n"
        "E1,交易成功,2026-12-20 10:00:00,¥10.00,yz_a\n",
        encoding="utf-8",
    )
    r = import_files("youzan", [p])
    assert rows(r, "orders", "order_id", "member_id", "amount") == [("E1", "yz_a", 10.0)]


def test_whatsapp_chinese_ios_year_first_and_am_pm_before_the_time(tmp_path):
    p = tmp_path / "_chat.txt"
    p.write_text(
        "[2026/12/14 下午9:00:00] 小林: 大家好\n[2026/12/15 上午12:05:00] 小红: 晚安\n",
        encoding="utf-8",
    )
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "ts", "member_id") == [
        ("2026-12-14T21:00:00+08:00", "name:小林"),
        ("2026-12-15T00:05:00+08:00", "name:小红"),
    ]
    assert r.problems == []


def test_generic_messages_map_with_values(tmp_path):
    (tmp_path / "map.yaml").write_text(
        "table: messages\n"
        "columns: {ts: 时间, group_id: 群, member_id: 用户, content: 内容, msg_type: 类型, role: 身份}\n"
        "values:\n  msg_type: {文字: text, 图片: image}\n  role: {客服: staff, 客户: member}\n",
        encoding="utf-8",
    )
    (tmp_path / "m.csv").write_text(
        "时间,群,用户,内容,类型,身份\n"
        "2026-12-01 09:00,g1,u1,你好,文字,客户\n"
        "2026-12-01 09:01,g1,s1,,图片,客服\n"
        "2026-12-01 09:02,g1,u2,?,语音,客户\n"
        "2026-12-01 09:03,g1,u3,hi,文字,群主\n",
        encoding="utf-8",
    )
    r = import_files("generic", [tmp_path / "m.csv"], columns=tmp_path / "map.yaml")
    assert rows(r, "messages", "member_id", "msg_type", "role", "content") == [
        ("u1", "text", "member", "你好"),
        ("s1", "image", "staff", None),
    ]
    assert problem_lines(r) == [
        (4, "msg_type value '语音' is not valid (map it under values)"),
        (5, "role value '群主' is not valid (map it under values)"),
    ]


def test_wechat_msg_without_sender_column_is_refused(tmp_path):
    from sqops.errors import InputError

    p = tmp_path / "old.csv"
    p.write_text(
        "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime\n"
        "1,5,1,0,0,1796086800,2,hi,2026-12-01 09:00:00\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        import_files("wechat-msg", [p])
    assert err.value.render("en") == (
        f"{p.as_posix()}:1: not a WeChatMsg-style CSV: the header lacks Sender"
    )


def test_chatlog_csv_with_message_id_column(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(
        "MessageID,Time,SenderName,Sender,TalkerName,Talker,Content\n"
        "7001,2026-12-03 19:01:10,阿青,wxid_qing,群,g@chatroom,![图片](http://127.0.0.1:5030/image/x)\n",
        encoding="utf-8",
    )
    r = import_files("wechat-chatlog", [p])
    assert rows(r, "messages", "msg_id", "msg_type") == [("7001", "image")]


def test_self_name_joins_you_with_your_messages(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text(
        "12/14/26, 9:00 PM - You added Ana\n12/14/26, 9:01 PM - Lin: welcome!\n"
        "12/14/26, 9:02 PM - Ana: hi\n",
        encoding="utf-8",
    )
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "members", "member_id", "inviter_id") == [("name:Ana", "self")]
    r = import_files("whatsapp", [p], group_id="g", self_name="Lin")
    assert rows(r, "members", "member_id", "inviter_id") == [("name:Ana", "name:Lin")]
    # WeChatMsg: IsSender=1 rows without Sender and "你" in notices become the named member
    r = import_files("wechat-msg", [FIX / "wechat_msg.csv"], self_name="小林")
    assert rows(r, "members", "inviter_id")[0] == ("name:小林",)
    assert ("name:小林", "text") in rows(r, "messages", "member_id", "msg_type")


def test_discord_csv_ambiguous_day_month_is_a_note(tmp_path):
    # the same guess and the same note as WhatsApp (importers.whatsapp.date_order)
    p = tmp_path / "chan.csv"
    p.write_text(
        'AuthorID,Author,Date,Content,Attachments,Reactions\n"1","a","01/02/2026 10:00","hi","",""\n',
        encoding="utf-8",
    )
    r = import_files("discord", [p])
    assert rows(r, "messages", "ts") == [("2026-02-01T10:00:00+08:00",)]
    assert [(p.code, p.text.en) for p in r.problems] == [
        (
            "note",
            "the day/month order is not decided by any date in the file; read as day/month/year",
        )
    ]


def test_whatsapp_passive_lines_midnight_hour_zero_and_chat_name_e2e_notice():
    # hand-counted (es, Android, 12-hour clock writing midnight as 00): joins Ana (created),
    # the exporter (added by Ana), Bea and Carla (added by Ana), Dani (link) = 5; leaves:
    # Carla = 1; inviter Ana x3; speakers Ana, Bea = 2 (the chat's name is no speaker)
    r = import_files("whatsapp", [FIX / "whatsapp_passive_es.txt"])
    assert rows(r, "members", "member_id", "event", "inviter_id", "channel") == [
        ("name:Ana", "join", None, "create"),
        ("self", "join", "name:Ana", "invite"),
        ("name:Bea", "join", "name:Ana", "invite"),
        ("name:Carla", "join", "name:Ana", "invite"),
        ("name:Dani", "join", None, "link"),
        ("name:Carla", "leave", None, "left"),
    ]
    assert rows(r, "members", "ts")[0] == ("2026-12-01T00:08:00+08:00",)
    msgs = rows(r, "messages", "member_id", "msg_type")
    assert sorted({m for m, t in msgs if t != "system"}) == ["name:Ana", "name:Bea"]
    assert sum(1 for _, t in msgs if t == "system") == 6
    assert problem_lines(r) == []


def test_whatsapp_you_were_added_e2e_without_mark_and_an_odd_date_style():
    # hand-counted (en, iOS): joins the exporter, Bea (by Ana), Carla (link) = 3; leaves
    # Bea = 1; speakers Ana, Bea, Carla = 3; line 7 dated 3/1/03 in a dd/mm/yyyy file
    r = import_files("whatsapp", [FIX / "whatsapp_passive_en.txt"])
    assert rows(r, "members", "member_id", "event", "inviter_id") == [
        ("self", "join", None),
        ("name:Bea", "join", "name:Ana"),
        ("name:Carla", "join", None),
        ("name:Bea", "leave", None),
    ]
    speakers = {m for m, t in rows(r, "messages", "member_id", "msg_type") if t != "system"}
    assert speakers == {"name:Ana", "name:Bea", "name:Carla"}
    notes = [(p.where.line, p.text.en) for p in r.problems if p.code == "note"]
    assert notes == [
        (
            7,
            "this line's date '3/1/03' is written unlike the file's other dates (dd/mm/yyyy);"
            " read as 2003-01-03, please check",
        )
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "Ana adicionou você",
                "Você entrou usando o link de convite deste grupo",
                "Ana adicionou Bea e Carla",
                "Carla saiu",
            ],
            [
                ("self", "join", "name:Ana"),
                ("self", "join", None),
                ("name:Bea", "join", "name:Ana"),
                ("name:Carla", "join", "name:Ana"),
                ("name:Carla", "leave", None),
            ],
        ),
        (
            [
                "Ana hat dich hinzugefügt",
                "Du bist über den Einladungslink dieser Gruppe beigetreten",
                "Ana hat Bea hinzugefügt",
                "Bea hat die Gruppe verlassen",
            ],
            [
                ("self", "join", "name:Ana"),
                ("self", "join", None),
                ("name:Bea", "join", "name:Ana"),
                ("name:Bea", "leave", None),
            ],
        ),
        (
            [
                "Ana menambahkan Anda",
                "Anda bergabung menggunakan tautan undangan grup ini",
                "Bea bergabung menggunakan tautan undangan grup ini",
                "Bea keluar",
            ],
            [
                ("self", "join", "name:Ana"),
                ("self", "join", None),
                ("name:Bea", "join", None),
                ("name:Bea", "leave", None),
            ],
        ),
        (
            ["Ana te añadió", "Te uniste usando el enlace de invitación de este grupo"],
            [("self", "join", "name:Ana"), ("self", "join", None)],
        ),
    ],
)
def test_whatsapp_passive_lines_in_pt_de_id_es(tmp_path, lines, expected):
    p = tmp_path / "chat.txt"
    p.write_text(
        "".join(f"14/12/2026, 10:0{i} - {x}\n" for i, x in enumerate(lines)), encoding="utf-8"
    )
    assert rows(import_files("whatsapp", [p]), "members", "member_id", "event", "inviter_id") == (
        expected
    )


def test_telegram_without_type_and_without_from_id():
    # hand-counted: no "type" (read as a group, noted); 6 items: 1 service (create_group: Mei
    # creates, Rui joins by Mei), 4 messages by Mei (old numeric from_id 701), Glow Brand News
    # x2 (a channel posting, no from_id), Rui (702); 1 with neither from_id nor from (skipped)
    r = import_files("telegram", [FIX / "telegram_no_from_id.json"])
    speak = [
        (m, c)
        for m, t, c in rows(r, "messages", "member_id", "msg_type", "content")
        if t != "system"
    ]
    assert speak == [
        ("user701", "Welcome to Glow Lab"),
        ("name:Glow Brand News", "New serum drops Friday"),
        ("user702", "Nice!"),
        ("name:Glow Brand News", "Link: https://example.com/serum"),
    ]
    assert len({m for m, _ in speak}) == 3
    assert events(r) == [
        ("2026-12-10T10:00:00+08:00", "user701", "join", None, "create"),
        ("2026-12-10T10:00:00+08:00", "user702", "join", "user701", "create"),
    ]
    assert r.counts["skipped"] == 1
    assert [(p.where.key, p.code, p.text.en) for p in r.problems] == [
        ("type", "note", "the export has no chat type ('type'): read as a group"),
        ("messages[5]", "unreadable", "has neither from_id nor from"),
        (
            "messages",
            "note",
            "2 message(s) have no from_id: the sender's id is derived from the name 'from'"
            " (name:NAME)",
        ),
    ]


def test_telegram_account_export_says_which_chats_it_skipped():
    # hand-counted: 5 chats; 4 not groups (personal_chat Mei and Rui, saved_messages, the
    # private_channel Glow Announcements); the group has 2 messages (Tao, an anonymous admin)
    r = import_files("telegram", [FIX / "telegram_account.json"])
    assert rows(r, "messages", "member_id") == [("user901",), ("channel1600000001",)]
    assert r.counts["skipped_chats"] == 4
    assert [(p.where.key, p.text.en) for p in r.problems] == [
        (
            "chats.list",
            "skipped 4 chat(s) that are not groups (only groups are imported): personal_chat ×2"
            " (Mei, Rui); private_channel ×1 (Glow Announcements); saved_messages ×1"
            " (chats.list[1])",
        )
    ]


def _members(result) -> list[tuple]:
    return rows(result, "members", "member_id", "event", "inviter_id", "channel")


def _speakers(result) -> tuple[set[str], int, int]:
    """(speakers, their messages, system lines)."""
    msgs = rows(result, "messages", "member_id", "msg_type")
    said = [m for m, t in msgs if t != "system"]
    return set(said), len(said), sum(1 for _, t in msgs if t == "system")


def test_whatsapp_french_android_a_between_date_and_time(tmp_path):
    # the file name French Android gives an export ("Discussion WhatsApp avec NAME.txt")
    p = tmp_path / "Discussion WhatsApp avec Club Éclat.txt"
    shutil.copy(FIX / "whatsapp_fr.txt", p)
    r = import_files("whatsapp", [p])
    assert set(r.tables["messages"]["group_id"]) == {"Club Éclat"}
    # hand-counted: joins Ana (created), the exporter (by Ana), Bea and Carla (by Ana, "et"),
    # Dani (link), Eve (by the exporter, "Vous avez ajouté") = 6; leaves Carla (left), Dani
    # (removed by Ana), the exporter ("Vous êtes parti(e).") = 3; the subject change to
    # "Bea a ajouté Carla" is no join
    assert _members(r) == [
        ("name:Ana", "join", None, "create"),
        ("self", "join", "name:Ana", "invite"),
        ("name:Bea", "join", "name:Ana", "invite"),
        ("name:Carla", "join", "name:Ana", "invite"),
        ("name:Dani", "join", None, "link"),
        ("name:Carla", "leave", None, "left"),
        ("name:Dani", "leave", None, "removed"),
        ("name:Eve", "join", "self", "invite"),
        ("self", "leave", None, "left"),
    ]
    # speakers Ana, Bea (two lines, one message), Dani = 3 messages; 10 system lines (the
    # encryption notice, created, vous a ajouté, a ajouté, lien, sujet, parti(e), retiré,
    # Vous avez ajouté, Vous êtes parti(e).)
    assert _speakers(r) == ({"name:Ana", "name:Bea", "name:Dani"}, 3, 10)
    assert rows(r, "messages", "ts", "content")[6] == (
        "2026-03-12T14:05:00+08:00",
        "Merci : le sérum est arrivé\nDeuxième ligne du même message",
    )
    assert r.problems == []


def test_whatsapp_russian_android_dotted_dates():
    r = import_files("whatsapp", [FIX / "whatsapp_ru.txt"])
    # hand-counted: joins Аня (created), the exporter (by Аня, "добавил(-а) вас"), Вера and
    # Галя (by Аня, "контакт … и …"), Даша (link), Женя (by Аня, the older wording without
    # "контакт") = 6; leaves Галя (left), Даша (removed), the exporter ("Вы покинули группу")
    # = 3; the subject change is no event
    assert _members(r) == [
        ("name:Аня", "join", None, "create"),
        ("self", "join", "name:Аня", "invite"),
        ("name:Вера", "join", "name:Аня", "invite"),
        ("name:Галя", "join", "name:Аня", "invite"),
        ("name:Даша", "join", None, "link"),
        ("name:Женя", "join", "name:Аня", "invite"),
        ("name:Галя", "leave", None, "left"),
        ("name:Даша", "leave", None, "removed"),
        ("self", "leave", None, "left"),
    ]
    # speakers Вера, Галя = 2 messages; 10 system lines (all the others)
    assert _speakers(r) == ({"name:Вера", "name:Галя"}, 2, 10)
    assert rows(r, "messages", "ts")[6] == ("2026-03-12T21:15:00+08:00",)
    assert r.problems == []


def test_whatsapp_simplified_chinese_android_am_pm_before_the_time():
    r = import_files("whatsapp", [FIX / "whatsapp_zh_hans.txt"])
    # hand-counted: joins 小林 (created), the exporter (by 小林, "添加了您"), 小红, 小白 and
    # 小青 (by 小林, "、" and " 和 "), 小蓝 (link), 小紫 (by the exporter, "您添加了") = 7;
    # leaves 小青 (退出了), 小蓝 (removed), the exporter ("您已退出群组") = 3; the subject
    # change to "小红 添加了 小白" is no join
    assert _members(r) == [
        ("name:小林", "join", None, "create"),
        ("self", "join", "name:小林", "invite"),
        ("name:小红", "join", "name:小林", "invite"),
        ("name:小白", "join", "name:小林", "invite"),
        ("name:小青", "join", "name:小林", "invite"),
        ("name:小蓝", "join", None, "link"),
        ("name:小青", "leave", None, "left"),
        ("name:小蓝", "leave", None, "removed"),
        ("name:小紫", "join", "self", "invite"),
        ("self", "leave", None, "left"),
    ]
    # speakers 小白, 小红, 小青 = 3 messages; 10 system lines
    assert _speakers(r) == ({"name:小白", "name:小红", "name:小青"}, 3, 10)
    speak = [
        (ts, m) for ts, m, t in rows(r, "messages", "ts", "member_id", "msg_type") if t != "system"
    ]
    assert speak == [
        ("2026-03-12T12:30:00+08:00", "name:小白"),  # 下午12:30 is half past noon
        ("2026-03-12T14:05:00+08:00", "name:小红"),  # 下午2:05
        ("2026-03-13T00:10:00+08:00", "name:小青"),  # 上午12:10 is ten past midnight
    ]
    assert r.problems == []


def test_whatsapp_traditional_chinese_android_24h(tmp_path):
    # the file name Traditional Chinese exports get ("與NAME的WhatsApp對話.txt")
    p = tmp_path / "與光彩俱樂部的WhatsApp對話.txt"
    shutil.copy(FIX / "whatsapp_zh_hant.txt", p)
    r = import_files("whatsapp", [p])
    assert set(r.tables["messages"]["group_id"]) == {"光彩俱樂部"}
    # hand-counted: joins 小林 (created), the exporter ("您被加到群組", no inviter named),
    # 小紅 and 小白 (by 小林), 小藍 (link), 小紫 (by the exporter, "您新增了") = 6; leaves
    # 小白 (退出了), 小藍 (removed), the exporter ("小林 移除了您") = 3
    assert _members(r) == [
        ("name:小林", "join", None, "create"),
        ("self", "join", None, "invite"),
        ("name:小紅", "join", "name:小林", "invite"),
        ("name:小白", "join", "name:小林", "invite"),
        ("name:小藍", "join", None, "link"),
        ("name:小白", "leave", None, "left"),
        ("name:小藍", "leave", None, "removed"),
        ("name:小紫", "join", "self", "invite"),
        ("self", "leave", None, "removed"),
    ]
    # one speaker, 小紅, with 1 message; the 10 other lines are system lines
    assert _speakers(r) == ({"name:小紅"}, 1, 10)
    assert r.problems == []


@pytest.mark.parametrize(
    ("line", "ts"),
    [
        # French Android (github.com/JBGruber/rwhatsapp/issues/8)
        ("13/03/2026 à 14:05 - Ana: salut", "2026-03-13T14:05:00+08:00"),
        # Russian Android (github.com/automaciej/whatsapp-archive/issues/7)
        ("13.03.2026, 14:05 - Аня: привет", "2026-03-13T14:05:00+08:00"),
        ("13.03.26, 14:05 - Аня: привет", "2026-03-13T14:05:00+08:00"),
        # Chinese Android and iOS (github.com/ChatLab/ChatLab, langchain-ai/langchain#6555)
        ("2026/3/13 下午2:05 - 小林: 你好", "2026-03-13T14:05:00+08:00"),
        ("2026/3/13 14:05 - 小林: 你好", "2026-03-13T14:05:00+08:00"),
        ("[2026/3/13 14:05:09] 小林: 你好", "2026-03-13T14:05:09+08:00"),
        ("[2026/3/13, 14:05:09] 小林: 你好", "2026-03-13T14:05:09+08:00"),
    ],
)
def test_whatsapp_fr_ru_zh_date_lines(tmp_path, line, ts):
    p = tmp_path / "chat.txt"
    p.write_text(line + "\n", encoding="utf-8")
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "ts", "msg_type") == [(ts, "text")]
    assert r.problems == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "Vous avez été ajouté(e)",
                "Vous avez intégré le groupe en utilisant le lien d'invitation",
                "Ana vous a retiré",
                "Bea est parti",  # the 2016/2017 wording
                "Groupe quitté",  # the 2016/2017 "You left"
            ],
            [
                ("self", "join", None),
                ("self", "join", None),
                ("self", "leave", None),
                ("name:Bea", "leave", None),
                ("self", "leave", None),
            ],
        ),
        (
            [
                "Вы были добавлены",
                "Вы вступили в группу, используя приглашение.",
                "Вы присоединились к группе, используя приглашение.",  # 2.17
                "Вера присоединился(-ась) к группе, используя приглашение.",  # 2.17
                "Аня удалил(-а) вас",
                "Вы добавили Вера, Галя и Даша",
            ],
            [
                ("self", "join", None),
                ("self", "join", None),
                ("self", "join", None),
                ("name:Вера", "join", None),
                ("self", "leave", None),
                ("name:Вера", "join", "self"),
                ("name:Галя", "join", "self"),
                ("name:Даша", "join", "self"),
            ],
        ),
        (
            [
                "您已被添加",
                "您使用了群组邀请链接加入群组",
                "您使用了群组邀请连结加入群组",  # 2.17
                "小林 移除了您",
                "小红 新增了您",
                "您使用了群組邀請連結加入群組",
                "您已退出群組",
            ],
            [
                ("self", "join", None),
                ("self", "join", None),
                ("self", "join", None),
                ("self", "leave", None),
                ("self", "join", "name:小红"),
                ("self", "join", None),
                ("self", "leave", None),
            ],
        ),
    ],
)
def test_whatsapp_exporter_lines_in_fr_ru_zh(tmp_path, lines, expected):
    p = tmp_path / "chat.txt"
    p.write_text(
        "".join(f"14/12/2026, 10:0{i} - {x}\n" for i, x in enumerate(lines)), encoding="utf-8"
    )
    assert rows(import_files("whatsapp", [p]), "members", "member_id", "event", "inviter_id") == (
        expected
    )


@pytest.mark.parametrize(
    "line",
    [
        'Ana changed the subject to "Bea added Carla"',
        'You changed the subject from "Glow" to "Bea added Carla"',
        'Ana cambió el asunto a "Bea añadió a Carla"',
        'Ana a modifié le sujet "Club" en "Bea a ajouté Carla".',
        'Vous avez changé le sujet en "Bea a ajouté Carla"',
        'Аня изменил(-а) тему с "Клуб" на "Аня добавил(-а) Вера"',
        'Вы изменили тему на "Аня добавил(-а) Вера"',
        '小林 把主题从 "光彩" 改为 "小红 添加了 小白"',
        '您將主題變更為 "小白 添加了 小紅"',
        # the creation by an unnamed creator (no join of "Group creator")
        'Group creator created group "Glow Club"',
        'El creador del grupo creó el grupo "Club Brillo"',
        'Le créateur de groupe a créé le groupe "Club Éclat"',
    ],
)
def test_whatsapp_subject_changes_and_unnamed_creators_are_no_member_events(tmp_path, line):
    # each new subject reads like an "added" line, which the general patterns would take;
    # the unnamed creator would be taken for a member by the "created" patterns
    p = tmp_path / "chat.txt"
    p.write_text(f"14/12/2026, 10:00 - {line}\n", encoding="utf-8")
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "member_id", "msg_type") == [("system", "system")]
    assert "members" not in r.tables  # no member event at all


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                'Ana creó el grupo "Club"',
                "Añadiste a Bea y Carla",
                "Eliminaste a Bea",
                "Ana te eliminó",
                "Saliste del grupo",
            ],
            [
                ("name:Ana", "join", None),
                ("name:Bea", "join", "self"),
                ("name:Carla", "join", "self"),
                ("name:Bea", "leave", None),
                ("self", "leave", None),
                ("self", "leave", None),
            ],
        ),
        (
            [
                "Ana hat die Gruppe „Club“ erstellt.",
                "Ana hat dich hinzugefügt.",
                "Ana hat Bea und Carla hinzugefügt.",
                "Dani ist dieser Gruppe mit dem Einladungslink beigetreten.",
                "Du bist dieser Gruppe mit dem Einladungslink beigetreten.",
                "Du hast Eva hinzugefügt.",
                "Carla hat die Gruppe verlassen.",
                "Ana hat Dani entfernt.",
                "Du hast Eva entfernt.",
                "Ana hat dich entfernt.",
                "Der Gruppengründer hat die Gruppe „Club“ erstellt.",
            ],
            [
                ("name:Ana", "join", None),
                ("self", "join", "name:Ana"),
                ("name:Bea", "join", "name:Ana"),
                ("name:Carla", "join", "name:Ana"),
                ("name:Dani", "join", None),
                ("self", "join", None),
                ("name:Eva", "join", "self"),
                ("name:Carla", "leave", None),
                ("name:Dani", "leave", None),
                ("name:Eva", "leave", None),
                ("self", "leave", None),
            ],
        ),
        (
            [
                'Ana telah membuat grup "Club"',
                "Ana telah menambahkan Bea",
                "Carla telah bergabung menggunakan tautan undangan grup ini",
                "Anda telah menambahkan Dani",
                "Ana telah mengeluarkan Bea",
                "Anda telah mengeluarkan Dani",
                "Ana telah mengeluarkan Anda",
                "Anda keluar",
                'Pembuat grup telah membuat grup "Club"',
            ],
            [
                ("name:Ana", "join", None),
                ("name:Bea", "join", "name:Ana"),
                ("name:Carla", "join", None),
                ("name:Dani", "join", "self"),
                ("name:Bea", "leave", None),
                ("name:Dani", "leave", None),
                ("self", "leave", None),
                ("self", "leave", None),
            ],
        ),
    ],
)
def test_whatsapp_android_2_21_wordings_in_es_de_id(tmp_path, lines, expected):
    # the wordings of WhatsApp for Android 2.21's es/de/id string tables (see the comments in
    # importers/whatsapp.py): the exporter's own acts, de's final ".", id's "telah", and the
    # unnamed creator (no event); one expected row per member the line names, counted by hand
    p = tmp_path / "chat.txt"
    p.write_text(
        "".join(f"14/12/2026, 10:{i:02d} - {x}\n" for i, x in enumerate(lines)), encoding="utf-8"
    )
    assert rows(import_files("whatsapp", [p]), "members", "member_id", "event", "inviter_id") == (
        expected
    )


def test_whatsapp_brazilian_portuguese_android_without_a_comma():
    # pt-BR Android writes "dd/mm/yyyy HH:MM - " with no comma after the date
    # (github.com/pcsingh/WhatsApp-Chat-Analyzer/issues/3); wordings of Android 2.21's pt-BR
    r = import_files("whatsapp", [FIX / "whatsapp_pt.txt"])
    # hand-counted: joins Ana (created), the exporter (by Ana, "adicionou você"), Bia and
    # Carla (by Ana, " e "), Duda (link), Eva, Fábio and Gil (by the exporter, "Você
    # adicionou … , … e …") = 8; leaves Carla (saiu), Duda (removed by Ana), Gil (removed by
    # the exporter), the exporter ("Você saiu") = 4; the new name "Duda adicionou Eva" is no
    # join; inviters: Ana ×3, the exporter ×3
    assert _members(r) == [
        ("name:Ana", "join", None, "create"),
        ("self", "join", "name:Ana", "invite"),
        ("name:Bia", "join", "name:Ana", "invite"),
        ("name:Carla", "join", "name:Ana", "invite"),
        ("name:Duda", "join", None, "link"),
        ("name:Eva", "join", "self", "invite"),
        ("name:Fábio", "join", "self", "invite"),
        ("name:Gil", "join", "self", "invite"),
        ("name:Carla", "leave", None, "left"),
        ("name:Duda", "leave", None, "removed"),
        ("name:Gil", "leave", None, "removed"),
        ("self", "leave", None, "left"),
    ]
    # speakers Bia (1), Carla (an attachment and a two-line message), Duda (1) = 4 messages;
    # 11 system lines (the encryption notice, criou, adicionou você, adicionou Bia e Carla,
    # link, Você adicionou, mudou o nome, saiu, removeu, Você removeu, Você saiu)
    assert _speakers(r) == ({"name:Bia", "name:Carla", "name:Duda"}, 4, 11)
    said = [
        (ts, m, t, c)
        for ts, m, t, c in rows(r, "messages", "ts", "member_id", "msg_type", "content")
        if t != "system"
    ]
    assert said == [
        ("2026-03-13T10:00:00+08:00", "name:Bia", "text", "Oi, pessoal!"),
        ("2026-03-13T10:05:00+08:00", "name:Carla", "image", None),  # "(arquivo anexado)"
        (
            "2026-03-13T14:05:00+08:00",
            "name:Carla",
            "text",
            "Chegou o sérum\nsegunda linha da mesma mensagem",
        ),
        ("2026-03-14T11:00:00+08:00", "name:Duda", "text", "Obrigada!"),
    ]
    assert r.problems == []


def test_whatsapp_german_android():
    # "03.08.21, 12:30 - " (github.com/Duelion/whatsapp-wrapped/pull/12); Android 2.21's
    # wordings with their final "." and „…“ quotes
    r = import_files("whatsapp", [FIX / "whatsapp_de.txt"])
    # hand-counted: joins Anna (created), the exporter (by Anna, "hat dich hinzugefügt."), Ben
    # and Clara (by Anna, " und "), Dani (link), Eva, Finn and Greta (by the exporter, "Du hast
    # … hinzugefügt.") = 8; leaves Clara (verlassen), Dani (removed by Anna), Greta (removed
    # by the exporter), the exporter = 4; the subject "Dani hat Eva hinzugefügt." is no join
    assert _members(r) == [
        ("name:Anna", "join", None, "create"),
        ("self", "join", "name:Anna", "invite"),
        ("name:Ben", "join", "name:Anna", "invite"),
        ("name:Clara", "join", "name:Anna", "invite"),
        ("name:Dani", "join", None, "link"),
        ("name:Eva", "join", "self", "invite"),
        ("name:Finn", "join", "self", "invite"),
        ("name:Greta", "join", "self", "invite"),
        ("name:Clara", "leave", None, "left"),
        ("name:Dani", "leave", None, "removed"),
        ("name:Greta", "leave", None, "removed"),
        ("self", "leave", None, "left"),
    ]
    # speakers Ben (1), Clara (an attachment "(Datei angehängt)" and a two-line message), Dani
    # (1) = 4 messages; 11 system lines
    assert _speakers(r) == ({"name:Ben", "name:Clara", "name:Dani"}, 4, 11)
    # Clara's "IMG-… (Datei angehängt)" is a photo, not a system line (its U+200E mark)
    assert rows(r, "messages", "member_id", "msg_type")[7] == ("name:Clara", "image")
    assert r.problems == []


def test_whatsapp_indonesian_android_dotted_time_without_a_comma():
    # "30/08/25 18.00 - ": a dot in the time, no comma (github.com/mtln/chat-export/pull/28)
    r = import_files("whatsapp", [FIX / "whatsapp_id.txt"])
    # hand-counted: joins Ani (created), the exporter (by Ani, "menambahkan Anda"), Budi,
    # Citra and Dewi (by Ani, ", … , dan …" with the comma before "dan"), Eko (link), Fajar
    # and Gita (by the exporter, "Anda telah menambahkan … dan …") = 8; leaves Dewi (keluar),
    # Eko (removed by Ani), Gita (removed by the exporter), the exporter ("Anda keluar") = 4;
    # the subject "Budi menambahkan Citra" is no join
    assert _members(r) == [
        ("name:Ani", "join", None, "create"),
        ("self", "join", "name:Ani", "invite"),
        ("name:Budi", "join", "name:Ani", "invite"),
        ("name:Citra", "join", "name:Ani", "invite"),
        ("name:Dewi", "join", "name:Ani", "invite"),
        ("name:Eko", "join", None, "link"),
        ("name:Fajar", "join", "self", "invite"),
        ("name:Gita", "join", "self", "invite"),
        ("name:Dewi", "leave", None, "left"),
        ("name:Eko", "leave", None, "removed"),
        ("name:Gita", "leave", None, "removed"),
        ("self", "leave", None, "left"),
    ]
    # speakers Budi (1), Citra (an attachment "(file terlampir)" and a two-line message), Eko
    # (1) = 4 messages; 11 system lines
    assert _speakers(r) == ({"name:Budi", "name:Citra", "name:Eko"}, 4, 11)
    said = [
        (ts, m) for ts, m, t in rows(r, "messages", "ts", "member_id", "msg_type") if t != "system"
    ]
    assert said == [
        ("2026-03-13T10:00:00+08:00", "name:Budi"),  # 10.00
        ("2026-03-13T10:05:00+08:00", "name:Citra"),
        ("2026-03-13T14:05:00+08:00", "name:Citra"),  # 14.05
        ("2026-03-14T11:00:00+08:00", "name:Eko"),
    ]
    assert r.problems == []


def test_whatsapp_german_ios_and_the_not_a_contact_mark(tmp_path):
    # German iOS: "[19.04.17, 20:43:09] " (github.com/Pustur/whatsapp-chat-parser/issues/225),
    # "<Anhang: …>" attachments; "~" + U+202F before a name that is not in the exporter's
    # contacts, in a sender and inside system lines
    p = tmp_path / "WhatsApp Chat - Club Glanz" / "_chat.txt"
    p.parent.mkdir()
    shutil.copy(FIX / "whatsapp_de_ios.txt", p)
    r = import_files("whatsapp", [p])
    assert set(r.tables["messages"]["group_id"]) == {"Club Glanz"}
    # hand-counted: joins Anna (created), Dani (by Anna, written "~ Dani") = 2; leaves Dani
    # ("~ Dani hat die Gruppe verlassen.") = 1: one member Dani throughout, not "~ Dani"
    assert _members(r) == [
        ("name:Anna", "join", None, "create"),
        ("name:Dani", "join", "name:Anna", "invite"),
        ("name:Dani", "leave", None, "left"),
    ]
    # speakers Dani (a text and a photo, as "~ Dani"), Anna (a two-line message) = 3
    # messages; 4 system lines (the encryption notice, created, added, left)
    assert _speakers(r) == ({"name:Anna", "name:Dani"}, 3, 4)
    assert rows(r, "messages", "member_id", "msg_type")[3:6] == [
        ("name:Dani", "text"),
        ("name:Dani", "image"),
        ("name:Anna", "text"),
    ]
    assert r.problems == []


def test_whatsapp_not_a_contact_mark_is_no_part_of_the_name(tmp_path):
    # the line of github.com/langchain-ai/langchain/pull/6555 (U+202F after "~"); the same
    # person joins by link under her plain name; a "~" that is part of a name (no space after
    # it) stays
    p = tmp_path / "chat.txt"
    p.write_text(
        "[2023/5/4, 16:17:00] Club: \u200eCarolina joined using this group's invite link\n"
        "[2023/5/4, 16:17:13] ~\u202fCarolina: 🥺\n"
        "[2023/5/4, 16:18:00] ~Zen~: hi\n"
        "[2023/5/4, 16:19:00] Club: \u200e~\u202fCarolina added ~\u202fDora and Zoe\n",
        encoding="utf-8",
    )
    r = import_files("whatsapp", [p], group_id="g")
    said = [m for m, t in rows(r, "messages", "member_id", "msg_type") if t != "system"]
    assert said == ["name:Carolina", "name:~Zen~"]
    assert _members(r) == [
        ("name:Carolina", "join", None, "link"),
        ("name:Dora", "join", "name:Carolina", "invite"),
        ("name:Zoe", "join", "name:Carolina", "invite"),
    ]


@pytest.mark.parametrize(
    ("line", "ts"),
    [
        # pt-BR Android (github.com/pcsingh/WhatsApp-Chat-Analyzer/issues/3)
        ("13/03/2026 14:05 - Ana: oi", "2026-03-13T14:05:00+08:00"),
        # German Android and iOS (Duelion/whatsapp-wrapped#12, Pustur/whatsapp-chat-parser#225)
        ("13.03.26, 14:05 - Anna: hallo", "2026-03-13T14:05:00+08:00"),
        ("[13.03.26, 14:05:09] Anna: hallo", "2026-03-13T14:05:09+08:00"),
        # Indonesian Android (github.com/mtln/chat-export/pull/28)
        ("13/03/26 14.05 - Ani: halo", "2026-03-13T14:05:00+08:00"),
        ("13/03/2026 00.05 - Ani: halo", "2026-03-13T00:05:00+08:00"),
    ],
)
def test_whatsapp_pt_de_id_date_lines(tmp_path, line, ts):
    p = tmp_path / "chat.txt"
    p.write_text(line + "\n", encoding="utf-8")
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "ts", "msg_type") == [(ts, "text")]
    assert r.problems == []


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            # pt-PT, Android 2.21 (app_strings_pt.pack, its first locale)
            [
                'Criou o grupo "Clube"',
                "Ana adicionou-o(a)",
                "Aderiu através da ligação de convite deste grupo",
                "Bia aderiu através da ligação de convite deste grupo",
                "Adicionou Carla e Duda",
                "Carla foi adicionado(a)",
                "Ana removeu Bia",
                "Removeu Duda",
                "Carla saiu do grupo",
                "Foi removido(a) por Ana",
                "Saiu do grupo",
                "Foi adicionado",
                "Aderiu ao grupo por convite de Ana",
                "Foi removido",
                'O criador do grupo criou o grupo "Clube"',
                'Ana alterou o assunto de "Clube" para "Bia adicionou Carla"',
                "Adicionou Eva à lista",
            ],
            [
                ("self", "join", None),
                ("self", "join", "name:Ana"),
                ("self", "join", None),
                ("name:Bia", "join", None),
                ("name:Carla", "join", "self"),
                ("name:Duda", "join", "self"),
                ("name:Carla", "join", None),
                ("name:Bia", "leave", None),
                ("name:Duda", "leave", None),
                ("name:Carla", "leave", None),
                ("self", "leave", None),
                ("self", "leave", None),
                ("self", "join", None),
                ("self", "join", "name:Ana"),
                ("self", "leave", None),
            ],
        ),
        (
            # pt-PT 2.17 (GBWhatsApp res/values-pt) and pt-BR 2.21's other lines
            [
                "Ana adicionou Bia a este grupo",
                "Ana removeu Bia deste grupo",
                "Foi adicionado a este grupo por Ana",
                "Foi removido deste grupo por Ana",
                "Carla entrou no grupo através da ligação de convite",
                'Você criou o grupo "Clube".',
                "Você foi adicionado(a)",
                "Você entrou usando um convite de Ana",
                "Duda entrou usando um convite de Ana",
                "Eva entrou usando seu convite",
                "Duda foi removido(a)",
                "Ana removeu você",
                "Você foi removido(a)",
                'Um admin criou o grupo "Clube".',
                'Ana mudou o nome do grupo para "Bia saiu"',
                'Você alterou o nome de "Clube" para "Ana adicionou Bia"',
            ],
            [
                ("name:Bia", "join", "name:Ana"),
                ("name:Bia", "leave", None),
                ("self", "join", "name:Ana"),
                ("self", "leave", None),
                ("name:Carla", "join", None),
                ("self", "join", None),
                ("self", "join", None),
                ("self", "join", "name:Ana"),
                ("name:Duda", "join", "name:Ana"),
                ("name:Eva", "join", "self"),
                ("name:Duda", "leave", None),
                ("self", "leave", None),
                ("self", "leave", None),
            ],
        ),
        (
            # de and id lines with no actor named, the exporter's creation, and the 2.17
            # wordings (GBWhatsApp res/values-{de,in})
            [
                'Du hast die Gruppe "Club" erstellt.',
                "Du wurdest hinzugefügt.",
                "Bea wurde hinzugefügt.",
                "Du bist über eine Einladung von Ana beigetreten.",
                "Bea wurde entfernt.",
                "Du wurdest entfernt.",
                'Anda membuat grup "Klub"',
                'Ana membuat grup "Klub"',
                "Anda telah ditambahkan",
                "Budi telah ditambahkan",
                "Ana telah menambahkan Anda",
                "Anda telah bergabung menggunakan tautan undangan grup ini",
                "Anda telah bergabung menggunakan undangan dari Ana",
                "Budi telah dikeluarkan",
                "Anda telah dikeluarkan",
                'Anda telah mengubah subjek dari "Klub" menjadi "Ana menambahkan Budi"',
            ],
            [
                ("self", "join", None),
                ("self", "join", None),
                ("name:Bea", "join", None),
                ("self", "join", "name:Ana"),
                ("name:Bea", "leave", None),
                ("self", "leave", None),
                ("self", "join", None),
                ("name:Ana", "join", None),
                ("self", "join", None),
                ("name:Budi", "join", None),
                ("self", "join", "name:Ana"),
                ("self", "join", None),
                ("self", "join", "name:Ana"),
                ("name:Budi", "leave", None),
                ("self", "leave", None),
            ],
        ),
    ],
    ids=["pt-PT", "pt-PT-2.17-and-pt-BR", "de-id"],
)
def test_whatsapp_exporter_and_unnamed_actor_lines_in_pt_de_id(tmp_path, lines, expected):
    # one expected row per member each line names, read off the lines by hand; the unnamed
    # creators, subject changes and pt-PT's broadcast-list line give none
    p = tmp_path / "chat.txt"
    p.write_text(
        "".join(f"14/12/2026, 10:{i:02d} - {x}\n" for i, x in enumerate(lines)), encoding="utf-8"
    )
    assert rows(import_files("whatsapp", [p]), "members", "member_id", "event", "inviter_id") == (
        expected
    )


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("<Medien ausgeschlossen>", "other"),
        ("<Arquivo de mídia oculto>", "other"),
        ("<Ficheiro não revelado>", "other"),
        ("<Media tidak disertakan>", "other"),
        ("\u200eIMG-20260313-WA0001.jpg (ficheiro anexado)", "image"),
        ("\u200ePTT-20260313-WA0002.opus (Datei angehängt)", "voice"),
        ("\u200eKatalog.pdf (file terlampir)", "file"),
    ],
)
def test_whatsapp_android_media_lines_in_pt_de_id(tmp_path, body, kind):
    # Android 2.21's "<Media omitted>" and "%s (file attached)" in de, pt-BR, pt-PT, id: a
    # message of Ana, not a system line (the U+200E is the string table's own)
    p = tmp_path / "chat.txt"
    p.write_text(f"14/12/2026, 10:00 - Ana: {body}\n", encoding="utf-8")
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "member_id", "msg_type") == [("name:Ana", kind)]
