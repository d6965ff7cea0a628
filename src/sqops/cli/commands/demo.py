"""``sqops demo``: write a realistic, deterministic example dataset generated from an SOP."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sqops.cli.common import LangOpt, echo, one_of, running
from sqops.i18n import T

#: The SOP used when --sop is not given: a copy of examples/skincare/sop.yaml in the package.
BUNDLED_SOP = Path(__file__).resolve().parents[2] / "demo" / "skincare.sop.yaml"


class DemoFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"


def demo(
    directory: Annotated[
        Path, typer.Argument(help="Folder to write the tables to (created if needed).")
    ] = Path("sqops-demo"),
    sop: Annotated[
        Path | None,
        typer.Option("--sop", help="SOP to generate from (default: the skincare example)."),
    ] = None,
    groups: Annotated[
        int | None,
        typer.Option(
            "--groups",
            min=1,
            help="Number of groups (default: the SOP's groups; more are synthesised).",
        ),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", min=1, help="Days of data, from the first launch.")
    ] = 120,
    members: Annotated[
        int, typer.Option("--members", min=4, help="About how many members join each group.")
    ] = 200,
    seed: Annotated[
        int, typer.Option("--seed", min=0, help="Random seed: same arguments, same files.")
    ] = 0,
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--start", formats=["%Y-%m-%d"], help="First day (default: the SOP's earliest launch)."
        ),
    ] = None,
    fmt: Annotated[
        DemoFormat,
        typer.Option("--format", help="csv (UTF-8 with BOM) or parquet.", **one_of(DemoFormat)),
    ] = DemoFormat.csv,
    lang: LangOpt = None,
) -> None:
    """Generate an example community dataset (messages, members, posts, orders, ...) from an SOP.

    Groups launch on different days; members join (some invited by others), talk with a weekday × hour rhythm that fades over the group's life, open posts, take part, buy with coupons and leave. Staff posts follow the SOP cadence.

    A few rows are wrong on purpose (a bad timestamp, a duplicate msg_id, a negative amount) so `sqops report` has data-quality findings to show. Nothing depends on the clock: same arguments, same bytes.

    Example: sqops demo demo-data --groups 20 --members 300 --format parquet
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
        for table, rows in result.rows.items():
            echo(f"  {table}.{result.fmt}: {rows}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
