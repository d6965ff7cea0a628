"""The starter SOPs that ``sqops init`` writes: finding them, reading them, filling them in.

The templates are the files ``{type}.{lang}.yaml`` of the top-level ``sop_templates/`` folder
of the source tree. A wheel ships that folder as ``sqops/sop_templates`` (pyproject
force-include), where :func:`templates_dir` finds it with :mod:`importlib.resources`; in a
source checkout or an editable install the package has no such folder and the repository's
own ``sop_templates/`` is used instead.

Filling a template never re-dumps the YAML (that would lose the comments that explain every
key to a newcomer): each value ``init`` may set sits on a line whose comment carries a marker
such as ``[init:name]``, and only that line's value is replaced, by a YAML double-quoted
string escaped by :func:`yaml_quote`. Nothing here prints, exits or reads the clock.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from sqops.errors import InputError, Location, UsageError
from sqops.i18n import LANGS, T

#: The community types there is a starter SOP for (community.type).
TEMPLATE_TYPES: tuple[str, ...] = ("broadcast", "refined", "service", "store")

#: What each type is, for help texts and docs.
TYPE_NAMES: dict[str, T] = {
    "broadcast": T("群发推广型：高频推送优惠的福利群", "broadcast — a high-frequency deals group"),
    "refined": T(
        "精细化运营型：围绕一个兴趣长期经营的会员群",
        "refined — a member community run around one interest",
    ),
    "service": T("客户服务型：售后答疑与使用指导群", "service — an after-sales help group"),
    "store": T(
        "门店群（S2B2C）：平台每天备好素材，各门店店主转发到自己的顾客群",
        "store (S2B2C) — the platform prepares daily material that store owners forward to their customer groups",
    ),
}

#: The values ``init`` can set, and the marker that tags the line holding each.
FIELDS: tuple[str, ...] = ("name", "platform", "launch")
_MARKER_RE = {f: re.compile(rf"#.*\[init:{f}\]") for f in FIELDS}
# "  key: value   # comment [init:x]" → indent+key, value, comment
_LINE_RE = re.compile(r"^(?P<head>\s*[A-Za-z_]+:[ \t]+)(?P<value>\S.*?)(?P<tail>[ \t]+#.*)$")


def template_filename(type_: str, lang: str) -> str:
    return f"{type_}.{lang}.yaml"


def _has_templates(folder: Traversable) -> bool:
    try:
        return (
            folder.is_dir()
            and folder.joinpath(template_filename(TEMPLATE_TYPES[0], LANGS[0])).is_file()
        )
    except OSError:
        return False


def source_templates_dir() -> Path:
    """The ``sop_templates/`` folder of a source checkout (``src/sqops/sop`` → repo root)."""
    return Path(__file__).resolve().parents[3] / "sop_templates"


def templates_dir() -> Traversable:
    """Where the templates are: inside the installed package, else in the source checkout."""
    packaged = resources.files("sqops").joinpath("sop_templates")
    if _has_templates(packaged):
        return packaged
    source = source_templates_dir()
    if _has_templates(source):
        return source
    raise InputError(
        T(
            "找不到 SOP 模板（sqops/sop_templates）：安装可能不完整，请重新安装 sqops",
            "the SOP templates (sqops/sop_templates) cannot be found: the installation looks "
            "incomplete; reinstall sqops",
        ),
        Location(file="sqops/sop_templates"),
    )


def available_templates() -> list[tuple[str, str]]:
    """Every (type, lang) that has a template file, sorted."""
    folder = templates_dir()
    names = {entry.name for entry in folder.iterdir()}
    return [
        (t, lang) for t in TEMPLATE_TYPES for lang in LANGS if template_filename(t, lang) in names
    ]


def read_template(type_: str, lang: str) -> str:
    """The text of the starter SOP of ``type_`` in ``lang`` (zh | en)."""
    if type_ not in TEMPLATE_TYPES:
        raise UsageError(
            T(
                "没有 “{t}” 类型的模板；可选：{a}",
                "there is no template of type '{t}'; choose one of: {a}",
            ).format(t=type_, a=", ".join(TEMPLATE_TYPES))
        )
    if lang not in LANGS:
        raise UsageError(
            T(
                "模板语言只能是 zh 或 en，而不是 “{l}”",
                "a template's language is zh or en, not '{l}'",
            ).format(l=lang)
        )
    entry = templates_dir().joinpath(template_filename(type_, lang))
    try:
        return entry.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            T("无法读取模板 {f}：{e}", "cannot read template {f}: {e}").format(
                f=template_filename(type_, lang), e=exc
            ),
            Location(file=f"sqops/sop_templates/{template_filename(type_, lang)}"),
        ) from None


# ------------------------------------------------------------------ quoting
# Characters a YAML stream may contain as they are (YAML 1.1 §5.1, as PyYAML's reader checks),
# minus the ones YAML treats as line breaks (NEL, LS, PS), which must be escaped inside a scalar.
_PRINTABLE_RE = re.compile("[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NAMED_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


#: Characters written as escapes although YAML allows them raw: format characters (BOM,
#: zero-width and bidirectional controls) and private-use/unassigned code points are invisible
#: or misleading in an editor.
_INVISIBLE = frozenset({"Cf", "Co", "Cn"})


def yaml_quote(value: str) -> str:
    """``value`` as a YAML double-quoted scalar that reads back as exactly ``value``.

    Quotes and backslashes are escaped, and so is every character a YAML stream may not
    hold as it is (controls, line breaks, lone surrogates) or that would be invisible in an
    editor (BOM, zero-width and bidi controls): ``#``, ``:`` and the like are plain text
    inside double quotes.
    """
    out = ['"']
    for ch in value:
        if ch in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[ch])
        elif _PRINTABLE_RE.fullmatch(ch) and unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        elif ord(ch) <= 0xFF:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


# ------------------------------------------------------------------ filling in
def _set_marked(text: str, field: str, literal: str, where: str) -> str:
    lines = text.splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if _MARKER_RE[field].search(line)]
    if len(hits) != 1:
        raise InputError(
            T(
                "模板 {f} 中标记 [init:{k}] 的行应恰好有一行，实际有 {n} 行",
                "template {f} should have exactly one line marked [init:{k}]; it has {n}",
            ).format(f=where, k=field, n=len(hits)),
            Location(file=where),
        )
    i = hits[0]
    body = lines[i].rstrip("\r\n")
    ending = lines[i][len(body) :]
    m = _LINE_RE.match(body)
    if not m:
        raise InputError(
            T(
                "模板 {f} 第 {l} 行的 [init:{k}] 不是 “键: 值  # 注释” 的形式",
                "template {f} line {l}: the [init:{k}] line is not of the form 'key: value  # comment'",
            ).format(f=where, l=i + 1, k=field),
            Location(file=where, line=i + 1),
        )
    # keep the comment in its column when the new value fits (the templates align them)
    tail = m.group("tail")
    comment = tail.lstrip(" \t")
    width = len(m.group("value")) + len(tail) - len(comment)
    pad = " " * max(2, width - len(literal))
    lines[i] = m.group("head") + literal + pad + comment + ending
    return "".join(lines)


def check_name(name: str) -> str:
    """A community name as ``--name`` gives it: stripped, not empty, one line."""
    value = name.strip()
    if not value:
        raise UsageError(T("--name 不能为空", "--name must not be empty"))
    if any(not _PRINTABLE_RE.fullmatch(ch) for ch in value):
        raise UsageError(
            T(
                "--name 不能包含换行、制表符或其他控制字符",
                "--name must not contain line breaks, tabs or other control characters",
            )
        )
    return value


def fill_template(
    text: str,
    *,
    name: str | None = None,
    platform: str | None = None,
    launch: dt.date | None = None,
    where: str = "template",
) -> str:
    """Set the community name, platform and launch day on their marked lines of ``text``.

    Values left as ``None`` keep the template's own. Every other byte of the text, comments
    included, is unchanged.
    """
    if name is not None:
        text = _set_marked(text, "name", yaml_quote(check_name(name)), where)
    if platform is not None:
        text = _set_marked(text, "platform", platform, where)
    if launch is not None:
        text = _set_marked(text, "launch", launch.isoformat(), where)
    return text


def starter_sop(
    type_: str,
    lang: str,
    *,
    name: str | None = None,
    platform: str | None = None,
    launch: dt.date | None = None,
) -> str:
    """The text ``sqops init`` writes: the template of ``type_`` in ``lang``, filled in."""
    text = read_template(type_, lang)
    return fill_template(
        text,
        name=name,
        platform=platform,
        launch=launch,
        where=f"sop_templates/{template_filename(type_, lang)}",
    )


__all__ = [
    "FIELDS",
    "TEMPLATE_TYPES",
    "TYPE_NAMES",
    "available_templates",
    "check_name",
    "fill_template",
    "read_template",
    "source_templates_dir",
    "starter_sop",
    "template_filename",
    "templates_dir",
    "yaml_quote",
]
