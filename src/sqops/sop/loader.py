"""Load an SOP file: safe YAML → :class:`~sqops.sop.model.Sop`, every problem located.

``load_sop`` raises :class:`~sqops.errors.SopError` listing *every* problem it found, each
with ``file:line:col``, a message in zh and en and, for unknown keys and values, a
"did you mean". Scripts referenced as files are read here (relative to the SOP, never
outside its folder); a missing file is kept as a problem for ``lint`` to report.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sqops.data.yamlsafe import Path_, Positions, load_yaml, path_text, read_source
from sqops.errors import InputError, Location, Problem, SopError, did_you_mean
from sqops.i18n import T
from sqops.sop.model import Sop

SCRIPT_FILE_RE = re.compile(r"^[\w.\-/]+\.(?:j2|jinja|jinja2|txt|md|tmpl)$")


@dataclass(frozen=True)
class ScriptSource:
    """The text of one script (one language variant), and where its first line is."""

    name: str
    lang: str | None  # None: the same text for every language
    text: str | None  # None when the file could not be read (see ``problem``)
    file: str  # the file the template text is in (the SOP itself for inline scripts)
    line: int  # line in ``file`` of the template's first line
    col: int
    problem: Problem | None = None

    def where(self, template_line: int | None = None) -> Location:
        if template_line is None:
            return Location(file=self.file, line=self.line, col=self.col)
        return Location(file=self.file, line=self.line + template_line - 1, col=1)


@dataclass
class LoadedSop:
    sop: Sop
    path: Path
    display: str  # the path as given by the user
    positions: Positions
    text: str
    scripts: dict[str, dict[str | None, ScriptSource]] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def where(self, path: Path_, *, key: bool = False) -> Location:
        line, col = self.positions.of_key(path) if key else self.positions.of_value(path)
        return Location(file=self.display, line=line, col=col)

    def script(self, name: str, lang: str) -> ScriptSource | None:
        variants = self.scripts.get(name)
        if not variants:
            return None
        return variants.get(lang) or variants.get(None) or next(iter(variants.values()))

    def column_maps(self) -> dict[str, dict[str, str]]:
        """The SOP's ``columns:`` checked like ``--columns`` by the one column-map model
        (:class:`sqops.data.columns.ColumnMap`; a wrong name points at its line):
        ``{table: {canonical: header}}``."""
        if not self.sop.columns:  # (the column maps' models not imported: ~13 CPU-ms)
            return {}
        from sqops.data.columns import ColumnMap, ColumnProblem

        out: dict[str, dict[str, str]] = {}
        for table, mapping in self.sop.columns.items():
            try:
                cmap = ColumnMap(table=table, columns=dict(mapping), file=self.display)
            except ColumnProblem as exc:
                raise InputError(
                    exc.text, self.where(("columns", table, exc.path[-1]), key=True)
                ) from None
            out[table] = dict(cmap.columns)
        return out


# ------------------------------------------------------------- pydantic → problems
_ZH: dict[str, str] = {
    "missing": "缺少必填的键 “{field}”",
    "int_parsing": "应为整数，读到的是 {input!r}",
    "int_type": "应为整数，读到的是 {input!r}",
    "int_from_float": "应为整数，读到的是 {input!r}",
    "float_parsing": "应为数字，读到的是 {input!r}",
    "float_type": "应为数字，读到的是 {input!r}",
    "string_type": "应为文本，读到的是 {input!r}",
    "bool_parsing": "应为 true 或 false，读到的是 {input!r}",
    "bool_type": "应为 true 或 false，读到的是 {input!r}",
    "list_type": "应为列表（每行以 - 开头，或写成 [a, b]）",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "date_parsing": "应为日期 YYYY-MM-DD，读到的是 {input!r}",
    "date_from_datetime_parsing": "应为日期 YYYY-MM-DD，读到的是 {input!r}",
    "date_from_datetime_inexact": "应为日期 YYYY-MM-DD（不带时间），读到的是 {input!r}",
    "date_type": "应为日期 YYYY-MM-DD，读到的是 {input!r}",
    "greater_than_equal": "应大于或等于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应小于或等于 {le}",
    "less_than": "应小于 {lt}",
    "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对：应匹配 {pattern}",
    "finite_number": "应为有限的数字",
}
_EN_MISSING = "missing required key '{field}'"


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types an annotation may hold (Optional/Union/Annotated unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def _model_at(path: Path_) -> type[BaseModel] | None:
    """The model class that validates the mapping at ``path`` of an SOP document."""
    current: list[Any] = [Sop]
    for part in path:
        nxt: list[Any] = []
        for ann in current:
            for t in _unwrap(ann):
                origin = typing.get_origin(t)
                if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(part, str):
                    if part in t.model_fields:
                        nxt.append(t.model_fields[part].annotation)
                elif origin is list and isinstance(part, int):
                    nxt.append(typing.get_args(t)[0])
                elif origin is dict and isinstance(part, str):
                    nxt.append(typing.get_args(t)[1])
        current = nxt
    for ann in current:
        for t in _unwrap(ann):
            if isinstance(t, type) and issubclass(t, BaseModel):
                return t
    return None


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Path_, bool]:
    """Keep the parts of a pydantic ``loc`` that exist in the data; True if it names a key."""
    out: list[str | int] = []
    node = data
    is_key = False
    for part in loc:
        if part == "[key]":
            is_key = True
            break
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and not _looks_like_type_tag(part):
            # a key that is missing or unknown: keep it so the message can name it
            out.append(part)
            node = None
        # else: a union branch tag such as 'int' or "literal['last']": skip
    return tuple(out), is_key


def _looks_like_type_tag(part: str) -> bool:
    return bool(
        re.match(
            r"^(int|str|float|bool|dict|list|none|literal|function-\w+|tagged-union|chain)\b", part
        )
    ) and ("[" in part or part in ("int", "str", "float", "bool", "dict", "list", "none"))


def _problem(err: ErrorDetails, data: Any, positions: Positions, display: str) -> Problem:
    etype = err["type"]
    path, is_key = _data_path(data, err["loc"])
    ctx = dict(err.get("ctx") or {})
    value = err.get("input")
    key_text = path_text(path)
    if etype == "missing":
        parent, fieldname = path[:-1], path[-1] if path else "?"
        line, col = positions.of_key(parent) if parent else (1, 1)
        text = T(_ZH["missing"].format(field=fieldname), _EN_MISSING.format(field=fieldname))
        return Problem(text, Location(file=display, line=line, col=col, key=key_text), "missing")
    if etype == "extra_forbidden":
        line, col = positions.of_key(path)
        unknown = path[-1] if path else "?"
        model = _model_at(path[:-1])
        allowed = sorted(model.model_fields) if model else []
        hint = did_you_mean(str(unknown), allowed)
        zh = f"未知的键 “{unknown}”"
        en = f"unknown key '{unknown}'"
        if hint:
            zh += f"，你是不是想写 “{hint}”？"
            en += f"; did you mean '{hint}'?"
        elif allowed:
            zh += "；这里可以用的键：" + "、".join(allowed)
            en += "; keys allowed here: " + ", ".join(allowed)
        return Problem(
            T(zh, en), Location(file=display, line=line, col=col, key=key_text), "unknown-key"
        )
    line, col = positions.of_key(path) if is_key else positions.of_value(path)
    where = Location(file=display, line=line, col=col, key=key_text)
    if etype == "sqops":
        return Problem(T(ctx["zh"], ctx["en"]), where, "invalid")
    if etype == "literal_error":
        expected = ctx.get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        hint = did_you_mean(str(value), options)
        what = "键" if is_key else "值"
        what_en = "key" if is_key else "value"
        zh = f"{what} {value!r} 不在允许的范围内：{'、'.join(options) or expected}"
        en = f"{what_en} {value!r} is not one of: {', '.join(options) or expected}"
        if hint:
            zh += f"；你是不是想写 “{hint}”？"
            en += f"; did you mean '{hint}'?"
        return Problem(T(zh, en), where, "invalid")
    en = err.get("msg", "invalid value")
    zh_t = _ZH.get(etype)
    if zh_t:
        try:
            zh = zh_t.format(input=value, **ctx)
        except (KeyError, IndexError, ValueError):
            zh = "取值无效：" + en
    else:
        zh = "取值无效：" + en
    if etype in (
        "int_parsing",
        "float_parsing",
        "string_type",
        "bool_parsing",
        "date_parsing",
        "date_from_datetime_parsing",
    ):
        en = f"{en}, got {value!r}"
    return Problem(T(zh, en), where, "invalid")


def problems_from_validation(
    exc: ValidationError, data: Any, positions: Positions, display: str
) -> list[Problem]:
    seen: set[tuple[int | None, int | None, str]] = set()
    out: list[Problem] = []
    by_path: dict[Path_, list[ErrorDetails]] = {}
    for err in exc.errors(include_url=False):
        path, _ = _data_path(data, err["loc"])
        by_path.setdefault(path, []).append(err)
    for _path, errs in by_path.items():
        # a union reports one error per branch: keep our own message if there is one
        own = [e for e in errs if e["type"] in ("sqops", "extra_forbidden", "missing")]
        chosen = own or errs[:1] if len({e["loc"] for e in errs}) > 1 else errs
        for err in chosen:
            prob = _problem(err, data, positions, display)
            k = (prob.where.line, prob.where.col, prob.text.en)
            if k not in seen:
                seen.add(k)
                out.append(prob)
    out.sort(key=lambda p: (p.where.line or 0, p.where.col or 0))
    return out


# ------------------------------------------------------------------ entry points
def _script_sources(
    sop: Sop, positions: Positions, base: Path, display: str
) -> dict[str, dict[str | None, ScriptSource]]:
    out: dict[str, dict[str | None, ScriptSource]] = {}
    for name, value in sop.scripts.items():
        variants: dict[str | None, ScriptSource] = {}
        items: list[tuple[str | None, str, Path_]]
        if isinstance(value, dict):
            items = [(lang, text, ("scripts", name, lang)) for lang, text in value.items()]
        else:
            items = [(None, value, ("scripts", name))]
        for lang, text, path in items:
            line, col = positions.of_value(path)
            if path in positions.blocks:
                line, col = line + 1, 1
            if "\n" not in text and SCRIPT_FILE_RE.match(text.strip()):
                variants[lang] = _read_script_file(
                    name, lang, text.strip(), base, display, line, col
                )
            else:
                variants[lang] = ScriptSource(name, lang, text, display, line, col)
        out[name] = variants
    return out


def _read_script_file(
    name: str, lang: str | None, rel: str, base: Path, display: str, line: int, col: int
) -> ScriptSource:
    where = Location(file=display, line=line, col=col)
    file_display = (Path(display).parent / rel).as_posix()
    target = (base / rel).resolve()
    if Path(rel).is_absolute() or not target.is_relative_to(base.resolve()):
        prob = Problem(
            T(
                "脚本文件 {r} 不在 SOP 所在的文件夹内；出于安全考虑只读取 SOP 旁边的文件",
                "script file {r} is outside the SOP's folder; only files next to the SOP are read",
            ).format(r=rel),
            where,
            "script-file",
        )
        return ScriptSource(name, lang, None, display, line, col, prob)
    try:
        text = read_source(target, file_display)
    except InputError as exc:
        prob = Problem(
            T(
                f"脚本 “{name}” 的文件 {rel} 无法读取：{exc.text.zh}",
                f"script '{name}' file {rel} cannot be read: {exc.text.en}",
            ),
            where,
            "script-file",
        )
        return ScriptSource(name, lang, None, display, line, col, prob)
    return ScriptSource(name, lang, text, file_display, 1, 1)


def parse_sop(text: str, display: str, base_dir: Path | None = None) -> LoadedSop:
    """Validate SOP ``text`` (already decoded). Raises :class:`SopError` with every problem."""
    data, positions = load_yaml(text, display)
    if not isinstance(data, dict):
        if data is None:
            text_ = T(
                "文件是空的：SOP 文件至少要有 version: 1 和 community:（sqops init 可生成一份）",
                "the file is empty: an SOP needs at least version: 1 and community: "
                "(sqops init writes one)",
            )
        else:
            text_ = T(
                "SOP 文件的顶层应为映射（version: 1、community: ...）",
                "the top level of an SOP file should be a mapping (version: 1, community: ...)",
            )
        where = Location(file=display, line=1, col=1)
        raise SopError(text_, where, problems=[Problem(text_, where, "invalid")])
    try:
        sop = Sop.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_validation(exc, data, positions, display)
        raise SopError(problems[0].text, problems[0].where, problems=problems) from None
    base = base_dir if base_dir is not None else Path(".")
    loaded = LoadedSop(sop, base / Path(display).name, display, positions, text)
    loaded.scripts = _script_sources(sop, positions, base, display)
    return loaded


def load_sop(path: str | Path) -> LoadedSop:
    """Read and validate an SOP file. Raises :class:`SopError` / :class:`InputError`."""
    p = Path(path)
    display = p.as_posix()
    text = read_source(p, display)
    loaded = parse_sop(text, display, p.parent)
    loaded.path = p
    return loaded


def is_sop_document(text: str) -> bool:
    """Cheap check used when linting folders: does this YAML declare ``version`` and ``community``?"""
    has_version = re.search(r"^version\s*:", text, re.M) is not None
    has_community = re.search(r"^community\s*:", text, re.M) is not None
    return has_version and has_community
