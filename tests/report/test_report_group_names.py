"""Group names the exports give (WeChat chatlog's ``TalkerName``, a Telegram chat's name) are
shown when the SOP does not name the group (#19: reports said ``98765@chatroom``)."""

from __future__ import annotations

from pathlib import Path

from sqops.importers import import_files
from sqops.report import Settings, build_report

FIX = Path(__file__).resolve().parents[1] / "importers" / "fixtures"


def test_wechat_chatlog_talker_name_names_the_group():
    result = import_files("wechat-chatlog", [FIX / "wechat_chatlog.csv"])
    assert result.tables["messages"]["group_name"].unique().to_list() == ["护肤交流群"]
    rep = build_report(result.tables)
    (g,) = rep.groups
    assert (g.group_id, g.name) == ("98765@chatroom", "护肤交流群")
    assert rep.triage[0].group_name == "护肤交流群"


def test_the_sops_name_wins():
    result = import_files("wechat-chatlog", [FIX / "wechat_chatlog.csv"])
    settings = Settings(group_names={"98765@chatroom": "上海一群"})
    rep = build_report(result.tables, settings=settings)
    assert rep.groups[0].name == "上海一群"
    assert settings.group_names == {"98765@chatroom": "上海一群"}  # (not changed)


def test_telegram_chat_name():
    result = import_files("telegram", [FIX / "telegram_chat.json"])
    names = set(result.tables["messages"]["group_name"].drop_nulls().to_list())
    rep = build_report(result.tables)
    assert {g.name for g in rep.groups} == names and None not in names


def test_no_name_column_no_name():
    result = import_files("qq", [FIX / "qq.txt"])  # (QQ's group id is its name already)
    assert "group_name" not in result.tables["messages"].columns
    assert build_report(result.tables).groups[0].name is None
