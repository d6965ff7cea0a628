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

#: the directional marks exporters add around names and line starts (LRM, RLM, the
#: embeddings, overrides and isolates) and the BOM. Not the zero-width joiner U+200D nor
#: U+200C: they are part of emoji sequences (👩🏻‍⚖️) and of words in some scripts.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff",
    ),
    None,
)


def clean(text: str) -> str:
    """Remove the directional marks and the BOM exporters add, turn exotic spaces into plain
    ones (NFC). Joiners (U+200C, U+200D) stay: they are part of the text."""
    if text.isascii():
        return text
    text = text.translate(_INVISIBLE)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060"), None)


def clean_name(text: str) -> str:
    """A name or a column header: :func:`clean`, and the zero-width characters removed too
    (a name is compared across an export, and exporters are not consistent with them)."""
    text = clean(text)
    return text if text.isascii() else text.translate(_ZERO_WIDTH)


# --------------------------------------------------------------------------- dates

#: a date as people write it (the head of every time format below too)
_DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
_DATE_RE = re.compile(rf"^\s*{_DATE}\s*$", re.ASCII)

#: the years a date or time may have: four digits, and a day left either side of the
#: calendar's end so that no offset, zone or window moves a time past year 9999 (the
#: vectorised parser :func:`sqops.data.tables.parse_ts` keeps the same bounds)
MIN_YEAR, MAX_YEAR = 1000, 9998

#: the largest UTC offset a time may carry (Kiribati's +14:00; the lowest in use is -12:00)
MAX_OFFSET = timedelta(hours=14)


def parse_date(text: str) -> _dt.date | None:
    """A calendar date as people write one: ``2026-10-01``, ``2026/10/1``, ``2026.10.1`` or
    ``2026年10月1日`` (spaces around it ignored); None when it is not a valid date."""
    m = _DATE_RE.match(text)
    if not m:
        return None
    year = int(m.group(1))
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return _dt.date(year, int(m.group(2)), int(m.group(3)))
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


_EPOCH_RE = re.compile(r"\d{9,13}\.\d+", re.ASCII)
_TS_RE = re.compile(
    rf"^{_DATE}"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$",
    re.IGNORECASE | re.ASCII,
)


def parse_ts(text: str, tz: tzinfo) -> datetime | None:
    """A timestamp as exports write it → an aware datetime, or None.

    ISO 8601 with or without offset (``T`` or space), ``YYYY/M/D H:MM[:SS]``, ``2026年12月1日``,
    a trailing ``+0800``/``Z``, or epoch seconds / milliseconds. Naive times are in ``tz``.
    Digits are ASCII digits (not ``¹⁷⁹⁰…`` nor ``１７９０…``), years have four digits between
    :data:`MIN_YEAR` and :data:`MAX_YEAR`, offsets are at most :data:`MAX_OFFSET` with
    minutes below 60; anything else is None.
    """
    s = clean(text).strip()
    if not s:
        return None
    if (s.isascii() and s.isdigit()) or _EPOCH_RE.fullmatch(s):
        return from_epoch(float(s), tz) if 9 <= len(s.split(".")[0]) <= 13 else None
    if len(s) >= 16 and s[4] == "-" and s[10] in "T " and s.isascii():
        try:  # the common case, fast: 2026-12-01 20:15:03[.123][+08:00]
            dt = datetime.fromisoformat(s)
        except ValueError:
            pass
        else:
            if dt.tzinfo is None:
                return _local(dt, tz) if MIN_YEAR <= dt.year <= MAX_YEAR else None
            return dt if _in_range(dt, s) else None
    m = _TS_RE.match(s)
    if not m:
        return None
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    if not MIN_YEAR <= int(y) <= MAX_YEAR:
        return None
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
    if int(digits[2:]) >= 60:
        return None
    delta = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    if delta > MAX_OFFSET:
        return None
    return dt.replace(tzinfo=timezone(sign * delta))


_OFF_MINUTES = re.compile(r"[+-]\d{2}:?(\d{2})$", re.ASCII)


def _in_range(dt: datetime, text: str) -> bool:
    """An aware time (read from ``text``) whose year and UTC offset are within the bounds
    :func:`parse_ts` reads (``fromisoformat`` takes ``+05:60`` for ``+06:00``)."""
    off = dt.utcoffset()
    m = _OFF_MINUTES.search(text)
    return (
        MIN_YEAR <= dt.year <= MAX_YEAR
        and off is not None
        and abs(off) <= MAX_OFFSET
        and off.seconds % 60 == 0
        and (m is None or int(m.group(1)) < 60)
    )


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


#: a wall-clock time in a zone, as :func:`parse_ts` reads a naive time (the importers'
#: vectorised reading hands it the times outside the range its zone data is checked for)
local_time = _local


def from_epoch(value: float, tz: tzinfo) -> datetime | None:
    """Epoch seconds or milliseconds (values above 10^11 are milliseconds) in ``tz``."""
    if value > 1e11:
        value /= 1000.0
    try:
        return datetime.fromtimestamp(value, tz)
    except (OverflowError, OSError, ValueError):
        return None


def epoch_value(value: object, tz: tzinfo) -> datetime | None:
    """An epoch time as a JSON or CSV export stores it — a number, or ASCII digits (never
    ``¹⁷⁹⁰…`` or ``１７９０…``, which ``str.isdigit`` accepts and ``float`` refuses or
    reads) — in ``tz``; None for anything else or a time outside the calendar."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not (value.isascii() and value.isdigit()) or len(value) > 20:
            return None
        value = int(value)
    if not isinstance(value, int | float):
        return None
    try:
        return from_epoch(float(value), tz)
    except OverflowError:  # an int too large for a float
        return None


def ts_text(dt: datetime) -> str:
    """The ISO 8601 text written in ``ts``: local time with its UTC offset; in UTC (``Z``)
    when that offset is not a whole number of minutes (the local mean time zones give to
    dates before standard time: Shanghai's ``+08:05:43`` in 1890), which no table reader
    takes as an offset."""
    timespec = "seconds" if dt.microsecond == 0 else "milliseconds"
    off = dt.utcoffset()
    if off is not None and off.total_seconds() % 60:
        return dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec) + "Z"
    return dt.isoformat(timespec=timespec)


# --------------------------------------------------------------------------- amounts

#: what an amount is once its currency and thousands separators are gone: ASCII digits with
#: an optional sign, decimals and exponent (``1.2E+3``, as spreadsheets write big numbers);
#: not ``１２``. The vectorised cast in :mod:`sqops.data.tables` reads the same (a test
#: checks they agree); ``inf``, ``NaN`` and ``1e999`` are refused by :data:`MAX_AMOUNT`.
AMOUNT_PATTERN = r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"
_AMOUNT = re.compile(AMOUNT_PATTERN)

#: amounts at or above this (in absolute value) are not amounts (``bad_amount``): no order
#: is a trillion, and past it a float no longer holds the cents of a sum of many
MAX_AMOUNT = 1e12


def parse_amount(text: str) -> float | None:
    """``¥1,299.00`` / ``￥88`` / ``1299元`` / ``CNY 12.5`` / ``$9.99`` → a float, or None
    (also for ``inf``, ``NaN``, ``1e999`` and amounts of :data:`MAX_AMOUNT` or more)."""
    s = clean(text).strip()
    for token in ("¥", "￥", "元", "RMB", "CNY", "USD", "$", "€", "£", ",", "，", " "):
        s = s.replace(token, "")
    if not _AMOUNT.match(s):
        return None
    value = float(s)
    return value if abs(value) < MAX_AMOUNT else None
