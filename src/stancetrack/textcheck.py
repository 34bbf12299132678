"""Checks of the text that comes into a dataset from outside (files, exports, command lines): it must be valid
Unicode and nested no deeper than a record can be. Python keeps undecodable bytes of a command line or a file
as lone surrogates, which no Parquet file, JSON document or XML config can hold."""

from __future__ import annotations

from typing import Any

#: Nesting deeper than this is not a record (a task of a Label Studio export is a few levels deep).
MAX_DEPTH = 64


def unicode_problem(value: Any) -> str | None:
    """Why a value (text, or JSON parsed into lists and dicts) cannot be stored: a text with a lone surrogate, or
    nesting beyond :data:`MAX_DEPTH`; None when it can. Walked without recursion."""
    stack = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if depth > MAX_DEPTH:
            return f"{path or 'the value'} is nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return f"{path or 'a text'} is not valid Unicode (a lone surrogate such as \\ud800)"
        elif isinstance(item, dict):
            stack += [(v, depth + 1, f"{path}.{k}" if path else str(k)) for k, v in item.items()]
            stack += [(k, depth + 1, f"{path} (a key)") for k in item if isinstance(k, str)]
        elif isinstance(item, list):
            stack += [(v, depth + 1, f"{path}[{i}]") for i, v in enumerate(item)]
    return None
