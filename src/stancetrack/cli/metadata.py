"""``stancetrack metadata``: regenerate (or check) every file derived from the schemas and the data."""

from __future__ import annotations

from pathlib import Path

import click

from ..resources import is_packaged_release
from .options import data_option, lazy

metadata_lib = lazy("stancetrack.metadata")


@click.command()
@data_option()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 and list the files that differ from a fresh "
                                            "generation.")
def metadata(data: Path, check: bool) -> None:
    """Regenerate the metadata derived from the JSON Schemas and the data.

    In the dataset folder: croissant.json (Croissant 1.0), datapackage.json (Frictionless) and README.md (the
    Hugging Face card with one config per table). Beside it, in a checkout: DATASET.md's front matter and
    generated blocks, and the README's table and column reference. Run it after changing a schema,
    schema/dataset.json or the card's data; the library's writer already renews the dataset folder's files.

    \b
    Example:
        stancetrack metadata
        stancetrack metadata --check
        stancetrack metadata --dataset path/to/dataset
    """
    root = data.resolve().parent
    if check:
        stale = metadata_lib.stale(data)
        for path in stale:
            click.echo(_shown(path, root))
        if stale:
            click.echo(f"{len(stale)} file(s) differ from a fresh generation: run `stancetrack metadata`", err=True)
        else:
            click.echo("metadata up to date", err=True)
        raise SystemExit(1 if stale else 0)
    if is_packaged_release(data):
        raise click.UsageError("the packaged release is read-only: copy it and pass --dataset DIR, or use --check")
    changed = metadata_lib.regenerate(data)
    for path in changed:
        click.echo(f"wrote {_shown(path, root)}")
    if not changed:
        click.echo("metadata up to date", err=True)


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:
        return str(path)
