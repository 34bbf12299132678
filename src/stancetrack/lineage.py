"""Which release a dataset folder is a modified copy of: the rule the writer records and the loader reports.

A folder whose manifest names the ``dataset_version`` of the release shipped in this package, but whose tables
differ from that release's (their SHA-256 in the two manifests), is a modified copy of it. The writer records
the release in the manifest as ``derived_from`` when a commit gives such a folder new content, and keeps it on
later commits; a commit that names its own ``dataset_version`` (a new release being built, or a version of
one's own) records none. The release's own folder is never a copy of itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from .errors import DatasetNotFound
from .resources import release_dataset_dir


def modified_release(folder: Path, version: str | None, tables: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The version of the packaged release that ``folder`` (at ``version``, with these manifest ``tables``
    entries) is a modified copy of, by the hashes; None when it is not one."""
    from .storage import read_manifest  # the storage layer records what this module decides

    try:
        release_dir = release_dataset_dir()
        if Path(folder).resolve() == release_dir.resolve():
            return None
        release = read_manifest(release_dir)
    except DatasetNotFound:
        return None
    if version is None or version != release.get("dataset_version"):
        return None
    sums = {name: entry.get("sha256") for name, entry in tables.items()}
    return None if sums == {name: entry.get("sha256") for name, entry in release["tables"].items()} else version


def derived_from(folder: Path, before: Mapping[str, Any], dataset_version: str | None,
                 tables: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """The ``derived_from`` entry of the manifest a commit writes (``{}`` when there is none to record).

    ``before`` is the folder's manifest before the commit, ``dataset_version`` the version the commit names (None:
    it keeps the folder's), ``tables`` the new manifest's table entries.
    """
    if dataset_version is not None:
        return {}
    release = before.get("derived_from") or modified_release(folder, before.get("dataset_version"), tables)
    return {"derived_from": release} if release else {}
