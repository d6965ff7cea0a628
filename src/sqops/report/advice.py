"""What to do when a KPI is below target: the field's advice (domain.md), in our own words."""

from __future__ import annotations

from sqops.i18n import T

KPI_LABELS: dict[str, T] = {
    "join_rate": T("入群率", "join rate"),
    "profile_completion_rate": T("资料完善率", "profile completion rate"),
    "first_week_retention": T("首周留存率", "first-week retention"),
    "speaking_rate": T("发言率", "speaking rate"),
    "participation_rate": T("活动参与率", "participation rate"),
    "content_open_rate": T("内容打开率", "content open rate"),
    "conversion_rate": T("转化率", "conversion rate"),
    "aov": T("客单价", "average order value"),
    "coupon_usage_rate": T("优惠券使用率", "coupon usage rate"),
    "weekly_active_rate": T("周活跃率", "weekly active rate"),
    "repurchase_rate": T("复购率", "repurchase rate"),
    "churn_rate": T("流失率", "churn rate"),
    "dormant_rate": T("沉默率", "dormant rate"),
    "fission_rate": T("裂变率", "fission rate"),
    "referral_rate": T("推荐率", "referral rate"),
    "koc_share": T("KOC 占比", "KOC share"),
}

ADVICE: dict[str, T] = {
    "join_rate": T(
        "邀请了却没进群的人偏多：把入群福利说得更具体（例如进群即领小样），邀请后 24 小时内再提醒一次。",
        "Many invitees never join: make the joining perk concrete (e.g. a free sample on entry) "
        "and send one reminder within 24 hours of the invitation.",
    ),
    "profile_completion_rate": T(
        "改昵称的新人太少：把“按群规改好昵称”设成领取福利的条件，并在欢迎语里给出昵称示例。",
        "Few newcomers complete their profile: make the group-nickname rule the key to a perk, "
        "and show an example name in the welcome message.",
    ),
    "first_week_retention": T(
        "新人第一周就退群：入群前三天安排打卡或话题钩子，少发广告，先让人感到这个群有用。",
        "Newcomers leave in their first week: plan a check-in or a topic hook for the first three "
        "days, push fewer ads, and show the group is useful before selling.",
    ),
    "speaking_rate": T(
        "开口的人太少：多抛容易回答的讨论话题（选择题、晒图、接龙），点名感谢第一个回复的人。",
        "Too few members speak: post easy-to-answer topics (polls, photo sharing, sign-up chains) "
        "and thank the first people who reply by name.",
    ),
    "participation_rate": T(
        "活动参与偏低：降低参与门槛（一句话即可参与），活动前一天和开始前一小时各预告一次。",
        "Low activity participation: lower the bar (one message is enough to take part) and "
        "announce it the day before and an hour before it starts.",
    ),
    "content_open_rate": T(
        "内容打开率偏低（低于 20% 尤其要改）：换推送时间（看看下方的活跃时段热力图），重写标题，每周淘汰表现最差的 20% 内容。",
        "Low content open rate (below 20% needs action): move pushes to the busy hours in the "
        "weekday × hour heatmap, rewrite titles, and drop the weakest 20% of content each week.",
    ),
    "conversion_rate": T(
        "下单的人太少：用更强的限时钩子（如“前 50 单送赠品”），并把优惠券和成员看过的商品绑定。",
        'Too few members buy: use a stronger time-limited hook ("first 50 orders get a gift") '
        "and tie coupons to the items members have looked at.",
    ),
    "aov": T(
        "客单价偏低：设计组合装或满额赠，把常一起买的商品打包推荐。",
        "Low order value: offer bundles or a gift above a spending threshold, and recommend "
        "items that are often bought together as a set.",
    ),
    "coupon_usage_rate": T(
        "发出的券很少被用：缩短有效期并在到期前提醒，券只发给对相关商品感兴趣的成员。",
        "Issued coupons go unused: shorten their validity, remind members before they expire, "
        "and give them only to members interested in the matching items.",
    ),
    "weekly_active_rate": T(
        "每周活跃的人偏少：固定一个会员专属日（如周五会员日），让老成员有每周回来的理由。",
        "Few members are active each week: set a fixed member-only day (e.g. Friday member day) "
        "so regulars have a reason to come back every week.",
    ),
    "repurchase_rate": T(
        "回头买的人偏少：按 RFM 分群，对“重要保持/挽留”客户单独发复购券，并在用完周期前提醒补货。",
        "Few buyers come back: segment buyers with RFM, send repurchase coupons to the "
        "'important to keep / win back' segments, and remind them before the product runs out.",
    ),
    "churn_rate": T(
        "退群的人偏多：检查推送频率（广告太多最伤人），退群前常见的沉默成员要提前私聊关怀。",
        "Too many members leave: check the push volume (too many ads drive people away), and "
        "reach out privately to silent members before they go.",
    ),
    "dormant_rate": T(
        "沉默成员太多：对 30 天没发言的人做一次召回活动（见召回名单），用专属福利请他们回来说句话。",
        "Too many silent members: run a recall campaign for everyone silent 30 days (see the "
        "recall list), with a personal perk for coming back and saying hello.",
    ),
    "fission_rate": T(
        "老带新太少：设阶梯邀请奖励（例如邀 3 人得小样、邀 5 人得正装），并公布邀请榜。",
        "Few members bring friends: set tiered invitation rewards (e.g. 3 invites → a sample, "
        "5 → a full-size product) and show an invitation leaderboard.",
    ),
    "referral_rate": T(
        "愿意推荐的人太少：给推荐人和被推荐人双方奖励，并把邀请链接或海报做得一键可转发。",
        "Few members recommend the group: reward both the referrer and the newcomer, and make "
        "the invitation link or poster easy to forward in one tap.",
    ),
    "koc_share": T(
        "核心成员（KOC）太少：找出最活跃的几位，给他们荣誉称号和专属权益，请他们带话题、做测评。",
        "Too few key members (KOCs): pick the most active few, give them a title and exclusive "
        "perks, and invite them to lead topics and post reviews.",
    ),
}

BASIS_NOTE: dict[str, T] = {
    "membership": T(
        "口径：按入群/退群事件计算成员（members 表）。",
        "Basis: members counted from join/leave events (members table).",
    ),
    "speakers": T(
        "口径：没有 members 表，只把发过言的人算作成员，所以各项比率是上限。",
        "Basis: no members table, so only people who spoke count as members; rates are upper bounds.",
    ),
}
