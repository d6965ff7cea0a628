"""Benchmark ``sqops import``: synthetic exports of a chosen size, read and written.

Run::

    /work/venv/bin/python benchmarks/bench_import.py [--rows 200000] [--formats wechat-chatlog,whatsapp,qq]

For each format it writes a synthetic export (one group, 400 speakers, a join notice every 500
messages, multi-line bodies for WhatsApp/QQ) into a temporary folder, then times
``import_files`` and ``write_tables`` (Parquet) separately and prints rows per second and the
peak resident memory of the process so far.
"""

from __future__ import annotations

import argparse
import random
import resource
import tempfile
import time
from pathlib import Path

from sqops.importers import import_files, write_tables


def _stamp(i: int) -> tuple[int, int, int, int]:
    return 1 + (i // 20000) % 28, (i // 1000) % 24, (i // 17) % 60, i % 60


def make(fmt: str, rows: int, folder: Path) -> Path:
    if fmt in JSON_FORMATS:
        return JSON_FORMATS[fmt](rows, folder)
    rnd = random.Random(1)
    if fmt == "wechat-chatlog":
        p = folder / "chat.csv"
        with p.open("w", encoding="utf-8") as f:
            f.write("Time,SenderName,Sender,TalkerName,Talker,Content\n")
            for i in range(rows):
                d, h, m, s = _stamp(i)
                u = rnd.randrange(400)
                ts = f"2026-12-{d:02d} {h:02d}:{m:02d}:{s:02d}"
                if i % 500 == 0:
                    f.write(f'{ts},,,群,g1@chatroom,"""u{u}""邀请""n{i}""加入了群聊"\n')
                else:
                    f.write(f"{ts},u{u},wxid_{u},群,g1@chatroom,消息 {i} 今天的精华用了吗\n")
        return p
    if fmt == "whatsapp":
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
    if fmt == "qq":
        p = folder / "qq.txt"
        with p.open("w", encoding="utf-8") as f:
            f.write("消息分组:我的QQ群\n消息对象:测试群\n\n")
            for i in range(rows):
                d, h, m, s = _stamp(i)
                f.write(
                    f"2026-12-{d:02d} {h:02d}:{m:02d}:{s:02d} 成员{rnd.randrange(400)}({10000 + rnd.randrange(400)})\n"
                )
                f.write(f"消息 {i}\n第二行\n\n")
        return p
    raise SystemExit(f"no generator for {fmt}")


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--formats", default="wechat-chatlog,whatsapp,qq")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt in args.formats.split(","):
            path = make(fmt, args.rows, folder)
            size = path.stat().st_size / 1e6
            t0 = time.perf_counter()
            result = import_files(fmt, [path])
            t1 = time.perf_counter()
            write_tables(result, folder / f"out-{fmt}", "parquet")
            t2 = time.perf_counter()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            n = result.counts.get("messages", 0)
            print(
                f"{fmt:15s} {size:7.1f} MB  {n:>9,} messages  import {t1 - t0:6.2f} s "
                f"({n / (t1 - t0):>9,.0f} rows/s)  write {t2 - t1:5.2f} s  peak RSS {peak:6.0f} MB"
            )


if __name__ == "__main__":
    main()


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
