"""Writing what sqops produces: atomically, deterministically, and safe for spreadsheets."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

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
