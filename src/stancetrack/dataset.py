"""The loader: a dataset folder as typed pandas tables, with the source texts and the first views researchers want."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import DatasetNotFound, IntegrityError, UnknownActor, UnknownRecord, UnknownTable
from .frames import frame_from_arrow
from .lineage import modified_release
from .resources import dataset_path
from .schemas import TABLES, table_schema
from .storage import read_manifest, snapshot
from .texts import Context, span_context


DateLike = str | dt.date | pd.Timestamp | None


def as_date(value: DateLike) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


@dataclass(repr=False)
class Dataset:
    """One dataset version: a DataFrame per table (the documents' texts included) and the manifest."""

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

    @property
    def version(self) -> str:
        return self.manifest.get("dataset_version", "unknown")

    @property
    def modified_from(self) -> str | None:
        """The release this folder is a modified copy of, or None.

        The manifest's ``derived_from``, which the writer records when it changes a copy of the release; for a
        folder changed otherwise, the rule of :mod:`stancetrack.lineage`: its manifest names the version of the
        release shipped in this package but its tables differ from that release's (their SHA-256).
        """
        return self.manifest.get("derived_from") or modified_release(self.path, self.version,
                                                                     self.manifest["tables"])

    def __repr__(self) -> str:
        """A short summary, as Hugging Face's ``DatasetDict`` prints: version, tables, rows and columns."""
        copy = f", modified copy of release {self.modified_from}" if self.modified_from else ""
        lines = [f"stancetrack.Dataset(version {self.version}{copy}, schema {self.manifest.get('schema_version')}, "
                 f"{self.path})"]
        for name in TABLES:
            frame = self.table(name)
            lines.append(f"  {name:<12} {len(frame):>8,} rows × {frame.shape[1]} columns")
        return "\n".join(lines)

    def context(self, record_id: str) -> Context:
        """Where a span record (mention, stance, prediction, segment) sits: its quote inside its sentence and its
        paragraph. ``print(ds.context("st-0007"))`` marks the quote with ⟦ ⟧."""
        for name in TABLES:
            if not table_schema(name).has_spans:
                continue
            frame = self.table(name)
            rows = frame[frame[table_schema(name).key] == record_id]
            if not rows.empty:
                row = rows.iloc[0]
                return span_context(self.text(row["document_id"]), record_id, name, row["document_id"],
                                    int(row["start"]), int(row["end"]), self._paragraph(row))
        raise UnknownRecord(f"no record {record_id!r} with a span: give the id of a mention, stance, prediction "
                            "or segment")

    def _paragraph(self, row: pd.Series) -> tuple[int, int] | None:
        """The bounds of the segment holding a span (the paragraph of a quote; a segment holds itself)."""
        segments = self.segments[(self.segments["document_id"] == row["document_id"])
                                 & (self.segments["start"] <= row["start"]) & (self.segments["end"] >= row["end"])]
        return None if segments.empty else (int(segments.iloc[0]["start"]), int(segments.iloc[0]["end"]))

    def table(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise UnknownTable(f"unknown table {name!r}; the tables are: {', '.join(TABLES)}")
        return getattr(self, name)

    def text(self, document_id: str) -> str:
        """The exact text of a document (its ``text`` column): the string every offset indexes."""
        rows = self.documents[self.documents["document_id"] == document_id]
        if rows.empty:
            raise UnknownRecord(f"no document {document_id!r}; known: {', '.join(self.documents['document_id'])}")
        return rows.iloc[0]["text"]

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

    def stance_timeline(self, holder: str | None = None, target: str | None = None) -> pd.DataFrame:
        """Stances per publication date: how a holder stands toward a target across the documents.

        One row per publication window of the documents (``date`` is ``published_earliest``, ``date_latest``
        is ``published_latest``; they are equal when the day is known), oldest first, with the ``documents``
        published in it, the number of ``stances`` of ``holder`` (an actor id; None: every holder) toward
        ``target`` (an actor or topic id; None: every target), their count per polarity, and ``net``, the
        share of favourable minus unfavourable stances, (favor − against) / stances, from −1 to 1 (missing,
        NaN, when there is none). Windows whose documents hold no such stance keep a row of zeros: the holder said
        nothing there. An id that is not in the dataset raises :class:`~stancetrack.errors.UnknownActor`.
        """
        if holder is not None and holder not in set(self.actors["actor_id"]):
            raise UnknownActor(f"no actor {holder!r} in the dataset (holder); "
                               "`stancetrack export actors` lists the ids")
        if target is not None and target not in set(self.actors["actor_id"]) | set(self.topics["topic_id"]):
            raise UnknownActor(f"no actor or topic {target!r} in the dataset (target); "
                               "`stancetrack export actors` and `stancetrack export topics` list the ids")
        stances = self.stances
        if holder is not None:
            stances = stances[stances["holder_id"] == holder]
        if target is not None:
            stances = stances[stances["target_id"] == target]
        polarities = table_schema("stances").enum("polarity")
        counts = pd.crosstab(stances["document_id"].astype(str), stances["polarity"].astype(str))
        docs = self.documents.assign(document_id=self.documents["document_id"].astype(str))
        rows = []
        for (earliest, latest), group in docs.groupby(["published_earliest", "published_latest"], sort=True):
            ids = sorted(group["document_id"])
            row: dict[str, Any] = {"date": earliest, "date_latest": latest, "documents": ids}
            for polarity in polarities:
                row[polarity] = int(counts[polarity].reindex(ids, fill_value=0).sum()) if polarity in counts else 0
            row["stances"] = sum(row[p] for p in polarities)
            row["net"] = (row["favor"] - row["against"]) / row["stances"] if row["stances"] else None
            rows.append(row)
        columns = ["date", "date_latest", "documents", "stances", *polarities, "net"]
        return pd.DataFrame(rows, columns=columns)

    def current_outcomes(self, as_of: DateLike = None) -> pd.DataFrame:
        """The current outcome of each checked prediction as of a day: its latest check with ``as_of <= day``."""
        log = self.outcomes
        day = as_date(as_of)
        if day is not None:
            log = log[log["as_of"] <= day]
        order = log.assign(_seq=range(len(log))).sort_values(["prediction_id", "as_of", "_seq"])
        return order.groupby("prediction_id", sort=False).tail(1).drop(columns="_seq").reset_index(drop=True)

    def prediction_view(self, as_of: DateLike = None) -> pd.DataFrame:
        """Predictions with their status as of a day (default: today).

        ``status`` is the current check's status, ``unchecked`` where no check applies yet, or ``overdue`` where
        ``resolve_by`` is before the day and the current check (if any) does not settle the prediction (a
        settling status is one of the outcomes schema's ``x-settling``: every status but ``pending``).
        ``checked_status`` keeps the current check's own status (``unchecked`` where none)."""
        current = self.current_outcomes(as_of)[["prediction_id", "status", "as_of", "outcome_id"]]
        view = self.predictions.merge(current.rename(columns={"as_of": "status_as_of"}), on="prediction_id",
                                      how="left")
        checked = view["status"].astype(object).where(view["status"].notna(), "unchecked")
        day = as_date(as_of) if as_of is not None else pd.Timestamp(dt.date.today())
        settling = table_schema("outcomes").property("status")["x-settling"]
        overdue = (view["resolve_by"] < day) & ~checked.isin(settling)
        statuses = list(self.outcomes["status"].cat.categories)
        view["status"] = pd.Categorical(checked.where(~overdue, "overdue"),
                                        categories=["unchecked", "overdue", *statuses])
        view["checked_status"] = pd.Categorical(checked, categories=["unchecked", *statuses])
        return view


def load(dataset: str | Path | None = None, verify: bool = True) -> Dataset:
    """Load a dataset folder as typed pandas tables (default: see :func:`~stancetrack.resources.dataset_path`).

    The tables are one committed version even while a writer commits (see :mod:`stancetrack.storage`).
    A file that differs from the manifest's SHA-256 raises :class:`IntegrityError` (``verify=False`` loads it
    anyway); ``stancetrack.validate`` does the full check. Nothing is fetched from the network.
    """
    folder = dataset_path(dataset)
    if not folder.is_dir():
        raise DatasetNotFound(f"no dataset folder at {folder}")
    snap = snapshot(folder)
    if snap.manifest_error:
        raise DatasetNotFound(snap.manifest_error)
    if verify and not snap.sound:
        raise IntegrityError(snap.damage())
    frames = {name: frame_from_arrow(name, snap.table(name)) for name in TABLES}
    return Dataset(path=folder, manifest=snap.manifest, **frames)
