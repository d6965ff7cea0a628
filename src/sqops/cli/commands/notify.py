"""``sqops notify``: post a day's plan items per person, or a report's failing KPIs, to a group
robot (WeCom, DingTalk, Feishu/Lark, Slack-compatible)."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sqops.cli.common import (
    EncodingOpt,
    GroupOpt,
    LangOpt,
    SopOpt,
    TzOpt,
    check_lint,
    echo,
    parse_day,
    running,
)
from sqops.cli.helptext import H
from sqops.errors import UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    import datetime as dt

    from sqops.notify import Digest, Request, Target


class Source(StrEnum):
    plan = "plan"
    report = "report"


class To(StrEnum):
    wecom = "wecom"
    dingtalk = "dingtalk"
    feishu = "feishu"
    slack = "slack"


class Status(StrEnum):
    warn = "warn"
    bad = "bad"


def _secret_value(env: str | None, file: Path | None, what: T, option: str) -> str | None:
    """A secret from an environment variable or a file (its first non-empty line); the value
    itself never appears in a message."""
    if env is not None and file is not None:
        raise UsageError(
            T(
                "{w}：--{o}-env 和 --{o}-file 只能给一个",
                "{w}: give --{o}-env or --{o}-file, not both",
            ).format(w=what, o=option)  # fmt: skip
        )
    if env is not None:
        value = os.environ.get(env, "")
        if not value.strip():
            raise UsageError(
                T(
                    "环境变量 {e} 未设置或为空（{w}）",
                    "environment variable {e} is not set or empty ({w})",
                ).format(e=env, w=what)  # fmt: skip
            )
        return value.strip()
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            raise UsageError(
                T("无法读取 {f}（{w}）", "cannot read {f} ({w})").format(f=str(file), w=what)
            ) from None
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if not lines:
            raise UsageError(
                T("{f} 是空的（{w}）", "{f} is empty ({w})").format(f=str(file), w=what)
            )
        return lines[0]
    return None


def _target(to: To, webhook: str | None, secret: str | None, dry_run: bool) -> Target:
    from sqops.notify import PLATFORMS, make_target

    if webhook is None:
        if not dry_run:
            raise UsageError(
                T(
                    "请用 --webhook-env NAME 或 --webhook-file PATH 给出机器人地址",
                    "give the robot's URL with --webhook-env NAME or --webhook-file PATH",
                )
            )
        template = PLATFORMS[to.value].url_of_key
        webhook = (
            template.format(key="KEY")
            if template
            else "https://hooks.slack.com/services/KEY/KEY/KEY"
        )
    return make_target(to.value, webhook, secret)


def _shown(target: Target, req: Request) -> tuple[str, str]:
    """A request as ``--dry-run`` prints it: the URL and body with every secret and
    signature replaced by ``***``."""
    import json
    import re

    url = re.sub(r"([?&]sign=)[^&]*", r"\1***", target.mask(req.url))
    body = dict(req.body)
    if "sign" in body:
        body["sign"] = "***"
    text = json.dumps(body, ensure_ascii=False, indent=2)
    return url, target.mask(text)


def _deliver(
    target: Target, digest: Digest, lang: str, *, plain: bool, dry_run: bool, send_empty: bool
) -> None:
    import datetime as dt

    from sqops.notify import build_requests, post_all

    name = target.platform.name.get(lang)
    if digest.is_empty and not send_empty:
        echo(
            T("没有要发送的内容（{e}）；加 --send-empty 也发送",
              "nothing to post ({e}); add --send-empty to post anyway").format(e=digest.empty).get(lang),
            err=True,
        )  # fmt: skip
        return
    now: dt.datetime = dt.datetime.now(dt.UTC)  # the CLI's clock: the signature's timestamp
    requests = build_requests(target, digest, lang=lang, now=now, plain=plain)
    if dry_run:
        for i, req in enumerate(requests, start=1):
            url, body = _shown(target, req)
            echo(f"# {i}/{len(requests)} POST {url}")
            echo(body)
        echo(
            T("演练：{n} 条消息未发送（{p}）", "dry run: {n} message(s) not posted ({p})")
            .format(n=len(requests), p=name)
            .get(lang),
            err=True,
        )
        return
    sent = post_all(target, requests)
    retried = sum(s.tries - 1 for s in sent)
    text = T("已发送 {n} 条消息到 {p}（{a}）", "posted {n} message(s) to {p} ({a})").format(
        n=len(sent), p=name, a=target.shown
    )
    if retried:
        text = text + T("，重试 {r} 次", ", {r} retr(ies)").format(r=retried)
    echo(text.get(lang), err=True)


def _today(tz: str) -> dt.date:
    import datetime as dt

    from sqops.data.scalars import get_tz

    return dt.datetime.now(get_tz(tz)).date()  # the CLI's clock: "today" in the SOP's zone


def _plan_digest(
    sop_path: Path,
    day: str | None,
    group: list[str] | None,
    person: list[str] | None,
    force: bool,
    run: Any,
) -> Digest:
    from sqops.notify import plan_digest
    from sqops.plan import build_plan, sop_groups, unknown_group
    from sqops.sop.loader import load_sop

    loaded = load_sop(sop_path)
    lg = run.use_sop_language(loaded.sop.community.language)
    check_lint(
        loaded,
        lg,
        force,
        forced=T(
            "注意：SOP 有 {n} 个 lint 错误，因 --force 仍然发送",
            "warning: the SOP has {n} lint error(s); posting anyway because of --force",
        ),
        refused=T(
            "SOP 有 {n} 个 lint 错误，未发送；请修正，或加 --force",
            "the SOP has {n} lint error(s), so nothing was posted; fix them or add --force",
        ),
    )
    groups = sop_groups(loaded)
    if group:
        known = [g.id for g in groups]
        for gid in group:
            if gid not in known:
                raise unknown_group(gid, known)
        groups = [g for g in groups if g.id in set(group)]
    the_day = parse_day(day, "--day") if day else _today(loaded.sop.community.timezone)
    plan = build_plan(loaded, start=the_day, days=1, lang=lg, groups=groups)
    return plan_digest(plan, loaded.sop, the_day, lg, persons=person or ())


def _report_digest(
    data: Path,
    sop: Path | None,
    as_of: str | None,
    group: list[str] | None,
    tz: str | None,
    encoding: str | None,
    status: Status,
    run: Any,
) -> Digest:
    from sqops.data.scalars import get_tz
    from sqops.data.tables import read_tables
    from sqops.notify import failing_groups, kpi_digest
    from sqops.report.build import Settings, build_report

    settings = Settings()
    if sop is not None:
        from sqops.sop.loader import load_sop

        loaded = load_sop(sop)
        run.use_sop_language(loaded.sop.community.language)
        settings = Settings.from_loaded(loaded, tz)
    elif tz:
        settings.tz = tz
    get_tz(settings.tz)
    day = parse_day(as_of, "--as-of") if as_of else None
    tables = read_tables(data, {}, tz=settings.tz, columns=settings.columns, encoding=encoding)
    rep = build_report(tables, settings=settings, as_of=day, lang=run.lang, groups=group)
    return kpi_digest(rep, failing_groups(rep, status.value), run.lang, status.value)


def notify(
    source: Annotated[
        Source,
        typer.Argument(
            metavar="plan|report",
            help=H(
                "plan：某一天每个人要发的安排（INPUT = SOP）；report：各群未达标的当前阶段指标"
                "（INPUT = 数据文件夹，配合 --sop）。",
                "plan: a day's items per person (INPUT = the SOP); report: the failing "
                "current-stage KPIs per group (INPUT = the data folder, with --sop).",
            )
        ),
    ],
    input_: Annotated[Path, typer.Argument(metavar="INPUT", help=H("SOP 文件（plan）或数据文件夹（report）。", "The SOP (plan) or DATA (report)."))],
    to: Annotated[To, typer.Option("--to", help=H("机器人所在的平台。", "The robot's platform."))],
    webhook_env: Annotated[
        str | None,
        typer.Option("--webhook-env", metavar="NAME", help=H("存放机器人地址（或 key/token）的环境变量。", "Environment variable holding the webhook URL (or key/token).")),
    ] = None,
    webhook_file: Annotated[
        Path | None,
        typer.Option("--webhook-file", metavar="PATH", help=H("第一行是机器人地址（或 key/token）的文件。", "File holding the webhook URL (or key/token) on its first line.")),
    ] = None,
    secret_env: Annotated[
        str | None,
        typer.Option("--secret-env", metavar="NAME", help=H("钉钉加签 / 飞书签名校验：存放签名密钥的环境变量。", "DingTalk signing / Feishu signature check: environment variable holding the secret.")),
    ] = None,
    secret_file: Annotated[
        Path | None,
        typer.Option("--secret-file", metavar="PATH", help=H("钉钉加签 / 飞书签名校验：存放签名密钥的文件。", "DingTalk signing / Feishu signature check: file holding the secret.")),
    ] = None,
    day: Annotated[
        str | None,
        typer.Option("--day", metavar="DATE", help=H("plan：哪一天，YYYY-MM-DD（默认：SOP 时区的今天）。", "plan: the day, YYYY-MM-DD (default: today in the SOP's timezone).")),
    ] = None,
    person: Annotated[
        list[str] | None,
        typer.Option("--person", metavar="NAME", help=H("plan：只发给名字包含这段文字的人（可重复）。", "plan: only the people whose name contains this (repeatable).")),
    ] = None,
    sop: SopOpt = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", metavar="DATE", help=H("report：统计截至哪一天（默认：数据里最新的一天）。", "report: last day to look at (default: the latest in the data).")),
    ] = None,
    status: Annotated[
        Status,
        typer.Option("--status", help=H("report：推送处于这个状态的指标（warn：预警或不达标）。", "report: post the KPIs at this status (warn: warn or bad).")),
    ] = Status.warn,
    group: GroupOpt = None,
    tz: TzOpt = None,
    encoding: EncodingOpt = None,
    plain: Annotated[
        bool, typer.Option("--plain", help=H("发纯文本消息，不用 Markdown。", "Plain text messages instead of Markdown."))
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help=H("只打印将要发送的内容（key 和签名已遮盖），不发送。", "Print the exact payload(s), key and signature masked; post nothing.")),
    ] = False,
    send_empty: Annotated[
        bool, typer.Option("--send-empty", help=H("没有内容时也发送一条。", "Post even when there is nothing to report."))
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help=H("plan：即使 SOP 有 lint 错误也发送。", "plan: post even if lint finds errors in the SOP."))
    ] = False,
    lang: LangOpt = None,
) -> None:  # fmt: skip
    """Post a day's plan items per person, or the failing KPIs, to a group robot.

    WeCom, DingTalk (optionally signed), Feishu/Lark (optionally signed) or a
    Slack-compatible incoming webhook; long messages are split within each platform's limit.
    The webhook URL and secret come from an environment variable or a file and are never
    printed. See docs/notify.md.

    Exit codes: 0 posted (or nothing to post); 1 the SOP has lint errors (use --force);
    2 could not run or the robot refused a message.

    [zh]
    把某一天每个人要发的排期，或未达标的指标，推送到群机器人。

    支持企业微信、钉钉（可加签）、飞书（可签名校验）和 Slack 兼容的 incoming webhook；长消息按各
    平台的长度上限拆分。机器人地址和密钥从环境变量或文件读取，从不打印。见 docs/notify.md。

    退出码：0 已发送（或没有要发的）；1 SOP 有 lint 错误（用 --force）；2 无法运行或机器人拒收。
    """
    with running(lang) as run:
        webhook = _secret_value(webhook_env, webhook_file, T("机器人地址", "robot URL"), "webhook")
        secret = _secret_value(secret_env, secret_file, T("签名密钥", "signing secret"), "secret")
        target = _target(to, webhook, secret, dry_run)
        if source is Source.plan:
            if sop is not None or as_of is not None:
                raise UsageError(
                    T("notify plan 的 SOP 是 INPUT；--sop/--as-of 只用于 report",
                      "notify plan takes the SOP as INPUT; --sop/--as-of are for report")
                )  # fmt: skip
            digest = _plan_digest(input_, day, group, person, force, run)
        else:
            if day is not None or person:
                raise UsageError(
                    T("--day/--person 只用于 notify plan（report 用 --as-of）",
                      "--day/--person are for notify plan (report takes --as-of)")
                )  # fmt: skip
            digest = _report_digest(input_, sop, as_of, group, tz, encoding, status, run)
        _deliver(target, digest, run.lang, plain=plain, dry_run=dry_run, send_empty=send_empty)


def register(app: typer.Typer) -> None:
    app.command("notify")(notify)
