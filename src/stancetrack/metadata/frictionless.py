"""dataset/datapackage.json: a Frictionless Data Package with one tabular resource per Parquet file.

Fields, types and constraints (required, enum, pattern, length, range) come from the JSON Schemas; the primary
key and the foreign keys from their ``x-primary-key`` and ``x-foreign-keys``. Two kinds of reference cannot be
written in Table Schema and are left to the column descriptions (and to ``stancetrack validate``): one whose
target table depends on another column (``stances.target_id``), and one held in a list (``subject_ids``).
"""

from __future__ import annotations

from typing import Any

from ..schemas import TABLES
from .columns import Column, columns, plain_references
from .sources import Sources

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
TABLE_SCHEMA_PROFILE = "https://datapackage.org/profiles/2.0/tableschema.json"

#: Lists (and lists of structs) are ``any``: frictionless-py reads Parquet through pandas, which hands it numpy
#: arrays, and its ``array`` type accepts only Python lists and JSON text, so a correct ``array`` would fail every
#: row. The column's description says what the list holds. A nullable integer column is a ``number`` without its
#: range: pandas hands frictionless-py the nulls of an integer column as float NaN, which it takes for a value
#: (not an integer, outside every range); the range stays in the description and in the JSON Schema.
TYPES = {"string": "string", "uri": "string", "date": "date", "integer": "integer", "number": "number",
         "boolean": "boolean", "array": "any", "object": "any"}
CONSTRAINTS = ("pattern", "minLength", "maxLength", "minimum", "maximum", "enum")


def datapackage(src: Sources) -> dict[str, Any]:
    """The Data Package descriptor of the dataset folder ``src`` describes."""
    record = src.record
    license_ = record["license"]
    return {
        "$schema": PROFILE,
        "name": record["name"],
        "title": record["title"],
        "description": record["description"],
        "version": src.version,
        "created": f"{record['date_published']}T00:00:00Z",
        "keywords": record["keywords"],
        "licenses": [{"name": license_["id"], "path": license_["url"], "title": license_["title"]}],
        "contributors": [{"title": c["name"], "roles": ["creator"]} for c in record["creators"]],
        "resources": [_resource(src, name) for name in TABLES],
    }


def _resource(src: Sources, name: str) -> dict[str, Any]:
    ts = src.schema(name)
    entry = src.entry(name)
    schema: dict[str, Any] = {
        "$schema": TABLE_SCHEMA_PROFILE,
        "fields": [_field(column) for column in columns(ts)],
        "primaryKey": [ts.key],
    }
    refs = plain_references(ts)
    foreign_keys = [{"fields": [fk.field], "reference": {"resource": fk.table, "fields": [fk.ref]}}
                    for field, fk in refs.items() if ts.property(field)["type"] != "array"]
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return {
        "$schema": RESOURCE_PROFILE,
        "name": name,
        "type": "table",
        "path": entry["file"],
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "title": ts.json_schema.get("title", name),
        "description": ts.json_schema.get("description", ""),
        "hash": f"sha256:{entry['sha256']}",
        "schema": schema,
    }


def _field(column: Column) -> dict[str, Any]:
    kind = "number" if column.kind == "integer" and column.nullable else column.kind
    field: dict[str, Any] = {"name": column.name, "type": TYPES[kind], "description": column.description}
    if column.kind == "uri":
        field["format"] = "uri"
    constraints: dict[str, Any] = {"required": not column.nullable}
    keys = CONSTRAINTS if kind == column.kind else ("enum",)
    constraints.update({key: column.prop[key] for key in keys if key in column.prop})
    field["constraints"] = constraints
    return field
