"""Two languages for every user-facing word: Chinese (zh) and English (en).

Library code carries text as :class:`T` (both languages at once); only the edge that
prints picks one with :meth:`T.get`. Nothing here reads the clock or the locale except
:func:`resolve_lang`, which the CLI calls with the environment it was given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


@dataclass(frozen=True, slots=True)
class T:
    """A message in both languages. ``format`` fills both with the same values."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def format(self, **values: object) -> T:
        return T(self.zh.format(**values), self.en.format(**values))

    def __add__(self, other: T) -> T:
        return T(self.zh + other.zh, self.en + other.en)


def locale_lang(environ: Mapping[str, str]) -> Lang | None:
    """The language the POSIX locale variables ask for, if they name Chinese or English."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = environ.get(var, "")
        if not value:
            continue
        head = value.split(":")[0].lower()
        if head.startswith("zh"):
            return "zh"
        if head.startswith("en"):
            return "en"
        if head in ("c", "posix") or head.startswith(("c.", "posix")):
            return None
        return None
    return None


def resolve_lang(explicit: str | None, sop_lang: str | None, environ: Mapping[str, str]) -> Lang:
    """``--lang`` wins; then the SOP's ``community.language``; then the locale; else English."""
    if explicit in LANGS:
        return explicit
    if sop_lang in LANGS:
        return sop_lang
    return locale_lang(environ) or "en"


WEEKDAYS: dict[Lang, tuple[str, ...]] = {
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
