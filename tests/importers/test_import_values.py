"""Hostile values in exports (issue #20 "Importers", #19 "Content"): non-ASCII digits in
time fields, out-of-range offsets and epochs are skipped rows with their location, never a
traceback; an emoji's zero-width joiners survive into the message text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sqops.importers import import_files

FIX = Path(__file__).parent / "fixtures"

#: ¹⁷⁹⁶⁸⁶⁸⁰⁰⁰ (str.isdigit() says yes, float() raises) and fullwidth digits (float() reads them)
SUPERSCRIPT = "¹⁷⁹⁶⁸⁶⁸⁰⁰⁰"
FULLWIDTH = "１７９６８６８０００"
EMOJI = "👩🏻\u200d⚖️ and 👨\u200d👩\u200d👧"


def _telegram(tmp_path: Path, **fields: object) -> Path:
    data = json.loads((FIX / "telegram_chat.json").read_text(encoding="utf-8"))
    data["messages"][1].update(fields)
    p = tmp_path / "result.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


def _messages(result) -> list[dict]:
    return result.tables["messages"].to_dicts()


@pytest.mark.parametrize("stamp", [SUPERSCRIPT, FULLWIDTH, 10**400, "1" * 400, True])
def test_telegram_unreadable_epoch_is_a_skipped_row(tmp_path, stamp):
    p = _telegram(tmp_path, date_unixtime=stamp, date="not a date")
    result = import_files("telegram", [p])
    assert any("messages[1]" in (pr.where.key or "") for pr in result.problems)


@pytest.mark.parametrize("stamp", [SUPERSCRIPT, FULLWIDTH, 10**400])
def test_wecom_unreadable_msgtime_is_a_skipped_row(tmp_path, stamp):
    lines = (FIX / "wecom_messages.jsonl").read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["msgtime"] = stamp
    lines[0] = json.dumps(rec, ensure_ascii=False)
    p = tmp_path / "wecom.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_files("wecom", [p])
    assert result.problems and result.problems[0].where.file == p.as_posix()


@pytest.mark.parametrize("stamp", [SUPERSCRIPT, FULLWIDTH])
def test_wechat_msg_unreadable_createtime_is_a_skipped_row(tmp_path, stamp):
    lines = (FIX / "wechat_msg.csv").read_text(encoding="utf-8-sig").splitlines()
    cells = lines[2].split(",")
    cells[5], cells[8] = stamp, stamp  # CreateTime and StrTime
    lines[2] = ",".join(cells)
    p = tmp_path / "MSG.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = import_files("wechat-msg", [p])
    assert result.problems


@pytest.mark.parametrize(
    "time", ["2026-12-03T19:00:00+99:99", "2026-12-03T19:00:00+14:30", 10**400, "0026-12-03"]
)
def test_wechat_chatlog_bad_times_are_skipped_rows(tmp_path, time):
    data = json.loads((FIX / "wechat_chatlog.json").read_text(encoding="utf-8"))
    data[1]["time"] = time
    p = tmp_path / "chatlog.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = import_files("wechat-chatlog", [p])
    assert result.problems


def test_emoji_zero_width_joiners_survive_an_import(tmp_path):
    """U+200D joins 👩🏻‍⚖️ into one emoji: only the directional marks exporters add go."""
    text = (FIX / "WhatsApp Chat with Glow Club.txt").read_text(encoding="utf-8")
    line = f"12/14/26, 9:06 AM - \u200eAna: \u2067{EMOJI}\u2069 \u200fok\u202c\ufeff\n"
    p = tmp_path / "WhatsApp Chat with Glow Club.txt"
    p.write_text(text + line, encoding="utf-8")
    texts = [m["content"] for m in _messages(import_files("whatsapp", [p]))]
    assert f"{EMOJI} ok" in texts


def test_names_keep_their_normalisation(tmp_path):
    """A name with a zero-width joiner is still the same member as the name without."""
    p = _telegram(tmp_path, **{"from": "A\u200dna", "from_id": None})
    names = {m["member_name"] for m in _messages(import_files("telegram", [p]))}
    assert "Ana" in names and not any("\u200d" in (n or "") for n in names)
