"""Writing the lists to act on and the rejected rows as Excel-safe CSV files."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from sqops.data.tables import REASONS, Tables
from sqops.domain.actions import ACTION
from sqops.i18n import T
from sqops.render.output import atomic_write_text, check_output, csv_text
from sqops.render.words import GROUP_ID, GROUP_NAME, MEMBER_ID, MEMBER_NAME, YES_NO
from sqops.report.actions import COLUMNS as ACTION_COLUMNS
from sqops.report.actions import action_rows
from sqops.report.build import Report
from sqops.report.channels import csv_rows as channel_csv_rows
from sqops.report.lists import SEGMENT_LABELS, _cell, _names, build_lists

WEEKDAY_HEAD = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _publish(files: list[tuple[Path, str]], inputs: Iterable[str | Path]) -> list[Path]:
    """Write ``files`` after checking every one of them: none is one of ``inputs`` (a list or
    rejects folder that holds a table of the data must not overwrite it) or cannot be written,
    so a refusal writes nothing."""
    sources = list(inputs)
    for p, _ in files:
        check_output(p, sources)
    for p, text in files:
        atomic_write_text(p, text)
    return [p for p, _ in files]


def write_rejects(
    tables: Tables, folder: str | Path, inputs: Iterable[str | Path] = ()
) -> list[Path]:
    """``<table>.rejects.csv`` for every table with rejected rows: row, reason, then the row
    (never onto one of ``inputs``)."""
    out: list[tuple[Path, str]] = []
    for name, td in sorted(tables.tables.items()):
        if td.rejected.height == 0:
            continue
        df = td.rejected.sort("_row")
        header = ["row", "reason", "reason_en", "reason_zh", *df.columns[2:]]
        rows = [[r[0], r[1], REASONS[r[1]].en, REASONS[r[1]].zh, *r[2:]] for r in df.iter_rows()]
        out.append((Path(folder) / f"{name}.rejects.csv", csv_text(header, rows)))
    return _publish(out, inputs)


#: the Chinese header of every list column (a zh report); in English the column id itself
HEADERS: dict[str, str] = {
    "group_id": GROUP_ID.zh,
    "group_name": GROUP_NAME.zh,
    "member_id": MEMBER_ID.zh,
    "member_name": MEMBER_NAME.zh,
    "first_join": "首次入群日",
    "last_spoken": "最后发言日",
    "days_silent": "沉默天数",
    "messages_30d": "近30天消息数",
    "rfm_segment": "RFM分群",
    "koc": "KOC",
    "unused_coupons": "未用券数",
    "action": "动作",
    "script": "话术",
    "active_days": "活跃天数",
    "messages": "消息数",
    "referrals": "推荐入群数",
    "recency_days": "距上次购买天数",
    "frequency": "购买单数",
    "monetary": "消费金额",
    "r": "R分",
    "f": "F分",
    "m": "M分",
    "segment": "分群代码",
    "segment_label": "分群",
    "active": "活跃",
    "silent": "沉默",
    "weekday": "星期",
    "week": "周",
    "post_id": "内容ID",
    "date": "日期",
    "kind": "类型",
    "title": "标题",
    "opens": "打开人数",
    "members": "成员数",
    "open_rate": "打开率",
    "scope": "范围",
    "channel": "渠道",
    "joins": "入群人数",
    "retained_7d": "7日留存率",
    "retained_7d_numerator": "7日留存人数",
    "retained_7d_denominator": "7日留存基数",
    "spoke_30d": "30日发言率",
    "spoke_30d_numerator": "30日发言人数",
    "spoke_30d_denominator": "30日发言基数",
    "bought_30d": "30日购买率",
    "bought_30d_numerator": "30日购买人数",
    "bought_30d_denominator": "30日购买基数",
}
WEEKDAY_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def headers(columns: list[str], lang: str) -> list[str]:
    """A list's CSV header: Chinese in a zh report, else the stable column ids."""
    return [HEADERS.get(c, c) if lang == "zh" else c for c in columns]


def _with_group_name(df: pl.DataFrame, report: Report) -> pl.DataFrame:
    """``group_name`` (the SOP's) right after ``group_id``."""
    names = report.settings.group_names if report.settings is not None else {}
    col = pl.col("group_id").replace_strict(names, default=None, return_dtype=pl.String)
    i = df.columns.index("group_id") + 1
    return df.insert_column(i, df.select(col.alias("group_name")).to_series())


def _rfm_names(df: pl.DataFrame, report: Report) -> pl.DataFrame:
    """RFM is per member over all groups: the group of their last paid order (latest, then
    the smallest group id) and the member's name there, before the member columns."""
    p = report.prepared
    assert p is not None and p.orders is not None
    last = (
        p.orders.filter(pl.col("status") == "paid")
        .sort("member_id", "ts", pl.col("group_id"), descending=[False, False, True])
        .group_by("member_id")
        .agg(pl.col("group_id").last())
    )
    t = df.join(last, on="member_id", how="left").join(
        _names(p), on=["group_id", "member_id"], how="left"
    )
    t = t.select("group_id", *[c for c in t.columns if c != "group_id"])
    t = _with_group_name(t, report)
    rest = [c for c in t.columns if c not in ("group_id", "group_name", "member_id", "member_name")]
    return t.select("group_id", "group_name", "member_id", "member_name", *rest)


def write_lists(
    report: Report, folder: str | Path, inputs: Iterable[str | Path] = ()
) -> list[Path]:
    """recall.csv, koc.csv, rfm.csv, pyramid.csv, activity_heatmap.csv, bottom_posts.csv,
    channels.csv (with ``members.channel``), unanswered.csv (the service section's questions
    without an answer), actions.csv; the headers (and labels) in the report's language. Nothing is written
    when one of them would be one of ``inputs``."""
    folder = Path(folder)
    files = [
        (folder / f"{t.stem}.csv", csv_text(headers(t.columns, report.lang), t.csv_rows()))
        for t in list_tables(report)
    ]
    return _publish(files, inputs)


@dataclass(frozen=True)
class ListTable:
    """One list to act on: its file stem, column ids (or headers already in the report's
    language), and its rows as data (dates, numbers, labels, None) for CSV and Excel."""

    stem: str
    columns: list[str]
    rows: list[list[object]]
    #: the rows came from a polars frame: their floats are written to CSV with 4 decimals
    frame: bool = True

    def csv_rows(self) -> list[list[object]]:
        if not self.frame:
            return self.rows
        return [[_cell(v) for v in r] for r in self.rows]


def _frame(df: pl.DataFrame) -> tuple[list[str], list[list[object]]]:
    return df.columns, [list(r) for r in df.iter_rows()]


def list_tables(report: Report) -> list[ListTable]:
    """The lists of :func:`write_lists`, in its order (the same for ``--lists FILE.xlsx``)."""
    assert report.prepared is not None
    lists = build_lists(report.prepared)
    lang = report.lang
    out: list[ListTable] = []

    def put(name: str, header: list[str], rows: list[list[object]], frame: bool = True) -> None:
        out.append(ListTable(name, header, rows, frame))

    put("recall", *_frame(_with_group_name(lists.recall, report)))
    put("koc", *_frame(_with_group_name(lists.koc, report)))
    if lists.rfm.height:
        h, rows = _frame(_rfm_names(lists.rfm, report))
        i = h.index("segment")
        rows = [[*r, SEGMENT_LABELS[str(r[i])].get(lang)] for r in rows]
        put("rfm", [*h, "segment_label"], rows)
    put("pyramid", *_frame(lists.pyramid))
    days = WEEKDAY_ZH if lang == "zh" else WEEKDAY_HEAD
    put(
        "activity_heatmap",
        ["weekday", *[f"{h:02d}" for h in range(24)]],
        [[days[d], *lists.heatmap[d]] for d in range(7)],
    )
    if lists.bottom_posts.height:
        h, rows = _frame(lists.bottom_posts)
        if lang == "zh" and "kind" in h:
            from sqops.plan import KIND_NAMES

            i = h.index("kind")
            rows = [[*r[:i], _kind(r[i], KIND_NAMES), *r[i + 1 :]] for r in rows]
        put("bottom_posts", h, rows)
    if report.channels is not None and report.channels.available:
        put("channels", *channel_csv_rows(report.channels), frame=False)
    if report.service is not None and report.service.available:
        from sqops.report.service import unanswered_rows

        put("unanswered", *unanswered_rows(report.service, lang))
    put("actions", list(ACTION_COLUMNS), _action_cells(report))
    return out


def _kind(value: object, names: dict[str, T]) -> object:
    """A post's kind in Chinese (the plan's labels); any other value as it is."""
    return names[value].zh if isinstance(value, str) and value in names else value


def _action_cells(report: Report) -> list[list[object]]:
    """actions.csv's rows: labels (action, RFM segment, KOC yes/no) in the report's language
    in a zh report, the stable ids in English; dates as dates, None for an empty cell."""
    lang = report.lang
    zh = lang == "zh"
    out: list[list[object]] = []
    for r in action_rows(report):
        seg = r["rfm_segment"]
        cells = {
            **r,
            "rfm_segment": (SEGMENT_LABELS[seg].zh if zh else seg) if seg else None,
            "koc": YES_NO[r["koc"]].get(lang),
            "action": ACTION[r["action"]].label.zh if zh else r["action"],
        }
        out.append([cells[c] for c in ACTION_COLUMNS])
    return out
