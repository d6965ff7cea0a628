"""JSON Schemas generated from the types that describe each JSON output.

The shape of ``sqops plan|report|adherence --format json`` is written once, as
:class:`~typing_extensions.TypedDict` s beside the code (``sqops.plan.schema``,
``sqops.report.schema``, ``sqops.adherence.schema``); the ``to_dict`` methods are annotated to
return them, so a type checker holds the code to the same types the schema is made from, and
:func:`schema_of` turns them into a JSON Schema (draft 2020-12) with pydantic. Nothing is
validated at run time: the types cost the writers nothing.

Every object type is closed (``additionalProperties: false``, see :data:`CLOSED`); a member
that may be absent is ``NotRequired``. The building blocks below carry the constraints the
documents share (dates, clock times, counts, rates).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import ConfigDict, Field, TypeAdapter, WithJsonSchema
from pydantic.json_schema import GenerateJsonSchema

from sqops.i18n import LANGS

#: the config of every object type of an output: no member that the type does not name
CLOSED = ConfigDict(extra="forbid")

Date = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})]
HHMM = Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
HHMMSS = Annotated[str, Field(pattern=r"^\d{2}:\d{2}:\d{2}$")]
Count = Annotated[int, Field(ge=0)]
Hour = Annotated[int, Field(ge=0, le=23)]
Rate = Annotated[float, Field(ge=0, le=1)]


def one_of(values: Iterable[str]) -> WithJsonSchema:
    """For ``Annotated[str, one_of(NAMES)]``: a string that is one of ``NAMES`` (an ``enum``).

    Rather than ``Literal[NAMES]``: a type checker takes no Literal of a tuple from the
    registry (it would have to see ``str`` anyway), and this says both in one line.
    """
    return WithJsonSchema({"enum": list(values), "type": "string"})


def const(value: int) -> WithJsonSchema:
    """For ``Annotated[int, const(SCHEMA_VERSION)]``: always this number."""
    return WithJsonSchema({"const": value, "type": "integer"})


Lang = Annotated[str, one_of(LANGS)]


def described(text: str) -> Any:
    """``Field(description=text)``, for ``Annotated[T, described("...")]``."""
    return Field(description=text)


DRAFT = "https://json-schema.org/draft/2020-12/schema"


class _Generator(GenerateJsonSchema):
    """pydantic's generator without the titles it makes up from member and class names."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def generate(self, schema: Any, mode: Any = "validation") -> dict[str, Any]:
        out = super().generate(schema, mode)
        for sub in [out, *out.get("$defs", {}).values()]:
            sub.pop("title", None)
        return out


def schema_of(
    tp: Any, *, title: str, schema_id: str | None = None, description: str | None = None
) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the type ``tp``, with ``$id``, title and description."""
    body = TypeAdapter(tp).json_schema(schema_generator=_Generator)
    out: dict[str, Any] = {"$schema": DRAFT}
    if schema_id:
        out["$id"] = schema_id
    out["title"] = title
    out["description"] = description or body.pop("description", None)
    out.update((k, v) for k, v in body.items() if k != "description")
    if out["description"] is None:
        del out["description"]
    return out
