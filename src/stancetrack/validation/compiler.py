"""Layer 1, vectorized: a table's JSON Schema compiled into pyarrow.compute checks over whole columns.

The reference engine (:mod:`.rows`) asks jsonschema about one Python dict at a time. This engine walks the
schema once (:func:`compile_schema`) and evaluates every keyword over a whole Arrow column at a time: a
``pattern`` is one RE2 pass, an ``enum`` one ``is_in``, ``items`` a check of the flattened list values,
``contains`` a count of the matching items per list, an ``if``/``then``/``else`` a mask. Only the rows that
fail are turned into Python objects, and the error records come out exactly as the reference engine makes them: same row, id, field, code, message and value, in the
same order (jsonschema sorts a row's errors by schema path and keeps the first per field and code).

The columns as JSON instances live in :mod:`.arrays`, the check of each keyword in :mod:`.checks`; this module
compiles a schema into a tree of nodes and evaluates it.

What is not vectorized falls back, and says so:
- a keyword this module does not implement, or a ``pattern`` that RE2 cannot run with Python's meaning,
  is checked by jsonschema on that keyword alone (:attr:`CompiledSchema.fallbacks` lists them);
- a column whose Arrow type has no JSON meaning here (binary, decimal, timestamp, ...) makes
  :meth:`CompiledSchema.errors` raise :class:`Unvectorizable`; the caller then uses the reference engine
  for the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import ErrorRecord
from ..schemas import table_schema
# the names other modules import from here, wherever they are defined
from .arrays import (BATCH_ROWS, ENCODE_ROWS, Failure, Inst, Unvectorizable, instance, row_slices,  # noqa: F401
                     is_text, normalize, table_from_records)
from .checks import _CHECKS, _fallback, _with_values, re2_pattern
from .formats import FORMAT_CHECKER

#: Keywords that never fail: documentation and the package's own ``x-`` extensions.
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "examples", "default",
                         "deprecated", "readOnly", "writeOnly"})
_VALUE_KEYWORDS = ("type", "enum", "const", "pattern", "format", "minLength", "maxLength", "minimum",
                   "maximum", "minItems", "maxItems", "uniqueItems")
_STRUCTURE_KEYWORDS = ("items", "contains", "properties", "required", "additionalProperties", "allOf", "if", "then",
                       "else")


# --- the compiled schema ---------------------------------------------------------------------------------

@dataclass
class Node:
    """One subschema, its keywords sorted into what is vectorized and what falls back."""

    path: tuple
    schema: dict[str, Any]
    fallback: dict[str, Any] = field(default_factory=dict)  # keyword -> value, checked by jsonschema
    regex: str | None = None
    items: "Node | None" = None
    contains: "Node | None" = None
    properties: dict[str, "Node"] = field(default_factory=dict)
    all_of: list["Node"] = field(default_factory=list)
    if_: "Node | None" = None
    then: "Node | None" = None
    else_: "Node | None" = None

    def walk(self):
        yield self
        for sub in (self.items, self.contains, *self.properties.values(), *self.all_of, self.if_, self.then,
                    self.else_):
            if sub is not None:
                yield from sub.walk()


def _compile(schema: dict[str, Any], path: tuple) -> Node:
    node = Node(path, schema)
    for keyword, value in schema.items():
        if keyword in ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword == "pattern":
            node.regex = re2_pattern(value)
            if node.regex is None:
                node.fallback[keyword] = value
        elif keyword == "format":
            if value in FORMAT_CHECKER.checkers and value != "date":
                node.fallback[keyword] = value
        elif keyword in ("enum", "const"):
            values = value if keyword == "enum" else [value]
            if any(isinstance(v, (list, dict)) for v in values):
                node.fallback[keyword] = value
        elif keyword == "items":
            node.items = _compile(value, path + ("items",)) if isinstance(value, dict) else None
            if not isinstance(value, dict):
                node.fallback[keyword] = value
        elif keyword == "contains":
            node.contains = _compile(value, path + ("contains",)) if isinstance(value, dict) else None
            if not isinstance(value, dict):
                node.fallback[keyword] = value
        elif keyword == "properties":
            node.properties = {k: _compile(v, path + ("properties", k)) for k, v in value.items()}
        elif keyword == "allOf":
            node.all_of = [_compile(v, path + ("allOf", i)) for i, v in enumerate(value)]
        elif keyword in ("if", "then", "else"):
            setattr(node, {"if": "if_", "then": "then", "else": "else_"}[keyword], _compile(value, path + (keyword,)))
        elif keyword == "additionalProperties" and not isinstance(value, bool):
            node.fallback[keyword] = value
        elif keyword not in _VALUE_KEYWORDS + _STRUCTURE_KEYWORDS:
            node.fallback[keyword] = value
    return node


@dataclass
class CompiledSchema:
    """A table's JSON Schema, ready to check Arrow record batches."""

    name: str
    root: Node
    key: str | None

    @property
    def fallbacks(self) -> list[str]:
        """The rules checked by jsonschema rather than vectorized, as JSON pointers to their keyword."""
        return ["/".join(map(str, node.path + (keyword,))) for node in self.root.walk() for keyword in node.fallback]

    def errors(self, batch: pa.Table | pa.RecordBatch, offset: int = 0, skip: Sequence[str] = (),
               records: Sequence[dict[str, Any]] | None = None) -> list[ErrorRecord]:
        """Every schema violation in ``batch`` (rows numbered from ``offset``), as the reference reports them.

        ``records``, when given, are the rows as the reference engine sees them (a pandas frame's records):
        messages and values are then taken from them, so an integer stored in a float column reads ``1``.
        """
        names = batch.column_names if isinstance(batch, pa.Table) else batch.schema.names
        columns: dict[str, Inst] = {}
        for index, col in enumerate(names):
            if records is not None:
                def value_of(i, col=col):
                    return records[i].get(col)
            else:
                value_of = None
            columns[col] = instance(batch.column(index), value_of)
        n = batch.num_rows
        row = Inst(None, n, np.ones(n, dtype=bool), children=columns)
        failures = _failures(self.root, row)
        return self._records(failures, columns, offset, set(skip))

    def _records(self, failures: list[Failure], columns: Mapping[str, Inst], offset: int,
                 skip: set[str]) -> list[ErrorRecord]:
        found: list[tuple[int, tuple, int, Failure]] = []
        for order, failure in enumerate(failures):
            if failure.field in skip:
                continue
            for i in np.flatnonzero(failure.mask).tolist():
                found.append((i, failure.path, order, failure))
        found.sort(key=lambda item: (item[0], item[1], item[2]))
        key = columns.get(self.key) if self.key else None
        errors: list[ErrorRecord] = []
        seen: set[tuple[int, str | None, str]] = set()
        for i, _, _, failure in found:
            code = "conditional" if failure.conditional else failure.code
            if (i, failure.field, code) in seen:
                continue
            seen.add((i, failure.field, code))
            row_id = key.value(i) if key is not None else None
            column = columns.get(failure.field) if failure.field is not None else None
            errors.append(ErrorRecord(self.name, code, failure.message(i), row=offset + i,
                                      id=row_id if isinstance(row_id, str) else None, field=failure.field,
                                      value=column.value(i) if column is not None else None))
        return errors


def compile_schema(schema: dict[str, Any], name: str = "", key: str | None = None) -> CompiledSchema:
    return CompiledSchema(name, _compile(schema, ()), key)


@lru_cache(maxsize=None)
def compiled(name: str) -> CompiledSchema:
    ts = table_schema(name)
    return compile_schema(ts.json_schema, name, ts.key)


# --- evaluation ------------------------------------------------------------------------------------------

def _failures(node: Node, inst: Inst) -> list[Failure]:
    """Every keyword of ``node`` failing on the elements of ``inst`` (the row object included)."""
    out: list[Failure] = []
    schema = node.schema
    for keyword in _VALUE_KEYWORDS:
        if keyword in schema and keyword not in node.fallback:
            failure = _CHECKS[keyword](node, inst, schema[keyword])
            if failure is not None:
                out.append(failure)
    for keyword, value in node.fallback.items():
        out.append(_fallback(node, inst, keyword, value))
    if inst.kind == "array" and node.items is not None:
        out += _item_failures(node.items, inst)
    if inst.kind == "array" and node.contains is not None:
        out.append(_contains_failure(node, inst))
    if inst.kind in ("object", None):
        out += _object_failures(node, inst)
    return [f for f in out if f.mask.any()]


def _object_failures(node: Node, inst: Inst) -> list[Failure]:
    out: list[Failure] = []
    children = inst.children or {}
    is_obj = inst.valid
    for name, sub in node.properties.items():
        if name in children:
            for failure in _failures(sub, children[name]):
                failure.mask = failure.mask & is_obj
                failure.field = name
                out.append(failure)
    for name in node.schema.get("required", []):
        if name not in children:
            out.append(Failure(node.path + ("required",), "required", is_obj.copy(),
                               lambda i, name=name: f"{name!r} is a required property", field=name))
    if node.schema.get("additionalProperties") is False:
        extras = [c for c in children if c not in node.schema.get("properties", {})]
        if extras:
            text = ", ".join(repr(e) for e in sorted(extras, key=str))
            verb = "was" if len(extras) == 1 else "were"
            message = f"Additional properties are not allowed ({text} {verb} unexpected)"
            for extra in extras:
                out.append(Failure(node.path + ("additionalProperties",), "additionalProperties", is_obj.copy(),
                                   lambda i, m=message: m, field=extra))
    for sub in node.all_of:
        out += _failures(sub, inst)
    if node.if_ is not None:
        failed = np.zeros(inst.n, dtype=bool)
        for failure in _failures(node.if_, inst):
            failed |= failure.mask
        for branch, applies in ((node.then, is_obj & ~failed), (node.else_, is_obj & failed)):
            if branch is None:
                continue
            for failure in _failures(branch, inst):
                failure.mask = failure.mask & applies
                failure.conditional = True
                out.append(failure)
    return out


def _item_failures(node: Node, inst: Inst) -> list[Failure]:
    arr = inst.arr
    flat = arr.flatten()
    parents = pc.list_parent_indices(arr).to_numpy()
    items = instance(flat)
    out = []
    for failure in _failures(node, items):
        bad = np.flatnonzero(failure.mask)
        rows, first = np.unique(parents[bad], return_index=True)
        first_item = np.full(inst.n, -1, dtype=np.int64)
        first_item[rows] = bad[first]
        mask = np.zeros(inst.n, dtype=bool)
        mask[rows] = True
        out.append(Failure(failure.path, failure.code, mask & inst.valid,
                           lambda i, m=failure.message, f=first_item: m(int(f[i])), conditional=failure.conditional))
    return out


def _contains_failure(node: Node, inst: Inst) -> Failure:
    """``contains``: the lists none of whose items matches the subschema (an empty list included)."""
    arr = inst.arr
    parents = pc.list_parent_indices(arr).to_numpy()
    failed = np.zeros(len(parents), dtype=bool)
    for failure in _failures(node.contains, instance(arr.flatten())):
        failed |= failure.mask
    matches = np.bincount(parents[~failed], minlength=inst.n)[: inst.n]
    return Failure(node.path + ("contains",), "contains", inst.valid & (matches == 0),
                   _with_values(inst, lambda v: f"{v!r} does not contain items matching the given schema"))
