"""The README's tour runs, and the figures it shows are the release's own."""

from __future__ import annotations

import ast
import re

import stancetrack


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
