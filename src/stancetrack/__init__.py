"""stancetrack: who stands where, and who predicted what, in political commentary.

The names below are imported when first used, so ``stancetrack.load`` does not import the writer, the
validators or the plotting code.
"""

from importlib import import_module

from ._version import __version__
from .errors import (
    DatasetNotFound, ErrorRecord, IntegrityError, InvalidConfig, InvalidData, InvalidDate, InvalidLexicon,
    InvalidOutcome, InvalidText, LabelStudioError, LockTimeout, MetadataNotRenewed, MismatchedPredictions,
    MissingExtra, MissingMarker, OffsetError, ReadOnlyDataset, RefusedDocument, RefusedImport, ServerError,
    StancetrackError, UnknownActor, UnknownCue, UnknownDocument, UnknownFormat, UnknownPrediction, UnknownRecord, UnknownTable,
    UnreadableTable,
)

_LAZY = {
    "Dataset": "dataset", "load": "dataset", "TABLES": "schemas", "due": "overdue", "resolve": "outcomes",
    "Scorecard": "scoring",
    "score": "scoring", "Report": "validation", "validate": "validation", "validate_table": "validation",
    "transaction": "writer", "Transaction": "writer", "add_document": "documents",
}

__all__ = [
    "Dataset", "DatasetNotFound", "ErrorRecord", "IntegrityError", "InvalidConfig", "InvalidData", "InvalidDate",
    "InvalidLexicon", "InvalidOutcome", "InvalidText", "LabelStudioError", "LockTimeout", "MetadataNotRenewed",
    "MismatchedPredictions", "MissingExtra", "MissingMarker", "OffsetError", "ReadOnlyDataset", "RefusedDocument",
    "RefusedImport", "Report", "Scorecard", "ServerError", "StancetrackError", "TABLES", "Transaction", "UnknownActor",
    "UnknownCue", "UnknownDocument", "UnknownFormat", "UnknownPrediction", "UnknownRecord", "UnknownTable",
    "UnreadableTable", "__version__", "add_document", "due", "load", "resolve", "score", "transaction", "validate",
    "validate_table",
]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'stancetrack' has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
