"""A CSV export whose last record opens a quote that is never closed (a file cut short):
Python's csv module reads the rest of the file into that one cell, so the rows after it would
vanish without a word. Every CSV format says where, and exits 2; a quote that is closed, even
over several lines at the end of the file, is read as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from sqops.errors import SqopsError
from sqops.importers import _base, import_files

FIX = Path(__file__).parent / "fixtures"

# (format, header line, a good row, a row whose last cell opens a quote, options); the open
# quote is always on line 3 and two more lines follow it (3 lines from there to the end; the
# good rows have no quote, or the next quote would close it: DiscordChatExporter quotes every
# cell, so a cut there shows only at the file's end)
CASES = [
    ("wechat-chatlog", "time,talker,sender,content", "2026-12-03 19:00:00,1@chatroom,a,hi",
     '2026-12-03 19:01:00,1@chatroom,b,"cut', {}),
    ("wechat-msg", "localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,"
     "Remark,NickName,Sender", "1,1@chatroom,1,0,0,1796086800,2,hi,2026-12-01 09:00:00,,,a",
     '2,1@chatroom,1,0,0,1796086860,2,"cut', {}),
    ("discord", "AuthorID,Author,Date,Content,Attachments,Reactions",
     "1,ana,12/20/2026 10:00 AM,hi,,", '"2","bo","12/20/2026 10:01 AM","cut',
     {"group_id": "g"}),
    ("youzan", "订单号,订单状态,订单创建时间,买家付款时间,商品名称,订单实付金额,买家ID",
     "E1,交易成功,2026-12-20 10:00:00,2026-12-20 10:01:05,精华,12.00,yz_a",
     'E2,交易成功,2026-12-20 11:00:00,2026-12-20 11:01:05,"cut', {}),
    ("shopify", "Name,Email,Financial Status,Paid at,Total,Created at",
     "#1,a@x.com,paid,2026-12-20 10:15:03 +0800,64.00,2026-12-20 10:14:00 +0800",
     '#2,b@x.com,paid,2026-12-20 11:15:03 +0800,"cut', {}),
    ("generic", "订单编号,支付时间,买家手机,实收款,订单状态,使用优惠,备注",
     "WD1,2026-12-20 10:00,13800000001,66.00,已支付,,", 'WD2,2026-12-20 11:30,13800000002,"cut',
     {"columns": FIX / "generic_map.yaml"}),
]  # fmt: skip


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "blocks"])
@pytest.mark.parametrize(("fmt", "head", "good", "cut", "opts"), CASES, ids=[c[0] for c in CASES])
def test_an_open_quote_at_the_end_is_an_error_naming_its_line(
    tmp_path, monkeypatch, stream, fmt, head, good, cut, opts
):
    if stream:  # (a large file: read in blocks)
        monkeypatch.setattr(_base, "STREAM_BYTES", 10)
        monkeypatch.setattr(_base, "BLOCK_BYTES", 64)
    p = tmp_path / "export.csv"
    p.write_text(f"{head}\n{good}\n{cut}\n{good}\n{good}\n", encoding="utf-8")
    with pytest.raises(SqopsError) as err:
        import_files(fmt, [p], **opts)
    assert err.value.exit_code == 2
    assert err.value.where.file == str(p) and err.value.where.line == 3
    said = err.value.render("en")
    assert said.startswith(f"{p}:3: the quote opened on line 3 is never closed")
    assert "the 3 line(s) from there to the end" in said
    assert "第 3 行打开的引号" in err.value.render("zh")


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "blocks"])
def test_a_quote_closed_over_the_last_lines_is_read(tmp_path, monkeypatch, stream):
    if stream:
        monkeypatch.setattr(_base, "STREAM_BYTES", 10)
        monkeypatch.setattr(_base, "BLOCK_BYTES", 64)
    p = tmp_path / "chat.csv"
    p.write_text(
        "time,talker,sender,content\n"
        '2026-12-03 19:00:00,1@chatroom,a,"two\nlines ""quoted"""\n'
        '2026-12-03 19:01:00,1@chatroom,b,"a,b"',  # (no line end after the last record)
        encoding="utf-8",
    )
    r = import_files("wechat-chatlog", [p])
    assert r.tables["messages"]["content"].to_list() == ['two\nlines "quoted"', "a,b"]
