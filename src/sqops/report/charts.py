"""Charts of the HTML report, drawn with matplotlib as SVG with text kept as text.

``svg.fonttype = none`` leaves every label as a ``<text>`` element, so the browser renders
Chinese with its own fonts (nothing embedded, files stay small); matplotlib escapes the text.
``svg.hashsalt`` and no ``Date`` metadata keep the output byte-identical between runs.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl

from sqops.data.membership import daily_counts, to_date
from sqops.i18n import WEEKDAYS
from sqops.report.build import Report

FONTS = ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
         "WenQuanYi Zen Hei", "DejaVu Sans"]  # fmt: skip
COLOURS = {"good": "#2e7d32", "warn": "#f9a825", "bad": "#c62828", "other": "#90a4ae"}
RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "sqops",
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "path.simplify": True,
}


@contextmanager
def _quiet() -> Iterator[None]:
    """Layout measures CJK text with a fallback font: silence its missing-glyph notes."""
    log = logging.getLogger("matplotlib.font_manager")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
            warnings.filterwarnings("ignore", message=r"findfont")
            yield
    finally:
        log.setLevel(level)


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    # responsive: drop the fixed size, keep the viewBox
    text = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1 class="chart"', text, count=1
    )
    return text


def _figure(w: float, h: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), dpi=72)


#: per-group charts for at most this many groups (a fleet of hundreds stays a readable file)
MAX_GROUP_CHARTS = 12


def render_all(report: Report, labels: dict[str, str]) -> dict[str, Any]:
    """Every chart as an SVG string: per group (daily, kpis) and pooled (heatmap, pyramid)."""
    import matplotlib

    out: dict[str, Any] = {"daily": {}, "kpis": {}}
    with matplotlib.rc_context(RC), _quiet():
        if len(report.groups) > 1:
            out["fleet_daily"] = daily_chart(report, None, labels)
        for g in report.groups[:MAX_GROUP_CHARTS]:
            out["daily"][g.group_id] = daily_chart(report, g.group_id, labels)
            out["kpis"][g.group_id] = kpi_chart(report, g.group_id, labels)
        out["heatmap"] = heatmap_chart(report, labels)
        out["pyramid"] = pyramid_chart(report, labels)
    return out


def daily_series(report: Report, group_id: str | None) -> pl.DataFrame:
    """Members and distinct speakers per day of one group (None: all groups summed)."""
    p = report.prepared
    assert p is not None
    counts = daily_counts(p.presence, p.groups, p.as_of).join(p.groups, on="group_id")
    counts = counts.filter(pl.col("day") >= pl.col("d0"))
    act = p.act
    if group_id is not None:
        counts = counts.filter(pl.col("group_id") == group_id)
        act = act.filter(pl.col("group_id") == group_id)
    spk = act.group_by("group_id", "day").agg(pl.col("member_id").n_unique().alias("speakers"))
    return (
        counts.join(spk, on=["group_id", "day"], how="left")
        .with_columns(pl.col("speakers").fill_null(0))
        .group_by("day")
        .agg(pl.col("members").sum(), pl.col("speakers").sum())
        .sort("day")
    )


def daily_chart(report: Report, group_id: str | None, labels: dict[str, str]) -> str:
    s = daily_series(report, group_id)
    fig = _figure(7.5, 2.6)
    ax = fig.subplots()
    days = [to_date(d) for d in s["day"].to_list()]
    ax.plot(days, s["members"].to_list(), color="#1565c0", linewidth=1.6, label=labels["members"])
    ax.plot(days, s["speakers"].to_list(), color="#ef6c00", linewidth=1.2, label=labels["speakers"])
    ax.fill_between(days, s["speakers"].to_list(), color="#ef6c00", alpha=0.15, linewidth=0)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", frameon=False, ncols=2)
    ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    fig.autofmt_xdate(rotation=0, ha="center")
    import matplotlib.dates as mdates

    # a tick a day for a short span (the automatic locator has no interval for a single
    # day and says so on stderr)
    if 0 < len(days) <= 8:
        half = dt.timedelta(hours=12)
        first, last = (dt.datetime.combine(d, dt.time()) for d in (days[0], days[-1]))
        ax.set_xlim(first - half, last + half)  # (one day alone would be widened to years)
        loc: Any = mdates.DayLocator()
    else:
        loc = mdates.AutoDateLocator(maxticks=8)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d"))
    return _svg(fig)


def kpi_chart(report: Report, group_id: str, labels: dict[str, str]) -> str:
    """Rate KPIs of every started stage: value bar (coloured by status) and target tick."""
    g = next(x for x in report.groups if x.group_id == group_id)
    rows = [(st.stage, k) for st in g.stages if st.status != "not_started" for k in st.kpis
            if k.value is not None and k.name != "aov"]  # fmt: skip
    fig = _figure(7.5, 0.32 * max(len(rows), 1) + 0.7)
    ax = fig.subplots()
    if not rows:
        ax.axis("off")
        ax.text(0.5, 0.5, labels["no_data"], ha="center", va="center")
        return _svg(fig)
    names = [f"{labels['stage_' + s]} · {labels['kpi_' + k.name]}" for s, k in rows]
    y = list(range(len(rows)))[::-1]
    values = [min(float(k.value or 0), 1.0) * 100 for _, k in rows]
    ax.barh(y, values, color=[COLOURS.get(k.status, COLOURS["other"]) for _, k in rows], height=0.6)
    for yy, (_, k) in zip(y, rows, strict=True):
        if k.target is not None:
            ax.plot([k.target * 100] * 2, [yy - 0.4, yy + 0.4], color="#212121", linewidth=1.5)
        ax.text(
            min(float(k.value or 0), 1.0) * 100 + 1,
            yy,
            f"{float(k.value or 0) * 100:.1f}%",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, names)
    ax.set_xlim(0, 110)
    ax.set_xlabel(labels["kpi_axis"])
    return _svg(fig)


def heatmap_chart(report: Report, labels: dict[str, str]) -> str:
    from sqops.report.lists import heatmap

    assert report.prepared is not None
    grid = heatmap(report.prepared)
    fig = _figure(7.5, 2.6)
    ax = fig.subplots()
    mesh = ax.pcolormesh(
        list(range(25)), list(range(8)), grid, cmap="Blues", edgecolors="white", linewidth=0.5
    )
    ax.set_yticks(
        [i + 0.5 for i in range(7)], list(WEEKDAYS["zh" if report.lang == "zh" else "en"])
    )
    ax.set_xticks([h + 0.5 for h in range(0, 24, 2)], [f"{h:02d}" for h in range(0, 24, 2)])
    ax.invert_yaxis()
    ax.set_xlabel(labels["hour"])
    fig.colorbar(mesh, ax=ax, fraction=0.03, pad=0.01, label=labels["messages"])
    return _svg(fig)


def pyramid_chart(report: Report, labels: dict[str, str]) -> str:
    from sqops.report.lists import pyramid

    assert report.prepared is not None
    t = pyramid(report.prepared)
    levels = [("koc", "#6a1b9a"), ("active", "#1565c0"), ("silent", "#b0bec5")]
    totals = {name: int(t[name].sum()) if t.height else 0 for name, _ in levels}
    fig = _figure(5.5, 2.2)
    ax = fig.subplots()
    # fixed tiers (a pyramid is a shape); the counts are in the labels
    for i, (name, colour) in enumerate(levels):
        w = 34 + 30 * i
        y = len(levels) - 1 - i
        ax.barh(y, w, left=-w / 2, color=colour, height=0.86)
        ax.text(
            0,
            y,
            f"{labels['pyr_' + name]}  {totals[name]}",
            ha="center",
            va="center",
            color="white" if name != "silent" else "#212121",
            fontsize=10,
        )
    ax.set_xlim(-50, 50)
    ax.axis("off")
    return _svg(fig)
