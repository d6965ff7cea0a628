"""The DiscordChatExporter CSV read in bulk gives what the per-row reading gives: the same
tables (every row, sequence numbers in file order), counts, skips and notes — on random
exports mixing ordinary messages with every odd kind of row (culture dates, joins, system
texts, calls, attachments only, short rows, no AuthorID, bad dates, names with a tag)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from _import_checks import same_import
from sqops.errors import SqopsError
from sqops.importers import discord, import_files
from sqops.importers._base import Context, read_text

_DATES = [
    "2026-12-20T10:00:00.123+08:00",
    "2026-12-20T10:00:00+00:00",
    "2026-12-20T02:05:07-05:30",
    "2026-12-20T10:00:00Z",
    "2026-12-20 10:00:00",
    "2026-12-20 10:00",
    "2026-12-20T23:59",
    "2026-03-29 02:30:00",  # skipped in Europe/London
    "2026-10-25 01:30:00",  # repeated in Europe/London
    "2026-12-20T22:05:00.0000000+00:00",
    "1969-12-31T23:59:59+00:00",
    "2026-12-20T10:00:60+08:00",
    "2026-02-30 10:00:00",
    "2026-12-20T10:00:00+15:00",
    " 2026-12-20 10:00:00",
    "12/20/2026 10:00 AM",
    "20/12/2026 22:05",
    "3/4/2026 9:15",
    "2026/12/20 10:00",
    "not a date",
    "",
    "1797732000",
]
_AUTHORS = ["111", "222", " 333 ", "", "  "]
_NAMES = ["ana", "lin#0001", " ben ", "", "#tag", "张三", "a\u200bb"]
_CONTENTS = [
    "hello",
    "多行\n第二行",
    "",
    "  ",
    "Joined the server.",
    " Joined the server. ",
    "Pinned a message.",
    "Started a thread.",
    "Started a call that lasted 5 minutes.",
    "Started a call that lasted 1 minute.",
    "Started a call",
    "=1+1",
    " padded ",
]
_ATTACHMENTS = ["", "https://cdn/x.png", "a.MP4,b.png", " , ", "https://cdn/v.ogg?x=1", "f.zip"]

_ROW = st.tuples(
    st.sampled_from(_AUTHORS),
    st.sampled_from(_NAMES),
    st.sampled_from(_DATES),
    st.sampled_from(_CONTENTS),
    st.sampled_from(_ATTACHMENTS),
    st.integers(0, 12),  # < 6: a row with that many cells, else all six
)


def _write(
    path, rows, header=("AuthorID", "Author", "Date", "Content", "Attachments", "Reactions")
):
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    w.writerow(header)
    for aid, name, date, content, att, cut in rows:
        cells = [aid, name, date, content, att, ""]
        w.writerow(cells[:cut] if cut < 6 else cells)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _both(monkeypatch, path, **kw):
    """(bulk result, per-row result, messages added in bulk)."""
    added: list[int] = []
    add = Context.add_messages

    def counting(self, frame, *numbered, **how):
        added.append(frame.height)
        add(self, frame, *numbered, **how)

    with monkeypatch.context() as m:
        m.setattr(Context, "add_messages", counting)
        fast = _run(path, **kw)
    with monkeypatch.context() as m:
        m.setattr(discord, "csv_frames", lambda path, display, **_: read_text(path, display))
        slow = _run(path, **kw)
    return fast, slow, sum(added)


def _run(path, **kw):
    """The import's result, or its error (the message and the problems it lists)."""
    try:
        return import_files("discord", [path], **kw)
    except SqopsError as exc:
        return ("error", str(exc), [(str(p.where), p.text.get("en")) for p in exc.problems])


@pytest.mark.fuzz
@settings(max_examples=150, deadline=None)
@given(
    st.lists(_ROW, min_size=1, max_size=40),
    st.sampled_from(["Asia/Shanghai", "Europe/London", "America/New_York"]),
)
def test_bulk_is_the_per_row_reading(tmp_path_factory, rows, tz):
    p = tmp_path_factory.mktemp("d") / "chan.csv"
    _write(p, rows)
    with pytest.MonkeyPatch.context() as mp:
        fast, slow, _ = _both(mp, p, tz=tz)
    same_import(fast, slow)


def test_bulk_reads_the_ordinary_messages(monkeypatch, tmp_path):
    # 4 ISO messages in bulk (the join's system message among them, its member event
    # before it); the culture date (day first: 20 decides) and the short row go the
    # per-row way; sequence numbers follow the file
    p = tmp_path / "chan.csv"
    _write(
        p,
        [
            ("1", "ana#0001", "2026-12-20T10:00:00.123+08:00", "hi", "", 6),
            ("2", "lin", "2026-12-20 10:01", "Joined the server.", "", 6),
            ("2", "lin", "20/12/2026 10:02", "hello", "", 6),
            ("3", "ben", "2026-12-20 10:03:00", "=1+1", "", 6),
            ("3", "ben", "2026-12-20 10:04:00", "x", "", 2),
            ("1", "ana", "2026-12-20T02:05:00Z", "bye", "", 6),
        ],
    )
    fast, slow, bulk = _both(monkeypatch, p, tz="Asia/Shanghai")
    same_import(fast, slow)
    assert bulk == 4
    msgs = fast.tables["messages"].select("ts", "member_id", "member_name", "msg_type", "content")
    assert msgs.rows() == [
        ("2026-12-20T10:00:00.123+08:00", "1", "ana", "text", "hi"),
        ("2026-12-20T10:01:00+08:00", "system", None, "system", "GuildMemberJoin"),
        ("2026-12-20T10:02:00+08:00", "2", "lin", "text", "hello"),
        ("2026-12-20T10:03:00+08:00", "3", "ben", "text", "=1+1"),
        ("2026-12-20T02:05:00+00:00", "1", "ana", "text", "bye"),
    ]
    assert [p.where.line for p in fast.problems] == [6]  # the short row


def test_author_column_last_with_short_rows(monkeypatch, tmp_path):
    """The Author column after Content: a short row has no Author cell (null, not empty), and
    more than four distinct ``name#discriminator`` texts take the names' lookup by distinct
    text — the bulk reading is the per-row one, and the names are the hand-written ones."""
    p = tmp_path / "chan.csv"
    names = ["ana#0001", "lin#1234", "a#b#7", "#0002", "ben#9999", "kai#4321"]
    lines = ['"AuthorID","Date","Content","Author"', '"100","2026-12-20T10:00:00.000+08:00","x"']
    for i, name in enumerate(names):
        lines.append(f'"{i + 1}","2026-12-20T10:0{i}:30.000+08:00","m{i}","{name}"')
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast, slow, bulk = _both(monkeypatch, p, tz="Asia/Shanghai")
    same_import(fast, slow)
    msgs = fast.tables["messages"]
    # (a Discord name holds no '#': the name is the text before the first one; none before it
    # is no name)
    assert msgs["member_name"].to_list() == [None, "ana", "lin", "a", None, "ben", "kai"]
    assert msgs["member_id"].to_list() == ["100", "1", "2", "3", "4", "5", "6"]
