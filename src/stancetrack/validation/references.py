"""Layer 3: every reference to another table resolves, and authorial stances are held by their author."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..schemas import TABLES, table_schema


def reference_errors(tables: dict[str, pa.Table]) -> list[ErrorRecord]:
    errors: list[ErrorRecord] = []
    for name in TABLES:
        table = tables.get(name)
        if table is None:
            continue
        ts = table_schema(name)
        for fk in ts.foreign_keys:
            target = tables.get(fk.table)
            needed = [fk.field, *fk.when]
            if target is None or fk.ref not in target.column_names or any(c not in table.column_names for c in needed):
                continue
            errors += _missing(name, table, ts.key, fk.field, fk.when, fk.table, fk.ref, target.column(fk.ref))
    errors += _authorial_errors(tables)
    return errors


def _missing(name, table, key, field, when, target_name, ref, ref_values) -> list[ErrorRecord]:
    column = table.column(field)
    if pa.types.is_list(column.type):
        flat = pc.list_flatten(column)
        rows = pc.list_parent_indices(column).to_pylist()
        values = flat
    else:
        values = column
        rows = list(range(table.num_rows))
    mask = pc.invert(pc.is_in(values, value_set=pa.array(ref_values.to_pylist(), type=values.type)))
    mask = pc.and_kleene(mask, pc.is_valid(values))
    for column_name, expected in when.items():
        applies = pc.equal(table.column(column_name), expected)
        if pa.types.is_list(column.type):
            applies = pc.take(applies, pa.array(rows))
        mask = pc.and_kleene(mask, pc.fill_null(applies, False))
    keys = table.column(key).to_pylist() if key in table.column_names else [None] * table.num_rows
    errors = []
    for index in pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist():
        row = rows[index]
        value = values[index].as_py()
        errors.append(ErrorRecord(name, "foreign-key", f"{field} {value!r} is not a {ref} of {target_name}",
                                  row=row, id=keys[row], field=field, value=value))
    return errors


def _authorial_errors(tables: dict[str, pa.Table]) -> list[ErrorRecord]:
    stances, documents = tables.get("stances"), tables.get("documents")
    needed = {"stances": ("stance_id", "document_id", "holder_id", "attribution"),
              "documents": ("document_id", "author_id")}
    if stances is None or documents is None or any(
            c not in tables[t].column_names for t, cols in needed.items() for c in cols):
        return []
    authors = dict(zip(documents.column("document_id").to_pylist(), documents.column("author_id").to_pylist()))
    errors = []
    rows = zip(stances.column("stance_id").to_pylist(), stances.column("document_id").to_pylist(),
               stances.column("holder_id").to_pylist(), stances.column("attribution").to_pylist())
    for position, (stance_id, document_id, holder, attribution) in enumerate(rows):
        author = authors.get(document_id)
        if attribution == "authorial" and author is not None and holder != author:
            errors.append(ErrorRecord("stances", "authorial-holder",
                                      f"an authorial stance must be held by the document's author {author!r}",
                                      row=position, id=stance_id, field="holder_id", value=holder))
    return errors
