"""``sqops lint`` at 80 columns (issue #22 item 2): ``--list-rules`` and the hint lines wrap
at the terminal's width (COLUMNS; 80 when piped), the rule ids stay whole at the start of
their line, and a finding's own line is never wrapped (editors read file:line:col)."""

from __future__ import annotations

import unicodedata

import pytest


def cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_list_rules_fits(cli, monkeypatch, width, lang):
    from sqops.lint.rules import RULES

    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("lint", "--list-rules", "--lang", lang)
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert max(cells(x) for x in lines) <= width
    starts = {x.split()[0] for x in lines if x and not x.startswith(" ")}
    assert set(RULES) <= starts  # every rule id whole, first on its line
    assert "koc_share" in r.stdout


def test_wrap_cells_by_hand():
    from sqops.cli.commands.lint import wrap_cells

    # 10 cells: "ab cd" (5) + " efgh" would be 10 → fits; "ij" starts the next line
    assert wrap_cells("ab cd efgh ij", 10, "  ") == ["ab cd efgh", "  ij"]
    # Chinese: 2 cells a character, broken between any two: 6 characters in 8 cells
    assert wrap_cells("一二三四五六", 8) == ["一二三四", "五六"]
    # a word wider than the line stands alone, unbroken
    assert wrap_cells("a verylongword b", 6) == ["a", "verylongword", "b"]
    assert wrap_cells("", 10) == [""]


def test_hint_lines_wrap_finding_lines_do_not(cli, tmp_path, monkeypatch):
    from pathlib import Path

    good = (Path(__file__).parent / "data" / "good.yaml").read_text(encoding="utf-8")
    # the conversion item moved to 22:30, inside the quiet hours 22:00-08:00: one
    # quiet-hours error (its line is 97 cells) and its hint
    bad = good.replace('time: "20:00", title: 今晚福利', 'time: "22:30", title: 今晚福利')
    (tmp_path / "bad.yml").write_text(bad, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "60")
    r = cli("lint", "bad.yml", "--lang", "en")
    lines = r.stdout.splitlines()
    finding = [i for i, x in enumerate(lines) if " quiet-hours " in x]
    assert finding and cells(lines[finding[0]]) > 60  # the finding's line whole, though long
    hint = lines[finding[0] + 1 :]
    assert hint[0].startswith("    hint: ") and hint[1].startswith("    ")
    assert all(cells(x) <= 60 for x in hint[:2])
