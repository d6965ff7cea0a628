"""``sqops lint``: load SOP files, run the rules, and format the findings.

Library API (no printing, no exiting):

* :func:`lint_loaded` — findings for an SOP that loaded (used by ``plan`` before it runs);
* :func:`lint_file` / :func:`lint_paths` — from files and folders, loader problems included;
* :func:`format_text`, :func:`format_json`, :func:`format_github`, :func:`format_sarif`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqops
from sqops.data.yamlsafe import read_source
from sqops.errors import InputError, Location, SopError, TemplateError
from sqops.i18n import T
from sqops.lint.rules import RULES, SEVERITIES, Finding, Severity, slots
from sqops.sop.loader import LoadedSop, is_sop_document, parse_sop

SKIP_DIRS = {
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
}
_DISABLE = re.compile(r"#\s*sqops:\s*disable(-file)?\s*=\s*([\w\-, ]+)")


@dataclass
class FileResult:
    """The findings of one file; ``could_not_run`` when it could not even be read."""

    file: str
    findings: list[Finding] = field(default_factory=list)
    could_not_run: bool = False
    language: str | None = None


# ------------------------------------------------------------------ scripts
#: the launch day lint assumes when the SOP has none (the plan takes its --start)
SAMPLE_LAUNCH = dt.date(2026, 1, 5)


def _sample_day(section: str, item: object, launch: dt.date) -> dt.date:
    """A date the plan could render the item's script on: its first date from ``launch``
    (campaigns and countdowns: their own date, the last countdown day)."""
    from sqops.plan import item_dates

    if section in ("campaign", "countdown"):
        found = item_dates(section, item, start=dt.date.min, end=None)
        return found[-1] if found else item.date  # type: ignore[attr-defined]
    steady = section in ("daily", "weekly", "monthly")
    end = launch + dt.timedelta(days=62) if steady and launch.year < dt.MAXYEAR else None
    found = item_dates(section, item, start=launch, end=end, launch=launch)
    return found[0] if found else launch


def _script_findings(loaded: LoadedSop) -> list[Finding]:
    from sqops.plan.scripts import compile_script, render

    sop = loaded.sop
    out: list[Finding] = []
    used: set[str] = set()
    compiled: dict[tuple[str, str | None], object] = {}
    reported: set[tuple[str, str]] = set()

    def add(rule_id: str, text: T, where: Location) -> None:
        key = (rule_id, f"{where.render()}|{text.en}")
        if key not in reported:
            reported.add(key)
            out.append(Finding(rule_id, RULES[rule_id].severity, text, where, RULES[rule_id].hint))

    def error_rule(exc: TemplateError) -> str:
        kind = getattr(exc, "kind", "render")
        return {"syntax": "script-syntax", "variable": "script-variable"}.get(kind, "script-render")

    from sqops.plan import MEMBER_VARS

    # (the scripts of member actions have the member besides: docs/sop.md, actions:)
    member_scripts = set(sop.actions.values())
    # compile every variant once
    for name, variants in loaded.scripts.items():
        for lang, src in variants.items():
            if src.problem is not None:
                add("script-missing", src.problem.text, src.problem.where)
                continue
            assert src.text is not None
            try:
                member = MEMBER_VARS if name in member_scripts else None
                compiled[(name, lang)] = compile_script(name, src.text, src.where(), member)
            except TemplateError as exc:
                add(error_rule(exc), exc.text, exc.where)

    from sqops.plan import GroupInfo, item_ids, make_occurrence, script_context, sop_groups

    try:
        ids = item_ids(loaded)
    except SopError as exc:
        add("item-id", exc.text, exc.where or Location(file=loaded.display))
        ids = None
    # every group the SOP declares, as the plan renders for each (one per distinct launch
    # and vars: the rest of a group's context cannot make a script fail)
    groups: dict[str, GroupInfo] = {}
    for g in sop_groups(loaded):
        groups.setdefault(repr((g.launched_on, sorted(g.vars.items()))), g)
    for s in slots(sop):
        if s.section == "countdown":
            name, key_path = s.item.countdown_script, (*s.path, "countdown_script")
            if not name:
                continue
        else:
            name, key_path = s.item.script, (*s.path, "script")
            if not name:
                continue
        used.add(name)
        if name not in loaded.scripts:
            _script_missing(
                add, loaded, name, T(f"“{s.title}”", f"'{s.title}'"), loaded.where(key_path)
            )
            continue
        if ids is None:
            continue
        for lang in loaded.scripts[name]:
            tpl = compiled.get((name, lang))
            if tpl is None:
                continue
            lang_ = lang or sop.community.language
            for n, group in enumerate(groups.values()):
                launch = group.launched_on or SAMPLE_LAUNCH
                date = _sample_day(s.section, s.item, launch)
                day1 = min(launch, date)  # the plan renders nothing before the launch
                occ = make_occurrence(
                    loaded, group, day1, s.section, s.index, date, lang=lang_, ids=ids
                )
                try:
                    render(tpl, script_context(loaded, occ, group, day1, lang_))  # type: ignore[arg-type]
                except TemplateError as exc:
                    extra = T("（群 {g}）", " (group {g})").format(g=group.id) if n else T("", "")
                    add(error_rule(exc), exc.text + extra, exc.where)
                    break
    used |= _action_script_findings(loaded, compiled, add, error_rule, groups)
    for name in loaded.scripts:
        if name not in used:
            add(
                "script-unused",
                T(f"脚本 “{name}” 没有被任何安排使用", f"script '{name}' is not used by any item"),
                loaded.where(("scripts", name), key=True),
            )
    return out


def _script_missing(
    add: Callable[[str, T, Location], None],
    loaded: LoadedSop,
    name: str,
    user: T,
    where: Location,
) -> None:
    """``script-missing``: ``user`` (a cadence item, an action) names a script that ``scripts:``
    does not define; with the closest name defined."""
    from sqops.errors import did_you_mean

    hint = did_you_mean(name, loaded.scripts)
    extra = T(f"，你是不是想写 “{hint}”？", f"; did you mean '{hint}'?") if hint else T("", "")
    text = T(
        f"{user.zh}引用的脚本 “{name}” 在 scripts 里不存在",
        f"{user.en} uses script '{name}', which scripts does not define",
    )
    add("script-missing", text + extra, where)


def _action_script_findings(
    loaded: LoadedSop,
    compiled: dict[tuple[str, str | None], object],
    add: Callable[[str, T, Location], None],
    error_rule: Callable[[TemplateError], str],
    groups: dict[str, Any],
) -> set[str]:
    """The ``actions:`` map: every script it names exists, and renders for a sample member
    of each action in every group (as ``sqops report --lists`` renders it). The names used."""
    from sqops.plan import MemberScripts, sample_group, sample_member

    sop = loaded.sop
    used: set[str] = set()
    for action, name in sop.actions.items():
        used.add(name)
        where = loaded.where(("actions", action))
        if name not in loaded.scripts:
            _script_missing(add, loaded, name, T(f"actions.{action} ", f"actions.{action}"), where)
            continue
        for lang in loaded.scripts[name]:
            if (name, lang) not in compiled:
                continue  # (its syntax or file problem is reported already)
            lang_ = lang or sop.community.language
            scripts = MemberScripts(loaded, lang_)
            for group in groups.values():
                launch, as_of = sample_group(group, SAMPLE_LAUNCH)
                try:
                    scripts.for_group(group, launch, as_of).render(
                        action, sample_member(action, as_of, lang_)
                    )
                except TemplateError as exc:  # (it names the group and the sample member)
                    add(error_rule(exc), exc.text, exc.where)
                    break
    return used


# ------------------------------------------------------------------ engine
def lint_loaded(loaded: LoadedSop, disabled: Iterable[str] = ()) -> list[Finding]:
    """All rule findings for an SOP that loaded, sorted, minus disabled rules and lines."""
    skip = set(disabled)
    findings: list[Finding] = []
    for r in RULES.values():
        if r.check is not None and r.id not in skip:
            findings.extend(r.check(loaded))
    findings.extend(f for f in _script_findings(loaded) if f.rule not in skip)
    texts = {loaded.display: loaded.text}
    for variants in loaded.scripts.values():
        for src in variants.values():
            if src.text is not None and src.file != loaded.display:
                texts[src.file] = src.text
    return sorted(_apply_disables(findings, texts), key=Finding.sort_key)


def _disables(text: str) -> tuple[set[str], dict[int, set[str]]]:
    whole: set[str] = set()
    lines: dict[int, set[str]] = {}
    for n, line in enumerate(text.splitlines(), 1):
        for m in _DISABLE.finditer(line):
            ids = {x.strip() for x in m.group(2).split(",") if x.strip()}
            if m.group(1):
                whole |= ids
            else:
                lines.setdefault(n, set()).update(ids)
    return whole, lines


def _apply_disables(findings: list[Finding], texts: dict[str, str]) -> list[Finding]:
    parsed = {f: _disables(t) for f, t in texts.items()}
    out = []
    for f in findings:
        whole, lines = parsed.get(f.where.file or "", (set(), {}))
        ids = whole | lines.get(f.where.line or -1, set())
        if f.rule in ids or "all" in ids:
            continue
        out.append(f)
    return out


def _guess_language(text: str) -> str | None:
    m = re.search(r"^\s+language\s*:\s*[\"']?(zh|en)\b", text, re.M)
    return m.group(1) if m else None


def lint_text(text: str, display: str, base_dir: Path, disabled: Iterable[str] = ()) -> FileResult:
    skip = set(disabled)
    result = FileResult(display, language=_guess_language(text))
    try:
        loaded = parse_sop(text, display, base_dir)
    except SopError as exc:
        whole, lines = _disables(text)
        for p in exc.problems:
            rule_id = "schema" if p.code in ("missing", "unknown-key", "invalid") else "yaml-syntax"
            if rule_id in skip:
                continue
            ids = whole | lines.get(p.where.line or -1, set())
            if rule_id in ids or "all" in ids:
                continue
            result.findings.append(Finding(rule_id, "error", p.text, p.where, RULES[rule_id].hint))
        return result
    result.language = loaded.sop.community.language
    result.findings = lint_loaded(loaded, skip)
    return result


def lint_file(path: Path, display: str | None = None, disabled: Iterable[str] = ()) -> FileResult:
    name = display or path.as_posix()
    try:
        text = read_source(path, name)
    except InputError as exc:
        return FileResult(
            name, [Finding("file", "error", exc.text, exc.where, RULES["file"].hint)], True
        )
    return lint_text(text, name, path.parent, disabled)


def discover(paths: Sequence[str | Path]) -> tuple[list[Path], list[FileResult]]:
    """Files to lint: given files as they are; in folders, ``*.yaml``/``*.yml`` that declare
    ``version:`` and ``community:`` (sorted). Paths that do not exist are results of their own."""
    files: list[Path] = []
    missing: list[FileResult] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = []
            for f in sorted(p.rglob("*")):
                if any(part in SKIP_DIRS for part in f.relative_to(p).parts[:-1]):
                    continue
                if f.suffix.lower() in (".yaml", ".yml") and f.is_file():
                    try:
                        with f.open("rb") as fh:  # (the head only, whatever the file's size)
                            head = fh.read(65536).decode("utf-8", "replace")
                    except OSError:
                        continue
                    if is_sop_document(head.lstrip("\ufeff")):
                        found.append(f)
            files.extend(found)
        elif p.exists():
            files.append(p)
        else:
            name = p.as_posix()
            missing.append(
                FileResult(
                    name,
                    [
                        Finding(
                            "file",
                            "error",
                            T("文件或目录不存在", "no such file or folder"),
                            Location(file=name),
                            None,
                        )
                    ],
                    True,
                )
            )
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, missing


def lint_paths(paths: Sequence[str | Path], disabled: Iterable[str] = ()) -> list[FileResult]:
    files, results = discover(paths)
    skip = set(disabled)
    results = results + [lint_file(f, disabled=skip) for f in files]
    return sorted(results, key=lambda r: r.file)


def exit_code(results: Sequence[FileResult], strict: bool = False) -> int:
    if any(r.could_not_run for r in results):
        return 2
    bad = {"error", "warning"} if strict else {"error"}
    return 1 if any(f.severity in bad for r in results for f in r.findings) else 0


# ------------------------------------------------------------------ formats
def counts(results: Sequence[FileResult]) -> dict[Severity, int]:
    c: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
    for r in results:
        for f in r.findings:
            c[f.severity] += 1
    return c


def finding_line(f: Finding, lang: str) -> str:
    """``file:line:col: severity id message`` — the format editors and CI parse."""
    return f"{f.where.render()}: {f.severity} {f.rule} {f.text.get(lang)}"


def summary_line(results: Sequence[FileResult], lang: str) -> str:
    c = counts(results)
    n = len(results)
    if lang == "zh":
        if not any(c.values()):
            return f"没有发现问题（{n} 个文件）"
        return f"{c['error']} 个错误，{c['warning']} 个警告，{c['info']} 条提示（{n} 个文件）"
    if not any(c.values()):
        return f"no problems found ({n} file{'s' if n != 1 else ''})"
    return (
        f"{c['error']} error{'s' if c['error'] != 1 else ''}, {c['warning']} warning"
        f"{'s' if c['warning'] != 1 else ''}, {c['info']} info ({n} file{'s' if n != 1 else ''})"
    )


def format_text(
    results: Sequence[FileResult], lang: str, hints: bool = True
) -> list[tuple[str, str | None]]:
    """Lines of the text format, each with the severity to colour it by (None: plain).

    A rule's hint follows its first finding only: the same advice six times is noise."""
    out: list[tuple[str, str | None]] = []
    hinted: set[str] = set()
    for r in results:
        for f in r.findings:
            out.append((finding_line(f, lang), f.severity))
            if hints and f.hint is not None and f.rule not in hinted:
                hinted.add(f.rule)
                out.append(
                    ("    " + ("提示：" if lang == "zh" else "hint: ") + f.hint.get(lang), None)
                )
    return out


def format_json(results: Sequence[FileResult], lang: str) -> str:
    findings = []
    for r in results:
        for f in r.findings:
            findings.append(
                {
                    "file": f.where.file,
                    "line": f.where.line,
                    "col": f.where.col,
                    "severity": f.severity,
                    "rule": f.rule,
                    "message": f.text.get(lang),
                    "hint": f.hint.get(lang) if f.hint else None,
                }
            )
    doc = {
        "schema_version": 1,
        "tool": "sqops",
        "version": sqops.__version__,
        "files": [r.file for r in results],
        "summary": counts(results),
        "findings": findings,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def format_github(results: Sequence[FileResult], lang: str) -> list[str]:
    level = {"error": "error", "warning": "warning", "info": "notice"}
    lines = []
    for r in results:
        for f in r.findings:
            props = [f"file={_gh_escape(f.where.file or r.file, True)}"]
            if f.where.line is not None:
                props.append(f"line={f.where.line}")
            if f.where.col is not None:
                props.append(f"col={f.where.col}")
            props.append(f"title={_gh_escape('sqops ' + f.rule, True)}")
            msg = f.text.get(lang) + (f"\n{f.hint.get(lang)}" if f.hint else "")
            lines.append(f"::{level[f.severity]} {','.join(props)}::{_gh_escape(msg)}")
    return lines


def format_sarif(results: Sequence[FileResult], lang: str) -> str:
    level = {"error": "error", "warning": "warning", "info": "note"}
    rule_ids = sorted(RULES)
    rules = [
        {
            "id": rid,
            "name": "".join(w.capitalize() for w in rid.split("-")),
            "shortDescription": {"text": RULES[rid].title.get(lang)},
            "help": {"text": RULES[rid].hint.get(lang)},
            "defaultConfiguration": {"level": level[RULES[rid].severity]},
        }
        for rid in rule_ids
    ]
    sarif_results = []
    artifacts: list[str] = []
    for r in results:
        for f in r.findings:
            uri = quote((f.where.file or r.file).replace("\\", "/"))
            if uri not in artifacts:
                artifacts.append(uri)
            region = {}
            if f.where.line is not None:
                region["startLine"] = f.where.line
                if f.where.col is not None:
                    region["startColumn"] = f.where.col
            loc: dict[str, object] = {
                "artifactLocation": {"uri": uri, "index": artifacts.index(uri)}
            }
            if region:
                loc["region"] = region
            text = f.text.get(lang)
            res: dict[str, object] = {
                "ruleId": f.rule,
                "ruleIndex": rule_ids.index(f.rule),
                "level": level[f.severity],
                "message": {"text": text},
                "locations": [{"physicalLocation": loc}],
            }
            sarif_results.append(res)
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sqops",
                        "version": sqops.__version__,
                        "semanticVersion": sqops.__version__,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": [{"location": {"uri": a}} for a in artifacts],
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
