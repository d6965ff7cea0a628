"""Writing what sqops produces: atomically, deterministically, and safe for spreadsheets."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqops.errors import Location, UsageError
from sqops.i18n import T

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(value: object) -> str:
    """A cell value that Excel and LibreOffice will show as text, never run as a formula.

    Cells starting with ``= + - @`` (or tab / carriage return) get a leading apostrophe,
    the OWASP-recommended neutralisation. Plain negative numbers stay numbers.
    """
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_START):
        if text[0] in "+-":
            try:
                float(text)
                return text
            except ValueError:
                pass
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV as Excel on Chinese Windows opens it correctly: UTF-8 BOM, CRLF, neutralised cells."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([excel_safe(h) for h in header])
    for row in rows:
        writer.writerow([excel_safe(v) for v in row])
    return buf.getvalue()


def atomic_write_bytes(path: str | Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.
    ``data``: the bytes, or an iterable of them (written as they come: a file larger than
    memory, e.g. an import's spilled table).

    What ``path`` is decides how (:func:`output_kind`): a regular file (or none yet) is
    replaced atomically, through a symbolic link to the file it points to; a character device
    or a named pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is written as a stream and never
    replaced; a folder or any other kind is a :class:`UsageError`. A failed write (a full
    disk, a read-only folder) is a :class:`UsageError` too, and leaves the previous file as it
    was and no temporary file behind, as does an interruption at any moment (Ctrl-C, SIGTERM).
    """
    target = Path(path)
    if output_kind(target) == "stream":
        _stream_write(target, data)
        return
    if target.is_symlink():  # replace the file the link points to, not the link
        target = Path(os.path.realpath(target))
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    mode = _mode_for(target)
    # the temporary name is known before the file exists, and everything from its creation to
    # the rename is inside one ``try``: whenever an interruption comes (Ctrl-C, SIGTERM), the
    # handler removes what was created (mkstemp's name is lost if it comes as mkstemp returns)
    tmp: Path | None = None
    try:
        while True:
            tmp = parent / f".{target.name}.{os.urandom(6).hex()}.tmp"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC, 0o600)
            except FileExistsError:
                tmp = None  # (someone else's: leave it)
                continue
            break
        with os.fdopen(fd, "wb") as fh:
            # created 0600; give the result the mode a plain open() would (0666 less the
            # umask), or keep the mode of the file it replaces
            os.fchmod(fh.fileno(), mode)
            for chunk in _chunks(data):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(target, exc) from exc
        raise


_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def output_kind(path: str | Path) -> str:
    """How an output path is written: ``"file"`` (a regular file, or nothing there yet: written
    atomically) or ``"stream"`` (a character device or a named pipe: written in place).
    Raises :class:`UsageError` for a folder and any other kind (a socket, a block device)."""
    target = Path(path)
    try:
        st = target.stat()
    except OSError:
        return "file"  # nothing there (or a dangling link): a new file
    if stat.S_ISREG(st.st_mode):
        return "file"
    if stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        return "stream"
    if stat.S_ISDIR(st.st_mode):
        text = T(
            "这是一个文件夹；请给出要写入的文件名", "is a folder; give the name of a file to write"
        )
    else:
        text = T(
            "不是普通文件（也不是设备或管道），不能写入",
            "is not a regular file (nor a device or a pipe); cannot write to it",
        )
    raise UsageError(text, Location(file=target.as_posix()))


def _chunks(data: bytes | Iterable[bytes]) -> Iterable[bytes]:
    return (data,) if isinstance(data, bytes) else data


def _stream_write(target: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a device or a pipe as it is: opened for writing, never created or replaced."""
    try:
        fd = os.open(target, os.O_WRONLY | _O_CLOEXEC)
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    try:
        for chunk in _chunks(data):
            view = memoryview(chunk)
            while view:
                view = view[os.write(fd, view) :]
    except OSError as exc:
        raise _cannot_write(target, exc) from exc
    finally:
        os.close(fd)


def _cannot_write(target: Path, exc: OSError) -> UsageError:
    return UsageError(
        T("无法写入：{e}", "cannot write: {e}").format(e=exc.strerror or str(exc)),
        Location(file=target.as_posix()),
    )


def same_file(a: str | Path, b: str | Path) -> bool:
    """``a`` and ``b`` are one file: the same resolved path, or the same device and inode (a
    symbolic or hard link to it). False when either does not exist yet."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.resolve() == pb.resolve():
            return True
        sa, sb = pa.stat(), pb.stat()
    except (OSError, RuntimeError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def check_output(target: str | Path, inputs: Iterable[str | Path]) -> str:
    """Before writing ``target``: a :class:`UsageError` when it is one of ``inputs``
    (:func:`refuse_input`) or cannot be written (:func:`output_kind`), else its kind."""
    refuse_input(target, inputs)
    return output_kind(target)


def refuse_input(target: str | Path, inputs: Iterable[str | Path]) -> None:
    """A :class:`UsageError` when writing ``target`` would overwrite one of ``inputs``."""
    for source in inputs:
        if same_file(target, source):
            t, s = Path(target).as_posix(), Path(source).as_posix()
            raise UsageError(
                T(
                    "输出 {t} 就是输入文件 {s}：写入会覆盖它；请换一个输出文件名",
                    "the output {t} is the input {s}: writing would overwrite it; "
                    "choose another output name",
                ).format(t=t, s=s),
                Location(file=t),
            )


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


# ---------------------------------------------------------------- JSON
def json_bytes(obj: object, default: Callable[[Any], Any] | None = None) -> bytes:
    """``obj`` as indented JSON (two spaces, UTF-8, members in their order), by orjson.

    A float is spelled the shortest way that reads back to it (``0.25``, ``1e-7``,
    ``0.00005``, ``1e+16``); one that is not finite is written ``null`` (JSON has no NaN or
    Infinity). Dates, times and dataclasses are left to ``default`` (e.g. ``str``), as with
    ``json.dumps``; without one they are an error (``TypeError``).

    The few documents orjson refuses are written by the standard library, in the same layout:
    an integer past 64 bits (an SOP's ``vars`` may hold one), a key that is not a string,
    nesting past 255 levels.
    """
    import orjson

    try:
        return orjson.dumps(
            obj,
            default=default,
            option=orjson.OPT_INDENT_2
            | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS,
        )
    except orjson.JSONEncodeError:
        return _json_bytes_stdlib(obj, default)


def json_text(obj: object, default: Callable[[Any], Any] | None = None) -> str:
    """:func:`json_bytes` as text."""
    return json_bytes(obj, default).decode("utf-8")


def _json_bytes_stdlib(obj: object, default: Callable[[Any], Any] | None) -> bytes:
    import json
    import math

    def finite(o: Any) -> Any:  # (json.dumps writes NaN / Infinity: not JSON)
        if isinstance(o, float):
            return o if math.isfinite(o) else None
        if isinstance(o, dict):
            return {k: finite(v) for k, v in o.items()}
        if isinstance(o, list | tuple):
            return [finite(v) for v in o]
        return o

    return json.dumps(finite(obj), ensure_ascii=False, indent=2, default=default).encode("utf-8")


# ---------------------------------------------------------------- file names
#: names Windows keeps for devices, with any extension: a file ``con.md`` cannot be made there
_WINDOWS_DEVICES = frozenset(
    [
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{i}" for i in range(1, 10)),
        *(f"lpt{i}" for i in range(1, 10)),
    ]
)


def file_stem(text: str, limit: int = 80) -> str:
    """A file name (without suffix) for one group's, person's or value's file under
    ``-o DIR/``: letters and digits (Chinese too), ``_``, ``.`` and ``-`` kept, anything else
    ``_``; at most ``limit`` characters; never hidden (a leading ``.``), never ending in a dot
    or space, never a Windows device name (``con``, ``nul``, ``com1`` …: ``_con``). Two
    names that differ only in case are one file on Windows and macOS: compare them with
    ``casefold()`` before writing."""
    name = re.sub(r"[^\w.\-]", "_", text)[:limit].rstrip(". ")
    if not name or name.startswith("."):
        name = "_" + name
    if name.split(".")[0].casefold() in _WINDOWS_DEVICES:
        name = "_" + name
    return name
