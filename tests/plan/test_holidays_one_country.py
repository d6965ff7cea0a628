"""The plan's calendar imports the ``holidays`` module of its one country, not all ~250 of
them (``holidays.countries``' own ``__init__`` imports every country; ``sqops report --sop``
paid for that at every run), and knows the same days as through the package's own way.

Each side runs in a fresh interpreter: the test session may have imported the package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: every day of 2024–2027 (the last announced years and the first by rule) as the calendar
#: sees it, and the country modules imported by then
PROBE = """
import datetime as dt, json, sys
{first}
from sqops.plan import _holidays as H
out = {{}}
for country in ("CN", "US"):
    cal = H.Calendar(country)
    d = dt.date(2024, 1, 1)
    while d.year < 2028:
        i = cal.day_info(d)
        out[f"{{country}} {{d}}"] = [i.status, i.holiday, i.adjusted, i.provisional]
        d += dt.timedelta(days=1)
out["announced"] = H._cn_announced()
out["languages"] = list(H._languages_of("US"))
loaded = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
print(json.dumps({{"days": out, "loaded": loaded}}))
"""


def _probe(first: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(first=first)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def test_only_the_countries_asked_for_are_imported() -> None:
    alone = _probe("")
    # China and the United States, nothing else (the package's way: 251 modules)
    assert alone["loaded"] == ["holidays.countries.china", "holidays.countries.united_states"]


def test_the_same_days_as_through_the_package() -> None:
    alone = _probe("")
    # the package's own way: holidays.countries (every country) imported before
    package = _probe("import holidays.countries")
    assert len(package["loaded"]) > 100
    assert alone["days"] == package["days"]
    # (spot checks of the data itself: National Day, and Independence Day observed on a Friday)
    assert alone["days"]["CN 2026-10-01"][:2] == ["holiday", "national_day"]
    assert alone["days"]["US 2026-07-03"][0] == "holiday"
