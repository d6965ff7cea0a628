"""Writing what sqops produces: atomically, deterministically, and safe for spreadsheets."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
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
_INF = float("inf")


def _json_float(o: float) -> str:
    if o != o or o == _INF or o == -_INF:
        return "null"  # (json.dumps writes NaN / Infinity: not JSON)
    return float.__repr__(o)


def _json_key(k: object) -> str:
    if isinstance(k, str):
        return k
    if isinstance(k, float):  # (a key is a string: NaN / Infinity are fine there)
        if k != k:
            return "NaN"
        return "Infinity" if k == _INF else "-Infinity" if k == -_INF else float.__repr__(k)
    if k is True:
        return "true"
    if k is False:
        return "false"
    if k is None:
        return "null"
    if isinstance(k, int):
        return int.__repr__(k)
    raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")


def json_text(obj: object, default: Callable[[Any], Any] | None = None) -> str:
    """The text of ``json.dumps(obj, ensure_ascii=False, indent=2, default=default)``, fast.

    Two differences, both toward valid JSON: a float that is not finite is written ``null``
    (the standard library writes ``NaN`` / ``Infinity``, which JSON parsers refuse), and
    without ``default`` a few types it refuses (enums, UUIDs) are written by value.

    Without ``default`` the text comes from orjson (a report of thousands of groups is tens
    of megabytes: ~0.1 s instead of ~1.5 s), with the floats below 1e-4 in magnitude, which
    orjson spells differently, rewritten as Python spells them. What orjson will not write
    (integers past 64 bits, keys that are not strings, lone surrogates, nesting past 255
    levels) and every call with ``default`` take :func:`_json_text_python`. Both are checked
    against ``json.dumps`` in the tests.
    """
    if default is None:
        import orjson

        try:
            raw = orjson.dumps(
                obj,
                option=orjson.OPT_INDENT_2
                | orjson.OPT_PASSTHROUGH_DATETIME
                | orjson.OPT_PASSTHROUGH_DATACLASS,
            )
        except (orjson.JSONEncodeError, TypeError):
            pass
        else:
            return _python_floats(raw).decode("utf-8")
    return _json_text_python(obj, default)


_NUMBER = re.compile(rb"-?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?")


def _python_floats(raw: bytes) -> bytes:
    """orjson's indented JSON with the floats Python spells differently respelled.

    Only floats below 1e-4 in magnitude differ (orjson ``1e-7`` and ``0.00005``, Python
    ``1e-07`` and ``5e-05``), so only tokens containing ``e-`` or ``0.0000`` are looked at.
    With one value per line, a line whose last character (before a comma) is a digit ends
    with a number (strings end with a quote, and never contain a raw newline), and the
    number starts after the last space of the line.
    """
    spans: set[tuple[int, int]] = set()
    for marker in (b"e-", b"0.0000"):
        i = raw.find(marker)
        while i >= 0:
            end = raw.find(b"\n", i)
            end = len(raw) if end < 0 else end
            if raw[end - 1 : end] == b",":
                end -= 1
            start = max(raw.rfind(b" ", 0, i), raw.rfind(b"\n", 0, i)) + 1
            if _NUMBER.fullmatch(raw, start, end):
                spans.add((start, end))
            i = raw.find(marker, i + 1)
    if not spans:
        return raw
    out: list[bytes] = []
    pos = 0
    for start, end in sorted(spans):
        out += [raw[pos:start], _json_float(float(raw[start:end])).encode()]
        pos = end
    out.append(raw[pos:])
    return b"".join(out)


def _json_text_python(obj: object, default: Callable[[Any], Any] | None = None) -> str:
    """:func:`json_text` in Python: the same text as ``json.dumps(..., indent=2)``, about
    twice as fast.

    With ``indent`` the standard library encodes in pure Python, one generator per level;
    reports of thousands of groups are tens of megabytes of it. This builds the same text
    with one list of pieces, strings escaped by the library's C function. The result is
    checked against ``json.dumps`` in the tests (structures, floats, keys, subclasses).
    Containers must not contain themselves (not checked).
    """
    from json.encoder import encode_basestring as enc  # (the C version when available)

    parts: list[str] = []
    add = parts.append

    def scalar(o: Any) -> str | None:
        """The text of a scalar, or None for a container."""
        t = type(o)
        if t is str:
            return enc(o)
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if t is int:
            return int.__repr__(o)
        if t is float:
            return _json_float(o)
        if isinstance(o, dict | list | tuple):
            return None
        if isinstance(o, str):
            return enc(o)
        if isinstance(o, int):
            return int.__repr__(o)
        if isinstance(o, float):
            return _json_float(o)
        if default is None:
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")
        return None

    # (the dict and the list loops are written out apart on purpose: one loop over
    # (label, value) pairs for both was 20-40% slower on a 36 MB report)
    def write(o: Any, nl: str) -> None:
        inner = nl + "  "
        if isinstance(o, dict):
            if not o:
                add("{}")
                return
            sep = "{" + inner
            for k, v in o.items():
                head = sep + enc(k if type(k) is str else _json_key(k)) + ": "
                s = scalar(v)
                if s is None:
                    add(head)
                    write(v, inner)
                else:
                    add(head + s)
                sep = "," + inner
            add(nl + "}")
        elif isinstance(o, list | tuple):
            if not o:
                add("[]")
                return
            sep = "[" + inner
            for v in o:
                s = scalar(v)
                if s is None:
                    add(sep)
                    write(v, inner)
                else:
                    add(sep + s)
                sep = "," + inner
            add(nl + "]")
        else:  # not JSON: what ``default`` makes of it
            assert default is not None
            o = default(o)
            s = scalar(o)
            if s is None:
                write(o, nl)
            else:
                add(s)

    s = scalar(obj)
    if s is not None:
        return s
    write(obj, "\n")
    return "".join(parts)
