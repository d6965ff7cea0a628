"""The README's two set-up commands: CI runs the test one verbatim; both are well formed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands(shell: str = "bash") -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Set up and run (two commands)", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{shell}\n(.+?)\n```", section, re.S)


def test_two_commands() -> None:
    cmds = _commands()
    assert len(cmds) == 2
    assert all("\n" not in c for c in cmds)
    assert (
        "pip install ." in cmds[0]
        and "sqops plan examples/" in cmds[0]
        and "sqops report examples/" in cmds[0]
    )
    assert '".[test]"' in cmds[1] and "pytest" in cmds[1]


def test_the_two_commands_for_powershell_are_the_same_steps() -> None:
    # Windows: `py -3` for `python3`, .venv\Scripts\ for .venv/bin/, `;` between the steps
    # (Windows PowerShell 5 has no `&&`); the arguments are the same (Python takes "/" there)
    ps = _commands("powershell")
    assert len(ps) == 2
    for bash, pwsh in zip(_commands(), ps, strict=True):
        steps = [
            step.replace("python3 ", "py -3 ", 1).replace(".venv/bin/", ".venv\\Scripts\\", 1)
            for step in bash.split(" && ")
        ]
        assert pwsh.split("; ") == steps


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = _commands()[1]
    assert test_cmd in ci.splitlines(), "CI must run the README's test command verbatim"


def test_version_matches_installed_metadata() -> None:
    from importlib.metadata import version

    import sqops

    assert sqops.__version__ == version("sqops")


def test_every_command_is_documented_in_readme() -> None:
    from sqops.cli import command_names

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = command_names()
    assert names, "no commands registered"
    missing = [n for n in names if f"`sqops {n}`" not in text]
    assert missing == []
