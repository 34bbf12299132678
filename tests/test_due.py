"""Due and overdue: a prediction whose resolve_by has passed without a settling check is overdue, kept apart
from pending, in the prediction view, `due`, `score` and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from outcome_helpers import REPO, check, evidence, small_dataset
from stancetrack import load
from stancetrack.cli import cli
from stancetrack.errors import InvalidOutcome
from stancetrack.overdue import due
from stancetrack.outcomes import SETTLING
from stancetrack.schemas import table_schema


def test_settling_statuses_come_from_the_schema():
    assert SETTLING == set(table_schema("outcomes").property("status")["x-settling"])
    assert set(table_schema("outcomes").enum("status")) - SETTLING == {"pending"}


@pytest.fixture
def checked(tmp_path):
    """pr-0001 true, pr-0002 pending, pr-0003 unchecked; every resolve_by is 2026-08-15."""
    folder = small_dataset(tmp_path)
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    check(folder, "pr-0002", "pending", "2026-01-01", "not yet")
    return folder


def statuses(folder, day) -> dict[str, str]:
    view = load(folder).prediction_view(day)
    return dict(zip(view["prediction_id"], view["status"].astype(str)))


def test_overdue_starts_the_day_after_resolve_by(checked):
    assert statuses(checked, "2026-08-15") == {"pr-0001": "true", "pr-0002": "pending", "pr-0003": "unchecked"}
    assert statuses(checked, "2026-08-16") == {"pr-0001": "true", "pr-0002": "overdue", "pr-0003": "overdue"}
    view = load(checked).prediction_view("2026-08-16").set_index("prediction_id")
    assert view.loc["pr-0002", "checked_status"] == "pending" and view.loc["pr-0003", "checked_status"] == "unchecked"


@pytest.mark.parametrize("status", sorted(SETTLING))
def test_a_settling_check_ends_overdue(checked, status):
    items = evidence() if status in ("true", "false", "partial") else []
    check(checked, "pr-0002", status, "2026-09-01", f"settled as {status}", items)
    assert statuses(checked, "2026-08-31")["pr-0002"] == "overdue"  # the check reaches 1 September only
    assert statuses(checked, "2026-09-01")["pr-0002"] == status


def test_a_pending_check_after_the_horizon_leaves_it_overdue(checked):
    check(checked, "pr-0002", "pending", "2026-09-01", "the brief does not say whether it happened")
    assert statuses(checked, "2026-09-02")["pr-0002"] == "overdue"


def test_due_lists_overdue_soonest_first_and_upcoming_within(checked):
    assert due(checked, as_of="2026-08-15").empty
    listed = due(checked, as_of="2026-09-01")
    assert list(listed["prediction_id"]) == ["pr-0002", "pr-0003"]
    assert list(listed["days_overdue"]) == [17, 17] and set(listed["status"]) == {"overdue"}
    assert list(listed["checked_status"]) == ["pending", "unchecked"]
    assert due(checked, as_of="2026-08-01", within=13).empty
    soon = due(checked, as_of="2026-08-01", within=14)
    assert list(soon["prediction_id"]) == ["pr-0002", "pr-0003"] and list(soon["days_overdue"]) == [-14, -14]
    with pytest.raises(InvalidOutcome, match="within must be a whole number of days"):
        due(checked, as_of="2026-08-01", within=-1)


def test_due_cli(checked):
    runner = CliRunner()
    result = runner.invoke(cli, ["due", "--as-of", "2026-09-01", "--data", str(checked)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2 overdue as of 2026-09-01 (resolve_by passed without a settling check):"
    assert lines[2].split()[:5] == ["pr-0002", "maxime-marquette", "2026-08-15", "17", "pending"]
    assert lines[3].split()[:5] == ["pr-0003", "maxime-marquette", "2026-08-15", "17", "unchecked"]
    payload = json.loads(runner.invoke(cli, ["due", "--as-of", "2026-09-01", "--json", "--data", str(checked)]).output)
    assert [(r["prediction_id"], r["resolve_by"], r["status_as_of"]) for r in payload] == [
        ("pr-0002", "2026-08-15", "2026-01-01"), ("pr-0003", "2026-08-15", None)]
    quiet = runner.invoke(cli, ["due", "--as-of", "2026-08-15", "--data", str(checked)])
    assert quiet.output == "nothing to check as of 2026-08-15: no prediction is overdue\n"
    bad = runner.invoke(cli, ["due", "--within", "-3", "--data", str(checked)])
    assert bad.exit_code == 2 and "-3 is not in the range x>=0" in bad.output


def test_the_release_as_of_2026_11_30():
    """Exactly the predictions whose horizon has passed without a settling check."""
    ds = load(REPO / "dataset")
    view = ds.prediction_view("2026-11-30")
    expected = view[(view["resolve_by"] < "2026-11-30") & ~view["checked_status"].isin(SETTLING)]
    assert list(due(ds, as_of="2026-11-30")["prediction_id"]) == sorted(expected["prediction_id"])
