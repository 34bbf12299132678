"""Small datasets for the outcome, scoring and report tests: the release with three known predictions.

The release is copied (with its seeds) into tmp_path, then its predictions and outcomes are replaced through
the library's writer by three predictions whose spans are real spans of the article and whose probabilities
are round numbers, so scores can be computed by hand.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from stancetrack.writer import transaction

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = "marquette-2025-alaska"

SPANS = {
    "pr-0001": ("Le sommet du 15 août 2025 en Alaska marquera probablement un tournant historique", "hedged",
                "probablement", 0.8, None),
    "pr-0002": ("L’accord territorial que Trump s’apprête à conclure avec Poutine", "asserted", None, 0.9, None),
    "pr-0003": ("L’acceptation de facto des conquêtes russes par les États-Unis révolutionnerait le droit "
                "international", "conditional", None, 0.6,
                "The United States accepts Russia's conquests de facto."),
}


def prediction(prediction_id: str, text: str) -> dict:
    quote, modality, cue, probability, condition = SPANS[prediction_id]
    start = text.index(quote)
    return {"prediction_id": prediction_id, "document_id": DOCUMENT, "predictor_id": "maxime-marquette",
            "subject_ids": ["trump"], "start": start, "end": start + len(quote), "quote": quote,
            "claim_en": f"claim of {prediction_id}", "proposition": f"proposition of {prediction_id}",
            "modality": modality, "cue": cue, "probability": probability, "condition": condition,
            "resolve_by": "2026-08-15", "horizon_basis": "default",
            "resolution_criteria": "True if it happens; false if not.", "annotator": "test"}


def copy_dataset(tmp_path: Path, source: Path | None = None) -> Path:
    """A writable copy of a dataset folder laid out like the repository (dataset/ beside seeds/)."""
    shutil.copytree(source or REPO / "dataset", tmp_path / "dataset",
                    ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    shutil.copytree(REPO / "seeds", tmp_path / "seeds")
    return tmp_path / "dataset"


def small_dataset(tmp_path: Path) -> Path:
    """A copy of the release whose predictions are exactly :data:`SPANS` and whose outcome log is empty."""
    folder = copy_dataset(tmp_path)
    text = next((REPO / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    with transaction(folder) as tx:
        tx.replace("outcomes", [])
        tx.replace("predictions", [prediction(pid, text) for pid in SPANS])
    return folder


#: The resolution criteria of every prediction of :func:`small_dataset`, quoted as a deciding clause.
CLAUSE = "True if it happens; false if not."

#: A passage the March evidence brief (annotation/evidence/outcomes-brief-2026-03.md) quotes verbatim.
BRIEF_QUOTE = "there is no deal. No ceasefire. Nothing tangible to report."


def evidence(quote: str = BRIEF_QUOTE, **change) -> list[dict]:
    """One evidence item from the March brief, its quote verbatim (``quote=None`` leaves only a summary)."""
    return [{"brief": "outcomes-brief-2026-03.md", "item": "4", "publisher": "BBC News", "title": None,
             "published": "2025-08-16", "url": "https://feeds.bbci.co.uk/news/live/c2kzn1nw1d4t?page=5",
             "quote": quote, "summary": "No agreement, no ceasefire at or right after the summit.", **change}]


def check(folder: Path, prediction_id: str, status: str, as_of: str, rationale: str, items=(), **options) -> dict:
    """``stancetrack.resolve`` by resolver ``t``, naming :data:`CLAUSE` where the status needs a deciding clause."""
    from stancetrack.outcomes import CLAUSED, resolve

    options.setdefault("deciding_clause", CLAUSE if status in CLAUSED else None)
    return resolve(folder, prediction_id, status, as_of, rationale, items, resolver="t", **options)
