"""Scripts for members: the SOP's ``actions:`` map rendered for one member (spec §3).

The same sandbox and the same context as the plan's scripts (:func:`build_context` on the
as-of day for the member's group), plus ``member``: the member's row of ``actions.csv``.
``sqops report --lists`` renders them; ``sqops lint`` renders them for a sample member, so a
lint-clean SOP renders (see docs/sop.md, ``actions:``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import jinja2.meta

from sqops.domain.actions import ACTION
from sqops.errors import Problem, TemplateError
from sqops.i18n import T
from sqops.plan._model import GroupInfo
from sqops.plan.scripts import (
    Compiled,
    build_context,
    compile_script,
    env,
    render,
    render_session,
)

if TYPE_CHECKING:
    from sqops.sop.loader import LoadedSop

#: the variable a member action's script has besides the plan's (docs/scripts.md)
MEMBER_VARS: dict[str, T] = {
    "member": T(
        "成员（仅成员动作 actions: 的脚本）：id, name, first_join, last_spoken, days_silent, "
        "messages_30d, rfm_segment, segment_label, koc, unused_coupons, action, action_label",
        "the member (member actions' scripts only): id, name, first_join, last_spoken, "
        "days_silent, messages_30d, rfm_segment, segment_label, koc, unused_coupons, action, "
        "action_label",
    )
}


def member_context(
    *,
    member_id: str,
    name: str | None,
    first_join: dt.date,
    last_spoken: dt.date | None,
    days_silent: int,
    messages_30d: int,
    rfm_segment: str | None,
    segment_label: str | None,
    koc: bool,
    unused_coupons: int,
    action: str,
    lang: str,
) -> dict[str, Any]:
    """The ``member`` variable (``name``: the last known name, else the id)."""
    return {
        "id": member_id,
        "name": name or member_id,
        "first_join": first_join,
        "last_spoken": last_spoken,
        "days_silent": days_silent,
        "messages_30d": messages_30d,
        "rfm_segment": rfm_segment,
        "segment_label": segment_label,
        "koc": koc,
        "unused_coupons": unused_coupons,
        "action": action,
        "action_label": ACTION[action].label.get(lang),
    }


def sample_member(action: str, as_of: dt.date, lang: str) -> dict[str, Any]:
    """A member the action applies to, for ``sqops lint``: the values a real one can have
    (``last_spoken`` none for the actions a never-speaking member gets)."""
    never = action in ("recall", "welcome_follow_up")
    joined = as_of - dt.timedelta(days=2 if action == "welcome_follow_up" else 60)
    spoke = None if never else as_of - dt.timedelta(days=45 if action == "win_back" else 1)
    seg = "important_keep" if action == "win_back" else None
    return member_context(
        member_id="sample",
        name="小雨" if lang == "zh" else "Rain",
        first_join=joined,
        last_spoken=spoke,
        days_silent=(as_of - (spoke or joined)).days,
        messages_30d=40 if action == "koc_care" else 0,
        rfm_segment=seg,
        segment_label=("重要保持" if lang == "zh" else "important to keep") if seg else None,
        koc=action == "koc_care",
        unused_coupons=2 if action == "coupon_reminder" else 0,
        action=action,
        lang=lang,
    )


class MemberScripts:
    """The SOP's ``actions:`` scripts in one language, each compiled once.

    :meth:`for_group` builds the context common to a group's members once; a script that does
    not use ``member`` is rendered once per group and reused.
    """

    def __init__(self, loaded: LoadedSop, lang: str) -> None:
        self.loaded = loaded
        self.lang = lang
        self._compiled: dict[str, tuple[Compiled, bool]] = {}  # action → (script, uses member)

    @property
    def actions(self) -> Mapping[str, str]:
        """action → script name."""
        return self.loaded.sop.actions

    def compiled(self, action: str) -> tuple[Compiled, bool] | None:
        name = self.actions.get(action)
        if not name:
            return None
        if action in self._compiled:
            return self._compiled[action]
        where = self.loaded.where(("actions", action))
        src = self.loaded.script(name, self.lang)
        if src is None:
            raise TemplateError(
                T(
                    "actions.{a} 的脚本 “{n}” 在 scripts: 里没有定义；已定义的：{d}",
                    "actions.{a}: script '{n}' is not defined under scripts:; defined: {d}",
                ).format(a=action, n=name, d=", ".join(sorted(self.loaded.scripts)) or "-"),
                where,
            )
        if src.problem is not None or src.text is None:
            problem = src.problem or Problem(T("脚本无法读取", "the script cannot be read"))
            raise TemplateError(problem.text, problem.where)
        compiled = compile_script(name, src.text, src.where(), MEMBER_VARS)
        uses = "member" in jinja2.meta.find_undeclared_variables(env().parse(src.text))
        self._compiled[action] = (compiled, uses)
        return self._compiled[action]

    def session(self) -> AbstractContextManager[None]:
        """Around many renders: the time-limit handler installed once."""
        return render_session()

    def for_group(self, group: GroupInfo, launched_on: dt.date, as_of: dt.date) -> GroupScripts:
        base = build_context(
            self.loaded.sop,
            date=as_of,
            lang=self.lang,
            group=group.context(),
            launched_on=launched_on,
        )
        return GroupScripts(self, group.id, base)


class GroupScripts:
    """The member scripts of one group (see :class:`MemberScripts`)."""

    def __init__(self, owner: MemberScripts, group_id: str, base: dict[str, Any]) -> None:
        self.owner = owner
        self.group_id = group_id
        self.base = base
        self._constant: dict[str, str] = {}

    def render(self, action: str, member: Mapping[str, Any]) -> str | None:
        """The action's script for ``member`` (None: the SOP gives the action no script)."""
        if action in self._constant:
            return self._constant[action]
        got = self.owner.compiled(action)
        if got is None:
            return None
        compiled, uses_member = got
        ctx = dict(self.base)
        ctx["member"] = dict(member)
        try:
            text = render(compiled, ctx)
        except TemplateError as exc:
            extra = T("（群 {g}，成员 {m}）", " (group {g}, member {m})").format(
                g=self.group_id, m=member.get("id")
            )
            err = TemplateError(exc.text + extra, exc.where)
            err.kind = getattr(exc, "kind", "render")  # type: ignore[attr-defined]
            raise err from None
        if not uses_member:
            self._constant[action] = text
        return text


def sample_group(group: GroupInfo, fallback_launch: dt.date) -> tuple[dt.date, dt.date]:
    """(launch, as-of) lint renders a group's member scripts on: 60 days after the launch."""
    launch = group.launched_on or fallback_launch
    return launch, launch + dt.timedelta(days=60) if launch.year < dt.MAXYEAR else launch


__all__ = [
    "MEMBER_VARS",
    "GroupScripts",
    "MemberScripts",
    "member_context",
    "sample_group",
    "sample_member",
]
