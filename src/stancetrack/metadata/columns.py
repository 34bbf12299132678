"""The columns of a table as every metadata format needs them: kind, nullability, items, sub-fields, references."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..schemas import ForeignKey, TableSchema


@dataclass(frozen=True)
class Column:
    """One property of a table's JSON Schema, with its declared type spelled out."""

    name: str
    prop: dict[str, Any]

    @property
    def types(self) -> list[str]:
        declared = self.prop["type"]
        return [declared] if isinstance(declared, str) else list(declared)

    @property
    def nullable(self) -> bool:
        return "null" in self.types

    @property
    def kind(self) -> str:
        """`string`, `date`, `uri`, `integer`, `number`, `boolean`, `array` or `object`."""
        kind = next(t for t in self.types if t != "null")
        if kind == "string" and self.prop.get("format") in ("date", "uri"):
            return self.prop["format"]
        return kind

    @property
    def description(self) -> str:
        return self.prop.get("description", "")

    @property
    def enum(self) -> list[Any] | None:
        return self.prop.get("enum")

    @property
    def items(self) -> Column | None:
        """The item of a list column (named like the column)."""
        return Column(self.name, self.prop["items"]) if self.kind == "array" else None

    @property
    def subfields(self) -> list[Column]:
        """The members of an object column, or of the objects a list column holds."""
        target = self.items if self.kind == "array" else self
        if target is None or target.kind != "object":
            return []
        return [Column(name, prop) for name, prop in target.prop["properties"].items()]

    def type_label(self) -> str:
        """A short human-readable type: `string`, `date`, `list of string`, `list of objects`, `… or null`."""
        if self.kind == "array":
            item = self.items
            label = "list of objects" if item.kind == "object" else f"list of {item.kind}"
        else:
            label = self.kind
        return f"{label} or null" if self.nullable else label


def columns(ts: TableSchema) -> Iterator[Column]:
    for name, prop in ts.json_schema["properties"].items():
        yield Column(name, prop)


def plain_references(ts: TableSchema) -> dict[str, ForeignKey]:
    """The unconditional foreign keys of a table by field. A key that depends on another column's value
    (``when``, e.g. ``stances.target_id``) has no single target table, so no format can declare it; the
    column's description says where it points."""
    conditional = {fk.field for fk in ts.foreign_keys if fk.when}
    return {fk.field: fk for fk in ts.foreign_keys if fk.field not in conditional}
