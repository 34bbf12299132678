"""Where the release's files live: inside the installed package, or in the checkout it was installed from.

A wheel carries seeds/, schema/, dataset/ and annotation/ under ``stancetrack/_data``; an editable install
or a plain checkout reads them from the repository root. Everything else asks this module.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

RELEASE_DIRS = ("seeds", "schema", "dataset", "annotation")


@lru_cache(maxsize=1)
def release_root() -> Path:
    """The folder holding seeds/, schema/, dataset/ and annotation/ of the release this package ships."""
    packaged = Path(str(files("stancetrack"))) / "_data"
    if (packaged / "schema").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "schema").is_dir():
        return checkout
    raise FileNotFoundError(
        "stancetrack cannot find its data: neither the wheel's stancetrack/_data nor a source checkout. "
        "Reinstall with `pip install stancetrack`."
    )


def schema_dir() -> Path:
    return release_root() / "schema"


def release_dataset_dir() -> Path:
    return release_root() / "dataset"


def annotation_dir() -> Path:
    return release_root() / "annotation"


def is_packaged_release(path: Path) -> bool:
    """True for the dataset inside an installed wheel, which is read-only."""
    return Path(path).resolve() == (Path(str(files("stancetrack"))) / "_data" / "dataset").resolve()


def find_checkout_dataset(start: Path | None = None) -> Path | None:
    """The dataset/ of the stancetrack checkout containing ``start`` (default: the working directory)."""
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "dataset" / "manifest.json").is_file() and (folder / "schema").is_dir():
            return folder / "dataset"
    return None


def default_dataset_dir() -> Path:
    """The dataset a command works on when none is named: the current checkout's, else the packaged release."""
    return find_checkout_dataset() or release_dataset_dir()
