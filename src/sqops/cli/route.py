"""Where a command's output goes, in one place: the routing rule every command follows.

* ``--format`` given: that format. Not given: the suffix of ``-o`` (``.md``, ``.csv``, ``.ics``,
  ``.json``, ``.html`` ... as the command supports); an unknown suffix is a usage error.
* No ``-o``: stdout; the default format there is ``table`` (the rich view) where the command
  has one.
* ``-o DIR/`` (a path ending in ``/`` or an existing folder): one file per group, for the
  commands that write per group (``sqops plan``); ``sqops report --by ATTR``: one file per
  value of the attribute.
* The ``table`` format is for the terminal only; files are written atomically
  (:mod:`sqops.render.output`).
* ``-o`` is never one of the command's inputs (the same file by path or by inode: a link to
  an input counts; a folder input counts as the table files in it); a folder where a file is
  expected, a socket or a block device is a usage error; a device or a named pipe
  (``/dev/null``, a FIFO) is written as a stream, never replaced.

Used by ``plan``, ``report``, ``adherence``, ``schema`` and ``import --problems``; ``init``
takes its ``DIR/`` rule. Only the standard library and light sqops modules are imported here:
``sqops --help`` must stay fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqops.errors import UsageError
from sqops.i18n import T

TABLE = "table"

#: file suffix → format name (each command accepts those among its formats)
SUFFIX_FORMATS: dict[str, str] = {
    ".md": "md",
    ".markdown": "md",
    ".csv": "csv",
    ".ics": "ics",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
    ".xlsx": "xlsx",
}
#: formats that are bytes for a file, never text for a terminal
BINARY = frozenset({"xlsx"})


def is_dir_target(raw: str | Path) -> bool:
    """``-o DIR/``: an existing folder, or a path written with a trailing slash."""
    text = raw if isinstance(raw, str) else str(raw)
    return text.endswith(("/", "\\")) or Path(text).is_dir()


def _bytes(data: str | bytes) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


def _utf8_stdout() -> bool:
    """Whether text written to stdout reaches it as its UTF-8 bytes (a UTF-8 stream that
    translates no newline): text made as UTF-8 bytes is then written as they are, not
    decoded and encoded again (a report's 4.7 MB of JSON at 1 M messages: ~0.01 CPU-s)."""
    import codecs

    encoding = getattr(sys.stdout, "encoding", None)
    if not encoding or getattr(sys.stdout, "buffer", None) is None or os.linesep != "\n":
        return False
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _choices(formats: Sequence[str], sep: str, last: str) -> str:
    names = [f for f in formats if f != TABLE]
    return names[0] if len(names) == 1 else sep.join(names[:-1]) + last + names[-1]


def stdout_failing(exc: BaseException) -> bool:
    """Whether ``exc`` is standard output refusing what was printed to it (the terminal view,
    a summary): a write error — a full disk behind ``>``, ``/dev/full``, an I/O error — that
    names no file (every file sqops writes by name says which on failure:
    :func:`sqops.render.output.atomic_write_bytes`)."""
    import errno

    codes = {errno.ENOSPC, errno.EFBIG, errno.EIO, getattr(errno, "EDQUOT", errno.ENOSPC)}
    return (
        isinstance(exc, OSError)
        and not isinstance(exc, BrokenPipeError)
        and exc.errno in codes
        and exc.filename is None
    )


def stdout_failed(exc: OSError) -> UsageError:
    """Standard output could not take the output: the error names it (exit 2, not a
    traceback), and, when the process ends with the run (the program itself), what is still
    buffered for it is dropped — else the interpreter's end would try it again and add its
    own message and exit code. (A caller that goes on in the same process keeps its stdout.)"""
    import os

    from sqops.cli import common

    if common.PROCESS_ENDS_WITH_RUN:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):  # (no descriptor to point elsewhere)
            pass
    from sqops.errors import Location

    return UsageError(
        T("无法写入标准输出：{e}", "cannot write to standard output: {e}").format(
            e=exc.strerror or str(exc)
        ),
        Location(file="<stdout>"),
    )


@dataclass(frozen=True)
class Route:
    """Where to write and in which format: ``path`` None is stdout."""

    fmt: str
    path: Path | None = None
    per_group: bool = False
    #: the files the command reads, which it must not write (folders expanded)
    inputs: tuple[Path, ...] = field(default=(), compare=False, repr=False)

    @property
    def terminal(self) -> bool:
        """The rich view on stdout."""
        return self.fmt == TABLE

    @property
    def shown(self) -> str:
        """The target as the summary line shows it (``DIR/`` for a folder)."""
        if self.path is None:
            return "-"
        return self.path.as_posix() + ("/" if self.per_group else "")

    def write(self, data: str | bytes) -> None:
        """The whole output: to stdout, or atomically to the file."""
        if self.path is None:
            try:
                # (xlsx to a pipe; text made as UTF-8 bytes to a UTF-8 stdout: the bytes as is)
                if isinstance(data, bytes) and (self.fmt in BINARY or _utf8_stdout()):
                    sys.stdout.flush()
                    sys.stdout.buffer.write(data)
                    sys.stdout.buffer.flush()
                    return
                sys.stdout.write(data.decode("utf-8") if isinstance(data, bytes) else data)
                sys.stdout.flush()
            except BrokenPipeError:
                raise  # (the reader has gone: sqops.cli.common.running ends with 0)
            except OSError as exc:  # (a full disk behind `>`, /dev/full, an I/O error)
                raise stdout_failed(exc) from None
            return
        from sqops.render.output import atomic_write_bytes

        atomic_write_bytes(self.path, _bytes(data))

    def check_file(self, name: str) -> None:
        """Refuse a file of ``-o DIR/`` that is an input or not a file (before any is written)."""
        assert self.path is not None and self.per_group
        from sqops.render.output import check_output

        check_output(self.path / name, self.inputs)

    def write_file(self, name: str, data: str | bytes) -> None:
        """One file of ``-o DIR/``, atomically."""
        assert self.path is not None and self.per_group
        from sqops.render.output import atomic_write_bytes

        self.check_file(name)
        atomic_write_bytes(self.path / name, _bytes(data))


def input_files(inputs: Sequence[str | Path | None]) -> tuple[Path, ...]:
    """The files a command reads, from the paths it was given: a folder stands for the table
    files directly in it (``messages.csv``, ``orders.xlsx`` ...), what is None is left out."""
    from sqops.domain.tables import EXTENSIONS

    files: list[Path] = []
    for raw in inputs:
        if raw is None:
            continue
        p = Path(raw)
        if p.is_dir():
            try:
                files.extend(
                    sorted(f for f in p.iterdir() if f.suffix.lower() in EXTENSIONS and f.is_file())
                )
            except OSError:
                continue
        else:
            files.append(p)
    return tuple(files)


def route(
    fmt: str | None,
    output: str | Path | None,
    formats: Sequence[str],
    *,
    per_group: str | None = None,
    inputs: Sequence[str | Path | None] = (),
) -> Route:
    """Apply the routing rule for a command that writes ``formats``.

    ``fmt`` is ``--format`` (None when not given), ``output`` is ``-o`` (None: stdout, where
    the default is the first of ``formats``, ``table`` when the command has it),
    ``per_group`` the format of ``-o DIR/`` (None: the command writes one file only). A command with one file format takes any file name.
    ``inputs`` are the paths the command reads (files or folders, see :func:`input_files`):
    ``-o`` must not be one of them.
    Raises :class:`UsageError` (exit 2) when the format cannot be told or is ``table`` for a
    file, when ``-o`` is an input, or is not a file that can be written (a folder ...).
    """
    fmt = None if fmt is None else str(fmt)  # (a StrEnum's value)
    if output is None:  # (the inputs still guard what else the command writes: --lists ...)
        if fmt in BINARY and sys.stdout.isatty():
            raise UsageError(
                T(
                    "{f} 是二进制文件，不能显示在终端：请用 -o FILE.{f} 写入文件",
                    "{f} is a binary file, not for the terminal: write it with -o FILE.{f}",
                ).format(f=fmt)
            )
        return Route(fmt or formats[0], inputs=input_files(inputs))
    files = [f for f in formats if f != TABLE]
    chosen: str
    if per_group is not None and is_dir_target(output):
        chosen = fmt or per_group
        path, many = Path(output), True
    else:
        path, many = Path(output), False
        picked = fmt
        if picked is None:
            picked = files[0] if len(files) == 1 else None
        if picked is None:
            picked = SUFFIX_FORMATS.get(path.suffix.lower())
            if picked is None or picked not in formats:
                raise UsageError(
                    T(
                        "无法从 “{o}” 的后缀判断格式，请加 --format",
                        "cannot tell the format from '{o}'; add --format",
                    ).format(o=str(output))
                )
        chosen = picked
    if chosen == TABLE:
        what = "files" if per_group is not None else "a file"
        raise UsageError(
            T(
                f"table 只用于终端显示；写文件请选 {_choices(formats, '、', ' 或 ')}",
                f"table is for the terminal; to write {what} choose "
                + _choices(formats, ", ", " or "),
            )
        )
    sources = input_files(inputs)
    if not many:
        from sqops.render.output import check_output

        check_output(path, sources)
    return Route(chosen, path, many, sources)
