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

from sqops.i18n import WEEKDAYS
from sqops.report.build import Report
from sqops.report.views import KpiBar, Series

FONTS = ["PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
         "WenQuanYi Zen Hei", "DejaVu Sans"]  # fmt: skip
COLOURS = {"good": "#2e7d32", "warn": "#f9a825", "bad": "#c62828", "other": "#90a4ae"}
RC: dict[Any, Any] = {  # (matplotlib types its keys as a Literal of every rcParam)
    "svg.fonttype": "none",
    "svg.hashsalt": "sqops",
    "font.family": "sans-serif",
    "font.sans-serif": FONTS,
    "font.size": 10,
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
    # about 5 inches wide (375 units) at 10 pt: shown 100 % wide on a 390 px phone the
    # text stays ≥ 9 px; the stylesheet caps the width on a desktop (svg.chart max-width)
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), dpi=72)


def render_all(report: Report, labels: dict[str, str]) -> dict[str, Any]:
    """Every chart as an SVG string: per group (daily, kpis) and pooled (heatmap, pyramid),
    drawn from the series in ``report.views``."""
    import matplotlib

    v = report.views
    out: dict[str, Any] = {"daily": {}, "kpis": {}}
    with matplotlib.rc_context(RC), _quiet():
        if v.fleet_daily is not None:
            out["fleet_daily"] = daily_chart(v.fleet_daily, labels)
        for gid, series in v.daily.items():
            out["daily"][gid] = daily_chart(series, labels)
            out["kpis"][gid] = kpi_chart(v.kpi_bars[gid], labels)
        out["heatmap"] = heatmap_chart(v.heatmap, report.lang, labels)
        out["pyramid"] = pyramid_chart(v.pyramid, labels)
    return out


def daily_chart(s: Series, labels: dict[str, str]) -> str:
    fig = _figure(5.2, 2.4)
    ax = fig.subplots()
    days = list(s.days)
    ax.plot(days, list(s.members), color="#1565c0", linewidth=1.6, label=labels["members"])
    ax.plot(days, list(s.speakers), color="#ef6c00", linewidth=1.2, label=labels["speakers"])
    ax.fill_between(days, list(s.speakers), color="#ef6c00", alpha=0.15, linewidth=0)
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


def kpi_chart(rows: tuple[KpiBar, ...], labels: dict[str, str]) -> str:
    """Rate KPIs of every started stage: value bar (coloured by status) and target tick."""
    fig = _figure(4.4, 0.34 * max(len(rows), 1) + 0.8)
    ax = fig.subplots()
    if not rows:
        ax.axis("off")
        ax.text(0.5, 0.5, labels["no_data"], ha="center", va="center")
        return _svg(fig)
    names = [f"{labels['stage_' + k.stage]} · {labels['kpi_' + k.kpi]}" for k in rows]
    y = list(range(len(rows)))[::-1]
    values = [min(float(k.value or 0), 1.0) * 100 for k in rows]
    ax.barh(y, values, color=[COLOURS.get(k.status, COLOURS["other"]) for k in rows], height=0.6)
    for yy, k in zip(y, rows, strict=True):
        if k.target is not None:
            ax.plot([k.target * 100] * 2, [yy - 0.4, yy + 0.4], color="#212121", linewidth=1.5)
        ax.text(
            min(float(k.value or 0), 1.0) * 100 + 1,
            yy,
            f"{float(k.value or 0) * 100:.1f}%",
            va="center",
            fontsize=10,
        )
    ax.set_yticks(y, names)
    ax.set_xlim(0, 110)
    ax.set_xlabel(labels["kpi_axis"])
    return _svg(fig)


def heatmap_chart(grid: tuple[tuple[int, ...], ...], lang: str, labels: dict[str, str]) -> str:
    fig = _figure(5.2, 2.6)
    ax = fig.subplots()
    mesh = ax.pcolormesh(
        list(range(25)),
        list(range(8)),
        [list(r) for r in grid],
        cmap="Blues",
        edgecolors="white",
        linewidth=0.5,
    )
    ax.set_yticks([i + 0.5 for i in range(7)], list(WEEKDAYS["zh" if lang == "zh" else "en"]))
    ax.set_xticks([h + 0.5 for h in range(0, 24, 2)], [f"{h:02d}" for h in range(0, 24, 2)])
    ax.invert_yaxis()
    ax.set_xlabel(labels["hour"])
    fig.colorbar(mesh, ax=ax, fraction=0.03, pad=0.01, label=labels["messages"])
    return _svg(fig)


def pyramid_chart(totals: dict[str, int], labels: dict[str, str]) -> str:
    levels = [("koc", "#6a1b9a"), ("active", "#1565c0"), ("silent", "#b0bec5")]
    fig = _figure(4.4, 2.0)
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
