"""The HTML report: it builds on the release, embeds its figures, escapes text, and fails politely without
matplotlib."""

from __future__ import annotations

import base64
import re
import sys

import pytest
from click.testing import CliRunner

from outcome_helpers import check, REPO, evidence, small_dataset
from stancetrack.cli import cli
from stancetrack.errors import MissingExtra
from stancetrack.htmlreport import FIGURES, build_report

PNG = b"\x89PNG\r\n\x1a\n"


def embedded_pngs(page: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_report_builds_on_the_release(tmp_path):
    result = build_report(REPO / "dataset", tmp_path / "report", as_of="2026-03-13")
    page = result.index.read_text(encoding="utf-8")
    assert set(result.figures) == set(FIGURES)
    for name, path in result.figures.items():
        assert path.read_bytes().startswith(PNG), name
    images = embedded_pngs(page)
    assert len(images) == len(FIGURES)
    assert sorted(images) == sorted(p.read_bytes() for p in result.figures.values())
    assert "as of 2026-03-13" in page and "Reliability diagram" in page and "Stances as a matrix" in page
    assert "Stance network" not in page and "By predictor, and overall" in page
    assert "<script" not in page.lower()


def test_report_escapes_text_and_links_only_http(tmp_path):
    folder = small_dataset(tmp_path)
    items = evidence(url="https://example.org/?a=1&b=<2>", title="<b>bold</b> & co",
                     summary="\"<script>alert(1)</script>\"")
    check(folder, "pr-0001", "true", "2026-01-01", "<img src=x onerror=alert(1)>", items)
    check(folder, "pr-0002", "false", "2026-01-01", "fine", evidence())
    page = build_report(folder, tmp_path / "out", as_of="2026-03-13").index.read_text(encoding="utf-8")
    assert "<script>" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt; &amp; co" in page
    assert 'href="https://example.org/?a=1&amp;b=&lt;2&gt;"' in page


def test_report_cli(tmp_path):
    folder = small_dataset(tmp_path)
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["report", "-o", str(out), "--as-of", "2026-03-13", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and "3 figures" in result.output
    assert sorted(p.name for p in (out / "figures").iterdir()) == sorted(f"{n}.png" for n in FIGURES)


def test_report_before_any_outcome_still_builds(tmp_path):
    folder = small_dataset(tmp_path)
    result = build_report(folder, tmp_path / "out", as_of="2025-08-20")
    assert result.scorecard.n_scored == 0
    assert len(embedded_pngs(result.index.read_text(encoding="utf-8"))) == len(FIGURES)


def test_missing_matplotlib_says_what_to_install(tmp_path, monkeypatch):
    folder = small_dataset(tmp_path)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` raise ImportError
    with pytest.raises(MissingExtra, match=re.escape("pip install 'stancetrack[plot]'")):
        build_report(folder, tmp_path / "out")
    assert not (tmp_path / "out" / "index.html").exists()


def test_importing_the_package_does_not_import_matplotlib():
    import subprocess

    code = "import stancetrack, stancetrack.htmlreport, sys; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_the_network_is_an_option(tmp_path):
    folder = small_dataset(tmp_path)
    result = CliRunner().invoke(cli, ["report", "-o", str(tmp_path / "out"), "--network", "--data", str(folder)])
    assert result.exit_code == 0 and "4 figures" in result.output
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert len(embedded_pngs(page)) == 4 and "Stance network" in page and "Stances as a matrix" in page


def test_overdue_predictions_are_marked(tmp_path):
    folder = small_dataset(tmp_path)  # every resolve_by is 2026-08-15
    check(folder, "pr-0001", "true", "2026-01-01", "it happened", evidence())
    result = build_report(folder, tmp_path / "out", as_of="2026-09-01")
    page = result.index.read_text(encoding="utf-8")
    assert result.scorecard.counts["overdue"] == 2
    assert page.count('<span class="status overdue"') == 2
    assert "2 prediction(s) are overdue" in page
    assert 'style="background:#F0E442' in page  # the palette's overdue colour


def test_colours_are_defined_only_in_the_palette(repo_root):
    for module in ("figures.py", "htmlreport.py"):
        source = (repo_root / "src" / "stancetrack" / module).read_text(encoding="utf-8")
        assert not re.findall(r"#[0-9A-Fa-f]{6}\b|#[0-9A-Fa-f]{3}\b", source), module


def test_evidence_shows_quote_and_summary_apart(tmp_path):
    folder = small_dataset(tmp_path)
    check(folder, "pr-0002", "false", "2026-01-01", "it did not", evidence())
    page = build_report(folder, tmp_path / "out", as_of="2026-03-13").index.read_text(encoding="utf-8")
    assert "<span class='quote'>“there is no deal. No ceasefire. Nothing tangible to report.”</span>" in page
    assert "(summary: No agreement, no ceasefire at or right after the summit.)" in page
    assert "outcomes-brief-2026-03.md item 4" in page
    assert "deciding clause: <q>True if it happens; false if not.</q>" in page
