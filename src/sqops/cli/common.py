"""What every command shares at the terminal: options, language, consoles, errors → exit codes.

A command declares its common options with the aliases below (``lang: LangOpt = None``) and
runs its body inside :func:`running`, which picks the language and turns errors into exit
codes::

    with running(lang) as run:
        loaded = load_sop(sop)
        lg = run.use_sop_language(loaded.sop.community.language)

Only typer and the standard library are imported here: ``sqops --help`` must stay fast.
Rich is :mod:`sqops.render.console`'s, imported when something is printed.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from sqops.cli.helptext import H, lang_in
from sqops.errors import SqopsError
from sqops.i18n import Lang, T, resolve_lang

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class LangChoice(StrEnum):
    zh = "zh"
    en = "en"


# ---------------------------------------------------------------- shared options
# One declaration per option that means the same thing in several commands.


def one_of(choices: type[StrEnum]) -> dict[str, Any]:
    """``typer.Option`` keywords for an option of fixed values (``**one_of(PlanFormat)``):
    ``[a|b|c]`` in ``--help``; the case of a value does not matter; any other value is a usage
    error in the user's language with a "did you mean" (not the validator's English
    "Value error, 'x' is not one of ...")."""
    names = [c.value for c in choices]

    def parse(value: Any) -> Any:
        if value is None or isinstance(value, choices):
            return value
        text = str(value)
        for c in choices:
            if c.value.casefold() == text.strip().casefold():
                return c
        from sqops.errors import did_you_mean

        hint = did_you_mean(text, names)
        msg = T("“{v}” 不是可选值；可选：{a}", "'{v}' is not one of the choices: {a}").format(
            v=text, a=", ".join(names)
        )
        if hint:
            msg = msg + T(f"；你是不是想写 {hint}？", f"; did you mean {hint}?")
        raise typer.BadParameter(msg.get(pick_lang(_lang_in_argv())))

    return {"parser": parse, "metavar": "[" + "|".join(names) + "]"}


def _lang_in_argv() -> str | None:
    """``--lang`` as typed on the command line (options are parsed in order: a message about an
    option before it is written before ``--lang`` itself is read)."""
    return lang_in(sys.argv[1:])


LangOpt = Annotated[
    LangChoice | None,
    typer.Option(
        "--lang",
        help=H(
            "消息与输出的语言：zh | en（默认：SOP 的语言，否则按系统语言环境）。",
            "Language of messages and output: zh | en (default: the SOP's, else the locale's).",
        ),
        **one_of(LangChoice),
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "-o",
        "--output",
        metavar="FILE",
        help=H("写入此文件，而不是标准输出。", "Write to this file instead of stdout."),
    ),
]
SopOpt = Annotated[
    Path | None,
    typer.Option(
        "--sop",
        metavar="FILE",
        help=H(
            "SOP 文件：时区、人员、群、排期、目标、列映射。",
            "The SOP file: timezone, staff, groups, plan, targets, columns.",
        ),
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help=H(
            "统计截止日，YYYY-MM-DD（默认：数据中最晚的一天）。",
            "Last day to look at, YYYY-MM-DD (default: the latest day in the data).",
        ),
    ),
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        help=H(
            "不带时区的时间所用的时区（默认：SOP 的时区，否则 Asia/Shanghai）。",
            "Timezone of naive times (default: the SOP's, else Asia/Shanghai).",
        ),
    ),
]
GroupOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--group",
        metavar="ID",
        help=H("只看这个群 id（可重复）。", "Only this group id (repeatable)."),
    ),
]
PartitionByOpt = Annotated[
    str | None,
    typer.Option(
        "--partition-by",
        metavar="group_id",
        help=H(
            "按群分区写 Parquet：每表一个文件夹 TABLE/group_id=…/（供 sqops report 分桶读取）。",
            "Write Parquet partitioned by group: a folder TABLE/group_id=…/ per table "
            "(what a partitioned sqops report reads).",
        ),
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        metavar="ENC",
        help=H(
            "CSV/TSV 文件的编码（默认：自动识别 UTF-8 / GB18030）。",
            "Encoding of CSV/TSV files (default: detect UTF-8 / GB18030).",
        ),
    ),
]


def format_option(choices: type[StrEnum], *, from_suffix: bool = True) -> Any:
    """``--format/-f`` listing a command's formats; ``from_suffix``: when not given, the
    format comes from ``-o``'s suffix, else the first (see :mod:`sqops.cli.route`).
    Use as ``Annotated[PlanFormat | None, format_option(PlanFormat)] = None``."""
    names = [c.value for c in choices]
    zh = en = " | ".join(names)
    if from_suffix:
        zh += f"（默认：按 -o 的后缀，否则 {names[0]}）。"
        en += f" (default: from -o's suffix, else {names[0]})."
    return typer.Option("--format", "-f", help=H(zh, en), **one_of(choices))


def pick_lang(explicit: LangChoice | str | None, sop_lang: str | None = None) -> Lang:
    value = explicit.value if isinstance(explicit, LangChoice) else explicit
    return resolve_lang(value, sop_lang, locale_environ())


_LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def locale_environ() -> Mapping[str, str]:
    """The environment the locale's language is read from. On Windows, where the locale
    variables are usually unset, the user's display language stands for them (a Chinese
    Windows: ``LANG=zh_CN``); a variable that is set still wins."""
    env = os.environ
    if sys.platform == "win32" and not any(env.get(v) for v in _LOCALE_VARS):
        ui = windows_ui_language()
        if ui:
            return {**env, "LANG": ui}
    return env


def windows_ui_language() -> str | None:
    """``zh_CN`` or ``en_US`` from Windows' user interface language, else None."""
    if sys.platform == "win32":
        import ctypes

        try:
            langid = int(ctypes.windll.kernel32.GetUserDefaultUILanguage())
        except (AttributeError, OSError):
            return None
        return {0x04: "zh_CN", 0x09: "en_US"}.get(langid & 0x3FF)
    return None


def tolerant_streams() -> None:
    """Printing never fails on a console or pipe that is not UTF-8 (a Chinese Windows console
    or ``>`` redirect: GBK/cp936; a Western one: cp1252; ``PYTHONIOENCODING``): stdout and
    stderr keep their encoding (what the reader expects) and write a character it cannot
    hold as ``?``, instead of ending the run in a UnicodeEncodeError traceback."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            utf = codecs.lookup(encoding).name.startswith("utf")
        except LookupError:
            utf = False
        reconfigure = getattr(stream, "reconfigure", None)
        if not utf and reconfigure is not None:
            reconfigure(errors="replace")


def echo(text: str = "", *, err: bool = False) -> None:
    """Plain text out, no markup interpretation (user text may contain [brackets])."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")
    stream.flush()


def fail(exc: SqopsError, lang: str) -> NoReturn:
    """Print every problem as ``location: error: message`` (the compiler convention editors
    parse; ``error: message`` when there is no location) and exit with the error's code."""
    prefix = "错误" if lang == "zh" else "error"
    for problem in exc.problems:
        loc = problem.where.render()
        msg = problem.text.get(lang)
        echo(f"{loc}: {prefix}: {msg}" if loc else f"{prefix}: {msg}", err=True)
    raise typer.Exit(exc.exit_code)


EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2
EXIT_TERMINATED = 143  # SIGTERM: 128 + 15


class Terminated(BaseException):
    """SIGTERM, raised where the program is (as Ctrl-C raises KeyboardInterrupt), so that every
    ``finally`` and context manager runs: temporary files and folders are removed."""


#: set by the program's entry point (:func:`sqops.cli.main`): the process ends with the
#: command, so once a run's cleanup has begun Ctrl-C and SIGTERM stay ignored (a late one
#: could only print a traceback from wherever the interpreter is shutting down); in-process
#: callers (tests, notebooks) get their handlers back
PROCESS_ENDS_WITH_RUN = False

#: set only by the program itself (``sqops``, ``python -m sqops``: :func:`sqops.cli.program`),
#: never by a caller in the same process: a run may keep what it made to the process's end
#: (:func:`sqops.data.runtime.keep_to_end`), which then ends without freeing it
KEEP_TO_END = False


_HELD = (signal.SIGINT, signal.SIGTERM)


#: the interruption this process received (KeyboardInterrupt or Terminated), once one came:
#: native code (polars, matplotlib's C++ through pybind11) may turn the exception raised by
#: the handler into one of its own (a TypeError "Invoked with: ..."); the run then ends as
#: the interruption it was, not as that error
_received: list[type[BaseException]] = []


def _raising(exc: type[BaseException]) -> Any:
    def handler(signum: int, frame: object) -> None:
        _received.append(exc)
        # one interruption is enough: from here to the end of the run Ctrl-C and SIGTERM are
        # ignored, so that every cleanup runs undisturbed (polars turns one Ctrl-C inside a
        # query into two KeyboardInterrupts: the second one stopped the removal of the
        # tables' temporary copy)
        for s in _HELD:
            signal.signal(s, signal.SIG_IGN)
        raise exc

    return handler


@contextmanager
def _signals() -> Iterator[None]:
    """Inside: Ctrl-C raises KeyboardInterrupt and SIGTERM :class:`Terminated` (the main
    thread only: signals go there), the first of them once. At the end the previous handlers
    are given back, unless the process ends with the run (:data:`PROCESS_ENDS_WITH_RUN`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in _HELD}
    # a signal the parent ignores stays ignored (as Python leaves an ignored SIGINT at start:
    # a shell's background job, `nohup`-like wrappers): it does not stop the run
    for s, exc in ((signal.SIGINT, KeyboardInterrupt), (signal.SIGTERM, Terminated)):
        if previous[s] != signal.SIG_IGN:
            signal.signal(s, _raising(exc))
    try:
        yield
    finally:
        if not PROCESS_ENDS_WITH_RUN:
            for s, h in previous.items():
                signal.signal(s, h if h is not None else signal.SIG_DFL)


def _hold_signals() -> None:
    """From here to the end of the run, Ctrl-C and SIGTERM are ignored (the main thread)."""
    if threading.current_thread() is threading.main_thread():
        for s in _HELD:
            signal.signal(s, signal.SIG_IGN)


class Run:
    """One run of a command: the language its messages and output are in."""

    def __init__(self, explicit: LangChoice | str | None) -> None:
        self.explicit = explicit
        self.lang: Lang = pick_lang(explicit)

    def use_sop_language(self, sop_lang: str | None) -> Lang:
        """The SOP's ``community.language`` applies unless ``--lang`` was given."""
        self.lang = pick_lang(self.explicit, sop_lang)
        return self.lang


@contextmanager
def running(lang: LangChoice | str | None) -> Iterator[Run]:
    """Set the language (``--lang``, else the locale's; the SOP's once it is loaded) and turn
    :class:`SqopsError` into its message and exit code, Ctrl-C into 130, SIGTERM into 143 (both
    after every ``finally`` inside has run: no temporary file is left), a closed pipe into 0.

    At the end, with Ctrl-C and SIGTERM held off, the run removes the temporary copies of the
    tables it read (``sqops.data.spills``) itself, rather than leaving them to the garbage
    collector or the exit hook."""
    from sqops.data import spills
    from sqops.data.runtime import end_start

    end_start()  # (the collector, paused while the command line started: as it was)
    run = Run(lang)
    point = spills.mark()
    _received.clear()
    with _signals():
        try:
            yield run
        except SqopsError as exc:
            fail(exc, run.lang)
        except KeyboardInterrupt:
            echo(T("已中断", "interrupted").get(run.lang), err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Terminated:
            echo(T("已终止", "terminated").get(run.lang), err=True)
            raise typer.Exit(EXIT_TERMINATED) from None
        except BrokenPipeError:
            raise typer.Exit(0) from None
        except Exception as exc:
            if not _received:
                from sqops.cli.route import stdout_failed, stdout_failing

                if isinstance(exc, OSError) and stdout_failing(exc):  # (`>` onto a full disk)
                    fail(stdout_failed(exc), run.lang)
                raise
            # an interruption that native code turned into another exception
            if _received[0] is Terminated:
                echo(T("已终止", "terminated").get(run.lang), err=True)
                raise typer.Exit(EXIT_TERMINATED) from None
            echo(T("已中断", "interrupted").get(run.lang), err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        finally:
            _hold_signals()
            spills.remove_since(point)


def check_lint(loaded: Any, lang: str, force: bool, *, forced: T, refused: T) -> None:
    """An SOP with lint errors: its findings on stderr, then exit 1 (``refused``: what was not
    done) unless ``--force`` (``forced``: what is done anyway). ``sqops plan`` and ``sqops
    notify plan`` refuse the same way; both messages take ``{n}``, the number of errors."""
    from sqops.lint import FileResult, format_text, lint_loaded

    errors = [f for f in lint_loaded(loaded) if f.severity == "error"]
    if not errors:
        return
    for line, _sev in format_text([FileResult(errors[0].where.file or "", errors)], lang):
        echo(line, err=True)
    echo((forced if force else refused).format(n=len(errors)).get(lang), err=True)
    if not force:
        raise typer.Exit(EXIT_FINDINGS)


def parse_day(text: str, option: str) -> dt.date:
    """A date option (``--as-of``, ``--start``, ``--since``): ``YYYY-MM-DD``, ``YYYY/M/D``,
    ``YYYY.M.D`` or ``YYYY年M月D日`` (:func:`sqops.data.scalars.parse_date`)."""
    from sqops.data.scalars import parse_date

    day = parse_date(text)
    if day is not None:
        return day
    from sqops.errors import UsageError

    raise UsageError(
        T(
            "{o} “{v}” 不是日期：写成 YYYY-MM-DD，例如 2026-12-01",
            "{o} '{v}' is not a date: write YYYY-MM-DD, e.g. 2026-12-01",
        ).format(o=option, v=text)
    )


def spinner(text: str) -> Any:
    """rich's spinner with ``text`` on stderr (:class:`sqops.render.console.spinner`), or
    nothing when stderr is surely not a terminal to rich (a pipe or file without
    ``FORCE_COLOR``/``TTY_COMPATIBLE``, or ``CI``, where the spinner shows nothing): rich is
    then not imported (~30 ms of every ``sqops report`` written to a pipe or a file)."""
    import contextlib

    env = os.environ
    tty = env.get("TTY_COMPATIBLE", "")
    if env.get("CI") or tty == "0" or (tty != "1" and "FORCE_COLOR" not in env and not _atty()):
        return contextlib.nullcontext()
    from sqops.render.console import spinner as rich_spinner

    return rich_spinner(text)


def _atty() -> bool:
    try:
        return bool(sys.stderr.isatty())
    except (AttributeError, ValueError):
        return False
