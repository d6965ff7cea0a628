"""Shared test fixtures: a CLI runner that starts each run with fresh consoles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TEMPLATES = ROOT / "sop_templates"

#: ``SQOPS_FUZZ=N pytest -m fuzz``: every property test (Hypothesis) with N times its examples
#: (the longer fuzz run of docs/architecture.md "Tests"); CI runs them once each, at N = 1
FUZZ = int(os.environ.get("SQOPS_FUZZ", "1") or 1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "fuzz: a property test (Hypothesis); SQOPS_FUZZ=N runs N times its examples"
    )
    config.addinivalue_line(
        "markers",
        "browser: opens pages in headless Chromium; FAILS without it (apt-get install -y "
        "chromium fonts-noto-cjk, or deselect with -m 'not browser')",
    )
    config.addinivalue_line(
        "markers",
        "dask: runs a Dask LocalCluster (worker processes); FAILS without Dask "
        "(pip install 'sqops[dask]', in the test extra)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        test = getattr(item, "obj", None)
        if not getattr(test, "is_hypothesis_test", False):
            continue
        item.add_marker(pytest.mark.fuzz)
        if FUZZ > 1:
            from hypothesis import settings

            base = getattr(test, "_hypothesis_internal_use_settings", None) or settings()
            test._hypothesis_internal_use_settings = settings(  # type: ignore[union-attr]
                base, max_examples=base.max_examples * FUZZ
            )


@pytest.fixture(autouse=True)
def _fresh_consoles(monkeypatch: pytest.MonkeyPatch) -> None:
    from sqops.render import console

    console.reset_consoles()
    # tests must not depend on the developer's locale
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture
def cli():
    """Run ``sqops ARGS`` in-process; returns typer's Result (exit_code, stdout, stderr)."""
    from typer.testing import CliRunner

    from sqops.cli import app

    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run
