"""One Markdown escaper for plan, report and adherence: user text never becomes markup."""

from __future__ import annotations

import datetime as dt

from sqops.render import markdown as md
from sqops.report.build import Settings, build_report
from sqops.report.render import to_markdown

EVIL = "# *x* | <b>_y_ [l](u) `c`\nz"


def test_escape_makes_every_special_character_literal():
    assert md.escape(EVIL) == r"\# \*x\* \| \<b\>\_y\_ \[l\](u) \`c\` z"
    assert md.escape("a\r\nb\rc") == "a b c"
    assert md.escape(md.Md("**bold**")) == "**bold**"  # already Markdown


def test_table_escapes_cells_but_keeps_marked_markdown():
    rows = md.table(["a|b", "c"], [[md.code("x_y"), "<i>|"]])
    assert rows == ["| a\\|b | c |", "|---|---|", "| `x_y` | \\<i\\>\\| |"]


def test_code_and_fence_outgrow_backticks():
    assert md.code("a`b") == "``a`b``"
    assert md.code("`a") == "`` `a ``"
    assert md.fence("a ```` b") == "`````"
    assert md.fence("plain") == "```"


def _frame(cols: str, rows: list[tuple]):
    import polars as pl

    names = cols.split(",")
    data = {n: [str(r[i]) for r in rows] for i, n in enumerate(names)}
    return pl.DataFrame(data, schema={n: pl.String for n in names})


def test_report_markdown_headings_are_escaped():
    """A community or group name like ``# *x* | <b>`` must not make its own heading, emphasis,
    table or HTML in the report's Markdown (the headings were written unescaped)."""
    messages = _frame(
        "ts,group_id,member_id,member_name,msg_type",
        [("2026-12-01 10:00", "g|1", "a", "<b>a</b>", "text")],
    )
    settings = Settings(
        staff_ids=frozenset({"s1"}),
        day0={"g|1": dt.date(2026, 12, 1)},
        group_names={"g|1": "# *x* | <b>"},
        community="*Brand* <i>|",
    )
    report = build_report({"messages": messages}, settings=settings, as_of=dt.date(2026, 12, 3))
    text = to_markdown(report)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0].endswith(r" — \*Brand\* \<i\>\|")
    assert any(h.startswith("## ") and h.endswith(r"g\|1 \# \*x\* \| \<b\>") for h in headings)
    for line in text.splitlines():
        assert "<b>" not in line and "<i>" not in line
        assert "*x*" not in line and "*Brand*" not in line
