"""Service: members' questions and the staff's response (客服响应, spec §3 "Service").

Over the window Q = as-of − 29 .. as-of (local days):

- a *question* is a non-staff, non-system message in Q whose content has ``?`` or ``？``, or
  whose ``reply_to`` is the ``msg_id`` of a staff message of the same group;
- its *answer* is the first non-system staff message of the same group strictly after it (up
  to the end of as-of; a scheduled push counts: a limit the docs state);
- response time counts the minutes outside the SOP's quiet hours (local wall clock, in the
  report's time zone); with no quiet hours, the real minutes;
- the SLA is the smallest ``response_hours`` of the SOP's ``support`` roles, else 24 h, in the
  same minutes (a question asked at 21:30 with quiet hours 22:00-08:00 and a 1 h SLA is due
  at 08:30 the next morning);
- ``answered_in_time_rate`` = questions answered within the SLA / questions, where a
  question still unanswered at the end of as-of whose SLA has not run out yet (``pending``)
  is in neither; ``median_response_minutes`` over the answered questions (the fleet's: the
  median over all of them, not a mean of the groups' medians).

One pass over the window's messages (vectorised; the answers by one sorted ``join_asof`` per
group), so it stays cheap at 10 M messages: only the questions, with their answers, are
collected.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import polars as pl

from sqops.data.membership import Prepared, to_date
from sqops.data.tables import QUESTION_TEXT, Tables, fixed_offset
from sqops.domain.tables import QUESTION_MARKS
from sqops.i18n import T
from sqops.render.words import GROUP_ID, GROUP_NAME, MEMBER_ID, MEMBER_NAME, YES_NO

if TYPE_CHECKING:
    from sqops.report import schema as S

#: days of the window Q (as-of − 29 .. as-of)
WINDOW_DAYS = 30
DAY_S = 86_400
#: seconds a microsecond, minutes a second: multiplied by, never divided by (polars divides
#: a column of several rows by a literal as × 1/d, one row exactly: 813 s came out 13.55
#: minutes for a partitioned run's bucket with one question and 13.549999999999999 in the
#: one pass, 13.6 against 13.5 in the report)
_PER_MICRO = 1 / 1e6
#: microseconds a day
_DAY_US = DAY_S * 1_000_000
_PER_SECOND = 1 / 60

#: what the section needs when it cannot be computed: id (JSON) → what to export or set
NEEDS: dict[str, T] = {
    "messages.content": T(
        "导出聊天记录时包含 content（消息内容）列",
        "export messages with the content column",
    ),
    "staff": T(
        "在 SOP 的 roles[].members 里写明员工，或提供 staff 表（或消息的 role 列）",
        "name staff in the SOP roles (roles[].members), a staff table or the messages' role column",
    ),
}

#: the columns of ``unanswered.csv``: id → header
UNANSWERED_COLUMNS: dict[str, T] = {
    "group_id": GROUP_ID,
    "group_name": GROUP_NAME,
    "member_id": MEMBER_ID,
    "member_name": MEMBER_NAME,
    "ts": T("提问时间", "asked_at"),
    "content": T("内容", "content"),
    "minutes_waiting": T("已等待分钟", "minutes_waiting"),
    "overdue": T("已超时", "overdue"),
}


#: the words of the section (every renderer takes them from here)
WORDS: dict[str, T] = {
    "title": T("客服响应", "Service: questions and staff response"),
    "unavailable": T("无法计算，需要：{n}", "not available, needs: {n}"),
    "meta": T(
        "近 30 天（{a} → {b}）· 响应时限 {sla} 小时 · 免打扰 {q}（不计入时长）",
        "last 30 days ({a} → {b}) · SLA {sla} h · quiet hours {q} (not counted)",
    ),
    "no_quiet": T("无", "none"),
    "who": T("范围", "scope"),
    "fleet": T("全部群合计", "Fleet"),
    "questions": T("提问", "questions"),
    "answered": T("已回复", "answered"),
    "in_time": T("按时回复", "in time"),
    "rate": T("按时回复率", "in-time rate"),
    "median": T("回复时长中位数（分钟）", "median response (min)"),
    "unanswered": T("超时未回复", "overdue, unanswered"),
    "pending": T("待回复（未超时）", "pending (within SLA)"),
    "staff": T("员工", "staff"),
    "staff_title": T("各员工的回复", "Answers by staff member"),
    "name": T("名字", "name"),
    "staff_answered": T("回复的提问", "questions answered"),
    "no_staff_answers": T("窗口内员工没有回复任何提问。", "No staff member answered a question."),
    "note": T(
        "提问 = 成员带“?”或“？”的消息，或回复员工消息的消息；回复 = 之后同群第一条员工消息"
        "（定时推送也算作回复）。合计的中位数是全部已回复提问的中位数。"
        "未回复的提问：--lists 导出 unanswered.csv。",
        "A question: a member's message with '?' or '？', or a reply to a staff message; its "
        "answer: the next staff message in the group (a scheduled push counts too). The fleet's "
        "median is over all answered questions. Unanswered questions: --lists writes "
        "unanswered.csv.",
    ),
}


def fmt_rate(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def fmt_minutes(v: float | None) -> str:
    return "—" if v is None else f"{v:,.1f}"


def fmt_hours(v: float) -> str:
    return f"{v:g}"


@dataclass(frozen=True)
class ServiceCounts:
    """One group's (or the fleet's) questions and how they were answered."""

    questions: int  # counted: answered, or unanswered with the SLA run out
    answered: int
    answered_in_time: int
    pending: int  # unanswered, SLA not run out at the end of as-of: left out of the rate
    median_response_minutes: float | None
    sla_hours: float

    @property
    def unanswered(self) -> int:
        """Questions with no answer whose SLA ran out (counted, not in time)."""
        return self.questions - self.answered

    @property
    def answered_in_time_rate(self) -> float | None:
        return self.answered_in_time / self.questions if self.questions else None

    def to_dict(self) -> S.ServiceCountsDoc:
        return {
            "questions": self.questions,
            "answered": self.answered,
            "answered_in_time": self.answered_in_time,
            "unanswered": self.unanswered,
            "pending": self.pending,
            "answered_in_time_rate": _round(self.answered_in_time_rate, 4),
            "median_response_minutes": _round(self.median_response_minutes, 1),
            "sla_hours": self.sla_hours,
        }


@dataclass(frozen=True)
class StaffService:
    member_id: str
    name: str | None
    answered: int  # questions this staff member's message answered
    median_response_minutes: float

    def to_dict(self) -> S.ServiceStaffDoc:
        return {
            "member_id": self.member_id,
            "name": self.name,
            "answered": self.answered,
            "median_response_minutes": round(self.median_response_minutes, 1),
        }


@dataclass
class Service:
    """The section: available, or what it needs; the counts; the unanswered questions."""

    window: tuple[dt.date, dt.date]
    sla_hours: float
    quiet_hours: tuple[dt.time, dt.time] | None
    needs: list[str] = field(default_factory=list)
    fleet: ServiceCounts | None = None
    groups: dict[str, ServiceCounts] = field(default_factory=dict)
    staff: list[StaffService] = field(default_factory=list)
    #: group_id, group_name, member_id, member_name, ts (local text), content,
    #: minutes_waiting, overdue: oldest first (the columns of ``UNANSWERED_COLUMNS``)
    unanswered: pl.DataFrame = field(default_factory=pl.DataFrame)
    #: every question of the window with its answer (what the counts are computed from) and
    #: (tz, group names, staff names): kept for :meth:`only`
    _questions: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False)
    _context: tuple[str, dict[str, str], dict[str, str]] = field(
        default=("UTC", {}, {}), repr=False
    )

    def only(self, groups: Collection[str]) -> Service:
        """The section for some of the groups (one value of ``--by``): their counts, and the
        fleet's, the staff's and the unanswered list over their questions alone."""
        if not self.available:
            return self
        part = dataclasses.replace(self)
        gl = [g for g in self.groups if g in groups]
        q = self._questions
        if q.height:
            q = q.filter(pl.col("group_id").cast(pl.String).is_in(gl))
        _summarise(part, q, gl)
        return part

    @property
    def available(self) -> bool:
        return not self.needs

    def needs_text(self, lang: str) -> list[str]:
        return [NEEDS[n].get(lang) for n in self.needs]

    @property
    def quiet_text(self) -> str | None:
        if self.quiet_hours is None:
            return None
        a, b = self.quiet_hours
        return f"{a:%H:%M}-{b:%H:%M}"

    def to_dict(self) -> S.ServiceDoc:
        return {
            "available": self.available,
            "needs": list(self.needs),
            "window": [self.window[0].isoformat(), self.window[1].isoformat()],
            "sla_hours": self.sla_hours,
            "quiet_hours": self.quiet_text,
            "fleet": self.fleet.to_dict() if self.fleet else None,
            "groups": {g: c.to_dict() for g, c in self.groups.items()},
            "staff": [s.to_dict() for s in self.staff],
        }


def service_lines(service: Service, lang: str) -> tuple[str, list[str]]:
    """The section's lead: the window, SLA and quiet hours line, or what it needs; the notes."""
    if not service.available:
        need = "; ".join(service.needs_text(lang))
        return WORDS["unavailable"].format(n=need).get(lang), []
    meta = WORDS["meta"].format(
        a=service.window[0].isoformat(),
        b=service.window[1].isoformat(),
        sla=fmt_hours(service.sla_hours),
        q=service.quiet_text or WORDS["no_quiet"].get(lang),
    )
    return meta.get(lang), [WORDS["note"].get(lang)]


def service_table(
    service: Service,
    lang: str,
    group_names: dict[str, str],
    only: Collection[str] | None = None,
) -> tuple[list[str], list[list[str]]]:
    """Fleet then every group (of ``only``, when given): questions, answered, in time, rate,
    median, overdue, pending."""
    keys = ("who", "questions", "answered", "in_time", "rate", "median", "unanswered", "pending")
    header = [WORDS[k].get(lang) for k in keys]

    def row(who: str, c: ServiceCounts) -> list[str]:
        return [
            who,
            str(c.questions),
            str(c.answered),
            str(c.answered_in_time),
            fmt_rate(c.answered_in_time_rate),
            fmt_minutes(c.median_response_minutes),
            str(c.unanswered),
            str(c.pending),
        ]

    rows = [row(WORDS["fleet"].get(lang), service.fleet)] if service.fleet else []
    for g, c in service.groups.items():
        if only is None or g in only:
            rows.append(row(f"{g} {group_names[g]}" if g in group_names else g, c))
    return header, rows


def staff_table(service: Service, lang: str) -> tuple[list[str], list[list[str]]]:
    """Per staff member who answered: id, name, questions answered, median minutes."""
    header = [WORDS[k].get(lang) for k in ("staff", "name", "staff_answered", "median")]
    rows = [
        [s.member_id, s.name or "", str(s.answered), fmt_minutes(s.median_response_minutes)]
        for s in service.staff
    ]
    return header, rows


def _round(v: float | None, n: int) -> float | None:
    return None if v is None else round(float(v), n)


def _seconds(qs: dt.time) -> int:
    return qs.hour * 3600 + qs.minute * 60


def _active_clock(
    ts: pl.Expr, tz: str, quiet: tuple[int, int], offset: dt.timedelta | None = None
) -> pl.Expr:
    """Seconds outside quiet hours from 1970-01-01 00:00 local to ``ts`` (local wall clock):
    the difference of two of them is the time between that counts.

    ``offset``: the zone's one UTC offset over every time given (:func:`fixed_offset`): the
    local wall clock is then the UTC time plus it, its day and second of the day read from
    the time's microseconds by integer division (:func:`_local_day_seconds`: the same
    values as the fields of the zone's conversion; at 10 M messages the 0.22 M questions'
    clocks took 0.3 CPU-s through the zone's rules, 0.16 by the fields of ``ts + offset``)."""
    qs, qe = quiet
    if offset is not None:
        day, sod = _local_day_seconds(ts, offset)
    else:
        local = ts.dt.convert_time_zone(tz)
        day = local.dt.date().cast(pl.Int32).cast(pl.Float64)
        sod = (
            local.dt.hour().cast(pl.Float64) * 3600
            + local.dt.minute().cast(pl.Float64) * 60
            + local.dt.second().cast(pl.Float64)
            + local.dt.microsecond().cast(pl.Float64) * _PER_MICRO
        )
    if qs < qe:  # quiet [qs, qe) inside the day
        qlen = qe - qs
        quiet_so_far = sod.clip(qs, qe) - qs
    else:  # quiet [qs, 24:00) and [00:00, qe): crosses midnight
        qlen = DAY_S - qs + qe
        quiet_so_far = pl.min_horizontal(sod, pl.lit(float(qe))) + (sod - qs).clip(lower_bound=0)
    return day * (DAY_S - qlen) + (sod - quiet_so_far)


def _local_day_seconds(ts: pl.Expr, offset: dt.timedelta) -> tuple[pl.Expr, pl.Expr]:
    """The local day (days since 1970-01-01) and second of the day (with its microseconds)
    of UTC times ``ts`` in a zone ``offset`` from UTC, as floats: from the local time's
    microseconds by floor division — the same numbers as the local date's and the fields'
    (hour × 3600 + minute × 60 + second, exact in a float, + microsecond × 1e-6)."""
    us = ts.dt.epoch("us") + offset // dt.timedelta(microseconds=1)
    day = us // _DAY_US
    in_day = us - day * _DAY_US  # (0 <= in_day < a day: floor division, before 1970 too)
    sec = in_day // 1_000_000
    micro = in_day - sec * 1_000_000
    sod = sec.cast(pl.Float64) + micro.cast(pl.Float64) * _PER_MICRO
    return day.cast(pl.Float64), sod


def _empty_unanswered() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "group_id": pl.String,
            "group_name": pl.String,
            "member_id": pl.String,
            "member_name": pl.String,
            "ts": pl.String,
            "content": pl.String,
            "minutes_waiting": pl.Int64,
            "overdue": pl.Boolean,
        }
    )


def build_service(
    tables: Tables,
    p: Prepared[pl.DataFrame],
    *,
    tz: str,
    quiet_hours: tuple[dt.time, dt.time] | None,
    sla_hours: float,
    group_names: dict[str, str],
) -> Service:
    """The service section of the report at ``p.as_of`` (see the module's docstring)."""
    hi = p.as_of
    lo = hi - (WINDOW_DAYS - 1)
    window = (to_date(lo), to_date(hi))
    td = tables["messages"]
    needs = []
    if not td.has(QUESTION_TEXT):
        needs.append("messages.content")
    if not p.staff:
        needs.append("staff")
    quiet = None
    if quiet_hours is not None and quiet_hours[0] != quiet_hours[1]:
        quiet = (_seconds(quiet_hours[0]), _seconds(quiet_hours[1]))
    svc = Service(window, sla_hours, quiet_hours if quiet else None, needs)
    if needs:
        return svc

    gl = p.groups["group_id"].cast(pl.String).to_list()
    staff_l = sorted(p.staff)
    is_staff = pl.col("member_id").is_in(staff_l)
    not_system = (
        pl.col("msg_type").fill_null("text") != "system" if td.has("msg_type") else pl.lit(True)
    )
    first_day, last_day = to_date(lo), to_date(hi)
    lf = td.frame.filter(pl.col("day") <= last_day)
    if _some_groups(p):
        lf = lf.filter(pl.col("group_id").is_in(gl))
    has_name = td.has("member_name")
    name = pl.col("member_name").cast(pl.String) if has_name else pl.lit(None, pl.String)

    # questions: non-staff, non-system, in Q, with a question mark or replying to staff.
    # Two passes over the messages: the staff's messages of every day up to the as-of
    # (~0.8 M rows at 10 M messages; reply targets and answers: one pass instead of two) and
    # the messages that may be questions, kept by cheap tests first (a question has a
    # question text or a reply_to) — the question marks are looked for in those rows only
    # (the held messages at 10 M: the text test on every row, null or not, cost ~0.15 CPU-s)
    has_mark = pl.col(QUESTION_TEXT).str.contains_any(list(QUESTION_MARKS)).fill_null(False)
    reply = td.has("reply_to") and td.has("msg_id")
    maybe = pl.col(QUESTION_TEXT).is_not_null()
    if reply:
        maybe = maybe | pl.col("reply_to").is_not_null()
    cand_cols = ["group_id", "member_id", "ts", QUESTION_TEXT, "_row"]
    cand_cols += ["member_name"] if has_name else []
    cand_cols += ["reply_to"] if reply else []
    cand = (
        lf.filter((pl.col("day") >= first_day) & ~is_staff & not_system & maybe)
        .select(cand_cols)  # (only what the questions read: a reply-heavy fleet keeps many)
        .collect()
        # (the marks looked for once: the questions with one and the replies without)
        .with_columns(has_mark.alias("_mark"))
        .lazy()
    )
    has_mark = pl.col("_mark")
    staff_cols = ["group_id", "member_id", "member_name", "ts", "_row", "day", "msg_type"]
    staff_cols += ["msg_id"] if reply else []
    staff_rows = (
        lf.filter(is_staff)
        .select(c for c in staff_cols if c in td.columns or c == "_row")
        .collect()
    ).lazy()
    if reply:
        # a reply without a question mark is a question when it replies to a staff message
        # of its group: found by a semi join (no unique of the targets) of the replies' group,
        # target and row alone, then kept by their rows with the marked ones, in one filter
        # (not two frames of every column joined and concatenated)
        to, targets = _reply_keys(staff_rows)
        replied = (
            cand.filter(~has_mark & pl.col("reply_to").is_not_null())
            .select("group_id", to, "_row")
            .join(targets, on=["group_id", "_to"], how="semi")
            .select("_row")
            .collect()
        )
        cand = cand.filter(has_mark | pl.col("_row").is_in(replied["_row"].implode()))
    else:
        cand = cand.filter(has_mark)
    questions = cand.select(
        "group_id",
        "member_id",
        name.alias("member_name"),
        "ts",
        pl.col(QUESTION_TEXT).alias("content"),
        "_row",
    ).sort("ts", "_row")
    # the staff's non-system messages from the window's first day on: the possible answers,
    # by time and row within each group (the join below finds each question's answer among
    # its group's rows in their order: polars keeps a position per group); the messages'
    # own order is that when their times never go back within a group (no sort: at 10 M
    # messages 0.25 M answers, 0.07-0.08 -> ~0.01 CPU-s)
    answers = staff_rows.filter((pl.col("day") >= first_day) & not_system).select(
        "group_id",
        pl.col("ts").alias("a_ts"),
        pl.col("member_id").alias("a_member"),
        name.alias("a_name"),
        pl.col("_row").alias("a_row"),
    )
    if not td.times_in_order():
        answers = answers.sort("a_ts", "a_row")
    q = (
        questions.join_asof(
            answers,
            left_on="ts",
            right_on="a_ts",
            by="group_id",
            strategy="forward",
            allow_exact_matches=False,  # strictly after the question
            check_sortedness=False,  # (by time within each group: the questions overall)
        )
        .with_columns(pl.col("group_id").cast(pl.String), pl.col("member_id").cast(pl.String))
        .collect()
    )

    end = dt.datetime.combine(to_date(hi + 1), dt.time(0), tzinfo=ZoneInfo(tz))
    end_lit = pl.lit(end.astimezone(dt.UTC)).dt.cast_time_unit("us")
    if quiet is not None:
        # (every time here lies in Q's days or at the end of as-of: a question's, its
        # answer's, the end's; one offset over those days, when the zone has one there)
        off = fixed_offset(tz, dt.datetime.combine(first_day, dt.time()), end.replace(tzinfo=None))
        # (the question's clock made once, a column: the answer's and the end's less it)
        q = q.with_columns(_active_clock(pl.col("ts"), tz, quiet, off).alias("_at_q"))
        at_q = pl.col("_at_q")
        resp = _active_clock(pl.col("a_ts"), tz, quiet, off) - at_q
        wait = _active_clock(end_lit, tz, quiet, off) - at_q
    else:
        resp = (pl.col("a_ts") - pl.col("ts")).dt.total_microseconds() * _PER_MICRO
        wait = (end_lit - pl.col("ts")).dt.total_microseconds() * _PER_MICRO
    sla_s = sla_hours * 3600
    q = q.with_columns(
        resp.clip(lower_bound=0).alias("_resp_s"), wait.clip(lower_bound=0).alias("_wait_s")
    ).with_columns(
        (pl.col("_resp_s") * _PER_SECOND).alias("minutes"),
        (pl.col("_wait_s") * _PER_SECOND).alias("waited"),
        pl.col("a_ts").is_not_null().alias("answered"),
        (pl.col("a_ts").is_not_null() & (pl.col("_resp_s") <= sla_s)).alias("in_time"),
        # unanswered, and the SLA has not run out by the end of as-of: left out
        (pl.col("a_ts").is_null() & (pl.col("_wait_s") < sla_s)).alias("pending"),
    )
    if quiet is not None:
        q = q.drop("_at_q")

    svc._questions = q
    svc._context = (tz, group_names, _staff_names(tables))
    _summarise(svc, q, gl)
    return svc


def _reply_keys(staff_rows: pl.LazyFrame) -> tuple[pl.Expr, pl.LazyFrame]:
    """``_to``, the key a reply's ``reply_to`` (text) is matched by, and the staff messages'
    keys (``group_id, _to``): their ``msg_id`` as text; when the ids are integers (a typed
    source's, :data:`sqops.data.tables.NUMERIC_IDS`) the ids themselves, and a reply's text
    as the integer whose text it is — exactly the texts the ids are cast to (``"07"``,
    ``" 7"``, ``"+7"`` and ``"7.0"`` match no id, as before), without casting every staff
    message's id to text (0.8 M at 10 M messages: 0.12 CPU-s with the unique)."""
    dtype = staff_rows.collect_schema()["msg_id"]
    if not dtype.is_integer():
        text = pl.col("msg_id").cast(pl.String).alias("_to")
        return pl.col("reply_to").cast(pl.String).alias("_to"), staff_rows.select("group_id", text)
    to = pl.col("reply_to").cast(dtype, strict=False)
    to = pl.when(to.cast(pl.String) == pl.col("reply_to")).then(to)
    return to.alias("_to"), staff_rows.select("group_id", pl.col("msg_id").alias("_to"))


def _some_groups(p: Prepared[pl.DataFrame]) -> bool:
    """Whether ``p`` is of some of the groups only (``only_groups``, or an earlier day's
    inputs): else every message up to as-of is of one of its groups (they were made from
    those messages and the members' events), and no test of the group is needed."""
    return p.history is None or p.history.only is not None


def _summarise(svc: Service, q: pl.DataFrame, gl: list[str]) -> None:
    """Fill the counts of the fleet (``q``'s groups pooled), of each group of ``gl``, of the
    staff, and the unanswered list, from the questions ``q``."""
    sla_hours = svc.sla_hours
    tz, group_names, staff_names = svc._context

    def counts(row: tuple[Any, ...]) -> ServiceCounts:
        questions, answered, in_time, pending, mins = row
        return ServiceCounts(
            questions=int(questions or 0),
            answered=int(answered or 0),
            answered_in_time=int(in_time or 0),
            pending=int(pending or 0),
            median_response_minutes=statistics.median(mins) if mins else None,
            sla_hours=sla_hours,
        )

    # every group's counts in one pass (a frame per group cost ~270 MB at 30,000 groups
    # when a partitioned run's merge summed them), the answered minutes as a list each
    sums = [
        (~pl.col("pending")).sum().alias("questions"),
        pl.col("answered").sum(),
        pl.col("in_time").sum(),
        pl.col("pending").sum(),
    ]
    # (sorted here: statistics.median sorts each list again, now in linear time — at 10 M
    # messages Python's sorts of the 0.2 M minutes took ~0.1 CPU-s)
    mins = pl.col("minutes").filter(pl.col("answered")).sort()
    svc.fleet = counts(q.select(*sums, mins.implode()).row(0))
    per_group = {r[0]: r[1:] for r in q.group_by("group_id").agg(*sums, mins).iter_rows()}
    none: tuple[Any, ...] = (0, 0, 0, 0, [])
    svc.groups = {g: counts(per_group.get(g, none)) for g in gl}

    per_staff = (
        q.filter(pl.col("answered"))
        .with_columns(pl.col("a_member").cast(pl.String))
        .group_by("a_member")
        .agg(
            pl.len().alias("answered"),
            pl.col("minutes").median().alias("median"),
            pl.col("a_name").cast(pl.String).sort_by("a_ts", "a_row").last().alias("name"),
        )
        .sort(["answered", "a_member"], descending=[True, False])
    )
    svc.staff = [
        StaffService(m, staff_names.get(m) or nm, int(n), float(md))
        for m, n, md, nm in per_staff.select("a_member", "answered", "median", "name").iter_rows()
    ]

    svc.unanswered = (
        q.filter(~pl.col("answered"))
        .sort("ts", "group_id", "member_id", "_row")
        .select(
            "group_id",
            # (text even when no group has a name: as an empty list's column, and a bucket's)
            pl.col("group_id")
            .replace_strict(group_names, default=None, return_dtype=pl.String)
            .alias("group_name"),
            "member_id",
            "member_name",
            pl.col("ts").dt.convert_time_zone(tz).dt.strftime("%Y-%m-%d %H:%M:%S").alias("ts"),
            "content",
            pl.col("waited").floor().cast(pl.Int64).alias("minutes_waiting"),
            (~pl.col("pending")).alias("overdue"),
        )
        if q.height
        else _empty_unanswered()
    )


def _staff_names(tables: Tables) -> dict[str, str]:
    """The staff table's names (a staff member's name there wins over their chat nickname)."""
    st = tables.get("staff")
    if st is None or not st.has("name"):
        return {}
    df = (
        st.frame.select(pl.col("member_id").cast(pl.String), pl.col("name").cast(pl.String))
        .filter(pl.col("name").is_not_null())
        .unique("member_id", keep="first", maintain_order=True)
        .collect()
    )
    return dict(df.iter_rows())


def unanswered_rows(service: Service, lang: str) -> tuple[list[str], list[list[object]]]:
    """``unanswered.csv``: the header in the report's language, the rows oldest first."""
    header = [UNANSWERED_COLUMNS[c].get(lang) for c in UNANSWERED_COLUMNS]
    df = service.unanswered
    if df.height == 0:
        return header, []
    rows = df.select(list(UNANSWERED_COLUMNS)).iter_rows()
    return header, [[*r[:-1], YES_NO[bool(r[-1])].get(lang)] for r in rows]
