"""The README's tour runs, and the figures it shows are the release's own."""

from __future__ import annotations

import ast
import json
import re

import pytest
from click.testing import CliRunner

import stancetrack
from stancetrack.cli import cli


def _tour_block(repo_root) -> str:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    section = text.split("## A tour of the release", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_tour_runs(repo_root):
    exec(compile(_tour_block(repo_root), "README tour", "exec"), {})


def test_tour_counts_are_the_release_counts(repo_root):
    block = _tour_block(repo_root)
    shown = re.search(r"# (\{'documents'.*?\})", block, re.S).group(1).replace("\n#", "")
    ds = stancetrack.load()
    assert ast.literal_eval(shown) == {name: len(ds.table(name)) for name in stancetrack.TABLES}
    statuses = re.search(r"# (pending .*?) \(", block).group(1)
    counts = ds.prediction_view(as_of="2026-03-13")["status"].value_counts()
    assert statuses == ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    table = ds.stances.groupby(["attribution", "polarity"], observed=True).size().unstack(fill_value=0)
    for attribution, row in table.iterrows():
        line = re.search(rf"# {attribution}\s+([\d ]+)\n", block).group(1).split()
        assert [int(x) for x in line] == row.tolist()


# The scoring section: the outputs it shows are the commands' own on the release
# (`python data-raw/readme_scoring.py` rewrites them after the outcomes change).

def _outcomes_section(repo_root) -> str:
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    return text.split("<!-- README:outcomes -->", 1)[1].split("<!-- README:", 1)[0]


def _shown_output(repo_root, command: str) -> str:
    """What the README shows after ``$ command`` in a console block."""
    return _outcomes_section(repo_root).split(f"$ {command}\n", 1)[1].split("```", 1)[0]


def _run(repo_root, command: str) -> str:
    args = command.split()[1:] + ["--data", str(repo_root / "dataset")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return result.output


def assert_excerpt(shown, real, where: str = "$") -> None:
    """``shown`` is ``real`` with keys left out of objects and floats rounded to the digits shown."""
    if isinstance(shown, dict):
        assert isinstance(real, dict), where
        for key, value in shown.items():
            assert key in real, f"{where}.{key} is not in the output"
            assert_excerpt(value, real[key], f"{where}.{key}")
    elif isinstance(shown, list):
        assert isinstance(real, list) and len(shown) == len(real), f"{where}: {len(shown)} items shown"
        for number, (a, b) in enumerate(zip(shown, real)):
            assert_excerpt(a, b, f"{where}[{number}]")
    elif isinstance(shown, float):
        assert shown == pytest.approx(real, abs=5e-4), where
    else:
        assert shown == real, where


def test_readme_shows_the_real_due_output(repo_root):
    command = "stancetrack due --as-of 2026-11-30"
    shown = _shown_output(repo_root, command)
    assert [line.rstrip() for line in shown.rstrip("\n").split("\n")] == \
        [line.rstrip() for line in _run(repo_root, command).rstrip("\n").split("\n")]


def test_readme_score_json_is_an_excerpt_of_the_real_output(repo_root):
    command = "stancetrack score --as-of 2026-11-30 --json"
    shown = json.loads(_shown_output(repo_root, command))
    assert {"by_predictor", "overall", "interval", "scored", "warnings"} <= set(shown)
    assert_excerpt(shown, json.loads(_run(repo_root, command)))


def test_assert_excerpt_catches_a_changed_value():
    real = {"a": 0.47367, "b": [{"c": 1, "d": "x"}], "e": "kept out"}
    assert_excerpt({"a": 0.474, "b": [{"c": 1}]}, real)
    for wrong in ({"a": 0.475}, {"b": []}, {"b": [{"c": 2}]}, {"z": 1}):
        with pytest.raises(AssertionError):
            assert_excerpt(wrong, real)


def test_readme_scoring_python_example_runs(repo_root):
    code = _outcomes_section(repo_root).split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(code, "README.md", "exec"), {})
