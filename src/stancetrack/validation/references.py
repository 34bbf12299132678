"""Layer 3: every reference to another table resolves, and authorial stances are held by their author.

Vectorized: a reference is one ``is_in`` against the target's key column (lists flattened first), an
authorial holder one ``index_in`` into the documents and a ``take`` of their authors. Only failing rows
become Python objects. Each function checks one batch of rows, numbered from ``offset``.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..schemas import ForeignKey, table_schema
from .compiler import Unvectorizable, is_text, normalize


def _text(column) -> pa.Array | None:
    """The column as a string array, or None when it holds something else (layer 1 reports that)."""
    try:
        column = normalize(column)
    except Unvectorizable:
        return None
    return column if is_text(column.type) else None


def foreign_key_errors(name: str, batch: pa.Table | pa.RecordBatch, fk: ForeignKey, ref_values,
                       offset: int = 0) -> list[ErrorRecord]:
    """Rows of ``batch`` whose ``fk.field`` is not among ``ref_values`` (the target table's key column)."""
    names = batch.schema.names
    if any(c not in names for c in (fk.field, *fk.when)):
        return []
    column = normalize(batch.column(names.index(fk.field)))
    listed = pa.types.is_list(column.type) or pa.types.is_large_list(column.type)
    values = _text(column.flatten()) if listed else _text(column)
    known = _text(ref_values)
    if values is None or known is None:
        return []
    rows = pc.list_parent_indices(column).to_numpy() if listed else np.arange(len(values))
    mask = pc.and_kleene(pc.invert(pc.is_in(values, value_set=known)), pc.is_valid(values))
    for column_name, expected in fk.when.items():
        applies = pc.equal(normalize(batch.column(names.index(column_name))).cast(pa.string()), expected)
        if listed:
            applies = pc.take(applies, pa.array(rows))
        mask = pc.and_kleene(mask, pc.fill_null(applies, False))
    bad = pc.indices_nonzero(pc.fill_null(mask, False)).to_numpy()
    if not len(bad):
        return []
    key = table_schema(name).key
    keys = batch.column(names.index(key)) if key in names else None
    errors = []
    for index in bad.tolist():
        row = int(rows[index])
        value = values[index].as_py()
        errors.append(ErrorRecord(name, "foreign-key", f"{fk.field} {value!r} is not a {fk.ref} of {fk.table}",
                                  row=offset + row, id=keys[row].as_py() if keys is not None else None,
                                  field=fk.field, value=value))
    return errors


def authorial_errors(stances: pa.Table | pa.RecordBatch, documents: pa.Table,
                     offset: int = 0) -> list[ErrorRecord]:
    """Authorial stances whose holder is not the author of their document."""
    needed = {"stances": ("stance_id", "document_id", "holder_id", "attribution"),
              "documents": ("document_id", "author_id")}
    if any(c not in stances.schema.names for c in needed["stances"]) or any(
            c not in documents.schema.names for c in needed["documents"]):
        return []
    col = {c: _text(stances.column(stances.schema.names.index(c))) for c in needed["stances"][1:]}
    stance_ids = stances.column(stances.schema.names.index("stance_id"))
    doc_ids, author_ids = _text(documents.column("document_id")), _text(documents.column("author_id"))
    if any(v is None for v in (*col.values(), doc_ids, author_ids)):
        return []
    # a repeated document_id takes its last row's author, as a dict built from the rows would
    last = pa.array(np.arange(len(doc_ids))[::-1])
    doc_ids, author_ids = doc_ids.take(last), author_ids.take(last)
    author = author_ids.take(pc.index_in(col["document_id"], value_set=doc_ids))
    authorial = pc.fill_null(pc.equal(col["attribution"], "authorial"), False)
    differs = pc.fill_null(pc.not_equal(col["holder_id"], author), True)
    mask = pc.and_(pc.and_(authorial, pc.is_valid(author)), differs)
    errors = []
    for row in pc.indices_nonzero(mask).to_pylist():
        holder = col["holder_id"][row].as_py()
        errors.append(ErrorRecord("stances", "authorial-holder",
                                  f"an authorial stance must be held by the document's author {author[row].as_py()!r}",
                                  row=offset + row, id=stance_ids[row].as_py(), field="holder_id",
                                  value=holder))
    return errors
