"""The coverage, channels and service sections and the KPIs are made on two threads
(``report/build.py``: the sections one task, then each KPI), the member actions in theirs
once the KPIs are made: the same report, errors raised as when they ran one after
another."""

from __future__ import annotations

import datetime as dt
import threading

import orjson
import pytest

from sqops.report import actions, build
from sqops.report import kpis as K

D = dt.date


def _report(h, beside=True):
    from sqops.report.build import Settings, build_report

    msgs = [
        ("2027-01-09 10:00", "g1", "a", "how much?"),
        ("2027-01-09 10:05", "g1", "s1", "99"),
        ("2027-01-08 10:00", "g2", "b", "hi"),
    ]
    mem = [
        ("2026-12-01 09:00", "g1", "a", "join"),
        ("2027-01-05 09:00", "g1", "n", "join"),
        ("2026-12-20 09:00", "g2", "b", "join"),
    ]
    settings = Settings(staff_ids=frozenset({"s1"}), day0={"g1": D(2026, 12, 1)})
    tables = {
        "messages": h.frame("ts, group_id, member_id, content", msgs),
        "members": h.frame("ts, group_id, member_id, event", mem),
    }
    return build_report(tables, settings=settings, as_of=D(2027, 1, 10), actions_beside=beside)


def _spy(monkeypatch, module, name, log):
    real = getattr(module, name)

    def spy(*args, **kwargs):
        log.append((name, threading.current_thread().name))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def test_sections_and_kpis_are_made_on_two_threads_and_the_actions_after_the_kpis(h, monkeypatch):
    log: list[tuple[str, str]] = []
    for name in ("build_coverage", "build_channels", "build_service"):
        _spy(monkeypatch, build, name, log)
    _spy(monkeypatch, K, "compute", log)
    real_init = actions.ActionsBeside.__init__

    def init(self, *args, **kwargs):
        log.append(("actions", threading.current_thread().name))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(actions.ActionsBeside, "__init__", init)
    r = _report(h)
    where = {name: thread for name, thread in log}
    section = where["build_coverage"]
    assert section.startswith("sqops-report")  # (the three in one task, on one thread)
    assert where["build_channels"] == where["build_service"] == section
    kpis = {thread for name, thread in log if name == "compute"}
    assert kpis and all(t.startswith("sqops-report") for t in kpis)
    names = [name for name, _ in log]
    kpis_done = max(i for i, n in enumerate(names) if n == "compute")
    assert names.index("actions") > kpis_done  # (started once the KPIs are made)
    assert where["actions"] == "MainThread"
    # the sections, in the order they ran in before: coverage, channels, service
    sections = [n for n in names if n.startswith("build_")]
    assert sections == ["build_coverage", "build_channels", "build_service"]
    assert r.service is not None and r.service.fleet is not None
    assert r.service.fleet.questions == 1 and r.service.fleet.answered == 1
    assert set(r.coverage) == {"g1", "g2"} and r.channels is not None
    assert "actions" in r.__dict__  # (given by its thread)
    assert not [t for t in threading.enumerate() if t.name.startswith("sqops-")]


def test_the_report_is_the_same_with_or_without_the_actions_thread(h):
    one, two = _report(h, True), _report(h, False)
    assert orjson.dumps(one.to_dict()) == orjson.dumps(two.to_dict())


def test_a_failing_section_is_raised_and_no_thread_is_left(h, monkeypatch):
    ran: list[str] = []

    def broken(*args, **kwargs):
        raise RuntimeError("channels failed")

    monkeypatch.setattr(build, "build_channels", broken)
    _spy(monkeypatch, build, "build_service", ran)
    with pytest.raises(RuntimeError, match="channels failed"):
        _report(h)
    assert ran == []  # (the sections after the failed one are not made, as before)
    assert not [t for t in threading.enumerate() if t.name.startswith("sqops-")]


def test_the_first_failing_kpi_s_error_is_raised_as_one_after_another(h, monkeypatch):
    import time

    computed: list[str] = []
    real = K.compute

    def record(p, name, *args, **kwargs):
        computed.append(name)
        return real(p, name, *args, **kwargs)

    monkeypatch.setattr(K, "compute", record)
    _report(h)
    assert len(computed) >= 2
    first, second = computed[:2]

    def compute(p, name, *args, **kwargs):
        if name == first:  # (fails after the second has failed: its error is raised)
            time.sleep(0.2)
            raise ValueError("first")
        if name == second:
            raise KeyError("second")
        return real(p, name, *args, **kwargs)

    monkeypatch.setattr(K, "compute", compute)
    with pytest.raises(ValueError, match="first"):
        _report(h)
    assert not [t for t in threading.enumerate() if t.name.startswith("sqops-")]


def test_a_failing_kpi_is_raised_once_the_sections_have_ended(h, monkeypatch):
    import time

    real = build.build_service

    def slow(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    def broken(*args, **kwargs):
        raise ValueError("kpi failed")

    monkeypatch.setattr(build, "build_service", slow)
    monkeypatch.setattr(K, "compute", broken)
    with pytest.raises(ValueError, match="kpi failed"):
        _report(h)
    assert not [t for t in threading.enumerate() if t.name.startswith("sqops-")]


def test_the_kpis_alone_start_no_section_thread(h, monkeypatch):
    from sqops.report.build import build_report

    started: list[str] = []
    real = threading.Thread.start

    def start(self):
        started.append(self.name)
        real(self)

    monkeypatch.setattr(threading.Thread, "start", start)
    msgs = [("2027-01-09 10:00", "g1", "a")]
    tables = {"messages": h.frame("ts, group_id, member_id", msgs)}
    r = build_report(tables, as_of=D(2027, 1, 10), sections=False)
    assert r.service is None and r.channels is None and r.coverage == {}
    assert not [n for n in started if n == "sqops-actions"]


def test_the_service_of_some_groups_counts_their_questions_only(h):
    # every message up to as-of is of a group of the report when no group is chosen (the
    # service then tests no group); with groups chosen, the others' questions are left out
    from sqops.report.build import Settings, build_report

    msgs = [
        ("2027-01-09 10:00", "g1", "a", "how much?"),
        ("2027-01-09 10:05", "g1", "s1", "99"),
        ("2027-01-09 11:00", "g2", "b", "where?"),
        ("2027-01-09 11:01", "g2", "b", "when?"),
    ]
    tables = {"messages": h.frame("ts, group_id, member_id, content", msgs)}
    settings = Settings(staff_ids=frozenset({"s1"}))
    day = D(2027, 1, 10)
    every = build_report(tables, settings=settings, as_of=day).service
    one = build_report(tables, settings=settings, as_of=day, groups=["g1"]).service
    assert every is not None and one is not None
    assert every.fleet is not None and one.fleet is not None
    assert (every.fleet.questions, every.fleet.answered) == (3, 1)
    assert (one.fleet.questions, one.fleet.answered) == (1, 1)
    assert list(one.groups) == ["g1"] and one.unanswered.height == 0


def test_the_sections_stop_at_the_next_section_once_the_run_ends(h, monkeypatch):
    """A KPI fails (or a signal arrives) while the sections' task makes coverage: the task
    stops before channels and service — the run does not wait for sections nobody will read
    (found by the review: Ctrl-C at 10 M waited ~2–3 s for them)."""
    import time

    made: list[str] = []
    real_coverage = build.build_coverage

    def slow_coverage(*args, **kwargs):
        time.sleep(0.3)  # (the KPI fails meanwhile)
        made.append("coverage")
        return real_coverage(*args, **kwargs)

    def channels(*args, **kwargs):
        made.append("channels")
        raise AssertionError("channels made after the run ended")

    def broken(*args, **kwargs):
        raise ValueError("kpi failed")

    monkeypatch.setattr(build, "build_coverage", slow_coverage)
    monkeypatch.setattr(build, "build_channels", channels)
    monkeypatch.setattr(K, "compute", broken)
    with pytest.raises(ValueError, match="kpi failed"):
        _report(h)
    assert made == ["coverage"]
    assert not [t for t in threading.enumerate() if t.name.startswith("sqops-")]
