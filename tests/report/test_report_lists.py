"""Lists to act on: recall, RFM segments, pyramid, weekday × hour, the weakest posts of a week."""

from __future__ import annotations

import datetime as dt

from sqops.report.lists import bottom_posts, build_lists, rfm

D = dt.date


def test_rfm_scores_and_segments(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-01 10:00", "g1", m) for m in "abcde"])
    rows = []
    for i, day in enumerate(["2027-01-09", "2027-01-01", "2026-12-20", "2026-12-10", "2026-12-01"]):
        rows.append((f"a{i}", f"{day} 10:00", "a", "100"))  # a: R 1 day, F 5, M 500
    rows.append(("b0", "2027-01-08 10:00", "b", "400"))  # b: R 2, F 1, M 400
    for i in range(4):
        rows.append((f"c{i}", f"2027-01-0{7 - i} 10:00", "c", "25"))  # c: R 3, F 4, M 100
    for i in range(3):
        rows.append((f"d{i}", f"2027-01-0{6 - i} 10:00", "d", "100"))  # d: R 4, F 3, M 300
    for i in range(2):
        rows.append((f"e{i}", f"2027-01-0{5 - i} 10:00", "e", "100"))  # e: R 5, F 2, M 200
    rows.append(("old", "2025-12-01 10:00", "e", "1000"))  # older than 365 days: not in F or M
    r = h.run(
        D(2027, 1, 10), messages=msgs, orders=h.frame("order_id, ts, member_id, amount", rows)
    )
    t = rfm(r.prepared)
    got = {m: (rd, f, mo, rs, fs, ms, seg) for m, rd, f, mo, rs, fs, ms, seg in t.iter_rows()}
    # five buyers: the score is the rank (5 = best); the mean of each score is 3
    assert got == {
        "a": (1, 5, 500.0, 5, 5, 5, "important_value"),
        "b": (2, 1, 400.0, 4, 1, 4, "important_develop"),
        "c": (3, 4, 100.0, 3, 4, 1, "general_value"),
        "d": (4, 3, 300.0, 2, 3, 3, "important_keep"),
        "e": (5, 2, 200.0, 1, 2, 2, "general_win_back"),
    }


def test_recall_koc_pyramid_heatmap(h, tmp_path):
    msgs = [("2026-12-01 10:00", "g1", m) for m in "abc"]
    msgs += [(f"2027-01-{d:02d} 21:00", "g1", "a") for d in range(1, 8)]  # a: 7 days, 7 messages
    msgs += [("2026-12-10 09:00", "g1", "b")]  # b: silent since 12-10 (31 days before as-of)
    msgs += [("2026-12-12 09:00", "g1", "c")]  # c: 29 days: not yet
    msgs += [(f"2027-01-02 1{k}:00", "g1", "a") for k in range(10)] * 3  # a: 30 more → 37 messages
    mem = h.frame("ts, group_id, member_id, event, member_name", [
        ("2026-12-01 09:00", "g1", "d", "join", "=cmd|' /C calc'!A0"),  # never spoke; a formula-like name
    ])  # fmt: skip
    r = h.run(D(2027, 1, 10), messages=h.frame("ts, group_id, member_id", msgs), members=mem)
    lists = build_lists(r.prepared)
    rec = {m: (last, days) for _, m, _, last, days in lists.recall.iter_rows()}
    # d never spoke: silent since the first join (2026-12-01), 40 days before as-of
    assert rec == {"b": (D(2026, 12, 10), 31), "d": (None, 40)}
    assert lists.koc["member_id"].to_list() == ["a"]
    assert lists.pyramid.row(0) == ("g1", 1, 1, 2)  # KOC a; active c; silent b, d
    # 2027-01-01..07 at 21:00 = one message on each weekday at hour 21
    assert [lists.heatmap[d][21] for d in range(7)] == [1] * 7
    assert sum(map(sum, lists.heatmap)) == 3 + 7 + 1 + 1 + 30
    from sqops.report.export import write_lists

    write_lists(r, tmp_path)
    recall = (tmp_path / "recall.csv").read_text(encoding="utf-8")
    assert "g1,,d,'=cmd|' /C calc'!A0,,40" in recall  # Excel-safe: never run as a formula


def test_bottom_posts_per_week(h):
    msgs = h.frame("ts, group_id, member_id", [("2026-12-01 10:00", "g1", m) for m in "abcdefghij"])
    # week of Mon 2026-12-07: six posts; post k is opened by k members → rates 0/10 .. 5/10
    posts = h.frame(
        "post_id, ts, group_id", [(f"p{k}", f"2026-12-{7 + k:02d} 10:00", "g1") for k in range(6)]
    )
    opens = [("2026-12-13 11:00" if k == 5 else f"2026-12-{7 + k:02d} 11:00", m, "open", f"p{k}")
             for k in range(6) for m in "abcdefghij"[:k]]  # fmt: skip
    # a week with only four posts is left out
    posts = posts.vstack(
        h.frame(
            "post_id, ts, group_id", [(f"q{k}", f"2026-12-{14 + k} 10:00", "g1") for k in range(4)]
        )
    )
    r = h.run(
        D(2026, 12, 20),
        messages=msgs,
        posts=posts,
        engagement=h.frame("ts, member_id, event, post_id", opens),
    )
    t = bottom_posts(r.prepared)
    assert t.select("post_id", "opens", "members").rows() == [("p0", 0, 10)]  # floor(6 × 20%) = 1


def test_a_name_tie_is_broken_by_file_order(h):
    # two names at the same second: the later row of the file is the name shown
    rows = [("2026-12-01 10:00", "g1", "a", "小林"), ("2026-12-01 10:00", "g1", "a", "林林")]
    for order in (rows, rows[::-1]):
        msgs = h.frame("ts, group_id, member_id, member_name", order)
        names = {
            h.run(D(2026, 12, 2), messages=msgs).prepared.names.row(0, named=True)["member_name"]
            for _ in range(3)
        }
        assert names == {order[-1][3]}


def test_rfm_rows_in_the_member_ids_text_order(h):
    """The buyers sorted by their ids' texts (as the categorical's order: the rfm list and
    the member actions read them so), whatever order this process coded the ids in: the
    ids coded here in another order first (a sort by the codes would give m9, m2, m10)."""
    import polars as pl

    from sqops.data.tables import ID

    pl.Series(["m9", "m2", "m10"]).cast(ID)
    msgs = h.frame(
        "ts, group_id, member_id", [("2026-12-01 10:00", "g1", m) for m in ("m2", "m9", "m10")]
    )
    rows = [
        (f"o{i}", f"2027-01-0{i + 1} 10:00", m, "10") for i, m in enumerate(("m9", "m10", "m2"))
    ]
    r = h.run(
        D(2027, 1, 10), messages=msgs, orders=h.frame("order_id, ts, member_id, amount", rows)
    )
    assert rfm(r.prepared)["member_id"].cast(pl.String).to_list() == ["m10", "m2", "m9"]
