"""Checks of the text that comes into a dataset from outside (files, exports, command lines), applied by the
writer to every text of every record, whatever its table and column:

- valid Unicode: Python keeps undecodable bytes of a command line or a file as lone surrogates, which no
  Parquet file, JSON document or XML config can hold (code ``encoding``);
- no character XML 1.0 forbids (control characters other than tab, line feed and carriage return; U+FFFE,
  U+FFFF), since labels and names end up in Label Studio's XML config (code ``text-control``);
- not empty-looking: a text that is not empty holds at least one visible character, not only spaces, NUL,
  zero-width characters or byte-order marks (code ``text-invisible``);
- at most :data:`MAX_TEXT` characters, or the column's own ``maxLength`` in its schema (code ``text-too-long``);
- JSON values nested no deeper than :data:`MAX_DEPTH` (code ``encoding``).
"""

from __future__ import annotations

import re
from typing import Any

#: The longest text a field may hold, in characters (a quote is a sentence or two, a rationale a paragraph).
MAX_TEXT = 20_000

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_VISIBLE = re.compile(r"[^\s\x00\u200b-\u200d\u2060\ufeff]")

#: An RE2 pattern (Arrow's regular expressions) matching every text of invisible characters only, and perhaps a
#: few more: it picks the values a table's check then reads in Python (a test runs it on every code point).
#: ``\s`` is narrower in RE2 than in Python, hence the separators ``\pZ`` and the other spaces listed.
SUSPECT_INVISIBLE = r"^[\s\pZ\x00\x0b\x1c-\x1f\x{85}\x{200B}-\x{200D}\x{2060}\x{FEFF}]+$"

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


def text_problem(value: Any, max_text: int = MAX_TEXT) -> tuple[str, str] | None:
    """``(code, message)`` for a value the writer refuses (see the module's rules), or None; ``max_text`` is the
    length limit (a column whose schema gives a ``maxLength``, as a document's whole text, has that one)."""
    problem = unicode_problem(value)
    if problem is not None:
        return "encoding", problem
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > max_text:
                return "text-too-long", f"a text of {len(item):,} characters; the limit is {max_text:,}"
            forbidden = _FORBIDDEN.search(item)
            if forbidden:
                return "text-control", (f"the text holds the control character U+{ord(forbidden.group()):04X}, "
                                        "which XML and Label Studio cannot hold")
            if item and not _VISIBLE.search(item):
                return "text-invisible", "the text holds no visible character (only spaces, NUL, zero-width " \
                                         "characters or byte-order marks)"
        elif isinstance(item, dict):
            stack += list(item.values())
        elif isinstance(item, list):
            stack += item
    return None
