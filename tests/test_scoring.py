"""Scores computed by hand on small fixtures, as-of time travel, and statuses that are counted but not scored."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from outcome_helpers import evidence, small_dataset
from stancetrack import score
from stancetrack.cli import cli
from stancetrack.outcomes import resolve
from stancetrack.scoring import BASELINE_LOG, EPSILON, brier, log_score


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
    resolve(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence(), resolver="t")
    resolve(folder, "pr-0002", "false", "2026-01-01", "it did not", evidence(), resolver="t")
    resolve(folder, "pr-0003", "annulled", "2026-01-01", "the condition failed", resolver="t")
    return folder


def test_score_on_a_small_dataset(resolved):
    card = score(resolved, as_of="2026-03-13")
    assert card.n_scored == 2
    assert card.brier == pytest.approx(0.425)
    assert card.log_score == pytest.approx((math.log(0.8) + math.log(0.1)) / 2)
    assert card.baseline_brier == 0.25 and card.baseline_log_score == pytest.approx(math.log(0.5))
    assert card.brier_skill == pytest.approx(1 - 0.425 / 0.25)
    assert card.counts == {"true": 1, "false": 1, "partial": 0, "annulled": 1, "ambiguous": 0, "pending": 0,
                           "unchecked": 0, "total": 3}
    top = card.calibration.set_index("bin").loc["[0.8, 1.0]"]
    assert top["n"] == 2 and top["mean_probability"] == pytest.approx(0.85)
    assert top["observed_frequency"] == pytest.approx(0.5)
    assert card.calibration["n"].sum() == 2
    modality = card.by_modality.set_index("modality")
    assert modality.loc["asserted", "brier"] == pytest.approx(0.81)
    assert modality.loc["hedged", "brier"] == pytest.approx(0.04)
    assert modality.loc["conditional", "n_scored"] == 0 and modality.loc["conditional", "n_predictions"] == 1
    predictor = card.by_predictor.set_index("predictor_id").loc["author"]
    assert predictor["name"] == "Maxime Marquette" and predictor["n_scored"] == 2


def test_as_of_time_travel(tmp_path):
    """A later check supersedes an earlier one only from its own as_of day on."""
    folder = small_dataset(tmp_path)
    resolve(folder, "pr-0001", "pending", "2025-09-01", "not yet", resolver="t")
    resolve(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence(), resolver="t")
    resolve(folder, "pr-0001", "false", "2026-02-01", "a correction: it did not", evidence(), resolver="t")

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
    resolve(folder, "pr-0002", "true", "2026-01-01", "first reading", evidence(), resolver="t")
    resolve(folder, "pr-0002", "false", "2026-01-01", "second reading", evidence(), resolver="t")
    assert score(folder, as_of="2026-01-01").items.set_index("prediction_id").loc["pr-0002", "status"] == "false"


def test_before_any_outcome_nothing_is_scored(resolved):
    card = score(resolved, as_of="2025-12-31")
    assert card.n_scored == 0 and card.brier is None and card.log_score is None
    assert card.counts["unchecked"] == 3 and card.calibration["n"].sum() == 0
    assert card.notes and "nothing is scored" in card.notes[0]


@pytest.mark.parametrize("status", ["partial", "ambiguous", "pending", "annulled"])
def test_excluded_statuses_are_counted_not_scored(tmp_path, status):
    folder = small_dataset(tmp_path)
    resolve(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence(), resolver="t")
    resolve(folder, "pr-0002", status, "2026-01-01", f"recorded as {status}", evidence(), resolver="t")
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
    assert "as of 2026-03-13" in result.output and "0.425" in result.output and "0.250" in result.output


def test_score_rejects_a_bad_day(resolved):
    result = CliRunner().invoke(cli, ["score", "--as-of", "13/03/2026", "--dataset", str(resolved)])
    assert result.exit_code == 1, result.output
    assert result.output == "error: as_of '13/03/2026' is not a date: give the day as YYYY-MM-DD, e.g. 2026-03-13\n"


def readme_section() -> str:
    from outcome_helpers import REPO

    text = (REPO / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- README:outcomes -->", 1)[1].split("<!-- README:", 1)[0]


def test_readme_shows_the_real_score_output():
    from outcome_helpers import REPO

    shown = readme_section().split("$ stancetrack score --as-of 2026-03-13\n", 1)[1].split("```", 1)[0]
    result = CliRunner().invoke(cli, ["score", "--as-of", "2026-03-13", "--data", str(REPO / "dataset")])
    assert result.exit_code == 0, result.output
    assert [line.rstrip() for line in shown.rstrip("\n").split("\n")] == \
        [line.rstrip() for line in result.output.rstrip("\n").split("\n")]


def test_readme_python_example_runs():
    code = readme_section().split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
