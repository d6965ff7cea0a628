"""Generate a realistic, deterministic community dataset from an SOP (``sqops demo``).

Every group is generated from its own random stream ``numpy.random.default_rng([seed, i])``,
so a group's rows do not depend on how many groups come before it or how the work is
chunked, and the same arguments always give byte-identical files. All work is vectorised
with numpy (no per-row Python); groups are processed in batches and streamed to disk, so
tens of millions of messages need only a few hundred MB of memory.

What is in the data (see docs/demo.md for the numbers):

* groups launched on different days; invitations, joins (some via an inviter), leaves and
  re-joins, profile completion (the name then matches ``rules.nickname_pattern``);
* members of five kinds: KOCs, active, casual, fading (speak, then fall silent) and
  lurkers; a few members are in two groups;
* staff pushes following the SOP cadence (mostly on time, some late, some missed), posted
  both to ``posts`` and as staff messages, support replies and a bot;
* member messages with a weekday × hour rhythm, a lifecycle decay and campaign peaks;
  join notices as ``system`` messages;
* opens / clicks of posts, participation in activities, coupons, orders (paid, refunded,
  cancelled), repeat buyers;
* a few rows a real export gets wrong, on purpose (:data:`DIRTY_ROWS`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from sqops.data.scalars import MAX_YEAR
from sqops.demo import _text as tx
from sqops.demo._writer import TableWriter
from sqops.domain.tables import TABLE_NAMES
from sqops.errors import UsageError
from sqops.i18n import T
from sqops.plan import Calendar, calendar_for, item_dates
from sqops.sop.model import Sop

TABLES = TABLE_NAMES

#: The rows written wrong on purpose, so that the report's data-quality section has
#: something to say. Each is in the first group.
DIRTY_ROWS: dict[str, str] = {
    "messages.bad_ts": "one message whose ts is not a date (2026-11-31 08:15:00; null in Parquet)",
    "messages.duplicate_msg_id": "one message written twice (same msg_id)",
    "orders.negative_amount": "one order with a negative amount",
    "orders.no_group_id": "one paid order without group_id (attributed by membership)",
    "messages.no_member_events": "one member who speaks but has no member events",
}
BAD_TS_TEXT = "2026-11-31 08:15:00"

DAY = 86_400
_EPOCH = dt.date(1970, 1, 1)
# member kinds
KOC, ACTIVE, CASUAL, FADING, LURKER = range(5)
_KIND_P = np.array([0.03, 0.12, 0.30, 0.10, 0.45])
_RATE = np.array([6.0, 2.0, 0.03, 1.6, 0.0])  # messages a day, at lifecycle weight 1
_OPEN_P = np.array([0.9, 0.65, 0.3, 0.3, 0.08])
_BUY_P = np.array([0.35, 0.15, 0.05, 0.04, 0.02])
_PROFILE_P = np.array([0.95, 0.85, 0.6, 0.55, 0.35])
_MSG_TYPES = ("text", "image", "sticker", "voice", "video", "link", "miniprogram", "file")
_MSG_TYPE_P = np.array([0.70, 0.12, 0.10, 0.04, 0.01, 0.02, 0.005, 0.005])
_MSG_TYPE_P = _MSG_TYPE_P / _MSG_TYPE_P.sum()
_FLUSH_ROWS = 600_000


def _hour_profile() -> np.ndarray:
    """Relative chat activity by weekday (Mon..Sun) × hour: a morning bump, lunch, a late evening."""
    base = np.array(
        [0.15, 0.06, 0.03, 0.02, 0.02, 0.05, 0.2, 0.6, 1.1, 1.0, 0.8, 0.8,
         1.2, 1.1, 0.7, 0.7, 0.7, 0.8, 0.9, 1.2, 1.7, 1.9, 1.5, 0.6]
    )  # fmt: skip
    weekend = np.array(
        [0.3, 0.12, 0.05, 0.03, 0.02, 0.03, 0.08, 0.2, 0.5, 0.9, 1.2, 1.2,
         1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.1, 1.5, 1.8, 1.7, 0.9]
    )  # fmt: skip
    prof = np.vstack([base] * 5 + [weekend] * 2)
    return prof / prof.sum(axis=1, keepdims=True)


_HOUR_CDF = np.cumsum(_hour_profile(), axis=1)
_HOUR_CDF[:, -1] = 1.0
_EVENING = np.zeros(24)
_EVENING[[12, 13, 19, 20, 21, 22, 23]] = [0.5, 0.5, 1.0, 2.5, 2.5, 1.8, 0.7]
_EVENING_CDF = np.cumsum(_EVENING / _EVENING.sum())
_EVENING_CDF[-1] = 1.0


@dataclass(frozen=True)
class DemoGroup:
    id: str
    name: str
    launched_on: dt.date
    city: str


@dataclass
class DemoOptions:
    """What ``sqops demo`` was asked for. ``start``/``days`` fix the date range: no clock."""

    groups: int | None = None  # None: the SOP's groups
    days: int = 120
    members: int = 200  # joiners per group, about (scaled 0.7..1.0 per group)
    seed: int = 0
    fmt: str = "csv"
    start: dt.date | None = None  # first day; default: the earliest launch in the SOP


#: bounds of what ``sqops demo`` writes (docs/demo.md "Limits"): ten years, 100,000 groups or
#: members, and an estimated 250 M messages (room for the 200 M-message benchmark, whose estimate
#: is ~221 M; at about 4 M messages a minute that is an hour), and never more than the free
#: space of the target's disk
MAX_DAYS = 3660
MAX_GROUPS = 100_000
MAX_MEMBERS = 100_000
MAX_MESSAGES = 250_000_000
#: measured (20 groups × 500 members × 120 days, seed 1: 141,726 messages; all tables on disk:
#: 222 bytes a message as CSV, 27 as Parquet), rounded up; Parquet also needs its temporary
#: LZ4 parts until the end (150 groups: 69 bytes a message), so 27 + 69 → 100
MESSAGES_PER_MEMBER_DAY = 0.12
BYTES_PER_MESSAGE = {"csv": 240, "parquet": 100}


def estimate(sop: Sop, opts: DemoOptions) -> tuple[int, int]:
    """(messages, bytes on disk) that ``opts`` would write, about: refused past the bounds."""
    groups = len(sop.groups) if opts.groups is None else opts.groups
    cap = sop.community.max_members or sop.community.member_limit or opts.members
    members = min(opts.members, cap)
    messages = int(groups * members * opts.days * MESSAGES_PER_MEMBER_DAY)
    return messages, messages * BYTES_PER_MESSAGE.get(opts.fmt, 240)


def check_size(sop: Sop, opts: DemoOptions, directory: Path) -> None:
    """Refuse (exit 2, before anything is written) what would run for hours or fill the disk
    (:func:`demo_groups` refuses a range past the calendar)."""
    for value, bound, opt in (
        (opts.days, MAX_DAYS, "--days"),
        (opts.groups or 0, MAX_GROUPS, "--groups"),
        (opts.members, MAX_MEMBERS, "--members"),
    ):
        if value > bound:
            raise UsageError(
                T("{o} 最多为 {b:,}（现在是 {v:,}）", "{o} is at most {b:,} (got {v:,})").format(
                    o=opt, b=bound, v=value
                )
            )
    messages, size = estimate(sop, opts)
    if messages > MAX_MESSAGES:
        raise UsageError(
            T(
                "这会生成约 {m:,} 条消息，超过上限 {b:,}：请减少 --groups、--members 或 --days",
                "this would write about {m:,} messages, over the bound of {b:,}: use fewer "
                "--groups, --members or --days",
            ).format(m=messages, b=MAX_MESSAGES)
        )
    where = directory
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return
    if size > free:
        raise UsageError(
            T(
                "这会写入约 {s} MB，而 {d} 所在磁盘只剩 {f} MB",
                "this would write about {s} MB and the disk of {d} has {f} MB free",
            ).format(s=f"{size // 2**20:,}", d=directory.as_posix(), f=f"{free // 2**20:,}")
        )


@dataclass
class DemoResult:
    directory: Path
    fmt: str
    start: dt.date
    end: dt.date
    groups: list[DemoGroup]
    rows: dict[str, int] = field(default_factory=dict)


# ------------------------------------------------------------------ groups and staff
def demo_groups(
    sop: Sop, n: int | None, start: dt.date | None, days: int
) -> tuple[dt.date, list[DemoGroup]]:
    """The groups to generate: the SOP's, then synthesised ones launched on spread-out days."""
    own = [(g.id, g.name or g.id, g.launched_on, str(g.vars.get("city") or "")) for g in sop.groups]
    first = start or min(
        [d for _, _, d, _ in own if d]
        + ([sop.community.launched_on] if sop.community.launched_on else []),
        default=None,
    )
    if first is None:
        raise UsageError(
            T(
                "SOP 中没有上线日期（community.launched_on 或 groups[].launched_on）：请用 --start 指定第一天",
                "the SOP gives no launch date (community.launched_on or groups[].launched_on): pass --start",
            )
        )
    count = len(own) if n is None else n
    if count < 1:
        raise UsageError(T("--groups 至少为 1", "--groups must be at least 1"))
    if (dt.date(MAX_YEAR, 12, 31) - first).days < days:
        raise UsageError(
            T(
                "从 {s} 起 {d} 天超出了支持的日期范围（到 {y} 年）",
                "{d} days from {s} run past the dates sqops reads (up to the year {y})",
            ).format(s=first.isoformat(), d=days, y=MAX_YEAR)
        )
    out: list[DemoGroup] = []
    taken = {o[0] for o in own}
    for i in range(count):
        if i < len(own):
            gid, name, launched, city = own[i]
            launched = launched or first
        else:
            gid = f"g{i + 1:02d}" if count < 100 else f"g{i + 1:04d}"
            while gid in taken:
                gid = gid + "x"
            taken.add(gid)
            city = tx.CITIES[i % len(tx.CITIES)]
            name = f"{city}{i // len(tx.CITIES) + 1}群"
            # launches spread over the first 60% of the range, deterministic in i
            spread = max(1, int(days * 0.6))
            launched = first + dt.timedelta(days=(i * 37) % spread)
        out.append(
            DemoGroup(gid, name, max(launched, first), city or tx.CITIES[i % len(tx.CITIES)])
        )
    return first, out


def _staff(sop: Sop) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Staff ids (the bot last) and the rows of the ``staff`` table."""
    ids: list[str] = []
    rows: list[tuple[str, str, str]] = []
    for r in sop.roles:
        for m in r.members:
            if m not in ids:
                ids.append(m)
                rows.append((m, r.role, r.name or m))
    if not ids:
        ids.append("staff_owner")
        rows.append(("staff_owner", "owner", "staff_owner"))
    ids.append("bot_helper")  # a bot: marked by role = bot in messages, not in the staff table
    return ids, rows


# ------------------------------------------------------------------ cadence
@dataclass
class _Slots:
    """Planned pushes over the whole range: day offset, minute of day, item index."""

    day: np.ndarray
    minute: np.ndarray
    item: np.ndarray


def _day_ok(item: object, d: dt.date, cal: Calendar | None = None) -> bool:
    """The plan's own decision (holiday = statutory holiday; only_on filters are alternatives);
    ``cal``: the SOP's calendar (``sqops.plan.calendar_for``)."""
    from sqops.plan import allowed_on

    return allowed_on(item, d, cal)


@dataclass(frozen=True)
class _Item:
    id: str
    title: str
    kind: str | None
    owner: str | None
    person: str | None
    activity: bool
    lifecycle_day: int | None


def _cadence(
    sop: Sop, start: dt.date, days: int
) -> tuple[list[_Item], _Slots, list[tuple[int, int, int]]]:
    """Calendar items over [start, start + days) and lifecycle items (relative to each launch)."""
    items: list[_Item] = []
    day: list[int] = []
    minute: list[int] = []
    idx: list[int] = []
    c = sop.cadence
    events_role = {"events"}

    def add(item_id: str, it, kind: str | None, lifecycle: int | None = None) -> int:
        items.append(
            _Item(
                item_id,
                it.title,
                kind if kind in ("activation", "conversion", "brand") else None,
                it.owner,
                it.person,
                it.owner in events_role or kind == "conversion",
                lifecycle,
            )
        )
        return len(items) - 1

    end = start + dt.timedelta(days=days)

    cal = calendar_for(sop)

    def post(i: int, it: object, time: dt.time, section: str, check: bool = True) -> None:
        # the dates come from the plan's cadence engine, its holiday filters decide the rest
        for d in item_dates(section, it, start=start, end=end):
            if not check or _day_ok(it, d, cal):
                day.append((d - start).days)
                minute.append(time.hour * 60 + time.minute)
                idx.append(i)

    for section, items_ in (("daily", c.daily), ("weekly", c.weekly), ("monthly", c.monthly)):
        for n, it in enumerate(items_):
            post(add(it.id or f"{section}{n + 1}", it, it.kind), it, it.time, section)
    for n, camp in enumerate(c.campaigns):
        i = add(camp.id or f"campaign{n + 1}", camp, camp.kind)
        post(i, camp, camp.time, "campaign", check=False)
        if camp.countdown_days:
            j = len(items)
            items.append(
                _Item(f"{camp.id or f'campaign{n + 1}'}_countdown", f"{camp.title}倒计时", "conversion",
                      camp.owner, camp.person, False, None)
            )  # fmt: skip
            before = len(day)
            post(j, camp, camp.countdown_time or camp.time, "countdown", check=False)
            # nearest day first, as this generator has always drawn them
            day[before:], minute[before:], idx[before:] = (
                day[before:][::-1],
                minute[before:][::-1],
                idx[before:][::-1],
            )
    lifecycle: list[tuple[int, int, int]] = []
    for n, it in enumerate(c.lifecycle):
        i = add(it.id or f"lifecycle{n + 1}", it, it.kind, it.day)
        lifecycle.append((it.day - 1, it.time.hour * 60 + it.time.minute, i))
    slots = _Slots(
        np.array(day, dtype=np.int64),
        np.array(minute, dtype=np.int64),
        np.array(idx, dtype=np.int64),
    )
    return items, slots, lifecycle


# ------------------------------------------------------------------ helpers
def _sample_hours(rng: np.random.Generator, weekday: np.ndarray) -> np.ndarray:
    u = rng.random(weekday.size)
    cdf = _HOUR_CDF[weekday]
    return (u[:, None] > cdf).sum(axis=1)


def _weekday(epoch_day: np.ndarray) -> np.ndarray:
    return (epoch_day + 3) % 7  # 1970-01-01 was a Thursday


def _epoch_day(d: dt.date) -> int:
    return (d - _EPOCH).days


@dataclass
class _Ctx:
    sop: Sop
    opts: DemoOptions
    start: dt.date
    end_day: int  # epoch day of the last day
    staff_ids: list[str]
    staff_names: list[str]
    role_of_item: list[int]  # staff index posting each item
    support: list[int]  # staff indexes who answer
    items: list[_Item]
    slots: _Slots
    lifecycle: list[tuple[int, int, int]]
    campaign_days: set[int]
    max_members: int


def _staff_index(sop: Sop, staff_ids: list[str], owner: str | None, person: str | None) -> int:
    if person and person in staff_ids:
        return staff_ids.index(person)
    role = sop.role(owner) if owner else None
    if role and role.members:
        return staff_ids.index(role.members[0])
    return 0


# ------------------------------------------------------------------ one group
def _group(ctx: _Ctx, gi: int, g: DemoGroup) -> dict[str, pl.DataFrame]:
    """Every table's rows for one group (member ids as ints; staff as -1 - staff index)."""
    rng = np.random.default_rng([ctx.opts.seed, gi])
    L = _epoch_day(g.launched_on)
    ndays = ctx.end_day - L + 1
    if ndays <= 0:
        return {}
    L_s = L * DAY
    end_s = (ctx.end_day + 1) * DAY - 1  # last second of the range
    cap = ctx.opts.members * 4 + 16
    base_id = gi * cap
    n = max(4, int(round(ctx.opts.members * rng.uniform(0.7, 1.0))))
    n = min(n, ctx.max_members)
    # members also in the previous group: they carry its members [B, B + n_bridge), and
    # neither they nor those ever invite (so referrals stay inside one group)
    B = ctx.opts.members // 25 + 1
    n_bridge = max(1, n // 25) if gi > 0 else 0

    # ---- members: kind, join, leave, re-join, profile
    kind = rng.choice(5, size=n, p=_KIND_P)
    kind[: 2 * B] = CASUAL
    early = rng.random(n) < 0.55
    jday = np.where(early, rng.integers(0, 7, n), 7 + rng.exponential(40, n).astype(np.int64))
    jday = np.minimum(jday, ndays - 1)
    jsec = L_s + jday * DAY + (rng.integers(8 * 3600, 23 * 3600, n))
    order = np.argsort(jsec, kind="stable")
    ids = base_id + np.arange(n)
    if gi > 0:  # bridge members carry the previous group's bridge ids
        prev_base = (gi - 1) * cap
        ids[:n_bridge] = prev_base + B + np.arange(n_bridge)
    leaves = rng.random(n) < 0.22
    # quick leavers (days 0-3), a fading tail, and steady leaving over the group's life
    how = rng.random(n)
    stay = np.where(
        how < 0.35,
        rng.uniform(0, 3, n),
        np.where(how < 0.65, rng.exponential(15, n), rng.uniform(0, ndays, n)),
    )
    lsec = jsec + (stay * DAY + rng.integers(3600, 20 * 3600, n)).astype(np.int64)
    leaves &= lsec <= end_s
    rejoin = leaves & (rng.random(n) < 0.25)
    rsec = lsec + (rng.integers(1, 15, n) * DAY + rng.integers(0, 3600, n)).astype(np.int64)
    rejoin &= rsec <= end_s
    stop_sec = np.where(kind == FADING, jsec + rng.integers(5, 30, n) * DAY, end_s)
    talk_end = np.minimum(np.where(leaves, lsec, end_s), stop_sec)  # messages up to here
    prof = rng.random(n) < _PROFILE_P[kind]
    prof[: 2 * B] = False  # members shared by two groups keep one name everywhere
    psec = jsec + rng.integers(600, 72 * 3600, n)
    prof &= psec <= end_s
    if leaves.any():
        prof &= ~leaves | (psec < lsec)
    nick = np.char.add(
        np.array(tx.NICK_HEADS)[rng.integers(0, len(tx.NICK_HEADS), n)],
        np.array(tx.NICK_TAILS)[rng.integers(0, len(tx.NICK_TAILS), n)],
    )
    full = np.char.add(f"{g.city}-", nick)

    # invitations: most joiners were invited first; some invitees never join
    invited = rng.random(n) < 0.85
    isec = np.maximum(jsec - rng.integers(300, 20 * 3600, n), L_s + 7 * 3600)
    n_lost = int(n * 0.55)
    lost_ids = base_id + n + np.arange(n_lost)
    lost_day = np.where(
        rng.random(n_lost) < 0.55,
        rng.integers(0, 7, n_lost),
        7 + rng.exponential(40, n_lost).astype(np.int64),
    )
    lost_sec = (
        L_s + np.minimum(lost_day, ndays - 1) * DAY + rng.integers(9 * 3600, 22 * 3600, n_lost)
    )
    # inviters: an earlier joiner (often a KOC), some staff; bridge members never invite
    via = (rng.random(n) < 0.35) & (jday > 0)
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    pick = order[np.floor(rng.random(n) * rank).astype(np.int64)]
    kocs = np.flatnonzero(kind == KOC)
    if kocs.size:
        koc_pick = kocs[rng.integers(0, kocs.size, n)]
        use_koc = (rng.random(n) < 0.5) & (jsec[koc_pick] < jsec)
        pick = np.where(use_koc, koc_pick, pick)
    inviter = ids[pick]
    staff_inv = (rng.random(n) < 0.1) | (pick < 2 * B) | (rank == 0)
    inviter = np.where(staff_inv, -1 - ctx.support[0], inviter)
    inviter = np.where(via, inviter, np.iinfo(np.int64).min)  # min: no inviter
    channel = np.where(via, 1, rng.choice([0, 2, 3, 4], size=n))

    ev_sec = [isec[invited], jsec, lsec[leaves], rsec[rejoin], psec[prof], lost_sec]
    ev_mid = [ids[invited], ids, ids[leaves], ids[rejoin], ids[prof], lost_ids]
    ev_kind = [0, 1, 2, 1, 3, 0]
    ev_inv = [inviter[invited], inviter, None, None, None, None]
    ev_chan = [channel[invited], channel, None, None, None, None]
    lost_nick = np.char.add(
        np.array(tx.NICK_HEADS)[rng.integers(0, len(tx.NICK_HEADS), n_lost)],
        np.array(tx.NICK_TAILS)[rng.integers(0, len(tx.NICK_TAILS), n_lost)],
    )
    ev_name = [nick[invited], nick, np.where(prof & (psec < lsec), full, nick)[leaves],
               np.where(prof, full, nick)[rejoin], full[prof], lost_nick]  # fmt: skip
    nomin = np.iinfo(np.int64).min
    members = pl.DataFrame(
        {
            "ts": np.concatenate(ev_sec),
            "member": np.concatenate(ev_mid),
            "event": np.concatenate(
                [np.full(a.size, k) for a, k in zip(ev_sec, ev_kind, strict=True)]
            ),
            "inviter": np.concatenate(
                [
                    v if v is not None else np.full(a.size, nomin)
                    for a, v in zip(ev_sec, ev_inv, strict=True)
                ]
            ),
            "channel": np.concatenate(
                [
                    v if v is not None else np.full(a.size, -1)
                    for a, v in zip(ev_sec, ev_chan, strict=True)
                ]
            ),
            "member_name": np.concatenate(ev_name).astype(str),
        }
    )
    members = members.with_columns(
        channel=pl.col("channel").replace_strict(
            dict(enumerate(tx.CHANNELS)), default=None, return_dtype=pl.String
        ),
        inviter=pl.when(pl.col("inviter") == nomin).then(None).otherwise(pl.col("inviter")),
    )

    # ---- lifecycle weights per group day (decay, weekday, campaigns)
    t = np.arange(ndays)
    eday = L + t
    wk = _weekday(eday)
    w = (0.3 + 0.7 * np.exp(-t / 35.0)) * np.where(wk >= 5, 0.85, 1.0)
    camp = np.array([d in ctx.campaign_days for d in eday])
    w = w * np.where(camp, 2.2, 1.0)
    C = np.concatenate([[0.0], np.cumsum(w)])

    # ---- member messages
    a = (jsec - L_s) // DAY
    b = np.maximum((talk_end - L_s) // DAY, a)
    mass = C[b + 1] - C[a]
    rate = _RATE[kind] * rng.lognormal(0.0, 0.35, n)
    cnt = rng.poisson(rate * mass)
    who = np.repeat(np.arange(n), cnt)
    u = C[a[who]] + rng.random(who.size) * mass[who]
    mday = np.clip(np.searchsorted(C, u, side="right") - 1, a[who], b[who])
    hour = _sample_hours(rng, wk[mday])
    msec = L_s + mday * DAY + hour * 3600 + rng.integers(0, 3600, who.size)
    # keep messages inside the presence: not before the join, not after the leave
    msec = np.clip(msec, jsec[who], talk_end[who])
    mtype = rng.choice(len(_MSG_TYPES), size=who.size, p=_MSG_TYPE_P)
    phrase = rng.integers(0, len(tx.PHRASES), who.size)
    m_member = ids[who]
    m_name = np.where(prof[who] & (msec >= psec[who]), full[who], nick[who])

    parts: list[dict[str, object]] = [
        {
            "ts": msec,
            "member": m_member,
            "name": m_name,
            "type": mtype,
            "text": phrase,
            "role": np.zeros(who.size, dtype=np.int64),
        }
    ]
    # join notices (system), the member as sender
    join_sec = np.concatenate([jsec, rsec[rejoin]])
    join_mem = np.concatenate([ids, ids[rejoin]])
    join_name = np.concatenate([nick, np.where(prof, full, nick)[rejoin]])
    parts.append(
        {"ts": join_sec, "member": join_mem, "name": join_name, "type": np.full(join_sec.size, -1),
         "text": np.full(join_sec.size, -1), "role": np.zeros(join_sec.size, dtype=np.int64)}
    )  # fmt: skip

    # ---- staff pushes: calendar slots on/after launch, lifecycle relative to launch
    off = L - _epoch_day(ctx.start)
    sel = ctx.slots.day >= off
    p_day = ctx.slots.day[sel] - off
    p_min = ctx.slots.minute[sel]
    p_item = ctx.slots.item[sel]
    if ctx.lifecycle:
        # the plan's holiday filters, on this group's own dates
        cal = calendar_for(ctx.sop)
        rows = [
            row
            for row, it in zip(ctx.lifecycle, ctx.sop.cadence.lifecycle, strict=True)
            if _day_ok(it, g.launched_on + dt.timedelta(days=row[0]), cal)
        ]
        lc = np.array(rows, dtype=np.int64).reshape(-1, 3)
        keep = lc[:, 0] < ndays
        p_day = np.concatenate([p_day, lc[keep, 0]])
        p_min = np.concatenate([p_min, lc[keep, 1]])
        p_item = np.concatenate([p_item, lc[keep, 2]])
    planned = L_s + p_day * DAY + p_min * 60
    fate = rng.random(planned.size)
    jitter = np.where(
        fate < 0.80,
        rng.integers(-180, 480, planned.size),
        rng.integers(15 * 60, 120 * 60, planned.size),
    )
    posted = fate < 0.92  # the rest were missed
    p_sec = np.minimum(planned + jitter, L_s + p_day * DAY + DAY - 1)
    p_sec, p_item, p_day = p_sec[posted], p_item[posted], p_day[posted]
    o = np.lexsort((p_item, p_sec))
    p_sec, p_item, p_day = p_sec[o], p_item[o], p_day[o]
    p_date = np.array(
        [(g.launched_on + dt.timedelta(days=int(d))).strftime("%Y%m%d") for d in range(ndays)]
    )
    item_ids = np.array([it.id for it in ctx.items])
    post_id = np.char.add(
        np.char.add(f"{g.id}-", item_ids[p_item]), np.char.add("-", p_date[p_day])
    )
    poster = np.array(ctx.role_of_item)[p_item]
    posts = pl.DataFrame(
        {
            "post_id": post_id,
            "ts": p_sec,
            "kind": np.array([it.kind or "" for it in ctx.items])[p_item],
            "title": np.array([it.title for it in ctx.items])[p_item],
            "column": item_ids[p_item],
        }
    ).with_columns(kind=pl.when(pl.col("kind") == "").then(None).otherwise(pl.col("kind")))
    parts.append(
        {"ts": p_sec, "member": -1 - poster, "name": np.array(ctx.staff_names)[poster],
         "type": np.where(np.array([ctx.items[i].kind == "conversion" for i in p_item], dtype=bool), 5, 1),
         "text": -2 - p_item, "role": np.ones(p_sec.size, dtype=np.int64)}
    )  # fmt: skip
    # support replies after some member questions
    ask = rng.random(who.size) < 0.04
    r_sec = np.minimum(msec[ask] + rng.integers(60, 3 * 3600, int(ask.sum())), end_s)
    r_staff = np.array(ctx.support)[rng.integers(0, len(ctx.support), r_sec.size)]
    parts.append(
        {"ts": r_sec, "member": -1 - r_staff, "name": np.array(ctx.staff_names)[r_staff],
         "type": np.zeros(r_sec.size, dtype=np.int64),
         "text": -1000 - rng.integers(0, len(tx.SUPPORT_REPLIES), r_sec.size),
         "role": np.ones(r_sec.size, dtype=np.int64)}
    )  # fmt: skip
    # the bot: a weekly ranking every Sunday 21:05
    sundays = t[wk == 6]
    b_sec = L_s + sundays * DAY + 21 * 3600 + 300
    bot = len(ctx.staff_ids) - 1
    parts.append(
        {"ts": b_sec, "member": np.full(b_sec.size, -1 - bot), "name": np.full(b_sec.size, "群助手"),
         "type": np.zeros(b_sec.size, dtype=np.int64), "text": np.full(b_sec.size, -3000),
         "role": np.full(b_sec.size, 2)}
    )  # fmt: skip
    if gi == 0:  # a member who speaks but has no member events (joined before the export)
        k = 6
        extra_member = base_id + cap - 1
        e_day = np.sort(rng.integers(0, ndays, k))
        e_sec = L_s + e_day * DAY + rng.integers(10 * 3600, 21 * 3600, k)
        parts.append(
            {"ts": e_sec, "member": np.full(k, extra_member), "name": np.full(k, "老会员"),
             "type": np.zeros(k, dtype=np.int64), "text": rng.integers(0, len(tx.PHRASES), k),
             "role": np.zeros(k, dtype=np.int64)}
        )  # fmt: skip

    msg = pl.concat([pl.DataFrame(p) for p in parts], how="vertical").sort(["ts", "role", "member"])
    msg = msg.with_columns(msg_id=(gi + 1) * 1_000_000_000 + pl.int_range(pl.len(), dtype=pl.Int64))
    # replies: ~8% of member text messages answer one of the 1..5 messages before
    h = msg.height
    back = rng.integers(1, 6, h)
    is_reply = (
        (rng.random(h) < 0.08) & (msg["role"].to_numpy() == 0) & (msg["type"].to_numpy() >= 0)
    )
    target = np.arange(h) - back
    is_reply &= target >= 0
    msg = msg.with_columns(
        reply_to=pl.Series(np.where(is_reply, (gi + 1) * 1_000_000_000 + target, nomin))
    )
    msg = msg.with_columns(
        reply_to=pl.when(pl.col("reply_to") == nomin).then(None).otherwise(pl.col("reply_to"))
    )

    # ---- engagement: opens / clicks of posts, participation in activities
    pres_a = jsec
    pres_b = np.where(leaves, lsec, end_s)
    post_act = np.array([ctx.items[i].activity for i in p_item], dtype=bool)
    P, N = p_sec.size, n
    eng_parts = []
    if P and N:
        present = (pres_a[None, :] <= p_sec[:, None] + DAY) & (pres_b[None, :] >= p_sec[:, None])
        since = np.maximum(p_sec[:, None] - jsec[None, :], 0) / DAY
        p_open = _OPEN_P[kind][None, :] * (0.35 + 0.65 * np.exp(-since / 25.0))
        opened = present & (rng.random((P, N)) < p_open)
        pi, mi = np.nonzero(opened)
        delay = np.where(
            rng.random(pi.size) < 0.9,
            rng.exponential(3 * 3600, pi.size),
            rng.uniform(48, 100, pi.size) * 3600,
        )
        delay = delay.astype(np.int64) + 30
        delay = np.where(
            np.abs(delay - 48 * 3600) < 120, delay + 600, delay
        )  # never on the 48 h edge
        o_sec = p_sec[pi] + delay
        ok = (o_sec <= np.minimum(pres_b[mi], end_s)) & (o_sec >= pres_a[mi])
        pi, mi, o_sec = pi[ok], mi[ok], o_sec[ok]
        eng_parts.append(
            {
                "ts": o_sec,
                "member": ids[mi],
                "event": np.zeros(pi.size, dtype=np.int64),
                "post_id": post_id[pi],
            }
        )
        conv = np.array([ctx.items[i].kind == "conversion" for i in p_item], dtype=bool)
        click = conv[pi] & (rng.random(pi.size) < 0.3)
        c_sec = np.minimum(o_sec[click] + rng.integers(5, 600, int(click.sum())), end_s)
        eng_parts.append(
            {
                "ts": c_sec,
                "member": ids[mi[click]],
                "event": np.ones(c_sec.size, dtype=np.int64),
                "post_id": post_id[pi[click]],
            }
        )
        part = post_act[pi] & (rng.random(pi.size) < 0.05)
        q_sec = np.minimum(o_sec[part] + rng.integers(60, 3600, int(part.sum())), end_s)
        eng_parts.append(
            {
                "ts": q_sec,
                "member": ids[mi[part]],
                "event": np.full(q_sec.size, 2),
                "post_id": post_id[pi[part]],
            }
        )
    if eng_parts:
        eng = pl.concat([pl.DataFrame(e) for e in eng_parts])
    else:
        eng = pl.DataFrame(
            schema={"ts": pl.Int64, "member": pl.Int64, "event": pl.Int64, "post_id": pl.String}
        )
    eng = eng.with_columns(
        activity_id=pl.when(pl.col("event") == 2).then(pl.col("post_id")).otherwise(None),
    ).sort(["ts", "member", "event"])

    # ---- coupons and orders
    c_parts_m, c_parts_s = [], []
    welcome = rng.random(n) < 0.3
    c_parts_m.append(np.flatnonzero(welcome))
    c_parts_s.append(jsec[welcome] + rng.integers(60, 3600, int(welcome.sum())))
    for d in t[camp | (wk == 4)]:  # campaign days and Friday member days
        day_s = L_s + d * DAY
        pres = np.flatnonzero((pres_a <= day_s + DAY - 1) & (pres_b >= day_s + 19 * 3600))
        got = pres[rng.random(pres.size) < 0.06]
        c_parts_m.append(got)
        c_parts_s.append(
            np.maximum(day_s + 19 * 3600 + rng.integers(0, 3 * 3600, got.size), pres_a[got])
        )
    cm = np.concatenate(c_parts_m)
    cs = np.concatenate(c_parts_s)
    keep = cs <= np.minimum(pres_b[cm], end_s)
    cm, cs = cm[keep], cs[keep]
    o = np.lexsort((cm, cs))
    cm, cs = cm[o], cs[o]
    coupon_id = (gi + 1) * 10_000_000 + np.arange(cm.size)
    coupons = pl.DataFrame({"coupon_id": coupon_id, "member": ids[cm], "ts": cs})
    # orders with a coupon: 25% of coupons are used within 5 days, while present
    used = rng.random(cm.size) < 0.25
    u_hour = np.searchsorted(_EVENING_CDF, rng.random(cm.size), side="right")
    u_sec = (
        (cs // DAY + rng.integers(0, 5, cm.size)) * DAY
        + u_hour * 3600
        + rng.integers(0, 3600, cm.size)
    )
    u_sec = np.maximum(u_sec, cs + 60)
    used &= u_sec <= np.minimum(pres_b[cm], end_s)
    # orders without a coupon: buyers by kind, 1..4 orders each on days they are present
    buyer = rng.random(n) < _BUY_P[kind]
    n_ord = np.where(buyer, 1 + rng.poisson(np.where(kind == KOC, 1.5, 0.4)), 0)
    ow = np.repeat(np.arange(n), n_ord)
    span_a = (pres_a[ow] - L_s) // DAY
    span_b = (np.minimum(pres_b[ow], end_s) - L_s) // DAY
    od = span_a + np.floor(rng.random(ow.size) * (span_b - span_a + 1)).astype(np.int64)
    ohour = np.searchsorted(_EVENING_CDF, rng.random(ow.size), side="right")
    osec = np.clip(
        L_s + od * DAY + ohour * 3600 + rng.integers(0, 3600, ow.size),
        pres_a[ow],
        np.minimum(pres_b[ow], end_s),
    )
    all_m = np.concatenate([ow, cm[used]])
    all_s = np.concatenate([osec, u_sec[used]])
    all_c = np.concatenate([np.full(ow.size, -1), coupon_id[used]])
    amt = np.round(np.exp(rng.normal(5.0, 0.5, all_m.size)), 1) + 0.9
    status = rng.choice(3, size=all_m.size, p=[0.88, 0.08, 0.04])
    o = np.lexsort((all_m, all_s))
    orders = pl.DataFrame(
        {
            "order_id": (gi + 1) * 10_000_000 + np.arange(all_m.size),
            "ts": all_s[o],
            "member": ids[all_m[o]],
            "amount": amt[o],
            "status": np.array(["paid", "refunded", "cancelled"])[status[o]],
            "coupon": all_c[o],
        }
    ).with_columns(coupon=pl.when(pl.col("coupon") < 0).then(None).otherwise(pl.col("coupon")))

    return {
        "messages": msg,
        "members": members,
        "posts": posts,
        "engagement": eng,
        "orders": orders,
        "coupons": coupons,
    }


# ------------------------------------------------------------------ formatting
def _ids(col: str, staff_ids: list[str]) -> pl.Expr:
    c = pl.col(col)
    staff = c.replace_strict(
        {-1 - i: s for i, s in enumerate(staff_ids)}, default=None, return_dtype=pl.String
    )
    return (
        pl.when(c < 0)
        .then(staff)
        .otherwise(pl.concat_str([pl.lit("u"), c.cast(pl.String).str.zfill(7)]))
    )


def _ts(col: str = "ts") -> pl.Expr:
    return pl.from_epoch(pl.col(col), time_unit="s").cast(pl.Datetime("us"))


def _finish(tables: dict[str, list[pl.DataFrame]], ctx: _Ctx, fmt: str) -> dict[str, pl.DataFrame]:
    """Turn one batch of groups into the canonical columns (spec §2)."""
    out: dict[str, pl.DataFrame] = {}
    staff = ctx.staff_ids
    texts = {i: p for i, p in enumerate(tx.PHRASES)}
    texts.update({-2 - i: it.title for i, it in enumerate(ctx.items)})
    texts.update({-1000 - i: r for i, r in enumerate(tx.SUPPORT_REPLIES)})
    texts[-3000] = tx.BOT_TEXT
    types = dict(enumerate(_MSG_TYPES))
    types[-1] = "system"
    m = pl.concat(tables["messages"])
    out["messages"] = m.select(
        ts=_ts(),
        group_id=pl.col("group_id"),
        member_id=_ids("member", staff),
        msg_id=pl.col("msg_id"),
        member_name=pl.col("name"),
        msg_type=pl.col("type").replace_strict(types, return_dtype=pl.String),
        content=pl.when(pl.col("type") == -1)
        .then(pl.concat_str([pl.col("name"), pl.lit(" " + tx.SYSTEM_JOIN)]))
        .when(pl.col("type") == 5)
        .then(
            pl.when(pl.col("role") == 0)
            .then(pl.lit(tx.LINK_TEXT))
            .otherwise(pl.col("text").replace_strict(texts, default=None, return_dtype=pl.String))
        )
        .when(pl.col("type") == 0)
        .then(pl.col("text").replace_strict(texts, default=None, return_dtype=pl.String))
        .when(pl.col("role") == 1)
        .then(pl.col("text").replace_strict(texts, default=None, return_dtype=pl.String))
        .otherwise(None),
        reply_to=pl.col("reply_to"),
        role=pl.col("role").replace_strict(
            {0: "member", 1: "staff", 2: "bot"}, return_dtype=pl.String
        ),
    )
    mem = pl.concat(tables["members"])
    out["members"] = mem.sort(["group_id", "ts", "member", "event"], maintain_order=True).select(
        ts=_ts(),
        group_id=pl.col("group_id"),
        member_id=_ids("member", staff),
        event=pl.col("event").replace_strict(
            {0: "invited", 1: "join", 2: "leave", 3: "profile_complete"}, return_dtype=pl.String
        ),
        inviter_id=pl.when(pl.col("inviter").is_null())
        .then(None)
        .otherwise(_ids("inviter", staff)),
        channel=pl.col("channel"),
        member_name=pl.col("member_name"),
    )
    out["posts"] = pl.concat(tables["posts"]).select(
        "post_id",
        ts=_ts(),
        group_id=pl.col("group_id"),
        kind=pl.col("kind"),
        title=pl.col("title"),
        column=pl.col("column"),
    )
    out["engagement"] = pl.concat(tables["engagement"]).select(
        ts=_ts(),
        member_id=_ids("member", staff),
        event=pl.col("event").replace_strict(
            {0: "open", 1: "click", 2: "participate"}, return_dtype=pl.String
        ),
        post_id=pl.col("post_id"),
        activity_id=pl.col("activity_id"),
        group_id=pl.col("group_id"),
    )
    out["orders"] = pl.concat(tables["orders"]).select(
        order_id=pl.concat_str([pl.lit("SO"), pl.col("order_id").cast(pl.String)]),
        ts=_ts(),
        member_id=_ids("member", staff),
        amount=pl.col("amount"),
        group_id=pl.col("group_id"),
        status=pl.col("status"),
        coupon_id=pl.concat_str([pl.lit("CP"), pl.col("coupon").cast(pl.String)]),
    )
    out["coupons"] = pl.concat(tables["coupons"]).select(
        coupon_id=pl.concat_str([pl.lit("CP"), pl.col("coupon_id").cast(pl.String)]),
        member_id=_ids("member", staff),
        ts=_ts(),
        group_id=pl.col("group_id"),
    )
    if fmt == "csv":
        out = {
            k: v.with_columns(ts=pl.col("ts").dt.strftime("%Y-%m-%d %H:%M:%S"))
            for k, v in out.items()
        }
    return out


def _dirty(batch: dict[str, pl.DataFrame], fmt: str) -> dict[str, pl.DataFrame]:
    """The rows written wrong on purpose (first batch only): see :data:`DIRTY_ROWS`."""
    m = batch["messages"]
    member_rows = (m["role"] == "member") & (m["msg_type"] != "system")
    idx = np.flatnonzero(member_rows.to_numpy())
    if idx.size >= 2:
        bad = int(idx[min(100, idx.size - 1)])
        dup = int(idx[min(50, idx.size - 2)])
        ts = m["ts"].clone().scatter(bad, BAD_TS_TEXT if fmt == "csv" else None)
        m = m.with_columns(ts=ts)
        m = pl.concat([m[: dup + 1], m[dup : dup + 1], m[dup + 1 :]])
    o = batch["orders"]
    paid = np.flatnonzero((o["status"] == "paid").to_numpy())
    if paid.size >= 2:
        neg, nog = int(paid[0]), int(paid[paid.size // 2])
        amount = o["amount"].clone().scatter(neg, -o["amount"][neg])
        gid = o["group_id"].clone().scatter(nog, None)
        o = o.with_columns(amount=amount, group_id=gid)
    return {**batch, "messages": m, "orders": o}


# ------------------------------------------------------------------ the entry point
_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "messages": {"ts": pl.Datetime("us"), "group_id": pl.String(), "member_id": pl.String(), "msg_id": pl.Int64(),
                 "member_name": pl.String(), "msg_type": pl.String(), "content": pl.String(),
                 "reply_to": pl.Int64(), "role": pl.String()},
    "members": {"ts": pl.Datetime("us"), "group_id": pl.String(), "member_id": pl.String(), "event": pl.String(),
                "inviter_id": pl.String(), "channel": pl.String(), "member_name": pl.String()},
    "staff": {"member_id": pl.String(), "role": pl.String(), "name": pl.String()},
    "posts": {"post_id": pl.String(), "ts": pl.Datetime("us"), "group_id": pl.String(), "kind": pl.String(),
              "title": pl.String(), "column": pl.String()},
    "engagement": {"ts": pl.Datetime("us"), "member_id": pl.String(), "event": pl.String(), "post_id": pl.String(),
                   "activity_id": pl.String(), "group_id": pl.String()},
    "orders": {"order_id": pl.String(), "ts": pl.Datetime("us"), "member_id": pl.String(), "amount": pl.Float64(),
               "group_id": pl.String(), "status": pl.String(), "coupon_id": pl.String()},
    "coupons": {"coupon_id": pl.String(), "member_id": pl.String(), "ts": pl.Datetime("us"), "group_id": pl.String()},
}  # fmt: skip


def _flush(pending, ctx: _Ctx, fmt: str, writers: dict[str, TableWriter], first: bool) -> bool:
    batch = _finish(pending, ctx, fmt)
    if first:
        batch = _dirty(batch, fmt)
    for t, frame in batch.items():
        writers[t].write(frame)
    return False


def generate_demo(
    sop: Sop,
    directory: str | Path,
    opts: DemoOptions,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Write the demo tables to ``directory``; returns what was written (rows per table)."""
    if opts.days < 1:
        raise UsageError(T("--days 至少为 1", "--days must be at least 1"))
    if opts.members < 4:
        raise UsageError(T("--members 至少为 4", "--members must be at least 4"))
    directory = Path(directory)
    check_size(sop, opts, directory)
    start, groups = demo_groups(sop, opts.groups, opts.start, opts.days)
    end = start + dt.timedelta(days=opts.days - 1)
    staff_ids, staff_rows = _staff(sop)
    items, slots, lifecycle = _cadence(sop, start, opts.days)
    support = [
        staff_ids.index(m) for r in sop.roles if r.role in ("support", "admin") for m in r.members
    ] or [0]
    ctx = _Ctx(
        sop=sop,
        opts=opts,
        start=start,
        end_day=_epoch_day(end),
        staff_ids=staff_ids,
        staff_names=[r[2] for r in staff_rows] + ["群助手"],
        role_of_item=[_staff_index(sop, staff_ids, it.owner, it.person) for it in items],
        support=support,
        items=items,
        slots=slots,
        lifecycle=lifecycle,
        campaign_days={_epoch_day(c.date) for c in sop.cadence.campaigns},
        max_members=sop.community.max_members or sop.community.member_limit or 10**9,
    )
    schemas = {k: dict(v) for k, v in _SCHEMAS.items()}
    if opts.fmt == "csv":
        for s in schemas.values():
            if "ts" in s:
                s["ts"] = pl.String()
    writers: dict[str, TableWriter] = {}
    try:
        for t in TABLES:  # (inside the try: a failure at the third table removes the first two)
            writers[t] = TableWriter(directory, t, opts.fmt, schemas[t])
        writers["staff"].write(
            pl.DataFrame(staff_rows, schema=["member_id", "role", "name"], orient="row")
        )
        pending: dict[str, list[pl.DataFrame]] = {t: [] for t in TABLES if t != "staff"}
        rows_pending = 0
        first = True
        for gi, g in enumerate(groups):
            part = _group(ctx, gi, g)
            if progress:
                progress(gi + 1, len(groups))
            if not part:
                continue
            for t, frame in part.items():
                pending[t].append(frame.with_columns(group_id=pl.lit(g.id)))
            rows_pending += part["messages"].height
            if rows_pending >= _FLUSH_ROWS or gi == len(groups) - 1:
                first = _flush(pending, ctx, opts.fmt, writers, first)
                pending = {t: [] for t in pending}
                rows_pending = 0
        if pending["messages"]:
            _flush(pending, ctx, opts.fmt, writers, first)
        for w in writers.values():
            w.close()
    except BaseException:
        for w in writers.values():
            w.abort()
        raise
    return DemoResult(
        directory, opts.fmt, start, end, groups, {t: w.rows for t, w in writers.items()}
    )
