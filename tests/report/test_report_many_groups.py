"""Past 20 groups the terminal and Markdown show the worst 20 groups' sections (with a line
saying so); the HTML and JSON show every group (#21 "at 5,000 groups")."""

from __future__ import annotations

import json

import polars as pl

from sqops.report import build_report
from sqops.report.html import to_html
from sqops.report.render import print_terminal, to_json, to_markdown


def _report(n: int, lang: str = "en"):
    # n groups launched 2026-12-01; group i has i + 1 members of whom one speaks, so the
    # speaking rate falls with i: 1/1, 1/2, ... (groups with more members rank worse)
    rows = []
    for i in range(n):
        g = f"g{i:02d}"
        for m in range(i + 1):
            rows.append(("2026-12-01 09:00", g, f"{g}-m{m}", "join"))
    members = pl.DataFrame(rows, schema=["ts", "group_id", "member_id", "event"], orient="row")
    msgs = pl.DataFrame(
        {
            "ts": ["2026-12-10 10:00"] * n,
            "group_id": [f"g{i:02d}" for i in range(n)],
            "member_id": [f"g{i:02d}-m0" for i in range(n)],
        }
    )
    return build_report({"messages": msgs, "members": members}, lang=lang)


def test_many_groups_markdown_and_terminal_show_the_worst_20():
    rep = _report(25)
    assert len(rep.groups_detailed) == 20
    shown = {g.group_id for g in rep.groups_detailed}
    assert shown == {e.group_id for e in rep.triage[:20]}
    text = to_markdown(rep)
    assert sum(line.startswith("## Group g") for line in text.splitlines()) == 20
    assert "Details below for the 20 groups that need attention most (of 25" in text
    from sqops.render.console import Console

    con = Console(width=200, record=True)
    print_terminal(rep, con)
    out = con.export_text()
    assert sum(line.startswith("Group g") for line in out.splitlines()) == 20
    doc = json.loads(to_json(rep))
    assert len(doc["groups"]) == 25 and len(doc["triage"]) == 25
    html = to_html(rep)
    assert all(f"g{i:02d}" in html for i in range(25))


def test_twenty_groups_or_fewer_show_all_and_no_note():
    rep = _report(20)
    assert rep.groups_detailed == rep.groups and rep.detailed_ids is None
    text = to_markdown(rep)
    assert sum(line.startswith("## Group g") for line in text.splitlines()) == 20
    assert "Details below" not in text
