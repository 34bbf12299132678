"""The gold release keeps the codebook's promises: exact spans, complete predictions, a lexicon for every cue."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import stancetrack
from stancetrack.lexicon import lexicon_key, read_lexicon


@pytest.fixture(scope="module")
def ds():
    return stancetrack.load()


def test_every_span_is_exact(ds):
    for name in ("mentions", "stances", "predictions"):
        for row in ds.table(name).itertuples():
            assert ds.text(row.document_id)[row.start:row.end] == row.quote, (name, row[1])


def test_every_prediction_is_complete(ds):
    p = ds.predictions
    for column in ("proposition", "claim_en", "resolution_criteria"):
        assert p[column].str.strip().str.len().gt(20).all(), column
    assert p["resolve_by"].notna().all() and p["probability"].between(0, 1).all()
    assert (p["resolve_by"] > ds.documents["published_latest"].max()).all()


def test_every_cue_is_in_the_lexicon_and_the_quote(ds):
    lexicon = read_lexicon()
    for row in ds.predictions.itertuples():
        key = lexicon_key(row.cue, str(row.modality))
        assert key in lexicon, key
        assert row.probability == lexicon[key], row.prediction_id
        if not pd.isna(row.cue):
            assert row.cue.lower() in row.quote.lower(), row.prediction_id


def test_hedged_have_cues_and_conditionals_have_conditions(ds):
    p = ds.predictions
    assert p.loc[p["modality"] == "hedged", "cue"].notna().all()
    assert p.loc[p["modality"] == "conditional", "condition"].notna().all()
    assert p.loc[p["modality"] != "conditional", "condition"].isna().all()


def test_qids_are_well_formed_and_unique(ds):
    qids = ds.actors["wikidata_qid"].dropna()
    assert qids.map(lambda q: re.fullmatch(r"Q[1-9][0-9]*", q) is not None).all()
    assert qids.is_unique


def test_every_paragraph_is_annotated(ds):
    paragraphs = ds.segments[ds.segments["kind"] == "paragraph"]
    for seg in paragraphs.itertuples():
        for name in ("mentions", "stances"):
            table = ds.table(name)
            inside = (table["start"] >= seg.start) & (table["end"] <= seg.end)
            assert inside.any(), (seg.segment_id, name)


def test_every_prediction_has_a_current_outcome(ds):
    current = ds.current_outcomes("2026-03-13")
    assert set(current["prediction_id"]) == set(ds.predictions["prediction_id"])
    decided = current[current["status"].isin(["true", "false", "partial"])]
    assert decided["evidence"].map(len).gt(0).all()
    assert current["rationale"].str.len().gt(20).all()


def test_authorial_stances_are_held_by_the_author(ds):
    authorial = ds.stances[ds.stances["attribution"] == "authorial"]
    assert set(authorial["holder_id"]) == set(ds.documents["author_id"])
