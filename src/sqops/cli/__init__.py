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

import gc
import importlib
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

from sqops.cli.common import LangChoice, one_of
from sqops.cli.helptext import ARGV_KEY, H, HelpContext, doc_help, short_help

if TYPE_CHECKING:  # typer vendors click in recent releases; only the types are needed here
    # (typer's own copy: a separately installed click, which dask pulls in, is another type)
    import typer._click as click

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
    for info in sub.registered_commands:  # the docstring's English and Chinese (helptext)
        if info.help is None and info.callback is not None:
            info.help = doc_help(info.callback.__doc__)
    return sub


class LazyGroup(TyperGroup):
    """A group whose subcommands are imported and built only when they are used; its help
    and theirs in the language of the command line or the locale (:mod:`sqops.cli.helptext`)."""

    context_class = HelpContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[ARGV_KEY] = list(args)  # the whole command line: --lang for every help
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [m.rstrip("_") for m in COMMAND_MODULES]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and _module_of(cmd_name) is not None:
            command = typer.main.get_command(_command_app(cmd_name))
            command.name = cmd_name
            command.context_class = HelpContext
            self.commands[cmd_name] = command
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        lang = getattr(formatter, "lang", "en")
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            info = _command_app(name).registered_commands[0]
            doc = info.help or (info.callback.__doc__ if info.callback else "") or ""
            rows.append((name, short_help(doc, limit, lang)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="sqops",
    cls=LazyGroup,
    help=H(
        "sqops — 品牌社群运营：SOP 即代码、排期、健康报告。",
        "sqops — SOP-as-code, schedules and health reports for brand communities.",
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
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version,
            is_eager=True,
            help=H("显示版本并退出。", "Show the version and exit."),
        ),
    ] = False,
    lang: Annotated[
        LangChoice | None,
        typer.Option(
            "--lang",
            help=H(
                "帮助、消息与输出的语言：zh | en（sqops --lang zh CMD 即 sqops CMD --lang zh）。",
                "Language of the help, messages and output: zh | en "
                "(sqops --lang zh CMD is sqops CMD --lang zh).",
            ),
            **one_of(LangChoice),
        ),
    ] = None,
) -> None:
    """sqops — SOP-as-code, schedules and health reports for brand communities."""
    if lang is not None:  # the command's own --lang default (its own --lang still wins)
        ctx.default_map = {name: {"lang": lang.value} for name in command_names()}


def command_names() -> list[str]:
    """Every command, in the order ``sqops --help`` lists them."""
    return [m.rstrip("_") for m in COMMAND_MODULES]


def program() -> None:
    """The program itself (``sqops``, ``python -m sqops``: :mod:`sqops.__main__`): :func:`main`,
    and a run that kept what it made to the end (``sqops report``:
    :func:`sqops.data.runtime.keep_to_end`) ends the process without freeing it object by
    object. Never for a caller that goes on in the same process: that one calls
    :func:`main`, which ends by ``SystemExit`` and lets nothing be kept."""
    from sqops.cli import common
    from sqops.data.runtime import end_process, keeps

    common.KEEP_TO_END = True
    try:
        main()
    except SystemExit as exc:
        if keeps() and (exc.code is None or isinstance(exc.code, int)):
            end_process(exc.code or 0)
        raise
    finally:
        common.KEEP_TO_END = False


def main() -> None:
    from sqops.cli import common
    from sqops.data.runtime import start_paused

    common.PROCESS_ENDS_WITH_RUN = True
    common.tolerant_streams()
    try:
        with start_paused():  # (until the command's body begins: sqops.cli.common.running)
            app()
    except OSError as exc:  # (printed before any command's run: --help, --version)
        _printing_failed(exc)
        raise
    finally:
        # the process ends with the run: the interpreter's last collection need not walk
        # what the run made (a report's hundreds of thousands of objects, ~40 CPU-ms at 1 M
        # messages; what is left is freed with the process)
        gc.freeze()


def _printing_failed(exc: OSError) -> None:
    """What ``--help`` or ``--version`` (printed while the command line is parsed, before
    :func:`sqops.cli.common.running`) does when standard output refuses it: a full disk or an
    I/O error behind ``>`` is ``<stdout>: error: …``, exit 2 — not a traceback. (A closed
    pipe, ``sqops --help | head -1``, click itself ends quietly.) Any other error goes on."""
    from sqops.cli.common import _lang_in_argv, fail, pick_lang
    from sqops.cli.route import stdout_failed, stdout_failing

    if stdout_failing(exc):
        try:
            fail(stdout_failed(exc), pick_lang(_lang_in_argv()))
        except typer.Exit as done:
            raise SystemExit(done.exit_code) from None
