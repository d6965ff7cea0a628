"""The ``sqops`` command: parse arguments, call the library, print, map errors to exit codes.

Each command lives in ``sqops/commands/<name>.py`` and exposes ``register(app)``. Those
modules import only typer and light sqops modules at import time; polars, matplotlib,
icalendar and the like are imported inside the command that needs them, so that
``sqops --help`` and ``sqops lint`` start fast (enforced by ruff TID253 and a test).
"""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

#: Command modules, in the order ``sqops --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "import_",
    "lint",
    "plan",
    "report",
    "adherence",
    "schema",
    "demo",
)

app = typer.Typer(
    name="sqops",
    help=(
        "sqops — SOP-as-code, schedules and health reports for brand communities "
        "(社群运营：SOP 即代码、排期、健康报告)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # click's plain help formatter: rich's costs ~110 ms at every `sqops --help`
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        import sqops

        typer.echo(f"sqops {sqops.__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """sqops — SOP-as-code, schedules and health reports for brand communities."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"sqops.commands.{_name}").register(app)


def main() -> None:
    app()
