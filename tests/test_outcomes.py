"""Appending outcomes: the log grows by one row per check; every refusal leaves the dataset byte-identical."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from outcome_helpers import CLAUSE, REPO, evidence, small_dataset
from stancetrack import load, resolve, validate
from stancetrack.cli import cli
from stancetrack.outcomes import CLAUSED, EVIDENCED, evidence_problems
from stancetrack.errors import InvalidDate, InvalidOutcome, ReadOnlyDataset, StancetrackError, UnknownPrediction

BRIEF = REPO / "annotation" / "evidence" / "outcomes-brief-2026-03.md"
SOURCE = REPO / "annotation" / "gold" / "marquette-2025-alaska" / "outcomes_2026-03-13.yaml"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def plain(items) -> list[dict]:
    """Evidence items as loaded (dates as dates) in the form `resolve` takes (dates as text)."""
    return [{**item, "published": item["published"] and str(item["published"])} for item in items]


def test_resolve_appends_with_the_next_id(tmp_path):
    folder = small_dataset(tmp_path)
    high = json.loads((folder / "manifest.json").read_text())["id_high_water"]["outcomes"]
    first = resolve(folder, "pr-0001", "pending", "2025-09-01", "horizon not reached", resolver="t")
    second = resolve(folder, "pr-0003", "annulled", "2026-01-01", "condition failed",
                     resolver="t", deciding_clause=CLAUSE)
    third = resolve(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence(),
                    resolver="t", deciding_clause=CLAUSE)
    # the log was emptied, but ids are never reused: numbering goes on above the release's high-water mark
    ids = [f"oc-{n:04d}" for n in range(high + 1, high + 4)]
    assert [first["outcome_id"], second["outcome_id"], third["outcome_id"]] == ids
    assert second["condition_met"] is False  # annulled means the condition did not happen
    ds = load(folder)
    assert list(ds.outcomes["outcome_id"]) == ids
    assert plain(ds.outcomes.iloc[2]["evidence"]) == evidence()
    assert validate(folder).valid


def test_resolve_keeps_nulls_and_a_summary_beside_the_quote(tmp_path):
    folder = small_dataset(tmp_path)
    items = evidence(url=None, publisher=None, published=None, item=None)
    row = resolve(folder, "pr-0002", "false", "2026-01-01", "not recorded online", items, resolver="t",
                  deciding_clause=CLAUSE)
    assert plain(load(folder).outcomes.iloc[0]["evidence"]) == row["evidence"] == items
    assert row["deciding_clause"] == CLAUSE


def test_a_summary_alone_is_evidence_for_pending(tmp_path):
    folder = small_dataset(tmp_path)
    row = resolve(folder, "pr-0001", "pending", "2026-01-01", "the brief does not say whether X happened",
                  evidence(quote=None), resolver="t")
    assert row["evidence"][0]["quote"] is None and row["deciding_clause"] is None


def test_condition_met_only_for_a_prediction_with_a_condition(tmp_path):
    folder = small_dataset(tmp_path)
    with pytest.raises(InvalidOutcome, match="pr-0001 has no condition, so condition_met must be null"):
        resolve(folder, "pr-0001", "pending", "2026-01-01", "r", resolver="t", condition_met=True)
    annulled = resolve(folder, "pr-0002", "annulled", "2026-01-01", "presupposition failed", resolver="t",
                       deciding_clause=CLAUSE)
    assert annulled["condition_met"] is None  # no condition: the status alone records the failed presupposition
    conditional = resolve(folder, "pr-0003", "annulled", "2026-01-01", "the condition failed", resolver="t",
                          deciding_clause=CLAUSE)
    assert conditional["condition_met"] is False


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
    (dict(status="true", evidence=[]), InvalidOutcome, "at least one evidence item with a verbatim quote"),
    (dict(status="false", evidence=None), InvalidOutcome, "at least one evidence item with a verbatim quote"),
    (dict(status="partial", evidence=()), InvalidOutcome, "at least one evidence item with a verbatim quote"),
    (dict(status="false", evidence=evidence(quote=None)), InvalidOutcome, "with a verbatim quote"),
    (dict(deciding_clause=None), InvalidOutcome, "names the clause of the prediction's resolution criteria"),
    (dict(status="annulled", evidence=[], deciding_clause=None), InvalidOutcome, "names the clause"),
    (dict(deciding_clause=" "), InvalidOutcome, "the deciding clause is empty"),
    (dict(evidence="https://example.org/a"), InvalidOutcome, "list of items"),
    (dict(evidence=["https://example.org/a"]), InvalidOutcome, "not an object"),
    (dict(evidence=bad_item(quote="<drop>")), InvalidOutcome, "lacks quote"),
    (dict(evidence=bad_item(author="someone")), InvalidOutcome, "unknown field"),
    (dict(evidence=bad_item(url="example.org/a")), InvalidOutcome, "full http(s) address"),
    (dict(evidence=bad_item(title=" ")), InvalidOutcome, "title must be non-empty text or null"),
    (dict(evidence=bad_item(title="[title not recorded in the brief]")), InvalidOutcome, "looks like a placeholder"),
    (dict(evidence=bad_item(quote=None, summary=None)), InvalidOutcome, "neither a quote nor a summary"),
    (dict(evidence=bad_item(quote="there is no deal, no ceasefire")), InvalidOutcome,
     "is not found verbatim in outcomes-brief-2026-03.md"),
    (dict(evidence=bad_item(brief="no-such-brief.md")), InvalidOutcome, "'no-such-brief.md' is not a file of"),
    (dict(evidence=bad_item(brief="../secrets.md")), InvalidOutcome, "is not the file name of an evidence brief"),
    (dict(evidence=bad_item(item="[4]")), InvalidOutcome, "is not an item label"),
    (dict(evidence=bad_item(published="Aug 2025")), InvalidDate, "YYYY-MM-DD"),
    (dict(status="annulled", condition_met=True, evidence=[]), InvalidOutcome, "condition_met must be false"),
    (dict(condition_met=False), InvalidOutcome, "pr-0002 has no condition"),
    (dict(rationale="  "), InvalidOutcome, "rationale is empty"),
]


@pytest.mark.parametrize("change,error,message", REFUSALS, ids=[str(r[0])[:60] for r in REFUSALS])
def test_each_refusal_writes_nothing(tmp_path, change, error, message):
    folder = small_dataset(tmp_path)
    resolve(folder, "pr-0001", "pending", "2025-09-01", "horizon not reached", resolver="t")
    before = snapshot(folder)
    args = dict(prediction_id="pr-0002", status="false", as_of="2026-01-01", rationale="checked",
                evidence=evidence(), resolver="t", deciding_clause=CLAUSE)
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
    items.write_text(json.dumps(evidence()), encoding="utf-8")
    result = CliRunner().invoke(cli, ["resolve", "pr-0002", "--status", "false", "--as-of", "2026-01-01",
                                      "--rationale", "it did not happen", "--evidence", str(items),
                                      "--deciding-clause", "FALSE if not",
                                      "--resolver", "jdoe", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    row = load(folder).outcomes.iloc[0]
    assert result.output.startswith(f"recorded {row['outcome_id']}: pr-0002 false as of 2026-01-01 (1 evidence")
    assert row["resolver"] == "jdoe" and plain(row["evidence"]) == evidence()
    assert row["deciding_clause"] == "FALSE if not"


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
    for command in ("resolve", "due", "score", "report"):
        result = CliRunner().invoke(cli, [command, "--help"])
        assert result.exit_code == 0 and "Example:" in result.output, command


# The first outcomes: the reviewable source, and the release built from it.

#: SHA-256 of each evidence brief as the project received it: the copies under annotation/evidence/ must be
#: byte-exact (the originals are not part of the repository, so the test pins their fingerprints instead).
BRIEFS = {"outcomes-brief-2026-03.md": "8471bdb4cde49ffb99bd4c7ce49b3984fbb8fac0864f9c219cc3ac20ef7d1025"}


@pytest.mark.parametrize("name", sorted(BRIEFS))
def test_the_brief_copy_is_byte_exact(name):
    assert hashlib.sha256((BRIEF.parent / name).read_bytes()).hexdigest() == BRIEFS[name]


def test_every_cited_url_is_in_the_brief():
    """A URL is copied from the brief its item names (rows recorded before items named their brief come from the
    first brief); tests/test_evidence_data.py checks the sources' quotes the same way."""
    briefs = {p.name: p.read_text(encoding="utf-8") for p in BRIEF.parent.glob("outcomes-brief-*.md")}
    cited = [item for s in SOURCE.parent.glob("outcomes_*.yaml")
             for item in yaml.safe_load(s.read_text(encoding="utf-8"))["sources"].values()]
    cited += [item for record in load(REPO / "dataset").outcomes.to_dict("records") for item in record["evidence"]]
    urls = [(item.get("brief") or BRIEF.name, item["url"]) for item in cited if item["url"] is not None]
    assert urls
    missing = sorted({(name, u) for name, u in urls if u not in briefs[name]})
    assert not missing, f"URLs not in the evidence brief their item names: {missing}"


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
            assert pd.isna(row["condition_met"]) or not row["condition_met"], pid


# The release's evidence is what it says: no placeholder, every quote verbatim in the brief it names.

def test_the_release_evidence_has_no_placeholder_and_every_quote_is_verbatim():
    outcomes = load(REPO / "dataset").outcomes
    assert outcomes["evidence"].map(len).sum() > 0
    assert evidence_problems(outcomes, REPO / "annotation" / "evidence") == []


def test_every_settled_release_verdict_names_its_clause_and_rests_on_a_quote():
    for row in load(REPO / "dataset").outcomes.to_dict("records"):
        if row["status"] in CLAUSED:
            assert row["deciding_clause"], row["outcome_id"]
        if row["status"] in EVIDENCED:
            assert any(item["quote"] for item in row["evidence"]), row["outcome_id"]


def test_evidence_problems_finds_placeholders_and_paraphrased_quotes(tmp_path):
    """The audit the release passes, on records that `resolve` and the writer would refuse."""
    folder = small_dataset(tmp_path)
    check = resolve(folder, "pr-0002", "false", "2026-01-01", "r", evidence(), resolver="t", deciding_clause=CLAUSE)
    planted = [
        {**check, "outcome_id": "oc-0002", "evidence": evidence(title="[title not recorded in the brief]")},
        {**check, "outcome_id": "oc-0003", "evidence": evidence(quote="there is no deal, no ceasefire")},
        {**check, "outcome_id": "oc-0004", "evidence": evidence(summary="Evidence brief (no quotation recorded): x")},
        {**check, "outcome_id": "oc-0005", "evidence": evidence(brief="outcomes-brief-2099-01.md")},
        {**check, "outcome_id": "oc-0006", "deciding_clause": "[clause not recorded]"},
    ]
    problems = evidence_problems(planted, REPO / "annotation" / "evidence")  # the writer would refuse most
    assert problems == [
        "oc-0002: evidence[0].title '[title not recorded in the brief]' is a placeholder",
        "oc-0003: evidence[0].quote 'there is no deal, no ceasefire' is not found verbatim in "
        "outcomes-brief-2026-03.md",
        "oc-0004: evidence[0].summary 'Evidence brief (no quotation recorded): x' is a placeholder",
        f"oc-0005: evidence[0].brief 'outcomes-brief-2099-01.md' is not a file of {REPO / 'annotation' / 'evidence'}",
        "oc-0006: deciding_clause '[clause not recorded]' is a placeholder",
    ]
