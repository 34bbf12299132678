"""stancetrack: who stands where, and who predicted what, in political commentary."""

from ._version import __version__
from .dataset import Dataset, load
from .errors import ErrorRecord, InvalidData, StancetrackError
from .schemas import TABLES
from .validation import Report, validate, validate_table

__all__ = [
    "Dataset", "ErrorRecord", "InvalidData", "Report", "StancetrackError", "TABLES",
    "__version__", "load", "validate", "validate_table",
]
