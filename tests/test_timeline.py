"""Stances over time: Dataset.stance_timeline and `stancetrack track`, on two documents written here."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import stancetrack
from stancetrack.cli import cli
from stancetrack.errors import UnknownActor
from stancetrack.segment import segments
from stancetrack.writer import transaction

# Two short notes written for these tests (not from any publication).
NOTES = {
    "auteur-2026-janvier": ("Note de janvier\nPar A. Auteur\nL’auteur soutient l’Ukraine. Il critique Moscou.\n",
                            "2026-01-10", "2026-01-10"),
    "auteur-2026-fevrier": ("Note de février\nPar A. Auteur\nL’auteur doute de l’Ukraine. Il approuve pourtant "
                            "l’Ukraine. Il redoute l’Ukraine.\n", "2026-02-01", "2026-02-03"),
}
STANCES = [  # document, holder, target, polarity, quote
    ("auteur-2026-janvier", "author", "ukraine", "favor", "L’auteur soutient l’Ukraine"),
    ("auteur-2026-janvier", "author", "russia", "against", "Il critique Moscou"),
    ("auteur-2026-fevrier", "author", "ukraine", "against", "L’auteur doute de l’Ukraine"),
    ("auteur-2026-fevrier", "author", "ukraine", "favor", "Il approuve pourtant l’Ukraine"),
    ("auteur-2026-fevrier", "author", "ukraine", "against", "Il redoute l’Ukraine"),
]


def _actor(actor_id: str, name: str, kind: str) -> dict:
    return {"actor_id": actor_id, "name": name, "name_fr": name, "kind": kind, "wikidata_qid": None,
            "aliases": [], "description": f"{name}, in the test notes."}


@pytest.fixture
def two_notes(tmp_path: Path) -> Path:
    documents, segs, first = [], [], 1
    for document_id, (text, earliest, latest) in NOTES.items():
        documents.append({
            "document_id": document_id, "title": text.split("\n")[0], "author": "A. Auteur",
            "author_id": "author", "language": "fr", "published_earliest": earliest, "published_latest": latest,
            "date_basis": "Test note.", "source_path": None, "text": text,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(), "char_count": len(text),
            "publisher": None, "url": None, "rights": "Written for the tests."})
        segs += segments(text, document_id, first=first)
        first = len(segs) + 1
    stances = []
    for number, (document_id, holder, target, polarity, quote) in enumerate(STANCES, start=1):
        start = NOTES[document_id][0].index(quote)
        stances.append({"stance_id": f"st-{number:04d}", "document_id": document_id, "holder_id": holder,
                        "target_type": "actor", "target_id": target, "polarity": polarity, "intensity": None,
                        "attribution": "authorial", "start": start, "end": start + len(quote), "quote": quote,
                        "gloss_en": "Test stance.", "annotator": "test"})
    with transaction(tmp_path / "dataset", create=True) as tx:
        tx.replace("documents", documents)
        tx.replace("segments", segs)
        tx.replace("actors", [_actor("author", "A. Auteur", "author"), _actor("ukraine", "Ukraine", "state"),
                              _actor("russia", "Russie", "state")])
        tx.replace("topics", [{"topic_id": "peace", "label": "Peace", "label_fr": "La paix",
                               "description": "Peace in Ukraine."}])
        tx.replace("stances", stances)
        for empty in ("mentions", "predictions", "outcomes"):  # a new folder gets every table
            tx.replace(empty, [])
    return tmp_path / "dataset"


def test_timeline_of_a_holder_toward_a_target(two_notes):
    assert stancetrack.validate(two_notes).valid
    timeline = stancetrack.load(two_notes).stance_timeline(holder="author", target="ukraine")
    rows = timeline.assign(date=timeline["date"].dt.strftime("%Y-%m-%d"),
                           date_latest=timeline["date_latest"].dt.strftime("%Y-%m-%d")).to_dict("records")
    assert rows == [
        {"date": "2026-01-10", "date_latest": "2026-01-10", "documents": ["auteur-2026-janvier"], "stances": 1,
         "favor": 1, "against": 0, "neutral": 0, "mixed": 0, "net": 1.0},
        {"date": "2026-02-01", "date_latest": "2026-02-03", "documents": ["auteur-2026-fevrier"], "stances": 3,
         "favor": 1, "against": 2, "neutral": 0, "mixed": 0, "net": pytest.approx(-1 / 3)},
    ]


def test_a_window_without_such_stances_keeps_a_row_of_zeros(two_notes):
    timeline = stancetrack.load(two_notes).stance_timeline(target="russia")
    assert timeline["stances"].tolist() == [1, 0] and timeline["against"].tolist() == [1, 0]
    assert timeline["net"].iloc[0] == -1.0 and math.isnan(timeline["net"].iloc[1])
    everything = stancetrack.load(two_notes).stance_timeline()
    assert everything["stances"].tolist() == [2, 3]
    assert pd.api.types.is_datetime64_any_dtype(everything["date"])


@pytest.mark.parametrize(("option", "value", "message"), [
    ("holder", "nobody", "no actor 'nobody' in the dataset (holder)"),
    ("target", "peace-talks", "no actor or topic 'peace-talks' in the dataset (target)"),
])
def test_unknown_ids(two_notes, option, value, message):
    with pytest.raises(UnknownActor, match=message.replace("(", r"\(").replace(")", r"\)")):
        stancetrack.load(two_notes).stance_timeline(**{option: value})
    result = CliRunner().invoke(cli, ["track", f"--{option}", value, "--data", str(two_notes)])
    assert result.exit_code == 1 and result.output.startswith(f"error: {message}; "), result.output


def test_track_command(two_notes):
    runner = CliRunner()
    table = runner.invoke(cli, ["track", "--holder", "author", "--target", "ukraine", "--data", str(two_notes)])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[1].split() == ["2026-01-10", "auteur-2026-janvier", "1", "1", "0", "0", "0", "+1.00"]
    assert lines[2].split() == ["2026-02-01..2026-02-03", "auteur-2026-fevrier", "3", "1", "2", "0", "0", "-0.33"]
    as_json = runner.invoke(cli, ["track", "--target", "peace", "--data", str(two_notes), "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert [(r["date"], r["stances"], r["net"]) for r in json.loads(as_json.output)] == [
        ("2026-01-10", 0, None), ("2026-02-01", 0, None)]


def test_readme_shows_the_release_timeline(repo_root):
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    result = CliRunner().invoke(cli, ["track", "--holder", "maxime-marquette", "--target", "trump"])
    assert result.exit_code == 0, result.output
    assert "$ stancetrack track --holder maxime-marquette --target trump\n" + result.output in readme
