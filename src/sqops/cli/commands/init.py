"""``sqops init``: write a starter SOP (and its JSON Schema) to begin a community with."""

from __future__ import annotations

import shlex
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from sqops.cli.common import LangOpt, echo, one_of, parse_day, running
from sqops.cli.helptext import H
from sqops.errors import Location, UsageError
from sqops.i18n import T

SCHEMA_FILENAME = "sop.schema.json"
DEFAULT_FILENAME = "sop.yaml"


class TypeChoice(StrEnum):
    broadcast = "broadcast"
    refined = "refined"
    service = "service"
    store = "store"


class PlatformChoice(StrEnum):
    wechat = "wechat"
    wecom = "wecom"
    qq = "qq"
    xiaohongshu = "xiaohongshu"
    telegram = "telegram"
    whatsapp = "whatsapp"
    discord = "discord"


def _shell(path: Path) -> str:
    return shlex.quote(path.as_posix())


def _write(target: Path, text: str) -> None:
    """Atomically; a failure (read-only folder, a folder in the way, a full disk) is the
    writer's :class:`UsageError`."""
    from sqops.render.output import atomic_write_text

    atomic_write_text(target, text)


def init(
    path: Annotated[
        str,
        typer.Argument(
            help=H(
                "要创建的 SOP 文件（默认 sop.yaml）；给文件夹（已存在，或以 / 或 \\ 结尾）"
                "则在其中写 sop.yaml。",
                "The SOP file to create (default sop.yaml); a folder (existing, or ending in / "
                "or \\) gets sop.yaml inside.",
            ),
            metavar="PATH",
        ),
    ] = DEFAULT_FILENAME,
    type_: Annotated[
        TypeChoice | None,
        typer.Option(
            "--type",
            "-t",
            help=H(
                "社群类型：broadcast 群发推广型 | refined 精细化运营型 | service 客户服务型 | store S2B2C 门店群。",
                "Community type: broadcast (mass promotion) | refined (refined operations) | "
                "service (customer service) | store (S2B2C store groups).",
            ),
            show_default=False,
            **one_of(TypeChoice),
        ),
    ] = None,
    lang: LangOpt = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name",
            help=H("社群名称（community.name）。", "The community's name (community.name)."),
        ),
    ] = None,
    platform: Annotated[
        PlatformChoice | None,
        typer.Option(
            "--platform",
            help=H("聊天平台（community.platform）。", "The chat platform (community.platform)."),
            **one_of(PlatformChoice),
        ),
    ] = None,
    launch: Annotated[
        str | None,
        typer.Option(
            "--launch",
            help=H(
                "开群日 YYYY-MM-DD（community.launched_on）；默认：模板中的日期。",
                "Launch day YYYY-MM-DD (community.launched_on); default: the template's.",
            ),
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help=H("SOP 文件已存在时覆盖它。", "Overwrite the SOP file if it exists.")
        ),
    ] = False,
    no_schema: Annotated[
        bool,
        typer.Option(
            "--no-schema",
            help=H(
                f"不在 SOP 文件旁写 {SCHEMA_FILENAME}。",
                f"Do not write {SCHEMA_FILENAME} next to the SOP file.",
            ),
        ),
    ] = False,
) -> None:
    """Write a starter SOP for a community type, with comments that explain every key.

    Also writes sop.schema.json beside it (unless it exists or --no-schema), so that editors
    complete and check the file. Then: edit it, `sqops lint FILE`, `sqops plan FILE`.

    [zh]
    按社群类型写一份起步 SOP，每个键都有注释说明。

    同时在旁边写 sop.schema.json（已存在或加 --no-schema 时不写），让编辑器补全并检查文件。
    然后：编辑它，`sqops lint FILE`，`sqops plan FILE`。
    """
    with running(lang) as run:
        lg = run.lang
        from sqops.sop.templates import TEMPLATE_TYPES, TYPE_NAMES, starter_sop

        if type_ is None:
            choices = "\n".join(f"  --type {t}  {TYPE_NAMES[t].get(lg)}" for t in TEMPLATE_TYPES)
            raise UsageError(
                T("请用 --type 选择社群类型：\n", "choose the community type with --type:\n")
                + T(choices, choices)
            )
        launch_day = parse_day(launch, "--launch") if launch is not None else None
        from sqops.cli.route import is_dir_target

        target = Path(path) / DEFAULT_FILENAME if is_dir_target(path) else Path(path)
        if target.is_dir():
            raise UsageError(
                T(
                    "这是一个文件夹，不能写成 SOP 文件",
                    "is a folder, not a file an SOP can be written to",
                ),
                Location(file=target.as_posix()),
            )
        if target.exists() and not force:
            raise UsageError(
                T(
                    "文件已存在，未做任何改动；要覆盖请加 --force",
                    "the file already exists and was left unchanged; add --force to overwrite it",
                ),
                Location(file=target.as_posix()),
            )
        text = starter_sop(
            type_.value,
            lg,
            name=name,
            platform=platform.value if platform else None,
            launch=launch_day,
        )
        # what we write must load: a template bug or an odd value stops here, not in the user's editor
        from sqops.sop.loader import parse_sop

        parse_sop(text, target.as_posix(), target.parent)

        _write(target, text)
        schema_path = target.parent / SCHEMA_FILENAME
        schema_note: T | None = None
        if not no_schema:
            if schema_path.exists():
                schema_note = T(
                    "保留已有的 {p}（要更新：sqops schema -o {p}）",
                    "kept the existing {p} (to refresh it: sqops schema -o {p})",
                ).format(p=_shell(schema_path))
            else:
                from sqops.sop.schema import dumps, sop_schema

                _write(schema_path, dumps(sop_schema()))
                schema_note = T(
                    "已写入 {p}（供编辑器补全和检查）",
                    "wrote {p} (for completion and checks in your editor)",
                ).format(p=_shell(schema_path))

    f = _shell(target)
    echo(
        T("已写入 {f}（{t}）", "wrote {f} ({t})")
        .format(f=f, t=TYPE_NAMES[type_.value].get(lg))
        .get(lg)
    )
    if schema_note is not None:
        echo(schema_note.get(lg))
    steps = T(
        "\n下一步：\n"
        "  1. 打开 {f}，把名称、定位、目标、负责人、活动日期和话术改成你们自己的（注释逐项解释了每个键）\n"
        "  2. 检查：sqops lint {f}\n"
        "  3. 预览排期和话术：sqops plan {f}",
        "\nNext steps:\n"
        "  1. Open {f} and make the name, positioning, goals, people, campaign dates and scripts "
        "your own (the comments explain every key)\n"
        "  2. Check it: sqops lint {f}\n"
        "  3. Preview the schedule and scripts: sqops plan {f}",
    ).format(f=f)
    echo(steps.get(lg))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
