"""Every docs page exists in Chinese (docs/zh/NAME.md), linked both ways, with the same code
blocks (commands, YAML, JSON, output examples) as the English page (#22: "every docs page in
Chinese with English alongside")."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = sorted(p.name for p in DOCS.glob("*.md"))
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _code(text: str) -> list[list[str]]:
    """The fenced blocks, each as its lines without comments (a comment may be translated)."""
    out = []
    for block in FENCE.findall(text):
        lines = []
        for line in block.splitlines():
            code = re.sub(r"\s+#\s.*$", "", line).rstrip()
            if code.lstrip().startswith("#"):
                continue
            lines.append(code)
        out.append(lines)
    return out


@pytest.mark.parametrize("name", PAGES)
def test_every_page_has_its_chinese_version_linked_both_ways(name: str) -> None:
    en = (DOCS / name).read_text(encoding="utf-8")
    zh_path = DOCS / "zh" / name
    assert zh_path.exists(), f"docs/zh/{name} is missing"
    zh = zh_path.read_text(encoding="utf-8")
    assert f"(zh/{name})" in en.split("\n\n", 2)[0] + en.split("\n\n", 2)[1], name
    assert f"(../{name})" in zh[:2000], name


@pytest.mark.parametrize("name", PAGES)
def test_the_chinese_page_keeps_every_code_block(name: str) -> None:
    zh_path = DOCS / "zh" / name
    if not zh_path.exists():
        pytest.fail(f"docs/zh/{name} is missing")
    en = _code((DOCS / name).read_text(encoding="utf-8"))
    zh = _code(zh_path.read_text(encoding="utf-8"))
    assert len(zh) == len(en), f"{name}: {len(zh)} code blocks, the English page has {len(en)}"
    for i, (a, b) in enumerate(zip(en, zh, strict=True)):
        assert a == b, f"{name}: code block {i + 1} differs"


@pytest.mark.parametrize("name", PAGES)
def test_the_chinese_pages_links_resolve(name: str) -> None:
    zh_path = DOCS / "zh" / name
    if not zh_path.exists():
        pytest.fail(f"docs/zh/{name} is missing")
    text = FENCE.sub("", zh_path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`]*`", "", text)  # (code, not links: `[文件|name](url)`)
    for target in LINK.findall(text):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (zh_path.parent / target).resolve().exists(), f"docs/zh/{name} links to {target}"
