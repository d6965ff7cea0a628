"""``sqops plan``: the SOP's cadence as a dated schedule, every script rendered."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sqops.cli.common import (
    GroupOpt,
    LangOpt,
    check_lint,
    echo,
    format_option,
    one_of,
    parse_day,
    running,
)
from sqops.cli.helptext import H
from sqops.data.runtime import gc_paused
from sqops.errors import Location, UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    pass


class PlanBy(StrEnum):
    group = "group"
    owner = "owner"


class PlanFormat(StrEnum):
    table = "table"
    md = "md"
    csv = "csv"
    ics = "ics"
    json = "json"
    html = "html"
    xlsx = "xlsx"


def _safe_name(group_id: str) -> str:
    from sqops.render.output import file_stem

    return file_stem(group_id)


def plan(
    sop: Annotated[
        Path, typer.Argument(help=H("SOP 文件（YAML）。", "The SOP file (YAML)."), metavar="SOP")
    ],
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            metavar="DATE",
            help=H(
                "第一天，YYYY-MM-DD（默认：第一个群的开群日）。",
                "First day, YYYY-MM-DD (default: the first group's launch day).",
            ),
        ),
    ] = None,
    days: Annotated[
        int, typer.Option("--days", metavar="N", help=H("排期天数。", "Number of days to plan."))
    ] = 30,
    group: GroupOpt = None,
    groups_csv: Annotated[
        Path | None,
        typer.Option(
            "--groups",
            metavar="FILE",
            help=H(
                "群/门店 CSV：id、name、launched_on；其余列成为 group.vars。",
                "CSV of groups/stores: id, name, launched_on; other columns become group.vars.",
            ),
        ),
    ] = None,
    fmt: Annotated[PlanFormat | None, format_option(PlanFormat)] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE|DIR/",
            help=H(
                "写入 FILE，或写入 DIR/（已存在的文件夹，或以 / 或 \\ 结尾的路径）：每个群一个文件。",
                "Write to FILE, or to DIR/ (an existing folder or a path ending in / or \\): one file per group.",
            ),
        ),
    ] = None,  # fmt: skip
    remind: Annotated[
        int,
        typer.Option(
            "--remind",
            metavar="MINUTES",
            min=0,
            max=10080,
            help=H(
                "ics：每项安排提前这么多分钟提醒（0：不提醒）。",
                "ics: a reminder this many minutes before each item (0: none).",
            ),
        ),
    ] = 15,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help=H(
                "即使 lint 发现 SOP 有错误也生成排期。",
                "Plan even if lint finds errors in the SOP.",
            ),
        ),
    ] = False,
    by: Annotated[
        PlanBy,
        typer.Option(
            "--by",
            help=H(
                "group：每个群一份排期；owner：每个人在其负责的各群中的一天（-o DIR/：每人一个文件）。",
                "group: one schedule per group; owner: each person's day across their groups "
                "(-o DIR/: one file per person).",
            ),
            **one_of(PlanBy),
        ),
    ] = PlanBy.group,
    lang: LangOpt = None,
) -> None:
    """Turn the SOP's cadence into a dated schedule per group and render every script.

    Dates are in the SOP's timezone, with the public holidays of its country (China's
    statutory holidays and adjusted working days (调休) by default). Conflicts that appear only on some dates (quiet hours, posts per day, two
    items in one minute) are shown in every format; they do not change the exit code.

    Exit codes: 0 planned, 1 the SOP has lint errors (use --force), 2 could not run.

    [zh]
    把 SOP 的节奏变成每个群带日期的排期，并写出每一条话术。

    日期按 SOP 的时区，含中国法定节假日和调休。只在某些日期出现的冲突（免打扰时段、每日推送
    条数、同一分钟两项安排）在每种格式中都会标出，不影响退出码。

    退出码：0 已生成排期，1 SOP 有 lint 错误（可用 --force），2 无法运行。
    """
    with running(lang) as run:
        from sqops.plan import (
            build_plan,
            default_start,
            read_groups_csv,
            sop_groups,
            unknown_group,
        )
        from sqops.plan import formats as F
        from sqops.sop.loader import load_sop

        loaded = load_sop(sop)
        lg = run.use_sop_language(loaded.sop.community.language)

        check_lint(
            loaded,
            lg,
            force,
            forced=T(
                "注意：SOP 有 {n} 个 lint 错误，因 --force 仍然生成排期",
                "warning: the SOP has {n} lint error(s); planning anyway because of --force",
            ),
            refused=T(
                "SOP 有 {n} 个 lint 错误，未生成排期；请修正，或加 --force 强制生成",
                "the SOP has {n} lint error(s), so no plan was made; fix them or add --force",
            ),
        )

        if groups_csv is not None:
            groups = read_groups_csv(groups_csv, default_launch=loaded.sop.community.launched_on)
        else:
            groups = sop_groups(loaded)
        if group:
            known = [g.id for g in groups]
            for gid in group:
                if gid not in known:
                    raise unknown_group(gid, known)
            wanted = set(group)
            groups = [g for g in groups if g.id in wanted]

        first = parse_day(start, "--start") if start is not None else default_start(loaded, groups)
        if first is None:
            raise UsageError(
                T(
                    "SOP 和群都没有建群日期（launched_on），请用 --start YYYY-MM-DD 指定开始日期",
                    "no launch date (launched_on) in the SOP or its groups: give --start YYYY-MM-DD",
                ),
                Location(file=loaded.display),
            )

        with gc_paused():  # (a plan is ~100,000 objects that live to the end; see report)
            result = build_plan(loaded, start=first, days=days, lang=lg, groups=groups)

            from sqops.cli.route import route

            to = route(fmt, output, list(PlanFormat), per_group="md", inputs=[sop, groups_csv])
            if by == PlanBy.owner:
                _write_by_owner(result, to, lg, remind)
            elif to.terminal:
                from sqops.render.console import console

                con = console()
                for r in F.to_renderables(result, lg):
                    con.print(r)
            elif to.per_group:
                names: dict[str, str] = {}
                for gp in result.groups:
                    name = _safe_name(gp.group.id)
                    key = name.casefold()  # (one file on Windows and macOS)
                    if key in names:
                        raise UsageError(
                            T(
                                "群 “{a}” 和 “{b}” 的文件名相同（{n}）",
                                "groups '{a}' and '{b}' map to the same file name ({n})",
                            ).format(a=names[key], b=gp.group.id, n=name)
                        )
                    names[key] = gp.group.id
                    to.check_file(f"{name}.{F.EXTENSIONS[to.fmt]}")
                for gp in result.groups:
                    to.write_file(
                        f"{_safe_name(gp.group.id)}.{F.EXTENSIONS[to.fmt]}",
                        F.render(F.single_group(result, gp), to.fmt, lg, remind_minutes=remind),
                    )
            else:
                to.write(F.render(result, to.fmt, lg, remind_minutes=remind))
            _summary(result, lg, to.shown if to.path is not None else None)


def _write_by_owner(result: Any, to: Any, lang: str, remind: int) -> None:
    """``--by owner``: each person's day, on the terminal, in one file or one file per person."""
    from sqops.plan import by_person
    from sqops.plan import formats as F

    if to.terminal:
        from sqops.render.console import console

        con = console()
        for r in F.people_renderables(result, lang):
            con.print(r)
    elif to.per_group:
        names: dict[str, str | None] = {}
        days = by_person(result)
        for person in (pd.person for pd in days):
            name = _person_file(person)
            key = name.casefold()  # (one file on Windows and macOS)
            if key in names:
                raise UsageError(
                    T(
                        "负责人 “{a}” 和 “{b}” 的文件名相同（{n}）",
                        "people '{a}' and '{b}' map to the same file name ({n})",
                    ).format(a=names[key] or "-", b=person or "-", n=name)
                )
            names[key] = person
            to.check_file(f"{name}.{F.EXTENSIONS[to.fmt]}")
        for pd in days:
            to.write_file(
                f"{_person_file(pd.person)}.{F.EXTENSIONS[to.fmt]}",
                F.render_people(
                    F.single_person(result, pd.person, pd), to.fmt, lang, remind_minutes=remind
                ),
            )
    else:
        to.write(F.render_people(result, to.fmt, lang, remind_minutes=remind))


def _person_file(person: str | None) -> str:
    """The file name (without suffix) of a person's schedule; ``_nobody`` for no one."""
    return "_nobody" if person is None else _safe_name(person)


def _summary(result: Any, lang: str, target: str | None) -> None:
    n_conf = sum(len(g.conflicts) for g in result.groups)
    text = T("{g} 个群，{n} 条安排（{a} 至 {b}）", "{g} group(s), {n} item(s) ({a} to {b})").format(
        g=len(result.groups),
        n=result.occurrence_count,
        a=result.start.isoformat(),
        b=result.last.isoformat(),
    )
    if target:
        text = text + T("，已写入 {t}", ", written to {t}").format(t=target)
    if n_conf:
        text = text + T(
            "；{c} 处日期冲突（见输出）", "; {c} date conflict(s) flagged in the output"
        ).format(c=n_conf)
    n_load = len(result.load.windows) if result.load is not None else 0
    if n_load:
        text = text + T(
            "；{c} 处人员负荷超限（某人 10 分钟内推送过多，见输出）",
            "; {c} per-person load warning(s) (one person, too many pushes in 10 minutes)",
        ).format(c=n_load)
    for n in result.notices:
        echo(("注意：" if lang == "zh" else "note: ") + n.get(lang), err=True)
    echo(text.get(lang), err=True)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan)
