"""``sqops demo``: write a realistic, deterministic example dataset generated from an SOP."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sqops.cli.common import LangOpt, PartitionByOpt, echo, one_of, running
from sqops.cli.helptext import H
from sqops.i18n import T

#: The SOP used when --sop is not given: a copy of examples/skincare/sop.yaml in the package.
BUNDLED_SOP = Path(__file__).resolve().parents[2] / "demo" / "skincare.sop.yaml"


class DemoFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def demo(
    directory: Annotated[
        Path,
        typer.Argument(
            help=H(
                "写入数据表的文件夹（需要时创建）。",
                "Folder to write the tables to (created if needed).",
            )
        ),
    ] = Path("sqops-demo"),
    sop: Annotated[
        Path | None,
        typer.Option(
            "--sop",
            help=H(
                "据以生成数据的 SOP（默认：护肤品示例）。",
                "SOP to generate from (default: the skincare example).",
            ),
        ),
    ] = None,
    groups: Annotated[
        int | None,
        typer.Option(
            "--groups",
            min=1,
            help=H(
                "群的数量（默认：SOP 中的群；多出的会合成）。",
                "Number of groups (default: the SOP's groups; more are synthesised).",
            ),
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            min=1,
            help=H("数据天数，从最早开群日起。", "Days of data, from the first launch."),
        ),
    ] = 120,
    members: Annotated[
        int,
        typer.Option(
            "--members",
            min=4,
            help=H("每个群大约加入多少成员。", "About how many members join each group."),
        ),
    ] = 200,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            min=0,
            help=H("随机种子：参数相同，文件相同。", "Random seed: same arguments, same files."),
        ),
    ] = 0,
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--start",
            formats=["%Y-%m-%d"],
            help=H(
                "第一天（默认：SOP 中最早的开群日）。",
                "First day (default: the SOP's earliest launch).",
            ),
        ),
    ] = None,
    fmt: Annotated[
        DemoFormat,
        typer.Option(
            "--format",
            help=H("csv（带 BOM 的 UTF-8）或 parquet。", "csv (UTF-8 with BOM) or parquet."),
            **one_of(DemoFormat),
        ),
    ] = DemoFormat.csv,
    partition_by: PartitionByOpt = None,
    lang: LangOpt = None,
) -> None:
    """Generate an example community dataset (messages, members, posts, orders, ...) from an SOP.

    Groups launch on different days; members join (some invited by others), talk with a weekday × hour rhythm that fades over the group's life, open posts, take part, buy with coupons and leave. Staff posts follow the SOP cadence.

    A few rows are wrong on purpose (a bad timestamp, a duplicate msg_id, a negative amount) so `sqops report` has data-quality findings to show. Nothing depends on the clock: same arguments, same bytes.

    Example: sqops demo demo-data --groups 20 --members 300 --format parquet

    [zh]
    按 SOP 生成一份示例社群数据集（messages、members、posts、orders 等）。

    各群在不同日期开群；成员加入（有的由他人邀请），按 星期 × 小时 的节律说话并随群龄减弱，打开推送、参与活动、用券购买、退群。员工推送按 SOP 节奏进行。

    少数行故意出错（一个坏时间戳、一个重复的 msg_id、一个负金额），让 `sqops report` 有数据质量问题可展示。不依赖时钟：参数相同，字节相同。

    示例：sqops demo demo-data --groups 20 --members 300 --format parquet
    """
    with running(lang) as run:
        from sqops.demo import TABLES, DemoOptions, generate_demo
        from sqops.errors import Location, UsageError
        from sqops.render.output import output_kind
        from sqops.sop import load_sop

        for table in TABLES:  # a folder, device or pipe where a table goes: nothing is written
            target = Path(directory) / f"{table}.{fmt.value}"
            if output_kind(target) != "file":
                raise UsageError(
                    T(
                        "不是普通文件，不能写入表",
                        "is not a regular file; cannot write a table to it",
                    ),
                    Location(file=target.as_posix()),
                )

        if partition_by is not None:
            from sqops.data.hive import check_key

            check_key(partition_by)
            if fmt != DemoFormat.parquet:
                raise UsageError(
                    T(
                        "--partition-by 需要 --format parquet",
                        "--partition-by needs --format parquet",
                    )
                )
        loaded = load_sop(sop if sop is not None else BUNDLED_SOP)
        run.use_sop_language(loaded.sop.community.language)
        opts = DemoOptions(
            groups=groups,
            days=days,
            members=members,
            seed=seed,
            fmt=fmt.value,
            start=start.date() if start else None,
        )
        result = generate_demo(loaded.sop, directory, opts)
        head = T(
            "已生成 {g} 个群、{s} 至 {e} 的示例数据（{f}）→ {d}",
            "wrote example data for {g} groups, {s} to {e} ({f}) → {d}",
        ).format(
            g=len(result.groups),
            s=result.start,
            e=result.end,
            f=result.fmt,
            d=Path(directory).as_posix(),
        )
        echo(head.get(run.lang))
        written = {}
        if partition_by is not None:
            from sqops.data.hive import write_partitioned

            for table in result.rows:
                path = write_partitioned(Path(directory) / f"{table}.parquet", partition_by)
                written[table] = path.name + ("/" if path.is_dir() else "")
        for table, rows in result.rows.items():
            echo(f"  {written.get(table, f'{table}.{result.fmt}')}: {rows}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
