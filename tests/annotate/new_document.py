"""A second document for the tests: the short original commentary of tests/fixtures/texts/, added with
`stancetrack add` to a copy of the release, and what an annotator does with its suggested pre-annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from .helpers import utf16
from stancetrack.annotate.fields import FIELDS_BY_NAME
from stancetrack.annotate.tasks import build_tasks
from stancetrack.cli import cli

NOTE = Path(__file__).resolve().parents[1] / "fixtures" / "texts" / "note-2025-08-20.txt"
NOTE_ID = "dumont-2025-apres-alaska"
AUTHOR_ID = "claire-dumont"
#: The paragraph whose suggested prediction the annotator completes, and the one where they draw a stance.
PREDICTION_PARAGRAPH = "sg-0043"
STANCE_PARAGRAPH = "sg-0039"
STANCE_QUOTE = "l’auteure de ces lignes partage ce principe"
#: The answers the suggestion cannot give: the annotator writes them.
COMPLETED = {
    "claim": "Europeans will doubtless have to finance alone a growing share of the aid to Kyiv.",
    "proposition": "European states provide a larger share of military and financial aid to Ukraine than the "
                   "United States does in 2026.",
    "resolve_by": "2026-12-31",
    "horizon_basis": "default",
    "resolution_criteria": "True if the Kiel Institute's Ukraine Support Tracker shows European aid above US aid "
                           "for 2026.",
}


def add_note(dataset: Path) -> str:
    """`stancetrack add` of the commentary; returns what it printed."""
    result = CliRunner().invoke(cli, [
        "add", str(NOTE), "--author", "Claire Dumont", "--language", "fr", "--published", "2025-08-20",
        "--rights", "Written for the stancetrack tests; CC BY 4.0.", "--dataset", str(dataset)])
    assert result.exit_code == 0, result.output
    return result.output


def suggested(task: Any) -> dict[str, Any]:
    """The one prediction of a task (a dict built by build_tasks, or the SDK's object)."""
    predictions = task["predictions"] if isinstance(task, dict) else task.predictions
    assert len(predictions) == 1
    prediction = predictions[0]
    if not isinstance(prediction, dict):
        prediction = {"model_version": prediction.model_version, "score": prediction.score,
                      "result": prediction.result}
    return json.loads(json.dumps(prediction))


def annotator_result(segment_id: str, data: dict[str, Any], prediction: dict[str, Any]) -> list[dict[str, Any]]:
    """What the annotator submits on a paragraph of the new document: every suggested mention accepted; in
    PREDICTION_PARAGRAPH the suggested prediction accepted and completed; other suggested predictions deleted;
    in STANCE_PARAGRAPH a stance of the author drawn by hand."""
    result = prediction["result"]
    kinds = {r["id"]: r["value"]["labels"][0] for r in result if r["from_name"] == "label"}
    kept = [r for r in result if kinds[r["id"]] == "ACTOR"
            or (kinds[r["id"]] == "PREDICTION" and segment_id == PREDICTION_PARAGRAPH)]
    for r in kept:
        r.pop("score", None)  # an annotation has no score
    if segment_id == PREDICTION_PARAGRAPH:
        region = next(r for r in kept if kinds[r["id"]] == "PREDICTION" and r["from_name"] == "label")
        span = {"start": region["value"]["start"], "end": region["value"]["end"]}
        for name, answer in COMPLETED.items():
            field = FIELDS_BY_NAME[name]
            value = [answer] if field.kind in ("textarea", "choices") else answer
            kept.append({"id": region["id"], "to_name": region["to_name"], "from_name": name, "type": field.kind,
                         "value": {**span, field.value_key: value}})
    if segment_id == STANCE_PARAGRAPH:
        text = data["text"]
        start = text.index(STANCE_QUOTE)
        span = {"start": utf16(text, start), "end": utf16(text, start + len(STANCE_QUOTE))}
        base = {"id": "hand01", "to_name": "text"}
        answers = {"holder": [AUTHOR_ID], "target": ["actor:ukraine"], "polarity": ["favor"],
                   "attribution": ["authorial"]}
        kept.append({**base, "from_name": "label", "type": "labels",
                     "value": {**span, "text": STANCE_QUOTE, "labels": ["STANCE"]}})
        kept += [{**base, "from_name": name, "type": "choices", "value": {**span, "choices": choice}}
                 for name, choice in answers.items()]
        kept.append({**base, "from_name": "gloss", "type": "textarea",
                     "value": {**span, "text": ["The author agrees that no deal on Ukraine can be made without it."]}})
    return kept


def annotated_export(dataset: Path) -> list[dict[str, Any]]:
    """A Label Studio export of the new document's tasks, each annotated as :func:`annotator_result` says."""
    new = [t for t in build_tasks(dataset, suggest=True) if t["data"]["document_id"] == NOTE_ID]
    return [{"id": number, "data": task["data"], "predictions": [], "annotations": [{
        "id": number, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
        "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z",
        "result": annotator_result(task["data"]["segment_id"], task["data"], suggested(task))}]}
        for number, task in enumerate(new, start=1)]
