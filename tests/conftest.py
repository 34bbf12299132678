"""Fixtures shared by every test: the repository's paths and writable copies of datasets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "datasets"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def release_dir() -> Path:
    """The committed release (read it, never write it)."""
    return REPO / "dataset"


def copy_release(target: Path, source: Path | None = None) -> Path:
    """A writable copy of a dataset folder laid out as a release (the texts are inside its documents table)."""
    shutil.copytree(source or REPO / "dataset", target / "dataset",
                    ignore=shutil.ignore_patterns(".stancetrack.lock", ".tmp-*"))
    return target / "dataset"


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A writable copy of the committed release in tmp_path; returns its dataset/ folder."""
    return copy_release(tmp_path)


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """Factory: a writable copy of one of the small fixture datasets under tests/fixtures/datasets/."""
    def make(name: str = "valid") -> Path:
        return copy_release(tmp_path / name, FIXTURES / name)
    return make


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder and its bytes: to assert that a refused write changed nothing."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()
            and not p.name.startswith(".")}
