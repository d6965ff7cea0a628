"""The import's spill path (``memory_limit``): messages written to disk in sorted runs and
merged at the end give the very bytes of the in-memory path — every fixture, overlapping
exports, ``--self-name``, random exports — and leave no temporary file behind."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sqops.errors import SqopsError
from sqops.importers import _base, _spill, import_files, write_tables
from sqops.importers._base import SELF_ID, Context

FIX = Path(__file__).parent / "fixtures"

FIXTURES = [
    ("wechat-msg", ["wechat_msg.csv"], {}),
    ("wechat-chatlog", ["wechat_chatlog.csv"], {}),
    ("wechat-chatlog", ["wechat_chatlog.json"], {}),
    ("wechat-chatlog", ["wechat_chatlog.csv", "wechat_chatlog.csv"], {}),  # overlapping
    ("qq", ["qq.txt"], {}),
    ("qq", ["qq_12h.txt", "qq.txt"], {}),
    ("telegram", ["telegram_chat.json"], {}),
    ("telegram", ["telegram_full.json", "telegram_chat.json"], {}),
    ("whatsapp", ["WhatsApp Chat with Glow Club.txt"], {"self_name": "Mia"}),
    ("whatsapp", ["WhatsApp Chat - Glow Club iOS/_chat.txt"], {"group_id": "glow"}),
    ("whatsapp", ["whatsapp_es.txt", "whatsapp_es.txt"], {"self_name": "Ana"}),
    ("whatsapp", ["whatsapp_de.txt"], {}),
    ("whatsapp", ["whatsapp_zh_hans.txt"], {}),
    ("wecom", ["wecom_messages.jsonl", "wecom_group.json"], {}),
    ("wecom", ["wecom_messages.jsonl", "wecom_messages.jsonl"], {}),
    ("discord", ["discord.json"], {}),
    ("discord", ["discord_general.csv"], {"group_id": "g"}),
    ("shopify", ["shopify_orders.csv"], {}),
]


@pytest.fixture
def tiny_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs of a few rows, in files of two rows, checked at every third message, merged
    three at a time: many runs, merges in two levels and many merge steps even for a small
    fixture."""
    monkeypatch.setattr(_spill, "MIN_FILE_ROWS", 2)
    monkeypatch.setattr(_spill, "FAN_IN", 3)
    monkeypatch.setattr(_base, "_CHECK_ROWS", 3)


def _written(result, out: Path) -> dict[str, bytes]:
    files = write_tables(result, out / "parquet", "parquet")
    files += write_tables(result, out / "csv", "csv")
    return {f"{p.parent.name}/{p.name}": p.read_bytes() for p in files}


@pytest.mark.parametrize(
    ("fmt", "files", "opts"), FIXTURES, ids=[f"{f}:{'+'.join(p)}" for f, p, _ in FIXTURES]
)
def test_spill_path_writes_the_same_bytes(tiny_runs, tmp_path, fmt, files, opts):
    paths = [FIX / f for f in files]
    held = import_files(fmt, paths, **opts)
    spilled = import_files(fmt, paths, memory_limit=1, **opts)
    if "messages" in held.tables:
        assert "messages" in spilled.spilled and "messages" not in spilled.tables
        assert spilled.table("messages").equals(held.tables["messages"])
    assert spilled.counts == held.counts
    assert [(p.text, p.where, p.code) for p in spilled.problems] == [
        (p.text, p.where, p.code) for p in held.problems
    ]
    assert spilled.heights() == {n: df.height for n, df in held.tables.items()}
    assert _written(spilled, tmp_path / "s") == _written(held, tmp_path / "h")
    spilled.close()


# ---------------------------------------------------------------- random exports
_GROUPS = ["g1", "g2", "群"]
_MEMBERS = ["m1", "m2", SELF_ID, "系统"]


def _msg(draw: st.DrawFn) -> dict[str, object]:
    return {
        # few instants, few contents: many ties and many repeats
        "_t": float(draw(st.integers(0, 5)) * 60),
        "group_id": draw(st.sampled_from(_GROUPS)),
        "member_id": draw(st.sampled_from(_MEMBERS)),
        "msg_id": draw(st.sampled_from([None, None, "a", "b", "c"])),
        "member_name": draw(st.sampled_from([None, "Ana", "Mia", "你"])),
        "msg_type": draw(st.sampled_from(["text", "image"])),
        "content": draw(st.sampled_from([None, "ok", "ok", "=1+2", 'say "hi", then\nleave'])),
    }


@st.composite
def _exports(draw: st.DrawFn) -> list[list[tuple[bool, list[dict[str, object]]]]]:
    """Files, each a list of (added one by one?, messages)."""
    n_files = draw(st.integers(1, 3))
    return [
        [
            (draw(st.booleans()), [_msg(draw) for _ in range(draw(st.integers(0, 12)))])
            for _ in range(draw(st.integers(1, 4)))
        ]
        for _ in range(n_files)
    ]


def _run(
    exports,
    *,
    spill_at: int | None,
    self_name: str | None,
    group_id: str | None,
    spill_once: bool = False,
):
    """The messages of ``exports`` imported; ``spill_once``: all spilled at the end."""
    ctx = Context(tz=UTC, self_name=self_name, group_id=group_id, spill_at=spill_at)
    for file_no, parts in enumerate(exports):
        ctx.file_no = file_no
        for one_by_one, msgs in parts:
            if one_by_one:
                for m in msgs:
                    ts = datetime.fromtimestamp(float(m["_t"]), UTC)  # type: ignore[arg-type]
                    ctx.message(**{k: v for k, v in m.items() if k != "_t"}, ts=ts)  # type: ignore[arg-type]
            elif msgs:
                frame = pl.DataFrame(msgs, schema={k: _base.MSG_SCHEMA[k] for k in msgs[0]})
                ts = pl.from_epoch(pl.col("_t"), time_unit="s").dt.replace_time_zone("UTC")
                frame = frame.with_columns(
                    ts=pl.concat_str(ts.dt.strftime("%Y-%m-%dT%H:%M:%S"), pl.lit("Z"))
                )
                ctx.add_messages(frame)
    if spill_once:
        ctx._spill()
    return ctx.finish()


@pytest.mark.fuzz
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    exports=_exports(),
    self_name=st.sampled_from([None, "Mia"]),
    group_id=st.sampled_from([None, "forced"]),
)
def test_spill_path_equals_memory_on_random_exports(exports, self_name, group_id):
    mp = pytest.MonkeyPatch()
    mp.setattr(_spill, "MIN_FILE_ROWS", 2)
    mp.setattr(_spill, "FAN_IN", 2)
    mp.setattr(_base, "_CHECK_ROWS", 2)
    try:
        held = _run(exports, spill_at=None, self_name=self_name, group_id=group_id)
        spilled = _run(exports, spill_at=1, self_name=self_name, group_id=group_id)
    finally:
        mp.undo()
    assert spilled.counts == held.counts
    if "messages" in held.tables:
        assert spilled.table("messages").equals(held.tables["messages"])
        with tempfile.TemporaryDirectory() as d:
            assert _written(spilled, Path(d) / "s") == _written(held, Path(d) / "h")
    else:
        assert not spilled.spilled
    spilled.close()


# ---------------------------------------------------------------- no file left behind
def _import_folders() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("sqops-import-*")}


@pytest.fixture
def own_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own for the runs' folders: another import running on
    the machine at the same time (a second test suite) makes its own in the system's."""
    d = tmp_path / "tmp"
    d.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(d))
    return d


def test_no_temporary_file_after_success_error_and_interrupt(
    tiny_runs, tmp_path, monkeypatch, own_tmp
):
    before = _import_folders()
    chat = FIX / "wechat_chatlog.csv"
    result = import_files("wechat-chatlog", [chat], memory_limit=1)
    assert "messages" in result.spilled and _import_folders() - before  # it spilled
    write_tables(result, tmp_path, "parquet")
    result.close()
    assert _import_folders() == before

    # an error after some messages were spilled (the second file is no chatlog export)
    with pytest.raises(SqopsError):
        import_files("wechat-chatlog", [chat, FIX / "qq.txt"], memory_limit=1)
    assert _import_folders() == before

    # Ctrl-C in the middle of the merge
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(_spill.Runs, "merged", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_files("wechat-chatlog", [chat], memory_limit=1)
    assert _import_folders() == before


def test_cli_memory_limit_removes_its_folder(tiny_runs, tmp_path, cli, own_tmp):
    before = _import_folders()
    held, spilled = tmp_path / "held", tmp_path / "spilled"
    chat = FIX / "wechat_chatlog.csv"
    r1 = cli("import", "wechat-chatlog", chat, "-o", held)
    r2 = cli("import", "wechat-chatlog", chat, "-o", spilled, "--memory-limit", "4")
    assert r1.exit_code == 0 and r2.exit_code == 0, r2.output
    assert r1.output == r2.output.replace(spilled.as_posix(), held.as_posix())
    for name in ("messages.parquet", "members.parquet"):
        assert (held / name).read_bytes() == (spilled / name).read_bytes()
    assert _import_folders() == before
    bad = cli("import", "wechat-chatlog", chat, "-o", held, "--memory-limit", "lots")
    assert bad.exit_code == 2 and "--memory-limit" in bad.output


# ---------------------------------------------------------------- rows already in order
@pytest.mark.fuzz
@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "群", None]),
            st.sampled_from([0.0, 1.5, 60.0, -3.0, None]),
        ),
        max_size=8,
    ),
    shuffle=st.randoms(use_true_random=False),
)
def test_rows_in_order_are_those_the_sort_leaves(rows, shuffle):
    """finish skips the sort by group and time when the rows are in that order already (as
    they are, or by arrival): the order it takes is the sort's."""
    frame = pl.DataFrame(
        {
            "group_id": [g for g, _ in rows],
            "_t": [t for _, t in rows],
            "_s": shuffle.sample(range(100), len(rows)),  # unique, in any order
        },
        schema={"group_id": pl.String, "_t": pl.Float64, "_s": pl.Int64},
    )
    expected = frame.with_row_index("_o").sort("group_id", "_t", "_s")["_o"].to_list()
    got = _base._order(frame)
    assert (list(range(frame.height)) if got is None else got.to_list()) == expected
    by_arrival = frame.sort("_s")
    if by_arrival["group_id"].null_count() + by_arrival["_t"].null_count() == 0:
        in_order = by_arrival.sort("group_id", "_t", "_s").equals(by_arrival)
        assert _base._in_order(by_arrival) == in_order


# ---------------------------------------------------------------- a spill sorted a batch at a time
def test_a_spill_writes_a_run_of_each_batch(monkeypatch):
    """The messages held are spilled a batch (``_BATCH_ROWS``) at a time, each batch its own
    sorted run, not one run of all of them: a run's sort copies it whole (~2.7x its
    estimated size at the peak), which took a 1.21 GB JSON Lines export past
    ``--memory-limit 2G`` (2,409 MB, session 18). The table is the one held in memory."""
    monkeypatch.setattr(_base, "_BATCH_ROWS", 5)
    monkeypatch.setattr(_spill, "MIN_FILE_ROWS", 2)
    sorted_heights: list[int] = []
    real_add = _spill.Runs.add

    def spy(self: _spill.Runs, part: pl.DataFrame, file_rows: int) -> None:
        sorted_heights.append(part.height)
        real_add(self, part, file_rows)

    monkeypatch.setattr(_spill.Runs, "add", spy)
    exports = [
        [
            (False, [_row(k, j) for j in range(4)]),
            (True, [_row(k, 9)]),
            (False, [_row(k, j) for j in range(4, 7)]),
        ]
        for k in range(4)
    ]
    held = _run(exports, spill_at=None, self_name=None, group_id=None)
    spilled = _run(exports, spill_at=10**9, self_name=None, group_id=None, spill_once=True)
    assert "messages" in spilled.spilled and sum(sorted_heights) == 32
    assert max(sorted_heights) <= 5 and len(sorted_heights) >= 32 // 5
    assert spilled.table("messages").equals(held.tables["messages"])
    assert spilled.counts == held.counts
    spilled.close()


def _row(k: int, j: int) -> dict[str, object]:
    return {
        "_t": float((j * 7 + k) % 5 * 60),
        "group_id": ["g1", "群"][(j + k) % 2],
        "member_id": f"m{j % 3}",
        "msg_id": None,
        "member_name": None,
        "msg_type": "text",
        "content": f"消息 {k}-{j}",
    }
