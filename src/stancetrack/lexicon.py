"""The hedge lexicon: French hedge cues mapped to the probabilities they imply.

A prediction keeps its cue verbatim; its ``probability`` is the lexicon's value for the lower-cased cue, or for
the pseudo-cue ``<asserted>`` / ``<conditional>`` when it has none. A researcher who prefers other values edits
a copy of ``annotation/hedge_lexicon.csv`` and calls :func:`remap` — the records themselves never change.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from .errors import InvalidLexicon, UnknownCue
from .resources import annotation_dir
from .schemas import table_schema


def default_lexicon_path() -> Path:
    return annotation_dir() / "hedge_lexicon.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _probability(row: dict[str, str], column: str, path: Path, line: int) -> float:
    try:
        value = float(row[column])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidLexicon(f"{path}, line {line}: no valid `{column}` ({exc})") from exc
    prop = table_schema("predictions").property("probability")
    if not prop["minimum"] <= value <= prop["maximum"]:
        raise InvalidLexicon(f"{path}, line {line}: {column} {value} is outside {prop['minimum']:g}..{prop['maximum']:g}")
    return value


def read_lexicon(path: str | Path | None = None) -> dict[str, float]:
    """Cue (lower case) -> implied probability, from a lexicon CSV with at least `cue` and `probability`."""
    path = Path(path) if path is not None else default_lexicon_path()
    return {row["cue"].strip().lower(): _probability(row, "probability", path, line)
            for line, row in enumerate(_rows(path), start=2)}


def read_bounds(path: str | Path | None = None) -> dict[str, tuple[float, float]]:
    """Cue (lower case) -> (low, high): the range of probabilities the lexicon's anchors allow for the cue,
    from the `low` and `high` columns (``low <= probability <= high``)."""
    path = Path(path) if path is not None else default_lexicon_path()
    bounds = {}
    for line, row in enumerate(_rows(path), start=2):
        low, high = (_probability(row, c, path, line) for c in ("low", "high"))
        value = _probability(row, "probability", path, line)
        if not low <= value <= high:
            raise InvalidLexicon(f"{path}, line {line}: probability {value} is not between low {low} and "
                                   f"high {high}")
        bounds[row["cue"].strip().lower()] = (low, high)
    return bounds


def lexicon_key(cue: str | None, modality: str) -> str:
    if cue is not None and not (isinstance(cue, float) and pd.isna(cue)) and cue is not pd.NA:
        return str(cue).strip().lower()
    return f"<{modality}>"


def implied_probability(cue: str | None, modality: str, lexicon: dict[str, float]) -> float:
    key = lexicon_key(cue, modality)
    if key not in lexicon:
        raise UnknownCue(f"the hedge lexicon has no entry {key!r}; add it to annotation/hedge_lexicon.csv")
    return lexicon[key]


def remap(predictions: pd.DataFrame, lexicon: dict[str, float] | str | Path) -> pd.DataFrame:
    """A copy of the predictions with ``probability`` recomputed from another lexicon."""
    if not isinstance(lexicon, dict):
        lexicon = read_lexicon(lexicon)
    out = predictions.copy()
    out["probability"] = [implied_probability(c, str(m), lexicon)
                          for c, m in zip(out["cue"].astype(object), out["modality"].astype(object))]
    return out
