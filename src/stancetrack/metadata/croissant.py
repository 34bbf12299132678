"""dataset/croissant.json: MLCommons Croissant 1.0 (JSON-LD) metadata of the release.

One FileObject per Parquet file, with its SHA-256 (the texts are in ``documents.text``); one RecordSet per table
with every field, its data type, description, the table's key and its references to other tables; and one enumeration
RecordSet (``<table>.<column>``, its values inline) per enumerated column, which that column references. The ``@context`` is
written out in full (the standard Croissant 1.0 context), so no reader has to fetch one from the network.
"""

from __future__ import annotations

from typing import Any

from ..schemas import TABLES
from .columns import Column, columns, plain_references
from .sources import Sources

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
PARQUET = "application/x-parquet"

#: The standard Croissant 1.0 ``@context`` (as in the specification's example datasets), inline.
CONTEXT: dict[str, Any] = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

DATA_TYPES = {
    "string": "sc:Text", "uri": "sc:URL", "date": "sc:Date", "integer": "sc:Integer", "number": "sc:Float",
    "boolean": "sc:Boolean",
}


def croissant(src: Sources) -> dict[str, Any]:
    """The Croissant JSON-LD document of the dataset folder ``src`` describes."""
    record = src.record
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": record["name"],
        "alternateName": record["title"],
        "description": record["description"],
        "version": src.version,
        "datePublished": record["date_published"],
        "license": record["license"]["url"],
        "creator": [{"@type": f"sc:{c['type']}", "name": c["name"]} for c in record["creators"]],
        "citeAs": record["citation"],
        "inLanguage": record["language"],
        "keywords": record["keywords"],
        "usageInfo": record["license"]["scope"],
        "distribution": [_table_file(src, name) for name in TABLES],
        "recordSet": [*(_record_set(src, name) for name in TABLES),
                      *(_enumeration(name, column) for name in TABLES for column in columns(src.schema(name))
                        if column.enum)],
    }


def _table_file(src: Sources, name: str) -> dict[str, Any]:
    entry = src.entry(name)
    return {
        "@type": "cr:FileObject",
        "@id": entry["file"],
        "name": entry["file"],
        "description": f"The {name} table ({src.rows(name)} rows), Parquet.",
        "contentUrl": entry["file"],
        "contentSize": f"{src.file_size(name)} B",
        "encodingFormat": PARQUET,
        "sha256": entry["sha256"],
    }


def _record_set(src: Sources, name: str) -> dict[str, Any]:
    ts = src.schema(name)
    refs = plain_references(ts)
    fields = []
    for column in columns(ts):
        field = _field(name, src.entry(name)["file"], column)
        if column.name in refs:
            fk = refs[column.name]
            field["references"] = {"field": {"@id": f"{fk.table}/{fk.ref}"}}
        elif column.enum:
            field["references"] = {"field": {"@id": f"{name}.{column.name}/value"}}
        fields.append(field)
    return {
        "@type": "cr:RecordSet",
        "@id": name,
        "name": name,
        "description": ts.json_schema.get("description", ""),
        "key": {"@id": f"{name}/{ts.key}"},
        "field": fields,
    }


def _enumeration(table: str, column: Column) -> dict[str, Any]:
    """The allowed values of an enumerated column, as a Croissant enumeration with inline data."""
    record_id = f"{table}.{column.name}"
    return {
        "@type": "cr:RecordSet",
        "@id": record_id,
        "name": record_id,
        "description": f"The allowed values of `{table}.{column.name}`: {column.description}",
        "dataType": "sc:Enumeration",
        "key": {"@id": f"{record_id}/value"},
        "field": [{"@type": "cr:Field", "@id": f"{record_id}/value", "name": "value", "dataType": "sc:Text"}],
        "data": [{f"{record_id}/value": value} for value in column.enum],
    }


def _field(table: str, file_id: str, column: Column, parent: str | None = None) -> dict[str, Any]:
    field_id = f"{parent or table}/{column.name}"
    field: dict[str, Any] = {
        "@type": "cr:Field",
        "@id": field_id,
        "name": column.name,
        "description": column.description,
    }
    value = column.items if column.kind == "array" else column
    if value.kind == "object":
        field["subField"] = [_field(table, file_id, sub, field_id) for sub in column.subfields]
    else:
        field["dataType"] = DATA_TYPES[value.kind]
    if column.kind == "array":
        field["repeated"] = True
    if parent is None and value.kind != "object":
        field["source"] = {"fileObject": {"@id": file_id}, "extract": {"column": column.name}}
    elif parent is not None:  # a member of the structs a column holds: picked out of each by its name
        field["source"] = {"fileObject": {"@id": file_id}, "extract": {"column": parent.split("/")[-1]},
                           "transform": {"jsonPath": column.name}}
    return field
