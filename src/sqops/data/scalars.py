"""The scalar parsers: one value of text at a time → a date, a time, an amount.

These read what people and exports write, one cell at a time (importers, option values,
groups CSVs). The vectorised parser of whole columns, :func:`sqops.data.tables.parse_ts`,
accepts the same time formats (a test checks the two agree). Pure Python: imported on the
``sqops lint`` path.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqops.errors import UsageError
from sqops.i18n import T

# --------------------------------------------------------------------------- text

_INVISIBLE = dict.fromkeys(
    map(ord, "\u200e\u200f\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e"), None
)


def clean(text: str) -> str:
    """Remove bidi/zero-width marks and turn exotic spaces into plain ones (NFC)."""
    if text.isascii():
        return text
    text = text.translate(_INVISIBLE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")


# --------------------------------------------------------------------------- dates

#: a date as people write it (the head of every time format below too)
_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_DATE_RE = re.compile(rf"^\s*{_DATE}\s*$")


def parse_date(text: str) -> _dt.date | None:
    """A calendar date as people write one: ``2026-10-01``, ``2026/10/1``, ``2026.10.1`` or
    ``2026年10月1日`` (spaces around it ignored); None when it is not a valid date."""
    m = _DATE_RE.match(text)
    if not m:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# --------------------------------------------------------------------------- time


def get_tz(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            T(
                "未知的时区 “{z}”（例如 Asia/Shanghai）",
                "unknown time zone '{z}' (e.g. Asia/Shanghai)",
            ).format(z=name)
        ) from None


_EPOCH_RE = re.compile(r"\d{9,13}\.\d+")
_TS_RE = re.compile(
    rf"^{_DATE}"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$",
    re.IGNORECASE,
)


def parse_ts(text: str, tz: tzinfo) -> datetime | None:
    """A timestamp as exports write it → an aware datetime, or None.

    ISO 8601 with or without offset (``T`` or space), ``YYYY/M/D H:MM[:SS]``, ``2026年12月1日``,
    a trailing ``+0800``/``Z``, or epoch seconds / milliseconds. Naive times are in ``tz``.
    """
    s = clean(text).strip()
    if not s:
        return None
    if s.isdigit() or _EPOCH_RE.fullmatch(s):
        return from_epoch(float(s), tz) if 9 <= len(s.split(".")[0]) <= 13 else None
    if len(s) >= 16 and s[4] == "-" and s[10] in "T ":
        try:  # the common case, fast: 2026-12-01 20:15:03[.123][+08:00]
            dt = datetime.fromisoformat(s)
        except ValueError:
            pass
        else:
            return dt if dt.tzinfo is not None else _local(dt, tz)
    m = _TS_RE.match(s)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        dt = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0), micro)
    except ValueError:
        return None
    if off is None:
        return _local(dt, tz)
    off = off.upper()
    if off in ("Z", "UTC", "GMT"):
        return dt.replace(tzinfo=UTC)
    sign = 1 if off[0] == "+" else -1
    digits = off[1:].replace(":", "")
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.replace(tzinfo=timezone(sign * delta))


def _local(wall: datetime, tz: tzinfo) -> datetime | None:
    """A wall-clock time in ``tz``; None when the zone skips it (the hour clocks jump over
    when summer time starts), as the vectorised parser says too. A time the zone passes
    twice is its first occurrence."""
    aware = wall.replace(tzinfo=tz)
    try:
        back = aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    except (OverflowError, ValueError):  # year 1 or 9999 moved past the calendar's ends
        return None
    return aware if back == wall else None


def from_epoch(value: float, tz: tzinfo) -> datetime | None:
    """Epoch seconds or milliseconds (values above 10^11 are milliseconds) in ``tz``."""
    if value > 1e11:
        value /= 1000.0
    try:
        return datetime.fromtimestamp(value, tz)
    except (OverflowError, OSError, ValueError):
        return None


def ts_text(dt: datetime) -> str:
    """The ISO 8601 text written in ``ts``: local time with its UTC offset."""
    return dt.isoformat(timespec="seconds" if dt.microsecond == 0 else "milliseconds")


# --------------------------------------------------------------------------- amounts

_AMOUNT = re.compile(r"^[-+]?\d+(?:\.\d+)?$")


def parse_amount(text: str) -> float | None:
    """``¥1,299.00`` / ``￥88`` / ``1299元`` / ``CNY 12.5`` / ``$9.99`` → a float, or None."""
    s = clean(text).strip()
    for token in ("¥", "￥", "元", "RMB", "CNY", "USD", "$", "€", "£", ",", "，", " "):
        s = s.replace(token, "")
    if not _AMOUNT.match(s):
        return None
    return float(s)
