"""The gold outcome sources hold evidence that is what it says: verbatim quotes found in the brief they cite, no
placeholders, a deciding clause for every settled verdict, and a quote behind every true, false or partial one.

These tests read the reviewable YAML sources (annotation/gold/*/outcomes_*.yaml) and the evidence briefs under
annotation/evidence/ directly, so they hold whatever the built dataset contains; the checks that
data-raw/resolve_outcomes.py runs before appending are tested on deliberately broken copies.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import importlib.util
import re

import pytest
import yaml

from outcome_helpers import REPO

EVIDENCE = REPO / "annotation" / "evidence"
GOLD = REPO / "annotation" / "gold"
SOURCES = sorted(GOLD.glob("*/outcomes_*.yaml"))
#: The byte-exact copies of the project's briefs (sha256 of the originals).
BRIEFS = {
    "outcomes-brief-2026-03.md": "8471bdb4cde49ffb99bd4c7ce49b3984fbb8fac0864f9c219cc3ac20ef7d1025",
    "outcomes-brief-2026-11.md": "7f7d7d1276adc5959154e647697b9a245b63da26875c48d447f89b16b926185f",
}
ITEM_KEYS = {"brief", "item", "publisher", "title", "published", "url", "quote", "summary"}
BRACKETED = re.compile(r"\[[^\]]*\]")


def read(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def predictions_of(source):
    return {p["prediction_id"]: p for p in read(source.parent / "predictions.yaml")}


def squash(text):
    return " ".join(str(text).split())


def items(source):
    return read(source)["sources"].items()


def script():
    spec = importlib.util.spec_from_file_location("resolve_outcomes", REPO / "data-raw" / "resolve_outcomes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_two_checks_march_then_november():
    assert [p.name for p in SOURCES] == ["outcomes_2026-03-13.yaml", "outcomes_2026-11-30.yaml"]
    assert [read(p)["as_of"] for p in SOURCES] == ["2026-03-13", "2026-11-30"]
    assert [p.name for p in script().default_sources()] == [p.name for p in SOURCES]


@pytest.mark.parametrize("name", sorted(BRIEFS))
def test_the_briefs_are_the_byte_exact_copies(name):
    assert hashlib.sha256((EVIDENCE / name).read_bytes()).hexdigest() == BRIEFS[name]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_field_holds_a_placeholder(source):
    raw = source.read_text(encoding="utf-8")
    assert "not recorded in the brief]" not in raw and "Evidence brief (" not in raw
    for key, item in items(source):
        for field, value in item.items():
            if isinstance(value, str):
                assert not BRACKETED.search(value), (key, field, value)
                assert value.strip(), (key, field)
    for entry in read(source)["outcomes"]:
        assert not BRACKETED.search(entry["rationale"]), entry["prediction_id"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_item_has_the_fields_of_release_1_1(source):
    for key, item in items(source):
        assert set(item) == ITEM_KEYS, key
        assert item["brief"] in BRIEFS, key
        assert item["quote"] is not None or item["summary"] is not None, key
        if item["published"] is not None:
            dt.date.fromisoformat(item["published"])


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_quote_and_url_is_verbatim_in_the_brief_it_names(source):
    briefs = {name: (EVIDENCE / name).read_text(encoding="utf-8") for name in BRIEFS}
    quotes = 0
    for key, item in items(source):
        text = briefs[item["brief"]]
        if item["quote"] is not None:
            quotes += 1
            assert item["quote"] in text, (key, item["brief"], item["quote"])
        if item["url"] is not None:
            assert item["url"] in text, (key, item["brief"], item["url"])
        if item["item"] is not None and item["brief"] == "outcomes-brief-2026-11.md":
            assert f"**{item['item']}" in text or f"\n{item['item'][1:]}. " in text, (key, item["item"])
    assert quotes >= 15


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_one_check_per_prediction_citing_known_items(source):
    """The latest check covers every gold prediction, in order; an earlier one those recorded before it."""
    data, gold = read(source), predictions_of(source)
    checked = [o["prediction_id"] for o in data["outcomes"]]
    if source == SOURCES[-1]:
        assert checked == list(gold)
    else:
        assert checked == [pid for pid in gold if pid in checked] and len(checked) >= 34
    for outcome in data["outcomes"]:
        assert set(outcome["evidence"]) <= set(data["sources"]), outcome["prediction_id"]
        assert outcome["rationale"].strip(), outcome["prediction_id"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_settled_verdict_names_a_clause_of_its_criteria(source):
    """The latest check quotes the current criteria; an earlier one keeps them as they stood when it was made."""
    gold = predictions_of(source)
    for outcome in read(source)["outcomes"]:
        pid, clause = outcome["prediction_id"], outcome["deciding_clause"]
        if outcome["status"] in ("true", "false", "partial", "annulled"):
            assert clause, pid
            assert squash(clause).upper().startswith(outcome["status"].upper() + ":"), pid
            if source == SOURCES[-1]:
                assert squash(clause) in squash(gold[pid]["resolution_criteria"]), pid
        else:
            assert clause is None, pid


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_true_false_or_partial_rests_on_a_quote(source):
    data = read(source)
    for outcome in data["outcomes"]:
        if outcome["status"] in ("true", "false", "partial"):
            quoted = [k for k in outcome["evidence"] if data["sources"][k]["quote"]]
            assert quoted, outcome["prediction_id"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_condition_met_only_where_there_is_a_condition(source):
    gold = predictions_of(source)
    for outcome in read(source)["outcomes"]:
        pid, met = outcome["prediction_id"], outcome["condition_met"]
        if gold[pid]["condition"] is None:
            assert met is None, pid
        elif outcome["status"] == "annulled":
            assert met is False, pid


def test_the_march_verdicts_are_kept():
    march = {o["prediction_id"]: o["status"] for o in read(SOURCES[0])["outcomes"]}
    assert {pid for pid, s in march.items() if s != "pending"} == {
        "pr-0002", "pr-0003", "pr-0004", "pr-0005", "pr-0006", "pr-0009", "pr-0011", "pr-0030"}
    assert [march[p] for p in ("pr-0002", "pr-0003", "pr-0009", "pr-0011", "pr-0030")] == [
        "true", "false", "ambiguous", "false", "false"]


def test_the_november_check_names_what_is_missing_when_it_cannot_settle():
    """Past its resolve_by, a pending or ambiguous check says which fact would settle it."""
    source = SOURCES[-1]
    data, gold = read(source), predictions_of(source)
    overdue = []
    for outcome in data["outcomes"]:
        pid = outcome["prediction_id"]
        if outcome["status"] in ("pending", "ambiguous") and gold[pid]["resolve_by"] < data["as_of"]:
            assert "Missing fact" in outcome["rationale"], pid
            overdue.append(pid)
    assert overdue == ["pr-0011", "pr-0014", "pr-0017", "pr-0018", "pr-0019", "pr-0020", "pr-0023", "pr-0030",
                       "pr-0035", "pr-0036", "pr-0037"]  # pr-0015's horizon is 2030 since the second review


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_the_append_script_finds_nothing_wrong(source):
    module = script()
    complete = source == SOURCES[-1]
    assert module.source_problems(module.read_source(source), module.gold_predictions(source), complete) == []


def test_the_append_script_names_every_broken_field():
    module = script()
    source = SOURCES[-1]
    data = copy.deepcopy(module.read_source(source))
    gold = module.gold_predictions(source)
    data["sources"]["summit-no-deal"]["quote"] = "President Trump concluded talks without a deal."
    data["sources"]["summit-bbc"]["title"] = "[title not recorded in the brief]"
    data["sources"]["budapest-shelved"]["url"] = "https://www.newindianexpress.com/made-up"
    data["sources"]["coverage"]["summary"] = None
    by_id = {o["prediction_id"]: o for o in data["outcomes"]}
    by_id["pr-0002"]["deciding_clause"] = None
    by_id["pr-0001"]["condition_met"] = True
    by_id["pr-0003"]["evidence"] = ["coverage"]
    by_id["pr-0012"]["deciding_clause"] = "TRUE: whatever."
    by_id["pr-0009"]["deciding_clause"] = "TRUE: the US says so."
    by_id["pr-0010"]["deciding_clause"] = "TRUE: within 30 days of it a planned Trump–Putin meeting"
    assert module.source_problems(data, gold) == [
        "source coverage: give a verbatim quote, a summary, or both",
        "source summit-no-deal: the quote is not found verbatim in outcomes-brief-2026-11.md: "
        "'President Trump concluded talks without a deal.'",
        "source summit-bbc: title holds a placeholder or bracketed note ('[title not recorded in the brief]'); "
        "write null when the brief does not record it",
        "source budapest-shelved: the URL is not in outcomes-brief-2026-11.md: "
        "https://www.newindianexpress.com/made-up",
        "pr-0001: condition_met is only for a prediction with a condition (this one has none): write null",
        "pr-0002: a 'true' verdict names its deciding_clause",
        "pr-0003: a 'partial' verdict cites at least one item with a verbatim quote",
        "pr-0009: the deciding_clause is not a clause of the resolution criteria: 'TRUE: the US says so.'",
        "pr-0010: the deciding_clause of a 'partial' verdict is its PARTIAL clause: "
        "'TRUE: within 30 days of it a planned Trump–Putin meeting'",
        "pr-0012: a 'pending' check has no deciding_clause (its rationale names the missing fact)",
    ]


def test_the_append_script_refuses_a_missing_or_doubled_entry():
    module = script()
    source = SOURCES[-1]
    data = copy.deepcopy(module.read_source(source))
    data["outcomes"] = [o for o in data["outcomes"] if o["prediction_id"] != "pr-0005"]
    data["outcomes"].append(copy.deepcopy(data["outcomes"][0]))
    data["outcomes"][-1]["evidence"] = ["no-such-item"]
    data["outcomes"].append({**copy.deepcopy(data["outcomes"][1]), "prediction_id": "pr-9999"})
    gold = module.gold_predictions(source)
    assert module.source_problems(data, gold) == [
        "pr-0001: two entries",
        "pr-0005: no outcome entry",
        "pr-9999: not a gold prediction of this document",
        "pr-0001: unknown evidence key(s) no-such-item",
    ]
    assert module.source_problems(data, gold, complete=False) == [
        "pr-0001: two entries",
        "pr-9999: not a gold prediction of this document",
        "pr-0001: unknown evidence key(s) no-such-item",
    ]


def test_an_earlier_check_keeps_the_clause_as_the_criteria_stood():
    """Criteria revised after a check was made do not invalidate it: only the latest check must quote them.
    Release 1.1.0 rewrote the criteria of pr-0003, pr-0005, pr-0011 and pr-0030 after their March checks."""
    module = script()
    source = SOURCES[0]
    data, gold = module.read_source(source), module.gold_predictions(source)
    assert module.source_problems(data, gold, complete=False) == []
    revised = module.source_problems(data, gold, complete=True)
    assert [problem.split(":")[0] for problem in revised] == ["pr-0003", "pr-0005", "pr-0011", "pr-0030"]
    assert all("is not a clause of the resolution criteria" in problem for problem in revised)