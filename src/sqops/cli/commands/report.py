"""``sqops report``: a community health report from chat, member and order tables."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sqops.cli import common as cli_common
from sqops.cli.common import (
    EXIT_FINDINGS,
    AsOfOpt,
    EncodingOpt,
    GroupOpt,
    LangOpt,
    OutputOpt,
    SopOpt,
    TzOpt,
    echo,
    format_option,
    one_of,
    parse_day,
    running,
)
from sqops.cli.helptext import H
from sqops.data.runtime import gc_paused, keep_to_end
from sqops.errors import UsageError
from sqops.i18n import T

if TYPE_CHECKING:
    from sqops.cli.route import Route
    from sqops.sop.loader import LoadedSop


class ReportFormat(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    html = "html"
    xlsx = "xlsx"


class FailUnder(StrEnum):
    warn = "warn"
    bad = "bad"


class EngineChoice(StrEnum):
    local = "local"
    dask = "dask"


def _path_opt(table: str) -> Any:
    return typer.Option(
        f"--{table}",
        help=H(
            f"{table} 表（代替 DATA/{table}.*）。", f"The {table} table (overrides DATA/{table}.*)."
        ),
        show_default=False,
    )


def report(
    data: Annotated[
        list[Path] | None,
        typer.Argument(
            help=H(
                "数据表文件夹（messages.csv、members.csv、orders.xlsx 等）或一个消息文件；"
                "加 --preset 时为导出文件本身。",
                "A folder of tables (messages.csv, members.csv, orders.xlsx, ...) or a messages "
                "file; with --preset, the export files themselves.",
            )
        ),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help=H(
                "把 DATA... 当作这种格式的导出文件一步读取，无需先写表（见 `sqops import --help`；"
                "`auto` 逐个文件识别）。",
                "Read DATA... as exports of this format (see `sqops import --help`; `auto` "
                "detects each file) in one step, without writing tables first.",
            ),
        ),
    ] = None,
    sop: SopOpt = None,
    as_of: AsOfOpt = None,
    group: GroupOpt = None,
    tz: TzOpt = None,
    columns: Annotated[
        Path | None,
        typer.Option(
            "--columns",
            help=H(
                "YAML 列映射 {表: {标准列名: 源列名}}。",
                "YAML column map {table: {canonical: source}}.",
            ),
        ),
    ] = None,
    encoding: EncodingOpt = None,
    fmt: Annotated[ReportFormat | None, format_option(ReportFormat)] = None,
    output: OutputOpt = None,
    lists: Annotated[
        Path | None,
        typer.Option(
            "--lists",
            help=H(
                "把待跟进名单（CSV）写入此文件夹；路径以 .xlsx 结尾时写成一个工作簿。",
                "Write the lists to act on (CSV) into this folder, or into one workbook "
                "when the path ends in .xlsx.",
            ),
        ),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help=H(
                "把被拒绝的行（CSV，带行号）写入此文件夹。",
                "Write rejected rows (CSV, with row numbers) into this folder.",
            ),
        ),
    ] = None,
    fail_under: Annotated[
        FailUnder | None,
        typer.Option(
            "--fail-under",
            help=H(
                "当前阶段有指标处于此状态时以 1 退出（warn：warn 或 bad）。",
                "Exit 1 when a current-stage KPI is at this status (warn: warn or bad).",
            ),
            **one_of(FailUnder),
        ),
    ] = None,
    adherence: Annotated[
        bool,
        typer.Option(
            "--adherence/--no-adherence",
            help=H(
                "配合 --sop：加入计划执行对照（docs/adherence.md）。",
                "With --sop: add plan against practice (docs/adherence.md).",
            ),
        ),
    ] = True,
    views: Annotated[
        bool,
        typer.Option(
            "--views",
            help=H(
                "JSON：加入 HTML 报告所展示的名单、同期群与图表序列。",
                "JSON: add the lists, cohorts and chart series the HTML report shows.",
            ),
        ),
    ] = False,
    by: Annotated[
        list[str] | None,
        typer.Option(
            "--by",
            metavar="ATTR",
            help=H(
                "按此属性汇总各群（SOP 中 groups[].vars 的键或 --groups 的列；可重复）：每个取值"
                "的合并指标与 good/warn/bad 群数。配合 -f md -o DIR/：每个取值一个 Markdown 文件。",
                "Roll the groups up by this attribute (a key of the SOP's groups[].vars or a "
                "--groups column; repeatable): pooled KPIs and good/warn/bad groups per value. "
                "With -f md -o DIR/: one Markdown file per value.",
            ),
        ),
    ] = None,
    groups_csv: Annotated[
        Path | None,
        typer.Option(
            "--groups",
            metavar="FILE",
            help=H(
                "群/门店 CSV（与 sqops plan 的 --groups 相同：id、name、launched_on，"
                "以及 owner、city 等属性列，供 --by 使用）；其取值优先于 SOP 的 groups。",
                "CSV of groups/stores, as sqops plan's --groups (id, name, launched_on, and "
                "attribute columns such as owner, city for --by); its values win over the SOP's "
                "groups.",
            ),
        ),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            metavar="DAY|prev",
            help=H(
                "每个指标与更早的一天对比（YYYY-MM-DD，或 prev = 截止日 − 7）：之前的值、变化，"
                "比率还给出 上升/下降/噪声（z 检验）。",
                "Compare each KPI with an earlier day (YYYY-MM-DD, or prev = "
                "as-of − 7): previous value, delta, and for rates up/down/noise (z-test).",
            ),
        ),
    ] = None,
    trend: Annotated[
        int | None,
        typer.Option(
            "--trend",
            metavar="N",
            help=H(
                "趋势：每个指标在 截止日 − 7k 的值，k = 0..N−1（2 ≤ N ≤ 26）。",
                "Trend: each KPI at as-of − 7k, k = 0..N−1 (2 ≤ N ≤ 26).",
            ),
        ),
    ] = None,
    partitions: Annotated[
        int | None,
        typer.Option(
            "--partitions",
            metavar="N",
            min=1,
            help=H(
                "按群分 N 桶逐桶计算再精确合并（结果与一次计算逐字节相同；各表先流式写成各桶的"
                "文件，一次只计算一桶，各桶的部分结果写在临时文件夹里，合并时再读回）。",
                "Run the report over N buckets of groups in turn and merge them exactly "
                "(the same bytes as one pass; the tables are first written into the buckets' "
                "files in streaming passes, one bucket is computed at a time, and each "
                "bucket's partial results wait in a temporary folder until the merge).",
            ),
        ),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            "--memory-limit",
            metavar="SIZE",
            help=H(
                "内存上限（如 2G、1500M），据此决定分桶数；默认本机内存的一半，"
                "数据超出时自动分桶。",
                "Memory bound (e.g. 2G, 1500M) that decides the number of buckets; default half "
                "the machine's RAM, partitioning by itself when the data needs it.",
            ),
        ),
    ] = None,
    engine: Annotated[
        EngineChoice,
        typer.Option(
            "--engine",
            help=H(
                "在哪里计算：local（本进程）或 dask（各群分桶作为任务交给 Dask 集群，"
                "结果与一次计算逐字节相同；需 pip install 'sqops[dask]'）。",
                "Where to compute: local (this process) or dask (the buckets of groups as "
                "tasks on a Dask cluster, the same bytes as one pass; needs "
                "pip install 'sqops[dask]').",
            ),
            **one_of(EngineChoice),
        ),
    ] = EngineChoice.local,
    address: Annotated[
        str | None,
        typer.Option(
            "--address",
            metavar="tcp://HOST:8786",
            help=H(
                "配合 --engine dask：Dask 调度器的地址；不给时在本机启动一个 LocalCluster。",
                "With --engine dask: the Dask scheduler's address; without it, a "
                "LocalCluster on this machine.",
            ),
        ),
    ] = None,
    shared_dir: Annotated[
        Path | None,
        typer.Option(
            "--shared-dir",
            metavar="DIR",
            help=H(
                "配合 --engine dask：分桶文件写到此文件夹（每个 worker 都能以同一路径读取的"
                "共享存储）；默认系统临时文件夹。",
                "With --engine dask: write the bucket files into this folder (shared storage "
                "every worker reads at the same path); default the system's temporary folder.",
            ),
        ),
    ] = None,
    messages: Annotated[Path | None, _path_opt("messages")] = None,
    members: Annotated[Path | None, _path_opt("members")] = None,
    staff: Annotated[Path | None, _path_opt("staff")] = None,
    posts: Annotated[Path | None, _path_opt("posts")] = None,
    engagement: Annotated[Path | None, _path_opt("engagement")] = None,
    orders: Annotated[Path | None, _path_opt("orders")] = None,
    coupons: Annotated[Path | None, _path_opt("coupons")] = None,
    lang: LangOpt = None,
) -> None:
    """Health report: each stage's KPIs against target, advice, lists to act on, data quality.

    Exit codes: 0 ok; 1 --fail-under was hit; 2 could not run (bad input, missing column, ...).

    [zh]
    健康报告：各阶段指标对照目标、建议、待跟进名单、数据质量。

    退出码：0 正常；1 触发 --fail-under；2 无法运行（输入有误、缺少列等）。
    """
    # (the GC paused for the whole run: its imports, the SOP, then hundreds of thousands of
    # objects that live to the end; from the command line they are frozen after, as the
    # process ends: sqops.data.runtime)
    with running(lang) as run, gc_paused(freeze=cli_common.PROCESS_ENDS_WITH_RUN):
        from sqops.data.tables import HOLD_FROM_ROWS, read_tables
        from sqops.report.settings import Settings  # (report.build: imported while reading)

        settings = Settings()
        if sop is not None:
            from sqops.sop.loader import load_sop

            loaded = load_sop(sop)
            run.use_sop_language(loaded.sop.community.language)
            settings = Settings.from_loaded(loaded, tz)
        elif tz:
            settings.tz = tz
        from sqops.data.scalars import get_tz

        get_tz(settings.tz)  # an unknown zone is a usage error before any data is read
        if columns is not None:
            from sqops.data.columns import read_column_maps

            for table, cmap in read_column_maps(columns).items():
                settings.columns.setdefault(table, {}).update(cmap.columns)
        if groups_csv is not None:
            _read_groups_file(groups_csv, settings)
        day = parse_day(as_of, "--as-of") if as_of else None
        prior = _compare_arg(compare)
        if trend is not None:
            from sqops.report.trend import check_points

            check_points(trend)
        paths = {
            k: v
            for k, v in {
                "messages": messages,
                "members": members,
                "staff": staff,
                "posts": posts,
                "engagement": engagement,
                "orders": orders,
                "coupons": coupons,
            }.items()
            if v is not None
        }
        inputs = list(data or [])
        if preset is None and len(inputs) > 1:
            raise UsageError(
                T(
                    "只能给一个数据文件夹；要直接读取聊天或订单导出文件，请加 --preset FORMAT",
                    "give one data folder; to read chat or order exports directly, add --preset FORMAT",
                )
            )
        if preset is not None and (not inputs or paths):
            raise UsageError(
                T(
                    "--preset 需要导出文件作为 DATA，且不能与 --messages 等表选项同用",
                    "--preset takes the export files as DATA, and no --messages/--orders/... options",
                )
            )
        if not inputs and "messages" not in paths:
            raise UsageError(
                T(
                    "请给出数据文件夹 DATA 或 --messages 文件",
                    "give a data folder DATA or --messages FILE",
                )
            )
        from sqops.cli.route import route

        to = route(
            fmt,
            output,
            list(ReportFormat),
            per_group="md" if by else None,
            inputs=[*inputs, sop, columns, groups_csv, *paths.values()],
        )
        if to.per_group and to.fmt != "md":
            raise UsageError(
                T(
                    "-o DIR/ 配合 --by 时每个值写一个 Markdown 文件：请用 --format md",
                    "-o DIR/ with --by writes one Markdown file per value: use --format md",
                )
            )
        if by:
            from sqops.report.triage import check_attributes

            check_attributes(by, settings.group_vars)  # (before any data is read)
        limit = None
        eng = _engine(engine, address, shared_dir)
        if memory_limit is not None:
            from sqops.report.partition import memory_limit_bytes

            limit = memory_limit_bytes(memory_limit)  # (a bad size: before any data is read)
        from sqops.report.budget import one_row_group_ahead

        # (--memory-limit: Parquet row groups read one at a time)
        with one_row_group_ahead(limit):
            from sqops.cli.common import spinner

            with spinner(T("正在读取数据…", "reading the data…").get(run.lang)):
                if preset is not None:
                    tables = _preset_tables(preset, inputs, settings.tz, run.lang, limit)
                else:
                    # (what the run imports once the tables are read: imported meanwhile)
                    imports = _ImportsBeside(_after_reading(bool(sop and adherence), to.fmt))
                    from sqops.early import take

                    try:
                        tables = _read_or_hint(
                            lambda: read_tables(
                                inputs[0] if inputs else None,
                                paths,
                                tz=settings.tz,
                                columns=settings.columns,
                                encoding=encoding,
                                hold=_held_bytes(partitions, limit, eng.distributed),
                                hold_from=HOLD_FROM_ROWS,
                                started=take(),  # (begun by the entry point: sqops.early)
                            ),
                            [*inputs, *paths.values()],
                        )
                    finally:
                        imports.join()  # (no module imported by two threads at once)
                # the plan-against-practice section is computed beside the report, in a
                # thread (both are mostly polars, which releases the GIL); its outcome is
                # taken once the report is made, as if it ran after it
                adh = None
                pending = None
                if sop and adherence:
                    from sqops.data.membership import latest_day

                    day = day or latest_day(tables)  # (what build_report takes without one)
                    pending = _Beside(
                        loaded, tables, day, run.lang, group, then=_section_beside(to, run.lang)
                    )
                try:
                    n = _buckets(tables, partitions, limit, inputs[0] if inputs else None, run.lang)
                    # (what reads every member's inputs: the merged inputs of the buckets)
                    whole = lists is not None or views or to.fmt in ("html", "xlsx")
                    streamed = to.fmt == "json" and to.path is not None and not (prior or trend)
                    if n and limit is not None and (whole or not streamed):
                        _say_built_whole(run.lang)
                    # what every way of making the report is told (the one pass, the buckets
                    # here, the buckets on a cluster)
                    common: dict[str, Any] = {
                        "settings": settings,
                        "as_of": day,
                        "lang": run.lang,
                        "by": by or (),
                        "compare": prior,
                        "trend": trend,
                        "groups": group,
                    }
                    if eng.distributed:
                        from sqops.report.engine import run_partitioned

                        rep = run_partitioned(
                            tables,
                            eng,
                            partitions=partitions,
                            memory_limit=limit,
                            shared_dir=shared_dir,
                            inputs=whole,
                            **common,
                        )
                    elif n:
                        from sqops.report.partition import partitioned_report

                        rep = partitioned_report(
                            tables, n, inputs=whole, memory_limit=limit, **common
                        )
                    else:
                        from sqops.report.build import build_report

                        rep = build_report(tables, **common, actions_beside=True)
                finally:
                    if pending is not None:
                        pending.join()  # (no thread reads the tables once they are removed)
                adh_json = None
                if pending is not None:
                    adh = pending.result()
                    adh_json = pending.made if adh is not None else None
            _write_outputs(rep, tables, to, lists, rejects, adh, views=views, adh_json=adh_json)
            if cli_common.KEEP_TO_END and not eng.distributed:
                # (from the command line: freed with the process, not object by object)
                keep_to_end(tables, rep, adh)
        if fail_under is not None:
            from sqops.report.verdict import failing_kpis, failing_message

            hit = failing_kpis(rep, fail_under.value)
            if hit:
                echo(failing_message(hit, fail_under.value, run.lang), err=True)
                raise typer.Exit(EXIT_FINDINGS)


def _read_or_hint(read: Any, given: list[Path]) -> Any:
    """``read()``; when the data cannot be read as tables, say which export format the files
    look like and the ``--preset`` that reads them."""
    from sqops.errors import Problem, SqopsError

    try:
        return read()
    except SqopsError as exc:
        from sqops.importers import suggest_preset

        found = suggest_preset(given)
        if not found:
            raise
        fmts = sorted({f for _, f in found})
        files = " ".join(shlex.quote(p.as_posix()) for p, _ in found)
        hint = T(
            "这些是聊天或订单导出文件（{f}），不是 sqops 表：用 sqops report --preset {p} {x} "
            "直接读取，或先用 sqops import {p} {x} -o tables/ 转成表",
            "these are chat or order exports ({f}), not sqops tables: read them with "
            "sqops report --preset {p} {x}, or turn them into tables first with "
            "sqops import {p} {x} -o tables/",
        ).format(f=", ".join(fmts), p=fmts[0] if len(fmts) == 1 else "auto", x=files)
        raise type(exc)(exc.text, exc.where, problems=[*exc.problems, Problem(hint)]) from None


def _compare_arg(text: str | None) -> Any:
    """``--compare``: ``prev`` as it is (as-of − 7, known once the data is read), else a day."""
    if text is None or text.strip().lower() == "prev":
        return text
    return parse_day(text, "--compare")


def _preset_tables(
    preset: str, inputs: list[Path], tz: str, lang: str, limit: int | None = None
) -> Any:
    """``--preset``: import the exports, show what could not be read, validate.

    The import keeps to ``limit`` (``--memory-limit``; None: half the machine's RAM) as
    ``sqops import`` does: past a share of it the messages are spilled to disk, and then the
    imported tables are written to a private folder and read from there (the report names
    their sources as it does for tables held in memory; the folder goes when the run ends)."""
    from sqops.data.runtime import memory_limit_bytes
    from sqops.data.tables import prepare_tables
    from sqops.importers import FORMATS, import_files
    from sqops.importers.problems import problem_lines

    names = [*FORMATS, "auto"]
    if preset not in names:
        from sqops.errors import did_you_mean

        hint = did_you_mean(preset, names)
        raise UsageError(
            T(
                "未知的导出格式 {p}；可选：{a}", "unknown export format {p}; choose one of: {a}"
            ).format(p=preset, a=", ".join(names))
            + (T(f"，你是不是想写 {hint}？", f"; did you mean {hint}?") if hint else T("", ""))
        )
    bound = limit if limit is not None else memory_limit_bytes(None)
    result = import_files(preset, inputs, tz=tz, memory_limit=bound)
    for line in problem_lines(result.problems, lang)[0]:
        echo(line, err=True)
    if not result.spilled:
        return prepare_tables(result.tables, tz=tz)
    return _spilled_preset_tables(result, inputs, tz)


def _spilled_preset_tables(result: Any, inputs: list[Path], tz: str) -> Any:
    """An import too big for memory: its tables written as Parquet to a private folder, then
    validated from there as the in-memory tables would be (same sources, same bytes out)."""
    import shutil
    import tempfile
    import weakref

    import polars as pl

    from sqops.data import spills
    from sqops.data.tables import prepare_tables
    from sqops.importers import write_tables

    folder = Path(tempfile.mkdtemp(prefix="sqops-preset-"))
    try:
        try:
            written = write_tables(result, folder, "parquet", inputs=list(inputs))
        finally:
            result.close()  # (the spilled runs: merged into the messages file by now)
        tables = prepare_tables({p.stem: pl.scan_parquet(p) for p in written}, tz=tz)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    # removed with the tables, or by the command line when the run ends (Ctrl-C included)
    spills.register(weakref.finalize(tables, spills.remove_tree, folder))
    return tables


def _engine(engine: EngineChoice, address: str | None, shared_dir: Path | None) -> Any:
    """``--engine``, ``--address`` and ``--shared-dir`` checked (Dask is not imported here)."""
    from sqops.report.engine import Engine

    if shared_dir is not None and engine != EngineChoice.dask:
        raise UsageError(
            T(
                "--shared-dir 是 Dask worker 读取分桶文件的文件夹：请同时给出 --engine dask",
                "--shared-dir is where Dask workers read the bucket files: add --engine dask",
            )
        )
    return Engine(engine.value, address=address)


def _buckets(
    tables: Any, partitions: int | None, limit: int | None, data: Any = None, lang: str = "zh"
) -> int:
    """The buckets of a partitioned run (0: one pass): ``--partitions``, else from
    ``--memory-limit``, else from half the machine's RAM when the data needs more than one
    (a data folder partitioned by group: from each group's on-disk bytes; a limit under what
    any number of buckets needs is said on stderr)."""
    from sqops.report.partition import (
        floor_estimate,
        group_bytes,
        memory_limit_bytes,
        partitions_for,
    )

    if partitions is not None:
        if limit is not None:
            _say_little_room(limit, lang)
        return partitions
    lim = limit if limit is not None else memory_limit_bytes(None)
    sizes = group_bytes(data)
    if limit is not None and sizes is not None and floor_estimate(sizes) > limit:
        echo(
            T(
                "注意：--memory-limit {l} MB 低于这份数据分桶后仍需的约 {f} MB（合并时保留的结果随数据增长），按约 {f} MB 分桶",
                "note: --memory-limit {l} MB is under the ~{f} MB this data needs in any number "
                "of buckets (the results kept for the merge grow with the data); buckets chosen "
                "for ~{f} MB",
            )
            .format(l=_mb(limit), f=_mb(floor_estimate(sizes)))
            .get(lang),
            err=True,
        )
    n = partitions_for(tables, lim, sizes)
    if sizes is None and (limit is not None or n > 1):
        n = _buckets_by_rows(tables, lim, n, limit is not None, lang)
    elif limit is not None and n > 1 and not floor_estimate(sizes or {}) > limit:
        _say_little_room(limit, lang)
    return n if n > 1 else 0


def _say_little_room(limit: int, lang: str, held: int | None = None) -> None:
    """A partitioned run under ``--memory-limit`` that leaves less than the smallest room of
    phase 0 (:data:`sqops.report.split.MIN_ROOM`) beside what the process holds (``held``,
    else measured now): said on stderr, whatever chose the number of buckets (each pass
    writing the bucket files and each slice of the attribution takes at least that room)."""
    from sqops.data.runtime import resident_bytes
    from sqops.report.split import MIN_ROOM

    held = resident_bytes() if held is None else held
    if held is None or limit - held >= MIN_ROOM:
        return
    echo(
        T(
            "注意：--memory-limit {l} MB 在读入数据后本进程已占用的约 {h} MB 之外剩余不足 {m} MB：写分桶文件的每一遍和无群行归属的每一片至少使用 {m} MB，本次运行可能超过上限",
            "note: --memory-limit {l} MB leaves less than {m} MB beside the ~{h} MB this "
            "process holds once the data is read: each pass writing the bucket files and "
            "each slice attributing the rows without a group takes at least {m} MB, and the "
            "run may go over the limit",
        )
        .format(l=_mb(limit), h=_mb(held), m=_mb(MIN_ROOM))
        .get(lang),
        err=True,
    )


def _held_bytes(partitions: int | None, limit: int | None, distributed: bool) -> int:
    """What the tables' typed copies may hold in memory (``read_tables(hold=…)``): none for
    a partitioned run (its buckets read the copies on disk), else a share of the limit."""
    from sqops.data.tables import held_budget

    return 0 if partitions is not None or distributed else held_budget(limit)


def _mb(n: int) -> str:
    """``n`` bytes in MB for a note: whole MB, or two figures under 1 MB (a limit of 16K
    read "0 MB")."""
    return str(n >> 20) if n >= 1 << 20 else f"{n / (1 << 20):.2g}"


def _say_built_whole(lang: str) -> None:
    """A partitioned run under ``--memory-limit`` whose output is made whole after the
    buckets: say that only ``-f json -o FILE`` keeps the bound to the end (docs/report.md,
    "What is bounded")."""
    echo(
        T(
            "注意：--memory-limit 只约束读取、分桶和合并；终端输出、Markdown、HTML、xlsx、--lists、--views、输出到标准输出的 JSON 以及带 --compare/--trend 的报告在合并后整体在内存中生成，可能超过上限（只有不带 --compare/--trend 的 -f json -o 文件 逐群写出）",
            "note: --memory-limit bounds the reading, the buckets and the merge; the terminal, "
            "Markdown, HTML, xlsx, --lists, --views, JSON to stdout and reports with "
            "--compare/--trend are made whole in memory after the merge and may go over it "
            "(only -f json -o FILE without --compare/--trend is written a group at a time)",
        ).get(lang),
        err=True,
    )


def _buckets_by_rows(tables: Any, limit: int, cells: int, said: bool, lang: str) -> int:
    """Flat files: the fewest buckets whose measured estimate (what the process holds now +
    a bucket's rows in memory × the work per byte, report/budget.py) is under ``limit``;
    ``cells`` (the tables' cells rule) when the process already holds the limit or the
    system does not say what it holds (said on stderr when ``--memory-limit`` was given)."""
    from sqops.data.runtime import resident_bytes
    from sqops.report.budget import budget

    held = resident_bytes()
    if held is None:
        if said:
            echo(
                T(
                    "注意：系统不提供本进程占用的内存（没有 /proc），按表格大小分为 {n} 桶",
                    "note: the system does not say what this process holds (no /proc): "
                    "{n} buckets chosen from the tables' size",
                )
                .format(n=cells)
                .get(lang),
                err=True,
            )
        return cells
    n = budget(tables, held).partitions(limit)
    if n is not None:
        if said and n > 1:
            _say_little_room(limit, lang, held)
        return n
    if said:
        echo(
            T(
                "注意：--memory-limit {l} MB 低于读入数据后本进程已占用的约 {h} MB（各 id 的字典等），任何分桶数都守不住；按表格大小分为 {n} 桶",
                "note: --memory-limit {l} MB is under the ~{h} MB this process holds once the "
                "data is read (the ids' dictionaries...): no number of buckets keeps it; "
                "{n} buckets chosen from the tables' size",
            )
            .format(l=_mb(limit), h=_mb(held), n=cells)
            .get(lang),
            err=True,
        )
    return cells


def _write_outputs(
    rep: Any,
    tables: Any,
    to: Route,
    lists: Path | None,
    rejects: Path | None,
    adh: Any = None,
    *,
    views: bool = False,
    adh_json: Any = None,
) -> None:
    """The report's outputs; ``adh_json``: its plan-against-practice section for the JSON,
    made beside the report (:func:`_section_beside`; None: made here from ``adh``)."""
    from sqops.report import render

    if rejects is not None:
        from sqops.report.export import write_rejects

        write_rejects(tables, rejects, to.inputs)
    if lists is not None and lists.suffix.lower() == ".xlsx" and not lists.is_dir():
        from sqops.render.output import atomic_write_bytes, check_output
        from sqops.report.xlsx import lists_xlsx

        check_output(lists, to.inputs)
        atomic_write_bytes(lists, lists_xlsx(rep))
    elif lists is not None:
        from sqops.report.export import write_lists

        write_lists(rep, lists, to.inputs)
    if to.per_group:
        _write_rollup_files(rep, to)
        return
    if to.terminal:
        from sqops.render.console import console

        shown = None if lists is None else lists.as_posix().rstrip("/") + "/"
        render.print_terminal(rep, console(), lists_dir=shown)
        _print_adherence(adh, rep.lang, console())
        return
    # the report and its plan-against-practice section composed as data, rendered once
    if to.fmt == "xlsx":
        from sqops.report.xlsx import to_xlsx

        sheets = []
        if adh is not None:
            from sqops.adherence.xlsx import adherence_sheets

            sheets = adherence_sheets(adh, rep.lang)
        to.write(to_xlsx(rep, sheets))
        return
    if to.fmt == "html":
        from sqops.report.html import to_html

        sections = []
        if adh is not None:
            from sqops.adherence.render import html_section

            sections.append(html_section(adh, rep.lang))
        text: str | bytes = to_html(rep, sections)
    elif to.fmt == "json" and to.path is not None:
        # (into a file a piece at a time, a group section after another: the same bytes
        # without the whole document in memory, report/jsonstream.py)
        from sqops.report.jsonstream import write_json

        if adh_json is None and adh is not None:
            adh_json = adh.to_dict(rep.lang, detail=False)
        write_json(rep, to.path, adh_json, views=views)
        return
    elif to.fmt == "json":
        if adh_json is None and adh is not None:
            adh_json = adh.to_dict(rep.lang, detail=False)
        text = render.to_json_bytes(rep, adh_json, views=views)  # (to stdout: sqops.cli.route)
    else:
        parts = []
        if adh is not None:
            from sqops.adherence.render import render_md

            parts.append(render_md(adh, rep.lang, level=2))
        text = render.to_markdown(rep, parts)
    to.write(text)


def _read_groups_file(path: Path, settings: Any) -> None:
    """``--groups FILE`` (the plan's store list): its attribute columns over the SOP's
    ``groups[].vars``, and its ``name`` and ``launched_on`` over the SOP's (an empty cell
    leaves the SOP's value) — a fleet of thousands of stores is listed there, not in the SOP,
    which holds about 8,000 groups at most (docs/limits.md)."""
    from sqops.plan import read_groups_csv

    for g in read_groups_csv(path):
        for k, v in g.vars.items():
            if v.strip():
                settings.group_vars.setdefault(g.id, {})[k] = v.strip()
        if g.name and g.name != g.id:
            settings.group_names[g.id] = g.name
        if g.launched_on is not None:
            settings.day0[g.id] = g.launched_on


def _write_rollup_files(rep: Any, to: Route) -> None:
    """``--by ATTR -f md -o DIR/``: per attribute and value, ``ATTR-VALUE.md`` (``no-ATTR.md``
    for the groups without it) with that value's triage, pooled KPIs and groups."""
    from sqops.report import render
    from sqops.report.triage import file_stem, scoped

    files: dict[str, tuple[str, Any]] = {}
    seen: dict[str, str] = {}  # (case-folded: one file on macOS and Windows)
    for attr, rows in rep.rollups.items():
        for row in rows:
            name = file_stem(attr, row.value) + ".md"
            shown = f"{attr}={row.value}"
            if name.casefold() in seen:
                raise UsageError(
                    T(
                        "“{a}” 和 “{b}” 的文件名相同（{n}）",
                        "'{a}' and '{b}' map to the same file name ({n})",
                    ).format(a=seen[name.casefold()], b=shown, n=name)
                )
            seen[name.casefold()] = shown
            to.check_file(name)
            files[name] = (attr, row)
    for name, (attr, row) in files.items():
        to.write_file(name, render.to_markdown(scoped(rep, attr, row)))


def _after_reading(adherence: bool, fmt: str) -> list[str]:
    """The modules a one-pass report imports once its tables are read (``adherence``: with
    the plan-against-practice section; ``fmt``: the output's format)."""
    names = [
        "sqops.report.build",
        "sqops.report.partition",
        "sqops.report.actions",
        "sqops.report.render",
    ]
    if adherence:
        names += ["sqops.adherence", "sqops.adherence.views"]
    if fmt == "json":
        names.append("sqops.report.jsonstream")
    return names


class _ImportsBeside:
    """Modules imported in a thread while the tables are read: reading is mostly polars,
    which releases the GIL, so the imports (Python: compiling and running the modules,
    ~0.2 CPU-s for the report and its plan-against-practice section) take the time the
    interpreter is free instead of coming after the reading (benchmarks/README.md, "report
    fixed costs, session 15"). An import that fails is left to the run, which imports the
    module where it needs it and meets the error there. :meth:`join` before anything else
    imports them."""

    def __init__(self, names: Sequence[str]) -> None:
        import threading

        self._thread = threading.Thread(
            target=self._run, args=(tuple(names),), name="sqops-imports", daemon=True
        )
        self._thread.start()

    @staticmethod
    def _run(names: tuple[str, ...]) -> None:
        import importlib

        for name in names:
            try:
                importlib.import_module(name)
            except Exception:  # (the run's own import meets it again)
                return

    def join(self) -> None:
        # (in short waits: a Ctrl-C is taken at once, not when the last import ends — a
        # plain join's wait is not broken by SIGINT; the daemon thread ends with the process)
        while self._thread.is_alive():
            self._thread.join(0.05)


def _section_beside(to: Route, lang: str) -> Callable[[Any], Any] | None:
    """What the plan-against-practice thread makes of its section for the output once it is
    computed, while the report is still being computed: for the JSON its dict
    (``to_dict(lang, detail=False)``, ~0.2–0.3 CPU-s at 10 M messages), and for a JSON file
    its text too (:func:`sqops.report.jsonstream.dumped`): else both come after the report,
    on one core, at the run's end (benchmarks/README.md, "report ends and adherence,
    session 16"). None for the other formats."""
    if to.fmt != "json":
        return None
    if to.path is not None and not to.per_group and _regular_file(to.path):
        from sqops.report.jsonstream import dumped

        return lambda adh: dumped(lambda: adh.to_dict(lang, detail=False))
    return lambda adh: adh.to_dict(lang, detail=False)


def _regular_file(path: Path) -> bool:
    """Whether the JSON goes to a regular file (or a new one), written a piece at a time with
    the section's text written ahead: a pipe or a device is written whole, from the section's
    dict (:func:`sqops.report.jsonstream.write_json`), so its text made ahead would be made for
    nothing."""
    from sqops.errors import UsageError
    from sqops.render.output import output_kind

    try:
        return output_kind(path) == "file"
    except UsageError:  # (the writer says what is wrong with it)
        return False


class _Beside:
    """Plan against practice for ``report --sop``, computed in a thread: :meth:`result` gives
    it, or None with a note when it cannot run (the note written then, and an unexpected
    error raised then: as if it ran when the result is asked for); :attr:`made`: what
    ``then`` made of it in the same thread (None when it did not run, or raised: the output
    then makes it again on the main thread, where an error is what it always was, not a
    section "skipped")."""

    def __init__(
        self,
        loaded: LoadedSop,
        tables: Any,
        day: Any,
        lang: str,
        groups: Any,
        *,
        then: Callable[[Any], Any] | None = None,
    ) -> None:
        import threading

        self._args = (loaded, tables, day, lang, groups)
        self._then = then
        self._out: Any = None
        self.made: Any = None
        self._exc: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sqops-adherence", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from sqops.adherence import compute_adherence

        loaded, tables, day, lang, groups = self._args
        try:
            self._out = compute_adherence(
                loaded, tables, as_of=day, lang=lang, groups=groups or None
            )
        except BaseException as exc:  # (taken to the main thread by result())
            self._exc = exc
            return
        if self._then is not None:
            try:
                self.made = self._then(self._out)
            except Exception:  # (made again by the output, on the main thread)
                self.made = None

    def join(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        from sqops.errors import SqopsError

        self.join()
        if isinstance(self._exc, SqopsError):
            lang = self._args[3]
            prefix = T("未生成计划执行部分：", "plan against practice skipped: ").get(lang)
            echo(prefix + self._exc.render(lang), err=True)
            return None
        if self._exc is not None:
            raise self._exc
        return self._out


def _print_adherence(adh: Any, lang: str, con: Any) -> None:
    if adh is not None:
        from sqops.adherence.render import to_renderables

        for r in to_renderables(adh, lang):
            con.print(r)


def register(app: typer.Typer) -> None:
    app.command("report")(report)
