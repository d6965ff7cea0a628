"""Announcement scripts: Jinja2 templates rendered in an immutable sandbox.

Scripts come from SOP files that people share, so they are untrusted: they are rendered
with :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` (no access to Python internals,
no mutation of the context), :class:`jinja2.StrictUndefined` (a misspelt variable is an
error, never an empty string), bounded ``range``, a bounded size for every value a filter,
method or operator makes (checked *before* it is made: a ``center(10**12)`` is refused, not
allocated; see :class:`_Sandbox`), a bounded output size and a time limit. The context a script sees is documented
in ``docs/scripts.md`` and built by :func:`build_context` — ``lint`` and ``plan`` use the
same one, so what lints clean renders.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import re
import signal
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.meta
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import Concat
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, SecurityError
from jinja2.utils import Namespace

from sqops.domain.stages import STAGE, lifecycle_day, stage_of_index
from sqops.errors import Location, TemplateError
from sqops.i18n import WEEKDAYS, T

MAX_OUTPUT_CHARS = 20_000  # one chat message is far shorter; a long script is a mistake
MAX_RANGE = 1_000
MAX_SEQUENCE = 100_000
RENDER_SECONDS = 2.0
#: characters all the filters, methods, operators and ``{{ }}`` of one render may make in
#: total (a loop of many bounded values is bounded too)
MAX_WORK = 10 * MAX_SEQUENCE

#: Every variable a script may use, with what it holds (documented in docs/scripts.md).
CONTEXT_VARS: dict[str, T] = {
    "community": T(
        "社群：name, platform, type, timezone, language, max_members",
        "the community: name, platform, type, timezone, language, max_members",
    ),
    "positioning": T(
        "定位：target_users, pain_point, solution, persona.tags, persona.description",
        "positioning: target_users, pain_point, solution, persona.tags, persona.description",
    ),
    "group": T("当前群：id, name, launched_on, vars", "this group: id, name, launched_on, vars"),
    "vars": T(
        "当前群的自定义变量（group.vars 的简写）",
        "this group's own variables (short for group.vars)",
    ),
    "date": T("发布日期（date 对象）", "the day it is posted (a date)"),
    "weekday": T(
        "星期几，按报告语言（周六 / Sat）", "the weekday in the report language (周六 / Sat)"
    ),
    "day": T("建群第几天（建群当天 = 1）", "lifecycle day (launch day = 1)"),
    "stage": T(
        "阶段：launch / activation / monetisation / retention",
        "stage: launch / activation / monetisation / retention",
    ),
    "stage_name": T(
        "阶段名称，按报告语言（初建期 / launch）", "the stage's name in the report language"
    ),
    "item": T(
        "本条安排：title, time, kind, owner, person, id",
        "this item: title, time, kind, owner, person, id",
    ),
    "campaign": T(
        "活动（仅活动及其倒计时）：title, date, time；否则为 none",
        "the campaign (campaign items and countdowns only): title, date, time; else none",
    ),
    "countdown": T(
        "倒计时剩余天数（仅倒计时提醒），否则为 none",
        "days left (countdown reminders only), else none",
    ),
    "rules": T(
        "群规：forbidden, required, quiet_hours, max_posts_per_day",
        "the rules: forbidden, required, quiet_hours, max_posts_per_day",
    ),
    "roles": T(
        "按角色查人：roles.owner.name、roles.support.members",
        "people by role: roles.owner.name, roles.support.members",
    ),
    "owner_name": T("负责本条的人", "the person who posts this item"),
    "lang": T("脚本语言：zh 或 en", "the script's language: zh or en"),
}


def zh_date(value: dt.date | dt.datetime) -> str:
    """``2026-12-12`` → ``12月12日 周六``."""
    return f"{value.month}月{value.day}日 {WEEKDAYS['zh'][value.weekday()]}"


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def en_date(value: dt.date | dt.datetime) -> str:
    """``2026-12-12`` → ``Sat 12 Dec``."""
    return f"{WEEKDAYS['en'][value.weekday()]} {value.day} {_MONTHS_EN[value.month - 1]}"


def money(value: Any, symbol: str = "¥") -> str:
    """``1299`` → ``¥1,299.00``."""
    return f"{symbol}{float(value):,.2f}"


def _weekday(value: dt.date | dt.datetime, lang: str = "zh") -> str:
    return WEEKDAYS["zh" if lang == "zh" else "en"][value.weekday()]


FILTERS: dict[str, T] = {
    "zh_date": T("中文日期：12月12日 周六", "Chinese date: 12月12日 周六"),
    "en_date": T("英文日期：Sat 12 Dec", "English date: Sat 12 Dec"),
    "weekday": T("星期几：date | weekday('en')", "weekday name: date | weekday('en')"),
    "money": T("金额：1299 | money → ¥1,299.00", "amount: 1299 | money → ¥1,299.00"),
}


# ---------------------------------------------------------------- bounds on values
#
# Every value a script makes is bounded before it is made: a width or precision (``center``,
# ``ljust``, ``rjust``, ``zfill``, ``indent``, format specs) at most MAX_OUTPUT_CHARS, a string
# or list at most MAX_SEQUENCE, any other integer argument of a filter or method at most
# MAX_SEQUENCE, and all of them together at most MAX_WORK per render. A refusal is a
# SecurityError, which render() reports as a located TemplateError.

_work = threading.local()  # .left: what the current render may still make (None: no render)


class _TooLarge(SecurityError):
    """A value past a bound, refused before it is made (``text``: in both languages)."""

    def __init__(self, text: T) -> None:
        super().__init__(text.en)
        self.text = text


def _refuse(what: str, size: int, limit: int) -> _TooLarge:
    return _TooLarge(
        T(
            "{w} 会产生 {n:,} 个字符或元素（上限 {m:,}）",
            "{w} would make {n:,} characters or items (the limit is {m:,})",
        ).format(w=what, n=size, m=limit)
    )


def _spend(size: int) -> None:
    left = getattr(_work, "left", None)
    if left is None:
        return
    left -= size
    _work.left = left
    if left < 0:
        raise _TooLarge(
            T(
                "脚本一共产生了超过 {m:,} 个字符",
                "the script makes more than {m:,} characters in all",
            ).format(m=MAX_WORK)
        )


def _check(what: str, size: int, limit: int = MAX_SEQUENCE) -> None:
    """Refuse a value of ``size`` characters or items before it is made."""
    if size > limit:
        raise _refuse(what, size, limit)


def _width(what: str, width: Any) -> int:
    """A width or precision argument (an int, or an indent string's length), bounded."""
    n = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    _check(what, abs(n), MAX_OUTPUT_CHARS)
    return abs(n)


def _ints(what: str, args: Iterable[Any]) -> None:
    for a in args:
        if isinstance(a, int) and not isinstance(a, bool) and abs(a) > MAX_SEQUENCE:
            raise _TooLarge(
                T(
                    "{w}：参数 {a} 太大（上限 {m:,}）",
                    "{w}: the argument {a} is too large (the limit is {m:,})",
                ).format(w=what, a=a, m=MAX_SEQUENCE)
            )


def _text_size(value: Any, limit: int = MAX_SEQUENCE) -> int:
    """About how many characters ``str(value)`` makes, without making it (stops counting
    past ``limit``)."""
    if type(value) is str:
        return len(value) + 2
    total = 0
    seen: set[int] = set()
    stack = [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, str | bytes | bytearray):
            total += len(v) + 2
        elif isinstance(v, bool) or v is None:
            total += 5
        elif isinstance(v, int):
            total += v.bit_length() // 3 + 2
        elif isinstance(v, float | dt.date | dt.time | dt.timedelta):
            total += 32
        elif isinstance(v, list | tuple | set | frozenset | dict | Namespace):
            if id(v) in seen:
                total += 5
                continue
            seen.add(id(v))
            if isinstance(v, Namespace):
                v = getattr(v, "_Namespace__attrs", {})
            items = list(v.items()) if isinstance(v, dict) else list(v)
            total += 2 + 2 * len(items)
            for item in items:
                if isinstance(item, tuple) and isinstance(v, dict):
                    stack.extend(item)
                else:
                    stack.append(item)
        else:
            total += 64
    return total


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[a-zA-Z%]")
_NUMBERS = re.compile(r"\d+")


def _printf_check(fmt: str, args: Any) -> None:
    """``fmt % args``: its widths and precisions, and about the size it makes."""
    specs = _PRINTF.findall(fmt)
    widest = 0
    for width, precision in specs:
        for part in (width, precision):
            if part == "*":
                _ints("a '*' width", args if isinstance(args, tuple) else (args,))
                for a in args if isinstance(args, tuple) else (args,):
                    if isinstance(a, int) and not isinstance(a, bool):
                        widest = max(widest, _width("a format width", a))
            elif part:
                widest = max(widest, _width("a format width", int(part)))
    largest = _text_size(args)
    _check("the format", len(fmt) + len(specs) * (largest + widest))


def _spec_check(spec: str) -> int:
    """A ``str.format`` spec (``>99999999999``, ``.{w}f``): its widest number, bounded."""
    widest = 0
    for n in _NUMBERS.findall(spec):
        widest = max(widest, _width("a format width", int(n)))
    return widest


class _BoundedFormatter(SandboxedFormatter):
    """``str.format`` in scripts: every field's spec and size checked before it is made."""

    def vformat(self, format_string: str, args: Any, kwargs: Any) -> str:
        self._size = len(format_string)
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        self._size += max(_text_size(value), _spec_check(format_spec))
        _check("format()", self._size)
        _spend(self._size)
        return super().format_field(value, format_spec)


def _method_check(obj: Any, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """The size a built-in method of a script's value would make, before it makes it."""
    _ints(f".{name}()", (*args, *kwargs.values()))
    if not isinstance(obj, str | bytes | bytearray):
        return
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _width(f".{name}()", args[0])
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        tabs = obj.count("\t") if isinstance(obj, str) else obj.count(b"\t")
        _check(".expandtabs()", len(obj) + tabs * _width(".expandtabs()", tab))
    elif name == "replace" and len(args) >= 2:
        _check(
            ".replace()", _replaced_size(obj, args[0], args[1], args[2] if len(args) > 2 else -1)
        )
    elif name == "join" and args:
        _check(".join()", _joined_size(args[0], obj))
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        _check(".translate()", len(obj) * max(longest, 1))


def _replaced_size(s: Any, old: Any, new: Any, count: Any) -> int:
    if not isinstance(s, str | bytes | bytearray) or not hasattr(new, "__len__"):
        return 0
    try:
        found = s.count(old) if len(old) else len(s) + 1
    except TypeError:
        return 0
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(s) + found * max(len(new) - len(old), 0)


def _joined_size(items: Any, sep: Any) -> int:
    if not isinstance(items, list | tuple | set | frozenset | dict | str):
        return 0  # (a generator: its items are bounded as they are made)
    n = len(items)
    return _text_size(list(items)) + max(n - 1, 0) * _text_size(sep)


def _bounded_method(obj: Any, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        _method_check(obj, name, args, kwargs)
        result = method(*args, **kwargs)
        if isinstance(result, str | bytes | list | tuple):
            _spend(len(result))
        return result

    return call


# filters: checks before the call (arguments after the value, as the filter receives them)
def _check_center(value: Any, width: Any = 80, *_: Any, **__: Any) -> None:
    _width("center", width)


def _check_indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> None:
    lines = str(s).count("\n") + 2 if isinstance(s, str) else 2
    _check("indent", _text_size(s) + lines * _width("indent", width))


def _check_format(value: Any, *args: Any, **kwargs: Any) -> None:
    _printf_check(str(value) if isinstance(value, str) else "", kwargs or args)


def _check_replace(s: Any, old: Any = "", new: Any = "", count: Any = None) -> None:
    _check("replace", _replaced_size(s, old, new, count if count is not None else -1))


def _check_join(value: Any, d: Any = "", attribute: Any = None) -> None:
    _check("join", _joined_size(value, d))


def _check_count(what: str) -> Callable[..., None]:
    def check(value: Any, n: Any = 1, *_: Any, **__: Any) -> None:
        _check(what, n if isinstance(n, int) else 0)

    return check


def _check_urlize(value: Any, *args: Any, **kwargs: Any) -> None:
    extra = sum(_text_size(a) for a in (*args, *kwargs.values()))
    text = str(value) if isinstance(value, str) else ""
    _check("urlize", 3 * len(text) + (text.count(" ") + text.count("\n") + 1) * (extra + 64))


def _check_tojson(value: Any, indent: Any = None) -> None:
    if indent is None:
        return
    w = _width("tojson", indent)
    one = json.dumps(value, indent=1, default=str)  # its size is that of the compact form
    depth = sum(len(line) - len(line.lstrip(" ")) for line in one.split("\n"))
    _check("tojson", len(one) + depth * max(w - 1, 0))


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _check_center,
    "indent": _check_indent,
    "format": _check_format,
    "replace": _check_replace,
    "join": _check_join,
    "batch": _check_count("batch"),
    "slice": _check_count("slice"),
    "urlize": _check_urlize,
    "tojson": _check_tojson,
}


def _bounded_filter(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose arguments and value are checked before it runs and whose result counts
    towards :data:`MAX_WORK`. (``functools.wraps`` keeps Jinja's ``pass_*`` marks.)"""
    skip = 1 if getattr(f, "jinja_pass_arg", None) is not None else 0
    check = _FILTER_CHECKS.get(name)

    @functools.wraps(f)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        value, rest = args[skip] if len(args) > skip else None, args[skip + 1 :]
        _ints(f"|{name}", (*rest, *kwargs.values()))
        _check(f"|{name}", _text_size(value))
        if check is not None:
            check(value, *rest, **kwargs)
        if name == "wordwrap":
            return _wordwrap(f, args[:skip], value, rest, kwargs)
        result = f(*args, **kwargs)
        if isinstance(result, str | list | tuple):
            _spend(len(result))
        return result

    return bounded


def _wordwrap(
    f: Callable[..., Any], env_: tuple[Any, ...], s: Any, rest: tuple[Any, ...], kw: dict[str, Any]
) -> Any:
    """``wordwrap``: wrapped with ``\n`` first, then its breaks replaced by ``wrapstring``
    once the size that makes is known (the filter joins its lines with it)."""
    args = list(rest)
    wrapstring = kw.pop("wrapstring", None)
    if len(args) >= 3:
        wrapstring = args[2]
        args[2] = "\n"
    else:
        kw["wrapstring"] = "\n"
    wrapped = f(*env_, s, *args, **kw)
    if wrapstring is None or wrapstring == "\n":
        return wrapped
    _check("wordwrap", len(wrapped) + wrapped.count("\n") * max(len(str(wrapstring)) - 1, 0))
    return wrapped.replace("\n", str(wrapstring))


class _OutputTooLong(SecurityError):
    """A ``{{ value }}`` longer than the whole output may be."""


def _finalize(value: Any) -> Any:
    if type(value) is str:  # the common case, fast
        if len(value) > MAX_OUTPUT_CHARS:
            raise _OutputTooLong(str(len(value)))
        _spend(len(value))
        return value
    size = _text_size(value, MAX_OUTPUT_CHARS)
    if size > MAX_OUTPUT_CHARS and not (isinstance(value, str) and len(value) <= MAX_OUTPUT_CHARS):
        raise _OutputTooLong(str(size))
    _spend(size)
    return value


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator with ``a ~ b`` sized before it is joined."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.bounded_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


_METHODS = (types.BuiltinMethodType, types.MethodWrapperType)


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**", "+", "%"])
    code_generator_class = _CodeGenerator

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(n, int):
                    _check("*", len(seq) * max(n, 0))
                    _check("*", _text_size(seq) * max(n, 0), MAX_WORK)
            if isinstance(left, int) and isinstance(right, int):
                _check("* of integers", (left.bit_length() + right.bit_length()) // 3, 20_000)
            result = operator.mul(left, right)
        elif operator_ == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("the exponent of ** is too large")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _check("**", left.bit_length() * right // 3, 20_000)
            result = operator.pow(left, right)
        elif operator_ == "+":
            if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                _check("+", len(left) + len(right))
            result = operator.add(left, right)
        elif operator_ == "%":
            if isinstance(left, str):
                _printf_check(left, right)
            result = operator.mod(left, right)
        else:
            return super().call_binop(context, operator_, left, right)
        if isinstance(result, str | list | tuple):
            _spend(len(result))
        return result

    def bounded_concat(self, parts: tuple[Any, ...]) -> str:
        _check("~", sum(_text_size(p) for p in parts))
        result = "".join(map(str, parts))
        _spend(len(result))
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        return self._bound(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return self._bound(obj, str(argument), super().getitem(obj, argument))

    @staticmethod
    def _bound(obj: Any, name: str, value: Any) -> Any:
        """A built-in method of a script's value (``'x'.center``), bounded."""
        if type(value) in _METHODS and getattr(value, "__self__", None) is obj:
            return _bounded_method(obj, name, value)
        return value

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format``/``format_map`` with :class:`_BoundedFormatter` (Jinja's own
        wrapper with the checks of every field)."""
        if not isinstance(value, types.MethodType | types.BuiltinMethodType) or (
            value.__name__ not in ("format", "format_map")
        ):
            return None
        f_self: Any = value.__self__
        if not isinstance(f_self, str):
            return None
        formatter = _BoundedFormatter(self)
        is_map = value.__name__ == "format_map"

        def wrapper(*args: Any, **kwargs: Any) -> str:
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            return str(formatter.vformat(f_self, args, kwargs))

        return functools.update_wrapper(wrapper, value)


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise SecurityError(f"range() is limited to {MAX_RANGE} items in scripts")
    return r


def make_env() -> jinja2.Environment:
    env = _Sandbox(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
    )
    env.filters["zh_date"] = zh_date
    env.filters["en_date"] = en_date
    env.filters["money"] = money
    env.filters["weekday"] = _weekday
    env.filters = {name: _bounded_filter(name, f) for name, f in env.filters.items()}
    env.globals["range"] = _bounded_range
    return env


_ENV: jinja2.Environment | None = None


def env() -> jinja2.Environment:
    global _ENV
    if _ENV is None:
        _ENV = make_env()
    return _ENV


@dataclass(frozen=True)
class Compiled:
    name: str
    where: Location
    template: jinja2.Template
    source: str = ""  # the template text (to name the variable in an error)


def _terr(kind: str, text: T, where: Location) -> TemplateError:
    """A TemplateError tagged with what went wrong: syntax | variable | render | sandbox | output | time."""
    err = TemplateError(text, where)
    err.kind = kind  # type: ignore[attr-defined]
    return err


def _tpl_line(exc: BaseException) -> int | None:
    lineno = getattr(exc, "lineno", None)
    if isinstance(lineno, int):
        return lineno
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _located(where: Location, tpl_line: int | None) -> Location:
    if tpl_line is None or where.line is None:
        return where
    return Location(
        file=where.file, line=where.line + tpl_line - 1, col=1 if tpl_line > 1 else where.col
    )


def compile_script(
    name: str, text: str, where: Location, extra: Mapping[str, T] | None = None
) -> Compiled:
    """Compile a script; a syntax error or an unknown variable is a :class:`TemplateError`.

    ``extra``: variables this kind of script has besides :data:`CONTEXT_VARS` (a member
    action's ``member``)."""
    known = {**CONTEXT_VARS, **(extra or {})}
    try:
        ast = env().parse(text)
        unknown = sorted(
            jinja2.meta.find_undeclared_variables(ast) - set(known) - set(env().globals)
        )
        template = env().from_string(ast)
    except jinja2.TemplateSyntaxError as exc:
        raise _terr(
            "syntax",
            T("脚本 “{n}” 语法错误：{m}", "script '{n}': template syntax error: {m}").format(
                n=name, m=exc.message
            ),
            _located(where, exc.lineno),
        ) from None
    if unknown:
        line = None
        for i, src_line in enumerate(text.splitlines(), 1):
            if unknown[0] in src_line:
                line = i
                break
        raise _terr(
            "variable",
            T(
                "脚本 “{n}” 用了渲染时没有的变量 {v}；可用的变量：{a}",
                "script '{n}' uses {v}, which the renderer does not provide; available: {a}",
            ).format(n=name, v=", ".join(unknown), a=", ".join(known)),
            _located(where, line),
        )
    return Compiled(name, where, template, text)


def _alarm(signum: int, frame: Any) -> None:
    raise TimeoutError


def _can_alarm() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


_session_depth = 0


@contextmanager
def render_session() -> Iterator[None]:
    """Install the time-limit handler once around many renders (a plan renders thousands).

    Inside, each :func:`render` only arms and disarms the timer; the previous handler is
    restored on exit. Without it every render installs and restores the handler itself.
    """
    global _session_depth
    if not _can_alarm():
        yield
        return
    old = signal.signal(signal.SIGALRM, _alarm) if _session_depth == 0 else None
    _session_depth += 1
    try:
        yield
    finally:
        _session_depth -= 1
        if _session_depth == 0:
            signal.signal(signal.SIGALRM, old)


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if not _can_alarm():
        yield
        return
    if _session_depth:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


_NO_ATTR = re.compile(r"^'(?P<obj>.*)' has no attribute '(?P<attr>[^']+)'$")
_UNDEFINED = re.compile(r"^'(?P<var>[^']+)' is undefined$")
_EXPR = r"([A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[['\"][^'\"]+['\"]\])*)"


def _undefined_text(name: str, message: str, source: str, line: int | None) -> T:
    """Jinja's "'dict object' has no attribute 'city'" → "vars.city is undefined: vars has no 'city'"."""
    m = _NO_ATTR.match(message)
    if m:
        attr, obj = m.group("attr"), m.group("obj")
        lines = source.splitlines()
        text = lines[line - 1] if line and 0 < line <= len(lines) else source
        found = re.search(_EXPR + r"""(?:\.|\[['"])""" + re.escape(attr) + r"\b", text)
        parent = found.group(1) if found else None
        if parent is None:
            return T(
                "脚本 “{n}”：{a} 未定义（{o} 里没有 “{a}”）",
                "script '{n}': {a} is undefined ({o} has no '{a}')",
            ).format(n=name, a=attr, o=obj)
        if obj == "None":
            return T(
                "脚本 “{n}”：{p}.{a} 未定义（{p} 在这里为空）",
                "script '{n}': {p}.{a} is undefined ({p} is none here)",
            ).format(n=name, p=parent, a=attr)
        return T(
            "脚本 “{n}”：{p}.{a} 未定义（{p} 里没有 “{a}”）",
            "script '{n}': {p}.{a} is undefined ({p} has no '{a}')",
        ).format(n=name, p=parent, a=attr)
    m = _UNDEFINED.match(message)
    if m:
        return T("脚本 “{n}”：变量 {v} 未定义", "script '{n}': variable {v} is undefined").format(
            n=name, v=m.group("var")
        )
    return T("脚本 “{n}”：{m}", "script '{n}': {m}").format(n=name, m=message)


def render(compiled: Compiled, context: Mapping[str, Any]) -> str:
    """Render with the output bounded; every failure is a located :class:`TemplateError`."""
    name, where = compiled.name, compiled.where
    parts: list[str] = []
    size = 0
    outer = getattr(_work, "left", None)
    _work.left = MAX_WORK
    try:
        with _deadline(RENDER_SECONDS):
            for chunk in compiled.template.generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise _output_error(name, where)
                parts.append(chunk)
    except TemplateError:
        raise
    except _OutputTooLong:
        raise _output_error(name, where) from None
    except TimeoutError:
        raise _terr(
            "time",
            T(
                "脚本 “{n}” 渲染超过 {s} 秒，已停止",
                "script '{n}' took more than {s} s to render; stopped",
            ).format(n=name, s=RENDER_SECONDS),
            where,
        ) from None
    except SecurityError as exc:
        detail = exc.text if isinstance(exc, _TooLarge) else T(str(exc), str(exc))
        raise _terr(
            "sandbox",
            T(
                "脚本 “{n}” 做了沙箱不允许的事：",
                "script '{n}' did something the sandbox refuses: ",
            ).format(n=name)
            + detail,
            _located(where, _tpl_line(exc)),
        ) from None
    except jinja2.UndefinedError as exc:
        line = _tpl_line(exc)
        raise _terr(
            "variable",
            _undefined_text(name, str(exc.message or exc), compiled.source, line),
            _located(where, line),
        ) from None
    except jinja2.TemplateError as exc:
        raise _terr(
            "render",
            T("脚本 “{n}”：{m}", "script '{n}': {m}").format(n=name, m=exc),
            _located(where, _tpl_line(exc)),
        ) from None
    except (
        ArithmeticError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
        RecursionError,
        AssertionError,  # (Jinja's truncate asserts its length)
        MemoryError,  # (what the bounds above should make unreachable)
    ) as exc:
        raise _terr(
            "render",
            T("脚本 “{n}” 渲染失败：{m}", "script '{n}' failed to render: {m}").format(
                n=name, m=f"{type(exc).__name__}: {exc}"
            ),
            _located(where, _tpl_line(exc)),
        ) from None
    finally:
        _work.left = outer
    return "".join(parts).strip()


def _output_error(name: str, where: Location) -> TemplateError:
    return _terr(
        "output",
        T(
            "脚本 “{n}” 的输出超过 {m} 个字符，已停止",
            "script '{n}' produced more than {m} characters; stopped",
        ).format(n=name, m=MAX_OUTPUT_CHARS),
        where,
    )


def _ns(**kw: Any) -> dict[str, Any]:
    return dict(kw)


def build_context(
    sop: Any,
    *,
    date: dt.date,
    lang: str,
    group: Mapping[str, Any] | None = None,
    launched_on: dt.date | None = None,
) -> dict[str, Any]:
    """The part of a script's context (see :data:`CONTEXT_VARS`) common to a group and a date;
    :func:`sqops.plan.script_context` adds the item, its campaign and countdown (the one
    builder that plan renders with and lint checks with)."""
    c = sop.community
    pos = sop.positioning
    persona = pos.persona if pos and pos.persona else None
    launch = launched_on or (group or {}).get("launched_on") or c.launched_on
    day_index = (date - launch).days if launch else None
    stage = stage_of_index(day_index) if day_index is not None else None
    roles: dict[str, Any] = {}
    for r in sop.roles:
        roles.setdefault(r.role, _ns(name=r.name, members=list(r.members)))
    grp = dict(group or {"id": "default", "name": c.name, "launched_on": launch, "vars": {}})
    return {
        "community": _ns(
            name=c.name,
            platform=c.platform,
            type=c.type,
            timezone=c.timezone,
            language=c.language,
            max_members=c.max_members or c.member_limit,
        ),
        "positioning": _ns(
            target_users=pos.target_users if pos else None,
            pain_point=pos.pain_point if pos else None,
            solution=pos.solution if pos else None,
            persona=_ns(
                tags=list(persona.tags) if persona else [],
                description=persona.description if persona else None,
            ),
        ),
        "group": grp,
        "vars": dict(grp.get("vars") or {}),
        "date": date,
        "weekday": WEEKDAYS["zh" if lang == "zh" else "en"][date.weekday()],
        "day": lifecycle_day(day_index) if day_index is not None else None,
        "stage": stage,
        "stage_name": STAGE[stage].label.get(lang) if stage else None,
        "item": {},
        "campaign": None,
        "countdown": None,
        "rules": _ns(
            forbidden=list(sop.rules.forbidden),
            required=list(sop.rules.required),
            quiet_hours=str(sop.rules.quiet_hours) if sop.rules.quiet_hours else None,
            max_posts_per_day=sop.rules.max_posts_per_day,
        ),
        "roles": roles,
        "owner_name": None,
        "lang": lang,
    }
