"""Layer 1, the reference engine: each row against its table's JSON Schema, with ``jsonschema``.

This is the oracle: any faster engine must reach exactly the same errors (same rows, fields and codes).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..errors import ErrorRecord
from ..schemas import table_schema
from .formats import FORMAT_CHECKER

_OWN_CODES = {"type", "required", "additionalProperties", "enum", "const", "pattern", "format", "minLength",
              "minimum", "maximum", "minItems", "uniqueItems"}


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    """jsonschema's validator of a table, with the pinned format checker (see :mod:`.formats`)."""
    return Draft202012Validator(table_schema(name).json_schema, format_checker=FORMAT_CHECKER)


def column_errors(name: str, columns: Iterable[str]) -> list[ErrorRecord]:
    """Table-level problems: required columns absent, columns the schema does not define."""
    ts = table_schema(name)
    present = list(columns)
    errors = [ErrorRecord(name, "column-missing", f"column {c!r} is missing", field=c)
              for c in ts.json_schema["required"] if c not in present]
    errors += [ErrorRecord(name, "column-extra", f"column {c!r} is not in the {name} schema", field=c)
               for c in present if c not in ts.columns]
    return errors


def _leaf(error: ValidationError) -> list[ValidationError]:
    """The most specific failures behind an error (an if/then failure is reported by its inner keyword)."""
    if error.context:
        return [leaf for sub in error.context for leaf in _leaf(sub)]
    return [error]


def _fields(error: ValidationError, record: dict[str, Any]) -> list[tuple[str | None, Any]]:
    """The top-level fields an error is about, with their values."""
    path = list(error.absolute_path)
    if error.validator == "required" and not path:
        return [(p, None) for p in error.validator_value if p not in record]
    if error.validator == "additionalProperties" and not path:
        allowed = set(error.schema.get("properties", {}))
        return [(k, record[k]) for k in record if k not in allowed]
    if not path:
        return [(None, error.instance)]
    return [(str(path[0]), record.get(path[0]))]


def _code(error: ValidationError) -> str:
    if "then" in error.absolute_schema_path or "else" in error.absolute_schema_path:
        return "conditional"
    return error.validator if error.validator in _OWN_CODES else str(error.validator)


def row_errors(name: str, records: list[dict[str, Any]], skip_fields: Iterable[str] = ()) -> list[ErrorRecord]:
    """Every schema violation of every row; ``skip_fields`` are already reported at table level."""
    ts = table_schema(name)
    skip = set(skip_fields)
    check = validator(name)
    errors: list[ErrorRecord] = []
    for position, record in enumerate(records):
        key = record.get(ts.key)
        row_id = key if isinstance(key, str) else None
        seen: set[tuple[str | None, str]] = set()
        for error in sorted(check.iter_errors(record), key=lambda e: list(e.absolute_schema_path)):
            for leaf in _leaf(error):
                code = "conditional" if _code(error) == "conditional" else _code(leaf)
                for field, value in _fields(leaf, record):
                    if field in skip or (field, code) in seen:
                        continue
                    seen.add((field, code))
                    errors.append(ErrorRecord(name, code, leaf.message, row=position, id=row_id, field=field,
                                              value=value))
    return errors
