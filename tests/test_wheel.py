"""A plain (non-editable) wheel carries the release: load() and validate() work from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def clean_env() -> dict[str, str]:
    """The environment of a child process that must import the installed wheel, not this checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory, repo_root):
    """A fresh virtual environment with the wheel built from this checkout.

    Its dependencies come from the environment running the tests (a virtual environment or not): a ``.pth``
    file puts that environment's site-packages after the new one's, so the wheel's stancetrack comes first and
    no editable install of the running environment is activated (``.pth`` files of an added path are not read).
    """
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(dist), str(repo_root)], check=True, env=clean_env())
    wheel = next(dist.glob("stancetrack-*.whl"))
    env = base / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True, env=clean_env()).stdout.strip())
    host = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (site / "host-environment.pth").write_text("".join(f"{path}\n" for path in host), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                    str(wheel)], check=True, env=clean_env())
    return python, env, wheel


def test_wheel_contains_the_release(installed):
    import zipfile

    _, _, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("stancetrack/_data/seeds/000_34c6196f3528f434.txt", "stancetrack/_data/schema/stances.schema.json",
                     "stancetrack/_data/dataset/manifest.json", "stancetrack/_data/dataset/stances.parquet",
                     "stancetrack/_data/annotation/hedge_lexicon.csv", "stancetrack/_data/annotation/GUIDELINES.md"):
        assert required in names, required


def test_load_and_validate_from_another_directory(installed, tmp_path):
    python, env, _ = installed
    code = ("import stancetrack; ds = stancetrack.load(); report = stancetrack.validate(); "
            "assert report.valid, report; assert '_data' in str(ds.path), ds.path; "
            "assert str(ds.path).startswith(%r), ds.path; print(len(ds.stances), len(ds.predictions))" % str(env))
    result = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                            env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    stances, predictions = map(int, result.stdout.split())
    assert stances > 0 and predictions > 0


def test_cli_validates_packaged_release_and_library_refuses_to_write_it(installed, tmp_path):
    python, env, _ = installed
    command = env / "bin" / "stancetrack"
    result = subprocess.run([str(command), "validate"], cwd=tmp_path, capture_output=True, text=True,
                            env=clean_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "_data/dataset" in result.stdout
    code = ("from stancetrack.storage import write_tables; from stancetrack.resources import release_dataset_dir; "
            "from stancetrack.errors import ReadOnlyDataset\n"
            "try:\n    write_tables(release_dataset_dir(), {})\nexcept ReadOnlyDataset as exc:\n    print(exc)")
    refused = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                             env=clean_env())
    assert "read-only" in refused.stdout, refused.stdout + refused.stderr
