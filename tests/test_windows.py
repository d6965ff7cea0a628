"""Windows: no path handling assumes "/", paths print the same from a Windows path, and
printing Chinese to a console or pipe that is not UTF-8 (GBK, cp1252) never crashes."""

from __future__ import annotations

import ast
import io
import json
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "sqops"

# ---------------------------------------------------------------- no "/" path handling


def _slash_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """Where code treats "/" as a separator or joins with it: ``x.split("/")`` (and rsplit,
    partition, endswith ...), ``"/".join``, ``x + "/"``, ``f"{a}/{b}"``, ``os.sep``,
    ``os.path.*``. Each is either not a path or is reviewed below."""
    found: list[tuple[int, str]] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.args:
            a, x = n.func.attr, n.args[0]
            consts = x.elts if isinstance(x, ast.Tuple) else [x]
            values = [c.value for c in consts if isinstance(c, ast.Constant)]
            splits = ("split", "rsplit", "partition", "rpartition", "endswith", "startswith")
            if a in splits and "/" in values and "\\" not in values:
                found.append((n.lineno, f"{a}('/')"))
            if a == "join" and isinstance(n.func.value, ast.Constant) and n.func.value.value == "/":
                found.append((n.lineno, "'/'.join"))
        if isinstance(n, ast.Attribute):
            owner = n.value
            if isinstance(owner, ast.Name) and owner.id == "os" and n.attr in ("sep", "altsep"):
                found.append((n.lineno, f"os.{n.attr}"))
            if (
                isinstance(owner, ast.Attribute)
                and isinstance(owner.value, ast.Name)
                and (owner.value.id, owner.attr) == ("os", "path")
            ):
                found.append((n.lineno, f"os.path.{n.attr}"))
        if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Add):
            for side in (n.left, n.right):
                if isinstance(side, ast.Constant) and side.value in ("/", "/."):
                    found.append((n.lineno, "+ '/'"))
        if isinstance(n, ast.JoinedStr):
            v = n.values
            for i in range(1, len(v) - 1):
                if (
                    isinstance(v[i], ast.Constant)
                    and v[i].value == "/"
                    and isinstance(v[i - 1], ast.FormattedValue)
                    and isinstance(v[i + 1], ast.FormattedValue)
                ):
                    found.append((n.lineno, "f'{a}/{b}'"))
    return found


#: every use of "/" that the scan finds, reviewed: none is a file path
REVIEWED: dict[tuple[str, str], str] = {
    ("adherence/_compute.py", "'/'.join"): "a list of message types, text/image/...",
    ("adherence/render.py", "'/'.join"): "outcome counts in one narrow column, 251/36/0/28",
    ("cli/commands/report.py", "f'{a}/{b}'"): "group/KPI in a message",
    ("report/verdict.py", "f'{a}/{b}'"): "group/KPI in the --fail-under message",
    (
        "cli/commands/report.py",
        "+ '/'",
    ): "the --lists folder shown with a trailing / in a message (as_posix)",
    ("cli/commands/notify.py", "f'{a}/{b}'"): "message i of n in --dry-run output",
    ("notify/message.py", "f'{a}/{b}'"): "part i of n in a split message's title",
    ("notify/platforms.py", "split('/')"): "a webhook URL's path segments (a URL, not a file path)",
    ("importers/qq.py", "partition('/')"): "an event kind such as join/invited",
    ("importers/wechat.py", "partition('/')"): "an event kind such as join/invited",
    ("lint/rules.py", "'/'.join"): "a content mix such as 40/30/30",
    ("report/render.py", "f'{a}/{b}'"): "numerator/denominator",
    ("demo/_writer.py", "os.path.lexists"): "portable",
    ("render/output.py", "os.path.realpath"): "portable",
}


def test_no_path_handling_assumes_a_forward_slash() -> None:
    seen: dict[tuple[str, str], int] = {}
    for f in sorted(SRC.rglob("*.py")):
        rel = f.relative_to(SRC).as_posix()
        for line, kind in _slash_uses(ast.parse(f.read_text(encoding="utf-8"))):
            key = (rel, kind)
            assert key in REVIEWED, (
                f"{rel}:{line}: {kind} — a path? use pathlib (Path / name, .parts, .name), "
                "or add it to REVIEWED with the reason it is not a path"
            )
            seen[key] = line
    assert set(seen) <= set(REVIEWED)


def test_the_scan_finds_what_it_looks_for() -> None:
    code = 'a.split("/")\nb.endswith("/")\nc.endswith(("/", "\\\\"))\nf"{d}/{e}"\nos.sep\n'
    kinds = [k for _, k in _slash_uses(ast.parse(code))]
    # (c accepts both separators: not reported)
    assert sorted(kinds) == sorted(["split('/')", "endswith('/')", "f'{a}/{b}'", "os.sep"])


# ---------------------------------------------------------------- paths typed on Windows


def test_paths_print_with_forward_slashes_from_a_windows_path() -> None:
    from sqops.cli.route import Route, is_dir_target
    from sqops.errors import display_path

    assert display_path(PureWindowsPath(r"数据\messages.csv")) == "数据/messages.csv"
    out = Route("md", PureWindowsPath(r"out\plans"), per_group=True)  # type: ignore[arg-type]
    assert out.shown == "out/plans/"
    # -o DIR\ is a folder, as -o DIR/ is
    assert is_dir_target("plans\\") and is_dir_target("plans/")
    assert not is_dir_target("plans\\week.md")


def test_sarif_uris_use_forward_slashes() -> None:
    from sqops.errors import Location
    from sqops.i18n import T
    from sqops.lint.rules import RULES, Finding
    from sqops.lint.run import FileResult, format_sarif

    rule = sorted(RULES)[0]
    finding = Finding(rule, "error", T("错", "bad"), Location(file=r"sops\shop a.yaml", line=3))
    doc = json.loads(format_sarif([FileResult(r"sops\shop a.yaml", [finding])], "en"))
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "sops/shop%20a.yaml"


# ---------------------------------------------------------------- consoles that are not UTF-8


def test_tolerant_streams_replace_what_the_encoding_cannot_hold(monkeypatch) -> None:
    from sqops.cli import common

    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="cp1252", errors="strict")
    utf = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", utf)
    common.tolerant_streams()
    common.echo("报告 ok")
    assert raw.getvalue() == b"?? ok\n"  # the encoding stays cp1252: what the reader expects
    assert out.encoding == "cp1252" and utf.errors == "strict"  # UTF-8 is left alone


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_lint_and_report_print_to_a_console_that_is_not_utf8(encoding: str) -> None:
    env = {
        **os.environ,
        "PYTHONIOENCODING": encoding,
        "PYTHONPATH": str(ROOT / "src"),
        "COLUMNS": "100",
    }
    sop = "examples/skincare/sop.yaml"
    runs = [
        ["lint", sop, "--lang", "zh"],
        ["report", "examples/skincare/data", "--sop", sop, "--lang", "zh", "--no-adherence"],
    ]
    for args in runs:
        r = subprocess.run(
            [sys.executable, "-m", "sqops", *args], capture_output=True, cwd=ROOT, env=env
        )
        assert r.returncode == 0, r.stderr.decode(encoding, "replace")
        assert b"Traceback" not in r.stderr and b"UnicodeEncodeError" not in r.stderr
        text = r.stdout.decode(encoding)
        if encoding == "gbk":  # GBK holds Chinese: the report is readable
            assert ("社群健康报告" in text) if args[0] == "report" else ("没有发现问题" in text)
        else:  # cp1252 does not: "?" in place of each character, the run still completes
            assert "?" in text
