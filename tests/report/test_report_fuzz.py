"""Whatever bytes a table file holds, reading it gives tables or a SqopsError (exit 2), never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.data.tables import read_tables
from sqops.errors import SqopsError

HEADER = "ts,group_id,member_id,msg_id,msg_type\n"
cell = st.one_of(
    st.sampled_from(
        ["2026-12-01 10:00", "2026/1/2 3:04", "1796090400", "", "g1", "a", "system", '"', ",", "\t"]
    ),
    st.text(max_size=12),
)
row = st.lists(cell, min_size=0, max_size=7).map(lambda cells: ",".join(cells))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(row, max_size=6),
    raw=st.binary(max_size=64),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16"]),
)
def test_reading_never_crashes(rows, raw, encoding):
    with tempfile.TemporaryDirectory() as d:
        text = HEADER + "\n".join(rows) + "\n"
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode("utf-8", "replace")
        Path(d, "messages.csv").write_bytes(data + raw)
        try:
            t = read_tables(d)
        except SqopsError as exc:
            assert exc.exit_code == 2 and exc.render("en")
        else:
            f = t["messages"].frame.collect()
            assert f["ts"].null_count() == 0 and f["member_id"].null_count() == 0
