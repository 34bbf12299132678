"""annotation/HEDGES.md documents the hedge lexicon truthfully: its table mirrors hedge_lexicon.csv, every anchor a
row cites is among the published figures HEDGES.md lists for that scale, and the survey figures it lists are the
medians of the survey's published raw data."""

from __future__ import annotations

import csv
import re

import pytest

from outcome_helpers import REPO

HEDGES = (REPO / "annotation" / "HEDGES.md").read_text(encoding="utf-8")
LEXICON = list(csv.DictReader((REPO / "annotation" / "hedge_lexicon.csv").open(encoding="utf-8")))
#: Medians of github.com/amauboussin/probability-survey, probability_survey_results.csv (about 1,860 answers per
#: term), the raw data behind Mauboussin & Mauboussin (HBR, 2018).
SURVEY_MEDIANS = {"probably": 70, "likely": 70, "real possibility": 60, "possibly": 45, "might happen": 40,
                  "maybe": 50, "unlikely": 20, "almost certainly": 90, "certainly": 98}


def dashes(text: str) -> str:
    return text.replace("–", "-")


def anchors() -> dict[str, str]:
    """scale -> the 'figures used' cell of the Anchors table."""
    section = HEDGES.split("## Anchors", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| .* \| (.*) \|$", section, flags=re.M)
    return {scale: dashes(figures) for scale, figures in rows}


@pytest.mark.parametrize("row", LEXICON, ids=lambda r: r["cue"])
def test_every_anchor_is_a_figure_listed_for_its_scale(row):
    figures = [f.strip() for f in anchors()[row["anchor_scale"]].split(";")]
    assert f"{row['anchor_term']} {dashes(row['anchor_value'])}" in figures


def test_the_survey_figures_are_the_published_medians():
    listed = dict(re.findall(r"([a-z ]+?) (\d+)(?:;|$)", anchors()["mauboussin2018"]))
    assert {term.strip(): int(value) for term, value in listed.items()} == SURVEY_MEDIANS
    assert "almost certainly about 95" not in HEDGES


def test_the_table_mirrors_the_csv():
    table = HEDGES.split("## The table", 1)[1]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ") and "---" not in line][1:]
    mirrored = [(r[0].strip("| `«» "), r[1], dashes(r[2]), r[3], r[4], dashes(r[5])) for r in rows]
    assert mirrored == [(row["cue"], row["probability"], f"{row['low']}-{row['high']}", row["anchor_scale"],
                         row["anchor_term"], dashes(row["anchor_value"])) for row in LEXICON]


def test_the_french_scales_are_cited_not_denied():
    text = " ".join(HEDGES.split())
    assert "No published mapping exists" not in text
    for needle in ("« Probable - Vraisemblable Probable - 75 % (marge d’erreur d’environ 12 %) »",
                   "Peu probable - 30 % (marge d’erreur d’environ 10 %) »", "Davidson and Chrisman (1993, 1994)",
                   "« probable » 66–100 %", "« très probable » 90–100 %", "maybe 50"):
        assert needle in text, needle
