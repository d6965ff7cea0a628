"""``sqops schema``: the JSON Schema of the SOP file (and of the report's JSON)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

from sqops._cli_common import LangOpt, errors_to_exit, pick_lang, usage_error
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
            help="Which schema: sop (the SOP file), plan, report or adherence (their --format json output)."
        ),
    ] = "sop",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")
    ] = None,
    lang: LangOpt = None,
) -> None:
    """Write the JSON Schema of the SOP file, so editors complete and check it.

    Add `# yaml-language-server: $schema=sop.schema.json` at the top of an SOP file to use it
    in VS Code (YAML extension) or JetBrains IDEs.
    """
    lang_ref = [pick_lang(lang)]
    with errors_to_exit(lang_ref):
        if which not in SCHEMAS:
            usage_error(
                T(
                    "未知的 schema “{w}”；可选：{a}", "unknown schema '{w}'; choose one of: {a}"
                ).format(w=which, a=", ".join(SCHEMAS)),
                lang_ref[0],
            )
        mod, _, fn = SCHEMAS[which].partition(":")
        from sqops.sop.schema import dumps

        text = dumps(getattr(importlib.import_module(mod), fn)())
        if output is None:
            typer.echo(text, nl=False)
        else:
            from sqops.output import atomic_write_text

            atomic_write_text(output, text)


def register(app: typer.Typer) -> None:
    app.command("schema")(schema)
