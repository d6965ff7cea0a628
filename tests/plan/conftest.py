"""Fixtures for the plan tests: SOP files built from dedented text in tmp_path."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

BASE = """\
version: 1
community: {{name: 测试社群, platform: wechat, launched_on: {launch}}}
roles:
  - {{role: owner, name: 小林, members: [wx_lin]}}
  - {{role: admin, name: 小周, members: [wx_zhou]}}
  - {{role: content, name: 小苏, members: [wx_su]}}
  - {{role: events, name: 小陈, members: [wx_chen]}}
  - {{role: support, name: 小何, members: [wx_he], response_hours: 4}}
rules:
  forbidden: [广告, 刷屏, 争吵]
  quiet_hours: "22:00-08:00"
  max_posts_per_day: {max_posts}
"""


def sop_text(body: str, *, launch: str = "2026-10-01", max_posts: int = 6) -> str:
    return BASE.format(launch=launch, max_posts=max_posts) + textwrap.dedent(body)


@pytest.fixture
def write_sop(tmp_path: Path):
    """write_sop(body, files={name: text}, launch=..., max_posts=...) -> Path of sop.yaml."""

    def write(body: str, files: dict[str, str] | None = None, **kw) -> Path:
        path = tmp_path / "sop.yaml"
        path.write_text(sop_text(body, **kw), encoding="utf-8")
        for name, text in (files or {}).items():
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def load(write_sop):
    """load(body, ...) -> LoadedSop."""
    from sqops.sop import load_sop

    def _load(body: str, files: dict[str, str] | None = None, **kw):
        return load_sop(write_sop(body, files, **kw))

    return _load
