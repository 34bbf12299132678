"""The loader: typed tables, source texts, views, integrity checks."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest

import stancetrack
from stancetrack.errors import IntegrityError, UnknownRecord
from stancetrack.storage import read_manifest
from stancetrack.texts import span_context


@pytest.fixture(scope="module")
def ds():
    return stancetrack.load()


def test_every_table_is_a_frame(ds):
    for name in stancetrack.TABLES:
        assert isinstance(getattr(ds, name), pd.DataFrame)
    assert len(ds.documents) >= 1 and len(ds.actors) >= 1


def test_dtypes_follow_the_schema(ds):
    assert isinstance(ds.stances["polarity"].dtype, pd.CategoricalDtype)
    assert list(ds.stances["polarity"].cat.categories) == ["favor", "against", "neutral", "mixed"]
    assert ds.documents["published_earliest"].dtype == "datetime64[ns]"
    assert ds.predictions["resolve_by"].dtype == "datetime64[ns]"
    assert ds.stances["intensity"].dtype == "Int64"
    assert ds.outcomes["condition_met"].dtype == "boolean"
    assert ds.actors["aliases"].map(lambda v: isinstance(v, list)).all()
    assert ds.predictions["subject_ids"].map(lambda v: isinstance(v, list) and len(v) >= 1).all()


def test_quotes_equal_the_text_at_their_offsets(ds):
    for name in ("mentions", "stances", "predictions"):
        table = ds.table(name)
        for row in table.itertuples():
            assert ds.text(row.document_id)[row.start:row.end] == row.quote


def test_text_is_the_exact_seed(ds, repo_root):
    doc = ds.documents.iloc[0]
    assert ds.text(doc["document_id"]) == (repo_root / doc["source_path"]).read_text(encoding="utf-8")
    assert len(ds.text(doc["document_id"])) == doc["char_count"]
    with pytest.raises(UnknownRecord, match="no document"):
        ds.text("no-such-document")


def test_stance_view_names_holders_and_targets(ds):
    view = ds.stance_view()
    assert len(view) == len(ds.stances)
    assert view["holder"].notna().all() and view["target"].notna().all()
    authorial = view[view["attribution"] == "authorial"]
    assert set(authorial["holder"]) == {"Maxime Marquette"}


def test_current_outcomes_time_travel(fixture_copy):
    from stancetrack.writer import transaction

    folder = fixture_copy("valid")
    evidence = [{"brief": "outcomes-brief-2026-03.md", "item": None, "publisher": "P", "title": None,
                 "published": "2027-01-02", "url": None, "quote": "q", "summary": None}]
    with transaction(folder) as tx:
        tx.append("outcomes", [{"outcome_id": "oc-0002", "prediction_id": "pr-0001", "as_of": "2027-01-01",
                                "status": "true", "condition_met": None, "evidence": evidence,
                                "deciding_clause": "True if ...",
                                "rationale": "Later evidence settles it.", "resolver": "test"}])
    ds = stancetrack.load(folder)
    assert ds.current_outcomes("2026-12-31")["status"].tolist() == ["pending"]
    assert ds.current_outcomes("2027-01-01")["status"].tolist() == ["true"]
    assert ds.current_outcomes(dt.date(2026, 3, 12)).empty
    view = ds.prediction_view("2026-01-01")
    assert view["status"].tolist() == ["unchecked"]


def test_load_refuses_a_damaged_dataset(dataset_copy):
    (dataset_copy / "stances.parquet").write_bytes(b"not parquet")
    with pytest.raises(IntegrityError, match="stances.parquet differs"):
        stancetrack.load(dataset_copy)


def test_import_does_not_pull_heavy_dependencies():
    code = ("import sys, stancetrack; stancetrack.load(); "
            "heavy = [m for m in ('label_studio_sdk', 'matplotlib', 'requests', 'httpx') if m in sys.modules]; "
            "print(heavy); sys.exit(1 if heavy else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _imported_after(code: str) -> set[str]:
    import os
    import subprocess
    import sys

    probe = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    return set(result.stdout.split())


def test_load_imports_only_what_it_uses(release_dir):
    modules = _imported_after(f"import stancetrack\nstancetrack.load({str(release_dir)!r})")
    unused = {"jsonschema", "stancetrack.writer", "stancetrack.metadata", "stancetrack.validation", "matplotlib",
              "label_studio_sdk", "filelock"}
    assert not modules & unused


def test_the_command_line_help_imports_neither_pandas_nor_pyarrow():
    modules = _imported_after("from stancetrack.cli import cli")
    assert "click" in modules
    assert not modules & {"pandas", "pyarrow", "jsonschema", "numpy", "label_studio_sdk"}


def test_repr_is_a_short_summary(release_dir):
    ds = stancetrack.load(release_dir)
    lines = repr(ds).splitlines()
    assert lines[0] == f"stancetrack.Dataset(version {ds.version}, schema {ds.manifest['schema_version']}, {release_dir})"
    assert [line.split()[0] for line in lines[1:]] == list(stancetrack.TABLES)
    assert f"{len(ds.stances):>8,} rows × {ds.stances.shape[1]} columns" in lines[1 + stancetrack.TABLES.index("stances")]


def test_context_shows_a_quote_in_its_sentence_and_paragraph(release_dir):
    ds = stancetrack.load(release_dir)
    stance = ds.stances.iloc[6]
    context = ds.context(stance["stance_id"])
    assert context.quote == stance["quote"]
    assert stance["quote"] in context.sentence and context.sentence in context.paragraph
    segment = ds.segments[(ds.segments["start"] <= stance["start"]) & (ds.segments["end"] >= stance["end"])].iloc[0]
    assert context.paragraph == ds.text(stance["document_id"])[segment["start"]:segment["end"]]
    assert context.sentence[-1] in ".!?…»" and context.sentence[0].isupper()
    assert f"⟦{stance['quote']}⟧" in str(context).splitlines()[1]
    with pytest.raises(UnknownRecord, match="no record 'st-9999' with a span"):
        ds.context("st-9999")


def test_context_cuts_sentences_as_the_suggestions_do():
    text = "Titre\n\nIl hésite, etc. et il part. « Reviendra-t-il ? » Nul ne sait.\n\nFin."
    start = text.index("il part")
    context = span_context(text, "st-0001", "stances", "doc", start, start + len("il part"), None)
    assert context.sentence == "Il hésite, etc. et il part."  # « etc. » before a lower-case word does not cut
    assert context.paragraph == text.split("\n\n")[1]
    start = text.index("Nul")
    assert span_context(text, "st-0002", "stances", "doc", start, start + 3, None).sentence == "Nul ne sait."


def test_a_modified_copy_of_the_release_says_so(release_dir, dataset_copy):
    assert stancetrack.load(release_dir).modified_from is None
    assert stancetrack.load(dataset_copy).modified_from is None  # an exact copy is the release
    release = read_manifest(release_dir)["dataset_version"]
    assert "derived_from" not in read_manifest(dataset_copy)
    with stancetrack.transaction(dataset_copy) as tx:
        tx.replace("stances", tx.records("stances")[1:])
    ds = stancetrack.load(dataset_copy)
    assert ds.modified_from == ds.version == release
    assert read_manifest(dataset_copy)["derived_from"] == release  # the writer recorded it
    assert repr(ds).startswith(f"stancetrack.Dataset(version {ds.version}, modified copy of release {ds.version},")
    from click.testing import CliRunner

    from stancetrack.cli import cli

    shown = CliRunner().invoke(cli, ["info", "--dataset", str(dataset_copy)])
    assert shown.output.startswith(f"stancetrack dataset {ds.version} (schema {ds.manifest['schema_version']}, "
                                   f"a modified copy of release {ds.version}) at {dataset_copy}")


def test_the_writer_records_which_release_a_copy_derives_from_and_keeps_it(release_dir, dataset_copy):
    release = read_manifest(release_dir)["dataset_version"]
    with stancetrack.transaction(dataset_copy) as tx:  # the same records again: still the release
        tx.replace("topics", tx.records("topics"))
    assert "derived_from" not in read_manifest(dataset_copy)
    with stancetrack.transaction(dataset_copy) as tx:
        tx.replace("stances", tx.records("stances")[1:])
    with stancetrack.transaction(dataset_copy) as tx:
        tx.replace("stances", tx.records("stances")[1:])
    assert read_manifest(dataset_copy)["derived_from"] == release  # kept by the next commit
    manifest = read_manifest(dataset_copy)
    manifest.pop("derived_from")  # a manifest from before the writer recorded it: the hashes still tell
    (dataset_copy / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    assert stancetrack.load(dataset_copy).modified_from == release
    with stancetrack.transaction(dataset_copy) as tx:  # a version of its own: no longer a copy of the release
        tx.replace("stances", tx.records("stances")[1:])
        tx.dataset_version = "9.9.9-local"
    assert "derived_from" not in read_manifest(dataset_copy)
    assert stancetrack.load(dataset_copy).modified_from is None
