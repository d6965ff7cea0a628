"""Terminal tables that fit (issue #22 item 2): every command's terminal output at 80 and 120
columns has no line wider than the terminal, keeps its key columns whole (group ids and
names, KPI labels, item names) and no header or cell cut into "…".

The CLI is run with COLUMNS=80 / 120 (rich takes that width when stdout is not a terminal,
as in the README's first command piped); ``sqops.render.console.Fit`` is also checked on a
small hand-built table.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples" / "skincare"
DATA, SOP = str(EX / "data"), str(EX / "sop.yaml")

needs_example = pytest.mark.skipif(
    not (EX / "data" / "messages.csv").exists(), reason="no example data"
)

#: "…" after a character other than a space or an arrow is a cut word ("numer…"); the
#: open end of a stage window ("2027-01-30 → …") and "… and N more" are not
CUT = re.compile(r"[^\s→]…")

GROUPS = ("g01 上海一群", "g02 杭州一群", "g03 南京一群")


def _run(cli, monkeypatch, width: int, *args: str) -> list[str]:
    from sqops.render import console

    monkeypatch.setenv("COLUMNS", str(width))
    console.reset_consoles()
    r = cli(*args)
    assert r.exit_code == 0, r.stderr
    return r.stdout.splitlines()


def cell_len(text: str) -> int:
    """Terminal cells: 2 for a wide (Chinese) character, 1 for the others used here."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _fits(lines: list[str], width: int) -> None:
    wide = [x for x in lines if cell_len(x) > width]
    assert not wide, f"{len(wide)} line(s) wider than {width}: {wide[:3]}"
    cut = [x for x in lines if CUT.search(x)]
    assert not cut, f"cut words: {cut[:3]}"


@needs_example
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_fits(cli, monkeypatch, width, lang):
    from sqops.domain.kpis import KPI

    lines = _run(
        cli, monkeypatch, width, "report", DATA, "--sop", SOP, "--lang", lang,
        "--compare", "prev", "--trend", "4", "--by", "city",
    )  # fmt: skip
    _fits(lines, width)
    text = "\n".join(lines)
    # the key columns whole, each on one line: every group in the triage, the service and
    # the member actions tables (3 times at least), every fleet KPI's label
    for g in GROUPS:
        assert sum(g in x for x in lines) >= 3, g
    for name in ("join_rate", "profile_completion_rate", "aov", "koc_share"):
        label = KPI[name].label.get(lang)
        assert any(label in x for x in lines), label
    # the rolled-up values and every stage of a group table
    for city in ("上海", "杭州", "南京"):
        assert city in text
    assert ("retention" if lang == "en" else "留存期") in text


@needs_example
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_at_80_stacks_numerators_and_lists_actions_below(cli, monkeypatch, lang):
    # (the README's first command: --compare prev adds a column)
    cmd = ("report", DATA, "--sop", SOP, "--lang", lang, "--compare", "prev")
    lines = _run(cli, monkeypatch, 80, *cmd)
    text = "\n".join(lines)
    # the fleet's speaking rate: 57 of 181 members spoke (examples/skincare, as the Markdown
    # shows it: | 31.5% | 57 | 181 |); the English labels are long ("profile completion
    # rate"), so at 80 columns the numerator/denominator is stacked as "57/181" under the
    # label; the Chinese labels are short and the wide table fits
    if lang == "en":
        assert "57/181" in text
        # the AOV's numerator is money: 6,266.50 (the sum of 38 orders), never 6266.5
        assert "6,266.50/38" in text
    else:
        assert any(re.search(r"│\s+57 │\s+181 │", x) for x in lines)
        assert any(re.search(r"│\s+6,266.50 │\s+38 │", x) for x in lines)
    assert "6266.5" not in text
    # the triage's next actions are below the table, numbered by rank
    action = "1. next action: " if lang == "en" else "1．下一步："
    assert any(x.startswith(action) for x in lines)
    # at 120 columns the wide layout stays: separate numerator and denominator columns
    wide = _run(cli, monkeypatch, 120, *cmd)
    assert "57/181" not in "\n".join(wide)
    assert any(re.search(r"│\s+57 │\s+181 │", x) for x in wide)


@needs_example
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_adherence_fits_and_keeps_item_names(cli, monkeypatch, width, lang):
    lines = _run(cli, monkeypatch, width, "adherence", DATA, "--sop", SOP, "--lang", lang)
    _fits(lines, width)
    text = "\n".join(lines)
    # the items' table keeps its key column: every item's name and id (before: at 80 the
    # column was 0 wide); the title stays whole when it has no space in it
    for title, item in (("早安护肤提醒", "morning"), ("成分小知识", "tip"), ("今晚福利", "perk")):
        assert title in text and f"({item})" in text
    for g in GROUPS:
        assert any(g in x for x in lines), g


@needs_example
@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("by", [[], ["--by", "owner"]])
def test_plan_fits(cli, monkeypatch, width, by):
    lines = _run(cli, monkeypatch, width, "plan", SOP, "--days", "7", "--lang", "en", *by)
    _fits(lines, width)
    # the item names whole on their line (the key column)
    for title in ("早安护肤提醒", "三天打卡挑战开始", "第一次话题讨论"):
        assert any(title in x for x in lines), title
    if not by:
        # the scripts: in their column at 120; at 80 (a column under 30 cells) after the
        # table, under the item's day, time and name, one line wide as the terminal
        below = any(x.startswith("script · 上海一群 (g01)") for x in lines)
        assert below == (width == 80)
        if width == 80:
            assert "2026-10-01 08:30 早安护肤提醒" in lines


def test_fit_gives_each_column_its_longest_word():
    """A hand-built table in a 40-column console. Content widths: the key "g01 上海一群" 12
    (no_wrap; 上海一群 is 4 wide characters, 8 cells), "numerator" 9, "denominator" 11 = 32.
    With rules and padding (2 + 2 rules, 3 × 2 padding) that is 42 > 40: rich alone cuts
    the widest column's header. Fit tries the look without vertical rules and edge, one
    rule space + one padding between columns: 32 + 2 × 2 = 36 ≤ 40, every word whole."""
    from sqops.render.console import Console, Fit, Table

    def table() -> Table:
        t = Table()
        t.add_column("group", no_wrap=True)
        t.add_column("numerator", justify="right")
        t.add_column("denominator", justify="right")
        t.add_row("g01 上海一群", "57", "181")
        return t

    def render(x: object) -> list[str]:
        con = Console(width=40, record=True, color_system=None)
        con.print(x)
        return con.export_text().splitlines()

    assert any("…" in x for x in render(table()))  # rich's own shrinking cuts a header
    lines = render(Fit(table()))
    assert lines[0].rstrip() == "group         numerator  denominator"
    assert lines[2].rstrip() == "g01 上海一群         57          181"
    assert not any("…" in x for x in lines)


# ------------------------------------------------------------------ issue #22 item 7
def test_fail_under_message_names_kpis_in_the_language_and_says_how_many_more():
    """7 failing KPIs (the example's --fail-under warn): the first 5 named, then "2 more"."""
    from sqops.report.verdict import failing_message

    hit = [
        ("g01", "weekly_active_rate"),
        ("g01", "repurchase_rate"),
        ("g01", "dormant_rate"),
        ("g02", "weekly_active_rate"),
        ("g02", "repurchase_rate"),
        ("g02", "dormant_rate"),
        ("g03", "coupon_usage_rate"),
    ]
    zh = failing_message(hit, "warn", "zh")
    assert zh == (
        "--fail-under warn：7 个当前阶段指标未达标（g01/周活跃率、g01/复购率、g01/沉默率、"
        "g02/周活跃率、g02/复购率、…… 另有 2 个）"
    )
    en = failing_message(hit, "warn", "en")
    assert en.endswith("g02/repurchase rate, … and 2 more)")
    assert "repurchase_rate" not in en and "repurchase_rate" not in zh
    # 5 or fewer: all named, no "more"
    assert "more" not in failing_message(hit[:5], "bad", "en")
    assert failing_message(hit[:1], "bad", "en") == (
        "--fail-under bad: 1 current-stage KPI(s) at that status (g01/weekly active rate)"
    )


def test_money_numerators_one_format():
    """A money KPI's numerator is money everywhere (terminal, Markdown, HTML): 5129 → 5,129.00,
    as the groups' 2,343.50; counts stay whole."""
    from sqops.report.render import fmt_num

    assert fmt_num(5129.0, "aov") == "5,129.00"
    assert fmt_num(2343.5, "aov") == "2,343.50"
    assert fmt_num(57.0, "speaking_rate") == "57"
    assert fmt_num(31.0) == "31"
    assert fmt_num(None, "aov") == "—"


@needs_example
def test_money_numerator_in_markdown_and_html(cli, tmp_path):
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        r = cli("report", DATA, "--sop", SOP, "--no-adherence", "-o", str(out))
        assert r.exit_code == 0, r.stderr
        text = out.read_text(encoding="utf-8")
        assert "6,266.50" in text and "6266.5" not in text, fmt


@needs_example
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_terminal_points_to_the_lists(cli, monkeypatch, tmp_path, lang):
    """The advice names lists ("see the recall list"): the line after it says how to get
    them (--lists DIR), or where they were written."""
    lines = _run(cli, monkeypatch, 120, "report", DATA, "--sop", SOP, "--lang", lang)
    how = [x for x in lines if "--lists DIR" in x or "--lists 目录" in x]
    assert how and ("recall" in how[0] or "召回" in how[0])
    out = tmp_path / "lists"
    lines = _run(
        cli, monkeypatch, 120, "report", DATA, "--sop", SOP, "--lang", lang, "--lists", str(out)
    )
    assert any(f"{out.as_posix()}/" in x for x in lines)
    assert (out / "actions.csv").exists()


@needs_example
def test_report_at_80_with_a_long_trend_stacks_it_under_the_change(cli, monkeypatch):
    """--trend 26 is a 26-cell sparkline: at 80 columns with --compare it goes under the
    change in one column ("vs DAY / Trend"), whole, and nothing is cut."""
    cmd = ("report", DATA, "--sop", SOP, "--lang", "en", "--compare", "prev", "--trend", "26")
    lines = _run(cli, monkeypatch, 80, *cmd, "--no-adherence")
    _fits(lines, 80)
    assert any("vs 2027-01-21 / Trend" in x for x in lines)
    # the first group launched 2026-10-01, 119 days before as-of 2027-01-28: as-of − 7k
    # has data for k = 0..17, 18 points; the 8 earlier weeks are blanks in the 26 cells.
    # The 18 bars stay on one line (not wrapped at the blanks)
    bars = [len(re.findall("[▁▂▃▄▅▆▇█]", x)) for x in lines]
    assert max(bars) == 18
