"""The group robots sqops posts to: their documented message formats, limits and signatures.

One table, :data:`PLATFORMS`; each rule's source is in ``doc`` (see docs/notify.md):

- WeCom 企业微信群机器人: ``{"msgtype": "markdown", "markdown": {"content": ...}}``, content at
  most 4096 UTF-8 bytes; ``text`` at most 2048 bytes; reply ``errcode`` 0 = sent.
- DingTalk 钉钉自定义机器人: ``{"msgtype": "markdown", "markdown": {"title", "text"}}`` or
  ``text``; with 加签 the URL gets ``timestamp`` (ms) and ``sign`` = url-encoded
  base64(HmacSHA256(key=secret, "timestamp\\nsecret")); reply ``errcode`` 0 = sent.
- Feishu/Lark 飞书自定义机器人: ``{"msg_type": "post", "content": {"post": {"zh_cn": {"title",
  "content": [[{"tag": "text", "text"}]]}}}}``, the request body at most 20 KB; with 签名校验
  the body gets ``timestamp`` (s) and ``sign`` = base64(HmacSHA256(key="timestamp\\nsecret",
  empty message)); reply ``code`` 0 = sent.
- Slack-compatible incoming webhooks: ``{"text": ...}`` in ``mrkdwn``; 4,000 characters a
  message (Slack's advice; it truncates past 40,000); success is HTTP 200.

Library code: no clock (``now`` is a parameter), no environment, no network (:mod:`.send`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from sqops.errors import UsageError
from sqops.i18n import T
from sqops.notify.message import Digest, Style, lines_of, shorten, split, title_line

#: the longest title a message carries (characters; the rest is cut with "…")
TITLE_CHARS = 60
#: the most messages one run posts (a digest that needs more is refused)
MAX_MESSAGES = 60


@dataclass(frozen=True, slots=True)
class Platform:
    id: str
    name: T
    style: Style  # the rich style; ``--plain`` uses "plain" (where the platform has text)
    plain_style: Style
    #: the limit of one message: ``(unit, number)``; unit ``bytes`` (the UTF-8 bytes of the
    #: text field), ``chars`` (its characters) or ``body`` (the bytes of the whole request)
    limit: tuple[str, int]
    plain_limit: tuple[str, int]
    per_minute: int | None  # documented sending rate (messages a minute), None: not stated
    url_of_key: str | None  # how a bare key/token becomes the webhook URL
    signs: bool  # takes a signing secret
    error_field: str | None  # the JSON field of the reply that is 0 on success
    doc: str


PLATFORMS: dict[str, Platform] = {
    "wecom": Platform(
        "wecom",
        T("企业微信", "WeCom"),
        "markdown",
        "plain",
        ("bytes", 4096),
        ("bytes", 2048),
        20,
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={key}",
        False,
        "errcode",
        "https://developer.work.weixin.qq.com/document/path/91770",
    ),
    "dingtalk": Platform(
        "dingtalk",
        T("钉钉", "DingTalk"),
        "markdown",
        "plain",
        # the custom-robot page states no text limit; 15,000 bytes is what DingTalk documents
        # for a robot's group message (msgParam): we keep each text under it, with room for JSON
        ("bytes", 14000),
        ("bytes", 14000),
        20,
        "https://oapi.dingtalk.com/robot/send?access_token={key}",
        True,
        "errcode",
        "https://open.dingtalk.com/document/orgapp/custom-robot-access",
    ),
    "feishu": Platform(
        "feishu",
        T("飞书", "Feishu/Lark"),
        "plain",  # post text elements take no markup: nothing to escape
        "plain",
        ("body", 20000),  # "请求体的数据大小不能超过 20 KB", read as 20,000 bytes
        ("body", 20000),
        100,
        "https://open.feishu.cn/open-apis/bot/v2/hook/{key}",
        True,
        "code",
        "https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot",
    ),
    "slack": Platform(
        "slack",
        T("Slack 兼容", "Slack-compatible"),
        "slack",
        "slack",
        ("chars", 4000),
        ("chars", 4000),
        None,
        None,
        False,
        None,
        "https://api.slack.com/messaging/webhooks",
    ),
}


# ------------------------------------------------------------------ the robot's address


@dataclass(frozen=True, slots=True)
class Target:
    """Where to post: the webhook URL and everything secret in it, never shown."""

    platform: Platform
    url: str
    secret: str | None = None  # signing secret (DingTalk 加签, Feishu 签名校验)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret string (and its URL-encoded forms), longest first: each query value,
        the user info, the last path segment and every one with a digit or 16+ characters
        (WeCom ``key``, DingTalk ``access_token``, Feishu's hook id, Slack's T/B/token), the
        signing secret."""
        parts = urllib.parse.urlsplit(self.url)
        segments = [seg for seg in parts.path.split("/") if seg]
        found = {v for _, v in urllib.parse.parse_qsl(parts.query)}
        found |= {s for s in segments if len(s) >= 16 or any(c.isdigit() for c in s)}
        if not found:
            found |= set(segments[-1:])
        if "@" in parts.netloc:
            found.add(parts.netloc.rsplit("@", 1)[0])
        if self.secret:
            found.add(self.secret)
        more = {urllib.parse.quote(s, safe="") for s in found}
        more |= {urllib.parse.quote_plus(s) for s in found}
        more |= {urllib.parse.unquote(s) for s in found}
        return tuple(sorted((s for s in found | more if len(s) >= 3), key=len, reverse=True))

    @property
    def shown(self) -> str:
        """The address as it may be printed: scheme and host only."""
        parts = urllib.parse.urlsplit(self.url)
        return f"{parts.scheme}://{parts.hostname or ''}/***"

    def mask(self, text: str) -> str:
        """``text`` with every secret replaced by ``***``."""
        for s in self.secrets:
            text = text.replace(s, "***")
        return text


def make_target(platform: str, value: str, secret: str | None = None) -> Target:
    """The target of a webhook URL or a bare robot key/token (stripped of whitespace)."""
    p = PLATFORMS[platform]
    value = value.strip()
    secret = secret.strip() if secret else None
    if not value:
        raise UsageError(T("机器人地址为空", "the robot's URL/key is empty"))
    if value.startswith(("https://", "http://")):
        url = value
    elif p.url_of_key is not None and "/" not in value and " " not in value:
        url = p.url_of_key.format(key=urllib.parse.quote(value, safe=""))
    else:
        raise UsageError(
            T(
                f"{p.name.zh}需要完整的 webhook 地址（https://…）",
                f"{p.name.en} needs the whole webhook URL (https://...)",
            )
        )
    try:
        parts = urllib.parse.urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:  # the address itself is never repeated: it is secret
        raise UsageError(T("机器人地址不是有效的 URL", "the robot's URL is not a valid URL"))
    if secret and not p.signs:
        raise UsageError(
            T(f"{p.name.zh}的机器人不使用签名密钥", f"{p.name.en} robots take no signing secret")
        )
    return Target(p, url, secret or None)


# ------------------------------------------------------------------ signatures


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: base64(HmacSHA256(secret, "timestamp\\nsecret")), url-encoded."""
    msg = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), msg, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu 签名校验: base64(HmacSHA256 keyed with "timestamp\\nsecret", of no bytes)."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


# ------------------------------------------------------------------ payloads


@dataclass(frozen=True, slots=True)
class Request:
    """One POST: the URL (secret) and the JSON body."""

    url: str
    body: dict[str, Any]

    def data(self) -> bytes:
        return body_bytes(self.body)


def body_bytes(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _payload(p: Platform, style: Style, title: str, body: str, lang: str) -> dict[str, Any]:
    if p.id == "feishu":
        paragraphs = [[{"tag": "text", "text": line}] for line in body.split("\n")]
        locale = "zh_cn" if lang == "zh" else "en_us"
        return {
            "msg_type": "post",
            "content": {"post": {locale: {"title": title, "content": paragraphs}}},
        }
    text = title_line(title, style) + ("\n" + body if body else "")
    if p.id == "slack":
        return {"text": text}
    if style == "plain":
        return {"msgtype": "text", "text": {"content": text}}
    if p.id == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    # DingTalk: markdown ``title`` is the conversation-list preview, no markup
    return {"msgtype": "markdown", "markdown": {"title": title, "text": _dingtalk_breaks(text)}}


def _dingtalk_breaks(text: str) -> str:
    """DingTalk's markdown joins single line breaks: every line its own paragraph."""
    return "\n\n".join(line for line in text.split("\n") if line.strip())


def _text_of(body: dict[str, Any]) -> str:
    """The text field a ``bytes``/``chars`` limit applies to."""
    if "text" in body and isinstance(body["text"], str):
        return body["text"]
    inner = body.get("markdown") or body.get("text") or {}
    return str(inner.get("content") or inner.get("text") or "")


def _signed(target: Target, body: dict[str, Any], now: dt.datetime) -> Request:
    p = target.platform
    if target.secret and p.id == "dingtalk":
        ts = int(now.timestamp() * 1000)
        sep = "&" if "?" in target.url else "?"
        url = f"{target.url}{sep}timestamp={ts}&sign={dingtalk_sign(target.secret, ts)}"
        return Request(url, body)
    if target.secret and p.id == "feishu":
        ts = int(now.timestamp())
        return Request(
            target.url, {"timestamp": str(ts), "sign": feishu_sign(target.secret, ts), **body}
        )
    return Request(target.url, body)


#: the room a Feishu signature takes in the body ("timestamp", "sign" and their values)
_SIGN_ROOM = 96


def build_requests(
    target: Target,
    digest: Digest,
    *,
    lang: str,
    now: dt.datetime,
    plain: bool = False,
) -> list[Request]:
    """Every POST that posts ``digest``, each within the platform's limit, signed with
    ``now`` when the target has a secret; ``plain``: text messages (no markup)."""
    p = target.platform
    style = p.plain_style if plain else p.style
    unit, limit = p.plain_limit if plain else p.limit
    title = shorten(digest.title, TITLE_CHARS)
    lines = lines_of(digest, style)

    def fits(t: str, b: str) -> bool:
        body = _payload(p, style, t, b, lang)
        if unit == "body":
            return len(body_bytes(body)) + _SIGN_ROOM <= limit
        text = _text_of(body)
        return (len(text.encode("utf-8")) if unit == "bytes" else len(text)) <= limit

    messages = split(title, lines, fits)
    if len(messages) > MAX_MESSAGES:
        raise UsageError(
            T(
                "内容需要 {n} 条消息（上限 {m} 条）：请用 --group 或 --person 缩小范围",
                "this needs {n} messages (at most {m}): narrow it with --group or --person",
            ).format(n=len(messages), m=MAX_MESSAGES)
        )
    return [_signed(target, _payload(p, style, t, b, lang), now) for t, b in messages]
