"""What changed between two versions of a dataset: rows added, removed and changed, by id and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .frames import records_from_arrow
from .resources import dataset_path
from .schemas import TABLES, schema_version, table_schema
from .storage import Snapshot, sound_snapshot


@dataclass
class Change:
    table: str
    id: str
    change: str  # added | removed | changed
    column: str | None = None
    old: object = None
    new: object = None


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.changes

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([c.__dict__ for c in self.changes], columns=["table", "id", "change", "column", "old", "new"])

    def summary(self) -> pd.DataFrame:
        """Counts of added, removed and changed rows per table."""
        frame = self.to_frame().drop_duplicates(["table", "id", "change"])
        counts = frame.groupby(["table", "change"]).size().unstack(fill_value=0)
        return counts.reindex(columns=["added", "removed", "changed"], fill_value=0)


def _rows(snap: Snapshot, name: str, as_stored: bool = False) -> dict[str, dict]:
    key = table_schema(name).key
    table = snap.stored(name) if as_stored else snap.table(name)
    return {r[key]: r for r in records_from_arrow(table)} if key in table.column_names else {}


def diff_records(name: str, old: dict[str, dict], new: dict[str, dict]) -> list[Change]:
    changes = [Change(name, k, "removed") for k in old if k not in new]
    changes += [Change(name, k, "added") for k in new if k not in old]
    for k in old.keys() & new.keys():
        for column in table_schema(name).columns:
            if old[k].get(column) != new[k].get(column):
                changes.append(Change(name, k, "changed", column, old[k].get(column), new[k].get(column)))
    order = {"removed": 0, "added": 1, "changed": 2}
    return sorted(changes, key=lambda c: (order[c.change], c.id, c.column or ""))


def diff(old: str | Path, dataset: str | Path | None = None, tables: tuple[str, ...] = TABLES) -> Diff:
    """What changed from dataset folder ``old`` to ``dataset`` (default: see :func:`~stancetrack.resources.dataset_path`).

    Each is read as one committed version; a folder that is not a dataset, or whose files differ from its
    manifest, is refused. A folder made under another schema version (an earlier release) is read as stored,
    so a column whose type changed shows each row's old and new values, and a column the current schema does
    not have is left out."""
    result = Diff()
    before = sound_snapshot(Path(old), tuple(tables))
    after = sound_snapshot(dataset_path(dataset), tuple(tables))
    other_schema = before.manifest.get("schema_version") != schema_version()
    for name in tables:
        result.changes += diff_records(name, _rows(before, name, other_schema), _rows(after, name))
    return result
