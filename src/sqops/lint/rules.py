"""The field's practice as lint rules, each with a stable id, a severity and zh/en text.

A rule is a function ``check(ctx) -> Iterable[Finding]`` registered with :func:`rule`.
Rules only judge; loading and locating are done by :mod:`sqops.sop.loader`. The practice
behind each rule is in ``docs/lint.md`` (and ``sqops lint --list-rules``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sqops.data.yamlsafe import Path_
from sqops.domain.kpis import KPI, KPI_NAMES
from sqops.errors import Location, did_you_mean
from sqops.i18n import WEEKDAYS, T
from sqops.sop.loader import LoadedSop
from sqops.sop.model import PLATFORM_LIMITS, WEEKDAY_NAMES, Sop, is_push

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    text: T
    where: Location
    hint: T | None = None

    def sort_key(self) -> tuple[Any, ...]:
        w = self.where
        return (w.file or "", w.line or 0, w.col or 0, self.rule, self.text.en)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    title: T
    hint: T
    check: Callable[[LoadedSop], Iterable[Finding]] | None = field(default=None, compare=False)


RULES: dict[str, Rule] = {}


def rule(id: str, severity: Severity, title: T, hint: T) -> Callable[..., Any]:
    def deco(
        fn: Callable[[LoadedSop], Iterable[Finding]],
    ) -> Callable[[LoadedSop], Iterable[Finding]]:
        RULES[id] = Rule(id, severity, title, hint, fn)
        return fn

    return deco


def declare(id: str, severity: Severity, title: T, hint: T) -> None:
    """A rule whose findings are produced elsewhere (the loader, the script checker)."""
    RULES[id] = Rule(id, severity, title, hint, None)


def finding(
    loaded: LoadedSop,
    rule_id: str,
    text: T,
    path: Path_,
    *,
    key: bool = False,
    severity: Severity | None = None,
) -> Finding:
    r = RULES[rule_id]
    return Finding(rule_id, severity or r.severity, text, loaded.where(path, key=key), r.hint)


# ------------------------------------------------------------------ loader rules
declare(
    "yaml-syntax",
    "error",
    T("YAML 无法解析", "YAML cannot be parsed"),
    T(
        "检查缩进、冒号后的空格和引号是否成对；重复的键要删掉一个。",
        "Check indentation, the space after each colon and matching quotes; remove duplicate keys.",
    ),
)
declare(
    "schema",
    "error",
    T("不符合 SOP 文件格式", "does not match the SOP file format"),
    T(
        "运行 sqops schema 获取 JSON Schema，在编辑器里边写边检查。",
        "Run `sqops schema` for the JSON Schema and let your editor check as you type.",
    ),
)
declare(
    "file",
    "error",
    T("文件无法读取", "file cannot be read"),
    T("SOP 文件应为 UTF-8 编码的小文本文件。", "An SOP file is a small UTF-8 text file."),
)


# --------------------------------------------------------------- cadence helpers
@dataclass(frozen=True)
class Slot:
    """One cadence entry, where it is, and which days it falls on."""

    section: str  # daily | weekly | monthly | lifecycle | campaign | countdown
    index: int
    item: Any
    time: dt.time
    kind: str
    title: str
    path: Path_  # path of the item in the YAML
    time_path: Path_

    def describe(self) -> T:
        return T(f"“{self.title}”", f"'{self.title}'")


def slots(sop: Sop) -> Iterator[Slot]:
    c = sop.cadence
    for section, items in (
        ("daily", c.daily),
        ("weekly", c.weekly),
        ("monthly", c.monthly),
        ("lifecycle", c.lifecycle),
    ):
        for i, it in enumerate(items):
            path = ("cadence", section, i)
            yield Slot(section, i, it, it.time, it.kind, it.title, path, (*path, "time"))
    for i, camp in enumerate(c.campaigns):
        path = ("cadence", "campaigns", i)
        yield Slot("campaign", i, camp, camp.time, camp.kind, camp.title, path, (*path, "time"))
        if camp.countdown_days:
            t = camp.countdown_time or camp.time
            tp = (*path, "countdown_time") if camp.countdown_time else (*path, "time")
            yield Slot("countdown", i, camp, t, camp.kind, camp.title, path, tp)


_STEADY = ("daily", "weekly", "monthly")
_REFERENCE_MONTHS: list[dt.date] = []


def _reference_months() -> list[dt.date]:
    """The first day of one real month for every (length, weekday of the 1st): 28 months in
    which the daily, weekly and monthly items meet in every way they ever can."""
    if not _REFERENCE_MONTHS:
        seen: set[tuple[int, int]] = set()
        y, m = 2001, 1
        while len(seen) < 28:
            first = dt.date(y, m, 1)
            key = ((dt.date(y + m // 12, m % 12 + 1, 1) - first).days, first.weekday())
            if key not in seen:
                seen.add(key)
                _REFERENCE_MONTHS.append(first)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return _REFERENCE_MONTHS


def _launches(sop: Sop) -> set[dt.date | None]:
    """The launch day of each group as the plan expands it (None: not known)."""
    if not sop.groups:
        return {sop.community.launched_on}
    return {g.launched_on or sop.community.launched_on for g in sop.groups}


def day_sets(sop: Sop, all_slots: list[Slot]) -> list[frozenset[int]]:
    """Every way the plan's expansion can put items together on one day of one group, as sets
    of indexes into ``all_slots`` (``slots(sop)``); no holiday filter: lint knows no dates.

    The dates come from the plan's cadence engine (:mod:`sqops.plan`: ``item_dates``,
    ``falls_on``): the steady items over :func:`_reference_months`, and for each launch
    the days of the dated items (lifecycle, campaigns, countdowns) with the steady items of
    those days. A lifecycle item of a group without a launch date may fall on any day."""
    from sqops.plan import falls_on, item_dates

    sections: dict[str, list[int]] = {}
    for i, s in enumerate(all_slots):
        sections.setdefault(s.section, []).append(i)
    months = _reference_months()
    monday = months[0] - dt.timedelta(days=months[0].weekday())

    def on(section: str, d: dt.date) -> set[int]:
        return {i for i in sections.get(section, []) if falls_on(section, all_slots[i].item, d)}

    # daily and weekly items by weekday; monthly items by date
    by_weekday = [
        on("daily", monday) | on("weekly", monday + dt.timedelta(days=w)) for w in range(7)
    ]
    sets: set[frozenset[int]] = {frozenset(x) for x in by_weekday}
    for first in months:
        end = (first + dt.timedelta(days=32)).replace(day=1)
        monthly: dict[dt.date, set[int]] = {}
        for i in sections.get("monthly", []):
            for d in item_dates("monthly", all_slots[i].item, start=first, end=end):
                monthly.setdefault(d, set()).add(i)
        sets.update(frozenset(by_weekday[d.weekday()] | v) for d, v in monthly.items())
    launches = _launches(sop)
    for launch in launches:
        dated: dict[dt.date, set[int]] = {}
        for section in ("lifecycle", "campaign", "countdown"):
            for i in sections.get(section, []):
                for d in item_dates(
                    section, all_slots[i].item, start=dt.date.min, end=None, launch=launch
                ):
                    dated.setdefault(d, set()).add(i)
        for d, found in dated.items():
            sets.add(frozenset(found | by_weekday[d.weekday()] | on("monthly", d)))
    if None in launches:
        floating: dict[int, set[int]] = {}
        for i in sections.get("lifecycle", []):
            floating.setdefault(all_slots[i].item.day, set()).add(i)
        life = set(sections.get("lifecycle", []))
        bases: set[frozenset[int]] = {b - life for b in sets} | {frozenset()}
        sets.update(b | f for b in bases for f in floating.values())
    return sorted(sets, key=sorted)


MIX_KINDS = ("activation", "conversion", "brand")


# ------------------------------------------------------------------ practice rules
@rule(
    "posts-per-day",
    "warning",
    T("每天推送条数超过上限", "more pushes a day than the limit"),
    T(
        "高频电商每天 5-6 条、低频品类每天约 3 条；刷屏会让成员屏蔽或退群。把次要内容合并或挪到别的日子。",
        "Five or six a day for high-frequency e-commerce, about three for low-frequency goods; "
        "flooding makes members mute or leave. Merge minor items or move them to other days.",
    ),
)
def _posts_per_day(loaded: LoadedSop) -> Iterator[Finding]:
    sop = loaded.sop
    limit = sop.rules.max_posts_per_day
    all_slots = list(slots(sop))
    pushes = [is_push(s.kind) for s in all_slots]

    def weekday(day: frozenset[int]) -> int:  # of the weekly items on that day (0 = Monday)
        weekly = [all_slots[i].item.weekday for i in day if all_slots[i].section == "weekly"]
        return min((WEEKDAY_NAMES.index(w) for w in weekly), default=0)

    def weigh(day: frozenset[int]) -> tuple[int, ...]:
        n = Counter(all_slots[i].section for i in day if pushes[i])
        return (sum(n.values()), n["weekly"], -weekday(day), n["monthly"], n["lifecycle"])

    # the busiest day the plan can produce; ties go to the one with most weekly pushes
    busiest = max(day_sets(sop, all_slots), key=weigh, default=frozenset())
    busiest = frozenset(i for i in busiest if pushes[i])
    worst = len(busiest)
    if worst <= limit:
        return
    n = Counter(all_slots[i].section for i in busiest)
    daily, n_week, n_month, n_life = n["daily"], n["weekly"], n["monthly"], n["lifecycle"]
    wd = weekday(busiest)
    severity: Severity = "error" if worst >= 15 else "warning"
    parts_zh = [f"每日 {daily}"]
    parts_en = [f"{daily} daily"]
    if n_week:
        parts_zh.append(f"{WEEKDAYS['zh'][wd]}的每周 {n_week}")
        parts_en.append(f"{n_week} weekly on {WEEKDAYS['en'][wd]}")
    if n_month:
        parts_zh.append(f"每月同一天 {n_month}")
        parts_en.append(f"{n_month} monthly on one day")
    if n_life:
        parts_zh.append(f"冷启动某天 {n_life}")
        parts_en.append(f"{n_life} cold-start on one day")
    if n["campaign"]:
        parts_zh.append(f"活动 {n['campaign']}")
        parts_en.append(f"{n['campaign']} campaign")
    if n["countdown"]:
        parts_zh.append(f"倒计时 {n['countdown']}")
        parts_en.append(f"{n['countdown']} countdown")
    text = T(
        f"有的日子会推送 {worst} 条（{' + '.join(parts_zh)}），超过每天上限 {limit} 条"
        + ("；15 条以上会明显提高屏蔽和退群" if severity == "error" else ""),
        f"some days get {worst} pushes ({' + '.join(parts_en)}), over the limit of {limit} a day"
        + ("; 15 or more clearly drives members to mute and leave" if severity == "error" else ""),
    )
    yield finding(loaded, "posts-per-day", text, ("cadence",), key=True, severity=severity)


@rule(
    "quiet-hours",
    "error",
    T("转化内容安排在免打扰时段", "conversion content inside quiet hours"),
    T(
        "晚上 22 点后不发促销：把这一条挪到免打扰时段之外，或改成非转化内容。",
        "No promotion after 22:00: move the item outside quiet hours, or make it non-conversion content.",
    ),
)
def _quiet_hours(loaded: LoadedSop) -> Iterator[Finding]:
    qh = loaded.sop.rules.quiet_hours
    if qh is None:
        return
    for s in slots(loaded.sop):
        if s.kind == "conversion" and qh.contains(s.time):
            what = (
                T("倒计时提醒", "countdown reminder")
                if s.section == "countdown"
                else T("转化内容", "conversion item")
            )
            yield finding(
                loaded,
                "quiet-hours",
                T(
                    f"{what.zh}“{s.title}”在 {s.time:%H:%M}，处于免打扰时段 {qh} 内",
                    f"{what.en} '{s.title}' at {s.time:%H:%M} is inside quiet hours {qh}",
                ),
                s.time_path,
            )


@rule(
    "content-mix",
    "warning",
    T("内容配比偏离目标", "content mix far from its target"),
    T(
        "常见配比是促活 50% / 转化 30% / 品牌 20%；转化太多像广告群，太少则难以变现。",
        "A common mix is 50% activation / 30% conversion / 20% brand; too much conversion reads as an "
        "ad group, too little does not pay.",
    ),
)
def _content_mix(loaded: LoadedSop) -> Iterator[Finding]:
    sop = loaded.sop
    c = sop.cadence
    counts: Counter[str] = Counter()
    for per_month, items in ((28, c.daily), (4, c.weekly), (1, c.monthly)):
        for it in items:
            counts[it.kind] += per_month
    total = sum(counts[k] for k in MIX_KINDS)
    if total == 0:
        return
    actual = {k: counts[k] / total for k in MIX_KINDS}
    target = {k: sop.content_mix.share(k) for k in MIX_KINDS}
    off = [k for k in MIX_KINDS if abs(actual[k] - target[k]) > 0.10 + 1e-9]
    if not off:
        return

    def pct(d: dict[str, float]) -> str:
        return "/".join(f"{round(d[k] * 100):d}" for k in MIX_KINDS)

    path: Path_ = ("content_mix",) if "content_mix" in _top(loaded) else ("cadence",)
    yield finding(
        loaded,
        "content-mix",
        T(
            f"常规排期 28 天的内容配比为 促活/转化/品牌 = {pct(actual)}%，目标 {pct(target)}%，"
            f"偏离超过 10 个百分点（{'、'.join(_KIND_ZH[k] for k in off)}）",
            f"over a typical 28-day cycle the mix is activation/conversion/brand = {pct(actual)}%, "
            f"target {pct(target)}%: more than 10 points off ({', '.join(off)})",
        ),
        path,
        key=True,
    )


_KIND_ZH = {"activation": "促活", "conversion": "转化", "brand": "品牌"}


def _top(loaded: LoadedSop) -> set[str]:
    return {str(p[0]) for p in loaded.positions.keys if len(p) == 1}


@rule(
    "role-owner",
    "error",
    T("没有群主（owner）角色", "no owner role"),
    T(
        "每个群都要有一个对结果负责的群主/主理人：在 roles 里加 {role: owner, name: ..., members: [...]}。",
        "Every group needs one person accountable for it: add {role: owner, name: ..., members: [...]} to roles.",
    ),
)
def _role_owner(loaded: LoadedSop) -> Iterator[Finding]:
    if loaded.sop.role("owner") is None:
        yield finding(
            loaded,
            "role-owner",
            T("roles 里没有 owner（群主）", "roles has no owner"),
            ("roles",) if "roles" in _top(loaded) else (),
            key=True,
        )


@rule(
    "role-admin-support",
    "warning",
    T("缺少管理员或客服角色", "no admin or no support role"),
    T(
        "“1+3” 团队：群主之外，要有管理员维持秩序、客服 24 小时内答复。",
        "The '1+3' team: besides the owner, an admin keeps order and support answers within 24 hours.",
    ),
)
def _role_admin_support(loaded: LoadedSop) -> Iterator[Finding]:
    path: Path_ = ("roles",) if "roles" in _top(loaded) else ()
    for name, zh in (("admin", "管理员"), ("support", "客服")):
        if loaded.sop.role(name) is None:
            yield finding(
                loaded,
                "role-admin-support",
                T(f"roles 里没有 {name}（{zh}）", f"roles has no {name}"),
                path,
                key=True,
            )


@rule(
    "support-response",
    "warning",
    T("客服没有承诺 24 小时内答复", "support does not promise an answer within 24 hours"),
    T(
        "给客服写上 response_hours（不超过 24），成员才知道多久能得到答复。",
        "Give support a response_hours of at most 24, so members know when they will hear back.",
    ),
)
def _support_response(loaded: LoadedSop) -> Iterator[Finding]:
    for i, r in enumerate(loaded.sop.roles):
        if r.role != "support":
            continue
        if r.response_hours is None:
            yield finding(
                loaded,
                "support-response",
                T("客服没有写 response_hours（多少小时内答复）", "support has no response_hours"),
                ("roles", i),
            )
        elif r.response_hours > 24:
            yield finding(
                loaded,
                "support-response",
                T(
                    f"客服答复时间 {r.response_hours:g} 小时，超过 24 小时",
                    f"support answers within {r.response_hours:g} hours: more than 24",
                ),
                ("roles", i, "response_hours"),
            )


@rule(
    "owner-role",
    "warning",
    T("排期指定的角色没有人", "an item's owner role has nobody"),
    T(
        "在 roles 里加上这个角色，或把这一条交给已有的角色。",
        "Add that role to roles, or give the item to a role you have.",
    ),
)
def _owner_role(loaded: LoadedSop) -> Iterator[Finding]:
    have = {r.role for r in loaded.sop.roles}
    for s in slots(loaded.sop):
        if s.section == "countdown":
            continue
        owner = s.item.owner
        if owner and owner not in have:
            yield finding(
                loaded,
                "owner-role",
                T(
                    f"“{s.title}”由 {owner} 负责，但 roles 里没有 {owner}",
                    f"'{s.title}' is owned by {owner}, but roles has no {owner}",
                ),
                (*s.path, "owner"),
            )


_WELCOME = re.compile(r"欢迎|welcome|迎新", re.I)
_RULES = re.compile(r"群规|规则|规矩|rules?\b|rules\.", re.I)
_TOPIC = re.compile(r"话题|讨论|聊|topic|discuss|question|问答", re.I)


def _script_text(loaded: LoadedSop, name: str | None) -> str:
    if not name:
        return ""
    variants = loaded.scripts.get(name) or {}
    return "\n".join(v.text or "" for v in variants.values())


@rule(
    "welcome",
    "warning",
    T("第 1 天没有“欢迎 + 群规”", "no welcome with the rules on day 1"),
    T(
        "冷启动第 1 天：欢迎语 + 群规 + 自我介绍模板，先立规矩再热场。",
        "Cold start, day 1: a welcome, the rules and a self-introduction template — set the rules first.",
    ),
)
def _welcome(loaded: LoadedSop) -> Iterator[Finding]:
    day1 = [(i, it) for i, it in enumerate(loaded.sop.cadence.lifecycle) if it.day == 1]
    path: Path_ = (
        ("cadence", "lifecycle")
        if loaded.sop.cadence.lifecycle
        else (("cadence",) if "cadence" in _top(loaded) else ())
    )
    if not day1:
        yield finding(
            loaded,
            "welcome",
            T("lifecycle 里没有第 1 天的欢迎", "lifecycle has no day-1 welcome"),
            path,
            key=True,
        )
        return
    texts = [(i, it, it.title + "\n" + _script_text(loaded, it.script)) for i, it in day1]
    if not any(_WELCOME.search(t) for _, _, t in texts):
        yield finding(
            loaded,
            "welcome",
            T("第 1 天的安排里没有欢迎语", "no day-1 item welcomes new members"),
            ("cadence", "lifecycle", day1[0][0]),
        )
    elif not any(_RULES.search(t) for _, _, t in texts):
        i = next(i for i, _, t in texts if _WELCOME.search(t))
        yield finding(
            loaded,
            "welcome",
            T("第 1 天的欢迎没有介绍群规", "the day-1 welcome does not present the rules"),
            ("cadence", "lifecycle", i),
        )


@rule(
    "first-topic",
    "info",
    T("前 3 天没有第一次话题讨论", "no first discussion by day 3"),
    T(
        "第 3 天前抛出第一个话题，让新成员开口说话。",
        "Start a first discussion topic by day 3 to get new members talking.",
    ),
)
def _first_topic(loaded: LoadedSop) -> Iterator[Finding]:
    for it in loaded.sop.cadence.lifecycle:
        if it.day <= 3 and it.kind == "activation":
            text = it.title + "\n" + _script_text(loaded, it.script)
            if _TOPIC.search(text) or (it.day >= 2 and not _WELCOME.search(text)):
                return
    path: Path_ = (
        ("cadence", "lifecycle")
        if loaded.sop.cadence.lifecycle
        else (("cadence",) if "cadence" in _top(loaded) else ())
    )
    yield finding(
        loaded,
        "first-topic",
        T("lifecycle 前 3 天没有话题讨论", "lifecycle has no discussion topic by day 3"),
        path,
        key=True,
    )


@rule(
    "goal-metric",
    "error",
    T("目标的指标名未知", "a goal names an unknown metric"),
    T(
        "指标名用报告里的 KPI 名（sqops lint --list-rules 末尾列出），否则报告无法对比目标。",
        "Use a KPI name the report computes (listed by `sqops lint --list-rules`), or the report cannot check it.",
    ),
)
def _goal_metric(loaded: LoadedSop) -> Iterator[Finding]:
    for i, g in enumerate(loaded.sop.goals):
        if g.metric not in KPI_NAMES:
            hint = did_you_mean(g.metric, KPI_NAMES)
            extra = (
                T(f"，你是不是想写 “{hint}”？", f"; did you mean '{hint}'?")
                if hint
                else T("；可用：" + "、".join(KPI_NAMES), "; known: " + ", ".join(KPI_NAMES))
            )
            yield finding(
                loaded,
                "goal-metric",
                T(f"未知的指标 “{g.metric}”", f"unknown metric '{g.metric}'") + extra,
                ("goals", i, "metric"),
            )


@rule(
    "goal-smart",
    "warning",
    T("目标不符合 SMART", "a goal is not SMART"),
    T(
        "SMART：指标 + 数值目标 + 截止时间（by 日期或 within_days 天数），最好再写基线。",
        "SMART: a metric, a numeric target and a deadline (by a date or within_days), ideally a baseline.",
    ),
)
def _goal_smart(loaded: LoadedSop) -> Iterator[Finding]:
    for i, g in enumerate(loaded.sop.goals):
        if g.target is None:
            yield finding(
                loaded,
                "goal-smart",
                T(f"目标 {g.metric} 没有数值 target", f"goal {g.metric} has no numeric target"),
                ("goals", i),
            )
        if g.by is None and g.within_days is None:
            yield finding(
                loaded,
                "goal-smart",
                T(
                    f"目标 {g.metric} 没有截止时间（by 或 within_days）",
                    f"goal {g.metric} has no deadline (by or within_days)",
                ),
                ("goals", i),
            )
        if g.metric in KPI and KPI[g.metric].is_rate:
            for attr in ("target", "baseline", "floor"):
                v = getattr(g, attr)
                if v is not None and not 0 <= v <= 1:
                    yield finding(
                        loaded,
                        "goal-smart",
                        T(
                            f"{g.metric} 是比率，{attr} 应写成 0..1 的小数（30% 写 0.30），这里是 {v:g}",
                            f"{g.metric} is a rate: write {attr} as a fraction 0..1 (30% is 0.30), not {v:g}",
                        ),
                        ("goals", i, attr),
                    )


@rule(
    "column-map",
    "error",
    T("columns: 里写了未知的表或列", "columns: names an unknown table or column"),
    T(
        "columns: 把数据文件的表头对应到标准列：{表: {标准列: 你的表头}}；标准列见 docs/report.md。",
        "columns: maps your files' headers to the canonical columns: {table: {canonical: your "
        "header}}; the canonical columns are in docs/report.md.",
    ),
)
def _column_map(loaded: LoadedSop) -> Iterator[Finding]:
    # the one column-map model (sqops.data.columns), as sqops report and adherence check it
    from sqops.data.columns import ColumnMap, ColumnProblem

    for table, mapping in loaded.sop.columns.items():
        try:
            ColumnMap(table=table, columns=dict(mapping), file=loaded.display)
        except ColumnProblem as exc:
            yield finding(
                loaded, "column-map", exc.text, ("columns", table, exc.path[-1]), key=True
            )


@rule(
    "kpi-range",
    "warning",
    T("KPI 目标或底线不合理", "a KPI target or floor does not make sense"),
    T(
        "比率写成 0..1 的小数；越高越好的指标 floor 低于 target，流失率/沉默率相反。",
        "Rates are fractions 0..1; for higher-is-better KPIs the floor is below the target, for churn/dormant above.",
    ),
)
def _kpi_range(loaded: LoadedSop) -> Iterator[Finding]:
    for name, k in loaded.sop.kpis.items():
        for attr in ("target", "floor"):
            v = getattr(k, attr)
            if v is not None and KPI[name].is_rate and not 0 <= v <= 1:
                yield finding(
                    loaded,
                    "kpi-range",
                    T(
                        f"{name} 的 {attr} 应在 0..1 之间，这里是 {v:g}",
                        f"{name} {attr} should be within 0..1, not {v:g}",
                    ),
                    ("kpis", name, attr),
                )
        if k.target is not None and k.floor is not None:
            lower_better = KPI[name].lower_is_better
            wrong = k.floor < k.target if lower_better else k.floor > k.target
            if wrong:
                yield finding(
                    loaded,
                    "kpi-range",
                    T(
                        f"{name} 的 floor {k.floor:g} 与 target {k.target:g} 方向反了",
                        f"{name} floor {k.floor:g} is on the wrong side of target {k.target:g}",
                    ),
                    ("kpis", name),
                )


@rule(
    "max-members",
    "error",
    T("群人数上限超过平台限制", "max_members above the platform's limit"),
    T(
        "微信/企业微信群最多 500 人；人更多时开新群，而不是写更大的数字。",
        "WeChat and WeCom groups hold at most 500; open another group instead of a bigger number.",
    ),
)
def _max_members(loaded: LoadedSop) -> Iterator[Finding]:
    c = loaded.sop.community
    limit = PLATFORM_LIMITS.get(c.platform)
    if c.max_members is not None and limit is not None and c.max_members > limit:
        yield finding(
            loaded,
            "max-members",
            T(
                f"max_members {c.max_members} 超过 {c.platform} 的单群上限 {limit}",
                f"max_members {c.max_members} is above {c.platform}'s limit of {limit} per group",
            ),
            ("community", "max_members"),
        )


@rule(
    "same-minute",
    "warning",
    T("两条安排在同一天的同一分钟", "two items at the same minute of the same day"),
    T(
        "同一分钟连发两条，后一条会被淹没；错开 15 分钟以上。",
        "Two posts in the same minute drown each other; space them at least 15 minutes apart.",
    ),
)
def _same_minute(loaded: LoadedSop) -> Iterator[Finding]:
    all_slots = list(slots(loaded.sop))
    days_of: dict[int, set[int]] = {}
    for n, day in enumerate(day_sets(loaded.sop, all_slots)):
        for i in day:
            days_of.setdefault(i, set()).add(n)
    for j, b in enumerate(all_slots):
        for k, a in enumerate(all_slots[:j]):
            if a.time == b.time and days_of.get(k, set()) & days_of.get(j, set()):
                line, _ = loaded.positions.of_value(a.path)
                yield finding(
                    loaded,
                    "same-minute",
                    T(
                        f"“{b.title}”和第 {line} 行的“{a.title}”会在同一天的 {b.time:%H:%M} 发出",
                        f"'{b.title}' and '{a.title}' (line {line}) fall on the same day at {b.time:%H:%M}",
                    ),
                    b.time_path,
                )
                break


@rule(
    "person-load",
    "warning",
    T("有人 10 分钟内要推送太多条", "one person has too many pushes in 10 minutes"),
    T(
        "同一个人在 10 分钟内跨群连发太多条，发不完也容易出错：错开各群的发布时间、分给别的同事"
        "（条目的 person:，或群的 vars.owner），或调高 rules.max_pushes_per_person_10min。",
        "One person cannot post that many in 10 minutes across groups without slips: stagger the "
        "groups' times, share the work (an item's person:, a group's vars.owner) or raise "
        "rules.max_pushes_per_person_10min.",
    ),
)
def _person_load(loaded: LoadedSop) -> Iterator[Finding]:
    """The plan's per-person load (:mod:`sqops.plan.load`) on the days the engine can produce:
    the steady items (daily, weekly, monthly, campaigns) of every group together
    (``day_sets``), and on each lifecycle day of a launch date, its groups' lifecycle items
    with the steady items of that date. Who posts: ``sqops.plan.responsible``."""
    from sqops.plan import falls_on, item_dates, responsible

    sop = loaded.sop
    limit = sop.rules.max_pushes_per_person_10min
    all_slots = list(slots(sop))
    groups: list[tuple[dt.date | None, dict[str, Any]]] = (
        [(g.launched_on or sop.community.launched_on, dict(g.vars)) for g in sop.groups]
        if sop.groups
        else [(sop.community.launched_on, {})]
    )
    # who posts each pushed slot, and in how many groups: (slot, launch or "*") → person → n
    count: dict[tuple[int, Any], Counter[str]] = {}
    for i, s in enumerate(all_slots):
        if not is_push(s.kind):
            continue
        for launch, vars_ in groups:
            who = responsible(sop, s.item.person, s.item.owner, vars_)
            if who is not None:
                key = (i, launch if s.section == "lifecycle" else "*")
                count.setdefault(key, Counter())[who] += 1
    totals: Counter[str] = Counter()
    for c in count.values():
        totals.update(c)
    if all(n <= limit for n in totals.values()):
        return  # nobody has more pushes than the limit on any day at all

    steady = [i for i, s in enumerate(all_slots) if s.section != "lifecycle"]
    life = [i for i, s in enumerate(all_slots) if s.section == "lifecycle"]
    days: set[frozenset[tuple[int, Any]]] = set()
    for steady_day in day_sets(sop, all_slots):
        days.add(frozenset((i, "*") for i in steady_day if i not in life))
    launches = sorted({launch for launch, _ in groups if launch is not None})
    life_on: dict[dt.date, set[tuple[int, Any]]] = {}  # date → (lifecycle slot, launch)
    for launch in launches:
        for k in life:
            item = all_slots[k].item
            for d in item_dates("lifecycle", item, start=dt.date.min, end=None, launch=launch):
                life_on.setdefault(d, set()).add((k, launch))
    for d, lifecycle in life_on.items():
        on: set[tuple[int, Any]] = {
            (j, "*") for j in steady if falls_on(all_slots[j].section, all_slots[j].item, d)
        }
        days.add(frozenset(on | lifecycle))
    if any(launch is None for launch, _ in groups):  # launched on the plan's first day
        daily = {(j, "*") for j in steady if all_slots[j].section == "daily"}
        by_day: dict[int, set[tuple[int, Any]]] = {}
        for k in life:
            by_day.setdefault(all_slots[k].item.day, set()).add((k, None))
        days.update(frozenset(daily | v) for v in by_day.values())

    reported: set[tuple[str, int]] = set()
    out: list[Finding] = []
    for day in sorted(days, key=lambda d: sorted(d, key=repr)):
        per_person: dict[str, list[tuple[int, int, int]]] = {}  # person → (minute, slot, n)
        for i, launch in day:
            for who, n in count.get((i, launch), Counter()).items():
                t = all_slots[i].time
                per_person.setdefault(who, []).append((t.hour * 60 + t.minute, i, n))
        for who in sorted(per_person):
            xs = sorted(per_person[who])
            for a, (t0, _, _) in enumerate(xs):
                inside = [x for x in xs[a:] if x[0] < t0 + 10]
                total = sum(n for _, _, n in inside)
                if total <= limit:
                    continue
                main = max(inside, key=lambda x: (x[2], -x[1]))[1]
                if (who, main) in reported:
                    break
                reported.add((who, main))
                out.append(_load_finding(loaded, all_slots, who, t0, inside, total, limit, main))
                break
    yield from out


def _load_finding(
    loaded: LoadedSop,
    all_slots: list[Slot],
    who: str,
    t0: int,
    inside: list[tuple[int, int, int]],
    total: int,
    limit: int,
    main: int,
) -> Finding:
    s = all_slots[main]
    n_main = sum(n for _, i, n in inside if i == main)
    others = sorted({all_slots[i].title for _, i, _ in inside if i != main})
    at = f"{t0 // 60:02d}:{t0 % 60:02d}"
    more_zh = f"，另有{'、'.join(f'“{x}”' for x in others)}" if others else ""
    more_en = f", with {', '.join(repr(x) for x in others)}" if others else ""
    return finding(
        loaded,
        "person-load",
        T(
            f"{who} 在 {at} 起的 10 分钟内要推送 {total} 条（{n_main} 个群的“{s.title}”{more_zh}），"
            f"超过每人上限 {limit} 条（rules.max_pushes_per_person_10min）",
            f"{who} has {total} pushes in the 10 minutes from {at} ('{s.title}' in {n_main} "
            f"group(s){more_en}), more than the limit of {limit} per person "
            "(rules.max_pushes_per_person_10min)",
        ),
        s.path,
    )


@rule(
    "monthly-review",
    "info",
    T("没有月度复盘", "no monthly review"),
    T(
        "月末做一次数据复盘（kind: review）：淘汰表现最差的 20% 内容，更新素材库，做 RFM 分层。",
        "Hold a data review at month end (kind: review): cut the bottom 20% of content, refresh the "
        "material library, segment members with RFM.",
    ),
)
def _monthly_review(loaded: LoadedSop) -> Iterator[Finding]:
    if not any(it.kind == "review" for it in loaded.sop.cadence.monthly):
        path: Path_ = (
            ("cadence", "monthly")
            if loaded.sop.cadence.monthly
            else (("cadence",) if "cadence" in _top(loaded) else ())
        )
        yield finding(
            loaded,
            "monthly-review",
            T("monthly 里没有 kind: review 的复盘", "monthly has no item of kind: review"),
            path,
            key=True,
        )


@rule(
    "forbidden-empty",
    "warning",
    T("群规没有写禁止事项", "the rules forbid nothing"),
    T(
        "“三不”：不发广告、不刷屏、不争吵。没有明确禁止的事，管理员就无据可依。",
        "The 'three don'ts': no ads, no flooding, no fights. Without them admins have nothing to point to.",
    ),
)
def _forbidden(loaded: LoadedSop) -> Iterator[Finding]:
    if not loaded.sop.rules.forbidden:
        path: Path_ = (
            ("rules", "forbidden")
            if ("rules", "forbidden") in loaded.positions.keys
            else (("rules",) if "rules" in _top(loaded) else ())
        )
        yield finding(
            loaded,
            "forbidden-empty",
            T("rules.forbidden 是空的", "rules.forbidden is empty"),
            path,
            key=True,
        )


@rule(
    "group-id",
    "error",
    T("群 id 重复", "duplicate group id"),
    T(
        "每个群的 id 必须唯一：排期、日历和报告都靠它区分群。",
        "Each group's id must be unique: plans, calendars and reports tell groups apart by it.",
    ),
)
def _group_ids(loaded: LoadedSop) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for i, g in enumerate(loaded.sop.groups):
        if g.id in first:
            line, _ = loaded.positions.of_value(("groups", first[g.id]))
            yield finding(
                loaded,
                "group-id",
                T(
                    f"群 id “{g.id}” 重复（第一次在第 {line} 行）",
                    f"group id '{g.id}' is used twice (first at line {line})",
                ),
                ("groups", i, "id"),
            )
        else:
            first[g.id] = i


declare(
    "item-id",
    "error",
    T("条目 id 重复", "duplicate item id"),
    T(
        "cadence 里每一条的 id 必须唯一：排期、日历和执行核对都靠它区分条目。",
        "Each cadence item's id must be unique: plans, calendars and adherence checks tell items apart by it.",
    ),
)


# ------------------------------------------------------------------ script rules
declare(
    "script-missing",
    "error",
    T("脚本缺失", "a script is missing"),
    T(
        "在 scripts 里定义这个名字（内联文本，或 SOP 旁边的 .j2 文件）。",
        "Define that name under scripts (inline text, or a .j2 file next to the SOP).",
    ),
)
declare(
    "script-syntax",
    "error",
    T("脚本模板语法错误", "script template syntax error"),
    T(
        "检查 {{ }} 与 {% %} 是否成对、过滤器名是否拼对。",
        "Check that {{ }} and {% %} are balanced and filter names are right.",
    ),
)
declare(
    "script-variable",
    "error",
    T("脚本用了不存在的变量", "a script uses a variable the renderer does not provide"),
    T(
        "可用变量见 docs/scripts.md；拼写要完全一致。",
        "The variables available are listed in docs/scripts.md; spelling must match.",
    ),
)
declare(
    "script-render",
    "error",
    T("脚本渲染失败", "a script fails to render"),
    T(
        "用示例数据试渲染时出错：检查属性名、沙箱不允许的操作和输出长度。",
        "Rendering with sample values failed: check attribute names, operations the sandbox refuses and output length.",
    ),
)
declare(
    "script-unused",
    "info",
    T("脚本没有被任何安排使用", "a script no item uses"),
    T(
        "删掉它，或在某条安排里写 script: 名字。",
        "Remove it, or reference it from an item with script: NAME.",
    ),
)


# ------------------------------------------------------------------ calendar names
@rule(
    "day-name",
    "error",
    T(
        "skip_on/only_on 用了日历不认识的节日",
        "skip_on/only_on names a day the calendar does not know",
    ),
    T(
        "节假日名（spring_festival、春节…）只在 community.country 为 CN 时有；营销节日（qixi、"
        "double_11、618…）要 calendar.festivals: china（CN 默认）。见 docs/sop.md。",
        "Holiday names (spring_festival, 春节...) exist when community.country is CN; marketing "
        "festivals (qixi, double_11, 618...) need calendar.festivals: china (CN's default). "
        "See docs/sop.md.",
    ),
)
def _day_name(loaded: LoadedSop) -> Iterator[Finding]:
    from sqops.domain.calendar import known_names

    sop = loaded.sop
    country = sop.holiday_country
    known = known_names(country, sop.festival_set)
    where = T(f"国家 {country or 'none'}", f"country {country or 'none'}")
    for s in slots(sop):
        if s.section == "countdown" or not hasattr(s.item, "skip_on"):
            continue
        for key in ("skip_on", "only_on"):
            for i, name in enumerate(getattr(s.item, key)):
                if name in known:
                    continue
                hint = did_you_mean(name, known)
                text = T(
                    f"{s.describe().zh} 的 {key} 写了 “{name}”，日历（{where.zh}，营销节日 "
                    f"{sop.festival_set}）不认识",
                    f"{s.describe().en}: {key} names '{name}', which the calendar ({where.en}, "
                    f"festivals {sop.festival_set}) does not know",
                )
                if hint:
                    text = T(
                        text.zh + f"；你是不是想写 “{hint}”？",
                        text.en + f"; did you mean '{hint}'?",
                    )
                yield finding(loaded, "day-name", text, (*s.path, key, i))


@rule(
    "country",
    "error",
    T("community.country 不是已知的国家代码", "community.country is not a known country code"),
    T(
        "写 ISO 3166 两位字母代码（CN、SG、US…，holidays 包认识的国家），或 none 表示不标节假日。",
        "Write an ISO 3166 two-letter code (CN, SG, US..., a country the holidays package "
        "knows), or none for no public holidays.",
    ),
)
def _country(loaded: LoadedSop) -> Iterator[Finding]:
    country = loaded.sop.community.country
    if country in (None, "none", "CN"):
        return
    from sqops.plan import supported_countries  # imports holidays: only here

    known = supported_countries()
    if country in known:
        return
    hint = did_you_mean(country, known)
    text = T(
        f"holidays 包不认识国家代码 {country}",
        f"the holidays package does not know the country code {country}",
    )
    if hint:
        text = T(text.zh + f"；你是不是想写 “{hint}”？", text.en + f"; did you mean '{hint}'?")
    yield finding(loaded, "country", text, ("community", "country"))
