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


def ragged_csv(header: list[str], rows: Any) -> str:
    """A CSV of ``header`` and ``rows`` — each row its cells then how many of them to write
    (at least one): short rows as exporters and hand edits leave them."""
    import csv
    import io

    out = io.StringIO(newline="")
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    for *cells, width in rows:
        w.writerow(cells[: max(width, 1)])
    return out.getvalue()


def import_bulk_or_by_row(reader: Any, fmt: str, path: Any, text: str, *, bulk: bool, **kw: Any):
    """``import_files(fmt, …)`` of ``text`` written to ``path`` (twice with ``twice=True``),
    read in bulk or — ``bulk=False`` — row by row (``reader.csv_frames`` says so); an error
    as ``("error", text, problems)``, for :func:`same_import`."""
    import pytest

    from sqops.errors import DataError, InputError
    from sqops.importers import import_files

    path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        if not bulk:  # csv_frames says "read it row by row"
            mp.setattr(reader, "csv_frames", lambda path, display, **_: "row by row")
        try:
            return import_files(fmt, [path, path] if kw.pop("twice", False) else [path], **kw)
        except (DataError, InputError) as exc:  # (nothing imported: the same error)
            return ("error", str(exc), [(x.code, x.where, x.text) for x in exc.problems])
