"""Errors a user can cause, each with a message written for them in zh and en.

Every error that reaches the CLI is a :class:`SqopsError`; the CLI prints
``file:line:col: message`` (or ``file: row N``/``key``) and exits with ``exit_code`` (2: could
not run). Library code raises these and never prints.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqops.i18n import T


@dataclass(frozen=True, slots=True)
class Location:
    """Where a problem is: a file and, when known, a line/column, a data row or a key path."""

    file: str | None = None
    line: int | None = None  # 1-based
    col: int | None = None  # 1-based
    row: int | None = None  # 1-based data row (header excluded)
    key: str | None = None  # dotted key path, e.g. cadence.daily[0].time

    def render(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        text = ":".join(parts)
        extra = []
        if self.row is not None:
            extra.append(f"row {self.row}")
        if self.key and self.line is None:
            extra.append(self.key)
        if extra:
            text = f"{text}: {', '.join(extra)}" if text else ", ".join(extra)
        return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, located. Errors carry one or more of these."""

    text: T
    where: Location = field(default_factory=Location)
    code: str = "error"

    def render(self, lang: str) -> str:
        loc = self.where.render()
        msg = self.text.get(lang)
        return f"{loc}: {msg}" if loc else msg


class SqopsError(Exception):
    """Base of every error sqops reports to a user. ``exit_code`` 2 = could not run."""

    exit_code = 2

    def __init__(self, text: T | str, where: Location | None = None, *, problems=None):
        if isinstance(text, str):
            text = T(text, text)
        self.text = text
        self.where = where or Location()
        self.problems: list[Problem] = list(problems) if problems else [Problem(text, self.where)]
        super().__init__(self.render("en"))

    def render(self, lang: str) -> str:
        return "\n".join(p.render(lang) for p in self.problems)


class UsageError(SqopsError):
    """Options that do not fit together, a path that does not exist, ..."""


class InputError(SqopsError):
    """A file we were given could not be read: encoding, size, syntax."""


class SopError(SqopsError):
    """The SOP file is invalid (YAML or model). ``problems`` lists every one found."""


class TemplateError(SqopsError):
    """A script template failed to compile or render."""


class DataError(SqopsError):
    """A data table is unusable: missing column, no valid row, unreadable."""


class EngineError(SqopsError):
    """A distributed run failed: Dask not installed, its scheduler not reachable or without
    workers, a worker that died, a task that raised (``sqops.report.engine``)."""


_CHUNK = 1 << 24  # 16 MiB


def read_bytes(path: str | Path, display: str, max_bytes: int, limit_text: T) -> bytes:
    """A file's bytes, refusing one over ``max_bytes``; every failure an :class:`InputError`
    naming ``display`` (file not found, a folder, unreadable, too large: ``limit_text``).

    The bound holds for any kind of file: at most ``max_bytes + 1`` bytes are read, so a
    device or a pipe (``/dev/zero``, whose size says 0) is refused, not read forever."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_size > max_bytes:  # (a large file: not read at all)
                raise InputError(limit_text, Location(file=display))
            # in chunks, at most the bound and one byte: a device's or a pipe's size says
            # nothing (``/dev/zero``: 0), and one read of the whole bound would reserve it all
            # at once; a regular file is read in one piece of its size
            want = st.st_size + 1 if stat.S_ISREG(st.st_mode) and st.st_size else _CHUNK
            chunks: list[bytes] = []
            total = 0
            while total <= max_bytes:
                chunk = fh.read(min(want, max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                want = _CHUNK
            data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    except FileNotFoundError:
        raise InputError(T("文件不存在", "file not found"), Location(file=display)) from None
    except IsADirectoryError:
        raise InputError(
            T("这是一个目录，不是文件", "is a directory, not a file"), Location(file=display)
        ) from None
    except OSError as exc:
        raise InputError(
            T("无法读取：{e}", "cannot read: {e}").format(e=exc.strerror or exc),
            Location(file=display),
        ) from None
    if len(data) > max_bytes:
        raise InputError(limit_text, Location(file=display))
    return data


def display_path(path: str | Path) -> str:
    """A path as the user typed it (relative stays relative), with forward slashes."""
    return Path(path).as_posix()


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The choice closest to a mistyped ``word`` (for a "did you mean …?" hint), if any."""
    import difflib  # (only when something was mistyped: not on every start)

    matches = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None
