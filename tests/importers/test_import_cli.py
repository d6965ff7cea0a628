"""``sqops import`` through the CLI: output, exit codes, errors that name file and line,
encodings, deterministic files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIX = Path(__file__).parent / "fixtures"


def test_import_writes_tables_and_reports_skipped_lines(cli, tmp_path):
    out = tmp_path / "data"
    res = cli(
        "import", "wechat-msg", FIX / "wechat_msg.csv", "-o", out, "--format", "csv", "--lang", "en"
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [
        "imported wechat-msg: 1 file(s)",
        "  times without a zone read as Asia/Shanghai (the default; --tz or --sop to change)",
        f"  messages     12 rows → {(out / 'messages.csv').as_posix()}",
        f"  members       5 rows → {(out / 'members.csv').as_posix()}",
        "  other counts: notices=5",
    ]
    fixture = (FIX / "wechat_msg.csv").as_posix()
    assert res.stderr.splitlines() == [
        "2 line(s) could not be read (skipped):",
        f"{fixture}:9: warning: too few columns (2 of 12)",
        f"{fixture}:10: warning: cannot read CreateTime/StrTime: 'not-a-time'",
    ]
    text = (out / "members.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "ts,group_id,member_id,event,inviter_id,channel,member_name"
    assert (
        text.splitlines()[3]
        == "2026-12-01T10:00:00+08:00,12345678@chatroom,wxid_hei,join,wxid_hong,qrcode,小黑"
    )


def test_chinese_output_and_strict_exit_1(cli, tmp_path):
    res = cli("import", "qq", FIX / "qq.txt", "-o", tmp_path, "--lang", "zh", "--strict")
    assert res.exit_code == 1
    assert res.stdout.splitlines()[0] == "已导入 qq：1 个文件"
    assert res.stderr.splitlines()[0] == "无法读取 1 行（已跳过）："
    assert res.stderr.splitlines()[1].endswith(
        "qq.txt:25: 警告: 无法读取时间 “2026-13-45 25:61:00 坏行(99999)”"
    )
    assert (tmp_path / "messages.parquet").exists()  # --strict still writes what it read


def test_max_problems(cli, tmp_path):
    res = cli(
        "import",
        "youzan",
        FIX / "youzan_orders.csv",
        "-o",
        tmp_path,
        "--max-problems",
        "1",
        "--lang",
        "en",
    )
    assert res.exit_code == 0
    lines = res.stderr.splitlines()
    assert lines[0] == "3 line(s) could not be read (skipped):"
    assert len(lines) == 3 and lines[2] == "... and 2 more (--max-problems 0 shows all)"


def test_parquet_round_trip_and_byte_identical(cli, tmp_path):
    import polars as pl

    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        res = cli("import", "telegram", FIX / "telegram_chat.json", "-o", out)
        assert res.exit_code == 0, res.output
    for name in ("messages.parquet", "members.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    df = pl.read_parquet(a / "members.parquet")
    assert df.columns == [
        "ts",
        "group_id",
        "member_id",
        "event",
        "inviter_id",
        "channel",
        "member_name",
    ]
    assert df["inviter_id"].to_list() == [None, "user111", "user222", "user222", None]


def test_csv_is_byte_identical_across_runs(cli, tmp_path):
    for out in ("a", "b"):
        assert (
            cli(
                "import",
                "whatsapp",
                FIX / "whatsapp_es.txt",
                "-o",
                tmp_path / out,
                "--format",
                "csv",
            ).exit_code
            == 0
        )
    assert (tmp_path / "a" / "messages.csv").read_bytes() == (
        tmp_path / "b" / "messages.csv"
    ).read_bytes()


def test_auto_format(cli, tmp_path):
    res = cli(
        "import",
        "auto",
        FIX / "discord.json",
        FIX / "shopify_orders.csv",
        "-o",
        tmp_path,
        "--lang",
        "en",
    )
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "members.parquet",
        "messages.parquet",
        "orders.parquet",
    ]


@pytest.mark.parametrize(
    ("fmt", "fixture", "message"),
    [
        (
            "wechat-msg",
            "qq.txt",
            "not a WeChatMsg-style CSV: the header lacks TalkerId, Type, StrContent, Sender, CreateTime/StrTime",
        ),
        (
            "wechat-chatlog",
            "shopify_orders.csv",
            "not a chatlog-style CSV: the header lacks Time, Sender, Talker, Content (expected Time, SenderName, Sender, TalkerName, Talker, Content)",
        ),
        (
            "qq",
            "shopify_orders.csv",
            "not a QQ message manager export: no 消息对象 header and no 'date time name(QQ)' line",
        ),
        (
            "telegram",
            "discord.json",
            "not a Telegram Desktop export: its messages have no date or date_unixtime",
        ),
        (
            "whatsapp",
            "qq_12h.txt",
            "not a WhatsApp chat export: no 'date, time - name: message' or '[date, time] name: message' line",
        ),
        (
            "wecom",
            "discord.json",
            "not a WeCom chat archive or group details: no msgid or member_list",
        ),
        (
            "discord",
            "wechat_msg.csv",
            "not a DiscordChatExporter CSV: expected the header AuthorID, Author, Date, Content, Attachments, Reactions",
        ),
        (
            "youzan",
            "shopify_orders.csv",
            "not a Youzan order export: the header lacks 订单号, 订单状态, 订单实付金额, 订单创建时间/买家付款时间, 买家昵称/buyer id",
        ),
        (
            "shopify",
            "youzan_orders.csv",
            "not a Shopify orders CSV: the header lacks Name, Financial Status, Total, Paid at/Created at",
        ),
    ],
)
def test_wrong_format_is_exit_2_naming_file_and_line(cli, tmp_path, fmt, fixture, message):
    res = cli("import", fmt, FIX / fixture, "-o", tmp_path, "--lang", "en")
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [f"{(FIX / fixture).as_posix()}:1: error: {message}"]
    assert "Traceback" not in res.output
    assert list(tmp_path.iterdir()) == []


def test_broken_json_names_line_and_column(cli, tmp_path):
    bad = tmp_path / "result.json"
    bad.write_text('{"name": "x",\n "messages": [\n  {"id": 1,}\n ]}\n', encoding="utf-8")
    res = cli("import", "telegram", bad, "-o", tmp_path / "out", "--lang", "en")
    assert res.exit_code == 2
    assert (
        res.stderr.strip()
        == f"{bad.as_posix()}:3:12: error: JSON syntax error: Expecting property name enclosed in double quotes"
    )


def test_unknown_format_and_missing_file(cli, tmp_path):
    res = cli("import", "wechat", FIX / "qq.txt", "-o", tmp_path, "--lang", "en")
    assert res.exit_code == 2
    assert (
        "unknown import format 'wechat'" in res.stderr and "did you mean wechat-msg?" in res.stderr
    )
    res = cli("import", "qq", tmp_path / "nope.txt", "-o", tmp_path, "--lang", "en")
    assert res.exit_code == 2
    assert res.stderr.strip() == f"{(tmp_path / 'nope.txt').as_posix()}: error: file not found"


def test_nothing_imported_is_exit_2(cli, tmp_path):
    only_private = tmp_path / "private.jsonl"
    only_private.write_text(
        '{"msgid":"a","action":"send","from":"wmA","roomid":"","msgtime":1797732000000,"msgtype":"text","text":{"content":"hi"}}\n',
        encoding="utf-8",
    )
    res = cli("import", "wecom", only_private, "-o", tmp_path / "out", "--lang", "en")
    assert res.exit_code == 2
    assert (
        res.stderr.splitlines()[0] == f"{only_private.as_posix()}: error: no row could be imported"
    )


def test_generic_needs_a_column_map_and_checks_it(cli, tmp_path):
    res = cli("import", "generic", FIX / "generic_orders.csv", "-o", tmp_path, "--lang", "en")
    assert res.exit_code == 2 and "the generic format needs a column map" in res.stderr
    bad = tmp_path / "map.yaml"
    bad.write_text(
        "table: orders\ncolumns:\n  order_id: 订单编号\n  tss: 支付时间\n", encoding="utf-8"
    )
    res = cli(
        "import",
        "generic",
        FIX / "generic_orders.csv",
        "--columns",
        bad,
        "-o",
        tmp_path / "o",
        "--lang",
        "en",
    )
    assert res.exit_code == 2
    assert res.stderr.strip().startswith(
        f"{bad.as_posix()}:4:3: error: table orders has no column 'tss'"
    )
    assert "did you mean ts?" in res.stderr


# ---------------------------------------------------------------- encodings


def test_qq_in_gb18030_reads_the_same(tmp_path):
    from sqops.importers import import_files

    gb = tmp_path / "qq_gb.txt"
    gb.write_bytes(
        (FIX / "qq.txt").read_text(encoding="utf-8").replace("\n", "\r\n").encode("gb18030")
    )
    a = import_files("qq", [FIX / "qq.txt"])
    b = import_files("qq", [gb])
    assert a.tables["messages"].equals(b.tables["messages"])
    assert a.tables["members"].equals(b.tables["members"])
    assert [p.where.line for p in b.problems] == [25]  # CRLF does not shift line numbers


def test_utf16_and_bom_csv(tmp_path):
    from sqops.importers import import_files

    src = (FIX / "shopify_orders.csv").read_text(encoding="utf-8")
    u16 = tmp_path / "orders16.csv"
    u16.write_bytes(src.encode("utf-16"))
    bom = tmp_path / "orders_bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + src.encode("utf-8"))
    a = import_files("shopify", [FIX / "shopify_orders.csv"]).tables["orders"]
    assert import_files("shopify", [u16]).tables["orders"].equals(a)
    assert import_files("shopify", [bom]).tables["orders"].equals(a)


def test_undecodable_bytes_name_the_line(cli, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes("消息对象:群\n".encode() + b"\x80\x80\xff\xfe\xfd\n")
    res = cli("import", "qq", bad, "-o", tmp_path / "o", "--lang", "en")
    assert res.exit_code == 2
    assert (
        res.stderr.strip()
        == f"{bad.as_posix()}:2: error: unknown text encoding (supported: UTF-8, UTF-8 with BOM, UTF-16, GB18030)"
    )


def test_whatsapp_group_from_file_name(tmp_path):
    from sqops.importers import import_files

    p = tmp_path / "WhatsApp Chat with 护肤群.txt"
    shutil.copy(FIX / "whatsapp_es.txt", p)
    assert set(import_files("whatsapp", [p]).tables["messages"]["group_id"]) == {"护肤群"}


def test_output_folder_shared_by_a_chat_and_an_order_import(cli, tmp_path):
    assert (
        cli("import", "discord", FIX / "discord.json", "-o", tmp_path, "--lang", "en").exit_code
        == 0
    )
    res = cli("import", "shopify", FIX / "shopify_orders.csv", "-o", tmp_path, "--lang", "en")
    assert res.exit_code == 0
    assert (
        res.stdout.splitlines()[-1]
        == "  kept tables already there: messages.parquet, members.parquet"
    )
    # the same table in another format would make sqops report see two tables: refused
    res = cli(
        "import", "discord", FIX / "discord.json", "-o", tmp_path, "--format", "csv", "--lang", "en"
    )
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        f"{(tmp_path / 'messages.parquet').as_posix()}: error: "
        "already exists: sqops report would see two messages tables; remove it first"
    )
    assert not (tmp_path / "messages.csv").exists()


def test_unknown_time_zone_is_exit_2(cli, tmp_path):
    res = cli(
        "import", "qq", FIX / "qq.txt", "-o", tmp_path, "--tz", "Mars/Olympus", "--lang", "en"
    )
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: unknown time zone 'Mars/Olympus' (e.g. Asia/Shanghai)"


def test_columns_with_a_fixed_format_is_refused(cli, tmp_path):
    res = cli(
        "import",
        "qq",
        FIX / "qq.txt",
        "--columns",
        FIX / "generic_map.yaml",
        "-o",
        tmp_path,
        "--lang",
        "en",
    )
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "error: --columns applies to the generic (or auto) format only; the qq format has fixed columns"
    )


def test_imported_tables_feed_the_report_reader():
    from sqops.data.tables import prepare_tables
    from sqops.importers import import_files

    result = import_files("telegram", [FIX / "telegram_chat.json"])
    tables = prepare_tables(result.tables, tz="Asia/Shanghai")
    # every imported row is valid for the report: nothing rejected
    for name, rows in (("messages", 9), ("members", 5)):
        assert tables[name].rows_read == rows
        assert tables[name].rejected.height == 0
    assert len(result.problems) == 1


def test_problems_csv(cli, tmp_path):
    out = tmp_path / "problems.csv"
    res = cli(
        "import",
        "youzan",
        FIX / "youzan_orders.csv",
        "-o",
        tmp_path / "d",
        "--problems",
        out,
        "--lang",
        "en",
    )
    assert res.exit_code == 0
    fixture = (FIX / "youzan_orders.csv").as_posix()
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "file,line,row,key,kind,reason",
        f"{fixture},8,,,unreadable,cannot read the amount '免费'",
        f"{fixture},9,,,unreadable,unknown 订单状态 (status) '火星状态'",
        f"{fixture},10,,,unreadable,empty 订单号 (order id)",
    ]


def test_command_lists_every_registered_format_without_importing_polars():
    import subprocess
    import sys

    from sqops.cli.commands.import_ import FORMAT_NAMES
    from sqops.importers import FORMATS

    assert (*FORMATS, "auto") == FORMAT_NAMES
    code = "import sys, sqops.cli; sys.exit('polars' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    ("args", "zone", "whence", "utc_hour"),
    [
        # qq.txt's first line: 2026-12-01 20:15:03 local
        ([], "Asia/Shanghai", "the default", 12),
        (["--sop", "SOP"], "Europe/London", "the SOP's", 20),
        (["--sop", "SOP", "--tz", "Asia/Tokyo"], "Asia/Tokyo", "--tz", 11),
    ],
)
def test_naive_times_take_the_sops_zone_and_the_summary_says_which(
    cli, tmp_path, args, zone, whence, utc_hour
):
    import polars as pl

    sop = tmp_path / "sop.yaml"
    sop.write_text(
        "version: 1\ncommunity: {name: London club, platform: whatsapp, timezone: Europe/London, "
        "language: en}\n",
        encoding="utf-8",
    )
    args = [str(sop) if a == "SOP" else a for a in args]
    out = tmp_path / "out"
    r = cli("import", "qq", str(FIX / "qq.txt"), "-o", str(out), "--lang", "en", *args)
    assert r.exit_code == 0, r.output
    assert f"times without a zone read as {zone} ({whence}" in r.stdout
    ts = pl.read_parquet(out / "messages.parquet")["ts"][0]
    first = pl.Series([ts]).str.to_datetime(time_zone="UTC")[0]
    assert first.hour == utc_hour
