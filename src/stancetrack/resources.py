"""Where the release's files live: inside the installed package, or in the checkout it was installed from.

A wheel carries seeds/, schema/, dataset/ and annotation/ under ``stancetrack/_data``; an editable install
or a plain checkout reads them from the repository root. Everything else asks this module.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from .errors import DatasetNotFound

@lru_cache(maxsize=1)
def release_root() -> Path:
    """The folder holding seeds/, schema/, dataset/ and annotation/ of the release this package ships."""
    packaged = Path(str(files("stancetrack"))) / "_data"
    if (packaged / "schema").is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "schema").is_dir():
        return checkout
    raise DatasetNotFound(
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


def dataset_path(dataset: str | Path | None = None) -> Path:
    """The dataset folder every function and command works on, resolved one way everywhere.

    ``dataset`` when given; else the ``dataset/`` of the stancetrack checkout containing the working directory;
    else the release shipped in the package (read-only).
    """
    if dataset is not None:
        return Path(dataset)
    return find_checkout_dataset() or release_dataset_dir()
