"""The adjudication log is complete: every entry is decided by a rule of the codebook, and every record it names
is where its action says (kept, changed and added records exist in the sources; removed ids are retired)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from stancetrack.annotate.agreement import compare

ROOT = Path(__file__).resolve().parents[1]
PASSES = ROOT / "annotation" / "passes"
LOG = ROOT / "annotation" / "adjudication.yaml"
SOURCES = ROOT / "annotation" / "gold" / "marquette-2025-alaska"
ID_KEYS = {"mentions": "mention_id", "stances": "stance_id", "predictions": "prediction_id"}


@pytest.fixture(scope="module")
def log() -> list[dict]:
    return yaml.safe_load(LOG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def record_ids() -> dict[str, set[str]]:
    return {table: {r[key] for r in yaml.safe_load((SOURCES / f"{table}.yaml").read_text(encoding="utf-8"))}
            for table, key in ID_KEYS.items()}


def codebook_sections() -> set[str]:
    text = (ROOT / "annotation" / "GUIDELINES.md").read_text(encoding="utf-8")
    return set(re.findall(r"<!-- SECTION:([a-z0-9-]+) -->", text))


def test_every_entry_is_decided_by_a_codebook_rule(log):
    sections = codebook_sections()
    assert {"acts", "topic-test", "intensity", "nested", "coverage", "capacity", "trends", "criteria",
            "proposition", "probability"} <= sections
    for entry in log:
        assert entry["source"] in {"review", "disagreement"}, entry["id"]
        assert entry["action"] in {"added", "changed", "removed", "kept", "rejected"}, entry["id"]
        assert entry["table"] in ID_KEYS, entry["id"]
        assert isinstance(entry["decision"], str) and len(entry["decision"]) > 10, entry["id"]
        assert entry["rule"] in sections, (entry["id"], entry["rule"])
        assert entry["pass_1"] is not None or entry["pass_2"] is not None or entry["action"] in {"added", "kept"}, \
            entry["id"]
        if entry["source"] == "disagreement":
            assert entry["pass_1"] is not None or entry["pass_2"] is not None, entry["id"]


def test_entry_ids_are_unique_and_numbered_in_order(log):
    ids = [entry["id"] for entry in log]
    assert ids == [f"adj-{n:04d}" for n in range(1, len(ids) + 1)]


def test_every_disagreement_between_the_passes_is_decided(log):
    """The agreement code's list of disagreements between the two passes, item for item, is the log's."""
    result = compare(PASSES / "pass-1.json", PASSES / "pass-2.json", ("pass-1", "pass-2"))
    found = sorted(((d.first or {}).get("region_id") or "", (d.second or {}).get("region_id") or "")
                   for d in result.disagreements)
    logged = sorted((e["regions"][0] or "", e["regions"][1] or "") for e in log if e["source"] == "disagreement")
    assert found and found == logged


def test_records_are_where_the_log_says(log, record_ids):
    latest = {}  # an item decided twice (a later review) is where its latest entry says
    for entry in log:
        if re.fullmatch(r"(mn|st|pr)-\d{4}", entry["item"]):
            latest[entry["item"]] = entry
    assert latest
    for item, entry in latest.items():
        present = item in record_ids[entry["table"]]
        assert present == (entry["action"] != "removed"), (entry["id"], item, entry["action"])


def test_a_removed_id_is_never_reused(log, record_ids):
    removed = {e["item"] for e in log if e["action"] == "removed"}
    assert removed and not removed & set().union(*record_ids.values())


def test_review_findings_are_settled(log):
    """The kinds of finding the review of release 1.0.0 reported each have decisions in the log."""
    review = [e for e in log if e["source"] == "review"]
    assert {e["rule"] for e in review} >= {"criteria", "proposition", "capacity", "topic-test", "intensity", "acts",
                                            "nested", "coverage", "trends"}
    decided = {e["item"] for e in review}
    assert {"pr-0003", "pr-0004", "pr-0008", "pr-0017", "pr-0026", "pr-0027", "pr-0029", "pr-0030",
            "st-0151", "st-0172", "actor:zelensky"} <= decided
