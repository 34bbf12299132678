"""Both annotation passes are Label Studio exports that the importer accepts, and the agreement figures and
adjudication counts the dataset card publishes are what the code computes from them."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from stancetrack.annotate.importer import import_export
from stancetrack.cli import cli
from stancetrack.writer import transaction

ROOT = Path(__file__).resolve().parents[1]
PASSES = ROOT / "annotation" / "passes"
CARD = (ROOT / "DATASET.md").read_text(encoding="utf-8")
COMMAND = "stancetrack annotate agreement annotation/passes/pass-1.json annotation/passes/pass-2.json"


@pytest.fixture(scope="module")
def empty_release(tmp_path_factory) -> Path:
    """The release with no mentions, stances, predictions or outcomes: a pass imports into it whole."""
    root = tmp_path_factory.mktemp("empty")
    shutil.copytree(ROOT / "dataset", root / "dataset", ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    shutil.copytree(ROOT / "seeds", root / "seeds")
    with transaction(root / "dataset") as tx:
        for name in ("outcomes", "predictions", "stances", "mentions"):
            tx.replace(name, [])
    return root / "dataset"


@pytest.mark.parametrize("name", ["pass-1", "pass-2"])
def test_each_pass_goes_through_the_import(empty_release, name):
    export = json.loads((PASSES / f"{name}.json").read_text(encoding="utf-8"))
    regions = sum(1 for task in export for a in task["annotations"] for item in a["result"] if item["type"] == "labels")
    result = import_export(PASSES / f"{name}.json", empty_release, dry_run=True, annotator=name)
    assert result.tasks == result.tasks_applied == 14 and not result.written
    assert len(result.changes) == regions


def test_the_card_publishes_the_agreement_commands_output(monkeypatch):
    monkeypatch.chdir(ROOT)  # the command is run from the repository's root, as the card shows
    block = re.search(r"<!-- agreement:begin -->\n```console\n\$ (.*?)\n(.*?)```\n<!-- agreement:end -->", CARD, re.S)
    assert block is not None and block.group(1) == COMMAND
    result = CliRunner().invoke(cli, COMMAND.split()[1:], catch_exceptions=False)
    assert result.exit_code == 0
    assert block.group(2) == result.output


def test_the_card_publishes_the_adjudication_counts():
    log = yaml.safe_load((ROOT / "annotation" / "adjudication.yaml").read_text(encoding="utf-8"))
    counts = Counter((e["source"], e["action"]) for e in log)
    for source in ("review", "disagreement"):
        row = re.search(rf"^\| `{source}` [^|]*\|(.*)\|$", CARD, re.M).group(1)
        shown = [int(n) for n in row.split("|")]
        expected = [counts[(source, a)] for a in ("added", "changed", "removed", "kept", "rejected")]
        assert shown == [*expected, sum(expected)], source
