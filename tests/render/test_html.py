"""The shared HTML templates: autoescape, strict names, lazy jinja2, renderers that only format."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import polars as pl
import pytest

from sqops.render import html as H

EVIL = "<img src=x onerror=alert(1)>"


def test_environment_escapes_and_is_strict():
    import jinja2

    env = H.environment()
    assert env.autoescape is True and env.undefined is jinja2.StrictUndefined
    page = env.from_string("{{ x }}|{{ y }}").render(x=EVIL, y=H.safe("<b>ok</b>"))
    assert page == "&lt;img src=x onerror=alert(1)&gt;|<b>ok</b>"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
    # a key named like a dict method is the key
    assert (
        env.from_string("{{ t.items }}·{{ t.keys }}").render(t={"items": "a", "keys": "b"}) == "a·b"
    )


def test_every_page_shares_the_layout_and_the_stylesheet():
    names = H.environment().list_templates()
    assert {"base.html.j2", "plan.html.j2", "report.html.j2", "adherence.html.j2"} <= set(names)
    css = H._text("sqops.css")
    assert "table.month" in css and "table.cal" in css and ".st-good" in css


def test_jinja2_is_imported_only_when_a_page_is_rendered():
    code = (
        "import sys\nimport sqops.render.html, sqops.render.markdown\n"
        "assert 'jinja2' not in sys.modules, 'jinja2 imported at module level'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _frame(cols: str, rows: list[tuple]) -> pl.DataFrame:
    names = cols.split(",")
    data = {n: [str(r[i]) for r in rows] for i, n in enumerate(names)}
    return pl.DataFrame(data, schema={n: pl.String for n in names})


def _report(lang: str = "en"):
    from sqops.report.build import Settings, build_report

    messages = _frame(
        "ts,group_id,member_id,member_name,msg_type",
        [
            ("2026-12-01 10:00", "g1", "a", EVIL, "text"),
            ("2026-12-02 10:00", "g1", "b", "b", "text"),
        ],
    )
    settings = Settings(
        staff_ids=frozenset({"s1"}), day0={"g1": dt.date(2026, 10, 1)}, community=EVIL
    )
    return build_report(
        {"messages": messages}, settings=settings, as_of=dt.date(2027, 1, 10), lang=lang
    )


def test_the_report_page_reads_only_the_model():
    """The lists and chart series are on the report (``report.views``): once they are there,
    the page renders without the report's inputs (the renderer computes nothing from them)."""
    from sqops.report.html import to_html

    report = _report()
    assert [r.member_name for r in report.views.recall] == [EVIL, "b"]
    report.prepared = None
    page = to_html(report)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert EVIL not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page == to_html(report)  # deterministic
