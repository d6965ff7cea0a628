"""The iCalendar writer (``formats.to_ics``) writes its items itself (#23): the same bytes
as the writer built on icalendar's objects, kept below as the reference (``_reference_ics``),
and the same events, properties and UIDs when icalendar parses it back — with CJK titles
folded at a multi-byte boundary, ``\\ ; ,`` and line breaks in titles and scripts, alarms on
and off, one group and several."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from pathlib import Path

import icalendar
import pytest

from sqops.plan import build_plan
from sqops.plan import formats as F
from sqops.plan._model import Plan
from sqops.sop import load_sop

SKINCARE = Path(__file__).resolve().parents[2] / "examples" / "skincare" / "sop.yaml"


def _reference_ics(plan: Plan, lang: str, remind_minutes: int = F.REMIND_MINUTES) -> bytes:
    """``to_ics`` as it was before #23: every event an ``icalendar.Event`` (test-only)."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(plan.timezone)
    stamp = dt.datetime.combine(plan.start, dt.time(0), tzinfo=dt.UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//sqops//sqops plan//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    names = " / ".join(gp.group.name for gp in plan.groups)
    cal.add(
        "x-wr-calname", f"{plan.community} · {names}" if len(plan.groups) == 1 else plan.community
    )
    cal.add("x-wr-timezone", plan.timezone)
    if plan.notices:
        cal.add("x-wr-caldesc", "\n".join(n.get(lang) for n in plan.notices))
    cal.add_component(
        icalendar.Timezone.from_tzid(
            plan.timezone,
            first_date=dt.date(plan.start.year, 1, 1),
            last_date=dt.date(plan.end.year + 1, 1, 1),
        )
    )
    for d in plan.dates():
        info = plan.calendar[d]
        label = info.label(lang)
        if not info.known or not label:
            continue
        ev = icalendar.Event()
        key = "\x1f".join((plan.community, "holiday", d.isoformat()))
        ev.add("uid", f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@sqops")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", d)
        ev.add("dtend", d + dt.timedelta(days=1))
        off = (
            f"（{F._t('holiday_off', lang)}）" if info.status == "holiday" and lang == "zh" else ""
        )
        ev.add("summary", label + off)
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    multi = len(plan.groups) > 1
    loads = F._load_of(plan)
    for gp in plan.groups:
        for o in gp.occurrences:
            ev = icalendar.Event()
            ev.add("uid", F.uid(plan, o))
            ev.add("dtstamp", stamp)
            start = dt.datetime.combine(o.date, o.time, tzinfo=tz)
            ev.add("dtstart", start)
            ev.add("dtend", start + dt.timedelta(minutes=F.EVENT_MINUTES))
            summary = f"[{gp.group.name}] {o.title}" if multi else o.title
            ev.add("summary", summary)
            desc: list[str] = []
            if o.script:
                desc += [o.script, ""]
            parts = (
                F._t("day", lang).format(n=o.lifecycle_day),
                F._stage(o, lang),
                F._kind(o, lang),
                F._owner(o, lang),
            )
            desc.append(" · ".join(x for x in parts if x))
            desc += [n.get(lang) for n in o.notes]
            conf = [
                c.text.get(lang)
                for c in gp.conflicts
                if c.date == o.date and o.item_id in c.item_ids
            ]
            desc += [f"⚠ {x}" for x in conf + F._load_flags(plan, loads, o, lang)]
            ev.add("description", "\n".join(desc))
            ev.add("categories", [F._kind(o, lang)])
            if remind_minutes > 0:
                alarm = icalendar.Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", f"{F._t('reminder', lang)}: {summary}")
                alarm.add("trigger", dt.timedelta(minutes=-remind_minutes))
                ev.add_component(alarm)
            cal.add_component(ev)
    return cal.to_ical()


#: titles and scripts that need escaping and folding; the CJK title is 30 characters, 90
#: octets, so "SUMMARY:" (8 octets) + 22 characters (66) = 74 and the fold falls between
#: two characters of 3 octets each
NASTY_TITLES = [
    "护肤" * 15,
    "a,b;c\\d\ne",
    "路径 C:\\Temp\\x；分号;逗号,反斜杠\\结尾\\",
    "x" * 65 + "\\;" + "护",  # one group: "SUMMARY:" + 65 x, then "\\" at octets 74-75 (carried)
    "y" * 65 + "^^" + "肤肤肤",
    "回车\r\n换行\r只有回车",
]
NASTY_SCRIPTS = [
    "第一行，逗号;分号\\反斜杠\n\n第三行 " + "长" * 40,
    None,
    "emoji 😀😀😀 " * 8,
    "",
    "tab\there",
]
#: a literal backslash-N (a Windows path): icalendar's writer made it a line break, ours keeps
#: it, so these are compared with the independent reader below, not with the reference bytes
BACKSLASH_N = ["\\N 大写的 N", "路径 C:\\New folder\\n2"]


def _nasty(plan: Plan, titles: list[str], scripts: list[str | None]) -> Plan:
    """The plan with each item's title and script replaced by one of the lists above."""
    for gp in plan.groups:
        for k, o in enumerate(gp.occurrences):
            gp.occurrences[k] = dataclasses.replace(
                o, title=titles[k % len(titles)] + str(k), script=scripts[k % len(scripts)]
            )
    return plan


def _plans(titles: list[str], scripts: list[str | None]) -> list[tuple[str, Plan]]:
    loaded = load_sop(SKINCARE)
    out = []
    for lang, start, days in (("zh", dt.date(2026, 12, 8), 30), ("en", dt.date(2026, 9, 25), 14)):
        plan = build_plan(loaded, start=start, days=days, lang=lang)
        out.append((lang, plan))
        out.append((lang, F.single_group(plan, plan.groups[0])))
        nasty = _nasty(build_plan(loaded, start=start, days=days, lang=lang), titles, scripts)
        out.append((lang, nasty))
        busiest = max(nasty.groups, key=lambda gp: len(gp.occurrences))
        out.append((lang, F.single_group(nasty, busiest)))
    return out


PLANS = _plans(NASTY_TITLES, NASTY_SCRIPTS)
ALL_NASTY = _plans(NASTY_TITLES + BACKSLASH_N, [*NASTY_SCRIPTS, *BACKSLASH_N])


def _props(comp: icalendar.cal.component.Component) -> list[tuple[str, object]]:
    """A component's properties, decoded, and its subcomponents', in order."""
    out: list[tuple[str, object]] = [("BEGIN", comp.name)]
    for name in comp:
        v = comp[name]
        out.append((name, (v.cats if name == "CATEGORIES" else comp.decoded(name))))
        if name in ("DTSTART", "DTEND"):
            out.append((name + ";TZID", v.params.get("TZID")))
    for sub in comp.subcomponents:
        out += _props(sub)
    return out


@pytest.mark.parametrize("remind", [15, 0])
@pytest.mark.parametrize("case", range(len(PLANS)))
def test_same_bytes_and_same_events_as_the_icalendar_writer(case, remind):
    lang, plan = PLANS[case]
    new, old = F.to_ics(plan, lang, remind), _reference_ics(plan, lang, remind)
    a, b = icalendar.Calendar.from_ical(new), icalendar.Calendar.from_ical(old)
    ea, eb = a.walk("VEVENT"), b.walk("VEVENT")
    assert len(ea) == len(eb) >= plan.occurrence_count > 0
    assert [str(e["UID"]) for e in ea] == [str(e["UID"]) for e in eb]
    assert [_props(e) for e in ea] == [_props(e) for e in eb]
    assert _props(a) == _props(b)
    assert all(len(e.walk("VALARM")) == (1 if remind else 0) for e in ea if "CATEGORIES" in e)
    assert new == old


def test_nasty_titles_and_scripts_come_back_as_written():
    lang, plan = ALL_NASTY[3]  # one group: the summary is the title itself
    cal = icalendar.Calendar.from_ical(F.to_ics(plan, lang))
    items = [e for e in cal.walk("VEVENT") if "CATEGORIES" in e]
    occs = plan.groups[0].occurrences
    assert len(items) == len(occs)
    for e, o in zip(items, occs, strict=True):
        # icalendar reads every line break back as "\n"
        title = o.title.replace("\r\n", "\n").replace("\r", "\n")
        assert str(e["SUMMARY"]) == title
        assert str(e.walk("VALARM")[0]["DESCRIPTION"]) == f"{F._t('reminder', lang)}: {title}"
        if o.script:
            assert str(e["DESCRIPTION"]).startswith(o.script + "\n\n")


def test_cjk_line_folds_between_characters():
    # "SUMMARY:" is 8 octets, each 护/肤 3: 8 + 22×3 = 74 octets on the first line, then 24
    # characters (72 octets) a line after the fold's space
    out = F._ics_fold("SUMMARY:" + "护肤" * 25)  # 50 characters: 22 + 24 + 4
    lines = out.split(b"\r\n")
    assert lines[-1] == b""
    assert [len(x) for x in lines[:-1]] == [74, 1 + 72, 1 + 12]
    assert all(x.startswith(b" ") for x in lines[1:-1])
    assert b"".join(x.removeprefix(b" ") for x in lines).decode() == "SUMMARY:" + "护肤" * 25


def test_fold_never_splits_a_character_and_carries_an_escape():
    # 73 ASCII octets then 😀 (4 octets): 73 + 4 > 74, so the emoji starts the next line
    assert F._ics_fold("a" * 73 + "😀") == b"a" * 73 + "\r\n 😀\r\n".encode()
    # the 74th octet is a backslash: it goes to the next line with the ";" it escapes
    assert F._ics_fold("b" * 73 + "\\;c") == b"b" * 73 + b"\r\n \\;c\r\n"
    # 74 octets exactly: no fold
    assert F._ics_fold("c" * 74) == b"c" * 74 + b"\r\n"
    assert F._ics_fold("d" * 75) == b"d" * 74 + b"\r\n d\r\n"


def test_text_escaping():
    assert F._ics_text("a\\b;c,d\ne\r\nf\rg") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"
    # a literal backslash-N is a backslash and an N, not a line break (icalendar's quirk)
    assert F._ics_text("C:\\New") == "C:\\\\New"


# ---------------------------------------------------------------- an independent reader
# Written from RFC 5545 alone (no icalendar): unfold (§3.1), split each content line into
# name, parameters and value (§3.1, quoted parameter values may hold ":" and ";"), and
# unescape TEXT (§3.3.11). Checks the writer against the plan itself, not against a library.


def _unfold(data: bytes) -> list[str]:
    text = data.decode("utf-8")  # folding never splits a character, so each line decodes
    assert "\n" not in text.replace("\r\n", ""), "bare LF"
    return text.replace("\r\n ", "").replace("\r\n\t", "").split("\r\n")[:-1]


def _content_line(line: str) -> tuple[str, dict[str, str], str]:
    quoted, colon = False, -1
    for k, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            colon = k
            break
    assert colon > 0, line
    head, value = line[:colon], line[colon + 1 :]
    name, *params = head.split(";")
    return name.upper(), dict(p.split("=", 1) for p in params), value


def _text(value: str) -> str:
    out, k = [], 0
    while k < len(value):
        ch = value[k]
        if ch == "\\":
            nxt = value[k + 1]
            out.append("\n" if nxt in "nN" else nxt)
            assert nxt in "nN\\;,", f"bad escape {nxt!r}"
            k += 2
        else:
            out.append(ch)
            k += 1
    return "".join(out)


def _events(data: bytes) -> list[dict[str, tuple[dict[str, str], str]]]:
    """Every VEVENT as {property: (parameters, raw value)}, alarms left out."""
    events: list[dict[str, tuple[dict[str, str], str]]] = []
    stack: list[str] = []
    for line in _unfold(data):
        name, params, value = _content_line(line)
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack[-1] == "VEVENT":
            events[-1][name] = (params, value)
    assert not stack
    return events


@pytest.mark.parametrize("case", range(len(ALL_NASTY)))
def test_an_independent_reader_finds_every_item_as_planned(case):
    lang, plan = ALL_NASTY[case]
    data = F.to_ics(plan, lang)
    assert all(len(line.encode()) <= 75 for line in data.decode().split("\r\n"))
    items = [e for e in _events(data) if "CATEGORIES" in e]
    occs = [(gp, o) for gp in plan.groups for o in gp.occurrences]
    assert len(items) == len(occs) > 0
    multi = len(plan.groups) > 1
    for e, (gp, o) in zip(items, occs, strict=True):
        title = o.title.replace("\r\n", "\n").replace("\r", "\n")
        assert _text(e["SUMMARY"][1]) == (f"[{gp.group.name}] {title}" if multi else title)
        assert _text(e["UID"][1]) == F.uid(plan, o)
        assert e["DTSTART"] == (
            {"TZID": plan.timezone},
            dt.datetime.combine(o.date, o.time).strftime("%Y%m%dT%H%M%S"),
        )
        assert _text(e["CATEGORIES"][1]) == F._kind(o, lang)
        desc = _text(e["DESCRIPTION"][1])
        if o.script:
            script = o.script.replace("\r\n", "\n").replace("\r", "\n")
            assert desc.startswith(script + "\n\n")
        assert F._t("day", lang).format(n=o.lifecycle_day) in desc


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Etc/GMT+8"])
def test_other_time_zones_same_bytes(tz):
    # the date-time lines are icalendar's: "Z" for UTC (no TZID), a TZID with "+", a zone
    # with daylight saving (the window crosses New York's change on 2026-11-01)
    from sqops.sop import parse_sop

    text = SKINCARE.read_text(encoding="utf-8")
    edited = text.replace("timezone: Asia/Shanghai", f"timezone: {tz}")
    assert edited != text
    plan = build_plan(
        parse_sop(edited, "sop.yaml", SKINCARE.parent),
        start=dt.date(2026, 10, 20),
        days=20,
        lang="zh",
    )
    new = F.to_ics(plan, "zh")
    assert plan.occurrence_count > 0 and new == _reference_ics(plan, "zh")
    events = new[new.index(b"BEGIN:VEVENT") :]  # (not the VTIMEZONE's DTSTART)
    starts = [x for x in events.split(b"\r\n") if x.startswith(b"DTSTART:20")]
    assert bool(starts) == (tz == "UTC") and all(x.endswith(b"Z") for x in starts)
