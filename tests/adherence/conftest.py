"""Hand-built SOPs and tables for the adherence tests (every cell text, as an export gives)."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import polars as pl
import pytest

from sqops.adherence import Adherence, compute_adherence
from sqops.data.tables import prepare_tables
from sqops.sop.loader import parse_sop

HEAD = """\
version: 1
community: {{name: 测试社群, platform: wechat, timezone: Asia/Shanghai, launched_on: 2026-10-01}}
roles:
  - {{role: content, name: 小苏, members: [s1]}}
rules:
  quiet_hours: "{quiet}"
  max_posts_per_day: {max_posts}
"""

MORNING = """\
cadence:
  daily:
    - {id: morning, time: "08:30", title: 早安, kind: activation}
"""


def sop(body: str = MORNING, *, quiet: str = "22:00-08:00", max_posts: int = 6):
    text = HEAD.format(quiet=quiet, max_posts=max_posts) + textwrap.dedent(body)
    return parse_sop(text, "sop.yaml")


def frame(cols: str, rows: list[tuple]) -> pl.DataFrame:
    names = [c.strip() for c in cols.split(",")]
    data = {n: [None if r[i] is None else str(r[i]) for r in rows] for i, n in enumerate(names)}
    return pl.DataFrame(data, schema={n: pl.String for n in names})


def msgs(*rows: tuple) -> pl.DataFrame:
    """(ts, member_id[, msg_type]) rows of group g1."""
    full = [(r[0], "g1", r[1], r[2] if len(r) > 2 else "text") for r in rows]
    return frame("ts, group_id, member_id, msg_type", full)


def posts(*rows: tuple) -> pl.DataFrame:
    """(post_id, ts[, kind[, title[, column]]]) rows of group g1."""
    full = [(r[0], r[1], "g1", *(r[2:] + (None,) * (3 - len(r[2:])))) for r in rows]
    return frame("post_id, ts, group_id, kind, title, column", full)


def run(
    loaded=None,
    *,
    tolerance: int = 30,
    as_of=None,
    since=None,
    groups=None,
    lang="en",
    keep_text=False,
    **tables,
) -> Adherence:
    frames = {k: v for k, v in tables.items() if v is not None}
    t = prepare_tables(frames, tz="Asia/Shanghai")
    if keep_text:
        _keep_text(t, frames["messages"])
    return compute_adherence(
        loaded or sop(),
        t,
        tolerance_min=tolerance,
        as_of=as_of,
        since=since,
        lang=lang,
        groups=groups,
    )


def _keep_text(t, messages: pl.DataFrame) -> None:
    """Put ``content``/``reply_to`` back on the messages table, as a table layer that keeps
    chat text would give them (the report's layer drops them since it never reads them)."""
    td = t["messages"]
    extra = [c for c in ("content", "reply_to") if c in messages.columns and c not in td.columns]
    if not extra:
        return
    text = (
        messages.select(extra)
        .with_row_index("_row", offset=1)
        .with_columns(pl.col("_row").cast(pl.Int64))
    )
    t.tables["messages"] = replace(
        td, frame=td.frame.join(text.lazy(), on="_row", how="left"), columns=(*td.columns, *extra)
    )


def statuses(adh: Adherence, group: str = "g1") -> list[tuple]:
    """(day, item_id, planned, status, post_id) of every row, in order."""
    rows = adh.group(group).rows
    return [
        (r["day"].isoformat(), r["item_id"], r["planned"], r["status"], r["post_id"])
        for r in rows.iter_rows(named=True)
    ]


class _H:
    sop = staticmethod(sop)
    frame = staticmethod(frame)
    msgs = staticmethod(msgs)
    posts = staticmethod(posts)
    run = staticmethod(run)
    statuses = staticmethod(statuses)


@pytest.fixture
def h() -> type[_H]:
    return _H
