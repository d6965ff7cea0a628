"""The member actions of spec §3: what to do next with each member, in priority order.

One table: the action names (the SOP's ``actions:`` keys, the ``action`` column of
``actions.csv`` and the JSON counts), their order (the first that applies wins) and labels.
The rule that picks an action lives with the member table in :mod:`sqops.report.actions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqops.i18n import T


@dataclass(frozen=True)
class ActionDef:
    name: str
    label: T
    when: T  # the rule, for the docs and the report's legend


#: in priority order: a member gets the first that applies
ACTIONS: tuple[ActionDef, ...] = (
    ActionDef("koc_care", T("KOC 维护", "KOC care"), T("是 KOC", "a KOC")),
    ActionDef(
        "win_back",
        T("重点挽回", "win back"),
        T(
            "RFM 分群为重要保持或重要挽留，且沉默 ≥ 30 天",
            "RFM segment important to keep or to win back, and silent ≥ 30 days",
        ),
    ),
    ActionDef(
        "recall",
        T("召回", "recall"),
        T(
            "沉默 ≥ 30 天（从未发言的，从首次入群算）",
            "silent ≥ 30 days (never spoke: counted from the first join)",
        ),
    ),
    ActionDef(
        "coupon_reminder", T("用券提醒", "coupon reminder"), T("有未使用的券", "unused coupons")
    ),
    ActionDef(
        "welcome_follow_up",
        T("新人跟进", "welcome follow-up"),
        T("近 7 天首次入群且从未发言", "first joined in the last 7 days and never spoke"),
    ),
    ActionDef("none", T("无", "none"), T("以上都不适用", "none of the above")),
)
ACTION: dict[str, ActionDef] = {a.name: a for a in ACTIONS}
ACTION_NAMES: tuple[str, ...] = tuple(ACTION)
