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


# ----------------------------------------------------------------- text exports (imptext)
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
    main()
