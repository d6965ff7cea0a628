"""Announcement scripts: Jinja2 templates rendered in an immutable sandbox.

Scripts come from SOP files that people share, so they are untrusted: they are rendered
with :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` (no access to Python internals,
no mutation of the context), :class:`jinja2.StrictUndefined` (a misspelt variable is an
error, never an empty string), bounded ``range``, bounded string/list multiplication and
powers, a bounded output size and a time limit. The context a script sees is documented
in ``docs/scripts.md`` and built by :func:`build_context` — ``lint`` and ``plan`` use the
same one, so what lints clean renders.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import signal
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import jinja2
import jinja2.meta
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from sqops.domain.stages import STAGE, stage_of_index
from sqops.errors import Location, TemplateError
from sqops.i18n import WEEKDAYS, T

MAX_OUTPUT_CHARS = 20_000  # one chat message is far shorter; a long script is a mistake
MAX_RANGE = 1_000
MAX_SEQUENCE = 100_000
RENDER_SECONDS = 2.0

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


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "*":
            for seq, n in ((left, right), (right, left)):
                if (
                    isinstance(seq, str | list | tuple)
                    and isinstance(n, int)
                    and len(seq) * max(n, 0) > MAX_SEQUENCE
                ):
                    raise SecurityError("the result of * would be too large")
            return operator.mul(left, right)
        if operator_ == "**":
            if isinstance(right, int | float) and abs(right) > 100:
                raise SecurityError("the exponent of ** is too large")
            return operator.pow(left, right)
        return super().call_binop(context, operator_, left, right)


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
    )
    env.filters["zh_date"] = zh_date
    env.filters["en_date"] = en_date
    env.filters["money"] = money
    env.filters["weekday"] = _weekday
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


def compile_script(name: str, text: str, where: Location) -> Compiled:
    """Compile a script; a syntax error or an unknown variable is a :class:`TemplateError`."""
    try:
        ast = env().parse(text)
        unknown = sorted(
            jinja2.meta.find_undeclared_variables(ast) - set(CONTEXT_VARS) - set(env().globals)
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
            ).format(n=name, v=", ".join(unknown), a=", ".join(CONTEXT_VARS)),
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
    try:
        with _deadline(RENDER_SECONDS):
            for chunk in compiled.template.generate(**context):
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise _terr(
                        "output",
                        T(
                            "脚本 “{n}” 的输出超过 {m} 个字符，已停止",
                            "script '{n}' produced more than {m} characters; stopped",
                        ).format(n=name, m=MAX_OUTPUT_CHARS),
                        where,
                    )
                parts.append(chunk)
    except TemplateError:
        raise
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
        raise _terr(
            "sandbox",
            T(
                "脚本 “{n}” 做了沙箱不允许的事：{m}",
                "script '{n}' did something the sandbox refuses: {m}",
            ).format(n=name, m=exc),
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
    ) as exc:
        raise _terr(
            "render",
            T("脚本 “{n}” 渲染失败：{m}", "script '{n}' failed to render: {m}").format(
                n=name, m=f"{type(exc).__name__}: {exc}"
            ),
            _located(where, _tpl_line(exc)),
        ) from None
    return "".join(parts).strip()


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
        "day": day_index + 1 if day_index is not None else None,
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
