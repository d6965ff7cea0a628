"""The KPIs of spec §2: for each, its stage, default target and floor, direction, unit,
label, the field's advice when it is below target (domain.md, in our own words), and what it
needs in the data (:func:`needs`).

The order of :data:`KPIS` is the order in which every report lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqops.domain.stages import lifecycle_day
from sqops.i18n import T


@dataclass(frozen=True, slots=True)
class KpiDef:
    name: str
    stage: str  #: a name of :data:`sqops.domain.stages.STAGES`
    label: T
    target: float | None  #: default target (an SOP's ``kpis:`` or ``goals:`` override it)
    floor: float | None  #: default floor: past it the status is ``bad``, before it ``warn``
    advice: T
    lower_is_better: bool = False
    unit: Literal["rate", "money"] = "rate"
    #: the first day index of a group at which the KPI can be computed at all (the weekly
    #: active rate needs a full 7-day block inside the retention window), and what to say
    #: before then
    available_from: int | None = None
    waiting_needs: tuple[str, ...] = ()

    @property
    def better(self) -> Literal["lower", "higher"]:
        return "lower" if self.lower_is_better else "higher"

    @property
    def is_rate(self) -> bool:
        return self.unit == "rate"


KPIS: tuple[KpiDef, ...] = (
    KpiDef(
        "join_rate",
        "launch",
        T("入群率", "join rate"),
        target=0.3,
        floor=0.15,
        advice=T(
            "邀请了却没进群的人偏多：把入群福利说得更具体（例如进群即领小样），邀请后 24 小时内再提醒一次。",
            "Many invitees never join: make the joining perk concrete (e.g. a free sample on "
            "entry) and send one reminder within 24 hours of the invitation.",
        ),
    ),
    KpiDef(
        "profile_completion_rate",
        "launch",
        T("资料完善率", "profile completion rate"),
        target=0.8,
        floor=0.5,
        advice=T(
            "改昵称的新人太少：把“按群规改好昵称”设成领取福利的条件，并在欢迎语里给出昵称示例。",
            "Few newcomers complete their profile: make the group-nickname rule the key to a "
            "perk, and show an example name in the welcome message.",
        ),
    ),
    KpiDef(
        "first_week_retention",
        "launch",
        T("首周留存率", "first-week retention"),
        target=0.85,
        floor=0.7,
        advice=T(
            "新人第一周就退群：入群前三天安排打卡或话题钩子，少发广告，先让人感到这个群有用。",
            "Newcomers leave in their first week: plan a check-in or a topic hook for the "
            "first three days, push fewer ads, and show the group is useful before selling.",
        ),
    ),
    KpiDef(
        "speaking_rate",
        "activation",
        T("发言率", "speaking rate"),
        target=0.3,
        floor=0.05,
        advice=T(
            "开口的人太少：多抛容易回答的讨论话题（选择题、晒图、接龙），点名感谢第一个回复的人。",
            "Too few members speak: post easy-to-answer topics (polls, photo sharing, sign-up "
            "chains) and thank the first people who reply by name.",
        ),
    ),
    KpiDef(
        "participation_rate",
        "activation",
        T("活动参与率", "participation rate"),
        target=0.2,
        floor=0.1,
        advice=T(
            "活动参与偏低：降低参与门槛（一句话即可参与），活动前一天和开始前一小时各预告一次。",
            "Low activity participation: lower the bar (one message is enough to take part) "
            "and announce it the day before and an hour before it starts.",
        ),
    ),
    KpiDef(
        "content_open_rate",
        "activation",
        T("内容打开率", "content open rate"),
        target=0.3,
        floor=0.2,
        advice=T(
            "内容打开率偏低（低于 20% 尤其要改）：换推送时间（看看下方的活跃时段热力图），重写标题，每周淘汰表现最差的 20% 内容。",
            "Low content open rate (below 20% needs action): move pushes to the busy hours in "
            "the weekday × hour heatmap, rewrite titles, and drop the weakest 20% of content "
            "each week.",
        ),
    ),
    KpiDef(
        "conversion_rate",
        "monetisation",
        T("转化率", "conversion rate"),
        target=0.08,
        floor=0.04,
        advice=T(
            "下单的人太少：用更强的限时钩子（如“前 50 单送赠品”），并把优惠券和成员看过的商品绑定。",
            'Too few members buy: use a stronger time-limited hook ("first 50 orders get a '
            'gift") and tie coupons to the items members have looked at.',
        ),
    ),
    KpiDef(
        "aov",
        "monetisation",
        T("客单价", "average order value"),
        target=None,
        floor=None,
        unit="money",
        advice=T(
            "客单价偏低：设计组合装或满额赠，把常一起买的商品打包推荐。",
            "Low order value: offer bundles or a gift above a spending threshold, and "
            "recommend items that are often bought together as a set.",
        ),
    ),
    KpiDef(
        "coupon_usage_rate",
        "monetisation",
        T("优惠券使用率", "coupon usage rate"),
        target=0.3,
        floor=0.15,
        advice=T(
            "发出的券很少被用：缩短有效期并在到期前提醒，券只发给对相关商品感兴趣的成员。",
            "Issued coupons go unused: shorten their validity, remind members before they "
            "expire, and give them only to members interested in the matching items.",
        ),
    ),
    KpiDef(
        "weekly_active_rate",
        "retention",
        T("周活跃率", "weekly active rate"),
        target=0.3,
        floor=0.15,
        available_from=96,
        waiting_needs=(
            f"retention: a full 7-day block (from day {lifecycle_day(96)}, day index 96)",
        ),
        advice=T(
            "每周活跃的人偏少：固定一个会员专属日（如周五会员日），让老成员有每周回来的理由。",
            "Few members are active each week: set a fixed member-only day (e.g. Friday "
            "member day) so regulars have a reason to come back every week.",
        ),
    ),
    KpiDef(
        "repurchase_rate",
        "retention",
        T("复购率", "repurchase rate"),
        target=0.3,
        floor=0.15,
        advice=T(
            "回头买的人偏少：按 RFM 分群，对“重要保持/挽留”客户单独发复购券，并在用完周期前提醒补货。",
            "Few buyers come back: segment buyers with RFM, send repurchase coupons to the "
            "'important to keep / win back' segments, and remind them before the product runs "
            "out.",
        ),
    ),
    KpiDef(
        "churn_rate",
        "retention",
        T("流失率", "churn rate"),
        target=0.05,
        floor=0.15,
        lower_is_better=True,
        advice=T(
            "退群的人偏多：检查推送频率（广告太多最伤人），退群前常见的沉默成员要提前私聊关怀。",
            "Too many members leave: check the push volume (too many ads drive people away), "
            "and reach out privately to silent members before they go.",
        ),
    ),
    KpiDef(
        "dormant_rate",
        "retention",
        T("沉默率", "dormant rate"),
        target=0.5,
        floor=0.8,
        lower_is_better=True,
        advice=T(
            "沉默成员太多：对 30 天没发言的人做一次召回活动（见召回名单），用专属福利请他们回来说句话。",
            "Too many silent members: run a recall campaign for everyone silent 30 days (see "
            "the recall list), with a personal perk for coming back and saying hello.",
        ),
    ),
    KpiDef(
        "fission_rate",
        "propagation",
        T("裂变率", "fission rate"),
        target=0.1,
        floor=0.03,
        advice=T(
            "老带新太少：设阶梯邀请奖励（例如邀 3 人得小样、邀 5 人得正装），并公布邀请榜。",
            "Few members bring friends: set tiered invitation rewards (e.g. 3 invites → a "
            "sample, 5 → a full-size product) and show an invitation leaderboard.",
        ),
    ),
    KpiDef(
        "referral_rate",
        "propagation",
        T("推荐率", "referral rate"),
        target=0.05,
        floor=0.01,
        advice=T(
            "愿意推荐的人太少：给推荐人和被推荐人双方奖励，并把邀请链接或海报做得一键可转发。",
            "Few members recommend the group: reward both the referrer and the newcomer, and "
            "make the invitation link or poster easy to forward in one tap.",
        ),
    ),
    KpiDef(
        "koc_share",
        "propagation",
        T("KOC 占比", "KOC share"),
        target=0.05,
        floor=0.01,
        advice=T(
            "核心成员（KOC）太少：找出最活跃的几位，给他们荣誉称号和专属权益，请他们带话题、做测评。",
            "Too few key members (KOCs): pick the most active few, give them a title and "
            "exclusive perks, and invite them to lead topics and post reviews.",
        ),
    ),
)
KPI: dict[str, KpiDef] = {k.name: k for k in KPIS}
KPI_NAMES: tuple[str, ...] = tuple(KPI)


def needs(
    has_table: Callable[[str], bool],
    has_col: Callable[[str, str], bool],
    events: Callable[[str], frozenset[str]],
    pattern: str | None,
) -> dict[str, list[str]]:
    """For each KPI, what the data lacks to compute it (an empty list: it can be computed).

    ``has_table(t)``, ``has_col(t, c)`` and ``events(t)`` describe the data at hand;
    ``pattern`` is the SOP's ``rules.nickname_pattern``. A KPI's input is present when its
    table exists and, for an event type, the table has at least one row of that type."""

    def ev(table: str, *types: str) -> list[str]:
        if not has_table(table):
            return [f"{table}: {', '.join(types)}" if types else table]
        missing = [t for t in types if t not in events(table)]
        return [f"{table}: {', '.join(missing)}"] if missing else []

    def col(table: str, c: str) -> list[str]:
        if not has_table(table):
            return [f"{table}.{c}"]
        return [] if has_col(table, c) else [f"{table}.{c}"]

    def table(t: str) -> list[str]:
        return [] if has_table(t) else [t]

    names_known = has_col("messages", "member_name") or (
        has_table("members") and has_col("members", "member_name")
    )
    profile = ev("members", "join")
    if (
        not profile
        and "profile_complete" not in events("members")
        and not (pattern and names_known)
    ):
        profile = ["members: profile_complete", "rules.nickname_pattern + member_name"]
    invites = (
        ev("members", "join") + col("members", "inviter_id")
        if has_table("members")
        else ["members.inviter_id"]
    )
    out = {
        "join_rate": ev("members", "invited", "join"),
        "profile_completion_rate": profile,
        "first_week_retention": ev("members", "join", "leave"),
        "speaking_rate": [],
        "participation_rate": ev("engagement", "participate"),
        "content_open_rate": table("posts")
        + ev("engagement", "open")
        + ([] if not has_table("engagement") else col("engagement", "post_id")),
        "conversion_rate": table("orders"),
        "aov": table("orders"),
        "coupon_usage_rate": table("coupons") + col("orders", "coupon_id"),
        "weekly_active_rate": [],
        "repurchase_rate": table("orders"),
        "churn_rate": ev("members", "leave"),
        "dormant_rate": [],
        "fission_rate": invites,
        "referral_rate": list(invites),
        "koc_share": [],
    }
    return {name: out[name] for name in KPI_NAMES}
