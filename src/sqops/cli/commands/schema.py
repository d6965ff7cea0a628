"""``sqops schema``: the JSON Schema of the SOP file (and of the report's JSON)."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from sqops.cli.common import LangOpt, OutputOpt, running
from sqops.cli.helptext import H
from sqops.errors import UsageError
from sqops.i18n import T

#: schema name → "module:function" returning the schema as a dict
SCHEMAS: dict[str, str] = {
    "sop": "sqops.sop.schema:sop_schema",
    "plan": "sqops.plan.schema:plan_schema",
    "report": "sqops.report.schema:report_schema",
    "adherence": "sqops.adherence.schema:adherence_schema",
}


def schema(
    which: Annotated[
        str,
        typer.Argument(
            help=H(
                "哪个 schema：sop（SOP 文件），plan、report 或 adherence（它们的 --format json 输出）。",
                "Which schema: sop (the SOP file), plan, report or adherence (their --format json output).",
            )
        ),
    ] = "sop",
    output: OutputOpt = None,
    lang: LangOpt = None,
) -> None:
    """Write the JSON Schema of the SOP file, so editors complete and check it.

    Add `# yaml-language-server: $schema=sop.schema.json` at the top of an SOP file to use it
    in VS Code (YAML extension) or JetBrains IDEs.

    [zh]
    写出 SOP 文件的 JSON Schema，让编辑器补全并检查它。

    在 SOP 文件开头加 `# yaml-language-server: $schema=sop.schema.json`，即可在 VS Code（YAML
    扩展）或 JetBrains IDE 中使用。
    """
    with running(lang):
        if which not in SCHEMAS:
            raise UsageError(
                T(
                    "未知的 schema “{w}”；可选：{a}", "unknown schema '{w}'; choose one of: {a}"
                ).format(w=which, a=", ".join(SCHEMAS))
            )
        mod, _, fn = SCHEMAS[which].partition(":")
        from sqops.sop.schema import dumps

        text = dumps(getattr(importlib.import_module(mod), fn)())
        from sqops.cli.route import route

        route(None, output, ["json"]).write(text)


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
