"""The human-readable metadata: Hugging Face card front matter, composition tables and column references.

Generated Markdown lives between marker comments (``<!-- BEGIN GENERATED: name -->`` …
``<!-- END GENERATED: name -->``) so people can write the prose around it; only the blocks and the card's
YAML front matter are ever rewritten.
"""

from __future__ import annotations

import json
import re

from ..errors import MissingMarker
from ..schemas import TABLES, TableSchema, table_schema
from .columns import Column, columns
from .sources import Sources


def begin(name: str) -> str:
    return f"<!-- BEGIN GENERATED: {name} -->"


def end(name: str) -> str:
    return f"<!-- END GENERATED: {name} -->"


def put_block(text: str, name: str, content: str, anchor: str | None = None) -> str:
    """``text`` with the block ``name`` holding ``content``: replaced where it is, else inserted after the
    ``anchor`` line (which stays)."""
    block = f"{begin(name)}\n{content.strip()}\n{end(name)}"
    pattern = re.compile(re.escape(begin(name)) + r".*?" + re.escape(end(name)), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    if anchor is not None and anchor in text:
        head, tail = text.split(anchor, 1)
        return f"{head}{anchor}\n{block}{tail if tail.startswith(chr(10)) else chr(10) + tail}"
    where = f" or the line {anchor}" if anchor else ""
    raise MissingMarker(f"no {begin(name)} … {end(name)} block{where} to put the generated {name} in; "
                        "add the marker where the block belongs and run `stancetrack metadata` again")


# -- YAML front matter (written by hand: the runtime has no YAML library; JSON strings are YAML scalars) --------

def _scalar(value: str) -> str:
    return value if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_./<>-]*", value) else json.dumps(value, ensure_ascii=False)


def size_category(rows: int) -> str:
    for limit, label in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < limit:
            return label
    return "n>1M"


def front_matter(src: Sources, data_prefix: str) -> str:
    """The card's YAML front matter: licence, language, tasks, tags and one config per table (its Parquet file,
    at ``data_prefix`` + ``<table>.parquet``), so that ``datasets.load_dataset(folder, table)`` reads it."""
    record = src.record
    lines = ["---", f"license: {record['license']['hf']}", "language:", f"- {record['language']}",
             f"pretty_name: {_scalar(record['title'])}", "task_categories:"]
    lines += [f"- {task}" for task in record["task_categories"]]
    lines += ["tags:", *(f"- {tag}" for tag in record["tags"])]
    lines += ["size_categories:", f"- {size_category(max(src.rows(n) for n in TABLES))}", "configs:"]
    for name in TABLES:
        lines += [f"- config_name: {name}", "  data_files:", "  - split: train",
                  f"    path: {data_prefix}{src.entry(name)['file']}"]
    return "\n".join([*lines, "---"]) + "\n"


def replace_front_matter(text: str, matter: str) -> str:
    if text.startswith("---\n"):
        closing = text.find("\n---\n", 4)
        if closing != -1:
            return matter + text[closing + len("\n---\n"):]
    return matter + "\n" + text


# -- Markdown tables ----------------------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _summary(ts: TableSchema) -> str:
    description = ts.json_schema.get("description", "")
    return description.split(". ")[0].rstrip(".") + "."


def label_columns(ts: TableSchema) -> list[Column]:
    """The columns whose values are labels: enumerations and small closed integer scales (e.g. intensity 1–3)."""
    chosen = []
    for column in columns(ts):
        scale = (column.kind == "integer" and "minimum" in column.prop and "maximum" in column.prop
                 and column.prop["maximum"] - column.prop["minimum"] <= 10)
        if column.enum or scale:
            chosen.append(column)
    return chosen


def _label_counts(src: Sources, name: str, column: Column) -> list[tuple[str, int]]:
    if column.enum:
        return src.label_counts(name, column.name)
    values = src.tables[name].column(column.name).to_pylist()
    scale = range(column.prop["minimum"], column.prop["maximum"] + 1)
    counts = [(str(v), values.count(v)) for v in scale]
    return counts + [("null", values.count(None))] if column.nullable else counts


def composition(src: Sources) -> str:
    """Rows per table, and rows per label of every labelled column, counted from the data."""
    lines = [f"Release {src.version} (schema {src.schema_version}), counted from the Parquet files.", "",
             "| table | rows | a row is |", "| --- | ---: | --- |"]
    lines += [f"| `{name}` | {src.rows(name)} | {_cell(_summary(src.schema(name)))} |" for name in TABLES]
    lines += ["", "| column | rows per label |", "| --- | --- |"]
    for name in TABLES:
        for column in label_columns(src.schema(name)):
            counts = " · ".join(f"{label} {n}" for label, n in _label_counts(src, name, column))
            lines.append(f"| `{name}.{column.name}` | {counts} |")
    return "\n".join(lines)


def rights(src: Sources) -> str:
    """The rights status of every document's text (held in ``documents.text``), from the documents table."""
    return "\n".join(f"- `{doc['document_id']}`" + (f" (`{doc['source_path']}`)" if doc["source_path"] else "")
                     + f": {_cell(doc['rights'])}" for doc in src.documents)


def citation(src: Sources) -> str:
    record = src.record
    return (f"```text\n{record['citation']} Version {src.version}.\n```\n\n"
            f"Licence of the annotations: {record['license']['title']} ({record['license']['id']}).")


def _type_cell(column: Column) -> str:
    label = column.type_label()
    return label.replace("string", "enum", 1) if column.enum else label


def _references(ts: TableSchema) -> str:
    parts = []
    for fk in ts.foreign_keys:
        condition = " and ".join(f"`{k}` is `{v}`" for k, v in fk.when.items())
        parts.append(f"`{fk.field}` → `{fk.table}.{fk.ref}`" + (f" when {condition}" if condition else ""))
    return "; ".join(parts)


def field_reference(heading: str = "###") -> str:
    """Every table and column with its type and description, from the JSON Schemas."""
    lines: list[str] = []
    for name in TABLES:
        ts = table_schema(name)
        lines += [f"{heading} `{name}`", "", ts.json_schema.get("description", ""), "",
                  f"Key: `{ts.key}`." + (f" References: {_references(ts)}." if ts.foreign_keys else ""), "",
                  "| column | type | description |", "| --- | --- | --- |"]
        for column in columns(ts):
            lines.append(f"| `{column.name}` | {_type_cell(column)} | {_cell(column.description)} |")
            for sub in column.subfields:
                suffix = "[]" if column.kind == "array" else ""
                lines.append(f"| `{column.name}{suffix}.{sub.name}` | {_type_cell(sub)} | {_cell(sub.description)} |")
        lines.append("")
    return "\n".join(lines).rstrip()

