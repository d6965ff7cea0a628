"""The library without a network: splitting by hand-counted bytes, signatures at a fixed
``now``, masking."""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import hashlib
import hmac
import urllib.parse

from sqops.notify import Digest, Entry, Section, build_requests, make_target, split

NOW = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
#: 2026-12-06 08:00 UTC in seconds, counted by the calendar module, not the library
TS = calendar.timegm((2026, 12, 6, 8, 0, 0))


def by_bytes(limit: int):
    return lambda title, body: len(body.encode("utf-8")) <= limit


def test_split_at_line_boundaries_by_utf8_bytes() -> None:
    lines = ["一" * 10, "二" * 10, "三" * 10]  # 30 bytes each (3 bytes a character)
    # 30 + 1 (line break) + 30 = 61 <= 65; a third line would make 92
    out = split("T", lines, by_bytes(65))
    assert out == [("T (1/2)", "一" * 10 + "\n" + "二" * 10), ("T (2/2)", "三" * 10)]
    assert split("T", lines, by_bytes(1000)) == [("T", "\n".join(lines))]


def test_a_line_too_long_is_cut_between_characters_and_escapes() -> None:
    # 50 × "é" = 100 bytes; at most 31 bytes a message: 15 characters (30 bytes) a piece
    out = split("T", ["é" * 50], by_bytes(31))
    assert [b for _, b in out] == ["é" * 15, "é" * 15, "é" * 15, "é" * 5]
    # a backslash escape is never split from its character: 5 characters fit, 2 pairs do
    pieces = [b for _, b in split("T", ["\\*" * 5], lambda t, b: len(b) <= 5)]
    assert pieces == ["\\*\\*", "\\*\\*", "\\*"]
    # nor an HTML entity (Slack)
    pieces = [b for _, b in split("T", ["a&amp;b&lt;"], lambda t, b: len(b) <= 6)]
    assert pieces == ["a&amp;", "b&lt;"]


def test_a_message_never_starts_with_a_blank_line() -> None:
    out = split("T", ["x" * 8, "", "y" * 8], by_bytes(9))
    assert [b for _, b in out] == ["x" * 8, "y" * 8]


DIGEST = Digest(
    "社群 · 日报", [Section("林主理", [Entry("08:30", "上海一群 · 早安", "早上好")])], "无"
)


def test_dingtalk_signature_at_a_fixed_now() -> None:
    t = make_target("dingtalk", "tok-123456", "SECxyz")
    (req,) = build_requests(t, DIGEST, lang="zh", now=NOW)
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(req.url).query))
    assert q["access_token"] == "tok-123456" and q["timestamp"] == str(TS * 1000)
    mac = hmac.new(b"SECxyz", f"{TS * 1000}\nSECxyz".encode(), hashlib.sha256).digest()
    assert q["sign"] == base64.b64encode(mac).decode()
    assert req.url.startswith("https://oapi.dingtalk.com/robot/send?access_token=tok-123456&")


def test_feishu_signature_at_a_fixed_now() -> None:
    t = make_target("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc-123", "s3cr3t")
    (req,) = build_requests(t, DIGEST, lang="en", now=NOW)
    assert req.body["timestamp"] == str(TS)
    mac = hmac.new(f"{TS}\ns3cr3t".encode(), b"", hashlib.sha256).digest()
    assert req.body["sign"] == base64.b64encode(mac).decode()
    assert list(req.body["content"]["post"]) == ["en_us"]


def test_wecom_plain_text_limit_is_2048_bytes() -> None:
    # "· 00:00 " + 100 × "群": 2 + 1 + 5 + 1 + 300 = 309 bytes a line (310 with its break)
    entries = [Entry(f"{h:02d}:00", "群" * 100) for h in range(24)]
    d = Digest("日程", [Section("人", entries)], "无")
    reqs = build_requests(make_target("wecom", "k-1"), d, lang="zh", now=NOW, plain=True)
    assert all(r.body["msgtype"] == "text" for r in reqs)
    sizes = [len(r.body["text"]["content"].encode()) for r in reqs]
    # title "【日程 (2/4)】" 19 bytes: 19 + 6 × 310 - 1 = 1878; a 7th line makes 2188 > 2048,
    # so 6 entries a message and 24 / 6 = 4 messages (the first also holds "■ 人", 8 bytes)
    assert sizes == [1886, 1878, 1878, 1878]


def test_mask_and_shown() -> None:
    t = make_target(
        "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b2c3d-uuid", "sec-ret"
    )
    assert t.shown == "https://open.feishu.cn/***"
    assert t.mask("bad hook 0a1b2c3d-uuid and sec-ret") == "bad hook *** and ***"
    w = make_target("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a%2Fb-secret")
    assert "a/b-secret" not in w.mask("key a/b-secret") and "secret" not in w.mask("a%2Fb-secret")


class _Reply:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def __enter__(self) -> _Reply:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def read(self, n: int) -> bytes:
        return self.body


def test_more_messages_than_the_rate_allows_are_spaced() -> None:
    from sqops.notify import Request, post_all

    t = make_target("wecom", "k-1")
    posted: list[object] = []
    waits: list[float] = []

    def opener(req: object, timeout: float) -> _Reply:
        posted.append(req)
        return _Reply(b'{"errcode":0,"errmsg":"ok"}')

    reqs = [Request(t.url, {"msgtype": "text", "text": {"content": str(i)}}) for i in range(21)]
    sent = post_all(t, reqs, opener=opener, sleep=waits.append)
    # WeCom: 20 a minute; 21 messages are spread 60 / 20 = 3 s apart (20 waits between 21)
    assert len(sent) == 21 and len(posted) == 21 and waits == [3.0] * 20
    waits.clear()
    post_all(t, reqs[:20], opener=opener, sleep=waits.append)
    assert waits == []  # within the rate: no wait


def test_backoff_is_bounded_and_honours_retry_after() -> None:
    from sqops.notify.send import _wait

    assert [_wait(n, None) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert _wait(1, "5") == 5.0  # Retry-After: 5 (longer than the backoff)
    assert _wait(1, "600") == 8.0  # capped
    assert _wait(3, "1") == 2.0  # never shorter than the backoff


def test_who_posts_is_the_plans_responsible_person() -> None:
    # the plan resolves who posts an item in a group (sqops.plan.load.responsible: the item's
    # person, the group's vars.owner for owner items, the role's name); notify shows that
    from types import SimpleNamespace

    from tests.notify.conftest import SOP

    from sqops.notify.sources import who_posts
    from sqops.sop import load_sop

    sop = load_sop(SOP).sop
    occ = SimpleNamespace(owner="owner", person=None, responsible="王店长")
    assert who_posts(occ, sop, "zh").startswith("王店长（")  # the group's owner, then the role
    nobody = SimpleNamespace(owner=None, person=None, responsible=None)
    assert who_posts(nobody, sop, "zh") == "未指派"
