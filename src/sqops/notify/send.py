"""Posting the requests: urllib, a timeout, retries on 5xx/429 only, the platform's error
codes read from the reply; the webhook's secrets masked in every message.

The standard library is enough for one JSON POST at a time; no dependency is added.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from sqops.errors import SqopsError
from sqops.i18n import T
from sqops.notify.platforms import Platform, Request, Target

#: seconds to wait for the robot's reply
TIMEOUT = 10.0
#: tries of one message in all (the first and the retries on 5xx/429)
TRIES = 4
#: the wait before retry n (1-based) is BACKOFF * 2**(n-1), at most BACKOFF_MAX seconds
BACKOFF = 0.5
BACKOFF_MAX = 8.0


#: how the retries wait (tests replace it)
_sleep: Callable[[float], None] = time.sleep


class NotifyError(SqopsError):
    """The robot refused or could not be reached (exit 2)."""


def _t(zh: str, en: str, p: Platform, **values: object) -> T:
    """A message naming the platform in each language."""
    return T(zh.format(p=p.name.zh, **values), en.format(p=p.name.en, **values))


@dataclass(frozen=True, slots=True)
class Sent:
    """One message posted: its number and how many tries it took."""

    index: int
    tries: int


def _excerpt(raw: bytes, target: Target) -> str:
    text = raw[:600].decode("utf-8", "replace")
    return target.mask(" ".join(text.split()))[:300]


def _wait(attempt: int, retry_after: str | None) -> float:
    wait = min(BACKOFF * 2 ** (attempt - 1), BACKOFF_MAX)
    if retry_after and retry_after.strip().isdigit():
        wait = min(max(wait, float(retry_after.strip())), BACKOFF_MAX)
    return wait


def _check_reply(raw: bytes, target: Target, index: int) -> None:
    """The platform's own error code in a 200 reply (WeCom/DingTalk ``errcode``, Feishu
    ``code``): anything but 0 is an error."""
    field = target.platform.error_field
    if field is None:
        return
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        reply = None
    if not isinstance(reply, dict) or field not in reply:
        raise NotifyError(
            _t(
                "第 {i} 条消息：{p} 的回复不是预期的 JSON：{b}",
                "message {i}: {p} replied with unexpected content: {b}",
                target.platform,
                i=index,
                b=_excerpt(raw, target),
            )
        )
    code = reply.get(field)
    if code != 0:
        msg = reply.get("errmsg") if field == "errcode" else reply.get("msg")
        raise NotifyError(
            _t(
                "第 {i} 条消息被{p}拒绝：{f}={c}（{m}）",
                "message {i} was refused by {p}: {f}={c} ({m})",
                target.platform,
                i=index,
                f=field,
                c=target.mask(str(code)),
                m=target.mask(str(msg or ""))[:300],
            )
        )


def post(
    target: Target,
    request: Request,
    index: int,
    *,
    opener: Callable[..., object] = urllib.request.urlopen,
    sleep: Callable[[float], None] | None = None,
    timeout: float = TIMEOUT,
) -> Sent:
    """Post one request; retry on HTTP 5xx and 429 (bounded backoff), fail on anything else."""
    sleep = sleep or _sleep
    data = request.data()
    for attempt in range(1, TRIES + 1):
        req = urllib.request.Request(
            request.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with opener(req, timeout=timeout) as resp:  # type: ignore[attr-defined]
                raw = resp.read(1_000_000)
        except urllib.error.HTTPError as exc:
            try:
                body = exc.read(2000) if exc.fp is not None else b""
            except OSError:  # the connection broke while the error body was read
                body = b""
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
            exc.close()
            if (exc.code >= 500 or exc.code == 429) and attempt < TRIES:
                sleep(_wait(attempt, retry_after))
                continue
            raise NotifyError(
                T(
                    "第 {i} 条消息发送失败：HTTP {c}（{a}）{b}",
                    "message {i} could not be posted: HTTP {c} ({a}) {b}",
                ).format(i=index, c=exc.code, a=target.shown, b=_excerpt(body, target))
            ) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise NotifyError(
                T(
                    "第 {i} 条消息无法连接机器人（{a}）：{r}",
                    "message {i}: could not reach the robot ({a}): {r}",
                ).format(i=index, a=target.shown, r=target.mask(str(reason)))
            ) from None
        _check_reply(raw, target, index)
        return Sent(index, attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def pause_between(target: Target, count: int) -> float:
    """Seconds between two messages: none while ``count`` stays within the platform's
    documented rate a minute, else spread evenly over the minute."""
    rate = target.platform.per_minute
    if rate is None or count <= rate:
        return 0.0
    return 60.0 / rate


def post_all(
    target: Target,
    requests: list[Request],
    *,
    opener: Callable[..., object] = urllib.request.urlopen,
    sleep: Callable[[float], None] | None = None,
    timeout: float = TIMEOUT,
) -> list[Sent]:
    """Post every request in order; stop at the first that fails (raising its error)."""
    sleep = sleep or _sleep
    gap = pause_between(target, len(requests))
    out = []
    for i, r in enumerate(requests, start=1):
        if i > 1 and gap:
            sleep(gap)
        out.append(post(target, r, i, opener=opener, sleep=sleep, timeout=timeout))
    return out
