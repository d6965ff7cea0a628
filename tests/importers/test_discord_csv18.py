"""The DiscordChatExporter CSV of session 18 (disc7): joins, system texts, calls and
attachment-only rows are messages of the bulk frame (a join's member event added before its
message, in the sequence), the common ISO dates are read from their bytes by numpy, and an
export of ISO dates does without the WhatsApp reader's date code — the same tables, counts
and problems as the per-row reading and as ``with_iso_stamp``."""

from __future__ import annotations

import contextlib
import csv
import io
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _import_checks import same_import
from sqops.errors import SqopsError
from sqops.importers import _jsonvec as vec
from sqops.importers import discord, import_files
from sqops.importers._base import Context, read_text

_HEADER = ["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"]


def _csv(rows: list[list[str]], header: list[str] = _HEADER) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _bulk_and_slow(monkeypatch, path: Path, **kw):
    """(the bulk reading, the per-row reading, messages the bulk reading added one by one)."""
    ctx = Context(tz=ZoneInfo(kw.get("tz", "Asia/Shanghai")))
    with contextlib.suppress(SqopsError):
        discord.read(path, path.name, ctx, name="discord")
    fast = _run(path, **kw)
    with monkeypatch.context() as m:
        m.setattr(discord, "csv_frames", lambda path, display, **_: read_text(path, display))
        slow = _run(path, **kw)
    return fast, slow, len(ctx.rows["messages"])


def _run(path: Path, **kw):
    """The import's result, or its error (the message and the problems it lists)."""
    try:
        return import_files("discord", [path], **kw)
    except SqopsError as exc:
        return ("error", str(exc), [(str(p.where), p.text.get("en")) for p in exc.problems])


def _same(fast, slow) -> None:
    """:func:`same_import`, a table spilled under a memory limit read back (one reading may
    spill what the other holds: the same rows either way)."""
    if isinstance(fast, tuple) or isinstance(slow, tuple):
        assert fast == slow
        return
    names = sorted({*fast.tables, *fast.spilled})
    assert names == sorted({*slow.tables, *slow.spilled})
    for name in names:
        assert fast.table(name).equals(slow.table(name)), name
        assert fast.table(name).schema == slow.table(name).schema, name
    if not fast.spilled and not slow.spilled:
        same_import(fast, slow)
    else:
        assert fast.counts == slow.counts
        assert [(x.code, str(x.where), x.text.get("en")) for x in fast.problems] == [
            (x.code, str(x.where), x.text.get("en")) for x in slow.problems
        ]
    fast.close()
    slow.close()


# ---------------------------------------------------------------- notices in the bulk frame


def test_notices_and_attachments_are_bulk_messages(monkeypatch, tmp_path):
    """Joins (padded too), pins, a thread, a call, a call's start that is no notice, and
    attachment-only rows (a blank content, the first attachment's type) are messages of the
    bulk frame: no message is added one by one (on main, each of these rows was), and the
    tables are the per-row reading's, the join's member event with the full Author cell."""
    rows = [
        ["1", "ana#0001", "2026-12-20T10:00:00.123+08:00", "hi", "", ""],
        ["2", "lin#0002", "2026-12-20T10:00:01.000+08:00", " Joined the server. ", "", ""],
        ["3", "ben", "2026-12-20T10:00:02.500+08:00", "", "https://cdn/a.PNG?x=1,b.mp4", ""],
        ["3", "ben", "2026-12-20T10:00:03.500+08:00", "  ", " , v.ogg", ""],
        ["1", "ana#0001", "2026-12-20T10:00:04.500+08:00", "Pinned a message.", "", ""],
        ["1", "ana#0001", "2026-12-20T10:00:05.500+08:00", "Started a thread.", "", ""],
        ["4", "kai", "2026-12-20T10:00:06.500+08:00", "Started a call that lasted 3 minutes.", "", ""],
        ["4", "kai", "2026-12-20T10:00:07.500+08:00", "Started a call", "", ""],
        ["5", "", "2026-12-20T10:00:08.500+08:00", "", "f.zip", ""],
        ["2", "lin#0002", "2026-12-20T10:00:09.500+08:00", "Joined the server.", "", ""],
    ]  # fmt: skip
    p = tmp_path / "chan.csv"
    p.write_text(_csv(rows), encoding="utf-8")
    fast, slow, one_by_one = _bulk_and_slow(monkeypatch, p, tz="Asia/Shanghai")
    same_import(fast, slow)
    assert one_by_one == 0
    m = fast.tables["messages"]
    assert m.select("member_id", "member_name", "msg_type", "content", "role").rows() == [
        ("1", "ana", "text", "hi", None),
        ("system", None, "system", "GuildMemberJoin", "bot"),
        ("3", "ben", "image", None, None),
        ("3", "ben", "voice", "  ", None),
        ("system", None, "system", "Pinned a message.", "bot"),
        ("system", None, "system", "Started a thread.", "bot"),
        ("system", None, "system", "Started a call that lasted 3 minutes.", "bot"),
        ("4", "kai", "text", "Started a call", None),
        ("5", None, "file", None, None),
        ("system", None, "system", "GuildMemberJoin", "bot"),
    ]
    joins = fast.tables["members"].select("member_id", "member_name", "event", "ts").rows()
    assert joins == [
        ("2", "lin#0002", "join", "2026-12-20T10:00:01+08:00"),
        ("2", "lin#0002", "join", "2026-12-20T10:00:09.500+08:00"),
    ]
    assert fast.counts["notices"] == 2


def test_join_event_takes_its_sequence_number_before_its_message(monkeypatch, tmp_path):
    """The member event of a join takes the sequence number before its message, between the
    messages before and after it (as the per-row code numbers them), with a row read one by
    one (a culture date) and a skipped one (no AuthorID) in between; under a memory limit
    (each run added as its own frame) too."""
    rows = [
        ("1", "2026-12-20T10:00:00.123+08:00", "a"),
        ("2", "2026-12-20T10:00:01.000+08:00", "Joined the server."),
        ("1", "20/12/2026 10:02", "b"),
        ("", "2026-12-20T10:00:03.000+08:00", "c"),
        ("3", "2026-12-20T10:00:04.000+08:00", "Joined the server."),
        ("1", "2026-12-20T10:00:05.000+08:00", "d"),
    ]
    p = tmp_path / "chan.csv"
    p.write_text(_csv([[aid, "ana", date, text] for aid, date, text in rows]), encoding="utf-8")
    event = Context.member_event
    seen: list[tuple[str, int]] = []

    def numbered(self, **fields):
        event(self, **fields)
        seen.append(("event", self._seq))

    for kw in ({}, {"memory_limit": 1}):
        seen.clear()
        with monkeypatch.context() as m:
            m.setattr(Context, "member_event", numbered)
            fast = import_files("discord", [p], tz="Asia/Shanghai", **kw)
        # messages 1 (a), 3 (join), 4 (b, one by one), 6 (join), 7 (d); events 2 and 5
        assert seen == [("event", 2), ("event", 5)]
        with monkeypatch.context() as m:
            m.setattr(discord, "csv_frames", lambda path, display, **_: read_text(path, display))
            slow = import_files("discord", [p], tz="Asia/Shanghai", **kw)
        assert [x.where.line for x in fast.problems] == [5]
        _same(fast, slow)


_CONTENTS = ["hi", "", "  ", "\u3000", "Joined the server.", " Joined the server.\n",
             "joined the server.", "Pinned a message.", "Added a recipient.", "Started a call",
             "Started a call that lasted 12 minutes.", "Started a call that lasted 1 minute. x",
             "GuildMemberJoin", "\x1cPinned a message.", "a\r\nb", 'say "x", y']  # fmt: skip
_ATTACHMENTS = ["", "a.png", "x.JPEG,b.mp4", " , ", "v.ogg?x=1", "f.zip", ",z.gif", "s.\u212akv"]
_ROW = st.tuples(
    st.sampled_from(["1", "2", " 3 ", "", " "]),
    st.sampled_from(["ana", "lin#0001", "", "#t", " ben "]),
    st.sampled_from(
        ["2026-12-20T10:00:00.123+08:00", "2026-12-20T10:00:00.000+00:00", "2026-12-20 10:00",
         "12/20/2026 10:00 AM", "bad", "2026-12-20T10:00:60.000+08:00"]
    ),
    st.sampled_from(_CONTENTS),
    st.sampled_from(_ATTACHMENTS),
    st.integers(1, 9),
)  # fmt: skip


@pytest.mark.fuzz
@settings(max_examples=120, deadline=None)
@given(
    st.lists(_ROW, min_size=1, max_size=30),
    st.sampled_from([{}, {"group_id": "G", "self_name": "ana"}, {"memory_limit": 1}]),
)
def test_notices_in_bulk_are_the_per_row_reading(tmp_path_factory, rows, kw):
    """Random exports of notices, attachment-only rows, blank and odd contents, short rows,
    rows without AuthorID and odd dates (every row ISO, some, or none): the bulk reading is
    the per-row one, with ``--group-id``/``--self-name`` and under a memory limit."""
    p = tmp_path_factory.mktemp("d18") / "chan.csv"
    p.write_text(_csv([[*r[:5], ""][: r[5]] for r in rows]), encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        fast, slow, _ = _bulk_and_slow(mp, p, tz="Europe/London", **kw)
    _same(fast, slow)


# ---------------------------------------------------------------- dates read from their bytes

_YEARS = ["0000", "0001", "0004", "1900", "1969", "1970", "2000", "2024", "2026", "2100",
          "9998", "9999"]  # fmt: skip
_COMMON = st.tuples(
    st.sampled_from(_YEARS),
    st.sampled_from(["00", "01", "02", "04", "09", "12", "13", "99"]),
    st.sampled_from(["00", "01", "28", "29", "30", "31", "32"]),
    st.sampled_from(["00", "09", "23", "24"]),
    st.sampled_from(["00", "30", "59", "60"]),
    st.sampled_from(["00", "07", "59", "60", "61"]),
    st.sampled_from(["000", "001", "500", "999"]),
    st.sampled_from(["+", "-"]),
    st.sampled_from(["00", "05", "08", "13", "14", "15", "99"]),
    st.sampled_from(["00", "01", "30", "45", "59", "60"]),
)


def _common(p: tuple[str, ...]) -> str:
    y, mo, d, h, mi, s, f, sign, oh, om = p
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}.{f}{sign}{oh}:{om}"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_COMMON, st.booleans()), min_size=1, max_size=40),
    st.sampled_from(["Asia/Shanghai", "UTC"]),
    st.sampled_from([1, 3, 1 << 16]),
)
def test_dates_from_their_bytes_are_with_iso_stamp(rows, zone, block):
    """Texts of the common form with years 0 to 9999 (leap years by 4, 100 and 400), months,
    days, hours, minutes and seconds in range or past it, a second 60, offsets from -99:60
    to +99:60: ``common_iso_stamp`` (read from the bytes, in blocks of ``block`` texts) gives
    ``with_iso_stamp``'s frame — the microseconds (null where polars' strptime reads no
    date), ``ts``, ``_odd`` and ``_t``."""
    texts = [_common(p) for p, _ in rows]
    frame = pl.DataFrame({"when": texts, "_odd": [o for _, o in rows]})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(discord, "_ISO_ROWS", block)
        assert discord._common_iso(frame["when"]) is not None
        got = discord.common_iso_stamp(frame, "when", zone)
    assert got.equals(vec.with_iso_stamp(frame, "when", zone))
    assert frame["when"].to_list() == texts


#: characters put in a text of the common form at one place
_STRAY = ["0", "9", "+", "-", ",", ".", ":", "T", " ", "/", "\u0663", "\uff11", "\x00", "é"]


@settings(max_examples=300, deadline=None)
@given(
    _COMMON,
    st.integers(0, 28),
    st.sampled_from(_STRAY),
    st.sampled_from(["replace", "insert", "drop"]),
)
def test_the_bytes_check_is_the_form(parts, at, stray, how):
    """A text changed at one place (a character replaced, inserted or dropped — a stray
    sign, a comma, a space, an Arabic-Indic or full-width digit, an accented letter, a NUL)
    is read from its bytes exactly when it matches the form's regex (polars' ``contains``),
    and the stamp is ``with_iso_stamp``'s either way."""
    text = _common(parts)
    if how == "replace":
        text = text[:at] + stray + text[at + 1 :]
    elif how == "insert":
        text = text[:at] + stray + text[at:]
    else:
        text = text[:at] + text[at + 1 :]
    frame = pl.DataFrame({"when": [_common(parts), text], "_odd": [False, False]})
    matches = frame.select(pl.col("when").str.contains(discord._COMMON_ISO).all()).item()
    assert (discord._common_iso(frame["when"]) is not None) == matches
    got = discord.common_iso_stamp(frame, "when", "Asia/Shanghai")
    assert got.equals(vec.with_iso_stamp(frame, "when", "Asia/Shanghai"))


def test_dates_from_their_bytes_hand_counted():
    """2024-02-29 exists, 2100-02-29 does not (null, odd); 0000-03-01 is 719,468 days before
    1970-01-01 (odd: before 1970); a second 60 is the next minute's first (odd)."""
    texts = [
        "2024-02-29T12:00:00.250+08:00",
        "2100-02-29T00:00:00.000+00:00",
        "0000-03-01T00:00:00.000+00:00",
        "2026-12-31T23:59:60.000-00:00",
    ]
    parts = discord._common_iso(pl.Series(texts))
    assert parts is not None
    # 2024-02-29 04:00:00.250 UTC: 19,782 days after 1970-01-01
    assert parts.us[0] == (19_782 * 86_400 + 4 * 3_600) * 1_000_000 + 250_000
    assert parts.us[2] == -719_468 * 86_400 * 1_000_000
    assert parts.us[3] == (20_819 * 86_400) * 1_000_000  # 2027-01-01 00:00 UTC
    assert parts.valid.tolist() == [True, False, True, True]
    assert parts.odd.tolist() == [False, True, True, True]
    assert parts.utc.tolist() == [False, True, True, True]
    got = discord.common_iso_stamp(
        pl.DataFrame({"when": texts, "_odd": [False] * 4}), "when", "UTC"
    )
    assert got["_us"].null_count() == 1
    assert got["ts"].to_list() == [
        "2024-02-29T12:00:00.250+08:00",
        "2100-02-29T00:00:00+00:00",
        "0000-03-01T00:00:00+00:00",
        "2026-12-31T23:59:60+00:00",
    ]


# ---------------------------------------------------------------- no WhatsApp code for ISO dates


def test_iso_export_does_without_the_whatsapp_module(tmp_path):
    """An export of ISO dates (with a join, read one by one before) does not import the
    WhatsApp reader (its module's import was ~0.03 s of a 1 s import); a culture date does,
    and is read as before."""
    iso = tmp_path / "iso.csv"
    iso.write_text(
        _csv(
            [
                ["1", "ana", "2026-12-20T10:00:00.000+08:00", "Joined the server.", "", ""],
                ["1", "ana", "2026-12-20T10:00:01.500+08:00", "hi", "", ""],
                ["", "ana", "2026-12-20T10:00:02.500+08:00", "no author", "", ""],
            ]
        ),
        encoding="utf-8",
    )
    culture = tmp_path / "culture.csv"
    culture.write_text(_csv([["1", "ana", "20/12/2026 10:02", "hi", "", ""]]), encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from sqops.importers import import_files\n"
        "r = import_files('discord', [Path(sys.argv[1])], tz='Asia/Shanghai')\n"
        "print(r.counts['messages'], 'sqops.importers.whatsapp' in sys.modules)\n"
    )
    src = str(Path(discord.__file__).resolve().parents[2])
    env = {"PYTHONPATH": src, "PATH": "/usr/bin:/bin"}
    for path, want in ((iso, "2 False"), (culture, "1 True")):
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, env=env
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == want.split()


def test_culture_dates_import_the_whatsapp_code_once(monkeypatch, tmp_path):
    """(review rv-disc7) The WhatsApp reader's ``_ts`` is looked up once, at the first
    culture date, not by an import statement run for every one (DiscordChatExporter's
    default CSV dates are culture dates: ~1 µs a row, 0.25-0.55 CPU-s at 400 k rows); the
    rows are read as before."""
    import builtins

    p = tmp_path / "culture.csv"
    rows = [[str(i % 7), "ana", f"12/{1 + i % 28}/2026 10:{i % 60:02d} AM", f"m{i}", "", ""]
            for i in range(200)]  # fmt: skip
    p.write_text(_csv(rows), encoding="utf-8")
    real = builtins.__import__
    calls: list[str] = []

    def counted(name, *args, **kwargs):
        if name == "sqops.importers.whatsapp":
            calls.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", counted)
    r = import_files("discord", [p], tz="Asia/Shanghai")
    assert r.counts["messages"] == 200
    assert len(calls) <= 3  # (_split_date, date_order, _ts: once each)
