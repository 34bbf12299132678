"""Helpers of the Label Studio tests: a synthetic dataset with characters beyond the BMP, exports built from
tasks, file snapshots, and whether a real server is required."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from stancetrack.frames import arrow_from_records
from stancetrack.storage import write_tables

DOC = "emoji-note"
TITLE = "Note 🌍 sur le sommet"
PARAGRAPH_1 = ("Trump 🇺🇸 et Poutine 🇷🇺 se retrouvent en Alaska 🏔️. L’auteur 😟 juge ce sommet dangereux "
               "pour l’Ukraine.")
PARAGRAPH_2 = ("Poutine 😏 obtiendra probablement 🎯 des concessions territoriales d’ici 2026, écrit l’auteur 𝒜.")
TEXT = f"{TITLE}\n\n{PARAGRAPH_1}\n\n{PARAGRAPH_2}\n"
P1_START = len(TITLE) + 2
P2_START = P1_START + len(PARAGRAPH_1) + 2


def span(quote: str, occurrence: int = 1) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence):
        start = TEXT.index(quote, start + 1)
    return {"start": start, "end": start + len(quote), "quote": quote}


def emoji_tables() -> dict[str, list[dict[str, Any]]]:
    """A one-document dataset whose text mixes emoji (two UTF-16 units each) into every paragraph."""
    seed = TEXT.encode("utf-8")
    return {
        "documents": [{
            "document_id": DOC, "title": TITLE, "author": "A. Auteur", "author_id": "author", "language": "fr",
            "published_earliest": "2025-08-09", "published_latest": "2025-08-14",
            "date_basis": "Synthetic test document.", "source_path": None,
            "text_sha256": hashlib.sha256(seed).hexdigest(), "char_count": len(TEXT), "publisher": None,
            "url": None, "rights": "Test fixture.", "text": TEXT,
        }],
        "segments": [
            {"document_id": DOC, "segment_id": "sg-0001", "kind": "title", "section": "front", "start": 0,
             "end": len(TITLE)},
            {"document_id": DOC, "segment_id": "sg-0002", "kind": "paragraph", "section": "introduction",
             "start": P1_START, "end": P1_START + len(PARAGRAPH_1)},
            {"document_id": DOC, "segment_id": "sg-0003", "kind": "paragraph", "section": "conclusion",
             "start": P2_START, "end": P2_START + len(PARAGRAPH_2)},
        ],
        "actors": [
            {"actor_id": "author", "name": "A. Auteur", "name_fr": "A. Auteur", "kind": "author",
             "wikidata_qid": None, "aliases": [], "description": "The note's author."},
            {"actor_id": "putin", "name": "Vladimir Putin", "name_fr": "Vladimir Poutine", "kind": "person",
             "wikidata_qid": "Q7747", "aliases": ["Poutine"], "description": "President of Russia."},
            {"actor_id": "trump", "name": "Donald Trump", "name_fr": "Donald Trump", "kind": "person",
             "wikidata_qid": "Q22686", "aliases": ["Trump"], "description": "President of the United States."},
            {"actor_id": "ukraine", "name": "Ukraine", "name_fr": "Ukraine", "kind": "state",
             "wikidata_qid": "Q212", "aliases": [], "description": "Ukraine."},
        ],
        "topics": [
            {"topic_id": "alaska-summit", "label": "The Alaska summit", "label_fr": "Le sommet de l’Alaska",
             "description": "The bilateral US–Russia summit in Alaska."},
            {"topic_id": "ukraine-territorial-concessions", "label": "Ukrainian territorial concessions",
             "label_fr": "Concessions territoriales", "description": "Ukraine cedes territory."},
        ],
        "mentions": [
            {"mention_id": "mn-0001", "document_id": DOC, "actor_id": "trump", **span("Trump")},
            {"mention_id": "mn-0002", "document_id": DOC, "actor_id": "putin", **span("Poutine")},
            {"mention_id": "mn-0003", "document_id": DOC, "actor_id": "ukraine", **span("l’Ukraine")},
            {"mention_id": "mn-0004", "document_id": DOC, "actor_id": "putin", **span("Poutine", 2)},
            {"mention_id": "mn-0005", "document_id": DOC, "actor_id": "author", **span("l’auteur 𝒜")},
        ],
        "stances": [
            {"stance_id": "st-0001", "document_id": DOC, "holder_id": "author", "target_type": "topic",
             "target_id": "alaska-summit", "polarity": "against", "intensity": 2, "attribution": "authorial",
             **span("L’auteur 😟 juge ce sommet dangereux"),
             "gloss_en": "The author deems the summit dangerous.", "annotator": "fixture"},
        ],
        "predictions": [
            {"prediction_id": "pr-0001", "document_id": DOC, "predictor_id": "author", "subject_ids": ["putin", "ukraine"],
             **span("Poutine 😏 obtiendra probablement 🎯 des concessions territoriales d’ici 2026"),
             "claim_en": "Putin will probably obtain territorial concessions by 2026.",
             "proposition": "Ukraine cedes territory to Russia by 2026-12-31.", "modality": "hedged",
             "cue": "probablement", "probability": 0.7, "condition": None, "resolve_by": "2026-12-31",
             "horizon_basis": "explicit", "resolution_criteria": "True if a signed agreement cedes territory.",
             "annotator": "fixture"},
        ],
        "outcomes": [],
    }


def make_emoji_dataset(root: Path) -> Path:
    # written as is (the tests check it with stancetrack.validate): fixtures should not depend on the writer
    tables = {name: arrow_from_records(name, rows) for name, rows in emoji_tables().items()}
    write_tables(root / "dataset", tables, "0.1.0")
    return root / "dataset"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a dataset folder and its bytes (the lock file aside): a refused import must leave them
    identical, and leave no temporary file behind."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())
            if p.is_file() and p.name != ".stancetrack.lock"}


def export_from_tasks(tasks: list[dict[str, Any]], annotate: bool = True) -> list[dict[str, Any]]:
    """A Label Studio JSON export in which each task's one annotation is its pre-annotation, as accepted."""
    export = []
    for number, task in enumerate(tasks, start=1):
        result = task.get("predictions", [{}])[0].get("result", [])
        annotations = [{"id": number, "completed_by": 1, "was_cancelled": False, "ground_truth": False,
                        "created_at": "2026-01-01T10:00:00Z", "updated_at": "2026-01-01T10:00:00Z",
                        "result": json.loads(json.dumps(result))}] if annotate else []
        export.append({"id": number, "data": task["data"], "annotations": annotations, "predictions": []})
    return export


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_label_studio() -> None:
    """Fail under CI=true, skip elsewhere (saying why), when there is no label-studio to start."""
    from stancetrack.annotate import server as server_lib

    try:
        server_lib.executable()
    except server_lib.ServerError as exc:
        if in_ci():
            pytest.fail(f"CI needs the Label Studio server: {exc}")
        pytest.skip(f"no Label Studio server: {exc}")


def read_until(process: subprocess.Popen, marker: str, timeout: float) -> list[str]:
    """The lines a process prints up to the one holding ``marker``; RuntimeError (with them) if it exits or
    takes longer than ``timeout`` seconds."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise RuntimeError("serve exited early:\n" + "".join(lines))
            continue
        lines.append(line)
        if marker in line:
            return lines
    raise RuntimeError(f"serve printed no {marker!r} within {timeout:g} s:\n" + "".join(lines))


def label_studio_processes(under: Path) -> list[int]:
    """The running ``label-studio`` processes whose data folder (LABEL_STUDIO_BASE_DATA_DIR) lies in ``under``."""
    found: list[int] = []
    if not Path("/proc").is_dir():
        return found
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state == "Z" or not any(part.endswith(b"label-studio") for part in command[:2]):
            continue
        folders = [v.split(b"=", 1)[1] for v in environ if v.startswith(b"LABEL_STUDIO_BASE_DATA_DIR=")]
        if folders and Path(os.fsdecode(folders[0])).is_relative_to(under):
            found.append(int(entry.name))
    return found


def new_stance(task_data: dict[str, Any], quote: str, region_id: str = "Xk2_a9") -> list[dict[str, Any]]:
    """The results of a STANCE region drawn by hand on ``quote`` of a task's paragraph, every required field
    answered (UTF-16 offsets, as Label Studio's front end records them)."""
    text = task_data["text"]
    start = text.index(quote)
    span = {"start": utf16(text, start), "end": utf16(text, start + len(quote))}
    base = {"id": region_id, "to_name": "text"}
    return [
        {**base, "from_name": "label", "type": "labels", "value": {**span, "text": quote, "labels": ["STANCE"]}},
        {**base, "from_name": "holder", "type": "choices", "value": {**span, "choices": ["author"]}},
        {**base, "from_name": "target", "type": "choices", "value": {**span, "choices": ["actor:putin"]}},
        {**base, "from_name": "polarity", "type": "choices", "value": {**span, "choices": ["against"]}},
        {**base, "from_name": "attribution", "type": "choices", "value": {**span, "choices": ["authorial"]}},
        {**base, "from_name": "gloss", "type": "textarea", "value": {**span, "text": ["The author distrusts Putin."]}},
    ]


def utf16(text: str, index: int) -> int:
    """JavaScript's index of code point ``index``: the UTF-16 code units before it."""
    return len(text[:index].encode("utf-16-le")) // 2
