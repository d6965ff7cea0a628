"""Writing what sqops produces: atomically, deterministically, and safe for spreadsheets."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import tempfile
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


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(
            T("无法写入 {p}：{e}", "cannot write {p}: {e}").format(p=target, e=exc.strerror),
            Location(file=str(target)),
        ) from exc
    try:
        # mkstemp creates 0600 files; give the result the mode a plain open() would
        # (0666 less the umask), or keep the mode of the file it replaces
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


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
