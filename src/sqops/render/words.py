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
}
