"""The SOP file as pydantic models (see docs/sop.md for every key).

Validation that is about the *shape* of the file lives here (types, allowed values, unknown
keys); judgement about *practice* (too many pushes, promotion in quiet hours, ...) lives in
:mod:`sqops.lint.rules` so it can be reported with severities and disabled per line.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sqops.domain.actions import ACTION_NAMES
from sqops.domain.calendar import FESTIVAL_SETS, FILTER_NAMES, default_country
from sqops.domain.kpis import KPI_NAMES
from sqops.domain.tables import TABLE_NAMES


def _err(zh: str, en: str, **ctx: Any) -> PydanticCustomError:
    """A validation error that carries its message in both languages."""
    return PydanticCustomError(
        "sqops", en.format(**ctx), {"zh": zh.format(**ctx), "en": en.format(**ctx)}
    )


# ---------------------------------------------------------------- scalars
_TIME_RE = re.compile(r"^\s*([01]?\d|2[0-3]):([0-5]\d)\s*$")


def parse_hhmm(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, bool) or not isinstance(value, str):
        raise _err(
            '时间要写成带引号的 "HH:MM"（24 小时制），例如 "08:30"；这里读到的是 {v!r}',
            'a time is written "HH:MM" (24-hour clock) in quotes, e.g. "08:30"; got {v!r}',
            v=value,
        )
    m = _TIME_RE.match(value)
    if not m:
        raise _err(
            '无法识别的时间 {v!r}：要写成 HH:MM（24 小时制），例如 "08:30"',
            'not a time: {v!r}; write HH:MM on a 24-hour clock, e.g. "08:30"',
            v=value,
        )
    return dt.time(int(m.group(1)), int(m.group(2)))


def _time_str(value: dt.time) -> str:
    return value.strftime("%H:%M")


HHMM = Annotated[
    dt.time,
    BeforeValidator(parse_hhmm),
    PlainSerializer(_time_str, return_type=str),
    WithJsonSchema(
        {"type": "string", "pattern": r"^([01]?\d|2[0-3]):[0-5]\d$", "examples": ["08:30"]}
    ),
]


class TimeRange(BaseModel):
    """A daily window such as ``22:00-08:00`` (may cross midnight)."""

    model_config = ConfigDict(frozen=True)
    start: dt.time
    end: dt.time

    def contains(self, t: dt.time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def __str__(self) -> str:
        return f"{_time_str(self.start)}-{_time_str(self.end)}"


def parse_range(value: Any) -> Any:
    if isinstance(value, TimeRange) or value is None:
        return value
    if isinstance(value, str) and "-" in value:
        a, _, b = value.partition("-")
        return TimeRange(start=parse_hhmm(a), end=parse_hhmm(b))
    raise _err(
        '时间段要写成 "HH:MM-HH:MM"，例如 "22:00-08:00"；这里读到的是 {v!r}',
        'a time window is written "HH:MM-HH:MM", e.g. "22:00-08:00"; got {v!r}',
        v=value,
    )


QuietHours = Annotated[
    TimeRange,
    BeforeValidator(parse_range),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01]?\d|2[0-3]):[0-5]\d-([01]?\d|2[0-3]):[0-5]\d$",
            "examples": ["22:00-08:00"],
        }
    ),
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY_ALIASES: dict[str, str] = {}
for _i, _d in enumerate(WEEKDAY_NAMES):
    for _alias in (
        _d,
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[_i],
        "周" + "一二三四五六日"[_i],
        "星期" + "一二三四五六日"[_i],
        str(_i + 1),
    ):
        _WEEKDAY_ALIASES[_alias] = _d
_WEEKDAY_ALIASES["周天"] = _WEEKDAY_ALIASES["星期天"] = "sun"


def parse_weekday(value: Any) -> str:
    key = str(value).strip().lower() if not isinstance(value, bool) else ""
    if key in _WEEKDAY_ALIASES:
        return _WEEKDAY_ALIASES[key]
    raise _err(
        "无法识别的星期 {v!r}：用 mon..sun、周一..周日 或 1..7（1 = 周一）",
        "not a weekday: {v!r}; use mon..sun, 周一..周日 or 1..7 (1 = Monday)",
        v=value,
    )


Weekday = Annotated[
    Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], BeforeValidator(parse_weekday)
]

Platform = Literal["wechat", "wecom", "qq", "xiaohongshu", "telegram", "whatsapp", "discord"]
CommunityType = Literal["broadcast", "refined", "service", "store"]
Kind = Literal["activation", "conversion", "brand", "review", "service", "other"]


def is_push(kind: str) -> bool:
    """Does an item of this kind go out to members? A ``review`` is the team's own meeting:
    it is not counted towards ``max_posts_per_day`` (lint and plan) nor in the content mix."""
    return kind != "review"


RoleName = Literal["owner", "admin", "content", "events", "support", "helper"]
if TYPE_CHECKING:
    DayFilter = str
    FestivalSet = str
else:
    #: holiday | workday | weekend | weekday, a holiday or festival name (sqops.domain.calendar)
    DayFilter = Literal[FILTER_NAMES]
    FestivalSet = Literal[FESTIVAL_SETS]

#: The most members one group may have on each platform (None: no practical limit).
PLATFORM_LIMITS: dict[str, int | None] = {
    "wechat": 500,
    "wecom": 500,
    "qq": 3000,
    "xiaohongshu": 500,
    "telegram": 200_000,
    "whatsapp": 1024,
    "discord": None,
}

if TYPE_CHECKING:
    KpiName = str
    TableName = str
    ActionName = str
else:
    #: the KPIs an SOP may set targets for and name in goals (the registry's, spec §2)
    KpiName = Literal[KPI_NAMES]
    #: the tables a ``columns:`` section may map (the registry's, spec §2)
    TableName = Literal[TABLE_NAMES]
    #: the member actions an ``actions:`` map may give a script (the registry's, spec §3)
    ActionName = Literal[ACTION_NAMES]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, frozen=True)


# ---------------------------------------------------------------- sections
class Community(_Model):
    """Who and where: the community's name, platform, kind, timezone and language."""

    name: str = Field(min_length=1, description="社群名称 / community name")
    platform: Platform = Field(
        description="wechat | wecom | qq | xiaohongshu | telegram | whatsapp | discord"
    )
    type: CommunityType = Field(
        "refined",
        description="broadcast 群发推广型 | refined 精细化运营型 | service 客户服务型 | store S2B2C 门店群",
    )
    timezone: str = Field("Asia/Shanghai", description="IANA timezone, e.g. Asia/Shanghai")
    language: Literal["zh", "en"] = Field("zh", description="language of scripts and reports")
    max_members: int | None = Field(None, ge=1, description="defaults to the platform's limit")
    launched_on: dt.date | None = Field(None, description="day 0 (launch day) of the group(s)")
    country: str | None = Field(
        None,
        json_schema_extra={"pattern": "^([A-Za-z]{2}|[Nn][Oo][Nn][Ee])$"},
        description="ISO 3166-1 alpha-2 code of the country whose public holidays apply "
        "(CN, SG, US...), or none; default CN for wechat/wecom/qq/xiaohongshu or a China "
        "timezone, else none",
    )

    @field_validator("country")
    @classmethod
    def _country(cls, v: str | None) -> str | None:
        if v is None:
            return None
        text = str(v).strip()
        if text.lower() == "none":
            return "none"
        if not re.fullmatch(r"[A-Za-z]{2}", text):
            raise _err(
                "国家应为 ISO 3166 两位字母代码（如 CN、SG、US）或 none，现在是 {v!r}",
                "country should be an ISO 3166 two-letter code (CN, SG, US...) or none, not {v!r}",
                v=text,
            )
        return text.upper()

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise _err(
                "未知的时区 {v!r}：请使用 IANA 名称，例如 Asia/Shanghai",
                "unknown timezone {v!r}: use an IANA name such as Asia/Shanghai",
                v=v,
            ) from None
        return v

    @property
    def member_limit(self) -> int | None:
        return PLATFORM_LIMITS.get(self.platform)


class Persona(_Model):
    tags: list[str] = Field(default_factory=list)
    description: str | None = None


class Positioning(_Model):
    """定位: target users + core pain point + solution."""

    target_users: str | None = None
    pain_point: str | None = None
    solution: str | None = None
    persona: Persona | None = None


class Goal(_Model):
    """A SMART goal: a metric, a numeric target, a deadline (``by`` or ``within_days``)."""

    metric: str
    baseline: float | None = None
    target: float | None = None
    floor: float | None = None
    by: dt.date | None = None
    within_days: int | None = Field(None, ge=1)


class Role(_Model):
    role: RoleName
    name: str | None = None
    members: list[str] = Field(
        default_factory=list, description="chat ids of the staff in this role"
    )
    response_hours: float | None = Field(None, gt=0)


class Rules(_Model):
    forbidden: list[str] = Field(default_factory=list, description="三不: what is not allowed")
    required: list[str] = Field(default_factory=list, description="三要: what members should do")
    quiet_hours: QuietHours | None = Field(
        default_factory=lambda: TimeRange(start=dt.time(22), end=dt.time(8)),
        description="no conversion content inside, e.g. 22:00-08:00",
    )
    max_posts_per_day: int = Field(6, ge=1, le=100)
    max_pushes_per_person_10min: int = Field(
        5,
        ge=1,
        le=1000,
        description="most pushes one person may send across all groups in any 10 minutes",
    )
    nickname_pattern: str | None = Field(None, description="regex of a complete profile name")

    @field_validator("nickname_pattern")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise _err(
                    "正则表达式无效：{e}", "invalid regular expression: {e}", e=exc
                ) from None
        return v


class ContentMix(_Model):
    """Target share of each content kind (fractions summing to 1, or percentages to 100)."""

    activation: float = Field(0.5, ge=0)
    conversion: float = Field(0.3, ge=0)
    brand: float = Field(0.2, ge=0)

    @model_validator(mode="after")
    def _sum(self) -> ContentMix:
        total = self.activation + self.conversion + self.brand
        if abs(total - 100) <= 1:
            object.__setattr__(self, "activation", self.activation / 100)
            object.__setattr__(self, "conversion", self.conversion / 100)
            object.__setattr__(self, "brand", self.brand / 100)
        elif abs(total - 1) > 0.01:
            raise _err(
                "内容配比之和应为 1（或 100%），现在是 {t:g}",
                "the content mix should add up to 1 (or 100%); it adds up to {t:g}",
                t=total,
            )
        return self

    def share(self, kind: str) -> float:
        return float(getattr(self, kind))


class _Item(_Model):
    time: HHMM
    title: str = Field(min_length=1)
    kind: Kind = "activation"
    owner: RoleName | None = Field(None, description="the role that posts it")
    person: str | None = Field(None, description="a named person, when not the role's")
    script: str | None = Field(None, description="key of scripts:")
    id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_.-]+$", description="stable id (calendar UID, adherence)"
    )
    skip_on: list[DayFilter] = Field(default_factory=list)
    only_on: list[DayFilter] = Field(default_factory=list)


class DailyItem(_Item):
    pass


class WeeklyItem(_Item):
    weekday: Weekday


class MonthlyItem(_Item):
    day: int | Literal["last"] = Field(description="1..31, or last")

    @field_validator("day", mode="before")
    @classmethod
    def _day(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip().lower() in ("last", "最后一天", "月末"):
            return "last"
        if isinstance(v, int) and not isinstance(v, bool) and not 1 <= v <= 31:
            raise _err(
                "每月的日期应在 1..31 之间，或写 last", "a day of the month is 1..31, or last"
            )
        return v


class LifecycleItem(_Item):
    day: int = Field(ge=1, le=3650, description="day 1 = launch day")


class Campaign(_Model):
    date: dt.date
    time: HHMM = Field(default_factory=lambda: dt.time(10))
    title: str = Field(min_length=1)
    kind: Kind = "conversion"
    owner: RoleName | None = None
    person: str | None = None
    script: str | None = None
    id: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$")
    countdown_days: int = Field(0, ge=0, le=30)
    countdown_time: HHMM | None = None
    countdown_script: str | None = None


class Cadence(_Model):
    daily: list[DailyItem] = Field(default_factory=list)
    weekly: list[WeeklyItem] = Field(default_factory=list)
    monthly: list[MonthlyItem] = Field(default_factory=list)
    lifecycle: list[LifecycleItem] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)


class DayOff(_Model):
    """A day off the SOP declares: one ``date`` or ``from``..``to`` (inclusive), with a name."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    date: dt.date | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None
    name: str | None = Field(
        None, description="a holiday key (spring_festival...) or any name to show"
    )

    @model_validator(mode="after")
    def _one_way(self) -> DayOff:
        if (self.date is None) == (self.from_ is None and self.to is None):
            raise _err(
                "休息日写 date，或写 from 和 to（二选一）",
                "a day off has either date, or from and to",
            )
        if self.date is None and (self.from_ is None or self.to is None):
            raise _err("from 和 to 要一起写", "from and to go together")
        if self.from_ is not None and self.to is not None:
            if self.to < self.from_:
                raise _err("to 早于 from", "to is before from")
            if (self.to - self.from_).days > 366:
                raise _err("一段休息日最长 366 天", "a run of days off is at most 366 days")
        return self

    def dates(self) -> list[dt.date]:
        if self.date is not None:
            return [self.date]
        assert self.from_ is not None and self.to is not None
        n = (self.to - self.from_).days + 1
        return [self.from_ + dt.timedelta(days=i) for i in range(n)]


def _day_off_kind(v: Any) -> str:
    return "range" if isinstance(v, (dict, DayOff)) else "date"


#: a date, or {date | from/to, name}: one branch checked, so one error per wrong entry
_DayOffEntry = Annotated[
    Annotated[dt.date, Tag("date")] | Annotated[DayOff, Tag("range")],
    Discriminator(_day_off_kind),
]


class CalendarConfig(_Model):
    """The SOP's own calendar on top of the country's public holidays (docs/sop.md)."""

    days_off: list[_DayOffEntry] = Field(
        default_factory=list,
        description="extra days off: a date, {date, name} or {from, to, name} (company days "
        "off, or the official arrangement once it is published)",
    )
    working_days: list[dt.date] = Field(
        default_factory=list, description="days that are working days (调休上班)"
    )
    ignore: list[dt.date] = Field(
        default_factory=list,
        description="dates to treat as ordinary days (no holiday, no adjusted workday)",
    )
    announced: list[int] = Field(
        default_factory=list,
        description="years whose official arrangement days_off/working_days give in full "
        "(the package's guessed make-up days of those years are dropped)",
    )
    festivals: FestivalSet | None = Field(
        None, description="marketing festival set: china | none (default china for CN)"
    )

    def off_days(self) -> dict[dt.date, str | None]:
        """Every declared day off with its name (a later entry wins)."""
        out: dict[dt.date, str | None] = {}
        for x in self.days_off:
            if isinstance(x, dt.date):
                out[x] = None
            else:
                out.update(dict.fromkeys(x.dates(), x.name))
        return out

    @model_validator(mode="after")
    def _no_clash(self) -> CalendarConfig:
        both = sorted(set(self.off_days()) & set(self.working_days))
        if both:
            raise _err(
                "{d} 同时写在 days_off 和 working_days 里",
                "{d} is both in days_off and in working_days",
                d=both[0].isoformat(),
            )
        return self


class KpiTarget(_Model):
    target: float | None = None
    floor: float | None = None


class KocConfig(_Model):
    min_active_days: int = Field(7, ge=1)
    min_referrals: int = Field(1, ge=1)
    min_messages: int = Field(30, ge=1)


class Group(_Model):
    id: str = Field(min_length=1)
    name: str | None = None
    launched_on: dt.date | None = None
    vars: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


class Sop(_Model):
    """A community's SOP: positioning, goals, roles, rules, content mix, cadence and scripts."""

    model_config = ConfigDict(
        extra="forbid", coerce_numbers_to_str=True, frozen=True, title="sqops SOP file"
    )
    version: Literal[1] = Field(description="file format version (1)")
    community: Community
    positioning: Positioning | None = None
    goals: list[Goal] = Field(default_factory=list)
    roles: list[Role] = Field(default_factory=list)
    rules: Rules = Field(default_factory=Rules)
    content_mix: ContentMix = Field(default_factory=ContentMix)
    cadence: Cadence = Field(default_factory=Cadence)
    scripts: dict[str, str | dict[Literal["zh", "en"], str]] = Field(
        default_factory=dict,
        description="Jinja2 templates: inline text, a file next to the SOP, or {zh, en}",
    )
    kpis: dict[KpiName, KpiTarget] = Field(default_factory=dict)
    koc: KocConfig = Field(default_factory=KocConfig)
    groups: list[Group] = Field(default_factory=list)
    calendar: CalendarConfig = Field(default_factory=CalendarConfig)
    columns: dict[TableName, dict[str, str]] = Field(
        default_factory=dict,
        description="column mapping of data tables: {table: {canonical: source}}",
    )
    actions: dict[ActionName, str] = Field(
        default_factory=dict,
        description="member actions of the report: {action: key of scripts:}",
    )

    @property
    def holiday_country(self) -> str | None:
        """The country whose public holidays the plan marks (None: no country): the
        community's ``country``, else by platform and timezone (docs/sop.md)."""
        c = self.community.country
        if c is None:
            return default_country(self.community.platform, self.community.timezone)
        return None if c == "none" else c

    @property
    def festival_set(self) -> str:
        """The marketing festival set: ``calendar.festivals``, else china for CN, else none."""
        if self.calendar.festivals is not None:
            return self.calendar.festivals
        return "china" if self.holiday_country == "CN" else "none"

    @property
    def staff_ids(self) -> frozenset[str]:
        return frozenset(m for r in self.roles for m in r.members)

    def role(self, name: str) -> Role | None:
        return next((r for r in self.roles if r.role == name), None)
