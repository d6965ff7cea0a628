"""Benchmark ``sqops import``: each format's synthetic export beside a plain polars read of it.

Run::

    PYTHONPATH=src python benchmarks/bench_import.py [--rows 1000000] [--formats a,b] [--repeat 3]
    PYTHONPATH=src python benchmarks/bench_import.py --big-gb 1 --formats wechat-chatlog

For each format it writes a synthetic export of ``--rows`` rows (several hundred speakers, CJK
text, multi-line bodies, a notice every 500 rows) into a temporary folder, then measures, each
in its own subprocess and alternating, ``--repeat`` times:

* the reference: the plain polars read of the same file (``pl.read_csv`` with every column as
  text, ``pl.read_json``/``pl.read_ndjson``, or the lines of a text file);
* the import: ``import_files`` + ``write_tables`` to Parquet (what ``sqops import`` does).

It prints, per measurement, the wall time and CPU seconds (user + sys) of the timed part (the
interpreter's start and imports excluded), the peak RSS of the process (``os.wait4``), rows per
second, and the import's ratio to the polars read (best of the repeats). It exits 1 when a format
misses its target rows per second (:data:`TARGETS`). The machine is shared: the load average is
printed before and after; compare ratios, and rerun when the load is high.

``--big-gb N``: one export of about N GB (a 1M-row block repeated), imported once, to show the
peak RSS of a file far larger than memory should hold (no reference read: it would hold the file).
``--memory-limit SIZE`` (e.g. ``2G``): the imports run with that bound (``sqops import
--memory-limit``: messages past a quarter of it are spilled to disk and merged at the end); with
``--big-gb``, ``--memory-limit none`` imports it held in memory, as before.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from _bytecode import compile_package

#: rows per second each kind of export must reach (issue #19)
TARGETS = {"table": 1_000_000, "text": 500_000}


@dataclass(frozen=True)
class Bench:
    """A format: how to write a synthetic export of N rows, how polars reads it as is."""

    write: Callable[[Path, int], Path]  # (folder, rows) → the export file
    reference: str  # csv | json | ndjson | orjson | lines
    kind: str = "table"  # table (CSV/JSON: TARGETS["table"]) | text (TARGETS["text"])
    options: dict[str, str] = field(default_factory=dict)  # import_files keywords (paths)
    fmt: str = ""  # the import format, when the benchmark's name is not it


def _stamp(i: int) -> tuple[int, int, int, int]:
    return 1 + (i // 20000) % 28, (i // 1000) % 24, (i // 17) % 60, i % 60


_BODIES = (
    "今天的精华用了吗",
    "[图片]",
    "好的，谢谢老师！",
    "请问敏感肌可以用吗？",
    "[动画表情]",
    "打卡 第 3 天 ✅",
    "[链接|成分表](https://example.com/a)",
    "早安 ☀️",
)


def _body(rnd: random.Random, i: int) -> str:
    """A message text: mostly one line, every 20th two lines, some with quotes and commas."""
    if i % 20 == 7:
        return f'第 {i} 条：\n"早晚都可以吗"，谢谢'
    if i % 50 == 3:
        return f"我觉得 {i}，还行"
    return rnd.choice(_BODIES)


def _csv_cell(s: str) -> str:
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\r\n') else s


# ---------------------------------------------------------------- wechat (impcore)


def write_wechat_chatlog(folder: Path, rows: int) -> Path:
    rnd = random.Random(1)
    p = folder / "chat.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write("Time,SenderName,Sender,TalkerName,Talker,Content\n")
        for i in range(rows):
            d, h, m, s = _stamp(i)
            u = rnd.randrange(400)
            ts = f"2026-12-{d:02d} {h:02d}:{m:02d}:{s:02d}"
            if i % 500 == 0:
                f.write(f'{ts},,,护肤交流群,g1@chatroom,"""u{u}""邀请""n{i}""加入了群聊"\n')
            else:
                body = _csv_cell(_body(rnd, i))
                f.write(f"{ts},成员{u},wxid_{u},护肤交流群,g1@chatroom,{body}\n")
    return p


def write_wechat_msg(folder: Path, rows: int) -> Path:
    rnd = random.Random(2)
    p = folder / "msg.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write(
            "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,"
            "Remark,NickName,Sender\n"
        )
        for i in range(rows):
            t = 1_764_547_200 + i * 3
            u = rnd.randrange(400)
            if i % 500 == 0:
                f.write(f'{i},g1@chatroom,10000,0,0,{t},2,"""u{u}""邀请""n{i}""加入了群聊",,,,\n')
                continue
            body = _body(rnd, i)
            typ = "3" if body == "[图片]" else "47" if body == "[动画表情]" else "1"
            mine = "1" if u == 0 else "0"
            f.write(f"{i},g1@chatroom,{typ},0,{mine},{t},2,{_csv_cell(body)},,,成员{u},wxid_{u}\n")
    return p


def write_generic(folder: Path, rows: int) -> Path:
    rnd = random.Random(3)
    p = folder / "messages.csv"
    (folder / "generic_map.yaml").write_text(
        "table: messages\ncolumns:\n  ts: 时间\n  group_id: 群\n  member_id: 成员编号\n"
        "  member_name: 昵称\n  content: 内容\n  msg_type: 类型\n"
        "values:\n  msg_type: {文本: text, 图片: image}\n",
        encoding="utf-8",
    )
    with p.open("w", encoding="utf-8") as f:
        f.write("时间,群,成员编号,昵称,内容,类型\n")
        for i in range(rows):
            d, h, m, _ = _stamp(i)
            u = rnd.randrange(400)
            body = _body(rnd, i)
            typ = "图片" if body == "[图片]" else "文本"
            f.write(
                f"2026-12-{d:02d} {h:02d}:{m:02d},群{i % 3},m{u},成员{u},{_csv_cell(body)},{typ}\n"
            )
    return p


# ---------------------------------------------------------------- text exports


def write_whatsapp(folder: Path, rows: int) -> Path:
    rnd = random.Random(1)
    p = folder / "WhatsApp Chat with Bench.txt"
    with p.open("w", encoding="utf-8") as f:
        for i in range(rows):
            d, h, m, _ = _stamp(i)
            if i % 500 == 0:
                f.write(
                    f"{d:02d}/12/2026, {h:02d}:{m:02d} - User {rnd.randrange(400)} added New {i}\n"
                )
            else:
                f.write(
                    f"{d:02d}/12/2026, {h:02d}:{m:02d} - User {rnd.randrange(400)}: message {i}\n"
                )
                if i % 10 == 0:
                    f.write("a second line\n")
    return p


def write_qq(folder: Path, rows: int) -> Path:
    rnd = random.Random(1)
    p = folder / "qq.txt"
    with p.open("w", encoding="utf-8") as f:
        f.write("消息分组:我的QQ群\n消息对象:测试群\n\n")
        for i in range(rows):
            d, h, m, s = _stamp(i)
            who = f"成员{rnd.randrange(400)}({10000 + rnd.randrange(400)})"
            f.write(f"2026-12-{d:02d} {h:02d}:{m:02d}:{s:02d} {who}\n消息 {i}\n第二行\n\n")
    return p


#: format → its benchmark (other engineers: add a generator above and a line here)
BENCHES: dict[str, Bench] = {
    "wechat-chatlog": Bench(write_wechat_chatlog, "csv"),
    "wechat-msg": Bench(write_wechat_msg, "csv"),
    "generic": Bench(write_generic, "csv", options={"columns": "generic_map.yaml"}),
    "whatsapp": Bench(write_whatsapp, "lines", "text"),
    "qq": Bench(write_qq, "lines", "text"),
}


# --------------------------------------------------------------------------- impjson: JSON
# Synthetic JSON exports (the importers' vectorised JSON readers, #19): realistic shapes —
# several speakers and groups, CJK text, multi-line bodies, a notice every 500 messages and
# the odd items the per-item Python code reads (Telegram entity lists, WeCom links).


def make_wecom(rows: int, folder: Path) -> Path:
    """A WeCom chat archive (JSON Lines, one decrypted message a line)."""
    import json

    rnd = random.Random(1)
    p = folder / "archive.jsonl"
    with p.open("w", encoding="utf-8") as f:
        for i in range(rows):
            u = rnd.randrange(400)
            rec: dict[str, object] = {
                "msgid": f"{10**12 + i}_1797732000",
                "action": "send",
                "from": f"wm{u:05d}" if u % 20 else f"staff{u}",
                "tolist": ["x"],
                "roomid": f"wrRoom00{i % 3}",
                "msgtime": 1797732000000 + i * 1500,
                "msgtype": "text",
                "text": {
                    "content": f"消息 {i} 今天的精华用了吗" + ("\n第二行" if i % 10 == 0 else "")
                },
            }
            if i % 500 == 0:
                rec.update(action="recall", msgtype="revoke", revoke={"pre_msgid": "x"})
                del rec["text"]
            elif i % 50 == 0:
                rec.update(msgtype="link", link={"title": "活动", "link_url": "https://x"})
                del rec["text"]
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return p


def make_telegram(rows: int, folder: Path) -> Path:
    """A Telegram Desktop single-chat export (one JSON document, as Desktop indents it)."""
    import json

    rnd = random.Random(1)
    p = folder / "result.json"
    with p.open("w", encoding="utf-8") as f:
        f.write('{\n "name": "护肤群",\n "type": "private_supergroup",\n "id": 1500000001,\n')
        f.write(' "messages": [\n')
        for i in range(rows):
            u = rnd.randrange(400)
            msg: dict[str, object] = {
                "id": i + 1,
                "type": "message",
                "date": "2026-12-10T10:00:00",
                "date_unixtime": str(1796868000 + i),
                "from": f"用户 {u}",
                "from_id": f"user{1000 + u}",
                "text": f"消息 {i} 今天的精华用了吗" + ("\n第二行" if i % 10 == 0 else ""),
            }
            if i % 500 == 0:
                msg = {
                    "id": i + 1,
                    "type": "service",
                    "date": "2026-12-10T10:00:00",
                    "date_unixtime": str(1796868000 + i),
                    "actor": f"用户 {u}",
                    "actor_id": f"user{1000 + u}",
                    "action": "invite_members",
                    "members": [f"新人 {i}"],
                    "text": "",
                }
            elif i % 20 == 0:
                msg["text"] = ["看这里 ", {"type": "link", "text": "https://x"}]
            elif i % 7 == 0:
                msg["reply_to_message_id"] = i
            msg["text_entities"] = []
            sep = ",\n" if i + 1 < rows else "\n"
            f.write("  " + json.dumps(msg, ensure_ascii=False) + sep)
        f.write(" ]\n}\n")
    return p


def make_discord(rows: int, folder: Path) -> Path:
    """A DiscordChatExporter JSON export of one channel."""
    import json

    rnd = random.Random(1)
    p = folder / "discord.json"
    with p.open("w", encoding="utf-8") as f:
        f.write(
            '{"guild": {"id": "9001", "name": "Glow"}, "channel": {"id": "42", "name": "general"},'
        )
        f.write(' "messages": [\n')
        for i in range(rows):
            u = rnd.randrange(400)
            msg: dict[str, object] = {
                "id": str(10**17 + i),
                "type": "Default",
                "timestamp": f"2026-12-{1 + (i // 86400) % 28:02d}T{(i // 3600) % 24:02d}:"
                f"{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}+00:00",
                "content": f"消息 {i} 今天的精华用了吗" + ("\n第二行" if i % 10 == 0 else ""),
                "author": {
                    "id": str(5000 + u),
                    "name": f"user{u}",
                    "nickname": f"用户 {u}",
                    "isBot": False,
                },  # fmt: skip
                "attachments": [],
                "embeds": [],
                "stickers": [],
                "reactions": [],
            }
            if i % 500 == 0:
                msg["type"] = "GuildMemberJoin"
            elif i % 50 == 0:
                msg["attachments"] = [{"fileName": "photo.png"}]
            elif i % 7 == 0:
                msg["type"] = "Reply"
                msg["reference"] = {"messageId": str(10**17 + i - 1)}
            f.write(json.dumps(msg, ensure_ascii=False) + (",\n" if i + 1 < rows else "\n"))
        f.write("]}\n")
    return p


def make_chatlog_json(rows: int, folder: Path) -> Path:
    """A chatlog-style JSON export (a list of messages, as the chatlog tool writes them)."""
    import json

    rnd = random.Random(1)
    p = folder / "chatlog.json"
    with p.open("w", encoding="utf-8") as f:
        f.write("[\n")
        for i in range(rows):
            u = rnd.randrange(400)
            d, h, m, sec = _stamp(i)
            item: dict[str, object] = {
                "seq": 10**9 + i,
                "time": f"2026-12-{d:02d}T{h:02d}:{m:02d}:{sec:02d}+08:00",
                "talker": "98765@chatroom",
                "talkerName": "护肤交流群",
                "isChatRoom": True,
                "sender": f"wxid_{u}",
                "senderName": f"用户{u}",
                "isSelf": u == 0,
                "type": 1,
                "subType": 0,
                "content": f"消息 {i} 今天的精华用了吗" + ("\n第二行" if i % 10 == 0 else ""),
            }
            if i % 500 == 0:
                item.update(
                    type=10000,
                    sender="",
                    senderName="",
                    content=f'"用户{u}"邀请"新人{i}"加入了群聊',
                )
            elif i % 50 == 0:
                item.update(type=3, content="[图片]")
            f.write(json.dumps(item, ensure_ascii=False) + (",\n" if i + 1 < rows else "\n"))
        f.write("]\n")
    return p


#: the JSON formats: generator, and the plain read of the same file the import is set beside
#: (polars reads the JSON Lines and the Discord document; a Telegram document holds texts that
#: are strings or lists, which no polars schema reads, so its reference is orjson's parse)
JSON_FORMATS = {
    "wecom": make_wecom,
    "telegram": make_telegram,
    "discord": make_discord,
    "wechat-chatlog": make_chatlog_json,
}
JSON_REFERENCE = {
    "wecom": "import polars as pl, sys; n = pl.read_ndjson(sys.argv[1]).height",
    "telegram": "import orjson, sys; n = len(orjson.loads(open(sys.argv[1], 'rb').read())['messages'])",
    "discord": "import polars as pl, sys; n = pl.read_json(sys.argv[1])['messages'].explode().len()",
    "wechat-chatlog": "import polars as pl, sys; n = pl.read_json(sys.argv[1]).height",
}

BENCHES.update(
    {
        "wecom": Bench(lambda folder, rows: make_wecom(rows, folder), "ndjson"),
        "telegram": Bench(lambda folder, rows: make_telegram(rows, folder), "orjson"),
        "discord": Bench(lambda folder, rows: make_discord(rows, folder), "json"),
        "wechat-chatlog-json": Bench(
            lambda folder, rows: make_chatlog_json(rows, folder), "json", fmt="wechat-chatlog"
        ),
    }
)


# ----------------------------------------------------------------- shop orders (impcsv)
# A Shopify orders export: one row per line item (an order's continuation rows repeat its
# Name), 400 buyers by e-mail, some by phone only, a pending order every 50th, a refund every
# 100th, a discount code every 10th.


def write_shopify(folder: Path, rows: int) -> Path:
    rnd = random.Random(4)
    p = folder / "orders_export.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write(
            "Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Total,"
            "Discount Code,Created at,Lineitem quantity,Lineitem name,Lineitem price,"
            "Cancelled at,Phone\n"
        )
        i = n = 0
        while i < rows:
            n += 1
            d, h, m, s = _stamp(n)
            u = rnd.randrange(400)
            when = f"2026-12-{d:02d} {h:02d}:{m:02d}:{s:02d} +0800"
            status = "pending" if n % 50 == 0 else "refunded" if n % 100 == 1 else "paid"
            email = "" if u % 40 == 0 else f"Buyer{u}@Example.com"
            phone = f"+86 138 0000 {u:04d}" if not email else ""
            code = "WELCOME10" if n % 10 == 0 else ""
            total = f"{(n % 300) + 9}.{n % 100:02d}"
            f.write(
                f"#{1000 + n},{email},{status},{when if status != 'pending' else ''},fulfilled,"
                f"CNY,{total},{total},{code},{when},1,精华液,{total},,{phone}\n"
            )
            i += 1
            for _ in range(n % 3 == 0 and min(2, rows - i)):
                f.write(f"#{1000 + n},{email},,,,,,,,,1,化妆棉,9.90,,\n")
                i += 1
    return p


BENCHES["shopify"] = Bench(write_shopify, "csv")


def write_youzan(folder: Path, rows: int) -> Path:
    """A Youzan item-level order export: an order on one to three rows, 400 buyers (one in 40
    known by nickname only), an unpaid order every 50th, a refund every 100th."""
    rnd = random.Random(5)
    p = folder / "youzan_orders.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write(
            "订单号,订单状态,订单创建时间,买家付款时间,商品名称,订单实付金额,优惠券码名称,买家昵称,买家ID,归属店铺\n"
        )
        i = n = 0
        while i < rows:
            n += 1
            d, h, m, s = _stamp(n)
            u = rnd.randrange(400)
            when = f"2026-12-{d:02d} {h:02d}:{m:02d}:{s:02d}"
            status = "待付款" if n % 50 == 0 else "已退款" if n % 100 == 1 else "交易成功"
            buyer = "" if u % 40 == 0 else f"yz_{u}"
            total = f'"¥1,{n % 1000:03d}.00"'
            code = "新人券" if n % 10 == 0 else ""
            for item in range(1 + (n % 3 == 0) * min(2, rows - i - 1)):
                paid = when if status != "待付款" else ""
                f.write(
                    f"E{10**8 + n},{status},{when},{paid},精华 {item},{total},{code},"
                    f"买家{u},{buyer},\n"
                )
                i += 1
    return p


BENCHES["youzan"] = Bench(write_youzan, "csv")


# ------------------------------------------------------------- discord CSV (discsv)
# A DiscordChatExporter CSV: ISO 8601 dates with offset (its default), 400 authors with a
# tag, a join every 500th row, an attachment-only row every 200th, a pinned notice every
# 1000th; Reactions mostly empty.


def write_discord_csv(folder: Path, rows: int) -> Path:
    rnd = random.Random(6)
    p = folder / "general.csv"
    with p.open("w", encoding="utf-8") as f:
        f.write("AuthorID,Author,Date,Content,Attachments,Reactions\n")
        for i in range(rows):
            d, h, m, s = _stamp(i)
            u = rnd.randrange(400)
            when = f"2026-12-{d:02d}T{h:02d}:{m:02d}:{s:02d}.{i % 1000:03d}+08:00"
            aid = f'"{10**17 + u}","成员{u}#{u:04d}","{when}"'
            if i % 500 == 0:
                f.write(f'{aid},"Joined the server.","",""\n')
            elif i % 1000 == 1:
                f.write(f'{aid},"Pinned a message.","",""\n')
            elif i % 200 == 2:
                f.write(f'{aid},"","https://cdn.discordapp.com/a/{i}.png",""\n')
            else:
                body = _body(rnd, i).replace('"', '""')
                f.write(f'{aid},"{body}","","{"👍 (1)" if i % 30 == 0 else ""}"\n')
    return p


BENCHES["discord-csv"] = Bench(write_discord_csv, "csv", fmt="discord")


# ---------------------------------------------------------------- the measured children


def _child(argv: list[str]) -> None:
    """In the subprocess: import what is needed, then time only the measured part."""
    what, path = argv[0], Path(argv[1])
    import polars as pl

    if what == "ref":
        kind = argv[2]
        t0, c0 = time.perf_counter(), time.process_time()
        if kind == "csv":
            n = pl.read_csv(path, infer_schema=False).height
        elif kind == "json":
            n = pl.read_json(path).height
        elif kind == "ndjson":
            n = pl.read_ndjson(path).height
        elif kind == "orjson":  # a JSON document no polars schema reads (Telegram's texts)
            import orjson

            n = len(orjson.loads(path.read_bytes())["messages"])
        else:
            n = pl.read_csv(
                path, has_header=False, separator="\x1f", quote_char=None, infer_schema=False
            ).height
    else:
        from sqops.importers import import_files, write_tables

        fmt, out, opts = argv[2], Path(argv[3]), json.loads(argv[4])
        if "memory_limit" in opts:  # (--memory-limit: the spill path past a quarter of it)
            from sqops.data.runtime import memory_limit_bytes

            opts["memory_limit"] = memory_limit_bytes(opts["memory_limit"])
        t0, c0 = time.perf_counter(), time.process_time()
        result = import_files(fmt, [path], **opts)
        write_tables(result, out, "parquet")
        n = result.counts.get("messages", 0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"wall": wall, "cpu": cpu, "n": n}))


def _measure(args: list[str]) -> dict[str, float]:
    """Run ``_child(args)`` in a subprocess: its timing, and its peak RSS (MB) by wait4."""
    env = dict(os.environ)
    # BENCH_SRC: another checkout's src (the "before" of a before/after comparison)
    src = os.environ.get("BENCH_SRC") or str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, env=env
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"measurement failed ({proc.returncode}): {args}")
    got = json.loads(out)
    got["rss_mb"] = usage.ru_maxrss / 1024
    got["proc_cpu"] = usage.ru_utime + usage.ru_stime
    return got


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _row(label: str, rows: int, m: dict[str, float], ratio: str = "") -> str:
    return (
        f"  {label:9s} wall {m['wall']:7.2f} s  cpu {m['cpu']:7.2f} s  "
        f"{rows / m['wall']:>11,.0f} rows/s  peak RSS {m['rss_mb']:7.0f} MB{ratio}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--formats", default=",".join(BENCHES))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--big-gb", type=float, default=0.0)
    ap.add_argument("--keep", type=Path, help="write the exports here (kept) instead of /tmp")
    ap.add_argument("--memory-limit", help="import with this bound, e.g. 2G (none: no bound)")
    args = ap.parse_args()
    missed: list[str] = []
    print(compile_package())  # as `pip install .` leaves it (benchmarks/_bytecode.py)
    print(f"load average before: {_load()}  (1/5/15 min; {os.cpu_count()} cores)")
    if args.big_gb and not args.memory_limit:
        args.memory_limit = "2G"  # a big export: bounded unless told otherwise
    if args.memory_limit:
        print(f"memory limit: {args.memory_limit}")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        for fmt in args.formats.split(","):
            bench = BENCHES[fmt]
            folder = root / fmt
            folder.mkdir(parents=True, exist_ok=True)
            rows = args.rows
            path = bench.write(folder, rows)
            if args.big_gb:
                rows = _grow(path, rows, args.big_gb)
            opts = {k: str(folder / v) for k, v in bench.options.items()}
            if args.memory_limit and args.memory_limit != "none":
                opts["memory_limit"] = args.memory_limit
            size = path.stat().st_size / 1e6
            print(f"{fmt}: {rows:,} rows, {size:,.1f} MB")
            imp_args = [
                "import", str(path), bench.fmt or fmt, str(folder / "out"), json.dumps(opts)
            ]  # fmt: skip
            if args.big_gb:
                m = _measure(imp_args)
                print(_row("import", rows, m))
                path.unlink()
                continue
            best: dict[str, dict[str, float]] = {}
            for _ in range(args.repeat):  # alternate, keep each one's best
                for label, a in (
                    ("polars", ["ref", str(path), bench.reference]),
                    ("import", imp_args),
                ):
                    m = _measure(a)
                    if label not in best or m["wall"] < best[label]["wall"]:
                        best[label] = m
            ratio = best["import"]["wall"] / best["polars"]["wall"]
            print(_row("polars", rows, best["polars"]))
            print(_row("import", rows, best["import"], f"  ×{ratio:.1f} the polars read"))
            target = TARGETS[bench.kind]
            if bench.kind == "text":  # the text target is of the file's lines (imptext)
                lines = _text_lines(path, best)
                if lines / best["import"]["wall"] < target:
                    missed.append(
                        f"{fmt} ({lines / best['import']['wall']:,.0f} < {target:,} lines/s)"
                    )
            elif rows / best["import"]["wall"] < target:
                missed.append(f"{fmt} ({rows / best['import']['wall']:,.0f} < {target:,} rows/s)")
    print(f"load average after: {_load()}")
    if missed:
        print("target missed: " + "; ".join(missed))
        raise SystemExit(1)


def _grow(path: Path, rows: int, gb: float) -> int:
    """Repeat the export's data rows (not its header) until it has about ``gb`` GB."""
    data = path.read_bytes()
    head, _, body = data.partition(b"\n")
    times = max(1, int(gb * 1e9 / max(len(body), 1)))
    with path.open("wb") as f:
        f.write(head + b"\n")
        for _ in range(times):
            f.write(body)
    return rows * times


# ----------------------------------------------------------------- text exports (imptext)


def _text_lines(path: Path, best: dict[str, dict[str, float]]) -> int:
    """A text export's lines (as the importers count them: CR, LF and CRLF end a line), and
    the import's and the reference's lines per second printed beside the messages per second
    (the target of a text export, :data:`TARGETS` ``text``, is of its lines)."""
    data = path.read_bytes()
    lines = data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
    if data and not data.endswith((b"\n", b"\r")):
        lines += 1
    print(f"  lines     {lines:,} in the file:", end="")
    for label in ("polars", "import"):
        m = best[label]
        print(
            f"  {label} {lines / m['wall']:,.0f} lines/s ({lines / m['cpu']:,.0f} per CPU-s)",
            end="",
        )
    print()
    return lines


# WhatsApp (Android and iOS, several locales) and QQ: generators, and a run that measures
# each file in a subprocess beside the plain polars read of its lines. Run::
#
#     python benchmarks/bench_import_text.py [--rows 1000000] [--before /work/main/src]

#: WhatsApp styles: the message start of (day, hour, minute, second) in each locale's layout
WHATSAPP_STYLES = {
    # Android, en-US: month first, 12-hour clock with U+202F before AM/PM (Android 13+)
    "android-en": lambda d, h, m, s: (
        f"12/{d}/26, {(h % 12) or 12}:{m:02d}\u202f{'AM' if h < 12 else 'PM'} - "
    ),
    # Android, de: 24-hour, dotted date
    "android-de": lambda d, h, m, s: f"{d:02d}.12.26, {h:02d}:{m:02d} - ",
    # Android, es-MX: "a. m."/"p. m." with midnight written 00
    "android-es": lambda d, h, m, s: (
        f"{d}/12/26, {h % 12:02d}:{m:02d} {'a. m.' if h < 12 else 'p. m.'} - "
    ),
    # Android, zh-CN: year first, 上午/下午 before the time
    "android-zh": lambda d, h, m, s: (
        f"2026/12/{d} {'上午' if h < 12 else '下午'}{(h % 12) or 12}:{m:02d} - "
    ),
    # iOS, en-GB: bracketed, seconds, day first
    "ios-en": lambda d, h, m, s: f"[{d:02d}/12/2026, {h:02d}:{m:02d}:{s:02d}] ",
    # iOS, pt-BR
    "ios-pt": lambda d, h, m, s: f"[{d:02d}/12/2026 {h:02d}:{m:02d}:{s:02d}] ",
}
_TEXTS = (
    "今天的精华用了吗？感觉皮肤好多了",
    "good morning everyone, the new serum arrived",
    "¿Alguien probó la crema nueva?",
    "Ich habe die Probe bekommen, danke!",
    "Obrigada pela dica 😊👍",
    "ok",
)
_MEDIA_TEXT = {"android": "<Media omitted>", "ios": "\u200e<attached: 00000012-PHOTO-x.jpg>"}


def make_whatsapp(path: Path, rows: int, style: str = "android-en") -> int:
    """A WhatsApp export of ``rows`` messages in ``style``: 400 speakers, one body in 10 on
    two or three lines, one in 20 a media placeholder, a join notice every 500 messages (iOS:
    a system line marked with U+200E). Returns the number of lines written."""
    start = WHATSAPP_STYLES[style]
    ios = style.startswith("ios")
    rnd = random.Random(1)
    names = [f"Member {i}" for i in range(390)] + [f"+55 11 9{i:04d}-{i:04d}" for i in range(10)]
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        buf = []
        for i in range(rows):
            d, h, m, s = _stamp(i)
            who = names[rnd.randrange(400)]
            head = start(d, h, m, s)
            if i % 500 == 0:
                note = f"{who} added Member {i % 997}"
                buf.append(f"{head}Bench: \u200e{note}" if ios else f"{head}{note}")
            elif i % 20 == 7:
                buf.append(f"{head}{who}: {_MEDIA_TEXT['ios' if ios else 'android']}")
            else:
                buf.append(f"{head}{who}: {_TEXTS[i % 6]} {i}")
                if i % 10 == 3:
                    buf.append("second line of the message")
                    if i % 30 == 3:
                        buf.append("")
                        buf.append("a third after a blank line")
            if len(buf) >= 10000:
                lines += len(buf)
                f.write("\n".join(buf) + "\n")
                buf = []
        lines += len(buf)
        if buf:
            f.write("\n".join(buf) + "\n")
    return lines


def make_qq(path: Path, rows: int, style: str = "24h") -> int:
    """A QQ message-manager export of ``rows`` messages: 400 members (each one name and QQ
    number, a few by e-mail), bodies of one to three lines, a system join notice every 500
    messages; ``12h``: 上午/下午 before the time. Returns the number of lines written."""
    rnd = random.Random(1)
    who = [f"成员{i}({10000 + i})" for i in range(380)] + [
        f"member{i}<m{i}@example.com>" for i in range(20)
    ]
    lines = 0
    with path.open("w", encoding="utf-8", newline="\n") as f:
        buf = ["消息记录（此消息记录为文本格式，不支持重新导入）", "=" * 64, "消息分组:我的QQ群",
               "=" * 64, "消息对象:抗老精华交流群", "=" * 64, ""]  # fmt: skip
        for i in range(rows):
            d, h, m, s = _stamp(i)
            t = (
                f"{'上午' if h < 12 else '下午'}{(h % 12) or 12}:{m:02d}:{s:02d}"
                if style == "12h"
                else f"{h:02d}:{m:02d}:{s:02d}"
            )
            if i % 500 == 0:
                buf += [f"2026-12-{d:02d} {t} 系统消息(10000)", f"成员{i % 380} 加入了本群", ""]
                continue
            buf.append(f"2026-12-{d:02d} {t} {who[rnd.randrange(400)]}")
            if i % 20 == 7:
                buf.append("[图片]")
            else:
                buf.append(f"{_TEXTS[i % 6]} {i}")
                if i % 10 == 3:
                    buf.append("第二行")
            buf.append("")
            if len(buf) >= 10000:
                lines += len(buf)
                f.write("\n".join(buf) + "\n")
                buf = []
        lines += len(buf)
        if buf:
            f.write("\n".join(buf) + "\n")
    return lines


#: the text-export files of the benchmark: name → (format, generator, style)
TEXT_FORMATS = {
    **{f"whatsapp-{k}": ("whatsapp", make_whatsapp, k) for k in WHATSAPP_STYLES},
    "qq-24h": ("qq", make_qq, "24h"),
    "qq-12h": ("qq", make_qq, "12h"),
}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2:])
    else:
        main()
