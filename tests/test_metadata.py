"""The derived metadata: generated from the schemas and the data, never drifting from them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import stancetrack
from stancetrack import metadata
from stancetrack.cli import cli
from stancetrack.metadata import cards
from stancetrack.metadata.columns import columns, plain_references
from stancetrack.schemas import TABLES, table_schema
from stancetrack.storage import read_manifest

from conftest import file_bytes
from interop_data import REPO, copy_release, populate


def test_committed_metadata_equals_a_fresh_generation():
    """croissant.json, datapackage.json, dataset/README.md, DATASET.md and the README reference."""
    stale = [str(p.relative_to(REPO)) for p in metadata.stale(REPO / "dataset")]
    assert not stale, f"{stale} differ from the schemas and data: run `stancetrack metadata` and commit them"


def test_every_derived_file_is_generated():
    names = {str(p.relative_to(REPO)) for p in metadata.generate(REPO / "dataset")}
    assert names == {"dataset/croissant.json", "dataset/datapackage.json", "dataset/README.md", "DATASET.md",
                     "README.md"}


def test_generation_depends_only_on_the_inputs(tmp_path):
    """A copy of the release, elsewhere and written at another time, generates the committed bytes."""
    folder = copy_release(tmp_path)
    generated = {path.name: data for path, data in metadata.generate(folder, checkout=False).items()}
    assert generated == {name: (REPO / "dataset" / name).read_bytes() for name in metadata.DATASET_FILES}


# -- the writer keeps the dataset folder's metadata fresh -------------------------------------------------------

def test_the_writer_rewrites_the_folder_metadata_after_the_manifest(tmp_path):
    folder = copy_release(tmp_path)
    for name in metadata.DATASET_FILES:
        (folder / name).unlink()
    populate(folder)
    assert metadata.stale(folder, checkout=False) == []
    croissant = json.loads((folder / "croissant.json").read_text())
    manifest = read_manifest(folder)
    hashes = {f["@id"]: f["sha256"] for f in croissant["distribution"]}
    assert all(hashes[e["file"]] == e["sha256"] for e in manifest["tables"].values())
    assert f"| `stances` | {len(stancetrack.load(folder).stances)} |" in (folder / "README.md").read_text()


def test_metadata_files_are_not_tables(tmp_path):
    folder = copy_release(tmp_path)
    populate(folder)
    assert set(read_manifest(folder)["tables"]) == set(TABLES)
    report = stancetrack.validate(folder)
    assert report.valid, report.to_frame()


# -- Croissant and Frictionless say what the schemas say ------------------------------------------------------

@pytest.fixture(scope="module")
def croissant() -> dict:
    return json.loads((REPO / "dataset" / "croissant.json").read_text())


@pytest.fixture(scope="module")
def package() -> dict:
    return json.loads((REPO / "dataset" / "datapackage.json").read_text())


def test_croissant_has_one_file_and_one_record_set_per_table(croissant):
    manifest = read_manifest(REPO / "dataset")
    files = {f["@id"]: f for f in croissant["distribution"]}
    for name, entry in manifest["tables"].items():
        assert files[entry["file"]]["sha256"] == entry["sha256"]
        assert files[entry["file"]]["encodingFormat"] == "application/x-parquet"
    enumerations = [f"{n}.{c.name}" for n in TABLES for c in columns(table_schema(n)) if c.enum]
    assert [rs["@id"] for rs in croissant["recordSet"]] == [*TABLES, *enumerations]
    assert croissant["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert croissant["version"] == manifest["dataset_version"]
    for key in ("name", "description", "license", "creator", "datePublished", "citeAs"):
        assert croissant[key]


def test_croissant_fields_carry_the_schema(croissant):
    for record_set in croissant["recordSet"][:len(TABLES)]:
        ts = table_schema(record_set["@id"])
        fields = {f["name"]: f for f in record_set["field"]}
        assert list(fields) == ts.columns
        assert record_set["key"] == {"@id": f"{ts.name}/{ts.key}"}
        for column in columns(ts):
            assert fields[column.name]["description"] == column.description
            assert fields[column.name].get("repeated", False) == (column.kind == "array")
            if column.enum:
                assert fields[column.name]["references"] == {"field": {"@id": f"{ts.name}.{column.name}/value"}}
        for field, fk in plain_references(ts).items():
            assert fields[field]["references"] == {"field": {"@id": f"{fk.table}/{fk.ref}"}}
    stances = {f["name"]: f for f in croissant["recordSet"][TABLES.index("stances")]["field"]}
    assert "references" not in stances["target_id"]  # actors or topics, by target_type: no single target
    polarity = next(rs for rs in croissant["recordSet"] if rs["@id"] == "stances.polarity")
    assert [v["stances.polarity/value"] for v in polarity["data"]] == table_schema("stances").enum("polarity")
    evidence = {f["name"]: f for f in croissant["recordSet"][TABLES.index("outcomes")]["field"]}["evidence"]
    items = table_schema("outcomes").property("evidence")["items"]["properties"]
    assert [s["name"] for s in evidence["subField"]] == list(items)


def test_datapackage_fields_carry_types_constraints_and_keys(package):
    resources = {r["name"]: r for r in package["resources"]}
    assert list(resources) == list(TABLES)
    stances = resources["stances"]["schema"]
    fields = {f["name"]: f for f in stances["fields"]}
    assert fields["polarity"]["constraints"]["enum"] == ["favor", "against", "neutral", "mixed"]
    assert fields["stance_id"]["constraints"] == {"required": True, "pattern": "^st-[0-9]{4,}$"}
    assert stances["primaryKey"] == ["stance_id"]
    assert {"fields": ["holder_id"], "reference": {"resource": "actors", "fields": ["actor_id"]}} \
        in stances["foreignKeys"]
    dates = {f["name"]: f["type"] for f in resources["predictions"]["schema"]["fields"]}
    assert dates["resolve_by"] == "date"
    assert resources["actors"]["hash"] == f"sha256:{read_manifest(REPO / 'dataset')['tables']['actors']['sha256']}"


# -- the cards ----------------------------------------------------------------------------------------------

def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


@pytest.mark.parametrize("card, prefix", [("DATASET.md", "dataset/"), ("dataset/README.md", "")])
def test_cards_declare_one_config_per_table(card, prefix):
    matter = front_matter(REPO / card)
    assert matter["license"] == "cc-by-4.0" and matter["language"] == ["fr"]
    assert matter["pretty_name"] and matter["task_categories"] and matter["tags"]
    assert matter["configs"] == [{"config_name": n, "data_files": [{"split": "train", "path": f"{prefix}{n}.parquet"}]}
                                 for n in TABLES]


def test_card_counts_equal_the_data():
    ds = stancetrack.load(REPO / "dataset")
    text = (REPO / "DATASET.md").read_text(encoding="utf-8")
    for name in TABLES:
        assert f"| `{name}` | {len(ds.table(name))} |" in text
    for name in TABLES:
        for column in cards.label_columns(table_schema(name)):
            line = re.search(rf"^\| `{name}\.{column.name}` \| (.*) \|$", text, re.MULTILINE).group(1)
            counts = dict(part.rsplit(" ", 1) for part in line.split(" · "))
            series = ds.table(name)[column.name]
            for label, n in counts.items():
                found = series.isna().sum() if label == "null" else (series.astype(str) == label).sum()
                assert int(n) == found, (name, column.name, label)


def test_readme_reference_lists_every_column_with_its_description():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split(cards.begin("reference"))[1].split(cards.end("reference"))[0]
    assert "<!-- README:reference -->\n" + cards.begin("reference") in text  # the marker line stays
    for name in TABLES:
        for column in columns(table_schema(name)):
            assert f"| `{column.name}` |" in block
            assert " ".join(column.description.split()).replace("|", "\\|") in block


def test_put_block_replaces_inserts_and_refuses():
    text = "intro\n<!-- anchor -->\n\nafter\n"
    once = cards.put_block(text, "x", "one", anchor="<!-- anchor -->")
    assert once == f"intro\n<!-- anchor -->\n{cards.begin('x')}\none\n{cards.end('x')}\n\nafter\n"
    twice = cards.put_block(once, "x", "two", anchor="<!-- anchor -->")
    assert twice == once.replace("\none\n", "\ntwo\n")
    assert cards.put_block(twice, "x", "two", anchor="<!-- anchor -->") == twice
    with pytest.raises(cards.MissingMarker, match="stancetrack metadata"):
        cards.put_block("no marker here", "x", "one", anchor="<!-- anchor -->")


def test_front_matter_replacement_keeps_the_prose():
    card = "---\nold: 1\n---\n\n# Title\nprose\n"
    assert cards.replace_front_matter(card, "---\nnew: 2\n---\n") == "---\nnew: 2\n---\n\n# Title\nprose\n"
    assert cards.replace_front_matter("# Title\n", "---\na: 1\n---\n") == "---\na: 1\n---\n\n# Title\n"


# -- the command ------------------------------------------------------------------------------------------

def checkout(tmp_path: Path) -> Path:
    """A copy of the release with a DATASET.md and a README beside it, as in a checkout."""
    folder = copy_release(tmp_path)
    for name in ("DATASET.md", "README.md"):
        (tmp_path / name).write_bytes((REPO / name).read_bytes())
    return folder


def test_command_checks_and_regenerates(tmp_path):
    folder = checkout(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["metadata", "--data", str(folder), "--check"]).exit_code == 0
    (folder / "croissant.json").write_text("{}")
    card = tmp_path / "DATASET.md"
    card.write_text(card.read_text(encoding="utf-8").replace("| `actors` | ", "| `actors` | 9"), encoding="utf-8")
    result = runner.invoke(cli, ["metadata", "--data", str(folder), "--check"])
    assert result.exit_code == 1
    assert result.stdout.split() == ["dataset/croissant.json", "DATASET.md"]
    result = runner.invoke(cli, ["metadata", "--data", str(folder)])
    assert result.exit_code == 0 and result.stdout.split() == ["wrote", "dataset/croissant.json", "wrote",
                                                                "DATASET.md"]
    assert runner.invoke(cli, ["metadata", "--data", str(folder), "--check"]).exit_code == 0
    assert card.read_bytes() == (REPO / "DATASET.md").read_bytes()


def test_command_renews_the_card_after_the_data_changes(tmp_path):
    folder = checkout(tmp_path)
    populate(folder)  # the writer renews dataset/; the card beside it waits for the command
    assert metadata.stale(folder) == [tmp_path / "DATASET.md"]
    CliRunner().invoke(cli, ["metadata", "--data", str(folder)])
    rows = len(stancetrack.load(folder).outcomes)
    assert f"| `outcomes` | {rows} |" in (tmp_path / "DATASET.md").read_text(encoding="utf-8")


def test_command_help_has_an_example():
    result = CliRunner().invoke(cli, ["metadata", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "stancetrack metadata --check" in result.output


def test_a_failed_metadata_generation_leaves_the_dataset_as_it_was(tmp_path, monkeypatch):
    folder = copy_release(tmp_path)
    before = file_bytes(folder)
    monkeypatch.setattr(metadata, "croissant", lambda src: {}["missing"])
    with pytest.raises(metadata.MetadataNotRenewed, match="could not be generated .KeyError.*nothing was written"):
        populate(folder)
    assert file_bytes(folder) == before
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".tmp-")]
