"""Column maps: which header of a file holds each canonical column of a table.

One model, :class:`ColumnMap`, for the three places a map is written:

* ``sqops report --columns MAP.yaml`` (and the SOP's ``columns:``): ``{table: {canonical:
  header}}`` for any of the tables, read by :func:`read_column_maps`;
* ``sqops import generic --columns MAP.yaml``: one table with ``table:``, ``columns:`` and the
  optional ``values:`` (your values → canonical values) and ``defaults:`` (a constant for a
  column the file lacks), read by :func:`read_import_map`.

Every mistake is an :class:`~sqops.errors.InputError` naming the file and the key (and, for
the import map, its line).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sqops.data.decode import clip
from sqops.domain.tables import IMPORTED_TABLES, TABLE
from sqops.errors import InputError, Location, did_you_mean, display_path
from sqops.i18n import T

#: the keys of an import map (``sqops import generic --columns``)
IMPORT_MAP_KEYS = ("table", "columns", "values", "defaults")


def table_columns(table: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The (required, optional) canonical columns of a table (:mod:`sqops.domain.tables`)."""
    return TABLE[table].required, TABLE[table].optional


def value_sets(table: str) -> dict[str, frozenset[str]]:
    """Columns whose values must be canonical, per table (staff roles are free text)."""
    return {c: frozenset(v) for c, v in TABLE[table].values.items()}


def column_twice(column: str, file: str | None, line: int | None) -> InputError:
    """A header naming ``column`` twice: which of the two holds the data is unknown."""
    return InputError(
        T(
            "表头有两列都叫 “{c}”；请删除或改名其中一列",
            "the header names the column '{c}' twice; remove or rename one",
        ).format(c=clip(column)),
        Location(file=file, line=line),
    )


class ColumnProblem(Exception):
    """A mistake in a column map at ``path`` (its key when ``key``), before it has a place.

    Not a ValueError, so that pydantic lets it through its validators unchanged."""

    def __init__(self, path: tuple[str, ...], text: T, key: bool = False) -> None:
        super().__init__(text.en)
        self.path, self.text, self.key = path, text, key


def _hint(word: str, choices: Any) -> T:
    close = did_you_mean(clip(word), choices)
    return T("（是否想写 {c}？）", " (did you mean {c}?)").format(c=close) if close else T("", "")


class ColumnMap(BaseModel):
    """One table's columns in a file: canonical column → the header that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    table: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    defaults: dict[str, str] = Field(default_factory=dict)
    #: the map's file as shown in messages
    file: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _canonical(self) -> ColumnMap:
        required, optional = table_columns(self.table)
        allowed = (*required, *optional)
        for section in ("columns", "values", "defaults"):
            for k in getattr(self, section):
                if k not in allowed:
                    raise ColumnProblem(
                        (section, k),
                        T(
                            "{t} 表没有列 “{k}”；可用：{a}",
                            "table {t} has no column '{k}'; use one of: {a}",
                        ).format(t=self.table, k=clip(str(k)), a=", ".join(allowed))
                        + _hint(k, allowed),
                        key=True,
                    )
        sets = value_sets(self.table)
        for k, mapping in self.values.items():
            for a, b in mapping.items():
                if k in sets and b not in sets[k]:
                    raise ColumnProblem(
                        ("values", k, a),
                        T(
                            "“{b}” 不是合法的 {k}；可用：{a}",
                            "'{b}' is not a valid {k}; use one of: {a}",
                        ).format(b=clip(str(b)), k=k, a=", ".join(sorted(sets[k]))),
                    )
        return self

    @property
    def missing(self) -> list[str]:
        """Required columns that neither ``columns`` nor ``defaults`` give."""
        required, _ = table_columns(self.table)
        return [c for c in required if c not in self.columns and c not in self.defaults]


def _strings(mapping: dict[Any, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping.items()}


def read_column_maps(path: Path) -> dict[str, ColumnMap]:
    """``{table: {canonical: header}}`` (optionally under a ``columns:`` key), per table."""
    from sqops.data.yamlsafe import load_yaml, read_source

    shown = path.as_posix()
    data = load_yaml(read_source(path, shown), shown)[0]
    data = data.get("columns", data) if isinstance(data, dict) else data
    if not isinstance(data, dict):
        raise InputError(
            T("列映射应为 {表: {标准列: 源列}}", "a column map is {table: {canonical: source}}"),
            Location(file=shown),
        )
    out: dict[str, ColumnMap] = {}
    for table, mapping in data.items():
        if str(table) not in TABLE:
            raise InputError(
                T("未知的表 {t}", "unknown table {t}").format(t=clip(str(table))),
                Location(file=shown, key=clip(str(table))),
            )
        if not isinstance(mapping, dict):
            raise InputError(
                T("{t} 的映射应为 {标准列: 源列}", "the map of {t} is {canonical: source}").format(
                    t=table
                ),
                Location(file=shown, key=str(table)),
            )
        try:
            out[str(table)] = ColumnMap(table=str(table), columns=_strings(mapping), file=shown)
        except ColumnProblem as exc:
            raise InputError(
                exc.text, Location(file=shown, key=clip(f"{table}.{exc.path[-1]}"))
            ) from None
    return out


def read_import_map(path: Path) -> ColumnMap:
    """The map of ``sqops import generic``; every mistake names its line."""
    from sqops.data.yamlsafe import load_yaml, read_source

    display = display_path(path)
    data, pos = load_yaml(read_source(path, display), display)

    def err(path: tuple[Any, ...], text: T, key: bool = False) -> InputError:
        try:
            line, col = pos.of_key(path) if key else pos.of_value(path)
        except Exception:  # a path the YAML does not have: point at the file
            return InputError(text, Location(file=display, line=1))
        return InputError(text, Location(file=display, line=line, col=col))

    if not isinstance(data, dict):
        raise InputError(
            T(
                "列映射文件应为一个映射（table/columns）",
                "a column map must be a mapping (table/columns)",
            ),
            Location(file=display, line=1),
        )
    for k in data:
        if k not in IMPORT_MAP_KEYS:
            raise err(
                (k,),
                T("未知的键 “{k}”", "unknown key '{k}'").format(k=clip(str(k)))
                + _hint(str(k), IMPORT_MAP_KEYS),
                key=True,
            )
    table = data.get("table")
    if table not in IMPORTED_TABLES:
        raise err(
            ("table",),
            T("table 应为 {a} 之一", "table must be one of {a}").format(
                a=", ".join(IMPORTED_TABLES)
            ),
        )
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise err(
            ("columns",) if "columns" in data else (),
            T(
                "columns 应为“规范列: 你的表头”的映射",
                "columns must map canonical column → your header",
            ),
        )
    for section in ("values", "defaults"):
        if not isinstance(data.get(section) or {}, dict):
            raise err((section,), T("{s} 应为映射", "{s} must be a mapping").format(s=section))
    values = data.get("values") or {}
    for k, mapping in values.items():
        if not isinstance(mapping, dict):
            raise err(
                ("values", k),
                T("values.{k} 应为映射", "values.{k} must be a mapping").format(k=k),
            )
    try:
        cmap = ColumnMap(
            table=str(table),
            columns=_strings(columns),
            values={str(k): _strings(v) for k, v in values.items()},
            defaults=_strings(data.get("defaults") or {}),
            file=display,
        )
    except ColumnProblem as exc:
        raise err(exc.path, exc.text, exc.key) from None
    if cmap.missing:
        raise err(
            ("columns",),
            T("缺少必需列 {c} 的映射", "no mapping for the required column(s) {c}").format(
                c=", ".join(cmap.missing)
            ),
        )
    return cmap
