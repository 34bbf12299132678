"""Every derived metadata file, generated from the JSON Schemas, schema/dataset.json, the manifest and the data.

In the dataset folder (rewritten by the writer after each write, and shipped in the wheel):
    croissant.json     MLCommons Croissant 1.0
    datapackage.json   Frictionless Data Package
    README.md          Hugging Face card: one config per table, composition

Beside it, in a checkout (rewritten by ``stancetrack metadata``):
    DATASET.md         the dataset card: YAML front matter and the generated blocks (composition, fields)
    README.md          the table and column reference, after ``<!-- README:reference -->``

None of these files is a table: the manifest does not list them. The writer commits the dataset folder's ones
together with the tables and the manifest (:func:`derived_files`); ``stancetrack validate`` checks that the
hashes they record are the manifest's. ``generate`` returns the bytes each should hold; ``stale`` the ones that
differ on disk; ``regenerate`` writes those (the dataset folder's under its lock, each atomically).
"""

from __future__ import annotations

import json
from pathlib import Path
import contextlib
from typing import Any

import pyarrow as pa

from ..errors import MetadataNotRenewed
from ..storage import Derive, atomic_write_bytes, is_dataset, locked, recover
from . import cards
from .croissant import croissant
from .frictionless import datapackage
from .sources import Sources

__all__ = ["DATASET_FILES", "MetadataNotRenewed", "derived_files", "generate", "recorded_hashes", "regenerate",
           "stale"]

DATASET_FILES = ("croissant.json", "datapackage.json", "README.md")
CARD = "DATASET.md"
README = "README.md"
README_ANCHOR = "<!-- README:reference -->"


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _folder_card(src: Sources) -> str:
    record = src.record
    body = (f"# {record['title']}\n\n{record['description']}\n\n"
            "This folder is the release: one Parquet file per table, `manifest.json` (version, SHA-256 and row "
            "count of every file), `croissant.json` (MLCommons Croissant 1.0) and `datapackage.json` (Frictionless "
            "Data Package). Every offset points into a document's text, held in the `text` column of `documents.parquet`. The full dataset card is "
            "`DATASET.md` in the stancetrack repository.\n\n"
            "```python\nfrom datasets import load_dataset\nstances = load_dataset(\"path/to/dataset\", \"stances\")"
            "[\"train\"]\n```\n\n"
            f"## Composition\n\n{cards.composition(src)}\n")
    return cards.front_matter(src, "") + "\n" + body


def dataset_files(dataset: Path, tables: dict[str, pa.Table] | None = None, manifest: dict[str, Any] | None = None,
                  files: dict[str, Path] | None = None) -> dict[Path, bytes]:
    """The derived files of a dataset folder, with the bytes each should hold. For the version a writer is
    committing: ``tables`` (the ones it holds), its ``manifest`` and the Parquet ``files`` of its tables."""
    folder = Path(dataset)
    src = Sources(folder, tables, manifest, files)
    return {
        folder / "croissant.json": _json(croissant(src)),
        folder / "datapackage.json": _json(datapackage(src)),
        folder / "README.md": _folder_card(src).encode("utf-8"),
    }


def checkout_files(dataset: Path) -> dict[Path, bytes]:
    """DATASET.md and README.md beside ``dataset``, where they exist, with their generated parts renewed."""
    folder = Path(dataset)
    root = folder.parent
    src = Sources(folder)
    out: dict[Path, bytes] = {}
    card = root / CARD
    if card.is_file():
        text = cards.replace_front_matter(card.read_text(encoding="utf-8"), cards.front_matter(src, f"{folder.name}/"))
        text = cards.put_block(text, "composition", cards.composition(src))
        text = cards.put_block(text, "fields", cards.field_reference("####"))
        text = cards.put_block(text, "rights", cards.rights(src))
        text = cards.put_block(text, "citation", cards.citation(src))
        out[card] = text.encode("utf-8")
    readme = root / README
    if readme.is_file() and README_ANCHOR in (current := readme.read_text(encoding="utf-8")):
        out[readme] = cards.put_block(current, "reference", _readme_reference(), anchor=README_ANCHOR).encode("utf-8")
    return out


def _readme_reference() -> str:
    return ("## Tables and columns\n\n"
            "Generated from `schema/*.schema.json` by `stancetrack metadata` (a test fails when it drifts). The same "
            "descriptions are in `dataset/croissant.json` (Croissant), `dataset/datapackage.json` (Frictionless) and "
            "the dataset card [DATASET.md](DATASET.md).\n\n" + cards.field_reference("###"))


def generate(dataset: Path, checkout: bool = True, tables: dict[str, pa.Table] | None = None) -> dict[Path, bytes]:
    """Every derived file of ``dataset`` (and, with ``checkout``, of the checkout around it)."""
    files = dataset_files(dataset, tables)
    if checkout:
        files.update(checkout_files(dataset))
    return files


def _differing(files: dict[Path, bytes]) -> dict[Path, bytes]:
    return {path: data for path, data in files.items() if not path.is_file() or path.read_bytes() != data}


def stale(dataset: Path, checkout: bool = True) -> list[Path]:
    """The derived files whose content on disk differs from a fresh generation (missing ones included)."""
    return list(_differing(generate(dataset, checkout)))


def regenerate(dataset: Path, checkout: bool = True) -> list[Path]:
    """Rewrite the derived files that differ from a fresh generation; return them.

    The dataset folder's files are written under its lock, so that no commit runs meanwhile.
    """
    folder = Path(dataset)
    with locked(folder) if is_dataset(folder) else contextlib.nullcontext():
        if is_dataset(folder):
            recover(folder)
        changed = _differing(generate(folder, checkout))
        for path, data in changed.items():
            atomic_write_bytes(path, data)
    return list(changed)


def recorded_hashes(dataset: Path) -> dict[str, dict[str, str] | str]:
    """The SHA-256 of each table file that croissant.json and datapackage.json of a folder record.

    ``{"croissant.json": {"stances.parquet": "…", …}, …}``; a file that cannot be read maps to the reason, an
    absent one is left out.
    """
    folder = Path(dataset)
    found: dict[str, dict[str, str] | str] = {}
    for name, items, file_key, hash_of in (
            ("croissant.json", "distribution", "name", lambda item: item.get("sha256")),
            ("datapackage.json", "resources", "path",
             lambda item: str(item.get("hash", "")).removeprefix("sha256:") or None)):
        path = folder / name
        if not path.is_file():
            continue
        try:
            document = json.loads(path.read_bytes().decode("utf-8"))
            found[name] = {item[file_key]: hash_of(item) for item in document[items]
                           if isinstance(item, dict) and str(item.get(file_key, "")).endswith(".parquet")}
        except (OSError, UnicodeDecodeError, ValueError, RecursionError, KeyError, TypeError) as exc:
            found[name] = f"{name} cannot be read: {type(exc).__name__}"
    return found


def derived_files(dataset: Path, tables: dict[str, pa.Table]) -> Derive:
    """The writer's hook: the dataset folder's metadata files of the version being committed (name -> bytes),
    made from the tables the writer holds (none is read back)."""
    def derive(manifest: dict[str, Any], files: dict[str, Path]) -> dict[str, bytes]:
        try:
            return {path.name: data for path, data in dataset_files(dataset, tables, manifest, files).items()}
        except (OSError, ValueError, KeyError) as exc:
            raise MetadataNotRenewed(f"the metadata of {dataset} could not be generated "
                                     f"({type(exc).__name__}: {exc}), so nothing was written; fix that and "
                                     f"try again") from exc
    return derive
