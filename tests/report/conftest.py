"""Small builders for hand-made report tables (every cell text, as a CSV export would give)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from _fleets import fleet_with_ungrouped_rows
from sqops.report.build import Report, Settings, build_report

D0 = dt.date(2026, 12, 1)


def frame(cols: str, rows: list[tuple]) -> pl.DataFrame:
    names = [c.strip() for c in cols.split(",")]
    data = {n: [None if r[i] is None else str(r[i]) for r in rows] for i, n in enumerate(names)}
    return pl.DataFrame(data, schema={n: pl.String for n in names})


def run(
    as_of: dt.date | None = None, *, staff=("s1",), pattern=None, day0=None, **tables
) -> Report:
    settings = Settings(
        staff_ids=frozenset(staff),
        nickname_pattern=pattern,
        day0=day0 if day0 is not None else {"g1": D0, "g2": D0},
    )
    return build_report(tables, settings=settings, as_of=as_of)


def nd(report: Report, name: str, group: str | None = "g1") -> tuple[float | None, float | None]:
    if group is None:
        k = next(k for k in report.fleet if k.name == name)
    else:
        k = next(g for g in report.groups if g.group_id == group).kpi(name)
    return k.numerator, k.denominator


def kpi(report: Report, name: str, group: str = "g1"):
    return next(g for g in report.groups if g.group_id == group).kpi(name)


class _Helpers:
    D0 = D0
    frame = staticmethod(frame)
    run = staticmethod(run)
    nd = staticmethod(nd)
    kpi = staticmethod(kpi)


@pytest.fixture
def h() -> type[_Helpers]:
    return _Helpers


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated fleet of 9 groups; every third row of orders, coupons and engagement
    without its group_id (attributed by presence, spec §2): generated once for the
    partitioned run's tests and phase 0's (read only). A test module that wants another
    fleet defines its own ``fleet``."""
    return fleet_with_ungrouped_rows(
        tmp_path_factory.mktemp("demo"),
        tmp_path_factory.mktemp("fleet"),
        groups=9,
        days=110,
        members=40,
        seed=3,
    )
