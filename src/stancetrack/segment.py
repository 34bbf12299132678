"""A document's text: read and checked as the dataset needs it, then cut into segments with exact offsets.

Every offset in the dataset is a code-point index into a document's text, so the text must be exactly the
bytes of its source, decoded as UTF-8 and already in Unicode NFC: nothing here normalises or repairs it.
:func:`read_text` and :func:`check_text` refuse, with :class:`~stancetrack.errors.InvalidText`, text that is
not UTF-8, starts with a byte-order mark, uses carriage returns, is empty (or only white space) or is not
NFC; each problem is an :class:`~stancetrack.errors.ErrorRecord` giving the offset where it is.

:func:`segments` cuts a checked text into the rows of the ``segments`` table. Its rules, from the layout of
plain-text commentary (one line per heading or paragraph; the release article was built with them):

* Lines are separated by ``\\n``; a line holding only white space is blank and is no segment. A segment
  spans its line without the line's leading and trailing white space.
* The first non-blank line is the ``title`` (section ``front``). The line right after it is the ``byline``
  (section ``front``) when it starts with a byline word (``Auteur``, ``Autrice``, ``Par``, ``By``,
  ``Author``) followed by a colon or a name, is short (:data:`BYLINE_MAX`) and does not end a sentence.
* A line followed by a blank line (and by more text later) is a part ``heading``: section ``conclusion`` when it starts with
  « Conclusion », otherwise the next part, ``part-1``, ``part-2``, …
* Another line is a ``subheading`` when it is short (at most :data:`SUBHEADING_MAX` characters), does not end
  a sentence (``.``, ``…``, ``:``, ``;``, ``,``), is followed by a non-blank line and does not itself follow
  a subheading; within a part it opens sub-section ``part-N.M``.
* Every other line is a ``paragraph`` of the section it stands in: ``introduction`` before the first heading,
  ``part-N.M`` after a subheading, ``part-N`` after a part heading and before any subheading, ``conclusion``
  after the conclusion heading.

:func:`sentence_spans` cuts a stretch of text (a segment, a paragraph) into sentences; the suggestions and
``Dataset.context`` both use it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .errors import ErrorRecord, InvalidText
from .schemas import table_schema

#: A line longer than this (in code points) is never a subheading.
SUBHEADING_MAX = 150
#: A byline longer than this is read as a paragraph.
BYLINE_MAX = 120

_BYLINE = re.compile(r"(?:Auteur|Autrice|Auteurs|Autrices|Par|By|Author)s?\s*(?::|\s(?=\w))", re.IGNORECASE)
_CONCLUSION = re.compile(r"Conclusion\b", re.IGNORECASE)
#: A line ending with one of these does not stand alone (it is no byline or subheading).
_PUNCTUATED_END = (".", "…", ":", ";", ",")
#: A sentence break: ``.``, ``!``, ``?`` or ``…`` (possibly repeated) and any closing quotes or brackets (``»``
#: and ``”`` also after a space, as French typography sets them), then white space (group 1) before a capital
#: letter or a digit, possibly after an opening quote or bracket.
_SENTENCE_BREAK = re.compile(r"[.!?…]+(?:\s?[»”]|[\"’)\]])*(\s+)(?=[«\"“‘(\[]?\s?[A-ZÀ-ÖØ-ÞŒ0-9])")


def _problem(code: str, message: str, where: str, value: Any = None) -> InvalidText:
    record = ErrorRecord("documents", code, message, id=where, field="text", value=value)
    return InvalidText([record], f"the text of {where} is refused")


def _line_column(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def read_text(data: bytes, where: str = "the document") -> str:
    """The text of a source file's bytes, decoded as strict UTF-8 and checked by :func:`check_text`."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start:exc.end]
        raise _problem("text-encoding", f"byte {exc.start} (0x{bad.hex()}) is not UTF-8; convert the file to "
                       "UTF-8 (e.g. `iconv -f WINDOWS-1252 -t UTF-8`)", where, exc.start) from None
    check_text(text, where)
    return text


def check_text(text: str, where: str = "the document") -> None:
    """Raise :class:`InvalidText` unless ``text`` can be a document's text exactly as it is."""
    if not text.strip():
        raise _problem("text-empty", "the text is empty or only white space", where)
    if text.startswith("\ufeff"):
        raise _problem("text-encoding", "the text starts with a byte-order mark (U+FEFF); save it as UTF-8 "
                       "without BOM", where, 0)
    if "\r" in text:
        offset = text.index("\r")
        raise _problem("text-line-ending", f"carriage return at offset {offset} ({_line_column(text, offset)}): "
                       "lines must end with \\n only; convert the file (e.g. `dos2unix`)", where, offset)
    if not unicodedata.is_normalized("NFC", text):
        offset = _first_difference(text, unicodedata.normalize("NFC", text))
        raise _problem("source-not-nfc", f"the text is not in Unicode NFC (first at offset {offset}, "
                       f"{_line_column(text, offset)}: {text[offset:offset + 2]!r}); normalise the file "
                       "to NFC and add it again", where, offset)


def _first_difference(a: str, b: str) -> int:
    for index, (x, y) in enumerate(zip(a, b)):
        if x != y:
            # step back to the start of the combining sequence that normalisation changed
            while index > 0 and unicodedata.combining(a[index]):
                index -= 1
            return index
    return min(len(a), len(b))


def _segment_id_format() -> tuple[str, int]:
    """The id prefix and minimum digit count, read from the segments schema's ``segment_id`` pattern."""
    key = table_schema("segments").key
    pattern = table_schema("segments").property(key)["pattern"]
    match = re.fullmatch(r"\^([a-z]+)-\[0-9\]\{(\d+),\}\$", pattern)
    if match is None:
        raise ValueError(f"unexpected segment_id pattern {pattern!r}")
    return match.group(1), int(match.group(2))


def _lines(text: str) -> list[tuple[int, int] | None]:
    """Each line's stripped span, or None for a blank line."""
    spans: list[tuple[int, int] | None] = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + (len(line) - len(line.lstrip()))
            spans.append((start, start + len(stripped)))
        else:
            spans.append(None)
        offset += len(line) + 1
    return spans


def _kinds(text: str, spans: list[tuple[int, int] | None]) -> list[tuple[int, int, str, str]]:
    rows: list[tuple[int, int, str, str]] = []
    part, sub, section = 0, 0, "introduction"
    last = max(number for number, span in enumerate(spans) if span is not None)
    for number, span in enumerate(spans):
        if span is None:
            continue
        line = text[span[0]:span[1]]
        following = spans[number + 1] if number < last else None
        if not rows:
            kind, where = "title", "front"
        elif len(rows) == 1 and rows[0][2] == "title" and spans[number - 1] is not None \
                and len(line) <= BYLINE_MAX and _BYLINE.match(line) and not line.endswith(_PUNCTUATED_END):
            kind, where = "byline", "front"
        elif following is None and number < last:
            if _CONCLUSION.match(line):
                section = "conclusion"
            else:
                part, sub = part + 1, 0
                section = f"part-{part}"
            kind, where = "heading", section
        elif (number < last and following is not None and len(line) <= SUBHEADING_MAX and not line.endswith(_PUNCTUATED_END)
              and rows[-1][2] != "subheading"):
            if section.startswith("part-"):
                sub += 1
                section = f"part-{part}.{sub}"
            kind, where = "subheading", section
        else:
            kind, where = "paragraph", section
        rows.append((span[0], span[1], kind, where))
    return rows


def segments(text: str, document_id: str, first: int = 1) -> list[dict[str, Any]]:
    """The ``segments`` rows of a document's text, numbered from ``first`` (``sg-0001`` by default).

    The text is checked first (:func:`check_text`); each row's ``start``/``end`` are code-point offsets such
    that ``text[start:end]`` is the segment, and the rows tile the non-blank lines in order.
    """
    check_text(text, document_id)
    prefix, digits = _segment_id_format()
    return [{"document_id": document_id, "segment_id": f"{prefix}-{first + n:0{digits}d}", "kind": kind,
             "section": section, "start": start, "end": end}
            for n, (start, end, kind, section) in enumerate(_kinds(text, _lines(text)))]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` as ``(start, end)`` code-point offsets into ``text``, in order.

    A sentence ends after ``.``, ``!``, ``?`` or ``…`` (and any closing quote or bracket: ``»``, ``"``, ``”``,
    ``’``, ``)``, ``]``; ``»`` and ``”`` may follow a space) followed by white space and then a capital letter
    or a digit, possibly after an opening quote or bracket (so an abbreviation before a name, « M. Dupont », is cut too; « etc. et » is
    not). Each span is stripped of white space
    and none is empty: the spans are disjoint, and only white space lies between them or outside them.
    """
    end = len(text) if end is None else end
    cuts = [(match.start(1), match.end(1)) for match in _SENTENCE_BREAK.finditer(text, start, end)]
    spans = []
    for a, b in zip([start] + [after for _, after in cuts], [before for before, _ in cuts] + [end]):
        piece = text[a:b]
        if piece.strip():
            spans.append((a + len(piece) - len(piece.lstrip()), b - len(piece) + len(piece.rstrip())))
    return spans
