"""Exceptions, and the error record every validation problem becomes.

An exception says an operation could not be done; an :class:`ErrorRecord` says where the data is wrong. Writers
raise :class:`InvalidData` carrying the records, so a caller can show every problem at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

#: Every error code, with what it means. Codes are stable: tools may match on them.
CODES: dict[str, str] = {
    # layer 1: one row against its table's JSON Schema (the code is the JSON Schema keyword that failed)
    "type": "the value has the wrong type (or is null where null is not allowed)",
    "required": "a required field is missing",
    "additionalProperties": "a field the schema does not define",
    "enum": "the value is not one of the allowed values",
    "const": "the value differs from the one the rule requires",
    "pattern": "the text does not match the required pattern",
    "format": "the text is not a valid date or URI",
    "minLength": "the text is empty or too short",
    "encoding": "the text is not valid Unicode (a lone surrogate: bytes that were not UTF-8), or nested too deeply",
    "text-control": "the text holds a control character XML forbids (all below U+0020 but tab and line breaks, U+FFFE, U+FFFF)",
    "text-invisible": "the text is not empty but holds no visible character (only spaces, NUL, zero-width, BOM)",
    "text-too-long": "the text is longer than the limit (stancetrack.textcheck.MAX_TEXT characters)",
    "minimum": "the number is below the allowed minimum",
    "maximum": "the number is above the allowed maximum",
    "minItems": "the list has too few items",
    "contains": "no item of the list matches the rule (e.g. no evidence item with a verbatim quote)",
    "uniqueItems": "the list repeats an item",
    "conditional": "a rule that applies because of another field's value failed (e.g. a hedged prediction without a cue)",
    # layer 1, table level
    "column-missing": "a column the schema requires is absent from the table",
    "column-extra": "the table has a column the schema does not define",
    # layer 2: keys
    "duplicate-key": "two rows share the same primary key",
    "unsorted": "rows are not in key order",
    # layer 3: across tables
    "foreign-key": "a reference to another table does not resolve",
    "authorial-holder": "an authorial stance is not held by its document's author",
    "condition-not-applicable": "an outcome records condition_met for a prediction that has no condition",
    # layer 4: against the source text
    "span-order": "`end` is not greater than `start`",
    "span-bounds": "the span falls outside its document's text",
    "quote-mismatch": "`quote` differs from the source text at `start:end`",
    "source-hash": "the SHA-256 of the document's text (UTF-8) differs from `text_sha256`",
    "source-length": "`char_count` differs from the text's length in code points",
    "source-not-nfc": "the document's text is not in Unicode NFC",
    "text-empty": "a document's text is empty or only white space",
    "text-encoding": "a document's text is not UTF-8, or starts with a byte-order mark",
    "text-line-ending": "a document's text has a carriage return (lines must end with \\n only)",
    "date-window": "`published_latest` is before `published_earliest`",
    # layer 5: against the manifest
    "manifest-missing": "manifest.json is absent or unreadable",
    "manifest-malformed": "manifest.json is not the object the format defines (a field of the wrong type, say)",
    "metadata-stale": "croissant.json or datapackage.json records other file hashes than the manifest",
    "file-missing": "a table's Parquet file is absent",
    "file-unlisted": "a table is missing from the manifest",
    "checksum": "a file's SHA-256 differs from the manifest",
    "row-count": "a table's row count differs from the manifest",
    "parquet-unreadable": "a Parquet file cannot be read",
    "schema-version": "the dataset was written under another schema version",
    # Label Studio import: the export itself (the message names the task id and the region id)
    "export-malformed": "the Label Studio export is not the JSON the importer expects",
    "task-mismatch": "a task's document or paragraph is not in the dataset, or its text differs from it",
    "unknown-label": "a region's label is not one of the labeling config's",
    "unknown-actor": "a choice names an actor the actors table does not have",
    "unknown-topic": "a choice names a topic the topics table does not have",
    "unknown-choice": "a choice is not one of the field's allowed values",
    "region-text": "a region's text differs from the source text at its offsets",
    "field-missing": "a required per-region field has no answer",
    "dangling-region": "a relation or per-region result points at a region that does not exist",
    "offset-outside": "a region's offset falls outside its paragraph (or inside one character)",
    "duplicate-region": "one record id is used by two regions",
    "annotation-conflict": "the annotations of one task disagree (with --refuse-conflicts)",
}


@dataclass(frozen=True)
class ErrorRecord:
    """One problem in the data: where it is (table, row position, record id, field), what rule, which value."""

    table: str
    code: str
    message: str
    row: int | None = None
    id: str | None = None
    field: str | None = None
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.table
        if self.id is not None:
            where += f"[{self.id}]"
        elif self.row is not None:
            where += f"[row {self.row}]"
        if self.field:
            where += f".{self.field}"
        return f"{where}: {self.code}: {self.message}"


class StancetrackError(Exception):
    """Base class of every error stancetrack raises."""


class InvalidData(StancetrackError):
    """The data breaks the schema's rules; nothing was written. ``errors`` lists every problem."""

    def __init__(self, errors: list[ErrorRecord], context: str = "the data is invalid"):
        self.errors = list(errors)
        shown = "\n".join(f"  - {e}" for e in self.errors[:20])
        more = f"\n  … and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
        super().__init__(f"{context}; nothing was written ({len(self.errors)} problem(s)):\n{shown}{more}")


class InvalidText(InvalidData):
    """A document's text cannot be taken as it is (not UTF-8, empty, not NFC, ...); nothing was written."""


class RefusedDocument(StancetrackError):
    """A text that :func:`~stancetrack.add_document` will not add as it is (not UTF-8, empty, not NFC, already in
    the dataset, ...); the message says why in one line and nothing was written. ``errors`` holds the problems."""

    def __init__(self, message: str, errors: list[ErrorRecord] | None = None):
        self.errors = list(errors or [])
        super().__init__(message)


class DatasetNotFound(StancetrackError):
    """No dataset (manifest.json and Parquet files) at the given path."""


class IntegrityError(StancetrackError):
    """A file differs from what the manifest records, or an interrupted commit cannot be completed;
    ``stancetrack validate`` lists every problem."""


class InjectedFault(StancetrackError):
    """Raised at a checkpoint of a commit by the fault-injection tests (``STANCETRACK_CRASH_AT=N:raise``)."""


class ReadOnlyDataset(StancetrackError):
    """The packaged release is read-only: copy it (``stancetrack export``) or pass ``--dataset DIR``."""


class LockTimeout(StancetrackError):
    """Another writer holds the dataset's lock."""


class UnsafeOutput(StancetrackError):
    """An output path that a command will not write: a dataset's own file, a symlink, a FIFO, a device, or a
    path in a folder that does not exist."""


class UnknownTable(StancetrackError):
    """The table name is not one of the dataset's tables."""


class MissingExtra(StancetrackError):
    """An optional dependency is not installed; the message says which ``pip install`` adds it."""


class UnknownDocument(StancetrackError):
    """No document with this id in the dataset; ``stancetrack info`` lists the documents."""


class UnknownActor(StancetrackError):
    """No actor (or topic) with this id in the dataset; ``stancetrack export actors`` lists the ids."""


class UnknownPrediction(StancetrackError):
    """No prediction with this id in the dataset; ``stancetrack export predictions`` lists the ids."""


class InvalidOutcome(StancetrackError):
    """An outcome to record is malformed (status, date, evidence, condition or rationale); nothing was written."""


class InvalidDate(StancetrackError):
    """A date that is not a calendar day written YYYY-MM-DD (e.g. 2026-03-13)."""


class RefusedImport(InvalidData):
    """A Label Studio export was refused; ``errors`` names the task and region of every problem."""


class UnknownRecord(StancetrackError):
    """No record with this id in the table (a document, a stance, ...)."""


class UnknownFormat(StancetrackError):
    """An export format stancetrack does not write; the message lists the ones it does."""


class UnreadableTable(StancetrackError):
    """A table's Parquet file exists but cannot be read or does not fit its schema."""


class MetadataNotRenewed(StancetrackError):
    """The folder's derived metadata could not be generated, so the commit was not made."""


class MissingMarker(StancetrackError):
    """A file to update lacks the marker comment that says where the generated block goes."""


class UnknownCue(StancetrackError):
    """A cue that the hedge lexicon does not list."""


class MismatchedPredictions(StancetrackError):
    """A predictions table given to :func:`~stancetrack.score` that does not hold the dataset's predictions."""


class InvalidLexicon(StancetrackError):
    """The hedge lexicon's CSV lacks a column or gives a probability outside the schema's range."""


class OffsetError(StancetrackError):
    """A UTF-16 offset outside the text, or inside a surrogate pair (in the middle of one character)."""


class InvalidConfig(StancetrackError):
    """Label Studio's own checker refused the generated labeling config."""


class LabelStudioError(StancetrackError):
    """Label Studio could not be reached, refused a request, or failed."""


class ServerError(StancetrackError):
    """The local Label Studio could not be found, started or reached."""
