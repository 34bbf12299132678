"""Scores computed by hand on small fixtures, as-of time travel, and statuses that are counted but not scored."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from outcome_helpers import check, evidence, small_dataset
from stancetrack.cli import cli
from stancetrack import lexicon, load, score
from stancetrack.scoring import (BASELINE_LOG, BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, EPSILON, SMALL_N,
                                 MismatchedPredictions, bootstrap_intervals, brier, log_score,
                                 wilson_interval)


def test_brier_and_log_by_hand():
    # p = 0.8 came true, p = 0.9 did not: Brier ((0.2)² + (0.9)²) / 2; log (ln 0.8 + ln 0.1) / 2
    assert brier([0.8, 0.9], [1, 0]) == pytest.approx(0.425)
    assert log_score([0.8, 0.9], [1, 0]) == pytest.approx((math.log(0.8) + math.log(0.1)) / 2)
    assert brier([0.5, 0.5], [1, 0]) == pytest.approx(0.25)
    assert log_score([0.5], [0]) == pytest.approx(BASELINE_LOG)
    assert brier([], []) is None and log_score([], []) is None


def test_log_score_clips_certainty():
    assert log_score([1.0], [0]) == pytest.approx(math.log(EPSILON))
    assert log_score([0.0], [0]) == pytest.approx(math.log(1 - EPSILON))
    assert brier([1.0], [0]) == 1.0  # Brier is never clipped


@pytest.fixture
def resolved(tmp_path):
    """pr-0001 (p 0.8) true, pr-0002 (p 0.9) false, pr-0003 (p 0.6, conditional) annulled, all on 2026-01-01."""
    folder = small_dataset(tmp_path)
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    check(folder, "pr-0002", "false", "2026-01-01", "it did not", evidence())
    check(folder, "pr-0003", "annulled", "2026-01-01", "the condition failed")
    return folder


def test_score_on_a_small_dataset(resolved):
    card = score(resolved, as_of="2026-03-13")
    assert card.n_scored == 2
    assert card.brier == pytest.approx(0.425)
    assert card.log_score == pytest.approx((math.log(0.8) + math.log(0.1)) / 2)
    assert card.baseline_brier == 0.25 and card.baseline_log_score == pytest.approx(math.log(0.5))
    assert card.brier_skill == pytest.approx(1 - 0.425 / 0.25)
    assert card.counts == {"true": 1, "false": 1, "partial": 0, "annulled": 1, "ambiguous": 0, "pending": 0,
                           "overdue": 0, "unchecked": 0, "total": 3}
    top = card.calibration.set_index("bin").loc["[0.8, 1.0]"]
    assert top["n"] == 2 and top["mean_probability"] == pytest.approx(0.85)
    assert top["observed_frequency"] == pytest.approx(0.5)
    assert card.calibration["n"].sum() == 2
    modality = card.by_modality.set_index("modality")
    assert modality.loc["asserted", "brier"] == pytest.approx(0.81)
    assert modality.loc["hedged", "brier"] == pytest.approx(0.04)
    assert modality.loc["conditional", "n_scored"] == 0 and modality.loc["conditional", "n_predictions"] == 1
    predictor = card.by_predictor.set_index("predictor_id").loc["maxime-marquette"]
    assert predictor["name"] == "Maxime Marquette" and predictor["n_scored"] == 2


def test_as_of_time_travel(tmp_path):
    """A later check supersedes an earlier one only from its own as_of day on."""
    folder = small_dataset(tmp_path)
    check(folder, "pr-0001", "pending", "2025-09-01", "not yet")
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    check(folder, "pr-0001", "false", "2026-02-01", "a correction: it did not", evidence())

    def status(day):
        return score(folder, as_of=day).items.set_index("prediction_id").loc["pr-0001", "status"]

    assert status("2025-08-31") == "unchecked"
    assert status("2025-09-01") == "pending"
    assert status("2025-12-31") == "pending"
    assert status("2026-01-01") == "true"
    assert status("2026-01-31") == "true"
    assert status("2026-02-01") == "false"
    assert score(folder, as_of="2026-01-15").brier == pytest.approx(0.04)
    assert score(folder, as_of="2026-02-15").brier == pytest.approx(0.64)


def test_same_day_checks_latest_recorded_wins(tmp_path):
    folder = small_dataset(tmp_path)
    check(folder, "pr-0002", "true", "2026-01-01", "first reading", evidence())
    check(folder, "pr-0002", "false", "2026-01-01", "second reading", evidence())
    assert score(folder, as_of="2026-01-01").items.set_index("prediction_id").loc["pr-0002", "status"] == "false"


def test_before_any_outcome_nothing_is_scored(resolved):
    card = score(resolved, as_of="2025-12-31")
    assert card.n_scored == 0 and card.brier is None and card.log_score is None
    assert card.counts["unchecked"] == 3 and card.calibration["n"].sum() == 0
    assert card.notes and "nothing is scored" in card.notes[0]


@pytest.mark.parametrize("status", ["partial", "ambiguous", "pending", "annulled"])
def test_excluded_statuses_are_counted_not_scored(tmp_path, status):
    folder = small_dataset(tmp_path)
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    check(folder, "pr-0002", status, "2026-01-01", f"recorded as {status}", evidence())
    card = score(folder, as_of="2026-01-01")
    assert card.counts[status] == 1 and card.counts["true"] == 1 and card.counts["unchecked"] == 1
    assert card.n_scored == 1
    assert card.brier == pytest.approx(0.04)  # pr-0002 (p 0.9) would have moved it had it been scored
    assert list(card.scored["prediction_id"]) == ["pr-0001"]


def test_score_json_cli(resolved):
    result = CliRunner().invoke(cli, ["score", "--as-of", "2026-03-13", "--json", "--data", str(resolved)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    for key in ("as_of", "n_scored", "brier", "log_score", "baseline_brier", "counts", "calibration"):
        assert key in payload
    assert payload["as_of"] == "2026-03-13" and payload["n_scored"] == 2
    assert payload["brier"] == pytest.approx(0.425) and payload["baseline_brier"] == 0.25
    assert payload["counts"]["annulled"] == 1 and len(payload["calibration"]) == 5


def test_score_text_cli(resolved):
    result = CliRunner().invoke(cli, ["score", "--as-of", "2026-03-13", "--data", str(resolved)])
    assert result.exit_code == 0, result.output
    assert "as of 2026-03-13" in result.output and "0.250" in result.output
    author = next(line for line in result.output.splitlines() if line.lstrip().startswith("Maxime Marquette"))
    assert author.split()[2:6] == ["2", "0.425", "[0.040,", "0.810]"]
    assert "warning: overall: only n=2 scored predictions" in result.output


def test_score_rejects_a_bad_day(resolved):
    result = CliRunner().invoke(cli, ["score", "--as-of", "13/03/2026", "--dataset", str(resolved)])
    assert result.exit_code == 1, result.output
    assert result.output == "error: as_of '13/03/2026' is not a date: give the day as YYYY-MM-DD, e.g. 2026-03-13\n"


# Uncertainty: bootstrap intervals, lexicon bounds, small n; per predictor; remapped probabilities.

def test_bootstrap_interval_is_seeded_and_computed_as_documented():
    p, o = [0.8, 0.9, 0.3, 0.6], [1, 0, 0, 1]
    first, again = bootstrap_intervals(p, o), bootstrap_intervals(p, o)
    assert first == again
    picks = np.random.default_rng(BOOTSTRAP_SEED).integers(0, 4, size=(BOOTSTRAP_RESAMPLES, 4))
    terms = (np.array(p) - np.array(o)) ** 2
    means = terms[picks].mean(axis=1)
    assert first["brier"] == (pytest.approx(np.quantile(means, 0.025)), pytest.approx(np.quantile(means, 0.975)))
    assert first["brier"][0] <= brier(p, o) <= first["brier"][1]
    assert first["log_score"][0] <= log_score(p, o) <= first["log_score"][1]
    assert bootstrap_intervals([0.7], [1])["brier"] == (pytest.approx(0.09), pytest.approx(0.09))
    assert bootstrap_intervals([], []) == {"brier": None, "log_score": None}


def test_scores_at_the_lexicon_bounds(resolved):
    """pr-0001 « probablement » (0.70, bounds 0.60–0.85) came true; pr-0002 <asserted> (0.93, 0.87–0.99) did not.
    The fixture records p 0.8 and 0.9: the bounds are the lexicon's, whatever the recorded value."""
    card = score(resolved, as_of="2026-03-13")
    assert card.overall["brier_lexicon_low"] == pytest.approx(((0.60 - 1) ** 2 + 0.87 ** 2) / 2)
    assert card.overall["brier_lexicon_high"] == pytest.approx(((0.85 - 1) ** 2 + 0.99 ** 2) / 2)
    assert card.overall["log_lexicon_low"] == pytest.approx((math.log(0.60) + math.log(1 - 0.87)) / 2)
    sensitivity = card.lexicon_sensitivity.set_index("lexicon_key")
    assert list(sensitivity.index) == ["<asserted>", "probablement"]
    assert sensitivity.loc["probablement", "brier_at_low"] == pytest.approx(((0.60 - 1) ** 2 + 0.9 ** 2) / 2)
    assert sensitivity.loc["<asserted>", "brier_at_high"] == pytest.approx(((0.8 - 1) ** 2 + 0.99 ** 2) / 2)
    assert sensitivity.loc["<asserted>", "n_scored"] == 1


def test_small_n_is_warned_about(resolved):
    card = score(resolved, as_of="2026-03-13")
    assert card.warnings == [
        f"overall: only n=2 scored predictions (fewer than {SMALL_N}): the scores say little, and their "
        "bootstrap interval understates the uncertainty",
        f"predictor maxime-marquette: only n=2 scored predictions (fewer than {SMALL_N}): the scores say little, "
        "and their bootstrap interval understates the uncertainty"]


def test_score_json_is_per_predictor_with_intervals_and_bounds(resolved):
    result = CliRunner().invoke(cli, ["score", "--as-of", "2026-03-13", "--json", "--data", str(resolved)])
    payload = json.loads(result.output)
    (author,) = payload["by_predictor"]
    assert author["predictor_id"] == "maxime-marquette" and author["n_scored"] == 2
    assert author["brier"] == pytest.approx(0.425) and author["brier_low"] <= 0.425 <= author["brier_high"]
    assert author["brier_lexicon_low"] == pytest.approx(payload["overall"]["brier_lexicon_low"])
    assert payload["interval"] == {"method": "percentile bootstrap over the scored predictions", "level": 0.95,
                                   "resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED}
    assert [(s["prediction_id"], s["predictor_id"], s["modality"]) for s in payload["scored"]] == [
        ("pr-0001", "maxime-marquette", "hedged"), ("pr-0002", "maxime-marquette", "asserted")]
    assert payload["warnings"] and payload["overall"]["n_scored"] == 2


def lexicon_file(tmp_path, value: float) -> str:
    """A lexicon giving every cue of the packaged one the same value, bounds ±0.1."""
    path = tmp_path / "flat.csv"
    rows = [f"{cue},{value},{value - 0.1:.2f},{value + 0.1:.2f}" for cue in lexicon.read_lexicon()]
    path.write_text("cue,probability,low,high\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_score_takes_a_remapped_predictions_table(resolved, tmp_path):
    ds = load(resolved)
    flat = lexicon.remap(ds.predictions, {k: 0.5 for k in lexicon.read_lexicon()})
    card = score(ds, as_of="2026-03-13", predictions=flat)
    assert card.brier == pytest.approx(0.25) and card.log_score == pytest.approx(math.log(0.5))
    assert score(ds, as_of="2026-03-13").brier == pytest.approx(0.425)  # the dataset itself is unchanged
    with pytest.raises(MismatchedPredictions, match=r"missing: \['pr-0003'\]"):
        score(ds, as_of="2026-03-13", predictions=flat[flat["prediction_id"] != "pr-0003"])
    with pytest.raises(MismatchedPredictions, match="from 0 to 1"):
        score(ds, as_of="2026-03-13", predictions=flat.assign(probability=1.5))


def test_score_cli_with_another_lexicon(resolved, tmp_path):
    result = CliRunner().invoke(cli, ["score", "--as-of", "2026-03-13", "--json", "--data", str(resolved),
                                      "--lexicon", lexicon_file(tmp_path, 0.5)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["brier"] == pytest.approx(0.25)


def test_overdue_is_counted_apart_from_pending(tmp_path):
    folder = small_dataset(tmp_path)  # every resolve_by is 2026-08-15
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    check(folder, "pr-0002", "pending", "2026-01-01", "not yet")
    before, after = score(folder, as_of="2026-08-15").counts, score(folder, as_of="2026-08-16").counts
    assert (before["pending"], before["unchecked"], before["overdue"]) == (1, 1, 0)
    assert (after["pending"], after["unchecked"], after["overdue"]) == (0, 0, 2)
    assert "2 prediction(s) are overdue" in score(folder, as_of="2026-08-16").notes[0]


def test_calibration_bins_carry_a_wilson_interval(resolved):
    top = score(resolved, as_of="2026-03-13").calibration.set_index("bin").loc["[0.8, 1.0]"]
    # 1 true of 2: Wilson 95 % (0.0945, 0.9055)
    assert (top["frequency_low"], top["frequency_high"]) == (pytest.approx(0.0945, abs=1e-4),
                                                            pytest.approx(0.9055, abs=1e-4))
    assert wilson_interval(1, 3) == (pytest.approx(0.0615, abs=1e-4), pytest.approx(0.7923, abs=1e-4))
    assert wilson_interval(0, 0) is None
