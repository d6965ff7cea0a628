"""The import's shared tail, session 17 (tail6, #19 item 2): the cheaper paths of
``Context.finish`` give what the plain ways gave — the orders' ids shown distinct by their
runs (no hash) and sorted by a stable sort of the times, against the first of each id and
polars' sort by time, id and arrival; the aliases looked for only under the names
``finish`` resolves, against the row-by-row reading; a column of one text (one chat's id
and name) repeated, not gathered, against the gather (differential, Hypothesis) — and
hand-made cases."""

from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from sqops.data.scalars import ts_text
from sqops.domain.tables import TABLE
from sqops.importers._base import (
    Context,
    _held_in_order,
    _ids_in_order,
    _one_value,
    norm_name,
)

_UTC = dt.UTC

# ---------------------------------------------------------------- orders


def _old_orders_table(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """The orders table as ``_orders_table`` made it before: the first of each id, then
    polars' sort by time, id and arrival; and the duplicates dropped."""
    kept = frame.filter(pl.col("order_id").is_first_distinct())
    kept = kept.sort("_t", "order_id", "_s")
    spec = TABLE["orders"]
    cols = list(spec.required) + [c for c in spec.optional if kept[c].null_count() < kept.height]
    return kept.select(cols), frame.height - kept.height


def _orders(ids: list[str], times: list[float | None]) -> pl.DataFrame:
    n = len(ids)
    return pl.DataFrame(
        {
            "_t": times,
            "ts": [f"t{i}" for i in range(n)],
            "order_id": ids,
            "member_id": [f"m{i % 3}" for i in range(n)],
            "amount": [float(i) for i in range(n)],
        },
        schema={
            "_t": pl.Float64,
            "ts": pl.String,
            "order_id": pl.String,
            "member_id": pl.String,
            "amount": pl.Float64,
        },
    )


def _check_orders(frames: list[pl.DataFrame]) -> None:
    ctx = Context(tz=_UTC)
    for f in frames:
        ctx.add_orders(f)
    every = ctx._all_orders()
    want, dropped = _old_orders_table(every)
    got = ctx.finish()
    assert got.tables["orders"].equals(want)
    assert got.counts.get("duplicate_orders", 0) == dropped
    assert got.counts["orders"] == want.height


_IDS = st.one_of(
    st.integers(1, 120).map(lambda k: f"#{k}"),  # (lengths 2 to 4: "#9" < "#10" by length only)
    st.integers(1, 120).map(lambda k: f"E{10**8 + k}"),  # (one length)
    st.sampled_from(["订单7", "Y-9", "é", "e\u0301"]),
)
_TIMES = st.sampled_from([1.0, 1.0, 2.0, 2.0, 3.5, 0.0, -0.0, float("nan"), None, 7.0])


@settings(max_examples=400, deadline=None)
@given(
    ids=st.lists(_IDS, min_size=1, max_size=60),
    shape=st.sampled_from(["rising", "falling", "two rising", "two falling", "as drawn"]),
    times=st.data(),
    cut=st.integers(0, 60),
    frames=st.integers(1, 3),
)
def test_orders_table_is_the_first_of_each_id_sorted(ids, shape, times, cut, frames):
    """Ids in runs (rising, falling, two runs of either, with or without repeats) or as
    drawn, times with ties, nulls, NaN and ±0.0, in one to three frames: the table and the
    duplicates counted are those of the first of each id sorted by time, id and arrival."""

    def key(s: str) -> tuple[int, bytes]:
        return len(s.encode()), s.encode()

    if shape != "as drawn":
        falling = "falling" in shape
        if shape.startswith("two"):
            a, b = ids[: cut % (len(ids) + 1)], ids[cut % (len(ids) + 1) :]
            ids = sorted(a, key=key, reverse=falling) + sorted(b, key=key, reverse=falling)
        else:
            ids = sorted(ids, key=key, reverse=falling)
    t = times.draw(st.lists(_TIMES, min_size=len(ids), max_size=len(ids)))
    frame = _orders(ids, t)
    size = -(-frame.height // frames)
    _check_orders([frame.slice(i, size) for i in range(0, frame.height, size)])


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 300),
    prefix=st.sampled_from(["#", "E1000"]),
    falling=st.booleans(),
    step=st.integers(1, 3),
    times=st.lists(st.sampled_from([5.0, 6.0, 7.0, 8.0]), min_size=1, max_size=300),
)
def test_distinct_ids_in_runs_sorted_by_a_stable_sort(n, prefix, falling, step, times):
    """Distinct ids (of several lengths with ``#``), rising or falling, many ties of time:
    the stable sort of the times (and the runs of one time re-sorted) is polars' sort."""
    ids = [f"{prefix}{k}" for k in range(1, n * step + 1, step)]
    if falling:
        ids.reverse()
    t = [times[i % len(times)] for i in range(n)]
    _check_orders([_orders(ids, t)])


def test_ids_in_order_hand_made():
    def order(ids: list[str | None]) -> list[int] | None:
        got = _ids_in_order(pl.Series(ids, dtype=pl.String))
        return None if got is None else got.to_list()

    assert order(["#9", "#10", "#11"]) == [0, 1, 2]  # (rising by length, then by text)
    assert order(["#11", "#10", "#9"]) == [2, 1, 0]  # (newest first)
    assert order(["#20", "#21", "#1", "#2"]) == [2, 3, 0, 1]  # (two runs apart)
    # two runs of one length that overlap: merged, rising, so distinct
    assert order(["E1", "E4", "E2", "E3", "E5"]) == [0, 2, 3, 1, 4]
    assert order(["E1", "E4", "E2", "E4"]) is None  # (a repeated id)
    # two rising runs of several lengths that overlap: not shown (the byte order is not the
    # (length, id) order: not merged)
    assert order(["#1", "#30", "#40", "#2", "#31", "#41"]) is None
    assert order(["#1", "#30", "#20", "#4"]) == [0, 3, 2, 1]  # (falling runs #1 | #30 #20 #4)
    assert order(["#1", None]) is None
    assert order(["#1", "#1"]) is None


def test_orders_of_one_time_with_ids_of_several_lengths():
    # ids #9, #10, #100 all at time 5: by text "#10" < "#100" < "#9" (not by length)
    frame = _orders(["#9", "#10", "#100", "#11"], [5.0, 5.0, 5.0, 1.0])
    _check_orders([frame])
    ctx = Context(tz=_UTC)
    ctx.add_orders(frame)
    assert ctx.finish().tables["orders"]["order_id"].to_list() == ["#11", "#10", "#100", "#9"]


# ---------------------------------------------------------------- aliases


_ROWS = st.lists(
    st.tuples(
        st.sampled_from(["g1", "g2"]),
        st.sampled_from(["m1", "m2", "m3", "system", "self"]),
        st.sampled_from([None, "", "Ana", " ana ", "Ana\u200b", "BEN", "你", "Cy"]),
    ),
    max_size=25,
)
_PENDING = st.lists(
    st.tuples(
        st.sampled_from(["g1", "g2"]),
        st.sampled_from(["Ana", "ana", "BEN", "你", "You", "Cy", "Dee"]),
        st.sampled_from([None, "Ana", "BEN", "You", "Dee"]),
    ),
    max_size=6,
)


def _bulk_frame(rows: list[tuple[str, str, str | None]]) -> pl.DataFrame:
    """``rows`` as :meth:`Context.message` stores them (times a second apart)."""
    base = dt.datetime(2026, 3, 8, 6, 0, tzinfo=_UTC)
    at = [base + dt.timedelta(seconds=i) for i in range(len(rows))]
    return pl.DataFrame(
        {
            "_t": [t.timestamp() for t in at],
            "ts": [ts_text(t) for t in at],
            "group_id": [g for g, _, _ in rows],
            "member_id": [m for _, m, _ in rows],
            "member_name": [(norm_name(n) or None) if n else n for _, _, n in rows],
            "msg_type": ["text"] * len(rows),
        },
        schema={"_t": pl.Float64}
        | dict.fromkeys(("ts", "group_id", "member_id", "member_name", "msg_type"), pl.String),
    )


@settings(max_examples=300, deadline=None)
@given(
    rows=_ROWS,
    pending=_PENDING,
    self_id=st.sampled_from([None, "m3"]),
    group_id=st.sampled_from([None, "G"]),
    self_name=st.sampled_from([None, "Ana", "Dee"]),
)
def test_finish_resolves_names_as_the_row_by_row_reading(
    rows, pending, self_id, group_id, self_name
):
    """Messages added in bulk, members named only by name (joins, inviters), the exporter's
    id shown or not, ``--group-id`` and ``--self-name``: the tables are those of the rows
    added one by one with :meth:`Context.message` (which records every alias at once)."""
    base = dt.datetime(2026, 3, 8, 6, 0, tzinfo=_UTC)

    def read(bulk: bool) -> dict[str, pl.DataFrame]:
        ctx = Context(tz=_UTC, group_id=group_id, self_name=self_name)
        if bulk:
            if rows:
                ctx.add_messages(_bulk_frame(rows))
        else:
            for i, (g, m, n) in enumerate(rows):
                ctx.message(
                    ts=base + dt.timedelta(seconds=i), group_id=g, member_id=m, member_name=n
                )
        if self_id:
            ctx.self_is(group_id or "g1", self_id)
        for i, (g, name, inviter) in enumerate(pending):
            ctx.member_event(
                ts=base + dt.timedelta(seconds=100 + i),
                group_id=g,
                event="join",
                member_name=name,
                inviter_name=inviter,
            )
        return ctx.finish().tables

    one, many = read(False), read(True)
    assert one.keys() == many.keys()
    for name, table in one.items():
        assert many[name].equals(table), name


def test_finish_looks_for_no_alias_when_no_name_is_resolved():
    """Nothing named only by name and no ``--self-name``: the frames' names are not looked
    at (the aliases are read only to resolve names); a join named by name: only the aliases
    under that name."""
    ctx = Context(tz=_UTC)
    ctx.add_messages(_bulk_frame([("g1", "m1", "Ana"), ("g1", "m2", "Ben")]))
    ctx.finish()
    assert ctx.aliases == {}
    ctx = Context(tz=_UTC)
    ctx.add_messages(_bulk_frame([("g1", "m1", "Ana"), ("g1", "m2", "Ben")]))
    ctx.member_event(ts=dt.datetime(2026, 3, 9, tzinfo=_UTC), group_id="g1", event="join",
                     member_name="Ben")  # fmt: skip
    tables = ctx.finish().tables
    assert ctx.aliases == {"g1": {"Ben": {"m2"}}}
    assert tables["members"]["member_id"].to_list() == ["m2"]


# ---------------------------------------------------------------- one text in every row


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.sampled_from(["g", "g", "g", "h", "", None, "中文群名称很长很长很长"]), max_size=40
    ),
    chunks=st.integers(1, 4),
)
def test_one_value_is_a_column_of_one_text(values, chunks):
    if not values:
        assert _one_value(pl.DataFrame({"group_name": []}, schema={"group_name": pl.String}),
                          ["group_name"]) == {}  # fmt: skip
        return
    col = pl.Series("group_name", values, dtype=pl.String)
    size = -(-len(values) // chunks)
    parts = [col.slice(i, size) for i in range(0, len(values), size)]
    frame = pl.concat([p.to_frame() for p in parts], rechunk=False)
    got = _one_value(frame, ["group_name"])
    one = col.null_count() == 0 and col.n_unique() == 1
    assert got == ({"group_name": values[0]} if one else {})


@settings(max_examples=200, deadline=None)
@given(
    times=st.lists(st.sampled_from([3.0, 1.0, 2.0, 2.0, 5.0]), min_size=2, max_size=40),
    group=st.sampled_from([["g"], ["g", "h"], ["g", None]]),
    name=st.sampled_from([["chat"], ["chat", "old name"], [None, "chat"]]),
    data=st.data(),
)
def test_messages_table_with_columns_of_one_text(times, group, name, data):
    """The messages table gathered into its order, with the chat's id and name repeated
    where they are one text: the table polars' sort of the frame gives."""
    n = len(times)
    arrival = data.draw(st.permutations(list(range(1, n + 1))))
    frame = pl.DataFrame(
        {
            "_t": times,
            "_s": arrival,
            "ts": [f"t{i}" for i in range(n)],
            "group_id": [group[i % len(group)] for i in range(n)],
            "member_id": [f"m{i % 3}" for i in range(n)],
            "group_name": [name[i % len(name)] for i in range(n)],
        },
        schema={
            "_t": pl.Float64,
            "_s": pl.Int64,
            "ts": pl.String,
            "group_id": pl.String,
            "member_id": pl.String,
            "group_name": pl.String,
        },
    )
    cols = ["ts", "group_id", "member_id", "group_name"]
    got = _held_in_order([frame], cols)
    assert got.equals(frame.sort("group_id", "_t", "_s").select(cols))


def test_the_exporting_account_is_a_name_finish_resolves() -> None:
    """ "你" (the exporting account, as a bulk message names it) is among the names ``finish``
    resolves: a join naming "You" in that group is that member (found by the review: without
    it the join's member was ``self``)."""
    import datetime as dt

    import polars as pl

    from sqops.importers._base import Context

    ctx = Context(tz=dt.UTC)
    ctx.add_messages(
        pl.DataFrame(
            {
                "_t": [1.0],
                "ts": ["x"],
                "group_id": ["g1"],
                "member_id": ["wxid_me"],
                "member_name": ["你"],
            }
        )
    )
    ctx.member_event(
        ts=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), group_id="g1", event="join", member_name="You"
    )
    assert ctx.finish().tables["members"]["member_id"].to_list() == ["wxid_me"]
