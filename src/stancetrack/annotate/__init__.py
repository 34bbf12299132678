"""The Label Studio round trip: labeling config, tasks with pre-annotations, validated import, a local server.

Importing this package does not import label-studio-sdk; the functions that need it import it when called and
raise :class:`stancetrack.errors.MissingExtra` (``pip install 'stancetrack[annotate]'``) when it is missing.
"""

from .agreement import agreement
from .config import config_for_dataset, labeling_config, validate_config
from .importer import ImportResult, import_export
from .offsets import OffsetMap
from .tasks import build_tasks

__all__ = ["ImportResult", "OffsetMap", "agreement", "build_tasks", "config_for_dataset", "import_export",
           "labeling_config", "validate_config"]
