"""The report's JSON written a piece at a time (issue #23 item 3, a bounded merge).

:func:`sqops.report.render.to_json` builds the whole document as Python objects and then
its text (at 200 M messages: 30,769 group sections, 369 MB of JSON, several copies of it in
memory at once). :func:`json_chunks` yields the same bytes piece by piece — each top-level
member, and each group section of ``groups`` on its own — so what is held at a time is one
group's dict and its text, whatever the number of groups.

The bytes are those of ``json_text(doc) + "\\n"``: orjson's two-space layout, where a value
nested ``n`` levels deep is the value dumped alone with every line after its first indented
by ``2 n`` spaces (a JSON string holds no raw newline, so the lines are the layout's). A
piece orjson refuses (an integer past 64 bits in an SOP's ``vars``...) makes the whole
document go the in-memory way (:class:`Refused`), as :func:`sqops.render.output.json_bytes`
falls back to the standard library for the whole document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqops.adherence.schema import AdherenceDoc
    from sqops.report.build import Report

#: ``doc`` members whose value is a list written one element at a time
_STREAMED = ("groups",)


class Refused(Exception):
    """orjson could not write a piece: write the document the in-memory way instead."""


@dataclass(frozen=True)
class Dumped:
    """A top-level member's value written ahead, in the layout of a member (one level deep),
    with the way to make the value again for the in-memory way: what a thread beside the
    report makes of the plan-against-practice section while the report is computed, so that
    the run's single-core end does not (benchmarks/README.md, "report ends and adherence,
    session 16"). ``text`` None: orjson refused the value."""

    text: bytes | None
    make: Callable[[], Any]

    def value(self) -> Any:
        """The value itself (made again)."""
        return self.make()


def dumped(make: Callable[[], Any]) -> Dumped:
    """``make()`` written ahead as a top-level member's value (:class:`Dumped`); the value
    itself is not kept (the text is what is written; a refusal keeps no text)."""
    try:
        text: bytes | None = _dump(make(), 1)
    except Refused:
        text = None
    return Dumped(text, make)


def _dump(value: object, level: int) -> bytes:
    """``value`` in orjson's indented layout, as if nested ``level`` levels deep."""
    import orjson

    try:
        text = orjson.dumps(
            value,
            option=orjson.OPT_INDENT_2
            | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS,
        )
    except orjson.JSONEncodeError as exc:
        raise Refused(str(exc)) from exc
    return text.replace(b"\n", b"\n" + b"  " * level) if level else text


def json_chunks(
    report: Report, adherence: AdherenceDoc | Dumped | None = None, *, views: bool = False
) -> Iterator[bytes]:
    """The bytes of ``render.to_json(report, adherence, views=views)``, a piece at a time
    (``adherence`` may be written ahead: :class:`Dumped`). Raises :class:`Refused` (possibly
    after some pieces) when orjson refuses a piece."""
    members = report.members()
    if views:
        members.append(("views", lambda: report.views.to_dict()))
    if adherence is not None:
        members.append(("adherence", adherence))
    import orjson

    yield b"{"
    for i, (key, value) in enumerate(members):
        head = (b"," if i else b"") + b"\n  " + orjson.dumps(key) + b": "
        if key in _STREAMED:
            items = value() if callable(value) else value
            yield head
            yield from _list(items, 1)
            continue
        if isinstance(value, Dumped):
            if value.text is None:
                raise Refused(key)
            yield head + value.text
            continue
        if callable(value):
            value = value()
        yield head + _dump(value, 1)
        del value
    yield b"\n}\n"


def _list(items: Iterable[Any], level: int) -> Iterator[bytes]:
    """A list nested ``level`` deep, one element at a time (``[]`` when empty)."""
    pad = b"\n" + b"  " * (level + 1)
    first = True
    for item in items:
        yield (b"[" if first else b",") + pad + _dump(item, level + 1)
        first = False
    yield b"[]" if first else b"\n" + b"  " * level + b"]"


def write_json(
    report: Report,
    path: str | Path,
    adherence: AdherenceDoc | Dumped | None = None,
    *,
    views: bool = False,
) -> None:
    """The report's JSON into ``path`` (atomically, as ``Route.write``), a piece at a time;
    the in-memory way when orjson refuses a piece (``adherence`` written ahead is made again
    there)."""
    from sqops.render.output import atomic_write_bytes, output_kind

    if output_kind(path) == "file":  # (a pipe or a device is written whole: no retry there)
        try:
            atomic_write_bytes(path, json_chunks(report, adherence, views=views))
            return
        except Refused:
            pass
    from sqops.report.render import to_json

    doc = adherence.value() if isinstance(adherence, Dumped) else adherence
    atomic_write_bytes(path, to_json(report, doc, views=views).encode("utf-8"))


__all__ = ["Dumped", "Refused", "dumped", "json_chunks", "write_json"]
