"""Tables → the report object: KPIs per stage and group, the fleet, statuses, advice, quality."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from sqops.data.membership import Prepared, latest_day, prepare, to_date, to_int
from sqops.data.tables import Tables, prepare_tables
from sqops.domain.kpis import KPI, KPI_NAMES, needs
from sqops.domain.stages import LIFECYCLE, STAGE, STAGE_NAMES, lifecycle_day
from sqops.domain.status import STATUS_RANK
from sqops.errors import DataError, UsageError
from sqops.i18n import T
from sqops.report import kpis as K
from sqops.report.channels import NEEDS as CHANNEL_NEEDS
from sqops.report.channels import Channels, build_channels
from sqops.report.coverage import Coverage, build_coverage, mark_gaps
from sqops.report.service import Service, build_service
from sqops.report.settings import Settings
from sqops.report.triage import Rollup, TriageEntry, build_rollups, build_triage, check_attributes

if TYPE_CHECKING:  # (the types of the JSON output: sqops.report.schema)
    from sqops.report import schema as S
    from sqops.report.actions import ActionsBeside, MemberActions
    from sqops.report.compare import Previous
    from sqops.report.trend import Point, Trend
    from sqops.report.views import Views

SCHEMA_VERSION = 1


@dataclass
class Kpi:
    name: str
    stage: str
    value: float | None
    numerator: float | None
    denominator: float | None
    target: float | None
    floor: float | None
    status: str  # good | warn | bad | no_target | no_data | unavailable | not_started
    available: bool
    needs: list[str]
    #: data-coverage gaps overlapping the stage's evaluated window (``report/coverage.py``)
    gaps: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    #: with --compare: the value on the earlier day and the change (report/compare.py)
    previous: Previous | None = None
    #: with --trend: this KPI at as-of − 7k, oldest first (report/trend.py)
    trend: list[Point | None] | None = None

    @property
    def better(self) -> str:
        return KPI[self.name].better

    def to_dict(self) -> S.KpiDoc:
        doc: S.KpiDoc = {
            "name": self.name,
            "value": _round(self.value, 4),
            "numerator": _num(self.numerator),
            "denominator": _num(self.denominator),
            "target": self.target,
            "floor": self.floor,
            "status": self.status,
            "available": self.available,
            "needs": list(self.needs),
            "better": self.better,
        }
        if self.gaps:
            doc["gaps"] = [[a.isoformat(), b.isoformat()] for a, b in self.gaps]
        if self.previous is not None:
            self.previous.fill(doc)
        return doc


@dataclass
class Stage:
    stage: str
    status: str  # not_started | in_progress | complete
    window: tuple[dt.date | None, dt.date | None]
    kpis: list[Kpi]

    @property
    def health(self) -> str | None:
        ranks = [STATUS_RANK[k.status] for k in self.kpis if k.status in STATUS_RANK]
        if not ranks:
            return None
        return {v: k for k, v in STATUS_RANK.items()}[min(ranks)]

    def to_dict(self) -> S.StageDoc:
        return {
            "stage": self.stage,
            "status": self.status,
            "health": self.health,
            "window": [_d(self.window[0]), _d(self.window[1])],
            "kpis": [k.to_dict() for k in self.kpis],
        }


@dataclass
class Advice:
    kpi: str
    stage: str
    status: str
    text: T

    def to_dict(self, lang: str) -> S.AdviceDoc:
        return {
            "kpi": self.kpi,
            "stage": self.stage,
            "status": self.status,
            "text": self.text.get(lang),
        }


@dataclass
class GroupReport:
    group_id: str
    name: str | None
    day0: dt.date
    day_index: int
    current_stage: str | None
    stages: list[Stage]
    advice: list[Advice]
    members_today: int

    @property
    def lifecycle_day(self) -> int:
        """The as-of day as people read it (第 N 天: the launch day is day 1)."""
        return lifecycle_day(self.day_index)

    def stage(self, name: str) -> Stage:
        return next(s for s in self.stages if s.stage == name)

    def kpi(self, name: str) -> Kpi:
        return next(k for s in self.stages for k in s.kpis if k.name == name)

    def to_dict(self, lang: str) -> S.ReportGroupDoc:
        return {
            "group_id": self.group_id,
            "name": self.name,
            "day0": self.day0.isoformat(),
            "day_index": self.day_index,
            "current_stage": self.current_stage,
            "members_on_as_of": self.members_today,
            "stages": [s.to_dict() for s in self.stages],
            "advice": [a.to_dict(lang) for a in self.advice],
        }


@dataclass
class Report:
    as_of: dt.date
    tz: str
    lang: str
    basis: str
    community: str | None
    data_quality: S.DataQualityDoc
    fleet: list[Kpi]
    groups: list[GroupReport]
    prepared: Prepared | None = None  # the inputs, for the lists and the charts
    settings: Settings | None = None
    #: every group, worst current-stage health first (``report/triage.py``)
    triage: list[TriageEntry] = field(default_factory=list)
    #: ``--by ATTR``: per attribute, its values' groups and pooled KPIs
    rollups: dict[str, list[Rollup]] = field(default_factory=dict)
    #: (attribute, value) when this is one value's part of a roll-up (``-o DIR/`` with --by)
    scope: tuple[str, str | None] | None = None
    channels: Channels | None = None  # spec §3 channels (report/channels.py)
    coverage: dict[str, Coverage] = field(default_factory=dict)  # per group (report/coverage.py)
    service: Service | None = None  # questions and staff response (spec §3), report/service.py
    #: with --compare: the earlier day each KPI's ``previous`` is from (report/compare.py)
    compared_with: dt.date | None = None
    #: with --trend: every KPI at as-of − 7k (report/trend.py)
    trend: Trend | None = None

    @property
    def groups_detailed(self) -> list[GroupReport]:
        """The groups whose sections the terminal and Markdown show: every group, or past
        ``TRIAGE_TOP`` of them the worst ``TRIAGE_TOP`` by the triage (in the report's group
        order); the HTML and JSON show every group."""
        from sqops.report.triage import TRIAGE_TOP

        if len(self.groups) <= TRIAGE_TOP or not self.triage:
            return self.groups
        top = {e.group_id for e in self.triage[:TRIAGE_TOP]}
        return [g for g in self.groups if g.group_id in top]

    @property
    def detailed_ids(self) -> set[str] | None:
        """The ids of :attr:`groups_detailed` when they are not every group, else None (the
        per-group rows of the sections follow the same cut)."""
        shown = self.groups_detailed
        return None if len(shown) == len(self.groups) else {g.group_id for g in shown}

    @property
    def fleet_shown(self) -> list[Kpi]:
        """The fleet's KPIs a reader is shown: those of stages some group has started."""
        return [k for k in self.fleet if k.status != "not_started"]

    @cached_property
    def views(self) -> Views:
        """The lists, cohorts and chart series the HTML report shows (``report/views.py``),
        computed on first use: the JSON and Markdown outputs do not need them."""
        from sqops.report.views import build_views

        views = build_views(self)
        _ = self.actions  # (the page shows the member actions too: made from the same inputs)
        return views

    @cached_property
    def actions(self) -> MemberActions:
        """The member actions (``report/actions.py``), computed on first use."""
        from sqops.report.actions import build_actions

        return build_actions(self)

    def members(self) -> list[tuple[str, Any]]:
        """The top-level members of the JSON document, in its order: each a value or a
        function making it (made when written); ``groups`` a function giving the group
        sections' dicts one at a time (what :mod:`sqops.report.jsonstream` writes a piece at
        a time, and :meth:`to_dict` whole)."""
        members: list[tuple[str, Any]] = [
            ("schema_version", SCHEMA_VERSION),
            ("as_of", self.as_of.isoformat()),
            ("timezone", self.tz),
            ("lang", self.lang),
            ("community", self.community),
            ("basis", self.basis),
            ("triage", lambda: [e.to_dict(self.lang) for e in self.triage]),
            ("data_quality", self.data_quality),
            (
                "fleet",
                lambda: {"groups": len(self.groups), "kpis": [k.to_dict() for k in self.fleet]},
            ),
            (
                "rollups",
                lambda: {a: [r.to_dict() for r in rows] for a, rows in self.rollups.items()},
            ),
            ("groups", lambda: (g.to_dict(self.lang) for g in self.groups)),
            (
                "channels",
                lambda: (self.channels or Channels(False, list(CHANNEL_NEEDS), [], {})).to_dict(),
            ),
            ("service", lambda: self.service.to_dict() if self.service is not None else None),
            ("actions", lambda: self.actions.to_dict()),
        ]
        if self.compared_with is not None:
            members.append(("compared_with", self.compared_with.isoformat()))
        if self.trend is not None:
            trend = self.trend
            members.append(("trend", lambda: trend.to_dict()))
        return members

    def to_dict(self) -> S.ReportDoc:
        doc: dict[str, Any] = {}
        for key, value in self.members():
            made = value() if callable(value) else value
            doc[key] = list(made) if key == "groups" else made
        return cast("S.ReportDoc", doc)


def _d(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _round(v: float | None, n: int) -> float | None:
    return None if v is None else round(float(v), n)


def _num(v: float | None) -> float | int | None:
    if v is None:
        return None
    return int(v) if float(v).is_integer() else round(float(v), 2)


def status_of(name: str, value: float | None, target: float | None, floor: float | None) -> str:
    if value is None:
        return "no_data"
    if target is None:
        return "no_target"
    v = round(value, 9)
    if KPI[name].lower_is_better:
        if v <= target:
            return "good"
        return "warn" if floor is None or v <= floor else "bad"
    if v >= target:
        return "good"
    return "warn" if floor is None or v >= floor else "bad"


def _kpi(
    name: str,
    num: float | None,
    den: float | None,
    settings: Settings,
    needs: list[str],
    started: bool,
) -> Kpi:
    target, floor = settings.targets.get(name, (None, None))
    stage = KPI[name].stage
    if needs:
        return Kpi(name, stage, None, None, None, target, floor, "unavailable", False, needs)
    if not started:
        return Kpi(name, stage, None, None, None, target, floor, "not_started", True, [])
    value = num / den if num is not None and den else None
    return Kpi(
        name, stage, value, num, den, target, floor, status_of(name, value, target, floor), True, []
    )


def _quality(
    tables: Tables, p: Prepared, coverage: dict[str, Coverage] | None = None
) -> S.DataQualityDoc:
    out: list[S.TableQualityDoc] = []
    for name, td in tables.tables.items():
        out.append(
            {
                "table": name,
                "source": td.source,
                "rows": td.rows_read,
                "valid": td.valid_rows,
                "rejected": td.reject_counts,
                "first_rejected_rows": td.first_rejected_rows(),
                "duplicates": td.duplicates,
                "first_duplicate_rows": td.duplicate_rows,
                "after_as_of": p.after_as_of.get(name, 0),
                "unattributed": p.unattributed.get(name, 0),
            }
        )
    cov = {g: c.to_dict() for g, c in (coverage or {}).items()}
    return {"tables": out, "staff_ids": len(p.staff), "coverage": cov}


def pooler(
    results: Mapping[str, Mapping[str, tuple[float, float]]],
    waiting_groups: Collection[str],
    need: Mapping[str, list[str]],
    settings: Settings,
    waiting: bool | None = None,
) -> Callable[[Iterable[str] | None], list[Kpi]]:
    """``pool(gids)``: the KPIs of groups ``gids`` (None: all) pooled, Σ numerators /
    Σ denominators, summed in group-id order (the single pass and the merge of a partitioned
    run use this one, so their floats are the same sums). ``results``: KPI → group →
    (numerator, denominator); ``waiting_groups``: the groups whose KPI waits for a weekly
    block (``waiting``: whether any does, default ``bool(waiting_groups)``)."""
    wait_any = bool(waiting_groups) if waiting is None else waiting
    wait_set = set(waiting_groups)

    def pool(gids: Iterable[str] | None = None) -> list[Kpi]:
        out: list[Kpi] = []
        chosen = None if gids is None else sorted(gids)
        wait = wait_any if chosen is None else bool(wait_set.intersection(chosen))
        for name in KPI_NAMES:
            r = results[name]
            vals = list(r.values()) if chosen is None else [r[g] for g in chosen if g in r]
            started = bool(vals)
            num = sum(v[0] for v in vals) if vals else None
            den = sum(v[1] for v in vals) if vals else None
            needs_ = need[name]
            if KPI[name].available_from is not None and not vals and not needs_ and wait:
                needs_ = list(KPI[name].waiting_needs)
            out.append(_kpi(name, num, den, settings, needs_, started))
        return out

    return pool


def build_report(
    tables: Tables | Mapping[str, pl.LazyFrame | pl.DataFrame],
    *,
    settings: Settings | None = None,
    as_of: dt.date | None = None,
    lang: str = "en",
    groups: Iterable[str] | None = None,
    by: Sequence[str] = (),
    compare: dt.date | str | None = None,
    trend: int | None = None,
    missing_groups_ok: bool = False,
    sections: bool = True,
    prepared: Prepared | None = None,
    actions_beside: bool = False,
) -> Report:
    """The whole report. ``tables`` may be :class:`Tables` or in-memory frames by table name.

    ``by``: attributes of ``settings.group_vars`` to roll the groups up by. ``compare`` (a day
    or ``"prev"``) and ``trend`` (a number of points) add each KPI on earlier days
    (``report/compare.py``, ``report/trend.py``); ``missing_groups_ok``: a group of ``groups``
    without data yet is left out instead of being an error; ``sections=False``: the KPIs alone,
    without the coverage, channels and service sections (what an earlier day of ``compare``
    and ``trend`` needs); ``prepared``: the inputs of this as-of day, already made from
    ``tables`` with these settings (an earlier day's, by ``Prepared.at``); ``actions_beside``:
    each member's action made in a thread beside the sections (for an output that shows the
    member actions: :class:`sqops.report.actions.ActionsBeside`)."""
    if by:
        check_attributes(by, settings.group_vars if settings else {})
    settings = settings or Settings()
    if not isinstance(tables, Tables):
        tables = prepare_tables(tables, tz=settings.tz, columns=settings.columns)
    found = group_names_in(tables)
    if any(g not in settings.group_names for g in found):
        # a group the SOP does not name is shown by the name its export gives (the SOP wins)
        settings = dataclasses.replace(settings, group_names={**found, **settings.group_names})
    as_of = as_of or latest_day(tables)
    only = list(groups) if groups else None
    p = prepared or prepare(  # (a Prepared is always true)
        tables,
        as_of=as_of,
        sop_staff=settings.staff_ids,
        day0=settings.day0,
        default_day0=settings.default_day0,
        only_groups=only,
        koc=settings.koc,
    )
    if p.groups.height == 0 and not only:
        raise DataError(
            T(
                "截至 {d} 没有任何消息或成员事件（数据从更晚的日期开始？）",
                "no message or member event on or before {d} (does the data start later?)",
            ).format(d=as_of.isoformat())
        )
    if only:
        missing = sorted(set(only) - set(p.groups["group_id"].to_list()))
        if missing and not missing_groups_ok:
            raise UsageError(
                T("数据里没有这个群：{g}", "no such group in the data: {g}").format(
                    g=", ".join(missing)
                )
            )
    pattern = settings.nickname_pattern
    need = needs(
        has_table=lambda t: t in tables,
        has_col=lambda t, c: t in tables and tables[t].has(c),
        events=lambda t: tables[t].event_types if t in tables else frozenset(),
        pattern=pattern,
    )
    gids = p.groups["group_id"].to_list()  # (the groups' order: the group reports' below)
    # the sections (coverage, channels, service) need none of the KPIs: two threads make
    # both — the sections first, in one task, the KPIs one by one as a thread comes free —
    # mostly polars, which releases the GIL: one after another on this thread, the second
    # core idled for a third of it (the adherence section has ended by now). More threads at
    # once held more memory (benchmarks/README.md, "report sections, session 17").
    threads = ThreadPoolExecutor(2, thread_name_prefix="sqops-report")
    # (set when the run ends by an error or a signal: the sections' task stops at the next
    # section instead of making them all while the run waits for it)
    stop = threading.Event()
    made: Future[tuple[dict[str, Coverage], Channels, Service]] | None = None
    started: list[ActionsBeside] = []

    def actions() -> None:
        # the member actions in their thread once the KPIs are made (begun beside them, the
        # run took more CPU and memory: benchmarks/README.md, "report sections, session 17");
        # the coupons are known to them when their KPI needs nothing (no ``available_from``
        # for it, so the fleet's ``needs`` is this)
        if sections and actions_beside:
            from sqops.report.actions import ActionsBeside

            started.append(ActionsBeside(p, not need["coupon_usage_rate"]))

    try:
        if sections:
            made = threads.submit(_sections, tables, p, settings, as_of, gids, stop)
        report = _assemble(
            tables, p, settings, as_of, lang, by, need, pattern, threads, made, actions
        )
    finally:
        # (no thread reads the tables once this returns or raises)
        stop.set()
        threads.shutdown(wait=True, cancel_futures=True)
        for thread in started:
            thread.join()
    for thread in started:
        thread.give(report)
    if compare is not None or trend is not None:
        from sqops.report.trend import add_history

        add_history(report, tables, compare=compare, points=trend, groups=only)
    return report


def _assemble(
    tables: Tables,
    p: Prepared,
    settings: Settings,
    as_of: dt.date,
    lang: str,
    by: Sequence[str],
    need: Mapping[str, list[str]],
    pattern: str | None,
    threads: Executor,
    made: Future[tuple[dict[str, Coverage], Channels, Service]] | None,
    then: Callable[[], None],
) -> Report:
    """The report of the prepared inputs ``p``: the KPIs per group and the fleet (each KPI
    on ``threads``), the statuses, advice, triage, roll-ups; the sections taken from
    ``made`` (their task on ``threads``); ``then`` called once the KPIs are made."""
    # per KPI: group_id -> (num, den)
    results: dict[str, dict[str, tuple[float, float]]] = {}
    wins = {s: K.windows(p, s) for s in STAGE_NAMES}
    waiting = False  # some group is in retention but no weekly block fits yet
    waiting_groups: set[str] = set()  # (those groups)
    frames = _kpi_frames(
        threads,
        p,
        [n for n in KPI_NAMES if not need[n] and wins[KPI[n].stage].height],
        wins,
        pattern,
    )
    then()
    for name in KPI_NAMES:
        kd = KPI[name]
        win = wins[kd.stage]
        if name not in frames:
            results[name] = {}
            continue
        df = frames[name]
        results[name] = {g: (n, d) for g, n, d in df.iter_rows()}
        if kd.available_from is not None:
            d0s = dict(p.groups.iter_rows())
            results[name] = {
                g: v for g, v in results[name].items() if p.as_of - d0s[g] >= kd.available_from
            }
            waiting = waiting or win.height > len(results[name])
            waiting_groups.update(set(win["group_id"].to_list()) - results[name].keys())

    on_asof = (
        p.presence.filter((pl.col("s") <= p.as_of) & (pl.col("e") >= p.as_of))
        .group_by("group_id")
        .agg(pl.len().alias("n"))
    )
    on_map = dict(on_asof.iter_rows())
    group_reports: list[GroupReport] = []
    for gid, d0 in p.groups.iter_rows():
        idx = p.as_of - d0
        current = None if idx < 0 else next(s for s in LIFECYCLE if STAGE[s].contains(idx))
        stages: list[Stage] = []
        for sd in STAGE.values():
            s = sd.name
            started = sd.started(idx)
            w = sd.window(d0, p.as_of)
            a, b = w if w is not None else sd.span(d0)
            window = (to_date(a), None if b is None else to_date(b))
            status = sd.status(idx)
            ks = []
            for name in KPI_NAMES:
                kd = KPI[name]
                if kd.stage != s:
                    continue
                nd = results[name].get(gid)
                needs_ = need[name]
                if (
                    kd.available_from is not None
                    and started
                    and not needs_
                    and idx < kd.available_from
                ):
                    needs_ = list(kd.waiting_needs)
                ks.append(
                    _kpi(
                        name,
                        nd[0] if nd else None,
                        nd[1] if nd else None,
                        settings,
                        needs_,
                        started,
                    )
                )
            stages.append(Stage(s, status, window, ks))
        advice = [
            Advice(k.name, st.stage, k.status, KPI[k.name].advice)
            for st in stages
            for k in st.kpis
            if k.status in ("warn", "bad")
            and (st.stage == current or st.stage == "propagation" or st.status != "not_started")
        ]
        advice.sort(
            key=lambda a: (a.stage != current, STATUS_RANK[a.status], STAGE_NAMES.index(a.stage))
        )
        group_reports.append(
            GroupReport(
                gid,
                settings.group_names.get(gid),
                to_date(d0),
                idx,
                current,
                stages,
                advice,
                int(on_map.get(gid, 0)),
            )
        )

    pool = pooler(results, waiting_groups, need, settings, waiting)

    fleet = pool(None)
    triage = build_triage(group_reports)

    coverage: dict[str, Coverage] = {}
    channels: Channels | None = None
    service: Service | None = None
    if made is not None:
        coverage, channels, service = made.result()
        mark_gaps(group_reports, coverage)
    return Report(
        as_of=as_of,
        tz=settings.tz,
        lang=lang,
        basis=p.basis,
        community=settings.community,
        data_quality=_quality(tables, p, coverage),
        fleet=fleet,
        groups=group_reports,
        prepared=p,
        settings=settings,
        triage=triage,
        rollups=build_rollups(by, group_reports, triage, settings.group_vars, pool),
        channels=channels,
        coverage=coverage,
        service=service,
    )


def _kpi_frames(
    threads: Executor,
    p: Prepared,
    names: list[str],
    wins: Mapping[str, pl.DataFrame],
    pattern: str | None,
) -> dict[str, pl.DataFrame]:
    """Each KPI of ``names`` (``group_id, num, den``) on ``threads``' threads (each a few
    polars queries, which release the GIL: one after another, most run on one core while
    the other idles); an error is raised as one after another would: the first KPI's in
    ``names``' order."""

    def one(name: str) -> pl.DataFrame:
        return K.compute(p, name, wins[KPI[name].stage], pattern)

    return dict(zip(names, threads.map(one, names), strict=True))


class _Stopped(Exception):
    """The sections' task stopped: the run ended (an error, a signal) while it worked."""


def _sections(
    tables: Tables,
    p: Prepared,
    settings: Settings,
    as_of: dt.date,
    gids: list[str],
    stop: threading.Event,
) -> tuple[dict[str, Coverage], Channels, Service]:
    """The coverage, channels and service sections of ``p``, in that order (:class:`_Stopped`
    between two of them once ``stop`` is set: nobody waits for them any more)."""
    coverage = build_coverage(tables, as_of, gids)
    if stop.is_set():
        raise _Stopped
    channels = build_channels(p, "members" in tables and tables["members"].has("channel"), gids)
    if stop.is_set():
        raise _Stopped
    service = build_service(
        tables,
        p,
        tz=settings.tz,
        quiet_hours=settings.quiet_hours,
        sla_hours=settings.sla_hours,
        group_names=settings.group_names,
    )
    return coverage, channels, service


def group_names_in(tables: Tables) -> dict[str, str]:
    """The groups' names the messages carry (``group_name``, written by importers whose
    exports name the chat beside its id, e.g. WeChat's ``TalkerName``): each group's latest
    name. Kept on ``tables`` (asked again by every earlier day of ``--trend``)."""
    if "group_names" in tables.memo:
        return dict(tables.memo["group_names"])
    out: dict[str, str] = {}
    m = tables["messages"]
    if m.has("group_name"):
        df = (
            m.frame.filter(pl.col("group_name").is_not_null())
            .group_by("group_id")
            .agg(pl.col("group_name").sort_by("ts").last())
            .collect()
        )
        out = {str(g): str(n) for g, n in df.iter_rows()}
    tables.memo["group_names"] = out
    return dict(out)


def label(name: str, lang: str) -> str:
    return KPI[name].label.get(lang)


__all__ = ["SCHEMA_VERSION", "Report", "Settings", "build_report", "status_of", "to_int"]
