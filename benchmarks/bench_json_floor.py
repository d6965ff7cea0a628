"""The floor of the JSON exports' import: how fast can a Python-installable parser read them?

Issue #19 item 2 asks every JSON export format for ≥ 1,000,000 rows/s. This script measures
what the parse alone costs — the file read into the columns the readers need (ids, times,
sender, text), nothing of sqops — with every parser at hand, and what each one does with the
inputs sqops must read exactly. It needs only the packages it names and skips one not
installed (`pip install polars msgspec orjson duckdb pyarrow pysimdjson`); it does not import
sqops.

Run::

    python benchmarks/bench_json_floor.py --data /tmp/bench/imp [--rounds 3] [--only a,b]
        [--formats telegram,discord,chatlog,wecom] [--sqops /work/main/.venv/bin/python /work/main]
    python benchmarks/bench_json_floor.py --exactness

``--data`` is the folder ``bench_import.py --rows 1000000 --keep`` wrote (``telegram/``,
``discord/``, ``wechat-chatlog-json/``, ``wecom/``). Each (parser, file) case runs in its own
subprocess; the rounds alternate the parsers (the order turned each round). Printed per case:
the best wall, the CPU seconds of every run (user + sys of the child, its threads included:
``os.wait4``), rows/s of the best wall and the peak RSS, and the frame's row count and number
of texts (the same for every parser of a file, but pyarrow's and ``pl.read_json``'s Telegram
frames, which leave the text out). ``--sqops PYTHON
CHECKOUT`` also times ``sqops import`` of each file (``bench_import.py --child import`` of that
checkout, run by that interpreter) in the same rounds.

``--exactness``: small hand-made documents (two equal keys, an escaped key, an integer past
64 bits, a lone surrogate, bytes not UTF-8, a number where a text is expected) read by each
parser; what Python's ``json`` gives is the reference.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from operator import attrgetter
from pathlib import Path
from typing import Any

#: bench format → its file under --data
FILES = {
    "telegram": "telegram/result.json",
    "discord": "discord/discord.json",
    "chatlog": "wechat-chatlog-json/chatlog.json",
    "wecom": "wecom/archive.jsonl",
}

#: per format: (column, path of keys in a message, kind) — kind: int, str (text), tg (Telegram's
#: text: a string, or an array of strings and objects: only the strings are taken in bulk)
COLUMNS: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "telegram": [
        ("id", ("id",), "int"),
        ("type", ("type",), "str"),
        ("date_unixtime", ("date_unixtime",), "str"),
        ("from", ("from",), "str"),
        ("from_id", ("from_id",), "str"),
        ("text", ("text",), "tg"),
        ("reply_to_message_id", ("reply_to_message_id",), "int"),
    ],
    "discord": [
        ("id", ("id",), "str"),
        ("type", ("type",), "str"),
        ("timestamp", ("timestamp",), "str"),
        ("content", ("content",), "str"),
        ("author_id", ("author", "id"), "str"),
        ("author_name", ("author", "name"), "str"),
        ("author_nickname", ("author", "nickname"), "str"),
        ("reference", ("reference", "messageId"), "str"),
    ],
    "chatlog": [
        ("seq", ("seq",), "int"),
        ("time", ("time",), "str"),
        ("talker", ("talker",), "str"),
        ("sender", ("sender",), "str"),
        ("senderName", ("senderName",), "str"),
        ("type", ("type",), "int"),
        ("content", ("content",), "str"),
    ],
    "wecom": [
        ("msgid", ("msgid",), "str"),
        ("action", ("action",), "str"),
        ("from", ("from",), "str"),
        ("roomid", ("roomid",), "str"),
        ("msgtime", ("msgtime",), "int"),
        ("msgtype", ("msgtype",), "str"),
        ("text", ("text", "content"), "str"),
    ],
}

#: the column whose non-null count the child prints (the texts taken in bulk)
TEXT = {"telegram": "text", "discord": "content", "chatlog": "content", "wecom": "text"}

PARSERS = [
    "orjson",
    "msgspec",
    "msgspec-typed",
    "simdjson",
    "polars-json",
    "polars-ndjson",
    "pyarrow",
    "duckdb",
    "duckdb-array",
    "duckdb-exact",
    "sqops",
]
#: which parser reads which formats (the rest: not applicable, see the module's README section)
APPLIES = {
    "polars-json": {"telegram", "discord", "chatlog"},
    "duckdb-array": {"telegram", "discord"},
}
#: cases run in the first round only (DuckDB's read of a whole document as one value: ~40 s
#: for the 220 MB Telegram file, ~16 CPU-s; duckdb-array is the way that scales)
ONCE = {("duckdb", "telegram"), ("duckdb", "discord")}
#: the import format of each bench file (sqops' own import, the "sqops" case)
SQOPS_FORMAT = {
    "telegram": "telegram",
    "discord": "discord",
    "chatlog": "wechat-chatlog",
    "wecom": "wecom",
}


# --- columns from Python values (orjson, msgspec untyped, simdjson) ---------------------------


#: perf_counter() when a runner's parse (or its NDJSON transform) ended: the child reports it
MARK: list[float] = []


def _frame(fmt: str, cols: dict[str, list[Any]]) -> Any:
    """A polars frame of the columns (ints Int64, the rest String; a Telegram text that is
    not a string is null here: the reader's per-item code takes those)."""
    import polars as pl

    series = []
    for name, _path, kind in COLUMNS[fmt]:
        values = cols[name]
        if kind == "tg":
            values = [v if v.__class__ is str else None for v in values]
        series.append(pl.Series(name, values, dtype=pl.Int64 if kind == "int" else pl.String))
    return pl.DataFrame(series)


def _columns_of_dicts(fmt: str, items: list[Any]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {}
    for name, path, _kind in COLUMNS[fmt]:
        if len(path) == 1:
            cols[name] = [d.get(path[0]) for d in items]
        else:
            outer, inner = path
            cols[name] = [(d.get(outer) or {}).get(inner) for d in items]
    return cols


def _messages(fmt: str, doc: Any) -> Any:
    return doc if fmt == "chatlog" else doc["messages"]


def run_orjson(fmt: str, raw: bytes) -> Any:
    import orjson

    if fmt == "wecom":
        items = [orjson.loads(line) for line in raw.splitlines()]
    else:
        items = _messages(fmt, orjson.loads(raw))
    MARK.append(time.perf_counter())
    return _frame(fmt, _columns_of_dicts(fmt, items))


def run_msgspec(fmt: str, raw: bytes) -> Any:
    import msgspec

    decode = msgspec.json.Decoder().decode
    if fmt == "wecom":
        items = [decode(line) for line in raw.splitlines()]
    else:
        items = _messages(fmt, decode(raw))
    MARK.append(time.perf_counter())
    return _frame(fmt, _columns_of_dicts(fmt, items))


def _structs(fmt: str) -> Any:
    """msgspec structs of the columns' fields, typed as the bench files hold them (a value of
    another type is refused: the document would go to the reader's general path); the type to
    decode and the (column, attribute) pairs whose names differ."""
    import msgspec

    def struct(name: str, fields: list[tuple[str, Any]], **kw: Any) -> Any:
        return msgspec.defstruct(name, [(f, t | None, None) for f, t in fields], gc=False, **kw)

    fields: list[tuple[str, Any]]
    if fmt == "telegram":
        fields = [("id", int), ("type", str), ("date_unixtime", str), ("from_", str)]
        fields += [("from_id", str), ("text", str | list[Any]), ("reply_to_message_id", int)]
        tg = struct("Tg", fields, rename={"from_": "from"})
        return msgspec.defstruct("TgDoc", [("messages", list[tg])]), [("from", "from_")]  # type: ignore[valid-type]
    if fmt == "discord":
        author = struct("Author", [("id", str), ("name", str), ("nickname", str)])
        ref = struct("Ref", [("messageId", str)])
        fields = [("id", str), ("type", str), ("timestamp", str), ("content", str)]
        dc = struct("Dc", [*fields, ("author", author), ("reference", ref)])
        return msgspec.defstruct("DcDoc", [("messages", list[dc])]), []  # type: ignore[valid-type]
    if fmt == "chatlog":
        fields = [("seq", int), ("time", str), ("talker", str), ("sender", str)]
        fields += [("senderName", str), ("type", int), ("content", str)]
        return list[struct("Cl", fields)], []  # type: ignore[misc]
    body = struct("Body", [("content", str)])
    fields = [("msgid", str), ("action", str), ("sender", str), ("roomid", str)]
    fields += [("msgtime", int), ("msgtype", str), ("text", body)]
    return struct("Wc", fields, rename={"sender": "from"}), [("from", "sender")]


def run_msgspec_typed(fmt: str, raw: bytes) -> Any:
    import msgspec

    typ, renamed = _structs(fmt)
    decode = msgspec.json.Decoder(typ).decode
    if fmt == "wecom":
        items = [decode(line) for line in raw.splitlines()]
    else:
        doc = decode(raw)
        items = doc if fmt == "chatlog" else doc.messages
    MARK.append(time.perf_counter())
    attr = dict(renamed)
    cols: dict[str, list[Any]] = {}
    for name, path, _kind in COLUMNS[fmt]:
        if len(path) == 1:
            cols[name] = list(map(attrgetter(attr.get(name, name)), items))
        else:
            outer, inner = path
            objs = list(map(attrgetter(outer), items))
            cols[name] = [None if o is None else getattr(o, inner) for o in objs]
    return _frame(fmt, cols)


def run_simdjson(fmt: str, raw: bytes) -> Any:
    """pysimdjson's lazy proxies: each field taken from the parsed document by ``get``."""
    import simdjson

    parser = simdjson.Parser()
    names = [(name, path) for name, path, _kind in COLUMNS[fmt]]
    cols: dict[str, list[Any]] = {name: [] for name, _ in names}

    def take(obj: Any) -> None:
        for name, path in names:
            v = obj.get(path[0])
            if len(path) == 2 and v is not None:
                v = v.get(path[1])
            if v is not None and not isinstance(v, str | int | float | bool):
                v = None  # an array or object (Telegram's entity lists): the per-item code's
            cols[name].append(v)

    if fmt == "wecom":
        for line in raw.splitlines():
            take(parser.parse(line))
    else:
        doc = parser.parse(raw)
        for obj in doc if fmt == "chatlog" else doc["messages"]:
            take(obj)
    return _frame(fmt, cols)


# --- columnar readers -------------------------------------------------------------------------


def _pl_schema(fmt: str) -> Any:
    import polars as pl

    def dt(kind: str) -> Any:
        return pl.Int64 if kind == "int" else pl.String

    if fmt == "discord":
        return {
            "id": pl.String,
            "type": pl.String,
            "timestamp": pl.String,
            "content": pl.String,
            "author": pl.Struct({"id": pl.String, "name": pl.String, "nickname": pl.String}),
            "reference": pl.Struct({"messageId": pl.String}),
        }
    if fmt == "wecom":
        return {
            **{n: dt(k) for n, p, k in COLUMNS[fmt] if len(p) == 1},
            "text": pl.Struct({"content": pl.String}),
        }
    return {n: dt(k) for n, _p, k in COLUMNS[fmt]}


def _pl_flat(fmt: str, df: Any) -> Any:
    """The nested fields (Discord's author and reference, WeCom's text) as flat columns."""
    import polars as pl

    if fmt == "discord":
        return df.select(
            "id",
            "type",
            "timestamp",
            "content",
            pl.col("author").struct.field("id").alias("author_id"),
            pl.col("author").struct.field("name").alias("author_name"),
            pl.col("author").struct.field("nickname").alias("author_nickname"),
            pl.col("reference").struct.field("messageId").alias("reference"),
        )
    if fmt == "wecom":
        return df.with_columns(pl.col("text").struct.field("content").alias("text"))
    return df


def run_polars_json(fmt: str, raw: bytes) -> Any:
    """``pl.read_json`` of the document: the messages a list of structs, exploded."""
    import polars as pl

    if fmt == "chatlog":
        return _pl_flat(fmt, pl.read_json(io.BytesIO(raw), schema=_pl_schema(fmt)))
    fields = _pl_schema(fmt)
    if fmt == "telegram":  # an array refused as String: the text left out, taken elsewhere
        del fields["text"]
    schema = {"messages": pl.List(pl.Struct(fields))}
    doc = pl.read_json(io.BytesIO(raw), schema=schema)
    df = _pl_flat(fmt, doc.select(pl.col("messages").explode()).unnest("messages"))
    if fmt == "telegram":
        df = df.with_columns(pl.lit(None, pl.String).alias("text"))
    return df


def ndjson_of(fmt: str, raw: bytes) -> bytes:
    """The messages of a document as JSON Lines, one item per line, by byte replacements.

    Exact when every line then reads as one JSON value (a strict NDJSON reader proves it):
    a raw newline cannot occur inside a JSON text, so each line of the document starts
    outside any text; the separator replaced is ``}`` + ``,`` + newline + the first item's
    indent + ``{`` (a nested object's separator is indented deeper, and one that happened
    to match would leave a line that is no complete value). The document's syntax and its
    ``messages`` array are taken by msgspec (``Raw``: the last ``messages`` key, as Python's
    ``json`` keeps). Raw newlines inside an item (pretty-printed exports) become spaces; a
    NUL cannot occur in valid JSON, so it marks the separators meanwhile.
    """
    import msgspec

    if fmt == "wecom":
        return raw
    if fmt == "chatlog":
        body = bytes(msgspec.json.decode(raw, type=msgspec.Raw)).strip()
    else:
        doc = msgspec.defstruct("Doc", [("messages", msgspec.Raw)])
        got: Any = msgspec.json.decode(raw, type=doc)
        body = bytes(got.messages)
    body = body[1:-1]  # the array's brackets
    first = body.find(b"{")
    indent = body[body.rfind(b"\n", 0, first) + 1 : first]
    body = body[first:].rstrip()
    if b"\n" not in body:  # one line: no separators to find by indent
        raise ValueError("a one-line document: no exact cut by lines")
    body = body.replace(b"},\n" + indent + b"{", b"}\0{")
    body = body.replace(b"\n", b" ").replace(b"\0", b"\n") + b"\n"
    MARK.append(time.perf_counter())
    return body


def run_polars_ndjson(fmt: str, raw: bytes) -> Any:
    import polars as pl

    lines = ndjson_of(fmt, raw)
    df = _pl_flat(fmt, pl.read_ndjson(io.BytesIO(lines), schema=_pl_schema(fmt)))
    if fmt == "telegram":  # an array read as its JSON text: those rows to the per-item code
        text = pl.col("text")
        df = df.with_columns(
            pl.when(text.str.starts_with("[")).then(None).otherwise(text).alias("text")
        )
    return df


def _pa_schema(fmt: str) -> Any:
    import pyarrow as pa

    def dt(kind: str) -> Any:
        return pa.int64() if kind == "int" else pa.string()

    if fmt == "discord":
        author = pa.struct([("id", pa.string()), ("name", pa.string()), ("nickname", pa.string())])
        return pa.schema(
            [
                ("id", pa.string()),
                ("type", pa.string()),
                ("timestamp", pa.string()),
                ("content", pa.string()),
                ("author", author),
                ("reference", pa.struct([("messageId", pa.string())])),
            ]
        )
    if fmt == "wecom":
        fields = [(n, dt(k)) for n, p, k in COLUMNS[fmt] if len(p) == 1]
        return pa.schema([*fields, ("text", pa.struct([("content", pa.string())]))])
    if fmt == "telegram":  # the text left out: a string or an array, no Arrow type takes both
        return pa.schema([(n, dt(k)) for n, _p, k in COLUMNS[fmt] if k != "tg"])
    return pa.schema([(n, dt(k)) for n, _p, k in COLUMNS[fmt]])


def run_pyarrow(fmt: str, raw: bytes) -> Any:
    """``pyarrow.json.read_json`` of the JSON Lines (:func:`ndjson_of` for the documents),
    explicit schema, other fields ignored. Telegram's text is not read (see _pa_schema)."""
    import polars as pl
    import pyarrow as pa
    from pyarrow import json as pj

    lines = ndjson_of(fmt, raw)
    parse = pj.ParseOptions(
        explicit_schema=_pa_schema(fmt),
        unexpected_field_behavior="ignore",
        newlines_in_values=fmt != "wecom",
    )
    table = pj.read_json(pa.BufferReader(lines), parse_options=parse)
    df = _pl_flat(fmt, pl.from_arrow(table))
    if fmt == "telegram":
        df = df.with_columns(pl.lit(None, pl.String).alias("text"))
    return df


def _duck_columns(fmt: str) -> str:
    def dt(kind: str) -> str:
        return {"int": "BIGINT", "str": "VARCHAR", "tg": "JSON"}[kind]

    if fmt == "discord":
        return (
            "id VARCHAR, type VARCHAR, timestamp VARCHAR, content VARCHAR, "
            "author STRUCT(id VARCHAR, name VARCHAR, nickname VARCHAR), "
            'reference STRUCT("messageId" VARCHAR)'
        )
    if fmt == "wecom":
        flat = [f'"{n}" {dt(k)}' for n, p, k in COLUMNS[fmt] if len(p) == 1]
        return ", ".join([*flat, "text STRUCT(content VARCHAR)"])
    return ", ".join(f'"{n}" {dt(k)}' for n, _p, k in COLUMNS[fmt])


def duck_select(fmt: str) -> str:
    if fmt == "discord":
        return (
            "SELECT id, type, timestamp, content, author.id AS author_id, author.name AS "
            'author_name, author.nickname AS author_nickname, reference."messageId" AS reference'
        )
    if fmt == "wecom":
        cols = ", ".join(f'"{n}"' for n, p, _k in COLUMNS[fmt] if len(p) == 1)
        return f"SELECT {cols}, text.content AS text"
    if fmt == "telegram":  # the JSON text: a string's value, null for an array
        cols = ", ".join(f'"{n}"' for n, _p, k in COLUMNS[fmt] if k != "tg")
        return f"SELECT {cols}, CASE WHEN json_type(text) = 'VARCHAR' THEN text->>'$' END AS text"
    return "SELECT " + ", ".join(f'"{n}"' for n, _p, _k in COLUMNS[fmt])


def messages_array(fmt: str, raw: bytes) -> bytes:
    """The document's ``messages`` array as its bytes (msgspec ``Raw``: the whole document's
    syntax checked, the last ``messages`` key taken, as Python's ``json`` keeps)."""
    import msgspec

    doc = msgspec.defstruct("Doc", [("messages", msgspec.Raw)])
    got: Any = msgspec.json.decode(raw, type=doc)
    body = bytes(got.messages)
    MARK.append(time.perf_counter())
    return body


def run_duckdb_array(fmt: str, raw: bytes, path: str) -> Any:
    """DuckDB's ``read_json`` of the ``messages`` array written to a file of its own
    (:func:`messages_array`; the chatlog file is one already), ``format = 'array'``."""
    if fmt in ("chatlog", "wecom"):
        return run_duckdb(fmt, raw, path)
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(messages_array(fmt, raw))
        f.flush()
        return run_duckdb("chatlog", raw, f.name, fmt)


def run_duckdb(fmt: str, raw: bytes, path: str, columns: str = "") -> Any:
    """DuckDB's ``read_json`` with explicit columns, two threads: a document's ``messages``
    as a list of structs unnested, chatlog as an array, WeCom as newline-delimited; `columns`:
    read `path` as an array of the messages of that format."""
    import duckdb

    if columns:
        cols = _duck_columns(columns)
        src = f"read_json('{path}', format = 'array', columns = {{{_dq(cols)}}})"
        con = duckdb.connect()
        con.execute("SET threads = 2")
        return con.sql(f"{duck_select(columns)} FROM {src}").pl()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    cols = _duck_columns(fmt)
    big = f"maximum_object_size = {max(len(raw) + 1, 16 << 20)}"
    if fmt == "wecom":
        src = f"read_json('{path}', format = 'newline_delimited', columns = {{{_dq(cols)}}})"
    elif fmt == "chatlog":
        src = f"read_json('{path}', format = 'array', columns = {{{_dq(cols)}}}, {big})"
    else:
        doc = f"read_json('{path}', format = 'unstructured', columns = "
        doc += f"{{messages: 'STRUCT({_sq(cols)})[]'}}, {big})"
        src = f"(SELECT unnest(m) FROM (SELECT unnest(messages) AS m FROM {doc}))"
    return con.sql(f"{duck_select(fmt)} FROM {src}").pl()


#: the JSON types (DuckDB's ``json_type``) a column takes in bulk; the first is the one read
DUCK_TYPES = {"int": ("UBIGINT", "BIGINT"), "str": ("VARCHAR",), "tg": ("VARCHAR", "ARRAY")}


def run_duckdb_exact(fmt: str, raw: bytes, path: str) -> Any:
    """:func:`run_duckdb_array` with every field read as DuckDB's ``JSON`` (its text kept)
    and its JSON type checked: a text only from a JSON string, an integer only from an
    integer within 64 bits; any other value makes the row ``odd`` (the reader's per-item
    code). DuckDB refuses two equal keys, lone surrogates and bytes not UTF-8 anywhere: the
    document then goes the exact general path. (Columns as ``VARCHAR``/``BIGINT`` would make
    text of a number and a number of ``"123"``, ``1.5`` or ``true``.)"""
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    tmp = None
    if fmt in ("telegram", "discord"):
        tmp = tempfile.NamedTemporaryFile(suffix=".json")  # noqa: SIM115 - closed below
        tmp.write(messages_array(fmt, raw))
        tmp.flush()
        path = tmp.name
    decl: dict[str, str] = {}
    picks, odd = [], []
    for name, keys, kind in COLUMNS[fmt]:
        if len(keys) == 1:
            decl[keys[0]] = "JSON"
        else:  # a nested object's fields, each as JSON (the object itself must be one)
            inner = [f'"{q[1]}" JSON' for _n, q, _k in COLUMNS[fmt] if q[0] == keys[0]]
            decl[keys[0]] = f"STRUCT({', '.join(inner)})"
        col = ".".join(f'"{k}"' for k in keys)
        kinds = DUCK_TYPES[kind]
        if kind == "int":
            value = f"CAST({col} AS BIGINT)"
        else:
            value = f"{col}->>'$'"
        picks.append(f"CASE WHEN json_type({col}) = '{kinds[0]}' THEN {value} END AS \"{name}\"")
        if kind == "int":  # (a negative integer is BIGINT, a non-negative one UBIGINT)
            picks[-1] = picks[-1].replace(f"= '{kinds[0]}'", "IN ('UBIGINT', 'BIGINT')")
        allowed = ", ".join(f"'{t}'" for t in (*kinds, "NULL"))
        odd.append(f"coalesce(json_type({col}) NOT IN ({allowed}), false)")
    columns = ", ".join(f"\"{k}\": '{t}'" for k, t in decl.items())
    form = "newline_delimited" if fmt == "wecom" else "array"
    src = f"read_json('{path}', format = '{form}', columns = {{{columns}}})"
    sql = f"SELECT {', '.join(picks)}, {' OR '.join(odd)} AS odd FROM {src}"
    try:
        return con.sql(sql).pl()
    finally:
        if tmp is not None:
            tmp.close()


def _dq(cols: str) -> str:
    """``a T, b U`` → ``a: 'T', b: 'U'`` (DuckDB's columns argument), nested types kept."""
    out, depth, cur = [], 0, ""
    for ch in cols + ",":
        if ch == "," and depth == 0:
            name, typ = cur.strip().split(" ", 1)
            out.append(f"{name}: '{_sq(typ)}'")
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    return ", ".join(out)


def _sq(text: str) -> str:
    return text.replace("'", "''")


RUNNERS: dict[str, Callable[[str, bytes], Any]] = {
    "orjson": run_orjson,
    "msgspec": run_msgspec,
    "msgspec-typed": run_msgspec_typed,
    "simdjson": run_simdjson,
    "polars-json": run_polars_json,
    "polars-ndjson": run_polars_ndjson,
    "pyarrow": run_pyarrow,
}

MODULES = {
    "orjson": ["orjson", "polars"],
    "msgspec": ["msgspec", "polars"],
    "msgspec-typed": ["msgspec", "polars"],
    "simdjson": ["simdjson", "polars"],
    "polars-json": ["polars"],
    "polars-ndjson": ["polars", "msgspec"],
    "pyarrow": ["pyarrow", "polars", "msgspec"],
    "duckdb": ["duckdb", "polars", "pyarrow"],
    "duckdb-array": ["duckdb", "polars", "pyarrow", "msgspec"],
    "duckdb-exact": ["duckdb", "polars", "pyarrow", "msgspec"],
    "sqops": [],
}

#: the "sqops" case: (python, checkout) of `sqops import` measured beside the parsers
SQOPS: list[str] = []


def installed(parser: str) -> bool:
    import importlib.util

    if parser == "sqops":
        return bool(SQOPS)
    return all(importlib.util.find_spec(m) is not None for m in MODULES[parser])


def child(parser: str, fmt: str, path: str) -> None:
    """One case, timed from the file read to the frame (imports done before; the cyclic
    collector off, as sqops' importers have it: ``gc_paused``)."""
    import gc
    import importlib
    import resource

    for m in MODULES[parser]:
        importlib.import_module(m)
    if parser == "duckdb":
        import duckdb

        duckdb.connect().close()
    gc.disable()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    raw = Path(path).read_bytes()
    duck = {
        "duckdb": run_duckdb,
        "duckdb-array": run_duckdb_array,
        "duckdb-exact": run_duckdb_exact,
    }
    if parser in duck:
        df = duck[parser](fmt, raw, path)
    else:
        df = RUNNERS[parser](fmt, raw)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    texts = int(df[TEXT[fmt]].is_not_null().sum())
    got = {"wall": wall, "cpu": cpu, "rows": df.height, "texts": texts}
    got["parse"] = MARK[0] - t0 if MARK else None
    if "odd" in df.columns:
        got["odd"] = int(df["odd"].sum())
    print(json.dumps(got))


def bench(data: Path, rounds: int, only: list[str], formats: list[str]) -> None:
    parsers = [p for p in PARSERS if (not only or p in only)]
    for p in parsers:
        if not installed(p):
            why = "no --sqops" if p == "sqops" else f"not installed ({', '.join(MODULES[p])})"
            print(f"skipped {p}: {why}")
    parsers = [p for p in parsers if installed(p)]
    print(f"load average before: {os.getloadavg()}")
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in range(rounds):
        for fmt in formats:
            path = data / FILES[fmt]
            order = parsers[r % len(parsers) :] + parsers[: r % len(parsers)]
            for p in order:
                if fmt not in APPLIES.get(p, set(FILES)) or (r and (p, fmt) in ONCE):
                    continue
                got = _run(p, fmt, path)
                results.setdefault((p, fmt), []).append(got)
                print(f"  round {r + 1} {fmt:9} {p:14} {_short(got)}", flush=True)
    print(f"load average after: {os.getloadavg()}")
    print(
        "| parser | file | MB | CPU-s (runs) | best wall-s (parse) | rows/s | peak RSS MB | rows / texts |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for fmt in formats:
        mb = (data / FILES[fmt]).stat().st_size / 1e6
        for p in parsers:
            runs = [g for g in results.get((p, fmt), []) if "error" not in g]
            errs = [g for g in results.get((p, fmt), []) if "error" in g]
            if not runs:
                if errs:
                    print(f"| {p} | {fmt} | {mb:.1f} | error: {errs[0]['error']} | | | | |")
                continue
            cpus = ", ".join(f"{g['cpu']:.2f}" for g in runs)
            top = min(runs, key=lambda g: g["wall"])
            best = top["wall"]
            parse = "" if top.get("parse") is None else f" ({top['parse']:.2f})"
            peak = max(g.get("peak_mb", 0) for g in runs)
            rows = runs[0]["rows"]
            print(
                f"| {p} | {fmt} | {mb:.1f} | {cpus} | {best:.2f}{parse} | {rows / best:,.0f} | "
                f"{peak:,.0f} | {rows:,} / {runs[0]['texts']:,} |"
            )


def _run(parser: str, fmt: str, path: Path) -> dict[str, Any]:
    """One case in a subprocess, with its rusage from ``os.wait4`` (threads included)."""
    cmd = [sys.executable, __file__, "--child", parser, fmt, str(path)]
    env = None
    if parser == "sqops":  # import_files + write_tables to Parquet, bench_import.py's child
        python, checkout = SQOPS
        folder = Path(tempfile.gettempdir()) / f"bench_json_floor-{os.getpid()}" / fmt
        folder.mkdir(parents=True, exist_ok=True)
        script = str(Path(checkout) / "benchmarks" / "bench_import.py")
        cmd = [python, script, "--child", "import", str(path), SQOPS_FORMAT[fmt], str(folder), "{}"]
        env = {**os.environ, "PYTHONPATH": str(Path(checkout) / "src")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        _pid, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            last = err.read().decode(errors="replace").strip().splitlines()[-1:] or ["?"]
            return {"error": last[0][:160]}
        got: dict[str, Any] = json.loads(out.read().decode().strip().splitlines()[-1])
    if parser == "sqops":
        got = {"wall": got["wall"], "cpu": got["cpu"], "rows": got["n"], "texts": got["n"]}
    got["peak_mb"] = usage.ru_maxrss / 1024
    got["proc_cpu"] = usage.ru_utime + usage.ru_stime
    return got


def _short(got: dict[str, Any]) -> str:
    if "error" in got:
        return "error: " + got["error"]
    return (
        f"wall {got['wall']:.2f}  cpu {got['cpu']:.2f}  rows {got['rows']:,}  "
        f"texts {got['texts']:,}  peak {got['peak_mb']:,.0f} MB"
    )


# --- exactness ------------------------------------------------------------------------------

#: name → (one JSON object's bytes, the field read, its type: str or int)
CASES: dict[str, tuple[bytes, str, str]] = {
    "two equal keys": (b'{"a": "first", "a": "last"}', "a", "str"),
    "escaped key": (b'{"\\u0061": "escaped"}', "a", "str"),
    "escaped + plain key": (b'{"\\u0061": "escaped", "a": "plain"}', "a", "str"),
    "int 2^64": (b'{"a": 18446744073709551616}', "a", "int"),
    "int -2^63-1": (b'{"a": -9223372036854775809}', "a", "int"),
    "lone surrogate": (b'{"a": "x\\ud800y"}', "a", "str"),
    "bytes not UTF-8": (b'{"a": "x\xffy"}', "a", "str"),
    "not UTF-8, other key": (b'{"a": "ok", "b": "x\xffy"}', "a", "str"),
    "number as text": (b'{"a": 123}', "a", "str"),
    "object as text": (b'{"a": {"b": 1}}', "a", "str"),
    "array as text": (b'{"a": ["x", {"t": 1}]}', "a", "str"),
    "text like an array": (b'{"a": "[\\"x\\", {\\"t\\": 1}]"}', "a", "str"),
    "float as int": (b'{"a": 1.5}', "a", "int"),
    "two values, one line": (b'{"a": "one"} {"a": "two"}', "a", "str"),
}


def _python(doc: bytes, key: str) -> Any:
    return json.loads(doc)[key]


def exact_value(parser: str, doc: bytes, key: str, kind: str) -> Any:
    """What `parser` reads for `key` from the one-object document `doc`."""
    if parser == "orjson":
        import orjson

        return orjson.loads(doc)[key]
    if parser == "msgspec":
        import msgspec

        return msgspec.json.decode(doc)[key]
    if parser == "msgspec-typed":
        import msgspec

        typ = msgspec.defstruct("T", [(key, (str if kind == "str" else int) | None, None)])
        return getattr(msgspec.json.decode(doc, type=typ), key)
    if parser == "simdjson":
        import simdjson

        return simdjson.Parser().parse(doc).get(key)
    import polars as pl

    dtype = pl.String if kind == "str" else pl.Int64
    if parser == "polars-json":
        return pl.read_json(io.BytesIO(b"[" + doc + b"]"), schema={key: dtype})[key].to_list()
    if parser == "polars-ndjson":
        return pl.read_ndjson(io.BytesIO(doc + b"\n"), schema={key: dtype})[key].to_list()
    if parser == "pyarrow":
        import pyarrow as pa
        from pyarrow import json as pj

        schema = pa.schema([(key, pa.string() if kind == "str" else pa.int64())])
        opts = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
        return pj.read_json(pa.BufferReader(doc + b"\n"), parse_options=opts)[key].to_pylist()
    import duckdb

    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        f.write(doc + b"\n")
        f.flush()
        sqltype = "VARCHAR" if kind == "str" else "BIGINT"
        pick = key
        if parser == "duckdb-exact":  # as run_duckdb_exact: JSON, its type checked
            sqltype, want = "JSON", DUCK_TYPES[kind]
            kinds = ", ".join(f"'{t}'" for t in want)
            value = f"{key}->>'$'" if kind == "str" else f"CAST({key} AS BIGINT)::VARCHAR"
            pick = f"CASE WHEN json_type({key}) IN ({kinds}) THEN {value} "
            pick += f"ELSE 'odd: ' || json_type({key}) END"
        sql = f"SELECT {pick} FROM read_json('{f.name}', format = 'newline_delimited', "
        sql += f"columns = {{{key}: '{sqltype}'}})"
        return [r[0] for r in duckdb.connect().sql(sql).fetchall()]


def exactness() -> None:
    parsers = [p for p in PARSERS if installed(p) and p not in ("duckdb-array", "sqops")]
    print("| case | document | Python's json | " + " | ".join(parsers) + " |")
    print("|---|---|---|" + "---|" * len(parsers))
    for name, (doc, key, kind) in CASES.items():
        try:
            ref = repr(_python(doc, key))
        except ValueError as e:  # (UnicodeDecodeError too)
            ref = f"refused ({type(e).__name__})"
        cells = []
        for p in parsers:
            try:
                cells.append(repr(exact_value(p, doc, key, kind)))
            except Exception as e:  # what each parser raises is the finding
                cells.append(f"refused ({type(e).__name__}: {str(e)[:50]})")
        shown = doc.decode("utf-8", errors="backslashreplace").replace("|", "\\|")
        print(f"| {name} | `{shown}` | {ref} | " + " | ".join(cells).replace("\n", " ") + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("/tmp/bench/imp"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default="", help="parsers, comma-separated (default: all)")
    ap.add_argument("--formats", default=",".join(FILES))
    ap.add_argument("--exactness", action="store_true")
    ap.add_argument(
        "--sqops",
        nargs=2,
        metavar=("PYTHON", "CHECKOUT"),
        help="also time `sqops import` of each file (that interpreter, that checkout's src)",
    )
    ap.add_argument("--child", nargs=3, metavar=("PARSER", "FORMAT", "PATH"))
    args = ap.parse_args()
    if args.sqops:
        SQOPS[:] = args.sqops
    if args.child:
        child(*args.child)
    elif args.exactness:
        exactness()
    else:
        only = [p for p in args.only.split(",") if p]
        bench(args.data, args.rounds, only, args.formats.split(","))


if __name__ == "__main__":
    main()
