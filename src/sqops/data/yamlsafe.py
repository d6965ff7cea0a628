"""A YAML loader for files people write by hand, that keeps every value's position.

PyYAML alone is not safe for an SOP file: it accepts duplicate keys silently, reads
``18:30`` as the integer 1110 and ``NO`` as ``False`` (YAML 1.1), expands aliases without
bound, and forgets where each value came from. This module composes the node tree with
PyYAML's parser and builds plain Python values itself:

* scalars are resolved with the YAML 1.2 core schema: only ``true``/``false`` are booleans,
  only ``null``/``~``/empty are null, ``18:30`` and ``2026-12-01`` stay strings (the model
  parses them), ``010`` is ten;
* a duplicate key is an error that names both lines;
* only the standard tags are accepted (no ``!!python/...``, no ``!!binary``);
* aliases may be used, but the expanded document is bounded in nodes and depth;
* every mapping key and value gets a ``(line, col)``, 1-based, for error messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from sqops.data.decode import decode_bytes
from sqops.errors import InputError, Location, Problem, SopError, read_bytes
from sqops.i18n import T

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 50_000  # the example SOP has ~220; 8,000 inline groups stay under it
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class _Core12Resolver(BaseResolver):
    """YAML 1.2 core schema resolution (no sexagesimal ints, no yes/no/on/off booleans)."""


_Core12Resolver.yaml_implicit_resolvers = {}
_Core12Resolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Core12Resolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Core12Resolver.add_implicit_resolver(
    _INT,
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Core12Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Core12Resolver.add_implicit_resolver(_MERGE, re.compile(r"^<<$"), ["<"])


class _Composer(Reader, Scanner, Parser, Composer, _Core12Resolver):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Core12Resolver.__init__(self)


try:  # libyaml's parser and composer (see load_yaml), with the same resolver, nodes and
    # marks
    from yaml.cyaml import CParser

    class _CComposer(CParser, _Core12Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _Core12Resolver.__init__(self)

except ImportError:  # PyYAML built without libyaml
    _CComposer = None  # type: ignore[assignment, misc]


#: what libyaml and the Python parser read differently, found by fuzzing one against the
#: other: tabs (libyaml accepts some the Python parser refuses); NEL, the Unicode line and
#: paragraph separators and a BOM inside the text (other lines and columns); ``?`` (a key
#: indicator anywhere in a flow collection for the Python parser); ``|-#`` (a block scalar
#: header with a comment stuck to it). A text with any of them goes to the Python parser.
_C_DIFFERS = re.compile("[\t\x85\u2028\u2029\ufeff?]|[|>][-+0-9]*#")


def _empty_in_flow(node: Node | None) -> bool:
    """Whether a ``{a: }`` / ``[a, , b]``-style empty value is in the tree (libyaml places it
    at the next token, the Python parser right after the indicator)."""
    stack, seen = [node], set()
    while stack:
        n = stack.pop()
        if n is None or id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, MappingNode):
            items = [x for kv in n.value for x in kv]
        elif isinstance(n, SequenceNode):
            items = n.value
        else:
            continue
        if n.flow_style and any(
            isinstance(x, ScalarNode) and x.value == "" and not x.style for x in items
        ):
            return True
        stack.extend(items)
    return False


def _compose(text: str, composer: type) -> Node | None:
    loader = composer(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded document stands in the file."""

    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    #: values written as block scalars (``|`` or ``>``): their text starts on the next line
    blocks: set[Path_] = field(default_factory=set)

    def of_value(self, path: Path_) -> tuple[int, int]:
        """The position of the value at ``path``, or of its nearest existing ancestor."""
        p = tuple(path)
        while p:
            if p in self.values:
                return self.values[p]
            p = p[:-1]
        return self.values.get((), (1, 1))

    def of_key(self, path: Path_) -> tuple[int, int]:
        """The position of the key that introduces ``path`` (falls back to its value)."""
        p = tuple(path)
        if p in self.keys:
            return self.keys[p]
        return self.of_value(p)


def path_text(path: Path_) -> str:
    """``("cadence", "daily", 0, "time")`` → ``cadence.daily[0].time``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _too_large(n: int | None = None) -> T:
    if n is None:
        return T(
            "文件过大（超过 {m} 字节）：SOP 文件应为手写的小文件",
            "file is too large (over {m} bytes): an SOP file is a small hand-written file",
        ).format(m=MAX_BYTES)
    return T(
        "文件过大（{n} 字节，上限 {m}）：SOP 文件应为手写的小文件",
        "file is too large ({n} bytes, limit {m}): an SOP file is a small hand-written file",
    ).format(n=n, m=MAX_BYTES)


def decode_source(data: bytes, filename: str) -> str:
    """Bytes of a hand-written file → text. UTF-8 with or without BOM; a clear error otherwise
    (the one decoding policy, :mod:`sqops.data.decode`, for hand-written files)."""
    if len(data) > MAX_BYTES:
        raise InputError(_too_large(len(data)), Location(file=filename))
    return decode_bytes(data, filename, hand_written=True)[0]


def read_source(path: str | Path, display: str | None = None) -> str:
    """Read a hand-written text file (bounded size, UTF-8) with errors that name it."""
    name = display or Path(path).as_posix()
    data = read_bytes(path, name, MAX_BYTES, _too_large())
    return decode_source(data, name)


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.positions = Positions()
        self.count = 0
        self.problems: list[Problem] = []
        self.stack: set[int] = set()

    def fail(self, node: Node, text: T) -> None:
        line, col = _mark(node)
        raise SopError(text, Location(file=self.filename, line=line, col=col))

    def build(self, node: Node, path: Path_, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            self.fail(
                node,
                T(
                    "展开别名后节点过多（上限 {n}）：文件可能是“别名炸弹”",
                    "too many nodes after expanding aliases (limit {n}): possibly an alias bomb",
                ).format(n=MAX_NODES),
            )
        if depth > MAX_DEPTH:
            self.fail(
                node,
                T("嵌套层级过深（上限 {n}）", "nested too deeply (limit {n})").format(n=MAX_DEPTH),
            )
        if id(node) in self.stack:
            self.fail(
                node,
                T("别名引用了自身（循环引用）", "an alias refers to itself (recursive structure)"),
            )
        self.positions.values.setdefault(path, _mark(node))
        if isinstance(node, ScalarNode):
            if node.style in ("|", ">"):
                self.positions.blocks.add(path)
            return self.scalar(node)
        self.stack.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                if node.tag != _SEQ:
                    self.bad_tag(node)
                return [
                    self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)
                ]
            if isinstance(node, MappingNode):
                if node.tag != _MAP:
                    self.bad_tag(node)
                return self.mapping(node, path, depth)
        finally:
            self.stack.discard(id(node))
        self.fail(node, T("无法识别的 YAML 节点", "unrecognised YAML node"))  # pragma: no cover
        return None  # pragma: no cover

    def bad_tag(self, node: Node) -> None:
        self.fail(
            node,
            T(
                "不支持的 YAML 标签 {t}（只允许普通的字符串、数字、列表和映射）",
                "unsupported YAML tag {t} (only plain strings, numbers, lists and mappings are allowed)",
            ).format(t=node.tag),
        )

    def scalar(self, node: ScalarNode) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            if re.match(r"^[-+]?0[0-9]+$", value):
                # 001, 0830: an id or a code, not a number (int fields still accept it)
                return value
            try:
                if value.startswith("0o"):
                    return int(value[2:], 8)
                if value.startswith("0x"):
                    return int(value[2:], 16)
                return int(value, 10)
            except ValueError:
                self.fail(
                    node, T("无法读取的整数：{v}", "unreadable integer: {v}").format(v=value[:40])
                )
        if tag == _FLOAT:
            low = value.lower()
            if low.endswith(".inf"):
                return float("-inf") if low.startswith("-") else float("inf")
            if low == ".nan":
                return float("nan")
            try:
                return float(value)
            except ValueError:
                self.fail(
                    node, T("无法读取的数字：{v}", "unreadable number: {v}").format(v=value[:40])
                )
        if tag == _MERGE:
            return value
        self.bad_tag(node)
        return None  # pragma: no cover

    def mapping(self, node: MappingNode, path: Path_, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        seen: dict[Any, tuple[int, int]] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.fail(
                    key_node, T("映射的键必须是简单的值", "a mapping key must be a plain value")
                )
            key = self.scalar(key_node)
            if isinstance(key, float) and key != key:
                self.fail(key_node, T("键不能是 NaN", "a key cannot be NaN"))
            if key in seen:
                line, col = seen[key]
                self.fail(
                    key_node,
                    T(
                        "重复的键 “{k}”（第一次出现在第 {l} 行）；YAML 会悄悄保留后一个，请删除其中一个",
                        "duplicate key '{k}' (first at line {l}); YAML would silently keep the last one",
                    ).format(k=key, l=line),
                )
            seen[key] = _mark(key_node)
            child = (*path, key)
            self.positions.keys[child] = _mark(key_node)
            out[key] = self.build(value_node, child, depth + 1)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for src in sources:
                if not isinstance(src, MappingNode):
                    self.fail(
                        src,
                        T(
                            "合并键 << 的值必须是映射",
                            "the value of a merge key << must be a mapping",
                        ),
                    )
                merged = self.build(src, path, depth + 1)
                for k, v in merged.items():
                    out.setdefault(k, v)
        return out


def load_yaml(text: str, filename: str) -> tuple[Any, Positions]:
    """Parse one YAML document. Raises :class:`SopError` with the file, line and column.

    libyaml reads the text when PyYAML has it and the text has nothing it reads differently
    (:data:`_C_DIFFERS`, :func:`_empty_in_flow`): ~7x faster, an SOP listing 1,500 groups
    takes 0.9 s in Python. Whatever libyaml cannot read, the Python parser reads again, so
    an error (its wording and position) is always the one the Python parser gives. The two
    are compared on fuzzed texts in the tests.
    """
    if _CComposer is not None and not _C_DIFFERS.search(text):
        try:
            node = _compose(text, _CComposer)
            if not _empty_in_flow(node):
                return _build(filename, node)
        except (yaml.YAMLError, SopError, RecursionError):
            pass
    return _build(filename, _read_node(text, filename))


def _read_node(text: str, filename: str) -> Node | None:
    """The Python parser's node tree; its errors as :class:`SopError`."""
    try:
        return _compose(text, _Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if exc.context and exc.problem:
            problem = f"{problem} ({exc.context})"
        where = Location(file=filename)
        if mark is not None:
            where = Location(file=filename, line=mark.line + 1, col=mark.column + 1)
        raise SopError(
            T("YAML 语法错误：{p}", "YAML syntax error: {p}").format(p=problem), where
        ) from None
    except yaml.reader.ReaderError as exc:
        idx = exc.position
        line = text.count("\n", 0, idx) + 1
        col = idx - (text.rfind("\n", 0, idx) + 1) + 1
        raise SopError(
            T("文件含有不可打印字符 {c}", "file contains a non-printable character {c}").format(
                c=f"U+{exc.character:04X}"
                if isinstance(exc.character, int)
                else repr(exc.character)
            ),
            Location(file=filename, line=line, col=col),
        ) from None
    except yaml.YAMLError as exc:
        raise SopError(
            T("YAML 错误：{e}", "YAML error: {e}").format(e=exc), Location(file=filename)
        ) from None
    except RecursionError:
        raise SopError(T("嵌套层级过深", "nested too deeply"), Location(file=filename)) from None


def _build(filename: str, node: Node | None) -> tuple[Any, Positions]:
    if node is None:
        return None, Positions()
    builder = _Builder(filename)
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise SopError(T("嵌套层级过深", "nested too deeply"), Location(file=filename)) from None
    return data, builder.positions
