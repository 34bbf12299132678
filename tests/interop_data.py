"""A copy of the release with a row of every shape the readers must carry: null integers, lists, dates,
nested evidence structs with null members, empty lists. Records are real spans of the article, written
through the library's writer (which also regenerates the dataset folder's metadata)."""

from __future__ import annotations

import shutil
from pathlib import Path

from stancetrack.writer import transaction

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = "marquette-2025-alaska"


def copy_release(target: Path) -> Path:
    """A writable copy of the committed release (dataset/ beside seeds/); returns its dataset/ folder."""
    shutil.copytree(REPO / "dataset", target / "dataset", ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    shutil.copytree(REPO / "seeds", target / "seeds")
    return target / "dataset"


def span(text: str, quote: str) -> dict:
    start = text.index(quote)
    return {"document_id": DOCUMENT, "start": start, "end": start + len(quote), "quote": quote}


def next_id(existing: list[dict], key: str, prefix: str) -> str:
    numbers = [int(r[key].split("-")[1]) for r in existing]
    return f"{prefix}-{max(numbers, default=0) + 1:04d}"


def populate(folder: Path) -> dict[str, list[str]]:
    """Append two stances, one prediction and two outcomes to the dataset at ``folder``; return their ids."""
    text = next((REPO / "seeds").glob("000_*.txt")).read_text(encoding="utf-8")
    with transaction(folder) as tx:
        stances, predictions, outcomes = tx.records("stances"), tx.records("predictions"), tx.records("outcomes")
        s1, pr = next_id(stances, "stance_id", "st"), next_id(predictions, "prediction_id", "pr")
        s2 = f"st-{int(s1[3:]) + 1:04d}"
        o1 = next_id(outcomes, "outcome_id", "oc")
        o2 = f"oc-{int(o1[3:]) + 1:04d}"
        tx.append("stances", [
            {"stance_id": s1, **span(text, "une capitulation ukrainienne déguisée"), "holder_id": "maxime-marquette",
             "target_type": "topic", "target_id": "ukraine-territorial-concessions", "polarity": "against",
             "intensity": 3, "attribution": "authorial", "gloss_en": "The author is against the concessions.",
             "annotator": "interop-test"},
            {"stance_id": s2, **span(text, "choisit finalement la diplomatie directe"), "holder_id": "trump",
             "target_type": "actor", "target_id": "putin", "polarity": "neutral", "intensity": None,
             "attribution": "ascribed", "gloss_en": "Trump engages with Putin.", "annotator": "interop-test"},
        ])
        tx.append("predictions", [{
            "prediction_id": pr, **span(text, "l’Ukraine pourrait devenir spectratrice de négociations"),
            "predictor_id": "maxime-marquette", "subject_ids": ["ukraine", "trump"],
            "claim_en": "Ukraine could become a spectator of the negotiations.", "proposition": "Ukraine takes no part in the Alaska summit.",
            "modality": "hedged", "cue": "pourrait", "probability": 0.45, "condition": None,
            "resolve_by": "2025-08-15", "horizon_basis": "explicit",
            "resolution_criteria": "True if no Ukrainian official attends the summit.", "annotator": "interop-test",
        }])
        tx.append("outcomes", [
            {"outcome_id": o1, "prediction_id": pr, "as_of": "2025-08-10", "status": "pending",
             "condition_met": None, "evidence": [], "deciding_clause": None, "rationale": "Before the summit.",
             "resolver": "interop-test"},
            {"outcome_id": o2, "prediction_id": pr, "as_of": "2025-08-16", "status": "true",
             "condition_met": None,
             "evidence": [{"brief": "outcomes-brief-2026-03.md", "item": "3", "publisher": "supers.ng", "title": None,
                           "published": None, "url": None,
                           "quote": "Notably absent from the Alaska summit was Ukrainian President "
                                    "Volodymyr Zelenskyy.",
                           "summary": None},
                          {"brief": "outcomes-brief-2026-03.md", "item": "3", "publisher": None, "title": None,
                           "published": None, "url": None, "quote": None,
                           "summary": "Zelensky was absent from the Alaska meeting."}],
             "deciding_clause": "True if no Ukrainian official attends the summit.",
             "rationale": "The summit took place without Ukraine.", "resolver": "interop-test"},
        ])
    return {"stances": [s1, s2], "predictions": [pr], "outcomes": [o1, o2]}
