"""Writing the lists to act on and the rejected rows as Excel-safe CSV files."""

from __future__ import annotations

from pathlib import Path

from sqops.data.tables import REASONS, Tables
from sqops.render.output import atomic_write_text, csv_text
from sqops.report.build import Report
from sqops.report.channels import csv_rows as channel_csv_rows
from sqops.report.lists import SEGMENT_LABELS, build_lists, frame_rows

WEEKDAY_HEAD = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def write_rejects(tables: Tables, folder: str | Path) -> list[Path]:
    """``<table>.rejects.csv`` for every table with rejected rows: row, reason, then the row."""
    out: list[Path] = []
    for name, td in sorted(tables.tables.items()):
        if td.rejected.height == 0:
            continue
        df = td.rejected.sort("_row")
        header = ["row", "reason", "reason_en", "reason_zh", *df.columns[2:]]
        rows = [[r[0], r[1], REASONS[r[1]].en, REASONS[r[1]].zh, *r[2:]] for r in df.iter_rows()]
        p = Path(folder) / f"{name}.rejects.csv"
        atomic_write_text(p, csv_text(header, rows))
        out.append(p)
    return out


def write_lists(report: Report, folder: str | Path) -> list[Path]:
    """recall.csv, koc.csv, rfm.csv, pyramid.csv, activity_heatmap.csv, bottom_posts.csv,
    channels.csv (with ``members.channel``), unanswered.csv (the service section's questions
    without an answer)."""
    assert report.prepared is not None
    lists = build_lists(report.prepared)
    lang = report.lang
    folder = Path(folder)
    written: list[Path] = []

    def put(name: str, header: list[str], rows: list[list[object]]) -> None:
        p = folder / name
        atomic_write_text(p, csv_text(header, rows))
        written.append(p)

    put("recall.csv", *frame_rows(lists.recall))
    put("koc.csv", *frame_rows(lists.koc))
    if lists.rfm.height:
        h, rows = frame_rows(lists.rfm)
        i = h.index("segment")
        rows = [[*r, SEGMENT_LABELS[str(r[i])].get(lang)] for r in rows]
        put("rfm.csv", [*h, "segment_label"], rows)
    put("pyramid.csv", *frame_rows(lists.pyramid))
    put(
        "activity_heatmap.csv",
        ["weekday", *[f"{h:02d}" for h in range(24)]],
        [[WEEKDAY_HEAD[d], *lists.heatmap[d]] for d in range(7)],
    )
    if lists.bottom_posts.height:
        put("bottom_posts.csv", *frame_rows(lists.bottom_posts))
    if report.channels is not None and report.channels.available:
        put("channels.csv", *channel_csv_rows(report.channels))
    if report.service is not None and report.service.available:
        from sqops.report.service import unanswered_rows

        put("unanswered.csv", *unanswered_rows(report.service, lang))
    return written
