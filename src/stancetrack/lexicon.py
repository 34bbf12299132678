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


def read_lexicon(path: str | Path | None = None) -> dict[str, float]:
    """Cue (lower case) -> implied probability, from a lexicon CSV with at least `cue` and `probability`."""
    path = Path(path) if path is not None else default_lexicon_path()
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    prop = table_schema("predictions").property("probability")
    low, high = prop["minimum"], prop["maximum"]
    lexicon: dict[str, float] = {}
    for number, row in enumerate(rows, start=2):
        try:
            value = float(row["probability"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidLexicon(f"{path}, line {number}: no valid `probability` ({exc})") from exc
        if not low <= value <= high:
            raise InvalidLexicon(f"{path}, line {number}: probability {value} is outside {low:g}..{high:g}")
        lexicon[row["cue"].strip().lower()] = value
    return lexicon


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
