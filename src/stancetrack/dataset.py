"""The loader: a dataset folder as typed pandas tables, with the source texts and the first views researchers want."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DatasetNotFound, IntegrityError
from .frames import frame_from_arrow
from .resources import release_dataset_dir
from .schemas import TABLES
from .storage import snapshot
from .validation.spans import locate_source

__all__ = ["Dataset", "IntegrityError", "load"]

DateLike = str | dt.date | pd.Timestamp | None


def as_date(value: DateLike) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


@dataclass
class Dataset:
    """One dataset version: a DataFrame per table, the manifest and access to the source texts."""

    path: Path
    manifest: dict[str, Any]
    documents: pd.DataFrame
    segments: pd.DataFrame
    actors: pd.DataFrame
    topics: pd.DataFrame
    mentions: pd.DataFrame
    stances: pd.DataFrame
    predictions: pd.DataFrame
    outcomes: pd.DataFrame
    _texts: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return self.manifest.get("dataset_version", "unknown")

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; the tables are: {', '.join(TABLES)}")
        return getattr(self, name)

    def text(self, document_id: str) -> str:
        """The exact source text of a document: the string every offset indexes."""
        if document_id not in self._texts:
            rows = self.documents[self.documents["document_id"] == document_id]
            if rows.empty:
                raise KeyError(f"no document {document_id!r}; known: {', '.join(self.documents['document_id'])}")
            row = rows.iloc[0]
            path = locate_source(self.path, row["source_path"], row["text_sha256"])
            if path is None:
                raise DatasetNotFound(f"the source of {document_id!r} ({row['source_path']}) is not found")
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != row["text_sha256"]:
                raise IntegrityError(f"the source of {document_id!r} ({path}) differs from its text_sha256: "
                                     "every offset would point at the wrong characters")
            self._texts[document_id] = data.decode("utf-8")
        return self._texts[document_id]

    def stance_view(self) -> pd.DataFrame:
        """Stances with the names of their holders and targets (actor names or topic labels)."""
        actor_names = self.actors.set_index("actor_id")["name"]
        topic_labels = self.topics.set_index("topic_id")["label"]
        view = self.stances.copy()
        view["holder"] = view["holder_id"].map(actor_names)
        view["target"] = view["target_id"].map(actor_names).where(
            view["target_type"] == "actor", view["target_id"].map(topic_labels))
        front = ["stance_id", "holder", "polarity", "target", "attribution", "intensity", "quote"]
        return view[front + [c for c in view.columns if c not in front]]

    def current_outcomes(self, as_of: DateLike = None) -> pd.DataFrame:
        """The current outcome of each checked prediction as of a day: its latest check with ``as_of <= day``."""
        log = self.outcomes
        day = as_date(as_of)
        if day is not None:
            log = log[log["as_of"] <= day]
        order = log.assign(_seq=range(len(log))).sort_values(["prediction_id", "as_of", "_seq"])
        return order.groupby("prediction_id", sort=False).tail(1).drop(columns="_seq").reset_index(drop=True)

    def prediction_view(self, as_of: DateLike = None) -> pd.DataFrame:
        """Predictions with their current status as of a day (``unchecked`` where no check applies yet)."""
        current = self.current_outcomes(as_of)[["prediction_id", "status", "as_of", "outcome_id"]]
        view = self.predictions.merge(current.rename(columns={"as_of": "status_as_of"}), on="prediction_id",
                                      how="left")
        status = view["status"].astype(object).where(view["status"].notna(), "unchecked")
        view["status"] = pd.Categorical(status, categories=["unchecked", *self.outcomes["status"].cat.categories])
        return view


def load(path: str | Path | None = None, verify: bool = True) -> Dataset:
    """Load a dataset folder (default: the release shipped in the package) as typed pandas tables.

    The tables are one committed version even while a writer commits (see :mod:`stancetrack.storage`).
    A file that differs from the manifest's SHA-256 raises :class:`IntegrityError` (``verify=False`` loads it
    anyway); ``stancetrack.validate`` does the full check. Nothing is fetched from the network.
    """
    folder = Path(path) if path is not None else release_dataset_dir()
    if not folder.is_dir():
        raise DatasetNotFound(f"no dataset folder at {folder}")
    snap = snapshot(folder)
    if snap.manifest_error:
        raise DatasetNotFound(snap.manifest_error)
    if verify and not snap.sound:
        raise IntegrityError(snap.damage())
    frames = {name: frame_from_arrow(name, snap.table(name)) for name in TABLES}
    return Dataset(path=folder, manifest=snap.manifest, **frames)
