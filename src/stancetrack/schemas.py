"""The JSON Schemas of the tables, and everything derived from them: keys, references, Arrow types.

The schemas under ``schema/`` are the single place where a rule is written. This module reads them once and
derives the Arrow schema, the primary key, the foreign keys and the enumerations the rest of the package uses.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .errors import UnknownTable, UnreadableTable
from .resources import schema_dir

if TYPE_CHECKING:  # pyarrow is imported where Arrow types are built: the CLI's help reads the tables without it
    import pyarrow as pa

#: The tables, in dependency order (a table only refers to tables before it, outcomes last).
TABLES: tuple[str, ...] = (
    "documents", "segments", "actors", "topics", "mentions", "stances", "predictions", "outcomes",
)


@dataclass(frozen=True)
class ForeignKey:
    field: str
    table: str
    ref: str
    when: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSchema:
    """One table's JSON Schema and what is derived from it."""

    name: str
    json_schema: dict[str, Any]

    @property
    def key(self) -> str:
        return self.json_schema["x-primary-key"]

    @property
    def columns(self) -> list[str]:
        return list(self.json_schema["properties"])

    @property
    def foreign_keys(self) -> list[ForeignKey]:
        return [ForeignKey(fk["field"], fk["references"]["table"], fk["references"]["field"], fk.get("when", {}))
                for fk in self.json_schema.get("x-foreign-keys", [])]

    @property
    def has_spans(self) -> bool:
        return bool(self.json_schema.get("x-spans"))

    def property(self, column: str) -> dict[str, Any]:
        return self.json_schema["properties"][column]

    def enum(self, column: str) -> list[str] | None:
        return self.property(column).get("enum")

    def conditionals(self) -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
        """The schema's ``allOf`` if/then rules on one column's value: (column, values it applies to, ``then``)."""
        rules = []
        for rule in self.json_schema.get("allOf", []):
            condition = rule.get("if", {}).get("properties", {})
            if len(condition) != 1:
                continue
            (column, test), = condition.items()
            values = tuple(test["enum"]) if "enum" in test else (test["const"],) if "const" in test else None
            if values is not None:
                rules.append((column, values, rule.get("then", {})))
        return rules

    def values_constraining(self, column: str, target: str) -> frozenset[Any]:
        """The values of ``column`` whose if/then rule constrains ``target``.

        E.g. ``values_constraining("status", "deciding_clause")`` -> the statuses that must name their clause.
        """
        return frozenset(v for col, values, then in self.conditionals()
                         if col == column and target in then.get("properties", {}) for v in values)

    def date_columns(self) -> list[str]:
        return [c for c in self.columns if self.property(c).get("format") == "date"]

    def arrow_schema(self) -> pa.Schema:
        return _arrow_schema(self.name)


def _types(prop: dict[str, Any]) -> tuple[str, bool]:
    """The non-null JSON type of a property and whether null is allowed."""
    declared = prop["type"]
    kinds = [declared] if isinstance(declared, str) else list(declared)
    nullable = "null" in kinds
    kinds = [k for k in kinds if k != "null"]
    if len(kinds) != 1:
        raise ValueError(f"one non-null type per property is supported, got {declared!r}")
    return kinds[0], nullable


def arrow_type(prop: dict[str, Any]) -> pa.DataType:
    """The Arrow type of a JSON Schema property."""
    import pyarrow as pa

    kind, _ = _types(prop)
    if kind == "string":
        if prop.get("format") == "date":
            return pa.date32()
        # an enumeration is stored as a dictionary column: polars and pandas read it as categories (duckdb and
        # Hugging Face datasets through stancetrack.interop)
        return pa.dictionary(pa.int32(), pa.string()) if "enum" in prop else pa.string()
    if kind == "integer":
        return pa.int64()
    if kind == "number":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "array":
        return pa.list_(arrow_type(prop["items"]))
    if kind == "object":
        return pa.struct([arrow_field(name, sub) for name, sub in prop["properties"].items()])
    raise ValueError(f"no Arrow type for JSON type {kind!r}")


def arrow_field(name: str, prop: dict[str, Any]) -> pa.Field:
    import pyarrow as pa

    _, nullable = _types(prop)
    description = prop.get("description", "")
    return pa.field(name, arrow_type(prop), nullable=nullable, metadata={"description": description})


@lru_cache(maxsize=None)
def _arrow_schema(name: str) -> pa.Schema:
    import pyarrow as pa

    sch = table_schema(name).json_schema
    return pa.schema([arrow_field(col, prop) for col, prop in sch["properties"].items()],
                     metadata={"table": name, "description": sch.get("description", "")})


def cast_to_schema(name: str, table: pa.Table | pa.RecordBatch, where: str | None = None) -> pa.Table | pa.RecordBatch:
    """The table (or batch) with each of the schema's columns cast to its type where it has another one.

    The one cast to the schema: reading, streaming and writing all use it. Columns the schema does not know are
    kept as they are (validation reports them). :class:`UnreadableTable` (naming ``where``, default the table)
    when a column's values cannot be cast.
    """
    import pyarrow as pa

    expected = _arrow_schema(name)
    arrays = list(table.columns)
    for index, field in enumerate(table.schema):
        if field.name in expected.names and not field.type.equals(wanted := expected.field(field.name).type):
            try:
                arrays[index] = arrays[index].cast(wanted)
            except (pa.ArrowException, ValueError) as exc:
                raise UnreadableTable(f"{where or name}: column {field.name!r} is {field.type}, not {wanted}: "
                                      f"{exc}") from exc
    if isinstance(table, pa.RecordBatch):
        return pa.RecordBatch.from_arrays(arrays, names=table.schema.names)
    for index, field in enumerate(table.schema):
        if arrays[index] is not table.column(index):
            table = table.set_column(index, field.name, arrays[index])
    return table


@lru_cache(maxsize=None)
def table_schema(name: str) -> TableSchema:
    if name not in TABLES:
        raise UnknownTable(f"unknown table {name!r}; the tables are: {', '.join(TABLES)}")
    path = schema_dir() / f"{name}.schema.json"
    return TableSchema(name, json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def schema_version() -> str:
    return (schema_dir() / "VERSION").read_text(encoding="utf-8").strip()
