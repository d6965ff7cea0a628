"""Cadence → dated occurrences per group, date-specific conflicts, rendered scripts.

Nothing here reads the clock: the window ``[start, start + days)`` is given. Dates are local
dates in the SOP's timezone and times are local wall-clock times.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from sqops.domain.stages import stage_of_index
from sqops.errors import Location, Problem, SopError, TemplateError, UsageError, did_you_mean
from sqops.i18n import T
from sqops.plan import _cadence, _holidays
from sqops.plan._model import Conflict, DayInfo, GroupInfo, GroupPlan, Occurrence, Plan
from sqops.plan.load import People, plan_load
from sqops.plan.scripts import build_context, compile_script, render_session
from sqops.plan.scripts import render as render_template
from sqops.sop.model import MonthlyItem, is_push

if TYPE_CHECKING:
    from sqops.sop.loader import LoadedSop

MAX_DAYS = 3660

DEFAULT_GROUP_ID = "default"


# ------------------------------------------------------------------ item ids
def _derived(section: str, text: str) -> str:
    return f"{section}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"


def item_ids(loaded: LoadedSop) -> dict[tuple[str, int], str]:
    """The stable id of every cadence item: its ``id``, else ``<section>-<hash of title>``.

    A derived id depends only on the item's section and title (and the campaign's date), so
    adding, removing or re-timing *other* items never changes it; two items with the same
    title in one section get ``-2``, ``-3`` in file order. Duplicate explicit ids are an error.
    """
    cad = loaded.sop.cadence
    out: dict[tuple[str, int], str] = {}
    seen: dict[str, tuple[str, int]] = {}
    sections: list[tuple[str, Sequence[Any]]] = [
        ("lifecycle", cad.lifecycle),
        ("campaign", cad.campaigns),
        ("monthly", cad.monthly),
        ("weekly", cad.weekly),
        ("daily", cad.daily),
    ]
    # explicit ids first, so a derived id never takes an explicit one
    for section, items in sections:
        for i, item in enumerate(items):
            if item.id:
                if item.id in seen:
                    key = "campaigns" if section == "campaign" else section
                    raise SopError(
                        T("条目 id “{i}” 重复", "duplicate item id '{i}'").format(i=item.id),
                        loaded.where(("cadence", key, i, "id")),
                    )
                seen[item.id] = (section, i)
                out[(section, i)] = item.id
    for section, items in sections:
        for i, item in enumerate(items):
            if item.id:
                continue
            text = item.title if section != "campaign" else f"{item.title}|{item.date.isoformat()}"
            base = _derived(section, text)
            cand, n = base, 1
            while cand in seen:
                n += 1
                cand = f"{base}-{n}"
            seen[cand] = (section, i)
            out[(section, i)] = cand
    return out


# ------------------------------------------------------------------ groups
def sop_groups(loaded: LoadedSop) -> list[GroupInfo]:
    """The groups the SOP declares, or one group standing for the whole community."""
    sop = loaded.sop
    if not sop.groups:
        return [GroupInfo(DEFAULT_GROUP_ID, sop.community.name, sop.community.launched_on, {})]
    return [
        GroupInfo(
            g.id,
            g.name or g.id,
            g.launched_on or sop.community.launched_on,
            dict(g.vars),
            loaded.where(("groups", i)),
        )
        for i, g in enumerate(sop.groups)
    ]


def default_start(loaded: LoadedSop, groups: Sequence[GroupInfo] | None = None) -> dt.date | None:
    """``--start`` when not given: the launch day of the first group (None: no launch date)."""
    groups = list(groups) if groups is not None else sop_groups(loaded)
    if groups and groups[0].launched_on:
        return groups[0].launched_on
    return loaded.sop.community.launched_on


# ------------------------------------------------------------------ expansion
def _filters_ok(
    item: Any, info: DayInfo, cal: _holidays.Calendar | None = None
) -> tuple[bool, bool]:
    """(keep?, undecided?) for an item's ``skip_on`` / ``only_on`` on a day."""
    match = cal.matches if cal is not None else _holidays.matches
    undecided = False
    for what in item.skip_on:
        m = match(info, what)
        if m:
            return False, False
        if m is None:
            undecided = True
    if item.only_on:
        results = [match(info, what) for what in item.only_on]
        if any(r is True for r in results):
            return True, undecided
        if all(r is False for r in results):
            return False, False
        undecided = True
    return True, undecided


def _check_country(loaded: LoadedSop) -> None:
    """``community.country`` must be a country the ``holidays`` package knows."""
    country = loaded.sop.holiday_country
    if country in (None, "CN"):
        return
    supported = _holidays.supported_countries()
    if country in supported:
        return
    hint = did_you_mean(country, supported)
    text = T(
        "holidays 包不认识国家代码 {c}（ISO 3166 两位字母，或 none）",
        "the holidays package does not know the country code {c} (ISO 3166 two letters, or none)",
    ).format(c=country)
    if hint:
        text = T(text.zh + f"；你是不是想写 “{hint}”？", text.en + f"; did you mean '{hint}'?")
    raise SopError(text, loaded.where(("community", "country")))


def allowed_on(item: Any, date: dt.date, cal: _holidays.Calendar | None = None) -> bool:
    """Do an item's ``skip_on`` / ``only_on`` let it fall on ``date``, as the plan decides?
    (``holiday`` means a statutory holiday, not a weekend; undecided days keep the item.)
    ``cal``: the SOP's calendar (``calendar_for(sop)``), China's without one.
    Used by ``sqops demo`` so that generated posts follow the same days as the plan."""
    if not (getattr(item, "skip_on", None) or getattr(item, "only_on", None)):
        return True  # nothing to decide: no need for the holiday calendar
    cal = cal if cal is not None else _holidays._default()
    return _filters_ok(item, cal.day_info(date), cal)[0]


_UNDECIDED = T(
    "这一天的放假调休安排尚未公布，skip_on/only_on 无法判断，已保留此条，请人工确认",
    "this day's holiday arrangement is not announced yet, so skip_on/only_on could not be "
    "checked; kept, please check",
)


def _days_left(k: int, lang: str) -> str:
    if lang == "zh":
        return f"还有 {k} 天"
    return "1 day left" if k == 1 else f"{k} days left"


def _dst_checker(tz_name: str, start: dt.date, end: dt.date) -> Any:
    """For zones with clock changes in the window: a function (date, time) → a note when that
    local time does not exist (spring forward) or happens twice (fall back); else None."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(tz_name)
    offsets = {
        dt.datetime.combine(start + dt.timedelta(days=i), dt.time(12), tzinfo=tz).utcoffset()
        for i in range(0, (end - start).days + 2)
    }
    if len(offsets) == 1:
        return None

    def check(date: dt.date, time: dt.time) -> T | None:
        local = dt.datetime.combine(date, time, tzinfo=tz)
        back = local.astimezone(dt.UTC).astimezone(tz)
        if back.replace(tzinfo=None) != local.replace(tzinfo=None):
            return T(
                "{t} 这一天因夏令时调整不存在，日历会把它顺延",
                "{t} does not exist on this day (daylight saving time starts); calendars will shift it",
            ).format(t=time.strftime("%H:%M"))
        if local.utcoffset() != local.replace(fold=1).utcoffset():
            return T(
                "{t} 这一天因夏令时结束出现两次，按第一次",
                "{t} happens twice on this day (daylight saving time ends); the first one is meant",
            ).format(t=time.strftime("%H:%M"))
        return None

    return check


def _role_names(sop: Any) -> dict[str, str | None]:
    names: dict[str, str | None] = {}
    for r in sop.roles:
        names.setdefault(r.role, r.name)
    return names


def _moved_note(day: int | str, date: dt.date) -> T:
    return T(
        "每月 {n} 日：{m} 月只有 {d} 天，改在 {m} 月 {d} 日",
        "day {n} of the month: month {m} has {d} days, so it falls on the {d}th",
    ).format(n=day, m=date.month, d=date.day)


def _facts(
    loaded: LoadedSop,
    section: str,
    index: int,
    date: dt.date,
    lang: str,
    ids: dict[tuple[str, int], str],
    role_names: dict[str, str | None],
) -> dict[str, Any]:
    """What an occurrence of a cadence item says apart from its group and day (the same on
    every date, except for a countdown's days left)."""
    key = "campaigns" if section in ("campaign", "countdown") else section
    item = getattr(loaded.sop.cadence, key)[index]
    id_section = "campaign" if section == "countdown" else section
    item_id = ids[(id_section, index)]
    title, time, script_name = item.title, item.time, item.script
    campaign_id = countdown = None
    if id_section == "campaign":
        campaign_id = item_id
    if section == "countdown":
        countdown = (item.date - date).days
        item_id = f"{campaign_id}-cd{countdown}"
        left = _days_left(countdown, lang)
        title = f"{item.title} · {left}" if lang != "zh" else f"距{item.title}{left}"
        time = item.countdown_time or item.time
        script_name = item.countdown_script
    return {
        "item_id": item_id,
        "source": section,
        "time": time,
        "title": title,
        "kind": item.kind,
        "owner": item.owner,
        "person": item.person or (role_names.get(item.owner) if item.owner else None),
        "script_name": script_name,
        "campaign_id": campaign_id,
        "countdown": countdown,
        "item_where": loaded.where(("cadence", key, index)),
        "item_path": ("cadence", key, index),
    }


def _occurrence(
    group: GroupInfo, launch: dt.date, date: dt.date, notes: list[T], facts: dict[str, Any]
) -> Occurrence:
    day_index = (date - launch).days
    return Occurrence(
        group_id=group.id,
        date=date,
        day_index=day_index,
        stage=stage_of_index(day_index),
        notes=notes,
        **facts,
    )


def make_occurrence(
    loaded: LoadedSop,
    group: GroupInfo,
    launch: dt.date,
    section: str,
    index: int,
    date: dt.date,
    *,
    lang: str,
    ids: dict[tuple[str, int], str] | None = None,
) -> Occurrence:
    """The occurrence of one cadence item on one date, as the plan lists it (id, title, time,
    person, script, campaign and countdown). ``section`` is one of
    :data:`sqops.plan.CADENCE_SECTIONS`; a ``countdown``'s index is its campaign's. No window,
    filter, note or launch check is applied here: :func:`expand` does that."""
    ids = ids if ids is not None else item_ids(loaded)
    facts = _facts(loaded, section, index, date, lang, ids, _role_names(loaded.sop))
    return _occurrence(group, launch, date, [], facts)


def _expand_group(
    loaded: LoadedSop,
    group: GroupInfo,
    launch: dt.date,
    start: dt.date,
    days: int,
    lang: str,
    ids: dict[tuple[str, int], str],
    calendar_: dict[dt.date, DayInfo],
    facts: dict[tuple[str, int, dt.date | None], dict[str, Any]],
    cal: _holidays.Calendar | None = None,
) -> list[Occurrence]:
    """One group's occurrences; ``facts`` is shared by the groups of one plan (a cache)."""
    sop = loaded.sop
    cad = sop.cadence
    end = start + dt.timedelta(days=days)
    role_names = _role_names(sop)
    people = People(sop)
    who: dict[tuple[Any, ...], str | None] = {}  # item path → responsible person here
    out: list[Occurrence] = []
    dst = _dst_checker(sop.community.timezone, start, end)
    sections = (
        ("lifecycle", cad.lifecycle),
        ("campaign", cad.campaigns),
        ("countdown", [c if c.countdown_days else None for c in cad.campaigns]),
        ("monthly", cad.monthly),
        ("weekly", cad.weekly),
        ("daily", cad.daily),
    )
    for section, items in sections:
        for index, item in enumerate(items):
            if item is None:
                continue
            filtered = hasattr(item, "skip_on")
            for date in _cadence.item_dates(section, item, start=start, end=end, launch=launch):
                notes: list[T] = []
                if isinstance(item, MonthlyItem) and _cadence.is_moved(item.day, date):
                    notes.append(_moved_note(item.day, date))
                if filtered:
                    keep, undecided = _filters_ok(item, calendar_[date], cal)
                    if not keep:
                        continue
                    if undecided:
                        notes.append(_UNDECIDED)
                key = (section, index, date if section == "countdown" else None)
                said = facts.get(key)
                if said is None:
                    said = facts[key] = _facts(loaded, section, index, date, lang, ids, role_names)
                if dst is not None:
                    odd = dst(date, said["time"])
                    if odd is not None:
                        notes.append(odd)
                occ = _occurrence(group, launch, date, notes, said)
                path = occ.item_path
                if path not in who:
                    who[path] = people.of(path, group.vars)
                occ.responsible = who[path]
                out.append(occ)
    out.sort(key=Occurrence.sort_key)
    return out


def find_conflicts(
    loaded: LoadedSop, group_id: str, occurrences: Iterable[Occurrence]
) -> list[Conflict]:
    """Rules broken on particular dates: conversion posts in quiet hours, too many posts a
    day (``rules.max_posts_per_day``), several posts in the same minute."""
    rules = loaded.sop.rules
    by_date: dict[dt.date, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        by_date[o.date].append(o)
    out: list[Conflict] = []
    for date in sorted(by_date):
        occs = by_date[date]
        if rules.quiet_hours is not None:
            for o in occs:
                if o.kind == "conversion" and rules.quiet_hours.contains(o.time):
                    out.append(
                        Conflict(
                            group_id, date, "quiet-hours",
                            T(
                                "{t} “{title}” 是转化内容，落在免打扰时段 {q} 内",
                                "{t} '{title}' is conversion content inside the quiet hours {q}",
                            ).format(t=o.time.strftime("%H:%M"), title=o.title, q=str(rules.quiet_hours)),
                            (o.item_id,),
                        )
                    )  # fmt: skip
        pushes = [o for o in occs if is_push(o.kind)]  # the same rule as `sqops lint`
        if len(pushes) > rules.max_posts_per_day:
            out.append(
                Conflict(
                    group_id, date, "posts-per-day",
                    T(
                        "这一天有 {n} 条发布，超过群规上限 {m} 条",
                        "{n} posts on this day, more than the limit of {m} (rules.max_posts_per_day)",
                    ).format(n=len(pushes), m=rules.max_posts_per_day),
                    tuple(o.item_id for o in pushes),
                )
            )  # fmt: skip
        by_time: dict[dt.time, list[Occurrence]] = defaultdict(list)
        for o in occs:
            by_time[o.time].append(o)
        for t in sorted(by_time):
            same = by_time[t]
            if len(same) > 1:
                out.append(
                    Conflict(
                        group_id, date, "same-minute",
                        T("{t} 同一分钟安排了 {n} 条：{titles}", "{n} items at the same minute {t}: {titles}").format(
                            t=t.strftime("%H:%M"), n=len(same), titles=" / ".join(o.title for o in same)
                        ),
                        tuple(o.item_id for o in same),
                    )
                )  # fmt: skip
    return out


# ------------------------------------------------------------------ rendering
def script_context(
    loaded: LoadedSop,
    occ: Occurrence,
    group: GroupInfo,
    launch: dt.date,
    lang: str,
    *,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The variables a script sees when it is rendered for ``occ`` (docs/scripts.md).

    The one builder of the script context: ``sqops plan`` renders with it and ``sqops lint``
    checks scripts with it, so what lints clean renders. ``base`` is the part common to a
    group and a date (:func:`sqops.plan.scripts.build_context`), when the caller has it already.
    """
    sop = loaded.sop
    if base is None:
        base = build_context(
            sop, date=occ.date, lang=lang, group=group.context(), launched_on=launch
        )
    ctx = dict(base)
    if occ.campaign_id is not None:
        camp = sop.cadence.campaigns[occ.item_path[2]]
        ctx["campaign"] = {
            "id": occ.campaign_id,
            "title": camp.title,
            "date": camp.date,
            "time": camp.time.strftime("%H:%M"),
        }
    ctx["item"] = {
        "id": occ.item_id,
        "title": occ.title,
        "time": occ.time.strftime("%H:%M"),
        "kind": occ.kind,
        "owner": occ.owner,
        "person": occ.person,
    }
    ctx["countdown"] = occ.countdown
    ctx["owner_name"] = occ.person  # explicit person, else the owner role's name
    return ctx


class ScriptRenderer:
    """Compiles each script once and renders occurrences with the documented context.

    The context common to a group and a date is built once (``build_context``) and only the
    item's own variables change between the items of that day; a script that uses no
    variable at all is rendered once and reused.
    """

    def __init__(self, loaded: LoadedSop, lang: str) -> None:
        self.loaded = loaded
        self.lang = lang
        self._compiled: dict[str, Any] = {}
        self._constant: dict[str, str | None] = {}  # name → output, for scripts without variables
        self._base_key: tuple[str, dt.date] | None = None
        self._base: dict[str, Any] = {}

    def compiled(self, name: str, where: Location | None) -> Any:
        if name in self._compiled:
            return self._compiled[name]
        src = self.loaded.script(name, self.lang)
        if src is None:
            raise TemplateError(
                T(
                    "脚本 “{n}” 在 scripts: 里没有定义；已定义的：{a}",
                    "script '{n}' is not defined under scripts:; defined: {a}",
                ).format(n=name, a=", ".join(sorted(self.loaded.scripts)) or "-"),
                where,
            )
        if src.problem is not None or src.text is None:
            problem = src.problem or Problem(T("脚本无法读取", "the script cannot be read"))
            raise TemplateError(problem.text, problem.where)
        compiled = compile_script(name, src.text, src.where())
        import jinja2.meta

        from sqops.plan.scripts import env

        if not jinja2.meta.find_undeclared_variables(env().parse(src.text)):
            self._constant[name] = None  # rendered on first use
        self._compiled[name] = compiled
        return compiled

    def render(self, occ: Occurrence, group: GroupInfo, launch: dt.date) -> str | None:
        name = occ.script_name
        if not name:
            return None
        if self._constant.get(name) is not None:
            return self._constant[name]
        if name not in self._compiled:
            key = "countdown_script" if occ.source == "countdown" else "script"
            where = self.loaded.where((*occ.item_path, key)) if occ.item_path else occ.item_where
            self.compiled(name, where)
        compiled = self._compiled[name]
        if self._base_key != (group.id, occ.date):
            self._base = build_context(
                self.loaded.sop,
                date=occ.date,
                lang=self.lang,
                group=group.context(),
                launched_on=launch,
            )
            self._base_key = (group.id, occ.date)
        ctx = script_context(self.loaded, occ, group, launch, self.lang, base=self._base)
        try:
            text = render_template(compiled, ctx)
        except TemplateError as exc:
            extra = T("（群 {g}，{d}）", " (group {g}, {d})").format(
                g=group.id, d=occ.date.isoformat()
            )
            err = TemplateError(exc.text + extra, exc.where)
            err.kind = getattr(exc, "kind", "render")  # type: ignore[attr-defined]
            raise err from None
        if name in self._constant:
            self._constant[name] = text
        return text


def render_scripts(loaded: LoadedSop, plan: Plan) -> Plan:
    """Render every occurrence's script in place (lazily, for plans built with ``render=False``)."""
    if plan.rendered:
        return plan
    renderer = ScriptRenderer(loaded, plan.lang)
    with render_session():
        for gp in plan.groups:
            for occ in gp.occurrences:
                occ.script = renderer.render(occ, gp.group, gp.launched_on)
    plan.rendered = True
    return plan


# ------------------------------------------------------------------ entry points
def expand(
    loaded: LoadedSop,
    *,
    start: dt.date,
    days: int,
    lang: str = "zh",
    groups: Sequence[GroupInfo] | None = None,
    render: bool = False,
) -> Plan:
    """Expand the SOP's cadence over ``[start, start + days)`` for each group.

    ``groups`` defaults to the SOP's groups (or one group for the whole community). With
    ``render=False`` (the default) scripts are not rendered: ``Occurrence.script`` stays None
    (cheap; what the adherence check uses). Raises :class:`UsageError` for a bad window,
    :class:`SopError` for duplicate item ids and :class:`TemplateError` when rendering fails.
    """
    if days < 1 or days > MAX_DAYS:
        raise UsageError(
            T("--days 应在 1..{m} 之间，读到 {d}", "--days must be 1..{m}; got {d}").format(
                m=MAX_DAYS, d=days
            )
        )
    if dt.date.max - start < dt.timedelta(days=days):
        raise UsageError(
            T(
                "计划范围超出日历：{d} 之后没有 {n} 天",
                "the window runs past the calendar: {d} + {n} days",
            ).format(d=start.isoformat(), n=days)
        )
    groups = list(groups) if groups is not None else sop_groups(loaded)
    seen_groups: set[str] = set()
    for g in groups:
        if g.id in seen_groups:
            raise SopError(T("群 id 重复：{i}", "duplicate group id: {i}").format(i=g.id), g.where)
        seen_groups.add(g.id)
    ids = item_ids(loaded)
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    _check_country(loaded)
    calendar = _holidays.calendar_for(loaded.sop)
    cal = {d: calendar.day_info(d) for d in dates}
    notices: list[T] = []
    unknown = sorted({d.year for d in dates if not cal[d].known})
    if unknown:
        notices.append(
            T(
                "holidays 包没有 {y} 年的节假日数据：这些日期不标注节假日，带 skip_on/only_on "
                "节假日条件的条目照常列出并标记“请人工确认”",
                "the holidays package has no holiday data for {y}: those dates show no holidays, "
                "and items with holiday skip_on/only_on are kept and marked 'please check'",
            ).format(y=", ".join(str(y) for y in unknown))
        )
    unannounced = [y for y in calendar.unannounced_years(dates) if y not in unknown]
    if unannounced:
        years = "、".join(str(y) for y in unannounced)
        notices.append(
            T(
                "{y} 年的放假调休安排尚未公布：法定节假日按《全国年节及纪念日放假办法》标注，"
                "补假日和节日前后的周末（可能调休上班）标为“待公布”，带 skip_on/only_on 节假日条件"
                "的条目在这些日子照常列出并标记“请人工确认”；官方安排公布后可写进 SOP 的 calendar:",
                "the {ye} holiday arrangement is not announced yet: statutory holidays are marked by "
                "the law, make-up days off and the weekends around holidays (which may become "
                "adjusted workdays) are marked 'not yet announced', and items with holiday "
                "skip_on/only_on are kept on those days and marked 'please check'; once published, "
                "declare it in the SOP's calendar:",
            ).format(y=years, ye=", ".join(str(y) for y in unannounced))
        )
    plans: list[GroupPlan] = []
    facts: dict[tuple[str, int, dt.date | None], dict[str, Any]] = {}
    end = start + dt.timedelta(days=days)
    for g in groups:
        launch = g.launched_on or start
        gp = GroupPlan(g, launch)
        if g.launched_on is None:
            gp.notes.append(
                T(
                    "没有建群日期，按计划开始日 {d} 作为第 1 天",
                    "no launch date, so the plan's start {d} is taken as day 1",
                ).format(d=start.isoformat())
            )
        elif launch >= end:
            gp.notes.append(
                T(
                    "{d} 才建群，计划范围内没有安排",
                    "launches on {d}, after this plan's window: nothing scheduled",
                ).format(d=launch.isoformat())
            )
        elif launch > start:
            gp.notes.append(
                T(
                    "{d} 建群，之前的日期不安排", "launches on {d}; nothing is scheduled before it"
                ).format(d=launch.isoformat())
            )
        gp.occurrences = _expand_group(
            loaded, g, launch, start, days, lang, ids, cal, facts, calendar
        )
        gp.conflicts = find_conflicts(loaded, g.id, gp.occurrences)
        plans.append(gp)
    plan = Plan(
        community=loaded.sop.community.name,
        timezone=loaded.sop.community.timezone,
        start=start,
        days=days,
        lang=lang,
        groups=plans,
        calendar=cal,
        holiday_data_until=calendar.arranged_until(),
        notices=notices,
    )
    if render:
        render_scripts(loaded, plan)
    return plan


def build_plan(
    loaded: LoadedSop,
    *,
    start: dt.date,
    days: int,
    lang: str,
    groups: Sequence[GroupInfo] | None = None,
) -> Plan:
    """The full plan: expanded, with date-specific conflicts, every script rendered and the
    per-person load (:mod:`sqops.plan.load`)."""
    plan = expand(loaded, start=start, days=days, lang=lang, groups=groups, render=True)
    plan.load = plan_load(loaded.sop, plan)
    return plan
