"""``sqops import FORMAT INPUT... -o DIR``: chat and shop exports → canonical tables.

(The module is ``import_`` because ``import`` is a Python keyword.)
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sqops.cli.common import EXIT_FINDINGS, LangOpt, PartitionByOpt, SopOpt, echo, one_of, running
from sqops.cli.helptext import H
from sqops.i18n import T

#: the zone of naive export times without --tz or --sop (where most users are)
DEFAULT_TZ = "Asia/Shanghai"

#: the names of sqops.importers.FORMATS (kept here so that --help does not import polars)
FORMAT_NAMES = (
    "wechat-msg",
    "wechat-chatlog",
    "qq",
    "telegram",
    "whatsapp",
    "wecom",
    "discord",
    "youzan",
    "shopify",
    "generic",
    "auto",
)


class OutFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


def import_(
    fmt: Annotated[
        str,
        typer.Argument(
            metavar="FORMAT",
            help=H(
                "导出格式：" + ", ".join(FORMAT_NAMES) + "（auto：逐个文件识别）。",
                "Export format: " + ", ".join(FORMAT_NAMES) + " (auto: detect per file).",
            ),
        ),
    ],
    inputs: Annotated[
        list[Path],
        typer.Argument(metavar="INPUT...", help=H("要读取的导出文件。", "Export files to read.")),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "-o",
            "--output",
            help=H(
                "写入数据表的文件夹（不存在则创建）。",
                "Folder to write the tables to (created if missing).",
            ),
        ),
    ],
    out_format: Annotated[
        OutFormat,
        typer.Option(
            "--format", help=H("数据表文件格式。", "Table file format."), **one_of(OutFormat)
        ),
    ] = OutFormat.parquet,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            metavar="ZONE",
            help=H(
                "以本地时间写出的导出文件的时区（默认：SOP 的时区，否则 Asia/Shanghai）。",
                "Time zone of exports written in local time (default: the SOP's, else "
                "Asia/Shanghai).",
            ),
        ),
    ] = None,
    sop: SopOpt = None,
    columns: Annotated[
        Path | None,
        typer.Option(
            "--columns",
            help=H("通用格式的列映射（YAML）。", "Column map (YAML) for the generic format."),
        ),
    ] = None,
    group_id: Annotated[
        str | None,
        typer.Option(
            "--group-id",
            help=H(
                "每一行都用这个群 id（用于不带群 id 的导出）。",
                "Use this group id for every row (exports without one).",
            ),
        ),
    ] = None,
    self_name: Annotated[
        str | None,
        typer.Option(
            "--self-name",
            help=H(
                "你在聊天中的昵称：系统提示中的“你”/'You' 会记为这个成员。",
                "Your display name in the chats: 'You'/'你' in notices becomes that member.",
            ),
        ),
    ] = None,
    problems_out: Annotated[
        Path | None,
        typer.Option(
            "--problems",
            help=H(
                "把每一条无法读取的行写入此 CSV 文件。",
                "Write every line that could not be read to this CSV file.",
            ),
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help=H("有任何一行无法读取时以 1 退出。", "Exit 1 when any line could not be read."),
        ),
    ] = False,
    max_problems: Annotated[
        int,
        typer.Option(
            "--max-problems",
            help=H(
                "最多显示 N 条无法读取的行（0：全部）。",
                "Show at most N unreadable lines (0: all).",
            ),
        ),
    ] = 20,
    partition_by: PartitionByOpt = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            metavar="SIZE",
            help=H(
                "内存上限（如 2G、1500M）：消息超出其四分之一时写入临时文件夹，最后合并，"
                "写出的表不变；默认本机内存的一半。",
                "Memory bound (e.g. 2G, 1500M): past a quarter of it, messages go to a "
                "temporary folder and are merged at the end, the same tables written; default "
                "half the machine's RAM.",
            ),
        ),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Turn chat exports (WeChat, QQ, Telegram, WhatsApp, WeCom, Discord) and shop order exports (Youzan, Shopify, any other via a column map) into the messages / members / staff / orders tables that `sqops report` reads.

    Lines that cannot be read are listed with their line numbers and skipped; a file that is not the format at all stops the import (exit 2). Exit 1 only with --strict. See docs/import.md.

    [zh]
    把聊天导出（微信、QQ、Telegram、WhatsApp、企业微信、Discord）和店铺订单导出（有赞、Shopify，其他店铺用列映射）转成 `sqops report` 读取的 messages / members / staff / orders 数据表。

    无法读取的行会连同行号列出并跳过；完全不是该格式的文件会中止导入（退出码 2）。只有加 --strict 时才以 1 退出。见 docs/import.md。
    """
    with running(lang) as run:
        zone, whence = tz, T("--tz", "--tz")
        if sop is not None:
            from sqops.sop.loader import load_sop

            community = load_sop(sop).sop.community
            run.use_sop_language(community.language)
            if zone is None:
                zone, whence = community.timezone, T("SOP 的时区", "the SOP's")
        if zone is None:
            zone, whence = (
                DEFAULT_TZ,
                T("默认；用 --tz 或 --sop 指定", "the default; --tz or --sop to change"),
            )
        lg = run.lang
        from sqops.cli.route import route
        from sqops.data.scalars import get_tz
        from sqops.importers import import_files, write_tables

        get_tz(zone)  # an unknown zone is a usage error before any file is read
        from sqops.data.runtime import memory_limit_bytes

        limit = memory_limit_bytes(memory_limit)  # (a bad size: before any file is read)
        read = [*inputs, columns, sop]
        # (--problems is checked before anything is read or written)
        problems_to = (
            None if problems_out is None else route(None, problems_out, ["csv"], inputs=read)
        )
        result = import_files(
            fmt,
            inputs,
            tz=zone,
            columns=columns,
            group_id=group_id,
            self_name=self_name,
            memory_limit=limit,
        )
        if partition_by is not None:
            from sqops.data.hive import check_key
            from sqops.errors import UsageError

            check_key(partition_by)
            if out_format.value != "parquet":
                raise UsageError(
                    T(
                        "--partition-by 需要 --format parquet",
                        "--partition-by needs --format parquet",
                    )
                )
        written = write_tables(result, output, out_format.value, inputs=read)
        if partition_by is not None:
            from sqops.data.hive import write_partitioned

            written = [write_partitioned(p, partition_by, memory_limit=limit) for p in written]
        # the spilled messages' folder, if any (an error or Ctrl-C: ``running`` removes it)
        result.close()
        files = result.counts.get("files", 0)
        echo(
            T("已导入 {f}：{n} 个文件", "imported {f}: {n} file(s)").format(f=fmt, n=files).get(lg)
        )
        echo(
            T(
                "  不带时区的时间按 {z} 读取（{w}）",
                "  times without a zone read as {z} ({w})",
            )
            .format(z=zone, w=whence.get(lg))
            .get(lg)
        )
        by_name = {p.stem: p for p in written}
        width = max(len(n) for n in by_name)
        for name, height in result.heights().items():
            echo(
                T("  {t} {r} 行 → {p}", "  {t} {r} rows → {p}")
                .format(t=name.ljust(width), r=str(height).rjust(6), p=by_name[name].as_posix())
                .get(lg)
            )
        extra = {
            k: v
            for k, v in result.counts.items()
            if k not in ("files", "skipped", *result.heights()) and v
        }
        if extra:
            echo(
                T("  其他计数：{c}", "  other counts: {c}")
                .format(c=", ".join(f"{_label(k, lg)}={v}" for k, v in extra.items()))
                .get(lg)
            )
        from sqops.importers import other_tables

        kept = other_tables(output, written)
        if kept:
            echo(
                T("  保留了已有的表：{p}", "  kept tables already there: {p}")
                .format(p=", ".join(p.name for p in kept))
                .get(lg)
            )
        if problems_to is not None:
            from sqops.render.output import csv_text

            header = ("file", "line", "row", "key", "kind", "reason")
            rows = [
                (p.where.file, p.where.line, p.where.row, p.where.key, p.code, p.text.get(lg))
                for p in result.problems
            ]
            problems_to.write(csv_text(header, rows))
        from sqops.importers.problems import problem_lines

        lines, skipped = problem_lines(result.problems, lg, max_problems)
        for line in lines:
            echo(line, err=True)
        if skipped and strict:
            raise typer.Exit(EXIT_FINDINGS)


#: the counts of ImportResult.counts, in Chinese (English shows the key, as docs/import.md does)
COUNT_LABELS_ZH = {
    "notices": "系统通知",
    "duplicate_messages": "重复消息",
    "duplicate_members": "重复成员事件",
    "duplicate_orders": "重复订单",
    "merged_rows": "合并的订单行",
    "skipped_unpaid": "未付款订单",
    "skipped_chats": "非群聊会话",
    "skipped_private": "私聊消息",
    "skipped_switch": "切换记录",
    "unknown_buyers": "无买家信息的订单",
}


def _label(key: str, lang: str) -> str:
    return COUNT_LABELS_ZH.get(key, key) if lang == "zh" else key


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
