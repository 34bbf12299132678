"""`stancetrack add`: a new document into a copy of the release, and every refusal leaving the files unchanged."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import stancetrack
from stancetrack.cli import cli
from stancetrack.documents import add_document

HERE = Path(__file__).resolve().parent
NOTE = HERE / "fixtures" / "texts" / "note-2025-08-20.txt"
SEED = HERE.parent / "seeds" / "000_34c6196f3528f434.txt"
RIGHTS = "Written for the stancetrack tests; CC BY 4.0."
OPTIONS = ["--author", "Claire Dumont", "--language", "fr", "--published", "2025-08-20", "--rights", RIGHTS]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes, but the writers' empty lock file (made by the first transaction, data or not)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".stancetrack.lock"}


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_add_writes_the_document_its_segments_and_its_author(dataset_copy):
    result = run("add", str(NOTE), *OPTIONS, "--dataset", str(dataset_copy))
    assert result.exit_code == 0, result.output
    assert result.output == ("added dumont-2025-apres-alaska: 1134 characters, 12 segments (5 paragraphs); "
                             "new author actor claire-dumont\n")
    assert stancetrack.validate(dataset_copy).valid
    ds = stancetrack.load(dataset_copy)
    text = NOTE.read_text(encoding="utf-8")
    doc = ds.documents.set_index("document_id").loc["dumont-2025-apres-alaska"]
    assert ds.text("dumont-2025-apres-alaska") == text
    assert doc["text_sha256"] == hashlib.sha256(NOTE.read_bytes()).hexdigest()
    assert doc["title"] == "Après l’Alaska, l’Europe face à ses propres choix"
    assert doc["author_id"] == "claire-dumont"
    assert pd.isna(doc["source_path"]) and pd.isna(doc["url"]) and pd.isna(doc["publisher"])
    assert doc["date_basis"] == "Publication date given when the document was added."
    author = ds.actors.set_index("actor_id").loc["claire-dumont"]
    assert (author["name"], author["kind"]) == ("Claire Dumont", "author") and pd.isna(author["wikidata_qid"])
    segs = ds.segments[ds.segments["document_id"] == "dumont-2025-apres-alaska"]
    assert list(segs["segment_id"])[:2] == ["sg-0034", "sg-0035"]  # numbered after the release's 33
    assert list(segs["kind"]) == ["title", "byline", "paragraph", "heading", "subheading", "paragraph", "subheading",
                                  "paragraph", "heading", "paragraph", "heading", "paragraph"]
    assert all(text[s:e].strip() == text[s:e] != "" for s, e in zip(segs["start"], segs["end"]))


def test_the_library_adds_a_text_in_a_window_with_its_reason(dataset_copy):
    added = add_document(dataset_copy, NOTE.read_text(encoding="utf-8"), author="Claire Dumont", language="fr",
                         rights=RIGHTS, written_between=("2025-08-16", "2025-08-20"),
                         date_basis="Written after the summit of 15 August 2025, before 21 August.",
                         author_id="dumont", document_id="dumont-2025-note")
    assert (added.document_id, added.author_id, added.author_created, added.paragraphs) == (
        "dumont-2025-note", "dumont", True, 5)
    doc = stancetrack.load(dataset_copy).documents.set_index("document_id").loc["dumont-2025-note"]
    assert (f"{doc['published_earliest']:%Y-%m-%d}", f"{doc['published_latest']:%Y-%m-%d}") == (
        "2025-08-16", "2025-08-20")


def test_a_dry_run_checks_and_writes_nothing(dataset_copy):
    before = snapshot(dataset_copy)
    result = run("add", str(NOTE), *OPTIONS, "--dry-run", "--dataset", str(dataset_copy))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("would add dumont-2025-apres-alaska: 1134 characters")
    assert snapshot(dataset_copy) == before


NOTE_TEXT = NOTE.read_text(encoding="utf-8")
REFUSED = [
    ("latin-1", NOTE_TEXT.encode("latin-1", "replace"), "is not UTF-8; convert the file to UTF-8"),
    ("empty", b"", "the text is empty or only white space"),
    ("blank", b" \n\n \n", "the text is empty or only white space"),
    ("not-nfc", unicodedata.normalize("NFD", NOTE_TEXT).encode(),
     "the text is not in Unicode NFC (first at offset 3, line 1, column 4: "),
    ("bom", b"\xef\xbb\xbf" + NOTE.read_bytes(), "starts with a byte-order mark"),
    ("crlf", NOTE_TEXT.replace("\n", "\r\n").encode(), "carriage return at offset 49 (line 1, column 50)"),
    ("duplicate", SEED.read_bytes(), "this text is already in the dataset as 'marquette-2025-alaska'"),
]


@pytest.mark.parametrize("name, data, message", REFUSED, ids=[r[0] for r in REFUSED])
def test_a_refused_text_leaves_the_files_unchanged(dataset_copy, tmp_path, name, data, message):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    before = snapshot(dataset_copy)
    result = run("add", str(path), *OPTIONS, "--dataset", str(dataset_copy))
    assert result.exit_code == 1, result.output
    assert result.output.count("\n") == 1 and result.output.startswith(f"error: {path}: ")
    assert message in result.output and result.output.endswith("; nothing was written\n")
    assert snapshot(dataset_copy) == before


def test_a_document_added_twice_is_refused_the_second_time(dataset_copy):
    assert run("add", str(NOTE), *OPTIONS, "--dataset", str(dataset_copy)).exit_code == 0
    before = snapshot(dataset_copy)
    result = run("add", str(NOTE), *OPTIONS, "--dataset", str(dataset_copy))
    assert result.exit_code == 1
    digest = hashlib.sha256(NOTE.read_bytes()).hexdigest()
    assert result.output == (f"error: {NOTE}: this text is already in the dataset as 'dumont-2025-apres-alaska' "
                             f"(SHA-256 {digest[:12]}…); nothing was written\n")
    assert snapshot(dataset_copy) == before


@pytest.mark.parametrize("extra, code, message", [
    (["--written-between", "2025-08-16", "2025-08-20"], 1,
     "error: a window of days needs its reason: say why the text was written in it (the date basis)\n"),
    (["--written-between", "2025-08-20", "2025-08-16", "--date-basis", "Why."], 1,
     "error: the window ends (2025-08-16) before it starts (2025-08-20)\n"),
    (["--published", "20 August"], 1,
     "error: the publication day '20 August' is not a date: give the day as YYYY-MM-DD, e.g. 2026-03-13\n"),
    (["--published", "2025-08-20", "--written-between", "2025-08-16", "2025-08-20"], 2,
     "give either --published DAY or --written-between DAY DAY"),
])
def test_dates_are_checked_before_anything_is_written(dataset_copy, extra, code, message):
    before = snapshot(dataset_copy)
    options = [o for o in OPTIONS if o not in ("--published", "2025-08-20")]
    result = run("add", str(NOTE), *options, *extra, "--dataset", str(dataset_copy))
    assert result.exit_code == code, result.output
    assert result.output == message if code == 1 else message in result.output
    assert snapshot(dataset_copy) == before


def test_metadata_breaking_the_schema_are_named_and_nothing_is_written(dataset_copy):
    before = snapshot(dataset_copy)
    options = [o if o != "fr" else "French" for o in OPTIONS]
    result = run("add", str(NOTE), *options, "--dataset", str(dataset_copy))
    assert result.exit_code == 1
    assert result.output.startswith("error: the documents rows are invalid; nothing was written (1 problem(s)):")
    assert "documents[dumont-2025-apres-alaska].language: pattern:" in result.output
    assert snapshot(dataset_copy) == before


def test_an_existing_actor_is_the_author_as_it_is(dataset_copy):
    actors_before = stancetrack.load(dataset_copy).actors
    added = add_document(dataset_copy, NOTE, author="Donald Trump", author_id="trump", language="fr",
                         rights=RIGHTS, published="2025-08-20")
    assert (added.author_id, added.author_created) == ("trump", False)
    assert stancetrack.load(dataset_copy).actors.equals(actors_before)


def test_a_folder_that_is_no_dataset_is_refused_and_left_alone(tmp_path):
    result = run("add", str(NOTE), *OPTIONS, "--dataset", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert result.output == f"error: no dataset at {tmp_path / 'nowhere'}: manifest.json is missing\n"
    assert not (tmp_path / "nowhere").exists()


def test_a_text_longer_than_a_field_limit_is_a_document(dataset_copy):
    """Fields hold at most textcheck.MAX_TEXT characters; a document's text has its schema's own maxLength."""
    from stancetrack.textcheck import MAX_TEXT

    paragraph = "L’Europe devra sans doute financer seule une part croissante de l’aide à Kiev."
    text = NOTE_TEXT + "\n".join([paragraph] * (MAX_TEXT // len(paragraph) + 10)) + "\n"
    added = add_document(dataset_copy, text, author="Claire Dumont", language="fr", rights=RIGHTS,
                         published="2025-08-21", document_id="dumont-2025-longue")
    assert added.char_count == len(text) > MAX_TEXT
    assert stancetrack.load(dataset_copy).text("dumont-2025-longue") == text
