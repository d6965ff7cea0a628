"""The report's JSON written a piece at a time (sqops.report.jsonstream) and the bounded merge's
lighter partials (sqops.report.partition): the same bytes as the single pass's ``to_json``."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path

import polars as pl
import pytest

from _fleets import fleet_with_ungrouped_rows
from sqops.data.tables import read_tables
from sqops.report.build import Report, Settings, build_report
from sqops.report.jsonstream import Refused, dumped, json_chunks, write_json
from sqops.report.partition import (
    CountedActions,
    _answered_light,
    merge_partials,
    plan_partitions,
    run_partition,
)
from sqops.report.render import to_json
from sqops.sop.loader import load_sop

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "skincare"

#: an adherence section as the CLI composes it last (nested, an empty object and list)
ADH = {"a": [1, {"b": None, "c": []}], "d": {}, "e": "中文"}


def _streamed(report: Report, **kw) -> str:
    return b"".join(json_chunks(report, **kw)).decode("utf-8")


@pytest.fixture(scope="module")
def example() -> tuple[Settings, object]:
    settings = Settings.from_loaded(load_sop(EXAMPLE / "sop.yaml"))
    return settings, read_tables(EXAMPLE / "data", tz=settings.tz, columns=settings.columns)


@pytest.mark.parametrize("kw", [{}, {"compare": "prev"}, {"trend": 3, "compare": "prev"}])
def test_streamed_is_to_json(example, kw: dict) -> None:
    settings, tables = example
    for lang in ("zh", "en"):
        rep = build_report(tables, settings=settings, lang=lang, **kw)
        # (the members listed again for the stream: the same as to_dict's, in its order)
        assert [k for k, _ in rep.members()] == list(rep.to_dict())
        assert _streamed(rep) == to_json(rep)
        assert _streamed(rep, adherence=ADH, views=True) == to_json(rep, ADH, views=True)


def test_no_group_is_an_empty_list() -> None:
    """``"groups": []`` as orjson writes an empty list (a report cut to no group by --by)."""
    settings = Settings.from_loaded(load_sop(EXAMPLE / "sop.yaml"))
    tables = read_tables(EXAMPLE / "data", tz=settings.tz, columns=settings.columns)
    rep = build_report(tables, settings=settings, lang="en")
    import dataclasses

    empty = dataclasses.replace(rep, groups=[], triage=[])
    text = _streamed(empty)
    assert text == to_json(empty) and '"groups": [],' in text


def test_refused_piece_falls_back_whole(example, tmp_path: Path) -> None:
    """An integer past 64 bits (an SOP's ``vars`` may hold one) is refused by orjson: the
    file is then the in-memory document's (the standard library's layout for the whole)."""
    settings, tables = example
    rep = build_report(tables, settings=settings, lang="en")
    big = {"n": 2**70}
    with pytest.raises(Refused):
        b"".join(json_chunks(rep, big))
    out = tmp_path / "r.json"
    write_json(rep, out, big)
    assert out.read_text("utf-8") == to_json(rep, big)
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]  # (no temporary file left)


def test_section_written_ahead_is_the_member(example, tmp_path: Path) -> None:
    """The plan-against-practice section written ahead (``dumped``, what its thread makes
    beside the report) gives the bytes of the whole document composed with its dict."""
    settings, tables = example
    rep = build_report(tables, settings=settings, lang="zh")
    ahead = dumped(lambda: ADH)
    assert ahead.text is not None and ahead.value() == ADH
    assert _streamed(rep, adherence=ahead) == to_json(rep, ADH)
    assert _streamed(rep, adherence=ahead, views=True) == to_json(rep, ADH, views=True)
    out = tmp_path / "r.json"
    write_json(rep, out, ahead)
    assert out.read_text("utf-8") == to_json(rep, ADH)


def test_section_refused_ahead_falls_back_whole(example, tmp_path: Path) -> None:
    """A section orjson refuses when written ahead keeps no text: the document is then the
    in-memory one, its section made again from the section's data."""
    settings, tables = example
    rep = build_report(tables, settings=settings, lang="en")
    big = {"n": 2**70}
    ahead = dumped(lambda: big)
    assert ahead.text is None
    with pytest.raises(Refused):
        b"".join(json_chunks(rep, ahead))
    out = tmp_path / "r.json"
    write_json(rep, out, ahead)
    assert out.read_text("utf-8") == to_json(rep, big)
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


@pytest.mark.parametrize("to_file", [True, False])
def test_cli_section_made_beside_the_report(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, to_file: bool
) -> None:
    """``report --sop -f json``: the plan-against-practice section's JSON dict is made in its
    own thread (``sqops-adherence``) while the report is computed, not after it on the main
    thread; the document is the one composed after (``render.to_json``)."""
    import threading

    from sqops.adherence import Adherence

    made_by: list[str] = []
    given = Adherence.to_dict

    def spy(self, *a, **kw):
        made_by.append(threading.current_thread().name)
        return given(self, *a, **kw)

    monkeypatch.setattr(Adherence, "to_dict", spy)
    args = ["report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "-f", "json"]
    f = tmp_path / "r.json"
    out = cli(*args, *(["-o", f] if to_file else []))
    assert out.exit_code == 0, out.stderr
    assert made_by == ["sqops-adherence"]
    text = f.read_text("utf-8") if to_file else out.stdout
    monkeypatch.setattr(Adherence, "to_dict", given)
    from sqops.adherence import compute_adherence

    loaded = load_sop(EXAMPLE / "sop.yaml")
    settings = Settings.from_loaded(loaded)
    tables = read_tables(EXAMPLE / "data", tz=settings.tz, columns=settings.columns)
    rep = build_report(tables, settings=settings, lang=rep_lang(text))
    adh = compute_adherence(loaded, tables, as_of=rep.as_of, lang=rep.lang)
    assert text == to_json(rep, adh.to_dict(rep.lang, detail=False))


def rep_lang(text: str) -> str:
    import json

    return json.loads(text)["lang"]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated fleet of 8 groups; every third order, coupon and engagement row without
    its group_id (attributed by presence, spec §2)."""
    return fleet_with_ungrouped_rows(
        tmp_path_factory.mktemp("demo"),
        tmp_path_factory.mktemp("fleet"),
        groups=8,
        days=100,
        members=40,
        seed=5,
    )


def test_partitioned_fleet_streamed_is_single_pass(tmp_path: Path, fleet: Path) -> None:
    """The fleet whose orders lack group_id, in 3 buckets with pickled partials: the streamed
    JSON of the merge is the single pass's ``to_json``; the partials carry the action
    counts, not the rows, and no text of an answered question."""
    settings = Settings()
    tables = read_tables(fleet, tz=settings.tz)
    single = build_report(tables, settings=settings, lang="en")
    plan = pickle.loads(pickle.dumps(plan_partitions(tables, tmp_path, partitions=3)))
    parts = [pickle.loads(pickle.dumps(run_partition(plan, k))) for k in plan.nonempty]
    assert len(parts) > 1
    answered = 0
    for part in parts:
        assert part.actions.height == 0 and part.action_counts is not None
        assert set(part.action_counts) == {g.group_id for g in part.groups}
        q = part.questions
        assert q is not None
        got = q.filter(pl.col("answered"))
        assert got["content"].null_count() == got.height
        answered += got.height
    assert answered > 0  # (the fleet has answered questions whose text was left out)
    merged = merge_partials(plan, parts)
    assert isinstance(merged.actions, CountedActions)
    assert _streamed(merged) == to_json(single)
    orders = next(t for t in single.data_quality["tables"] if t["table"] == "orders")
    nulls = pl.read_parquet(fleet / "orders.parquet")["group_id"].null_count()
    assert nulls > 0 and orders["unattributed"] < nulls  # (rows were attributed across groups)


def test_cli_json_file_is_stdout(cli, tmp_path: Path, fleet: Path) -> None:
    """``-o FILE`` (written a piece at a time) holds what stdout gets (the whole document),
    for the single pass and for 3 buckets."""
    out = cli("report", fleet, "-f", "json")
    assert out.exit_code == 0
    for extra in ([], ["--partitions", "3"]):
        f = tmp_path / f"r{len(extra)}.json"
        assert cli("report", fleet, "-o", f, *extra).exit_code == 0
        assert f.read_text("utf-8") == out.stdout


def test_counted_actions_by_hand() -> None:
    """Counts alone: g1 has 2 win_back and 1 recall (given), g2 none given (all zero); the
    fleet adds them: win_back 2, recall 1, every other action 0."""
    acts = CountedActions(None, True, ["g1", "g2"], {"g1": {"win_back": 2, "recall": 1}})
    c = acts.counts()
    assert list(c) == ["g1", "g2"]
    assert c["g1"]["win_back"] == 2 and c["g1"]["recall"] == 1
    assert sum(c["g1"].values()) == 3  # (the other actions 0)
    assert set(c["g2"].values()) == {0}
    fleet = acts.fleet()
    assert fleet["win_back"] == 2 and fleet["recall"] == 1 and sum(fleet.values()) == 3


def test_answered_questions_lose_their_text() -> None:
    """Three questions: the answered one (row 1) loses its content and asker's name, the
    unanswered and the pending ones (rows 2, 3: ``answered`` false) keep theirs; the seconds
    column goes."""
    ts = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    q = pl.DataFrame(
        {
            "_row": [1, 2, 3],
            "answered": [True, False, False],
            "content": ["a?", "b?", "c?"],
            "member_name": ["A", "B", "C"],
            "ts": [ts, ts, ts],
            "_resp_s": [60.0, None, None],
        }
    )
    light = _answered_light(q)
    assert light["content"].to_list() == [None, "b?", "c?"]
    assert light["member_name"].to_list() == [None, "B", "C"]
    assert light.select("_row", "answered", "ts").equals(q.select("_row", "answered", "ts"))
    assert "_resp_s" not in light.columns  # (the summary reads ``minutes``, not the seconds)
    # the answered question's text is gone from the buffers too, not only masked: 1,000
    # answered questions of 2,000 characters each pickle to ~2 MB, without their text to
    # a few kilobytes
    long = pl.DataFrame({"answered": [True] * 1000, "content": ["x" * 2000] * 1000})
    assert len(pickle.dumps(long["content"])) > 1_000_000
    assert len(pickle.dumps(_answered_light(long)["content"])) < 50_000
    assert _answered_light(q.clear()).height == 0


def test_cli_section_error_in_its_thread_is_the_runs_error(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The section's JSON failing in its thread is not "plan against practice skipped" with
    exit 0: it is made again on the main thread, where its error is the run's (exit 2 and the
    message), as when it was made there only."""
    from sqops.adherence import Adherence
    from sqops.errors import UsageError

    calls: list[int] = []

    def broken(self, *a, **kw):
        calls.append(1)
        raise UsageError("section cannot be made")

    monkeypatch.setattr(Adherence, "to_dict", broken)
    args = ["report", EXAMPLE / "data", "--sop", EXAMPLE / "sop.yaml", "-f", "json"]
    for extra in ([], ["-o", tmp_path / "r.json"]):
        calls.clear()
        out = cli(*args, *extra, "--lang", "en")
        assert out.exit_code == 2
        assert "section cannot be made" in out.stderr
        assert "skipped" not in out.stderr
        assert len(calls) == 2  # (its thread's try, then the main thread's)
    assert not (tmp_path / "r.json").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_section_text_written_ahead_only_for_a_regular_file(tmp_path: Path) -> None:
    """``-o`` naming a pipe or a device is written whole, from the section's dict: its text is
    not made ahead there (it would be made for nothing, then the dict again)."""
    from sqops.cli.commands.report import _section_beside
    from sqops.cli.route import Route
    from sqops.report.jsonstream import Dumped

    class Section:
        def to_dict(self, lang, detail):
            return {"k": [1, 2]}

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for path, ahead in ((tmp_path / "new.json", True), (fifo, False), (Path("/dev/null"), False)):
        then = _section_beside(Route("json", path), "en")
        assert then is not None
        made = then(Section())
        assert isinstance(made, Dumped) is ahead, path
        if not ahead:
            assert made == {"k": [1, 2]}
    assert _section_beside(Route("md", tmp_path / "r.md"), "en") is None
