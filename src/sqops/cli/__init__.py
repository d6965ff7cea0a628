"""The ``sqops`` command: parse arguments, call the library, print, map errors to exit codes.

Each command lives in ``sqops/commands/<name>.py`` and exposes ``register(app)``. Those
modules import only typer and light sqops modules at import time; polars, matplotlib,
icalendar and the like are imported inside the command that needs them, so that
``sqops --help`` and ``sqops lint`` start fast (enforced by ruff TID253 and a test).

Commands are loaded lazily: turning a typer function into a click command costs several
milliseconds each, so only the command being run is built; ``sqops --help`` lists the
commands from their docstrings without building any.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:  # typer vendors click in recent releases; only the types are needed here
    import click

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
    "notify",
)


def _module_of(name: str) -> str | None:
    return next((m for m in COMMAND_MODULES if m.rstrip("_") == name), None)


def _command_app(name: str) -> typer.Typer:
    module = _module_of(name)
    assert module is not None
    sub = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    importlib.import_module(f"sqops.cli.commands.{module}").register(sub)
    return sub


def _short_help(doc: str, limit: int) -> str:
    """The first sentence of a docstring, cut at a word to fit ``limit`` characters."""
    first = " ".join(doc.strip().split("\n\n")[0].split())
    if ". " in first:
        first = first.split(". ")[0] + "."
    if len(first) <= limit:
        return first
    cut = first[: max(limit - 3, 1)].rsplit(" ", 1)[0]
    return cut + "..."


class LazyGroup(TyperGroup):
    """A group whose subcommands are imported and built only when they are used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [m.rstrip("_") for m in COMMAND_MODULES]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and _module_of(cmd_name) is not None:
            command = typer.main.get_command(_command_app(cmd_name))
            command.name = cmd_name
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            info = _command_app(name).registered_commands[0]
            doc = info.help or (info.callback.__doc__ if info.callback else "") or ""
            rows.append((name, _short_help(doc, limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="sqops",
    cls=LazyGroup,
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


def command_names() -> list[str]:
    """Every command, in the order ``sqops --help`` lists them."""
    return [m.rstrip("_") for m in COMMAND_MODULES]


def main() -> None:
    from sqops.cli import common

    common.PROCESS_ENDS_WITH_RUN = True
    app()
