"""``prepare``'s member activity, session 19: the staff by role left out by their ids alone
(every sender of a staff or bot message is among the staff ids, so the roles are not read for
every row), and the keys' sort on one thread — counted by hand, from a copy held in memory and
from in-memory frames."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from sqops.data.membership import prepare, staff_ids
from sqops.data.tables import prepare_tables, read_tables

T0 = dt.datetime(2026, 12, 1, 9)  # local (Asia/Shanghai): day 2026-12-01
AS_OF = dt.date(2026, 12, 2)

# (member, role, msg_type, minutes after T0)
ROWS = [
    ("m1", "member", "text", 0),
    ("s9", "staff", "text", 1),  # staff by role on this row ...
    ("s9", None, "text", 2),  # ... and so on every row of theirs, whatever its role
    ("m1", None, "image", 3),
    ("b1", "BOT", "text", 4),  # a bot (roles are read in any case)
    ("m2", "member", "text", 5),
    ("m3", "member", "system", 6),  # a system message: nobody's activity
    ("m2", "member", "text", 60 * 24),  # the next day
    ("m4", "Staff", "text", 60 * 24 + 1),  # staff by role, only on as-of's day
    ("m4", "member", "text", 1),
]


def _messages() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "msg_id": [str(i) for i in range(len(ROWS))],
            "ts": [(T0 + dt.timedelta(minutes=m)).isoformat(sep=" ") for *_, m in ROWS],
            "group_id": ["g1"] * len(ROWS),
            "member_id": [r[0] for r in ROWS],
            "member_name": [r[0].upper() for r in ROWS],
            "msg_type": [r[2] for r in ROWS],
            "role": [r[1] for r in ROWS],
        }
    )


def _plain(act: pl.DataFrame) -> list[tuple[str, str, int, int]]:
    return sorted(
        (str(g), str(m), int(d), int(n))
        for g, m, d, n in act.select("group_id", "member_id", "day", "n").rows()
    )


@pytest.mark.parametrize("held", [True, False])
def test_activity_leaves_out_staff_by_role_on_every_row(tmp_path: Path, held: bool) -> None:
    if held:
        (tmp_path / "d").mkdir()
        _messages().write_parquet(tmp_path / "d" / "messages.parquet")
        tables = read_tables(tmp_path / "d", hold=1 << 30)
        assert tables["messages"]._held is not None
    else:
        tables = prepare_tables({"messages": _messages()}, tz="Asia/Shanghai")
    assert staff_ids(tables, {"s0"}) == {"s0", "s9", "b1", "m4"}
    p = prepare(tables, as_of=AS_OF, sop_staff={"s0"})
    d1 = (dt.date(2026, 12, 1) - dt.date(1970, 1, 1)).days
    # by hand: m1 twice on day 1 (text, image), m2 once on day 1 and once on day 2; s9, b1,
    # m4 are staff (by a role on some row), m3's message is a system message
    assert _plain(p.act) == [("g1", "m1", d1, 2), ("g1", "m2", d1, 1), ("g1", "m2", d1 + 1, 1)]
    # the weekday x hour counts read the same messages
    assert int(p.heat["n"].sum()) == 4
