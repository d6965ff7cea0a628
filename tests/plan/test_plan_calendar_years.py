"""The calendar beyond the announced years (#19): China's statutory holidays of 2027 and 2028
by law, the provisional 调休 days, the marketing festivals (七夕 by the lunar calendar), the
SOP's `country` and `calendar:` section.

The dates were worked out by hand. Statutory days: 全国年节及纪念日放假办法 (2024 revision, in
force 2025: 元旦 1 day; 春节 除夕 + 正月初一..初三; 清明 1; 劳动节 5-01, 5-02; 端午 1; 中秋 1;
国庆 10-01..10-03). 2026: the State Council's notice on the 2026 arrangement (春节 02-15..23,
清明 04-04..06, 端午 06-19..21, 中秋 09-25..27, 国庆 10-01..07; see test_plan_holidays.py).
2027 lunar dates from a public holiday calendar of Hong Kong for 2027 (Lunar New Year Saturday
6 February, Tuen Ng Wednesday 9 June, "day following the Mid-Autumn Festival" Thursday
16 September, so 中秋 is 15 September); 清明 2027 is the solar term on 5 April. 七夕: Wikipedia's
Qixi Festival table gives 19 August for 2026; for 2027 the 7th lunar month begins with the new
moon of 2 August 2027 (the day of that year's total solar eclipse), so 七月初七 is 8 August
(and 八月十五 = 15 September agrees). 2028: 春节 (正月初一) 26 January, 端午 28 May, 中秋
3 October (inside the National Day holiday). `test_two_lunar_sources_agree` checks the
holidays package's lunar tables against lunar_python's conversion as well.
"""

from __future__ import annotations

import datetime as dt

import pytest

from sqops.errors import SopError
from sqops.plan import Calendar, day_info, expand
from sqops.plan._holidays import _festival_dates, _lunar_to_solar

D = dt.date

# the statutory days off by law, certain before the State Council's arrangement
STATUTORY_2027 = {
    D(2027, 1, 1): "new_years_day",  # Friday
    D(2027, 2, 5): "spring_festival",  # 除夕, Friday
    D(2027, 2, 6): "spring_festival",  # 正月初一, Saturday
    D(2027, 2, 7): "spring_festival",  # 初二, Sunday
    D(2027, 2, 8): "spring_festival",  # 初三, Monday
    D(2027, 4, 5): "tomb_sweeping_day",  # Monday
    D(2027, 5, 1): "labour_day",  # Saturday
    D(2027, 5, 2): "labour_day",  # Sunday
    D(2027, 6, 9): "dragon_boat_festival",  # Wednesday
    D(2027, 9, 15): "mid_autumn_festival",  # Wednesday
    D(2027, 10, 1): "national_day",  # Friday
    D(2027, 10, 2): "national_day",  # Saturday
    D(2027, 10, 3): "national_day",  # Sunday
}


@pytest.mark.parametrize(("date", "key"), sorted(STATUTORY_2027.items()))
def test_statutory_holidays_2027_are_certain(date, key):
    info = day_info(date)
    assert (info.status, info.holiday, info.provisional) == ("holiday", key, False)


def test_make_up_days_2027_are_holidays_by_rule_but_provisional():
    # the law gives a make-up day for each statutory day on a weekend: 春节 02-06/07 (Sat, Sun)
    # → 02-09, 02-10; 劳动节 05-01/02 → 05-03, 05-04; 国庆 10-02/03 → 10-04, 10-05. Where they
    # fall is the State Council's choice: holiday by rule, provisional.
    for d, key in [
        (D(2027, 2, 9), "spring_festival"),
        (D(2027, 2, 10), "spring_festival"),
        (D(2027, 5, 3), "labour_day"),
        (D(2027, 5, 4), "labour_day"),
        (D(2027, 10, 4), "national_day"),
        (D(2027, 10, 5), "national_day"),
    ]:
        info = day_info(d)
        assert (info.status, info.holiday, info.provisional) == ("holiday", key, True), d
    # a weekend near a holiday may become a 调休 working day: `workday` undecided
    sat = day_info(D(2027, 2, 20))  # Saturday, 12 days after 初三
    assert (sat.status, sat.provisional) == ("weekend", True)
    far = day_info(D(2027, 7, 17))  # Saturday, more than two weeks from any holiday
    assert (far.status, far.provisional) == ("weekend", False)


def test_2026_dates_of_the_lunar_holidays():
    # the announced 2026 arrangement (its full check: test_plan_holidays.py)
    for d, key in [
        (D(2026, 1, 1), "new_years_day"),
        (D(2026, 2, 17), "spring_festival"),
        (D(2026, 4, 5), "tomb_sweeping_day"),
        (D(2026, 5, 1), "labour_day"),
        (D(2026, 6, 19), "dragon_boat_festival"),
        (D(2026, 9, 25), "mid_autumn_festival"),
        (D(2026, 10, 1), "national_day"),
    ]:
        info = day_info(d)
        assert (info.status, info.holiday, info.provisional) == ("holiday", key, False), d
    # 调休 working days of 2026 (the notice): Sunday 01-04 and Saturday 02-14
    assert day_info(D(2026, 1, 4)).adjusted and day_info(D(2026, 2, 14)).adjusted


def test_festivals_2026_2027_with_qixi_by_the_lunar_calendar():
    assert _festival_dates(2026)[D(2026, 8, 19)] == ("qixi",)  # 七月初七 2026
    assert _festival_dates(2027)[D(2027, 8, 8)] == ("qixi",)  # 七月初七 2027
    f27 = _festival_dates(2027)
    assert [f27[D(2027, m, d)] for m, d in [(5, 20), (6, 18), (11, 11), (12, 12)]] == [
        ("love_520",),
        ("sale_618",),
        ("double_11",),
        ("double_12",),
    ]


def test_two_lunar_sources_agree():
    # holidays' own tables (春节, 端午, 中秋) against lunar_python's conversion
    for y, cny, dragon, moon in [
        (2026, D(2026, 2, 17), D(2026, 6, 19), D(2026, 9, 25)),
        (2027, D(2027, 2, 6), D(2027, 6, 9), D(2027, 9, 15)),
        (2028, D(2028, 1, 26), D(2028, 5, 28), D(2028, 10, 3)),
    ]:
        assert _lunar_to_solar(y, 1, 1) == cny
        assert _lunar_to_solar(y, 5, 5) == dragon
        assert _lunar_to_solar(y, 8, 15) == moon
        assert day_info(dragon).holiday == "dragon_boat_festival"
        assert day_info(moon).status == "holiday"


SPAN = """\
cadence:
  daily:
    - {id: tip, time: "15:00", title: 小知识, skip_on: [holiday]}
    - {id: cny, time: "09:00", title: 拜年, only_on: [春节]}
"""


def test_a_plan_spanning_2027_and_2028(load):
    loaded = load(SPAN, launch="2027-12-01")
    # 2027-12-27 (Mon) .. 2028-02-04 (Fri), 40 days
    plan = expand(loaded, start=D(2027, 12, 27), days=40, lang="en")
    assert "the 2027, 2028 holiday arrangement is not announced yet" in plan.notices[0].en
    cal = plan.calendar
    # 元旦 2028 is a Saturday: a statutory day, certain; 春节 2028: 除夕 01-25 .. 初三 01-28
    assert (cal[D(2028, 1, 1)].status, cal[D(2028, 1, 1)].provisional) == ("holiday", False)
    assert [d.day for d in cal if cal[d].holiday == "spring_festival" and d.month == 1] == [
        25,
        26,
        27,
        28,
        29,  # Saturday after 初三: the natural run, provisional
        30,  # Sunday: the same
    ]
    occ = plan.groups[0].occurrences
    cny = [(o.date.day, bool(o.notes)) for o in occ if o.item_id == "cny"]
    # certain on 01-25..28; undecided (kept with a note) on the provisional 29, 30
    assert cny == [(25, False), (26, False), (27, False), (28, False), (29, True), (30, True)]
    tips = {o.date for o in occ if o.item_id == "tip"}
    assert D(2028, 1, 26) not in tips and D(2027, 12, 28) in tips
    # 2028-01-03 (Mon): the by-rule make-up day for 元旦 on a Saturday: provisional
    assert cal[D(2028, 1, 3)].provisional and D(2028, 1, 3) in tips


def test_the_sop_declares_the_official_arrangement(load):
    body = SPAN + (
        "calendar:\n"
        "  announced: [2027]\n"
        "  days_off:\n"
        "    - {from: 2027-02-05, to: 2027-02-13, name: spring_festival}\n"
        "    - {date: 2027-03-08, name: 公司团建}\n"
        "    - 2027-03-09\n"
        "  working_days: [2027-02-20]\n"
    )
    loaded = load(body, launch="2027-01-01")
    plan = expand(loaded, start=D(2027, 2, 1), days=40, lang="zh")
    assert plan.notices == []  # 2027 declared in full
    cal = plan.calendar
    off = [d.day for d in cal if cal[d].status == "holiday" and d.month == 2]
    # 02-05 .. 02-13 declared, and Sunday 02-14 joins the run of days off; none provisional
    assert off == list(range(5, 15))
    assert not any(cal[d].provisional for d in cal)
    assert cal[D(2027, 2, 20)].status == "workday" and cal[D(2027, 2, 20)].adjusted
    assert cal[D(2027, 3, 8)].label("zh") == "公司团建"
    # a plain date next to a named day off takes the name of its run of days off
    assert (cal[D(2027, 3, 9)].status, cal[D(2027, 3, 9)].holiday) == ("holiday", "公司团建")
    assert plan.holiday_data_until == D(2027, 12, 31)


def test_a_community_outside_china_gets_no_china_holidays(load, write_sop):
    from sqops.sop import load_sop

    path = write_sop(SPAN.replace("[春节]", "[weekday]"), launch="2027-01-01")
    text = path.read_text(encoding="utf-8").replace(
        "platform: wechat,", "platform: whatsapp, timezone: Asia/Singapore,"
    )
    path.write_text(text, encoding="utf-8")
    plan = expand(load_sop(path), start=D(2027, 2, 1), days=14, lang="en")
    assert plan.notices == [] and plan.holiday_data_until is None
    assert all(i.status in ("workday", "weekend") for i in plan.calendar.values())
    # with country: SG, Singapore's public holidays: Chinese New Year 2027-02-06 (Sat) and
    # 02-07 (Sun); Singapore moves only a Sunday holiday to the Monday: 02-08
    path.write_text(text.replace("timezone:", "country: sg, timezone:"), encoding="utf-8")
    plan = expand(load_sop(path), start=D(2027, 2, 1), days=14, lang="en")
    off = sorted(d for d, i in plan.calendar.items() if i.status == "holiday")
    assert off == [D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)]
    assert plan.notices == []
    path.write_text(text.replace("timezone:", "country: XQ, timezone:"), encoding="utf-8")
    with pytest.raises(SopError) as e:
        expand(load_sop(path), start=D(2027, 2, 1), days=14, lang="en")
    assert "XQ" in e.value.text.en and e.value.where.line == 2


def test_country_none_has_no_holidays():
    cal = Calendar(None)
    assert cal.day_info(D(2027, 2, 8)).status == "workday"  # 初三, but no country
    assert cal.matches(cal.day_info(D(2027, 8, 8)), "qixi") is False  # no festival set
    assert Calendar("CN").matches(day_info(D(2027, 8, 8)), "七夕") is True


@pytest.mark.parametrize(
    ("extra", "line", "needle"),
    [
        # a misspelt key of calendar: did-you-mean
        # (the conftest's header is 12 lines: calendar: is line 13, its first key line 14)
        ("calendar:\n  working_day: [2027-02-20]\n", 14, "did you mean 'working_days'"),
        # a misspelt festival set
        ("calendar:\n  festivals: chna\n", 14, "did you mean 'china'"),
        # a day that is both off and a working day
        (
            "calendar:\n  days_off: [2027-02-20]\n  working_days: [2027-02-20]\n",
            14,
            "2027-02-20 is both in days_off and in working_days",
        ),
        # a run of days off without its end: one error for the entry
        ("calendar:\n  days_off:\n    - {from: 2027-02-10}\n", 15, "from and to go together"),
        # a filter name no calendar knows
        (
            'cadence:\n  daily:\n    - {time: "09:00", title: x, only_on: [qxi]}\n',
            15,
            "did you mean 'qixi'",
        ),
    ],
)
def test_calendar_keys_are_validated_with_did_you_mean(write_sop, extra, line, needle):
    from sqops.sop import load_sop

    path = write_sop(extra, launch="2027-01-01")
    with pytest.raises(SopError) as e:
        load_sop(path)
    got = [(p.where.line, p.text.en) for p in e.value.problems]
    assert any(ln == line and needle in text for ln, text in got), got


def test_country_is_an_iso_code_or_none(write_sop):
    from sqops.sop import load_sop

    path = write_sop("", launch="2027-01-01")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("platform: wechat,", "platform: wechat, country: China,"))
    with pytest.raises(SopError) as e:
        load_sop(path)
    assert "ISO 3166" in e.value.problems[0].text.en and e.value.problems[0].where.line == 2
    path.write_text(text.replace("platform: wechat,", "platform: wechat, country: None,"))
    sop = load_sop(path).sop
    assert sop.holiday_country is None and sop.festival_set == "none"
    path.write_text(text.replace("platform: wechat,", "platform: wechat, country: us,"))
    assert load_sop(path).sop.holiday_country == "US"


def test_beyond_the_packages_years_days_are_unknown_not_guessed(load):
    # holidays 0.105 knows China 1950-2100: 2101 is unknown, not a year of workdays
    info = day_info(D(2101, 10, 1))
    assert info.status is None and not info.known and info.label("en") == "no holiday data"
    loaded = load(SPAN, launch="2100-12-01")
    plan = expand(loaded, start=D(2100, 12, 30), days=4, lang="en")
    assert any("no holiday data for 2101" in n.en for n in plan.notices)
    tips = [(o.date.day, bool(o.notes)) for o in plan.groups[0].occurrences if o.item_id == "tip"]
    # 2100-12-30 Thu, 12-31 Fri: known working days; 2101-01-01, 01-02: kept, noted
    assert tips == [(30, False), (31, False), (1, True), (2, True)]


def test_china_before_2001_is_unknown():
    # the package checks China's arrangements from 2001 on: earlier years are not guessed
    assert day_info(D(2000, 10, 1)).status is None
    assert day_info(D(2001, 10, 1)).status == "holiday"
