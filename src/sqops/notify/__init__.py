"""``sqops notify``: post a day's plan items per person, or a report's failing KPIs, to a
WeCom, DingTalk, Feishu/Lark or Slack-compatible group robot.

Library API (no clock, no environment; ``now`` signs the request)::

    from sqops.notify import make_target, plan_digest, build_requests, post_all

    target = make_target("dingtalk", url, secret)
    digest = plan_digest(plan, loaded.sop, day, "zh")
    requests = build_requests(target, digest, lang="zh", now=now)
    post_all(target, requests)

Each platform's format, limit and signature, and the doc each comes from: docs/notify.md.
"""

from sqops.notify.message import Digest, Entry, Section, lines_of, shorten, split
from sqops.notify.platforms import (
    PLATFORMS,
    Platform,
    Request,
    Target,
    body_bytes,
    build_requests,
    dingtalk_sign,
    feishu_sign,
    make_target,
)
from sqops.notify.send import NotifyError, Sent, post, post_all
from sqops.notify.sources import failing_groups, kpi_digest, plan_digest, who_posts

__all__ = [
    "PLATFORMS",
    "Digest",
    "Entry",
    "NotifyError",
    "Platform",
    "Request",
    "Section",
    "Sent",
    "Target",
    "body_bytes",
    "build_requests",
    "dingtalk_sign",
    "failing_groups",
    "feishu_sign",
    "kpi_digest",
    "lines_of",
    "make_target",
    "plan_digest",
    "post",
    "post_all",
    "shorten",
    "split",
    "who_posts",
]
