"""Checks the importer tests share (``tests`` is on pytest's ``pythonpath``)."""

from __future__ import annotations

from typing import Any


def same_import(fast: Any, slow: Any) -> None:
    """Two ways of importing the same files gave the same result: the same tables (names,
    schemas, rows), counts and problems (code, place, words in both languages) — or the same
    error, when both are ``(error type, text)`` tuples."""
    if isinstance(fast, tuple) or isinstance(slow, tuple):
        assert fast == slow
        return
    assert fast.counts == slow.counts

    def said(result: Any) -> list[tuple[Any, ...]]:
        return [(p.code, str(p.where), p.text.get("en"), p.text.get("zh")) for p in result.problems]

    assert said(fast) == said(slow)
    assert sorted(fast.tables) == sorted(slow.tables)
    for name, frame in slow.tables.items():
        assert fast.tables[name].schema == frame.schema, name
        assert fast.tables[name].equals(frame), name
