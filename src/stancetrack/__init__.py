"""stancetrack: who stands where, and who predicted what, in political commentary."""

from ._version import __version__
from .dataset import Dataset, load
from .errors import ErrorRecord, InvalidData, StancetrackError
from .outcomes import due, resolve
from .schemas import TABLES
from .scoring import Scorecard, score
from .validation import Report, validate, validate_table

__all__ = [
    "Dataset", "ErrorRecord", "InvalidData", "Report", "Scorecard", "StancetrackError", "TABLES",
    "__version__", "due", "load", "resolve", "score", "validate", "validate_table",
]
