"""docs/import.md: every format is documented, and its examples do what the docs say.
Plus the notice grammars the docs list, one case each."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sqops.importers import FORMATS, import_files
from sqops.importers.wechat import notice_events

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "import.md").read_text(encoding="utf-8")
FIX = Path(__file__).parent / "fixtures"


def test_every_format_has_a_section_with_an_example():
    sections = re.split(r"^### ", DOC, flags=re.M)[1:]
    documented = {s.split("`")[1]: s for s in sections}
    assert set(documented) == set(FORMATS)
    for name, text in documented.items():
        assert "```" in text, f"{name} has no example"


def test_every_option_is_documented(cli):
    res = cli("import", "--help")
    for opt in re.findall(r"--[a-z][a-z-]+", res.stdout):
        if opt != "--help":
            assert f"`{opt}" in DOC or f"{opt}`" in DOC or f", {opt}" in DOC, opt


def test_console_example(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(FIX / "wechat_chatlog.csv", tmp_path / "chat.csv")
    res = cli("import", "wechat-chatlog", "chat.csv", "-o", "data/", "--lang", "en")
    block = DOC.split("$ sqops import wechat-chatlog chat.csv -o data/\n")[1].split(
        "$ sqops report"
    )[0]
    assert res.stdout.splitlines() == block.rstrip("\n").splitlines()


def test_yaml_examples_are_valid_column_maps(tmp_path):
    from sqops.data.columns import read_import_map

    blocks = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)
    assert len(blocks) == 2
    tables = []
    for i, text in enumerate(blocks):
        p = tmp_path / f"map{i}.yaml"
        p.write_text(text, encoding="utf-8")
        tables.append(read_import_map(p).table)
    assert tables == ["orders", "members"]


def test_members_map_example_imports(tmp_path):
    text = re.findall(r"```yaml\n(table: members.*?)```", DOC, flags=re.S)[0]
    (tmp_path / "map.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "members.csv").write_text(
        "入群时间,群ID,成员ID,邀请人ID,昵称\n2026-12-01 09:00,g1,m2,m1,小白\n2026-12-01 10:00,g1,m3,,小黑\n",
        encoding="utf-8",
    )
    r = import_files("generic", [tmp_path / "members.csv"], columns=tmp_path / "map.yaml")
    assert [tuple(x) for x in r.tables["members"].iter_rows()] == [
        ("2026-12-01T09:00:00+08:00", "g1", "m2", "join", "m1", "小白"),
        ("2026-12-01T10:00:00+08:00", "g1", "m3", "join", None, "小黑"),
    ]


@pytest.mark.parametrize(
    ("notice", "expected"),
    [
        ('"A"邀请"B、C"加入了群聊', [("join", "B", "A", "invite"), ("join", "C", "A", "invite")]),
        ("“A”邀请“B”加入了群聊", [("join", "B", "A", "invite")]),
        ('你邀请"B"加入了群聊', [("join", "B", "你", "invite")]),
        ('"A"邀请你加入了群聊', [("join", "你", "A", "invite")]),
        ('"A"邀请你和"B"加入了群聊', [("join", "你", "A", "invite"), ("join", "B", "A", "invite")]),
        ('"B"通过扫描"A"分享的二维码加入群聊', [("join", "B", "A", "qrcode")]),
        ('"B"通过扫描你分享的二维码加入群聊', [("join", "B", "你", "qrcode")]),
        ('"B"通过"A"的邀请二维码加入群聊', [("join", "B", "A", "qrcode")]),
        ('"B"加入了群聊', [("join", "B", None, None)]),
        ('"A"将"B"移出了群聊', [("leave", "B", None, "removed")]),
        ('你将"B"移出了群聊', [("leave", "B", None, "removed")]),
        ('"B"退出了群聊', [("leave", "B", None, "left")]),
        ("你通过扫描二维码加入群聊，群聊参与人还有：A、B", [("join", "你", None, "qrcode")]),
        ('你被"A"移出群聊', [("leave", "你", None, "removed")]),
        ('"A" invited "B" to the group chat.', [("join", "B", "A", "invite")]),
        (
            '"B" joined the group chat via the QR code shared by "A".',
            [("join", "B", "A", "qrcode")],
        ),
        ('"A" removed "B" from the group chat.', [("leave", "B", None, "removed")]),
        ('"小红"修改群名为"抗老精华体验群2"', []),
        ("大家好", []),
    ],
)
def test_wechat_notice_grammar(notice, expected):
    assert notice_events(notice) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("小红(20001)加入本群。", [("20001", "join", None, None)]),
        ("小林(10001)邀请小白(20002)加入了本群", [("20002", "join", "10001", "invite")]),
        (
            "小白(20002)通过扫描小林(10001)分享的二维码加入本群",
            [("20002", "join", "10001", "qrcode")],
        ),
        ("小红(20001)退出了本群", [("20001", "leave", None, "left")]),
        ("小红(20001)被管理员移出本群", [("20001", "leave", None, "removed")]),
        ("小林(10001)将小红(20001)移出了本群", [("20001", "leave", None, "removed")]),
        ("群主修改了群名称", []),
    ],
)
def test_qq_system_grammar(tmp_path, body, expected):
    p = tmp_path / "qq.txt"
    p.write_text(
        "消息对象:测试群\n\n2026-12-01 09:00:00 小林(10001)\n你好\n\n"
        f"2026-12-01 10:00:00 系统消息(10000)\n{body}\n",
        encoding="utf-8",
    )
    r = import_files("qq", [p])
    df = r.tables.get("members")
    rows = [] if df is None else df.iter_rows(named=True)
    got = [(x["member_id"], x["event"], x.get("inviter_id"), x.get("channel")) for x in rows]
    assert got == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[图片]", "image"),
        ("![图片](http://127.0.0.1:5030/image/abc,def)", "image"),
        ("![视频](http://127.0.0.1:5030/video/abc)", "video"),
        ("[语音](http://127.0.0.1:5030/voice/abc)", "voice"),
        ("![动画表情](https://example.com/e.gif)", "sticker"),
        ("[GIF表情]", "sticker"),
        ("[链接|成分表](https://example.com/a)", "link"),
        ("[文件|价目表.pdf](http://127.0.0.1:5030/file/abc)", "file"),
        ("[小程序|会员商城](https://example.com)", "miniprogram"),
        ("[位置|上海市|31.2|121.4]", "other"),
        ("[红包]", "other"),
        ("[语音通话]", "other"),
        ("[图片] 好看吗", None),
        ("[捂脸]", None),
        ("大家好", None),
    ],
)
def test_placeholders(content, expected):
    from sqops.importers.wechat import placeholder_type

    assert placeholder_type(content) == expected


def test_every_order_status_mapping_is_documented():
    from sqops.importers import shopify, youzan

    for table in (youzan.STATUS, shopify.STATUS):
        missing = [s for s in table if s not in DOC]
        assert missing == []


def _whatsapp_wording_table() -> list[tuple[str, str, str]]:
    """(row label, language, example) for every example of the WhatsApp wording tables (fr/ru/zh,
    then pt-BR/pt-PT/de/id), each table's languages read from its header row."""
    section = DOC.split("### `whatsapp`")[1].split("\n### ")[0]
    out = []
    langs: list[str] = []
    for line in section.splitlines():
        if not line.startswith("| "):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if "`" not in line:
            if cells[0] == "" and cells[1:] and all(cells[1:]):
                langs = cells[1:]  # a header row: "| | fr | ru | …"
            continue
        for lang, cell in zip(langs, cells[1:], strict=True):
            out += [(cells[0], lang, ex) for ex in re.findall(r"`([^`]+)`", cell)]
    return out


def test_whatsapp_wording_table_is_read_as_documented(tmp_path):
    # every example of the table, with A-D as Ana, Bea, Carla, Dani: the rows about the
    # exporter ("you …") make the exporter the member or the inviter; the others name the
    # members (and a join's inviter) the example names; "left"/"removed" rows are leaves,
    # the rest joins
    table = _whatsapp_wording_table()
    # fr/ru/zh: 9 rows x 4 languages, 8 cells with two examples = 44; pt-BR/pt-PT/de/id: 14
    # rows, 72 examples (counted in docs/import.md, row by row: 5, 4, 5, 4, 4, 4, 1, 1, 4, 8,
    # 4, 8, 8, 12)
    assert [lang for _, lang, _ in table].count("fr") == 11
    assert len(table) == 44 + 72
    names = {"A": "Ana", "B": "Bea", "C": "Carla", "D": "Dani"}
    for label, lang, example in table:
        line = re.sub(r"\b[A-D]\b", lambda m: names[m.group()], example).replace("…", "Club")
        p = tmp_path / "chat.txt"
        p.write_text(f"14/12/2026, 10:00 - {line}\n", encoding="utf-8")
        df = import_files("whatsapp", [p]).tables.get("members")
        got = [] if df is None else list(df.iter_rows(named=True))
        assert got, (lang, example)
        leave = "left" in label or "removed" in label
        assert {x["event"] for x in got} == {"leave" if leave else "join"}, (lang, example)
        ids = {x["member_id"] for x in got} | {x.get("inviter_id") for x in got}
        if label.startswith("you"):
            assert "self" in ids, (lang, example)
        else:
            named = {k for k in names if re.search(rf"\b{k}\b", example)}
            if leave:  # a leave records who left, not who removed them
                named.discard("A")
            want = {f"name:{names[k]}" for k in named}
            assert ids - {None} == want, (lang, example)
