"""``sqops lint``: the field's practice as rules over an SOP file, with exact locations.

The rules (:mod:`sqops.lint.rules`) judge the loaded SOP; their per-day rules and script checks
use the plan's cadence engine and script context (:mod:`sqops.plan`), so a lint-clean SOP
renders in ``sqops plan``. :mod:`sqops.lint.run` finds files, applies ``# sqops: disable``
comments and writes the results as text, JSON, GitHub annotations or SARIF::

    from sqops.lint import lint_paths
    results = lint_paths(["examples/skincare/sop.yaml"])
"""

from sqops.lint.run import (
    FileResult,
    counts,
    discover,
    exit_code,
    finding_line,
    format_github,
    format_json,
    format_sarif,
    format_text,
    lint_file,
    lint_loaded,
    lint_paths,
    lint_text,
    summary_line,
)

__all__ = [
    "FileResult",
    "counts",
    "discover",
    "exit_code",
    "finding_line",
    "format_github",
    "format_json",
    "format_sarif",
    "format_text",
    "lint_file",
    "lint_loaded",
    "lint_paths",
    "lint_text",
    "summary_line",
]
