"""The calendar's names: day filters, China's statutory holidays and the marketing festivals.

One table each, used by the SOP model (which names ``skip_on`` / ``only_on`` accept), by lint
(which names the SOP's calendar knows) and by the plan (labels, matching). The dates come from
:mod:`sqops.plan._holidays` (the ``holidays`` package for statutory days, a lunar calendar for
the lunar festivals); nothing here imports a calendar library.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqops.i18n import T

#: The generic day filters, always known.
DAY_FILTERS: tuple[str, ...] = ("holiday", "workday", "weekend", "weekday")

#: China's statutory holidays (全国年节及纪念日放假办法), by stable key.
HOLIDAY_NAMES: dict[str, T] = {
    "new_years_day": T("元旦", "New Year's Day"),
    "spring_festival": T("春节", "Spring Festival"),
    "tomb_sweeping_day": T("清明节", "Qingming Festival"),
    "labour_day": T("劳动节", "Labour Day"),
    "dragon_boat_festival": T("端午节", "Dragon Boat Festival"),
    "national_day": T("国庆节", "National Day"),
    "mid_autumn_festival": T("中秋节", "Mid-Autumn Festival"),
    "anti_fascist_70th_day": T("抗战胜利 70 周年纪念日", "Victory Day (70th anniversary)"),
}


@dataclass(frozen=True)
class Festival:
    """A marketing festival: not a day off, but a day community operators plan around."""

    key: str
    name: T
    month: int
    day: int
    lunar: bool = False  # month/day of the Chinese lunar calendar (七夕 = 7th day of 7th month)


#: The China marketing festival set (``calendar: {festivals: china}``), by stable key.
FESTIVALS: dict[str, Festival] = {
    f.key: f
    for f in (
        Festival("valentines_day", T("情人节", "Valentine's Day"), 2, 14),
        Festival("womens_day", T("三八妇女节", "Women's Day"), 3, 8),
        Festival("love_520", T("520", "520 (love day)"), 5, 20),
        Festival("sale_618", T("618 年中大促", "618 mid-year sale"), 6, 18),
        Festival("qixi", T("七夕", "Qixi (Chinese Valentine's Day)"), 7, 7, lunar=True),
        Festival("double_11", T("双十一", "Double 11 (Singles' Day)"), 11, 11),
        Festival("double_12", T("双十二", "Double 12"), 12, 12),
    )
}

#: The festival sets an SOP may choose (``calendar.festivals``).
FESTIVAL_SETS: tuple[str, ...] = ("china", "none")

#: Chinese names accepted in ``skip_on`` / ``only_on`` for the keys above.
ALIASES: dict[str, str] = {
    **{t.zh: k for k, t in HOLIDAY_NAMES.items() if k != "anti_fascist_70th_day"},
    "春节": "spring_festival",
    "清明": "tomb_sweeping_day",
    "五一": "labour_day",
    "端午": "dragon_boat_festival",
    "中秋": "mid_autumn_festival",
    "国庆": "national_day",
    "情人节": "valentines_day",
    "妇女节": "womens_day",
    "三八妇女节": "womens_day",
    "女神节": "womens_day",
    "520": "love_520",
    "618": "sale_618",
    "七夕": "qixi",
    "双十一": "double_11",
    "双11": "double_11",
    "双十二": "double_12",
    "双12": "double_12",
}

#: Every name a ``skip_on`` / ``only_on`` entry may have (the SOP model's choices).
FILTER_NAMES: tuple[str, ...] = (*DAY_FILTERS, *HOLIDAY_NAMES, *FESTIVALS, *ALIASES)


def canonical(name: str) -> str:
    """The stable key of a filter name (a Chinese alias → its key; others unchanged)."""
    return ALIASES.get(name, name)


def known_names(country: str | None, festivals: str) -> tuple[str, ...]:
    """The filter names a calendar of ``country`` (None: no country) with the festival set
    ``festivals`` knows: the generic filters, China's holidays for CN, the festivals for
    ``china``; Chinese aliases included."""
    keys = set(DAY_FILTERS)
    if country == "CN":
        keys |= set(HOLIDAY_NAMES)
    if festivals == "china":
        keys |= set(FESTIVALS)
    return tuple(n for n in FILTER_NAMES if canonical(n) in keys)


def default_country(platform: str, timezone: str) -> str | None:
    """The country when the SOP names none: China for the Chinese platforms or a China
    timezone (the default zone), else none (no statutory holidays)."""
    if platform in CHINESE_PLATFORMS or timezone in CHINA_TIMEZONES:
        return "CN"
    return None


CHINESE_PLATFORMS: tuple[str, ...] = ("wechat", "wecom", "qq", "xiaohongshu")
CHINA_TIMEZONES: tuple[str, ...] = (
    "Asia/Shanghai",
    "Asia/Chongqing",
    "Asia/Chungking",
    "Asia/Harbin",
    "Asia/Urumqi",
    "Asia/Kashgar",
    "PRC",
)
