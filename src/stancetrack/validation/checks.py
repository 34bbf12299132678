"""One vectorized check per JSON Schema keyword (type, enum, const, pattern, format, lengths, bounds,
uniqueItems), each giving the :class:`~.arrays.Failure` of the elements that break it; and the rewriting of a
``pattern`` so that RE2 gives Python's verdict.
"""

from __future__ import annotations

import calendar
import re
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from jsonschema import Draft202012Validator

from .formats import DATE_PATTERN, FORMAT_CHECKER
from .arrays import Failure, Inst, _bools, instance

if TYPE_CHECKING:
    from .compiler import Node

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
    bad = inst.valid & ~inst.per_value(lambda a: _bools(pc.match_substring_regex(a, node.regex)), costly=True)
    return Failure(node.path + ("pattern",), "pattern", bad,
                   _with_values(inst, lambda v: f"{v!r} does not match {pattern!r}"))


def _check_format(node: Node, inst: Inst, fmt: str) -> Failure | None:
    if fmt != "date" or not _strings(inst):
        return None
    real = inst.per_value(_real_dates, costly=True)
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


def _text_lengths(arr: pa.Array, limit: int, minimum: bool) -> np.ndarray:
    """Each string's length, in characters as far as comparing it with the bound ``limit`` goes.

    A character is one to four UTF-8 bytes, so the byte count (which costs nothing to read) is already on the
    right side of the bound except for strings of ``limit`` to ``4 * limit - 4`` bytes (a minimum) or of
    ``limit + 1`` to ``4 * limit`` bytes (a maximum); characters are counted only when there is one (never
    for ``minLength: 1``).
    """
    sizes = pc.binary_length(arr).to_numpy(zero_copy_only=False)
    low, high = (limit, 4 * limit - 4) if minimum else (limit + 1, 4 * limit)
    with np.errstate(invalid="ignore"):
        if low <= high and np.any((sizes >= low) & (sizes <= high)):
            return pc.utf8_length(arr).to_numpy(zero_copy_only=False)
    return sizes


def _check_length(keyword: str):
    def check(node: Node, inst: Inst, limit: int) -> Failure | None:
        wanted = "string" if keyword.endswith("Length") else "array"
        if inst.kind != wanted:
            return None
        if wanted == "string":
            sizes = inst.per_value(lambda a: _text_lengths(a, limit, keyword.startswith("min")))
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
