"""Layer 1, vectorized: a table's JSON Schema compiled into pyarrow.compute checks over whole columns.

The reference engine (:mod:`.rows`) asks jsonschema about one Python dict at a time. This engine walks the
schema once (:func:`compile_schema`) and evaluates every keyword over a whole Arrow column at a time: a
``pattern`` is one RE2 pass, an ``enum`` one ``is_in``, ``items`` a check of the flattened list values, an
``if``/``then``/``else`` a mask. Only the rows that fail are turned into Python objects, and the error records
come out exactly as the reference engine makes them: same row, id, field, code, message and value, in the
same order (jsonschema sorts a row's errors by schema path and keeps the first per field and code).

What is not vectorized falls back, and says so:
- a keyword this module does not implement, or a ``pattern`` that RE2 cannot run with Python's meaning,
  is checked by jsonschema on that keyword alone (:attr:`CompiledSchema.fallbacks` lists them);
- a column whose Arrow type has no JSON meaning here (binary, decimal, timestamp, ...) makes
  :meth:`CompiledSchema.errors` raise :class:`Unvectorizable`; the caller then uses the reference engine
  for the whole table.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jsonschema import Draft202012Validator

from ..errors import ErrorRecord
from ..frames import jsonable
from ..schemas import table_schema
from .formats import DATE_PATTERN, FORMAT_CHECKER

#: Keywords that never fail: documentation and the package's own ``x-`` extensions.
ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "examples", "default",
                         "deprecated", "readOnly", "writeOnly"})
_VALUE_KEYWORDS = ("type", "enum", "const", "pattern", "format", "minLength", "maxLength", "minimum",
                   "maximum", "minItems", "maxItems", "uniqueItems")
_STRUCTURE_KEYWORDS = ("items", "properties", "required", "additionalProperties", "allOf", "if", "then", "else")


#: Rows per record batch when reading Parquet or slicing a table (bounded memory, few Python round trips).
BATCH_ROWS = 256 * 1024


def coalesced(table: pa.Table, rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """A table in slices of ``rows`` rows, each one chunk per column: a table made of many small chunks is
    checked as fast as one made of one (a few large copies, never the whole table at once)."""
    if table.num_rows == 0:
        yield table
        return
    for start in range(0, table.num_rows, rows):
        part = table.slice(start, rows)
        yield part if all(c.num_chunks <= 1 for c in part.columns) else part.combine_chunks()


class Unvectorizable(Exception):
    """A column's Arrow type has no vectorized JSON meaning; validate the table with the reference engine."""


# --- the pieces a failure is made of ---------------------------------------------------------------------

@dataclass
class Failure:
    """One keyword failing on some elements: ``mask`` marks them, ``message(i)`` says why for element i."""

    path: tuple
    code: str
    mask: np.ndarray
    message: Callable[[int], str]
    field: str | None = None
    conditional: bool = False


@dataclass
class Inst:
    """The instances one subschema is applied to: an Arrow array (or the row object) and its JSON kind."""

    kind: str | None  # string, integer, number, boolean, array, object, null; None for the row object
    n: int
    valid: np.ndarray  # not null (and not NaN)
    arr: pa.Array | None = None
    children: Mapping[str, "Inst"] | None = None
    value_of: Callable[[int], Any] | None = None
    codes: np.ndarray | None = None  # dictionary-encoded text: ``arr`` holds the distinct values

    def value(self, i: int) -> Any:
        if self.value_of is not None:
            return self.value_of(i)
        if self.codes is not None:
            return self.arr[int(self.codes[i])].as_py() if self.valid[i] else None
        return jsonable(self.arr[i].as_py())

    def per_value(self, check: Callable[[pa.Array], np.ndarray]) -> np.ndarray:
        """``check`` (a mask over an array of values) for every element: once per distinct value if encoded."""
        mask = check(self.arr)
        if self.codes is None:
            return mask
        return mask[self.codes] if len(mask) else np.zeros(self.n, dtype=mask.dtype)  # no value: all null


def _bools(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if arr.null_count:
        arr = pc.fill_null(arr, False)
    return np.asarray(arr.to_numpy(zero_copy_only=False), dtype=bool)


def _valid(arr: pa.Array) -> np.ndarray:
    return _bools(arr.is_valid()) if arr.null_count else np.ones(len(arr), dtype=bool)


def is_text(typ: pa.DataType) -> bool:
    return pa.types.is_string(typ) or pa.types.is_large_string(typ)


#: The JSON kind of the values of each Arrow type the checks read directly.
_ARROW_KINDS: tuple[tuple[Callable[[pa.DataType], bool], str], ...] = (
    (is_text, "string"), (pa.types.is_integer, "integer"), (pa.types.is_floating, "number"),
    (pa.types.is_boolean, "boolean"), (pa.types.is_list, "array"), (pa.types.is_large_list, "array"),
    (pa.types.is_struct, "object"), (pa.types.is_null, "null"),
)


def _kind_of(typ: pa.DataType) -> str:
    for test, kind in _ARROW_KINDS:
        if test(typ):
            return kind
    raise Unvectorizable(f"no JSON meaning for Arrow type {typ}")


def _text_dictionary(typ: pa.DataType) -> bool:
    return pa.types.is_dictionary(typ) and is_text(typ.value_type)


def normalize(arr: pa.Array | pa.ChunkedArray, keep_text_dictionary: bool = False) -> pa.Array:
    """One contiguous array in a type :func:`_kind_of` knows: dictionaries decoded, dates as ISO strings."""
    if isinstance(arr, pa.ChunkedArray):
        if pa.types.is_dictionary(arr.type) and arr.num_chunks != 1:
            arr = pa.chunked_array([c.dictionary_decode() for c in arr.chunks], arr.type.value_type)
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    typ = arr.type
    if _text_dictionary(typ) and keep_text_dictionary:
        return arr
    if pa.types.is_dictionary(typ):
        return normalize(arr.dictionary_decode())
    if pa.types.is_date(typ):  # what records_from_arrow makes of a date: its isoformat()
        return pc.cast(pc.cast(arr, pa.date32()), pa.string())
    if pa.types.is_string_view(typ):
        return pc.cast(arr, pa.string())
    if pa.types.is_float16(typ):
        return pc.cast(arr, pa.float64())
    _kind_of(typ)
    return arr


#: Text columns longer than this are sampled: when few distinct values repeat (ids of actors, documents,
#: annotators), the column is dictionary-encoded once and every check runs per distinct value.
ENCODE_ROWS = 16 * 1024
_SAMPLE = 2048


def _few_distinct(arr: pa.Array) -> bool:
    if len(arr) < ENCODE_ROWS or not pa.types.is_string(arr.type):
        return False
    sample = arr.take(np.arange(0, len(arr), len(arr) // _SAMPLE))
    return len(pc.unique(sample)) * 8 <= len(sample)


def instance(arr: pa.Array | pa.ChunkedArray, value_of: Callable[[int], Any] | None = None) -> Inst:
    arr = normalize(arr, keep_text_dictionary=True)
    if _few_distinct(arr):
        arr = pc.dictionary_encode(arr)
    if _text_dictionary(arr.type):  # Parquet's dictionary pages as they are: checks run per distinct value
        valid = _valid(arr)
        codes = pc.fill_null(arr.indices, 0).to_numpy(zero_copy_only=False)
        return Inst("string", len(arr), valid, normalize(arr.dictionary), value_of=value_of, codes=codes)
    kind = _kind_of(arr.type)
    valid = _valid(arr)
    if kind == "number":
        valid &= ~_bools(pc.is_nan(arr))  # NaN is what pandas calls missing: jsonable makes it None
    children = None
    if kind == "object":
        children = {arr.type.field(i).name: instance(arr.field(i)) for i in range(arr.type.num_fields)}
    return Inst(kind, len(arr), valid, arr, children, value_of)


# --- regular expressions: Python's meaning, run by RE2 -----------------------------------------------------

_UNSAFE = re.compile(r"\\[dDwWsSbBAZ]|\(\?[^:]|\\[1-9]")


def re2_pattern(pattern: str) -> str | None:
    """``pattern`` rewritten so RE2 gives ``re.search``'s verdict, or None where that is not certain.

    Python's ``$`` also matches before a final newline: a trailing ``$`` becomes ``\\n?$``. Patterns with
    ``$`` elsewhere, Unicode-aware classes (``\\d``, ``\\w``, ``\\s``, ``\\b``), look-arounds, flags or
    back-references are left to jsonschema.
    """
    if _UNSAFE.search(pattern):
        return None
    body = pattern
    trailing = body.endswith("$") and not body.endswith("\\$")
    if trailing:
        body = body[:-1]
    if re.search(r"(?<!\\)\$", body.replace("\\\\", "")):
        return None
    translated = body + (r"\n?$" if trailing else "")
    try:
        pc.match_substring_regex(pa.array([""]), translated)
    except pa.ArrowInvalid:
        return None
    return translated


# --- the compiled schema ---------------------------------------------------------------------------------

@dataclass
class Node:
    """One subschema, its keywords sorted into what is vectorized and what falls back."""

    path: tuple
    schema: dict[str, Any]
    fallback: dict[str, Any] = field(default_factory=dict)  # keyword -> value, checked by jsonschema
    regex: str | None = None
    items: "Node | None" = None
    properties: dict[str, "Node"] = field(default_factory=dict)
    all_of: list["Node"] = field(default_factory=list)
    if_: "Node | None" = None
    then: "Node | None" = None
    else_: "Node | None" = None

    def walk(self):
        yield self
        for sub in (self.items, *self.properties.values(), *self.all_of, self.if_, self.then, self.else_):
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
        if records is None and isinstance(batch, pa.Table) and any(c.num_chunks > 1 for c in batch.columns):
            errors, start = [], 0
            for part in coalesced(batch):
                errors += self.errors(part, offset + start, skip)
                start += part.num_rows
            return errors
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


def _fallback(node: Node, inst: Inst, keyword: str, value: Any) -> Failure:
    """A keyword the compiler does not vectorize, checked by jsonschema on each element."""
    schema = {keyword: value}
    if keyword == "additionalProperties":
        schema.update({k: node.schema[k] for k in ("properties", "patternProperties") if k in node.schema})
    check = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
    messages: dict[int, str] = {}
    if inst.kind is None:  # the row object: rebuild the records
        names = list(inst.children)
        values = [{c: inst.children[c].value(i) for c in names} for i in range(inst.n)]
    else:
        values = [inst.value(i) for i in range(inst.n)]
    for i, v in enumerate(values):
        error = next((e for e in check.iter_errors(v) if e.validator == keyword), None)
        if error is not None:
            messages[i] = error.message
    mask = np.zeros(inst.n, dtype=bool)
    mask[list(messages)] = True
    return Failure(node.path + (keyword,), keyword, mask, messages.__getitem__)


def _with_values(inst: Inst, template: Callable[[Any], str]) -> Callable[[int], str]:
    return lambda i: template(inst.value(i))


def _check_type(node: Node, inst: Inst, types: str | list[str]) -> Failure | None:
    if inst.kind is None:
        objects = "object" in (types if isinstance(types, list) else [types])
        return None if objects else _fallback(node, inst, "type", types)
    kinds = [types] if isinstance(types, str) else list(types)
    ok = ~inst.valid if "null" in kinds else np.zeros(inst.n, dtype=bool)
    own = {"string": {"string"}, "integer": {"integer", "number"}, "number": {"number"}, "boolean": {"boolean"},
           "array": {"array"}, "object": {"object"}, "null": set()}[inst.kind]
    if own & set(kinds):
        ok = ok | inst.valid
    elif inst.kind == "number" and "integer" in kinds:
        values = inst.arr.to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            ok = ok | (inst.valid & np.isfinite(values) & (np.floor(values) == values))
    reprs = ", ".join(repr(k) for k in kinds)
    return Failure(node.path + ("type",), "type", ~ok, _with_values(inst, lambda v: f"{v!r} is not of type {reprs}"))


def _in_values(inst: Inst, values: list[Any]) -> np.ndarray:
    """Elements equal to one of ``values`` in jsonschema's sense (strings to strings, 1 == 1.0, bools apart)."""
    ok = ~inst.valid if any(v is None for v in values) else np.zeros(inst.n, dtype=bool)
    if inst.kind == "string":
        wanted = [v for v in values if isinstance(v, str)]
        if wanted:
            ok |= inst.valid & inst.per_value(lambda a: _bools(pc.is_in(a, value_set=pa.array(wanted, pa.string()))))
    elif inst.kind in ("integer", "number"):
        wanted = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if wanted:
            ok |= inst.valid & _bools(pc.is_in(pc.cast(inst.arr, pa.float64()), value_set=pa.array(wanted)))
    elif inst.kind == "boolean":
        wanted = [v for v in values if isinstance(v, bool)]
        if wanted:
            ok |= inst.valid & _bools(pc.is_in(inst.arr, value_set=pa.array(wanted, pa.bool_())))
    return ok


def _check_enum(node: Node, inst: Inst, values: list[Any]) -> Failure | None:
    if inst.kind is None:
        return _fallback(node, inst, "enum", values)
    return Failure(node.path + ("enum",), "enum", ~_in_values(inst, values),
                   _with_values(inst, lambda v: f"{v!r} is not one of {values!r}"))


def _check_const(node: Node, inst: Inst, value: Any) -> Failure | None:
    if inst.kind is None:
        return _fallback(node, inst, "const", value)
    return Failure(node.path + ("const",), "const", ~_in_values(inst, [value]), lambda i: f"{value!r} was expected")


def _strings(inst: Inst) -> bool:
    return inst.kind == "string"


def _check_pattern(node: Node, inst: Inst, pattern: str) -> Failure | None:
    if not _strings(inst):
        return None
    bad = inst.valid & ~inst.per_value(lambda a: _bools(pc.match_substring_regex(a, node.regex)))
    return Failure(node.path + ("pattern",), "pattern", bad,
                   _with_values(inst, lambda v: f"{v!r} does not match {pattern!r}"))


def _check_format(node: Node, inst: Inst, fmt: str) -> Failure | None:
    if fmt != "date" or not _strings(inst):
        return None
    real = inst.per_value(_real_dates)
    return Failure(node.path + ("format",), "format", inst.valid & ~real,
                   _with_values(inst, lambda v: f"{v!r} is not a {fmt!r}"))


def _real_dates(arr: pa.Array) -> np.ndarray:
    """Strings that jsonschema's ``date`` checker accepts: the ISO shape and a real calendar day."""
    shaped = _bools(pc.match_substring_regex(arr, DATE_PATTERN))
    text = pc.if_else(pa.array(shaped), arr, "2000-01-01")
    year, month, day = (pc.cast(pc.utf8_slice_codeunits(text, a, b), pa.int64()).to_numpy(zero_copy_only=False)
                        for a, b in ((0, 4), (5, 7), (8, 10)))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    lengths = np.array([0] + [calendar.monthrange(2001, m)[1] for m in range(1, 13)])
    month_ok = (month >= 1) & (month <= 12)
    days = lengths[np.where(month_ok, month, 0)] + ((month == 2) & leap)
    return shaped & (year >= 1) & month_ok & (day >= 1) & (day <= days)


def _length_message(v: Any, limit: int, keyword: str) -> str:
    if keyword.startswith("min"):
        return f"{v!r} {'should be non-empty' if limit == 1 else 'is too short'}"
    return f"{v!r} {'is expected to be empty' if limit == 0 else 'is too long'}"


def _check_length(keyword: str):
    def check(node: Node, inst: Inst, limit: int) -> Failure | None:
        wanted = "string" if keyword.endswith("Length") else "array"
        if inst.kind != wanted:
            return None
        if wanted == "string":
            sizes = inst.per_value(lambda a: pc.utf8_length(a).to_numpy(zero_copy_only=False))
        else:
            sizes = pc.list_value_length(inst.arr).to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            bad = inst.valid & ((sizes < limit) if keyword.startswith("min") else (sizes > limit))
        return Failure(node.path + (keyword,), keyword, bad,
                       _with_values(inst, lambda v: _length_message(v, limit, keyword)))
    return check


def _check_bound(keyword: str):
    def check(node: Node, inst: Inst, limit: float) -> Failure | None:
        if inst.kind not in ("integer", "number"):
            return None
        op = pc.less if keyword == "minimum" else pc.greater
        bad = inst.valid & _bools(op(inst.arr, limit))
        words = "less than the minimum" if keyword == "minimum" else "greater than the maximum"
        return Failure(node.path + (keyword,), keyword, bad,
                       _with_values(inst, lambda v: f"{v!r} is {words} of {limit!r}"))
    return check


def _check_unique(node: Node, inst: Inst, unique: bool) -> Failure | None:
    if not unique or inst.kind != "array":
        return None
    flat = instance(inst.arr.flatten())
    if flat.kind in ("array", "object"):
        return _fallback(node, inst, "uniqueItems", unique)
    parents = pc.list_parent_indices(inst.arr)
    values = pc.cast(flat.arr, pa.float64()) if flat.kind in ("integer", "number") else flat.arr
    if flat.kind == "number":  # NaN is None once jsonable: group it with the nulls
        values = pc.if_else(pa.array(flat.valid), values, pa.scalar(None, pa.float64()))
    groups = pa.table({"p": parents, "v": values}).group_by(["p", "v"]).aggregate([("p", "count")])
    repeated = groups.filter(pc.greater(groups.column("p_count"), 1)).column("p").to_numpy()
    bad = np.zeros(inst.n, dtype=bool)
    bad[repeated] = True
    return Failure(node.path + ("uniqueItems",), "uniqueItems", bad & inst.valid,
                   _with_values(inst, lambda v: f"{v!r} has non-unique elements"))


_CHECKS: dict[str, Callable[[Node, Inst, Any], Failure | None]] = {
    "type": _check_type, "enum": _check_enum, "const": _check_const, "pattern": _check_pattern,
    "format": _check_format, "minLength": _check_length("minLength"), "maxLength": _check_length("maxLength"),
    "minItems": _check_length("minItems"), "maxItems": _check_length("maxItems"),
    "minimum": _check_bound("minimum"), "maximum": _check_bound("maximum"), "uniqueItems": _check_unique,
}


# --- pandas frames ---------------------------------------------------------------------------------------

def table_from_records(records: Sequence[dict[str, Any]], columns: Sequence[str]) -> pa.Table:
    """The rows of a pandas frame (as JSON-ready records) as Arrow columns with the same JSON meaning.

    Each column's Arrow type is inferred from its values; :class:`Unvectorizable` when that cannot be done
    without changing what jsonschema would see: mixed types (``1`` and ``"a"``), integers past 64 bits,
    text that is not valid Unicode, or objects that do not all have the same keys.
    """
    arrays = []
    for col in columns:
        values = [r.get(col) for r in records]
        try:
            arr = pa.array(values, from_pandas=False)
        except (pa.ArrowException, ValueError, TypeError, OverflowError, UnicodeError) as exc:
            raise Unvectorizable(f"column {col!r}: {exc}") from exc
        if _has_struct(arr.type) and not all(_same_keys(v, arr.type) for v in values):
            raise Unvectorizable(f"column {col!r}: objects with different keys")
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, names=list(columns)) if columns else pa.table({})


def _has_struct(typ: pa.DataType) -> bool:
    if pa.types.is_struct(typ):
        return True
    return (pa.types.is_list(typ) or pa.types.is_large_list(typ)) and _has_struct(typ.value_type)


def _same_keys(value: Any, typ: pa.DataType) -> bool:
    if value is None:
        return True
    if pa.types.is_struct(typ):
        names = [typ.field(i).name for i in range(typ.num_fields)]
        return set(value) == set(names) and all(_same_keys(value[k], typ.field(k).type) for k in names)
    if pa.types.is_list(typ) or pa.types.is_large_list(typ):
        return all(_same_keys(v, typ.value_type) for v in value)
    return True
