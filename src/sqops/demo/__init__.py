"""``sqops demo``: a realistic, deterministic community dataset generated from an SOP."""

from sqops.demo._generate import (
    BAD_TS_TEXT,
    DIRTY_ROWS,
    TABLES,
    DemoGroup,
    DemoOptions,
    DemoResult,
    demo_groups,
    estimate,
    generate_demo,
)

__all__ = [
    "BAD_TS_TEXT",
    "DIRTY_ROWS",
    "TABLES",
    "DemoGroup",
    "DemoOptions",
    "DemoResult",
    "demo_groups",
    "estimate",
    "generate_demo",
]
