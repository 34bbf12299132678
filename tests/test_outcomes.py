"""Appending outcomes: the log grows by one row per check; every refusal leaves the dataset byte-identical."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from outcome_helpers import REPO, evidence, small_dataset
from stancetrack import load, resolve, validate
from stancetrack.cli import cli
from stancetrack.errors import InvalidDate, InvalidOutcome, ReadOnlyDataset, StancetrackError, UnknownPrediction

BRIEF = REPO / "annotation" / "evidence" / "outcomes-brief-2026-03.md"
SOURCE = REPO / "annotation" / "gold" / "marquette-2025-alaska" / "outcomes_2026-03-13.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_resolve_appends_with_the_next_id(tmp_path):
    folder = small_dataset(tmp_path)
    high = json.loads((folder / "manifest.json").read_text())["id_high_water"]["outcomes"]
    first = resolve(folder, "pr-0001", "pending", "2025-09-01", "horizon not reached", resolver="t")
    second = resolve(folder, "pr-0003", "annulled", "2026-01-01", "condition failed", resolver="t")
    third = resolve(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence(), resolver="t")
    # the log was emptied, but ids are never reused: numbering goes on above the release's high-water mark
    ids = [f"oc-{n:04d}" for n in range(high + 1, high + 4)]
    assert [first["outcome_id"], second["outcome_id"], third["outcome_id"]] == ids
    assert second["condition_met"] is False  # annulled means the condition did not happen
    ds = load(folder)
    assert list(ds.outcomes["outcome_id"]) == ids
    assert ds.outcomes.iloc[2]["evidence"][0]["url"] == "https://example.org/a"
    assert validate(folder).valid


def test_resolve_keeps_a_null_url(tmp_path):
    folder = small_dataset(tmp_path)
    items = [{"url": None, "title": "T", "publisher": "P", "published": None, "quote": "Q"}]
    row = resolve(folder, "pr-0002", "false", "2026-01-01", "not recorded online", items, resolver="t")
    assert load(folder).outcomes.iloc[0]["evidence"] == row["evidence"] == items


def bad_item(**change):
    item = {**evidence()[0], **change}
    return [{k: v for k, v in item.items() if v != "<drop>"}]


REFUSALS = [
    (dict(prediction_id="pr-9999"), UnknownPrediction, "pr-9999"),
    (dict(status="resolved"), InvalidOutcome, "unknown status"),
    (dict(status="TRUE"), InvalidOutcome, "unknown status"),
    (dict(as_of="2026-13-01"), InvalidDate, "YYYY-MM-DD"),
    (dict(as_of="13/03/2026"), InvalidDate, "YYYY-MM-DD"),
    (dict(as_of="2026-02-30"), InvalidDate, "YYYY-MM-DD"),
    (dict(as_of="9999-01-01"), InvalidOutcome, "future"),
    (dict(as_of="2025-08-01"), InvalidOutcome, "before pr-0002 was made"),
    (dict(status="true", evidence=[]), InvalidOutcome, "at least one evidence item"),
    (dict(status="false", evidence=None), InvalidOutcome, "at least one evidence item"),
    (dict(status="partial", evidence=()), InvalidOutcome, "at least one evidence item"),
    (dict(evidence="https://example.org/a"), InvalidOutcome, "list of items"),
    (dict(evidence=["https://example.org/a"]), InvalidOutcome, "not an object"),
    (dict(evidence=bad_item(quote="<drop>")), InvalidOutcome, "lacks quote"),
    (dict(evidence=bad_item(author="someone")), InvalidOutcome, "unknown field"),
    (dict(evidence=bad_item(url="example.org/a")), InvalidOutcome, "full http(s) address"),
    (dict(evidence=bad_item(title=" ")), InvalidOutcome, "title must be non-empty"),
    (dict(evidence=bad_item(published="Aug 2025")), InvalidDate, "YYYY-MM-DD"),
    (dict(status="annulled", condition_met=True, evidence=[]), InvalidOutcome, "condition_met must be false"),
    (dict(rationale="  "), InvalidOutcome, "rationale is empty"),
]


@pytest.mark.parametrize("change,error,message", REFUSALS, ids=[str(r[0])[:60] for r in REFUSALS])
def test_each_refusal_writes_nothing(tmp_path, change, error, message):
    folder = small_dataset(tmp_path)
    resolve(folder, "pr-0001", "pending", "2025-09-01", "horizon not reached", resolver="t")
    before = snapshot(folder)
    args = dict(prediction_id="pr-0002", status="false", as_of="2026-01-01", rationale="checked",
                evidence=evidence(), resolver="t")
    args.update(change)
    with pytest.raises(error, match=re.escape(message)):
        resolve(folder, **args)
    assert snapshot(folder) == before


def test_refusals_are_stancetrack_errors():
    for _, error, _ in REFUSALS:
        assert issubclass(error, StancetrackError)


def test_the_packaged_release_is_never_written(monkeypatch, tmp_path):
    folder = small_dataset(tmp_path)
    monkeypatch.setattr("stancetrack.storage.is_packaged_release", lambda path: True)
    before = snapshot(folder)
    with pytest.raises(ReadOnlyDataset):
        resolve(folder, "pr-0001", "pending", "2025-09-01", "horizon not reached", resolver="t")
    assert snapshot(folder) == before


def test_cli_resolve_with_an_evidence_file(tmp_path):
    folder = small_dataset(tmp_path)
    items = tmp_path / "evidence.json"
    items.write_text(json.dumps(evidence("quoted")), encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", "pr-0002", "--status", "false", "--as-of", "2026-01-01",
                                      "--rationale", "it did not happen", "--evidence", str(items),
                                      "--resolver", "jdoe", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    row = load(folder).outcomes.iloc[0]
    assert result.output.startswith(f"recorded {row['outcome_id']}: pr-0002 false as of 2026-01-01 (1 evidence")
    assert row["resolver"] == "jdoe" and row["evidence"][0]["quote"] == "quoted"


@pytest.mark.parametrize("argv, code, message", [
    (["pr-0002", "--status", "maybe", "--as-of", "2026-01-01", "--rationale", "r"], 2,
     "Error: Invalid value for '--status': 'maybe' is not one of"),
    (["pr-0002", "--status", "true", "--as-of", "2026-01-01", "--rationale", "r"], 1,
     "error: a 'true' verdict needs at least one evidence item"),
    (["pr-0002", "--status", "pending", "--as-of", "yesterday", "--rationale", "r"], 1,
     "error: as_of 'yesterday' is not a date: give the day as YYYY-MM-DD"),
    (["pr-0999", "--status", "pending", "--as-of", "2026-01-01", "--rationale", "r"], 1,
     "error: no prediction 'pr-0999' in "),
])
def test_cli_refusals_write_nothing(tmp_path, argv, code, message):
    folder = small_dataset(tmp_path)
    before = snapshot(folder)
    result = CliRunner().invoke(cli, ["resolve", *argv, "--dataset", str(folder)])
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert code == 2 or len(result.output.strip().splitlines()) == 1  # a refusal is one line
    assert snapshot(folder) == before


def test_cli_refuses_an_unreadable_evidence_file(tmp_path):
    folder = small_dataset(tmp_path)
    bad = tmp_path / "evidence.json"
    bad.write_text("[{not json", encoding="utf-8")
    before = snapshot(folder)
    result = CliRunner().invoke(cli, ["resolve", "pr-0002", "--status", "false", "--as-of", "2026-01-01",
                                      "--rationale", "r", "--evidence", str(bad), "--data", str(folder)])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {bad} is not readable JSON")
    assert snapshot(folder) == before


def test_help_texts_have_examples():
    for command in ("resolve", "score", "report"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, command


# The first outcomes: the reviewable source, and the release built from it.

#: SHA-256 of each evidence brief as the project received it: the copies under annotation/evidence/ must be
#: byte-exact (the originals are not part of the repository, so the test pins their fingerprints instead).
BRIEFS = {"outcomes-brief-2026-03.md": "8471bdb4cde49ffb99bd4c7ce49b3984fbb8fac0864f9c219cc3ac20ef7d1025"}


@pytest.mark.parametrize("name", sorted(BRIEFS))
def test_the_brief_copy_is_byte_exact(name):
    assert hashlib.sha256((BRIEF.parent / name).read_bytes()).hexdigest() == BRIEFS[name]


def cited_urls(records) -> list[str]:
    return [item["url"] for record in records for item in record["evidence"] if item["url"] is not None]


def test_every_cited_url_is_in_the_brief():
    brief = BRIEF.read_text(encoding="utf-8")
    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    urls = [s["url"] for s in source["sources"].values() if s["url"] is not None]
    urls += cited_urls(load(REPO / "dataset").outcomes.to_dict("records"))
    assert urls
    missing = sorted({u for u in urls if u not in brief})
    assert not missing, f"URLs not in the evidence brief: {missing}"


def test_the_source_resolves_every_prediction_of_the_gold_file():
    gold_file = SOURCE.parent / "predictions.yaml"
    if not gold_file.exists():
        pytest.skip("the gold predictions are not written yet")
    gold = yaml.safe_load(gold_file.read_text(encoding="utf-8")) or []
    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    assert [o["prediction_id"] for o in source["outcomes"]] == [p["prediction_id"] for p in gold]
    for outcome in source["outcomes"]:
        assert set(outcome["evidence"]) <= set(source["sources"]), outcome["prediction_id"]


def test_every_released_prediction_has_an_outcome_as_of_2026_03_13():
    ds = load(REPO / "dataset")
    current = ds.current_outcomes("2026-03-13").set_index("prediction_id")
    assert set(current.index) == set(ds.predictions["prediction_id"])
    for pid, row in current.iterrows():
        assert row["rationale"].strip(), pid
        if row["status"] in ("true", "false", "partial"):
            assert len(row["evidence"]) >= 1, pid
        if row["status"] == "annulled":
            assert row["condition_met"] is False or row["condition_met"] == False, pid  # noqa: E712


def test_quoted_words_are_in_the_brief():
    """An evidence quote is the source's words as the brief records them, unless it says it is the brief's
    own summary."""
    brief = " ".join(BRIEF.read_text(encoding="utf-8").split())
    source = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    for key, item in source["sources"].items():
        if not item["quote"].startswith("Evidence brief ("):
            assert " ".join(item["quote"].split()) in brief, key
        if not item["title"].startswith("["):
            assert item["title"] in brief, key
