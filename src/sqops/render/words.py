"""The words every rendered output uses (column heads, "none"), in both languages, once.

The labels of domain facts (stages, KPIs, statuses) live in :mod:`sqops.domain`; these are
the renderers' own words that several outputs share.
"""

from __future__ import annotations

from sqops.i18n import T

WORDS: dict[str, T] = {
    "stage": T("阶段", "stage"),
    "target": T("目标", "target"),
    "timezone": T("时区", "timezone"),
    "time": T("时间", "time"),
    "kind": T("类型", "kind"),
    "none": T("无", "none"),
    #: the lifecycle day people read, 第 N 天 (N = day index + 1: sqops.domain.stages.lifecycle_day)
    "day_n": T("第 {n} 天", "day {n}"),
    #: under a table of stage windows: a trailing window (retention) starts later than its stage
    "window_note": T(
        "{stage}自第 {n} 天起；按截至日前最近 {d} 天（不早于第 {n} 天）评估，"
        "所以窗口可能晚于上一阶段的结束日开始：之前的日子并未跳过，只是不计入。",
        "{stage} starts on day {n} and is evaluated over its last {d} days up to the as-of day "
        "(not before day {n}), so its window may start after the previous stage ends: the days "
        "between are not skipped, only not counted.",
    ),
}

#: a yes/no cell of a list (``koc`` of actions.csv, ``overdue`` of unanswered.csv)
YES_NO: dict[bool, T] = {True: T("是", "yes"), False: T("否", "no")}

#: the heads of the id and name columns every list, sheet and plan table shares
GROUP_ID = T("群ID", "group_id")
GROUP_NAME = T("群名称", "group_name")
MEMBER_ID = T("成员ID", "member_id")
MEMBER_NAME = T("成员昵称", "member_name")
