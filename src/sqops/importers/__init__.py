"""Importers: real chat and shop exports → the canonical tables of ``sqops report``.

>>> result = import_files("wechat-chatlog", ["chat.csv"], tz="Asia/Shanghai")  # doctest: +SKIP
>>> result.tables["messages"], result.tables.get("members"), result.problems  # doctest: +SKIP
>>> write_tables(result, "data/", "parquet")  # doctest: +SKIP

One module per format; :data:`FORMATS` is the registry (name → :class:`FormatSpec`).
Library code only: nothing here prints or exits; errors are :class:`sqops.errors.SqopsError`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqops.data.scalars import get_tz
from sqops.domain.tables import EXTENSIONS, IMPORTED_TABLES, TABLE_NAMES
from sqops.errors import (
    DataError,
    InputError,
    Location,
    Problem,
    SqopsError,
    UsageError,
    did_you_mean,
    display_path,
)
from sqops.i18n import T
from sqops.importers._base import Context, ImportResult

__all__ = [
    "FORMATS",
    "FormatSpec",
    "ImportResult",
    "detect_format",
    "import_files",
    "write_tables",
]


@dataclass(frozen=True)
class FormatSpec:
    name: str
    kind: str  # "chat" | "orders" | "any"
    summary: T
    module: str  # sqops.importers.<module> with read(path, display, ctx[, options])
    sniff: Callable[[str, str], bool] | None = None  # (file name, first text) → looks like it


def _has(*needles: str) -> Callable[[str, str], bool]:
    return lambda name, head: all(n in head for n in needles)


FORMATS: dict[str, FormatSpec] = {
    f.name: f
    for f in (
        FormatSpec(
            "wechat-msg",
            "chat",
            T("微信（WeChatMsg 类导出的 CSV）", "WeChat, WeChatMsg-style CSV"),
            "wechat",
            _has("localId", "TalkerId", "StrContent"),
        ),
        FormatSpec(
            "wechat-chatlog",
            "chat",
            T("微信（chatlog 类导出的 CSV/JSON）", "WeChat, chatlog-style CSV or JSON"),
            "wechat",
            lambda n, h: (
                ("SenderName" in h or "senderName" in h) and ("Talker" in h or "talker" in h)
            ),
        ),
        FormatSpec(
            "qq",
            "chat",
            T("QQ 消息管理器文本导出", "QQ message manager text export"),
            "qq",
            lambda n, h: "消息对象:" in h or "消息对象：" in h or "消息分组:" in h,
        ),
        FormatSpec(
            "telegram",
            "chat",
            T("Telegram Desktop JSON 导出", "Telegram Desktop JSON export"),
            "telegram",
            lambda n, h: (
                h.lstrip().startswith("{")
                and ('"messages"' in h or '"chats"' in h)
                and (
                    '"date_unixtime"' in h
                    or '"from_id"' in h
                    or '"personal_information"' in h
                    or '"chats"' in h
                )
            ),
        ),
        FormatSpec(
            "whatsapp",
            "chat",
            T("WhatsApp 文本导出", "WhatsApp text export"),
            "whatsapp",
            lambda n, h: _whatsapp_sniff(h),
        ),
        FormatSpec(
            "wecom",
            "chat",
            T(
                "企业微信会话存档 JSON Lines 与客户群成员 JSON",
                "WeCom chat archive JSON Lines and group-member JSON",
            ),
            "wecom",
            lambda n, h: ('"msgid"' in h and '"msgtime"' in h) or '"member_list"' in h,
        ),
        FormatSpec(
            "discord",
            "chat",
            T(
                "Discord（DiscordChatExporter JSON/CSV）",
                "Discord, DiscordChatExporter JSON or CSV",
            ),
            "discord",
            lambda n, h: (
                ('"guild"' in h and '"channel"' in h)
                or h.lstrip("\ufeff").startswith(
                    ("AuthorID,Author,Date", '"AuthorID","Author","Date"')
                )
            ),
        ),
        FormatSpec(
            "youzan",
            "orders",
            T("有赞订单导出（.xlsx 或 CSV）", "Youzan order export (.xlsx or CSV)"),
            "youzan",
            _has("订单号", "订单状态"),
        ),
        FormatSpec(
            "shopify",
            "orders",
            T("Shopify 订单 CSV", "Shopify orders CSV"),
            "shopify",
            _has("Name", "Financial Status"),
        ),
        FormatSpec(
            "generic",
            "any",
            T(
                "任意表格 + 列映射文件（--columns map.yaml）",
                "any table plus a column map (--columns map.yaml)",
            ),
            "generic",
        ),
    )
}


def _whatsapp_sniff(head: str) -> bool:
    from sqops.importers.whatsapp import looks_like

    return looks_like(head)


def detect_format(path: str | Path) -> str:
    """The format of one file, from its name and first few kilobytes (``--format auto``)."""
    from sqops.data.decode import decode_bytes

    p = Path(path)
    display = display_path(p)
    if p.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        from sqops.importers._base import read_xlsx

        header = " ".join(read_xlsx(p, display).header)
        if FORMATS["youzan"].sniff and FORMATS["youzan"].sniff(p.name, header):
            return "youzan"
    else:
        data = _head(p, display)
        try:
            head, _ = decode_bytes(data, display)
        except InputError:
            head, _ = decode_bytes(data[: data.rfind(b"\n") + 1] or data[:1], display)
        for spec in FORMATS.values():
            if spec.sniff is not None and spec.sniff(p.name, head):
                return spec.name
    raise InputError(
        T(
            "无法识别导出格式；请明确指定格式（{a}）",
            "cannot tell which export this is; name the format explicitly ({a})",
        ).format(a=", ".join(FORMATS)),
        Location(file=display, line=1),
    )


_HEAD = 65536


def _head(path: Path, display: str) -> bytes:
    """The first 64 KiB of a file (what the format is told from; a large export is not read)."""
    try:
        if not path.is_file():
            raise IsADirectoryError(21, "not a regular file")
        with path.open("rb") as fh:
            return fh.read(_HEAD)
    except OSError as exc:
        raise InputError(
            T("无法读取：{e}", "cannot read it: {e}").format(e=exc.strerror or str(exc)),
            Location(file=display),
        ) from None


def suggest_preset(paths: Sequence[str | Path], limit: int = 20) -> list[tuple[Path, str]]:
    """The export formats ``paths`` (files, or the files of a folder, at most ``limit``) look
    like — for the hint when ``sqops report`` is given an export instead of tables."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
        elif p.is_file():
            files.append(p)
    found = []
    for f in files[:limit]:
        try:
            found.append((f, detect_format(f)))
        except SqopsError:
            continue
    return found


def import_files(
    fmt: str,
    paths: Sequence[str | Path],
    *,
    tz: str = "Asia/Shanghai",
    columns: str | Path | None = None,
    group_id: str | None = None,
    self_name: str | None = None,
    memory_limit: int | None = None,
) -> ImportResult:
    """Read export files of one format into the canonical tables.

    ``fmt`` is a name of :data:`FORMATS` or ``auto`` (detected per file). Naive local times
    are read in ``tz``. ``columns`` is the column map of the ``generic`` format.
    ``group_id`` overrides the group of every row (exports that carry none: WhatsApp, Discord CSV).
    ``self_name`` is the exporter's display name: rows the export attributes to "you" get the
    id of that name (WhatsApp says "You added Ana" but shows your own messages under your name).
    ``memory_limit`` (bytes; None: no limit) bounds the memory the import uses: once the
    messages held pass a quarter of it (:data:`SPILL_SHARE`; or the process half of it), they are written to a private
    temporary folder as a sorted run, and merged from there at the end; the messages table is
    then in ``ImportResult.spilled`` (``write_tables`` writes it a part at a time, the same bytes;
    ``ImportResult.close()`` removes the folder, as do an error and an interruption).
    Raises :class:`~sqops.errors.SqopsError` when a file is not that format at all; lines
    that could not be read are in ``ImportResult.problems``.
    """
    if fmt != "auto" and fmt not in FORMATS:
        close = did_you_mean(fmt, FORMATS)
        hint = (
            T("（是否想用 {c}？）", " (did you mean {c}?)").format(c=close) if close else T("", "")
        )
        raise UsageError(
            T(
                "未知的导入格式 “{f}”；可选：{a}", "unknown import format '{f}'; choose one of: {a}"
            ).format(f=fmt, a=", ".join([*FORMATS, "auto"]))
            + hint
        )
    if not paths:
        raise UsageError(T("没有给出输入文件", "no input file given"))
    if fmt == "generic" and columns is None:
        raise UsageError(
            T(
                "generic 格式需要 --columns 列映射文件",
                "the generic format needs a column map: --columns map.yaml",
            )
        )
    if columns is not None and fmt not in ("generic", "auto"):
        raise UsageError(
            T(
                "--columns 只用于 generic（或 auto）格式；{f} 格式的列是固定的",
                "--columns applies to the generic (or auto) format only; the {f} format has fixed columns",
            ).format(f=fmt)
        )
    ctx = Context(tz=get_tz(tz), group_id=group_id, self_name=self_name)
    if memory_limit is not None:
        ctx.spill_at = max(1, memory_limit // SPILL_SHARE)
        ctx.spill_rss = memory_limit * RSS_SHARE // 4
    options = None
    if columns is not None:
        from sqops.data.columns import read_import_map

        options = read_import_map(Path(columns))
    from sqops.importers._csvfast import bounded

    try:
        with bounded(memory_limit):  # (a CSV export over an eighth of it: read in blocks)
            result = _read_all(ctx, fmt, paths, options)
    except BaseException:
        ctx.discard()  # (an error, Ctrl-C, SIGTERM: no spilled run is left behind)
        raise
    if not result.heights():
        result.close()
        text = T("没有读到任何一行数据", "no row could be imported")
        first = Location(file=display_path(paths[0]))
        raise DataError(text, first, problems=[Problem(text, first), *result.problems[:20]])
    return result


#: ``import_files(memory_limit=…)``: messages are written to disk once they pass 1/SPILL_SHARE
#: of the limit (the rest: the reader's block, the run being sorted, the merge, the writing),
#: or once the process holds RSS_SHARE/4 of the limit (what the reader's blocks keep alive)
SPILL_SHARE = 4
RSS_SHARE = 2


def _read_all(ctx: Context, fmt: str, paths: Sequence[str | Path], options: object) -> ImportResult:
    import importlib

    for file_no, raw in enumerate(paths):
        ctx.file_no = file_no
        path = Path(raw)
        display = display_path(raw)
        name = fmt
        if fmt == "auto":
            try:
                name = detect_format(path)
            except InputError:
                if options is None:
                    raise
                name = "generic"  # auto with a column map: what is not recognised is generic
        module = importlib.import_module(f"sqops.importers.{FORMATS[name].module}")
        module.read(path, display, ctx, name=name, options=options)
        ctx.count("files")
    return ctx.finish()


def write_tables(
    result: ImportResult,
    out_dir: str | Path,
    fmt: str = "parquet",
    *,
    inputs: Sequence[str | Path | None] = (),
) -> list[Path]:
    """Write each table as ``<out_dir>/<table>.<parquet|csv>``, atomically; returns the paths.

    Nothing is written when a table file would overwrite one of ``inputs`` (the export files
    read) or is not a file that can be written (a folder in the way): a
    :class:`~sqops.errors.UsageError`.

    Byte-identical for the same input: rows are already sorted, and neither format records
    the time of writing. CSV is UTF-8 with BOM (Excel-friendly) via :func:`sqops.render.output.csv_text`.
    """
    from sqops.importers._pqstitch import parquet_bytes, regroup, row_group_sizes, stitched
    from sqops.importers._write import csv_body
    from sqops.render.output import atomic_write_bytes, check_output, csv_text

    if fmt not in ("parquet", "csv"):
        raise UsageError(
            T(
                "未知的输出格式 “{f}”；可选：parquet, csv",
                "unknown output format '{f}'; choose parquet or csv",
            ).format(f=fmt)
        )
    out = Path(out_dir)
    names = list(result.heights())
    for name in names:
        for other in EXTENSIONS:
            clash = out / f"{name}{other}"
            if other != f".{fmt}" and clash.exists():
                raise UsageError(
                    T(
                        "已存在：sqops report 会看到两个 {t} 表；请先删除它",
                        "already exists: sqops report would see two {t} tables; remove it first",
                    ).format(t=name),
                    Location(file=display_path(clash)),
                )
    sources = [Path(p) for p in inputs if p is not None]
    for name in names:
        check_output(out / f"{name}.{fmt}", sources)
    written: list[Path] = []
    for name in IMPORTED_TABLES:
        big = result.spilled.get(name)
        if big is not None:  # on disk: written a part at a time, the same bytes
            target = out / f"{name}.{fmt}"
            if fmt == "csv":
                head = csv_text(big.columns, []).encode()
                atomic_write_bytes(target, itertools.chain([head], map(csv_body, big.batches())))
            else:
                groups = regroup(big.batches(), row_group_sizes(big.height))
                atomic_write_bytes(target, stitched(groups))
            written.append(target)
            continue
        df = result.tables.get(name)
        if df is None:
            continue
        target = out / f"{name}.{fmt}"
        if fmt == "csv":
            atomic_write_bytes(target, csv_text(df.columns, []).encode() + csv_body(df))
        else:  # (its row groups written two at a time: the same bytes)
            atomic_write_bytes(target, parquet_bytes(df))
        written.append(target)
    return written


def other_tables(out_dir: str | Path, written: Sequence[Path]) -> list[Path]:
    """Table files already in ``out_dir`` that this import did not write (kept, and read by
    ``sqops report`` together with the new ones: e.g. a chat import then an order import)."""
    out = Path(out_dir)
    names = {p.name for p in written}
    found = []
    for name in TABLE_NAMES:
        for suffix in EXTENSIONS:
            p = out / f"{name}{suffix}"
            if p.name not in names and p.is_file():
                found.append(p)
    return found
