"""``sqops adherence``: the SOP's plan against what the staff actually posted."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sqops.cli.common import (
    EXIT_FINDINGS,
    AsOfOpt,
    EncodingOpt,
    GroupOpt,
    LangOpt,
    OutputOpt,
    SopOpt,
    TzOpt,
    echo,
    format_option,
    parse_day,
    running,
)
from sqops.cli.helptext import H
from sqops.data.runtime import gc_paused
from sqops.errors import UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    pass


class AdhFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    html = "html"
    xlsx = "xlsx"


def adherence(
    data: Annotated[
        Path,
        typer.Argument(
            help=H(
                "数据表文件夹（messages、posts、engagement 等）。",
                "Folder of data tables (messages, posts, engagement, ...).",
            )
        ),
    ],
    sop: SopOpt = None,
    as_of: AsOfOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help=H(
                "统计起始日，YYYY-MM-DD（例如周复盘时取一周）。",
                "First day to look at, YYYY-MM-DD (e.g. a week for the weekly review).",
            ),
        ),
    ] = None,  # fmt: skip
    group: GroupOpt = None,
    tolerance: Annotated[
        int,
        typer.Option(
            "--tolerance",
            help=H(
                "推送偏离计划时间多少分钟内仍算准时。",
                "Minutes a post may be off its planned time and still be on time.",
            ),
        ),
    ] = 30,  # fmt: skip
    fmt: Annotated[AdhFormat | None, format_option(AdhFormat)] = None,
    output: OutputOpt = None,
    tz: TzOpt = None,
    encoding: EncodingOpt = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            help=H(
                "所有群合计的准时率低于此值（0..1）时以 1 退出。",
                "Exit 1 when the fleet's on-time rate is below this (0..1).",
            ),
        ),
    ] = None,  # fmt: skip
    lang: LangOpt = None,
) -> None:
    """Match the SOP's plan with the staff's posts: done on time, late, missed, unplanned.

    Also checks discipline (quiet hours, posts per day, content mix), what each cadence item
    did to members (replies within 2 h, opens within 48 h; bottom 20% flagged) and the
    community clock (when members talk vs when staff post). Definitions: docs/adherence.md.

    Exit codes: 0 done, 1 on-time rate below --fail-under, 2 could not run.

    [zh]
    把 SOP 的计划与员工的实际推送对照：准时完成、迟发、漏发、计划外。

    还检查执行纪律（免打扰时段、每日推送条数、内容配比），每个节奏项对成员的效果（2 小时内
    回复、48 小时内打开；最差的 20% 标出），以及社群时钟（成员何时说话、员工何时推送）。
    定义见 docs/adherence.md。

    退出码：0 完成，1 准时率低于 --fail-under，2 无法运行。
    """
    with running(lang) as run:
        if sop is None:
            raise UsageError(
                T(
                    "缺少 --sop：计划执行检查需要 SOP 文件，例如 sqops adherence DATA --sop sop.yaml",
                    "the adherence check needs the SOP file (--sop), e.g. "
                    "sqops adherence DATA --sop sop.yaml",
                )
            )
        if fail_under is not None and not 0 <= fail_under <= 1:
            raise UsageError(
                T("--fail-under 应在 0..1 之间，读到 {v}", "--fail-under must be 0..1; got {v}").format(v=fail_under)
            )  # fmt: skip
        from sqops.adherence import compute_adherence
        from sqops.adherence import render as R
        from sqops.data.tables import read_tables
        from sqops.sop.loader import load_sop

        loaded = load_sop(sop)
        lg = run.use_sop_language(loaded.sop.community.language)
        day = parse_day(as_of, "--as-of") if as_of is not None else None
        first = parse_day(since, "--since") if since is not None else None
        from sqops.cli.route import route

        to = route(fmt, output, list(AdhFormat), inputs=[data, sop])

        with gc_paused():  # (see sqops report)
            tables = read_tables(
                data,
                tz=tz or loaded.sop.community.timezone,
                columns=loaded.column_maps(),
                encoding=encoding,
            )
            adh = compute_adherence(
                loaded,
                tables,
                as_of=day,
                since=first,
                tolerance_min=tolerance,
                lang=lg,
                groups=group or None,
            )

            if to.terminal:
                from sqops.render.console import console

                con = console()
                for r in R.to_renderables(adh, lg):
                    con.print(r)
            elif to.fmt == "json":  # bytes built group by group: the detail can be large
                to.write(R.json_bytes(adh, lg))
            elif to.fmt == "xlsx":
                from sqops.adherence.xlsx import to_xlsx

                to.write(to_xlsx(adh, lg))
            else:
                to.write({"md": R.render_md, "html": R.render_html}[to.fmt](adh, lg))
        c = adh.fleet.counts
        rate = c.on_time_rate
        summary = T(
            "{g} 个群，计划 {p} 条：准时 {o}，迟发 {l}，早发 {e}，漏发 {m}；计划外推送 {u} 条；准时执行率 {r}",
            "{g} group(s), {p} planned: {o} on time, {l} late, {e} early, {m} missed; "
            "{u} unplanned post(s); on-time rate {r}",
        ).format(
            g=len(adh.groups), p=c.planned, o=c.on_time, l=c.late, e=c.early, m=c.missed,
            u=c.unplanned, r=R.pct(rate),
        )  # fmt: skip
        if c.not_checkable:
            summary = summary + T(
                "（另有 {n} 条内部事项无法从聊天核对）",
                " ({n} internal item(s) not checkable from chat)",
            ).format(n=c.not_checkable)
        if to.path is not None:
            summary = summary + T("，已写入 {t}", ", written to {t}").format(t=to.shown)
        echo(summary.get(lg), err=True)
        if fail_under is not None and c.fails_under(fail_under):
            echo(
                T("准时执行率 {r} 低于 --fail-under {f}", "on-time rate {r} is below --fail-under {f}")
                .format(r=R.pct(rate), f=R.pct(fail_under)).get(lg),
                err=True,
            )  # fmt: skip
            raise typer.Exit(EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    app.command("adherence")(adherence)
