"""The section's cheaper steps of session 20 (benchmarks/README.md, "adherence, session 20")
give what the steps they replace gave: checked against those steps (kept here as references)
on random inputs, and by hand."""

from __future__ import annotations

import random

import polars as pl

from sqops.adherence._compute import _frozen, _parts
from sqops.adherence._model import ROW_COLUMNS
from sqops.sop.loader import parse_sop

from .conftest import frame, run


# ---------------------------------------------------------------- the rows of each group
def _rows_of(groups: list[int], n_groups: int, seed: int) -> pl.DataFrame:
    """Rows as ``_rows`` gives them: sorted by the group's place ``_g``, every ROW_COLUMN."""
    rng = random.Random(seed)
    gs = sorted(groups)
    data: dict[str, list] = {c: [] for c in ROW_COLUMNS}
    for i, g in enumerate(gs):
        data["group_id"].append(f"g{g:03d}")
        for c in ROW_COLUMNS[1:]:
            data[c].append(None if c in ("day", "quiet", "delta_min", "replies_2h", "opens_48h") else f"{c}{i}-{rng.random():.3f}")  # fmt: skip
    return pl.DataFrame(data).with_columns(pl.Series("_g", gs, dtype=pl.Int64))


def test_parts_are_the_partitions_in_place():
    for seed in range(20):
        rng = random.Random(seed)
        n = rng.randint(1, 12)
        # groups with no rows among them: first, last, in between
        groups = [rng.randrange(n) for _ in range(rng.randint(0, 40))]
        rows = _rows_of(groups, n, seed)
        got = _parts(rows, n)
        assert len(got) == n
        want = {k[0]: v for k, v in rows.select(ROW_COLUMNS).partition_by("group_id", as_dict=True).items()}  # fmt: skip
        for g, part in enumerate(got):
            assert part.columns == list(ROW_COLUMNS)
            ref = want.get(f"g{g:03d}", rows.select(ROW_COLUMNS).clear())
            assert part.equals(ref), (seed, g)


def test_parts_by_hand():
    rows = _rows_of([0, 0, 2, 2, 2], 4, 1)
    got = _parts(rows, 4)
    assert [p.height for p in got] == [2, 0, 3, 0]
    assert got[2]["group_id"].to_list() == ["g002"] * 3
    assert got[2]["item_id"].to_list() == rows["item_id"].to_list()[2:]


# ---------------------------------------------------------------- people
PEOPLE = """\
version: 1
community: {name: 测试社群, platform: wechat, timezone: Asia/Shanghai, launched_on: 2026-10-01}
roles:
  - {role: content, name: 小苏, members: [s1]}
  - {role: owner, name: 小林, members: [s2]}
cadence:
  daily:
    - {id: morning, time: "08:30", title: 早安, kind: activation, owner: content}
    - {id: noon, time: "12:00", title: 午间, kind: activation, owner: owner}
groups:
  - {id: g1, name: 一群, vars: {owner: 1}}
  - {id: g2, name: 二群, vars: {owner: true}}
  - {id: g3, name: 三群, vars: {owner: 阿强, n: 3}}
  - {id: g4, name: 四群, vars: {owner: 阿强}}
  - {id: g5, name: 五群, vars: {owner: 阿强}}
  - {id: g6, name: 六群}
"""


def test_people_asked_once_per_distinct_vars():
    """Groups with equal vars share their people; ``1`` and ``True`` are not equal vars
    (``vars.owner: 1`` names the person "1", ``true`` names nobody: the role's name)."""
    loaded = parse_sop(PEOPLE, "sop.yaml")
    # one post each day in each group, at noon: the morning items missed, the noon ones on time
    # (but g4's of 10-02 at 12:45, late: 阿强 has two outcomes in one group)
    posts = frame(
        "post_id, ts, group_id",
        [
            (f"p{g}{d}", f"2026-10-0{d} 12:{45 if (g, d) == (4, 2) else 0:02d}", f"g{g}")
            for g in range(1, 7)
            for d in (1, 2)
        ],
    )
    messages = frame(
        "ts, group_id, member_id, msg_type",
        [("2026-10-02 23:00", f"g{g}", "m1", "text") for g in range(1, 7)],
    )
    adh = run(loaded, posts=posts, messages=messages)
    got = [(p.person, p.groups, p.planned, p.on_time, p.late, p.missed) for p in adh.people]
    assert got == [
        ("1", 1, 2, 2, 0, 0),  # g1's noon
        ("小林", 2, 4, 4, 0, 0),  # the noon of g2 (owner true: nobody) and g6 (no vars)
        ("小苏", 6, 12, 0, 0, 12),  # every group's morning
        ("阿强", 3, 6, 5, 1, 0),  # the noon of g3, g4, g5
    ]


def test_frozen_vars():
    assert _frozen({"owner": 1}, 0) != _frozen({"owner": True}, 0)
    assert _frozen({"a": "x", "owner": "y"}, 0) == _frozen({"owner": "y", "a": "x"}, 5)
    # a value that cannot be hashed (a library caller's vars): a key of the group's own
    assert _frozen({"tags": ["a"]}, 7) == ("unhashable", 7)
    assert _frozen({"tags": ["a"]}, 7) != _frozen({"tags": ["a"]}, 8)
