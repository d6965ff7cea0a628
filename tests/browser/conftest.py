"""The headless browser the phone-layout tests share (one Chromium for the session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.browser.cdp import INSTALL, Browser, find_chromium


def chromium_or_fail() -> str:
    """Chromium's path; a FAILED test (never a skip) with what to install when it is missing:
    CI installs it (.ci/run), so a missing browser is a broken check, not an optional one."""
    exe = find_chromium()
    if exe is None:
        pytest.fail(
            "chromium is not installed: the HTML pages are checked in a real browser. "
            f"Install it ({INSTALL}) or deselect these tests with -m 'not browser'.",
            pytrace=False,
        )
    return exe


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    b = Browser(chromium_or_fail(), tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield b
    finally:
        b.close()
