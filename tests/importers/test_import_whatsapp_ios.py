"""WhatsApp for iOS in es, pt-BR, fr, id, zh-Hans and zh-Hant (issue #19 item 1): the
fixtures are hand-written in the shapes readers of real iOS exports show (see
fixtures/README.md and the sources named in sqops.importers.whatsapp); every expected number
below was counted by hand from the fixture."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqops.importers import detect_format, import_files

FIX = Path(__file__).parent / "fixtures"
LRM = "\u200e"


def rows(result, table: str, *cols: str) -> list[tuple]:
    df = result.tables[table]
    return [tuple(r.get(c) for c in cols) for r in df.iter_rows(named=True)]


def members(result) -> list[tuple]:
    return rows(result, "members", "member_id", "event", "inviter_id", "channel")


def said(result) -> list[tuple]:
    """(member_id, msg_type) of every message that is not a system line."""
    return [(m, t) for m, t in rows(result, "messages", "member_id", "msg_type") if t != "system"]


def system_lines(result) -> int:
    return sum(1 for _, t in rows(result, "messages", "member_id", "msg_type") if t == "system")


def test_spanish_ios_you_were_added_with_a_final_period_and_localised_attachments():
    r = import_files("whatsapp", [FIX / "whatsapp_es_ios.txt"], group_id="g")
    # hand-counted: joins Ana ("creó este grupo"), the exporter ("Ana te añadió." with its
    # final period), Bea and Carla (by Ana, " y "), Dani (link) = 5; leaves Carla = 1;
    # inviter Ana x3
    assert members(r) == [
        ("name:Ana", "join", None, "create"),
        ("self", "join", "name:Ana", "invite"),
        ("name:Bea", "join", "name:Ana", "invite"),
        ("name:Carla", "join", "name:Ana", "invite"),
        ("name:Dani", "join", None, "link"),
        ("name:Carla", "leave", None, "left"),
    ]
    # speakers Ana (text), Bea (image, a two-line text), Carla ("<adjunto: …AUDIO…>" is her
    # voice message, not a system line), Dani ("<adjunto: …PHOTO…>") = 4 speakers, 5
    # messages; system lines: the notice, creó, te añadió., añadió a, se unió, salió = 6
    assert said(r) == [
        ("name:Ana", "text"),
        ("name:Bea", "image"),
        ("name:Carla", "voice"),
        ("name:Bea", "text"),
        ("name:Dani", "image"),
    ]
    assert system_lines(r) == 6
    assert rows(r, "messages", "ts", "content")[7] == (
        "2026-12-01T09:08:00+08:00",
        "Gracias, ya probé el sérum\nme encantó",
    )
    assert r.problems == []


def test_brazilian_ios_omitted_media_this_group_created_and_your_invite_link():
    r = import_files("whatsapp", [FIX / "whatsapp_pt_ios.txt"], group_id="g")
    # hand-counted: joins Ana ("criou este grupo"), the exporter ("Ana adicionou você"), Bia
    # and Carla (by Ana, " e "), Duda ("entrou usando seu link de convite": the exporter's
    # link) = 5; leaves Carla = 1; inviters Ana x3, the exporter x1
    assert members(r) == [
        ("name:Ana", "join", None, "create"),
        ("self", "join", "name:Ana", "invite"),
        ("name:Bia", "join", "name:Ana", "invite"),
        ("name:Carla", "join", "name:Ana", "invite"),
        ("name:Duda", "join", "self", "link"),
        ("name:Carla", "leave", None, "left"),
    ]
    # 4 speakers, 7 messages: Bia (text, "imagem ocultada"), Carla ("áudio ocultado",
    # "figurinha omitida"), Ana ("vídeo omitido", "<anexado: …PHOTO…>"), Duda (text); system
    # lines = 6: the notice written as "Clube Brilho: As mensagens e ligações…" without
    # U+200E (so the chat's name is no speaker), criou, adicionou você, adicionou Bia e
    # Carla, entrou usando seu link, saiu
    assert said(r) == [
        ("name:Bia", "text"),
        ("name:Bia", "image"),
        ("name:Carla", "voice"),
        ("name:Carla", "sticker"),
        ("name:Ana", "video"),
        ("name:Ana", "image"),
        ("name:Duda", "text"),
    ]
    assert system_lines(r) == 6
    assert r.problems == []


def test_french_ios_omitted_media_and_piece_jointe():
    r = import_files("whatsapp", [FIX / "whatsapp_fr_ios.txt"], group_id="g")
    # hand-counted: 3 speakers, 7 messages (Ana: text, "document omis", "<pièce jointe :
    # …PHOTO…>"; Bea: "image omise", "vidéo omise"; Carla: "audio omis", "sticker omis");
    # 1 system line (the notice as a message of "Club Éclat"); no member event
    assert said(r) == [
        ("name:Ana", "text"),
        ("name:Bea", "image"),
        ("name:Bea", "video"),
        ("name:Carla", "voice"),
        ("name:Carla", "sticker"),
        ("name:Ana", "file"),
        ("name:Ana", "image"),
    ]
    assert system_lines(r) == 1
    assert "members" not in r.tables or r.tables["members"].is_empty()
    assert r.problems == []


def test_indonesian_ios_dotted_times_and_omitted_media():
    r = import_files("whatsapp", [FIX / "whatsapp_id_ios.txt"], group_id="g")
    # hand-counted: joins Ani (created, curly quotes), the exporter ("Ani menambahkan
    # Anda"), Budi and Citra (by Ani, " dan ") = 4; leaves Citra = 1; inviter Ani x3
    assert members(r) == [
        ("name:Ani", "join", None, "create"),
        ("self", "join", "name:Ani", "invite"),
        ("name:Budi", "join", "name:Ani", "invite"),
        ("name:Citra", "join", "name:Ani", "invite"),
        ("name:Citra", "leave", None, "left"),
    ]
    # 2 speakers, 3 messages (Budi: text, "gambar tidak disertakan"; Citra: "stiker tidak
    # disertakan"); 5 system lines (notice, created, added you, added, left)
    assert said(r) == [("name:Budi", "text"), ("name:Budi", "image"), ("name:Citra", "sticker")]
    assert system_lines(r) == 5
    # "[13/03/26 21.30.00]": a dot in the time, no comma after the date
    assert rows(r, "members", "ts")[-1] == ("2026-03-13T21:30:00+08:00",)
    assert r.problems == []


def test_simplified_chinese_ios_am_pm_before_the_time_and_this_group():
    r = import_files("whatsapp", [FIX / "whatsapp_zh_hans_ios.txt"], group_id="g")
    # hand-counted: joins 小林 ("创建了此群组"), the exporter ("添加了您"), 小红 and 小白 (by
    # 小林, "、") = 4; leaves 小白 ("退出了群组") = 1; inviter 小林 x3
    assert members(r) == [
        ("name:小林", "join", None, "create"),
        ("self", "join", "name:小林", "invite"),
        ("name:小红", "join", "name:小林", "invite"),
        ("name:小白", "join", "name:小林", "invite"),
        ("name:小白", "leave", None, "left"),
    ]
    # 2 speakers, 2 messages: 小白 at 下午12:30 (half past noon), 小红's "<附件: …PHOTO…>"
    # at 下午2:05; 小白 leaves at 上午12:10 (ten past midnight); 5 system lines (the notice
    # without U+200E, created, added you, added, left)
    speak = [
        (ts, m, t)
        for ts, m, t in rows(r, "messages", "ts", "member_id", "msg_type")
        if t != "system"
    ]
    assert speak == [
        ("2026-03-12T12:30:00+08:00", "name:小白", "text"),
        ("2026-03-12T14:05:00+08:00", "name:小红", "image"),
    ]
    assert rows(r, "members", "ts")[-1] == ("2026-03-13T00:10:00+08:00",)
    assert system_lines(r) == 5
    assert r.problems == []


def test_traditional_chinese_ios_omitted_media_and_left_the_group():
    r = import_files("whatsapp", [FIX / "whatsapp_zh_hant_ios.txt"], group_id="g")
    # hand-counted: joins 小林 ("建立了此群組"), the exporter ("新增了您"), 小紅 (by 小林) = 3;
    # leaves 小紅 ("已離開群組") = 1
    assert members(r) == [
        ("name:小林", "join", None, "create"),
        ("self", "join", "name:小林", "invite"),
        ("name:小紅", "join", "name:小林", "invite"),
        ("name:小紅", "leave", None, "left"),
    ]
    # 2 speakers, 4 messages (小紅: 圖片已略去, 貼圖已略去; 小林: 影片已略去, 音訊已略去), each
    # marked with U+200E like a system line but read as the speaker's media; 5 system lines
    assert said(r) == [
        ("name:小紅", "image"),
        ("name:小紅", "sticker"),
        ("name:小林", "video"),
        ("name:小林", "voice"),
    ]
    assert system_lines(r) == 5
    assert r.problems == []


@pytest.mark.parametrize(
    "name",
    [
        "whatsapp_es_ios.txt",
        "whatsapp_pt_ios.txt",
        "whatsapp_fr_ios.txt",
        "whatsapp_id_ios.txt",
        "whatsapp_zh_hans_ios.txt",
        "whatsapp_zh_hant_ios.txt",
        "whatsapp_de_ios_media.txt",
    ],
)
def test_ios_fixtures_are_detected_as_whatsapp(name):
    assert detect_format(FIX / name) == "whatsapp"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # iOS "<attached: …>" in the phone's language, with U+200E as iOS writes it
        ("<adjunto: 00000004-AUDIO-2026-12-14-10-00-02.opus>", "voice"),
        ("<anexado: 00000019-PHOTO-2026-12-14-10-00-04.jpg>", "image"),
        ("<anexado: Orçamento.pdf>", "file"),
        ("<pièce jointe : 00000003-VIDEO-2026-12-14-10-00-04.mp4>", "video"),
        ("<прикреплено: 00000007-PHOTO-2026-12-14-10-00-04.jpg>", "image"),
        ("<附件: 00000008-STICKER-2026-12-14-10-00-04.webp>", "sticker"),
        ("<已附加：00000009-AUDIO-2026-12-14-10-00-04.opus>", "voice"),
        # omitted media
        ("Cartão do contato omitido", "other"),
        ("GIF omis", "video"),
        ("<省略影音内容>", "other"),
        ("<已省略多媒體檔案>", "other"),
        ("貼圖已忽略", "sticker"),
        # fr: the other wording seen (app versions differ)
        ("image absente", "image"),
        ("vidéo absente", "video"),
        ("audio absent", "voice"),
        ("autocollant omis", "sticker"),
        ("GIF retiré", "video"),
        ("document absent", "file"),
        ("carte de contact omise", "other"),
        # Android's "<Media omitted>" in fr, ru, zh, es (the current and an older wording)
        ("<Médias omis>", "other"),
        ("<Fichier omis>", "other"),
        ("<Без медиафайлов>", "other"),
        ("<Файл пропущен>", "other"),
        ("<忽略多媒體檔>", "other"),
        ("<省略多媒体文件>", "other"),
        ("<Archivo omitido>", "other"),
    ],
)
def test_ios_localised_media_lines(tmp_path, body, kind):
    p = tmp_path / "_chat.txt"
    p.write_text(f"[14/12/2026, 10:00:00] Ana: {LRM}{body}\n", encoding="utf-8")
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "member_id", "msg_type") == [("name:Ana", kind)]


def test_ios_localised_media_read_in_bulk_as_line_by_line(tmp_path):
    # the same media lines without U+200E go through the vectorised reader (_kinds): the
    # kinds must be those the per-line reader gives (the tests above, whose lines are
    # marked); a text that only mentions an attachment stays a text
    bodies = [
        "<adjunto: 1-AUDIO-x.opus>",
        "imagem ocultada",
        "vidéo omise",
        "貼圖已略去",
        "<anexado",
    ]
    p = tmp_path / "_chat.txt"
    p.write_text(
        "".join(f"[14/12/2026, 10:0{i}:00] Ana: {b}\n" for i, b in enumerate(bodies)),
        encoding="utf-8",
    )
    r = import_files("whatsapp", [p], group_id="g")
    assert [t for _, t in said(r)] == ["voice", "image", "video", "sticker", "text"]


@pytest.mark.parametrize(
    ("line", "ts"),
    [
        # iOS 12-hour clocks: "p. m." / "a. m." with U+202F and U+00A0, midnight as 12 or 0
        ("[14/12/26, 9:05:12\u202fp.\u00a0m.] Ana: hola", "2026-12-14T21:05:12+08:00"),
        ("[14/12/26, 12:05:12\u202fa.\u00a0m.] Ana: hola", "2026-12-14T00:05:12+08:00"),
        ("[14/12/26, 0:05:12 a. m.] Ana: hola", "2026-12-14T00:05:12+08:00"),
        ("[12/14/26, 9:05:12\u202fPM] Ana: hi", "2026-12-14T21:05:12+08:00"),
        # the mark before the time: 下午12:05 is five past noon; 午前/午後 read as 上午/下午
        ("[2026/12/14 下午12:05:12] 小林: 你好", "2026-12-14T12:05:12+08:00"),
        ("[2026/12/14 午後9:05:12] 田中: こんにちは", "2026-12-14T21:05:12+08:00"),
        ("2026/12/14 午前0:05 - 田中: こんにちは", "2026-12-14T00:05:00+08:00"),
        # a thin space (U+2009) between the date and the time (ChatLab/ChatLab pull #131)
        ("[2026/12/14\u200910:00:05] 小林: 你好", "2026-12-14T10:00:05+08:00"),
        # dots in the time, no comma
        ("[14/12/26 21.05.12] Ani: halo", "2026-12-14T21:05:12+08:00"),
    ],
)
def test_ios_clocks(tmp_path, line, ts):
    p = tmp_path / "_chat.txt"
    p.write_text(line + "\n", encoding="utf-8")
    r = import_files("whatsapp", [p], group_id="g")
    assert rows(r, "messages", "ts", "msg_type") == [(ts, "text")]
    assert r.problems == []


def test_german_ios_omitted_media_are_the_speakers():
    r = import_files("whatsapp", [FIX / "whatsapp_de_ios_media.txt"], group_id="g")
    # hand-counted: 3 speakers, 8 messages (Anna: text, "Bild weggelassen", "Dokument
    # weggelassen"; Ben: "Audio …", "Video …", "Kontaktkarte weggelassen"; Clara: "GIF …",
    # "Sticker weggelassen"), each marked with U+200E; 1 system line (the notice)
    assert said(r) == [
        ("name:Anna", "text"),
        ("name:Anna", "image"),
        ("name:Ben", "voice"),
        ("name:Ben", "video"),
        ("name:Clara", "video"),
        ("name:Clara", "sticker"),
        ("name:Anna", "file"),
        ("name:Ben", "other"),
    ]
    assert system_lines(r) == 1
    assert r.problems == []


@pytest.mark.parametrize(
    ("file_name", "group"),
    [
        ("WhatsApp Chat mit Club Glanz.txt", "Club Glanz"),
        ("Чат WhatsApp с Клуб Блеск.txt", "Клуб Блеск"),
        ("Chat WhatsApp con Club Brillo.txt", "Club Brillo"),
        ("Conversa do WhatsApp com Clube Brilho.txt", "Clube Brilho"),
        ("Conversa no WhatsApp com Clube Brilho.txt", "Clube Brilho"),
    ],
)
def test_chat_name_from_localised_file_names(tmp_path, file_name, group):
    # how Android names the export in de, ru, it and pt (github.com/mlomb/chat-analytics)
    p = tmp_path / file_name
    p.write_text("14/12/2026, 10:00 - Ana: hi\n", encoding="utf-8")
    r = import_files("whatsapp", [p])
    assert set(r.tables["messages"]["group_id"]) == {group}


def _chat(tmp_path: Path, lines: list[str], name: str = "_chat.txt") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_ios_deleted_message_placeholders_are_the_speakers_as_on_android(tmp_path):
    # iOS marks "This message was deleted." with U+200E as it marks system lines; the line is
    # still the speaker's message, the same as Android's unmarked one
    ios = _chat(
        tmp_path,
        [
            f"[06/12/2026, 10:00:00] Glow Club: {LRM}Messages and calls are end-to-end encrypted.",
            "[06/12/2026, 10:01:00] Ana: Hola",
            f"[06/12/2026, 10:02:00] Ana: {LRM}This message was deleted.",
            f"[06/12/2026, 10:03:00] Bea: {LRM}You deleted this message.",
            f"[06/12/2026, 10:04:00] Bea: {LRM}Se eliminó este mensaje.",
            f"[06/12/2026, 10:05:00] Glow Club: {LRM}Ana added Cai",
        ],
    )
    r = import_files("whatsapp", [ios], group_id="g")
    # hand-counted: 4 messages of 2 speakers (Ana's "Hola" and her deleted one, Bea's two);
    # system lines: the notice and "Ana added Cai" = 2
    assert said(r) == [
        ("name:Ana", "text"),
        ("name:Ana", "text"),
        ("name:Bea", "text"),
        ("name:Bea", "text"),
    ]
    assert system_lines(r) == 2
    texts = [c for c, t in rows(r, "messages", "content", "msg_type") if t != "system"]
    assert texts == [
        "Hola",
        "This message was deleted.",
        "You deleted this message.",
        "Se eliminó este mensaje.",
    ]
    android = _chat(
        tmp_path,
        ["06/12/2026, 10:02 - Ana: This message was deleted"],
        "WhatsApp Chat with Glow Club.txt",
    )
    a = import_files("whatsapp", [android], group_id="g")
    assert said(a) == [("name:Ana", "text")]


def test_spanish_you_added_with_a_final_period_is_not_part_of_the_name(tmp_path):
    chat = _chat(
        tmp_path,
        [
            f"[6/12/26, 10:00:00] Club: {LRM}Añadiste a Bea.",
            f"[6/12/26, 10:01:00] Club: {LRM}Ana añadió a Carla.",
            f"[6/12/26, 10:02:00] Club: {LRM}Ana eliminó a Carla.",
            "[6/12/26, 10:03:00] Bea: hola",
        ],
    )
    r = import_files("whatsapp", [chat], group_id="g")
    # hand-counted: Bea joins (added by the exporter), Carla joins and is removed by Ana;
    # Bea's join and her message share one id
    assert members(r) == [
        ("name:Bea", "join", "self", "invite"),
        ("name:Carla", "join", "name:Ana", "invite"),
        ("name:Carla", "leave", None, "removed"),
    ]
    assert said(r) == [("name:Bea", "text")]


def test_ios_phone_numbers_with_non_breaking_hyphens_are_the_same_number(tmp_path):
    # iOS writes an unsaved contact's hyphens as U+2011; Android as "-": one member either way
    ios = _chat(tmp_path, ["[06/12/2026, 10:00:00] +1 (777) 777\u20117777: hi"])
    android = _chat(
        tmp_path,
        ["06/12/2026, 10:00 - +1 (777) 777-7777: hi"],
        "WhatsApp Chat with Glow Club.txt",
    )
    for path in (ios, android):
        r = import_files("whatsapp", [path], group_id="g")
        assert said(r) == [("tel:+17777777777", "text")]


def test_spanish_someone_was_added_names_no_inviter(tmp_path):
    # "Se añadió a Bea" (Bea was added, no actor named) is not an actor called "Se"
    chat = _chat(tmp_path, [f"[6/12/26, 10:00:00] Club: {LRM}Se añadió a Bea"])
    r = import_files("whatsapp", [chat], group_id="g")
    assert members(r) == [("name:Bea", "join", None, "invite")]


def test_a_name_ending_in_a_period_keeps_it_on_android_and_in_ios_lines(tmp_path):
    # Android writes no closing period ("Juan añadió a Ana M."): the period is the name's;
    # iOS closes the line with one ("Juan añadió a Ana M.."): one period is dropped
    android = _chat(
        tmp_path,
        ["6/12/26, 10:00 - Juan añadió a Ana M.", "6/12/26, 10:01 - Ana M.: hola"],
        "WhatsApp Chat with Club.txt",
    )
    ios = _chat(
        tmp_path,
        [
            f"[6/12/26, 10:00:00] Club: {LRM}Juan añadió a Ana M..",
            "[6/12/26, 10:01:00] Ana M.: hola",
        ],
    )
    for path in (android, ios):
        r = import_files("whatsapp", [path], group_id="g")
        assert members(r) == [("name:Ana M.", "join", "name:Juan", "invite")]
        assert said(r) == [("name:Ana M.", "text")]
