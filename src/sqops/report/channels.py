"""Channels (渠道, spec §3): how the members each join channel brought in fare.

A member's channel in a group is the ``channel`` of their first ``join`` in that group (up to
as-of; staff left out, as everywhere). Per group and channel, and pooled over the fleet:

- ``joins``: members whose first join carries the channel;
- ``retained_7d``: of those who joined on or before as-of − 7, the ones with no ``leave`` at or
  after the join time on the join day or the 6 days after it (the join day is day 1, so days
  1..7 — the same reading as ``first_week_retention``, where a leave on the join day counts);
- ``spoke_30d`` / ``bought_30d``: of those who joined on or before as-of − 29, the ones with a
  non-system message in the group / a paid order counted for the group on days join..join+29
  (day 1..30; by day, so a message on the join day counts whatever its time).

Right-censoring: a member whose window has not yet run out by as-of is in neither numerator nor
denominator. An empty channel is its own row, ``channel: null`` ("(none)").
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from sqops.data.membership import Prepared
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.report import schema as S

#: days counted from the join day (day 1) for retention and for speaking / buying
RETAIN_DAYS = 7
FOLLOW_DAYS = 30
#: a member must have joined on or before as-of − this many days to be counted (spec §3)
RETAIN_LAG = 7
FOLLOW_LAG = 29
#: what the channels need
NEEDS = ["members.channel"]
#: the three rates of a channel row, in the order they are shown
RATES = ("retained_7d", "spoke_30d", "bought_30d")
LABELS: dict[str, T] = {
    "title": T("渠道", "Channels"),
    "channel": T("渠道", "channel"),
    "joins": T("入群人数", "joins"),
    "retained_7d": T("7 天留存", "retained 7 days"),
    "spoke_30d": T("30 天内发言", "spoke within 30 days"),
    "bought_30d": T("30 天内购买", "bought within 30 days"),
    "none": T("（未标注）", "(none)"),
    "unavailable": T(
        "没有渠道数据：请在成员表（members）里导出 channel 列（每条 join 的来源渠道）。",
        "No channel data: export the channel column (where each join came from) in the members table.",
    ),
    "note": T(
        "按成员在本群首次入群（join）的渠道计；留存只算截至日前 7 天及更早入群的成员，"
        "发言、购买只算截至日前 29 天及更早入群的成员（入群当天为第 1 天）。",
        "By the channel of each member's first join in the group; retention counts members who "
        "joined on or before as-of − 7, speaking and buying those who joined on or before "
        "as-of − 29 (the join day is day 1).",
    ),
    "empty": T("截至日前没有入群记录。", "No join up to the as-of day."),
}


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    def to_dict(self) -> S.RatioDoc:
        v = self.value
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": None if v is None else round(v, 4),
        }


@dataclass(frozen=True)
class ChannelRow:
    channel: str | None  # None: the join carries no channel
    joins: int
    retained_7d: Ratio
    spoke_30d: Ratio
    bought_30d: Ratio

    def rate(self, name: str) -> Ratio:
        r: Ratio = getattr(self, name)
        return r

    def to_dict(self) -> S.ChannelRowDoc:
        return {
            "channel": self.channel,
            "joins": self.joins,
            "retained_7d": self.retained_7d.to_dict(),
            "spoke_30d": self.spoke_30d.to_dict(),
            "bought_30d": self.bought_30d.to_dict(),
        }


@dataclass
class Channels:
    available: bool
    needs: list[str]
    fleet: list[ChannelRow]
    groups: dict[str, list[ChannelRow]]  # every group of the report, in its order

    def only(self, groups: Collection[str]) -> Channels:
        """The section for some of the groups (one value of ``--by``): their rows, and the
        fleet's pooled over them alone, in the same order as :func:`build_channels` gives."""
        if not self.available:
            return self
        per = {g: rows for g, rows in self.groups.items() if g in groups}
        acc: dict[str | None, list[int]] = {}
        for rows in per.values():
            for r in rows:
                a = acc.setdefault(r.channel, [0] * 7)
                for i, v in enumerate(
                    (
                        r.joins,
                        *(x for n in RATES for x in (r.rate(n).numerator, r.rate(n).denominator)),
                    )
                ):
                    a[i] += v
        fleet = [
            ChannelRow(c, a[0], Ratio(a[1], a[2]), Ratio(a[3], a[4]), Ratio(a[5], a[6]))
            for c, a in acc.items()
        ]
        fleet.sort(key=lambda r: (-r.joins, r.channel is None, r.channel or ""))
        return Channels(True, [], fleet, per)

    def to_dict(self) -> S.ChannelsDoc:
        return {
            "available": self.available,
            "needs": list(self.needs),
            "fleet": [r.to_dict() for r in self.fleet],
            "groups": {g: [r.to_dict() for r in rows] for g, rows in self.groups.items()},
        }


_COUNTS = ("joins", "r_num", "r_den", "s_num", "s_den", "b_num", "b_den")


def _pair() -> pl.Expr:
    """One integer per (group_id, member_id) of the categorical ids, for the joins below (one
    integer column joins several times faster than two categorical ones; never output)."""
    g = pl.col("group_id").cast(pl.Categorical).to_physical().cast(pl.UInt64)
    m = pl.col("member_id").cast(pl.Categorical).to_physical().cast(pl.UInt64)
    return (g * (1 << 32) + m).alias("_k")


def channel_frame(p: Prepared[pl.DataFrame]) -> pl.DataFrame:
    """``group_id, channel, joins, r_num, r_den, s_num, s_den, b_num, b_den``: one row per group
    and channel of a first join (``p.events`` must carry ``channel``)."""
    assert p.events is not None and "channel" in p.events.columns
    ev = p.events
    ch = pl.col("channel").cast(pl.String).str.strip_chars()
    # each member's first join in the group (ties in time: the earlier row of the file)
    first = (
        ev.filter(pl.col("event") == "join")
        .select(
            _pair(),
            "group_id",
            pl.col("ts").alias("jts"),
            pl.col("day").alias("jday"),
            "_row",
            pl.when(ch == "").then(None).otherwise(ch).alias("channel"),
        )
        .sort("_k", "jts", "_row")
        .unique("_k", keep="first")
        .drop("_row")
    )
    # left on the join day (at or after the join) or on the 6 days after it
    left = (
        first.select("_k", "jts", "jday")
        .join(
            ev.filter(pl.col("event") == "leave").select(
                _pair(), pl.col("ts").alias("lts"), pl.col("day").alias("lday")
            ),
            on="_k",
        )
        .filter(
            (pl.col("lts") >= pl.col("jts"))
            & (pl.col("lday") <= pl.col("jday") + (RETAIN_DAYS - 1))
        )
        .select(pl.col("_k").unique(), pl.lit(True).alias("_left"))
    )

    def within(rows: pl.DataFrame | None, flag: str) -> pl.DataFrame:
        """The first joiners with a row of ``rows`` (group_id, member_id, day) on days 1..30
        (streamed: the rows of the joiners, ~3 M of the 4 M member days at 10 M messages,
        are never all held at once)."""
        if rows is None:
            return pl.DataFrame(schema={"_k": pl.UInt64, flag: pl.Boolean})
        return (
            rows.lazy()
            .select(_pair(), "day")
            .join(first.lazy().select("_k", "jday"), on="_k")
            .filter(
                (pl.col("day") >= pl.col("jday"))
                & (pl.col("day") <= pl.col("jday") + (FOLLOW_DAYS - 1))
            )
            .select(pl.col("_k").unique(), pl.lit(True).alias(flag))
            .collect(engine="streaming")
        )

    paid = None if p.orders is None else p.orders.filter(pl.col("status") == "paid")
    e7 = pl.col("jday") <= p.as_of - RETAIN_LAG
    e30 = pl.col("jday") <= p.as_of - FOLLOW_LAG
    return (
        first.join(left, on="_k", how="left")
        .join(within(p.act, "_spoke"), on="_k", how="left")
        .join(within(paid, "_bought"), on="_k", how="left")
        .with_columns(pl.col("_left", "_spoke", "_bought").fill_null(False))
        .group_by("group_id", "channel")
        .agg(
            pl.len().alias("joins"),
            (e7 & ~pl.col("_left")).sum().alias("r_num"),
            e7.sum().alias("r_den"),
            (e30 & pl.col("_spoke")).sum().alias("s_num"),
            e30.sum().alias("s_den"),
            (e30 & pl.col("_bought")).sum().alias("b_num"),
            e30.sum().alias("b_den"),
        )
        .with_columns(pl.col(_COUNTS).cast(pl.Int64))
    )


def _rows(df: pl.DataFrame, by: list[str]) -> list[tuple[str | None, ChannelRow]]:
    """(the ``by`` key, the row) in order: by ``by``, then most joins first, then by channel;
    the empty channel last among equals."""
    key = [pl.col(c).cast(pl.String) for c in by]
    df = df.sort(
        [*key, "joins", pl.col("channel").is_null(), "channel"],
        descending=[*(False for _ in by), True, False, False],
        nulls_last=True,
    )
    return [
        (
            str(r[by[0]]) if by else None,
            ChannelRow(
                r["channel"],
                r["joins"],
                Ratio(r["r_num"], r["r_den"]),
                Ratio(r["s_num"], r["s_den"]),
                Ratio(r["b_num"], r["b_den"]),
            ),
        )
        for r in df.iter_rows(named=True)
    ]


def build_channels(p: Prepared[pl.DataFrame], has_channel: bool, groups: Iterable[str]) -> Channels:
    """The channels section; unavailable (naming ``members.channel``) without that column."""
    groups = list(groups)
    if not has_channel or p.events is None or "channel" not in p.events.columns:
        return Channels(False, list(NEEDS), [], {})
    df = channel_frame(p)
    fleet = [row for _, row in _rows(df.group_by("channel").agg(pl.col(_COUNTS).sum()), [])]
    per: dict[str, list[ChannelRow]] = {g: [] for g in groups}
    for g, row in _rows(df, ["group_id"]):
        if g in per:
            per[g].append(row)
    return Channels(True, [], fleet, per)


def csv_rows(ch: Channels) -> tuple[list[str], list[list[object]]]:
    """``channels.csv``: the fleet's rows (group_id empty) then each group's."""
    head = ["scope", "group_id", "channel", "joins"]
    for r in RATES:
        head += [f"{r}_numerator", f"{r}_denominator", r]
    out: list[list[object]] = []

    def add(scope: str, gid: str, rows: list[ChannelRow]) -> None:
        for row in rows:
            line: list[object] = [scope, gid, row.channel or "", row.joins]
            for name in RATES:
                x = row.rate(name)
                v = x.value
                line += [x.numerator, x.denominator, "" if v is None else round(v, 4)]
            out.append(line)

    add("fleet", "", ch.fleet)
    for g, rows in ch.groups.items():
        add("group", g, rows)
    return head, out
