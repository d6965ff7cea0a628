"""``--help`` in Chinese and English: every command's and option's help exists in both, and
the help shows Chinese with ``--lang zh`` or a Chinese locale, English otherwise."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
import typer

from sqops.cli import app, command_names, common
from sqops.cli.helptext import (
    END,
    SEP,
    START,
    doc_help,
    localize,
    pairs,
    pick,
    short_help,
    width,
    wrap,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
#: an English help text that is code or a list of values, the same in both languages
CODE = re.compile(r"[a-z0-9_.\-| ]+")


def _commands() -> list[tuple[str, Any]]:
    """(name, click command) for the root and every command, built as `sqops` builds them."""
    root = typer.main.get_command(app)
    ctx = root.context_class(root, info_name="sqops")
    return [("", root), *((n, root.get_command(ctx, n)) for n in command_names())]


def _texts() -> list[tuple[str, str, str]]:
    """(where, zh, en) of every command's help and every option's and argument's help."""
    out = []
    for name, cmd in _commands():
        found = pairs(cmd.help or "")
        assert len(found) == 1, f"{name or 'sqops'}: the help is not written in both languages"
        out.append((name or "sqops", *found[0]))
        for p in cmd.params:
            where = f"{name or 'sqops'} {p.opts[0]}"
            found = pairs(p.help or "")
            assert len(found) == 1, f"{where}: the help is not H('中文', 'English')"
            out.append((where, *found[0]))
    return out


def test_every_command_and_option_has_its_help_in_both_languages() -> None:
    texts = _texts()
    # 8 commands + the root, and every one of their options (the root: --version, --lang)
    assert len([t for t in texts if " " not in t[0]]) == len(command_names()) + 1
    assert len(texts) > 70
    for where, zh, en in texts:
        assert zh.strip() and en.strip(), where
        if CODE.fullmatch(en):  # e.g. "text | json | github | sarif": the same in Chinese
            assert zh == en, where
            continue
        assert CJK.search(zh), f"{where}: no Chinese in {zh!r}"
        assert zh != en, where
        assert not CJK.search(re.sub(r"“[^”]*”|'[^']*'|\([^)]*\)", "", en)) or where in (
            "init --type",  # the community types' Chinese names, e.g. 群发推广型, are their names
        ), f"{where}: Chinese words in the English help {en!r}"


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


ZH_ENV = {"LANG": "zh_CN.UTF-8"}


@pytest.mark.parametrize("name", ["", *command_names()])
def test_help_is_chinese_with_a_chinese_locale_and_english_with_lang_en(name: str, cli) -> None:
    args = [name] if name else []
    texts = [t for t in _texts() if t[0].split(" ")[0] == (name or "sqops")]
    from typer.testing import CliRunner

    zh = CliRunner().invoke(app, [*args, "--help"], env=ZH_ENV)
    en = CliRunner().invoke(app, [*args, "--help", "--lang", "en"], env=ZH_ENV)
    assert zh.exit_code == 0 and en.exit_code == 0, zh.output + en.output
    for out in (zh.output, en.output):
        assert not set(out) & {START, SEP, END}
    assert (
        zh.output.startswith("用法：")
        and "选项：" in zh.output
        and "显示此帮助并退出。" in zh.output
    )
    assert en.output.startswith("Usage:") and "Options:" in en.output
    assert "Show this message and exit." in en.output
    for where, z, e in texts:
        first = short_help(z, 200, "zh") if " " not in where else z
        assert _flat(first) in _flat(zh.output), where
        if z != e:
            assert _flat(e) not in _flat(zh.output), where
            assert _flat(e.split("\n\n")[0]) in _flat(en.output), where
            assert not CJK.search(en.output.replace("调休", "")) or name in ("init", "import")
    # Chinese lines fit the help's width (click's test runner: 80 columns)
    assert max(width(line) for line in zh.output.splitlines() if CJK.search(line)) <= 80


def test_root_help_lists_each_command_by_its_first_sentence_in_the_language(cli) -> None:
    from typer.testing import CliRunner

    zh = CliRunner().invoke(app, ["--help", "--lang", "zh"])  # (no locale: the fixture)
    en = CliRunner().invoke(app, ["--help"])
    assert "  report     健康报告：各阶段指标对照目标、建议、待跟进名单、数据质量。\n" in zh.output
    line = next(ln for ln in en.output.splitlines() if ln.startswith("  report "))
    assert line.startswith("  report     Health report: each stage's KPIs against target")
    assert line.endswith("...") and len(line) <= 80
    assert "命令：" in zh.output and "Commands:" in en.output


def test_lang_before_the_command_is_the_commands_lang(cli) -> None:
    # `sqops --lang zh CMD` = `sqops CMD --lang zh`; the command's own --lang wins
    r = cli("--lang", "zh", "lint", "missing.yaml")
    assert r.exit_code == 2 and "文件或目录不存在" in r.output
    r = cli("--lang", "zh", "lint", "missing.yaml", "--lang", "en")
    assert r.exit_code == 2 and "no such file or folder" in r.output
    r = cli("--lang", "zh", "report", "--help", "--lang", "en")
    assert r.output.startswith("Usage:")


def test_localize_translates_clicks_words_only_in_chinese() -> None:
    text = "\x02天数。\x03Days.\x04  [default: 30; required]"
    assert localize(text, "zh") == "天数。  [默认：30；必填]"
    assert localize(text, "en") == "Days.  [default: 30; required]"
    assert localize("Show this message and exit.", "zh") == "显示此帮助并退出。"
    assert pick("a \x02甲\x03A\x04 b \x02乙\x03B\x04", "zh") == "a 甲 b 乙"


def test_docstring_help_splits_at_the_zh_line() -> None:
    doc = """Do it.

    More.

    [zh]
    做。

    更多。
    """
    assert pairs(doc_help(doc) or "") == [("做。\n\n更多。", "Do it.\n\nMore.")]
    assert doc_help("Only English.") == "Only English."  # (the first test refuses it)


def test_wrap_breaks_chinese_by_display_width_and_keeps_words_and_brackets() -> None:
    # 10 columns: 5 Chinese characters a line; an English word stays whole; no line starts
    # with "，" and none ends with "[" or "（"
    assert wrap("一二三四五六七八九十", 10) == ["一二三四五", "六七八九十"]
    assert wrap("一二三四，五六", 8) == ["一二三", "四，五六"]  # "，" takes "四" along
    assert wrap("天数天数天 [默认：30]", 12) == ["天数天数天", "[默认：30]"]
    assert wrap("用 parquet 格式", 8) == ["用", "parquet", "格式"]
    assert wrap("一二三（四五）", 8) == ["一二三", "（四五）"]


def test_short_help_takes_the_first_sentence() -> None:
    text = "\x02第一句。第二句。\x03First one. Second one.\x04"
    assert short_help(text, 40, "zh") == "第一句。"
    assert short_help(text, 40, "en") == "First one."
    assert short_help("\x02一二三四五六七八九十。\x03x\x04", 10, "zh") == "一二三..."


def test_windows_display_language_stands_for_an_unset_locale(monkeypatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(common, "windows_ui_language", lambda: "zh_CN")
    assert common.pick_lang(None) == "zh"
    assert common.pick_lang("en") == "en"
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # a variable that is set wins
    assert common.pick_lang(None) == "en"
    monkeypatch.delenv("LANG")
    monkeypatch.setattr(common, "windows_ui_language", lambda: None)
    assert common.pick_lang(None) == "en"
