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
    return {"prediction_id": prediction_id, "document_id": DOCUMENT, "predictor_id": "author",
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


def evidence(quote: str = "a quote") -> list[dict]:
    return [{"url": "https://example.org/a", "title": "A title", "publisher": "A publisher",
             "published": "2026-01-01", "quote": quote}]
