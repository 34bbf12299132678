"""Commands over a dataset folder: info, validate, diff, export."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Callable, Iterator

import click

from ..errors import UnsafeOutput
from ..export import FORMATS
from ..schemas import TABLES
from .options import data_option, emit_json, emit_table, json_option, lazy, one_dataset

dataset_lib = lazy("stancetrack.dataset")
diff_lib = lazy("stancetrack.diff")
export_lib = lazy("stancetrack.export")
validation = lazy("stancetrack.validation")


@click.command()
@data_option()
@json_option
def info(data: Path, as_json: bool) -> None:
    """Show the dataset's version, its documents and the row count of every table.

    \b
    Example:
        stancetrack info
        stancetrack info --dataset path/to/dataset --json
    """
    ds = dataset_lib.load(data)
    counts = {name: len(ds.table(name)) for name in TABLES}
    if as_json:
        emit_json({"path": str(data), "dataset_version": ds.version, "modified_from": ds.modified_from,
                   "schema_version": ds.manifest.get("schema_version"), "rows": counts,
                   "documents": ds.documents["document_id"].tolist()})
        return
    copy = f", a modified copy of release {ds.modified_from}" if ds.modified_from else ""
    click.echo(f"stancetrack dataset {ds.version} (schema {ds.manifest.get('schema_version')}{copy}) at {data}")
    for _, doc in ds.documents.iterrows():
        window = f"{doc['published_earliest']:%Y-%m-%d}..{doc['published_latest']:%Y-%m-%d}"
        click.echo(f"  {doc['document_id']}: {doc['title']} — {doc['author']} ({doc['language']}, {window})")
    for name, n in counts.items():
        click.echo(f"  {name:<12} {n:>6} rows")


#: Tables with at least this many rows get a progress bar while they are validated.
PROGRESS_ROWS = 200_000


@contextlib.contextmanager
def validation_progress() -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback drawing a bar on standard error for each large table; None when not on a terminal."""
    stream = sys.stderr
    if not stream.isatty():
        yield None
        return
    bars: dict[str, click.progressbar] = {}

    def progress(table: str, done: int, total: int) -> None:
        if total < PROGRESS_ROWS:
            return
        if table not in bars:
            bars[table] = click.progressbar(length=total, label=f"validating {table}", file=stream, show_pos=True)
            bars[table].__enter__()
        bars[table].update(done - bars[table].pos)

    try:
        yield progress
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)


@click.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False))
@data_option()
@json_option
@click.pass_context
def validate(ctx: click.Context, directory: Path | None, data: Path, as_json: bool) -> None:
    """Check a dataset in every layer; exit 1 if any problem is found.

    Checks each row against its table's JSON Schema, unique keys, references between tables, every span
    against the source text (quote == text[start:end]) and the files against manifest.json. Every problem
    is listed with its table, row, id, field and error code. Tables are read in record batches; large ones
    show a progress bar on a terminal.

    \b
    Example:
        stancetrack validate
        stancetrack validate --dataset path/to/dataset --json
    """
    folder = one_dataset(ctx, directory, data)
    with validation_progress() as progress:
        report = validation.validate(folder, progress=progress)
    if as_json:
        click.echo(report.to_json())
    elif report.valid:
        click.echo(f"valid: {folder} ({len(report.tables_checked)} tables, no errors)")
    else:
        frame = report.to_frame()
        emit_table(frame[["table", "row", "id", "field", "code", "message"]], max_width=70)
        click.echo(f"\n{len(report.errors)} problem(s) in {folder}", err=True)
    raise SystemExit(0 if report.valid else 1)


@click.command()
@click.argument("old_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.argument("new_dir", required=False, type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("--table", "tables", multiple=True, type=click.Choice(TABLES), help="Only these tables.")
@data_option()
@json_option
@click.pass_context
def diff(ctx: click.Context, old_dir: Path, new_dir: Path | None, tables: tuple[str, ...], data: Path,
         as_json: bool) -> None:
    """Rows added, removed and changed from dataset OLD_DIR to the dataset (NEW_DIR, or --dataset), by id and column.

    \b
    Example:
        stancetrack diff old/dataset
        stancetrack diff old/dataset --dataset dataset --table stances --json
    """
    result = diff_lib.diff(old_dir, one_dataset(ctx, new_dir, data), tables or TABLES)
    if as_json:
        emit_json([c.__dict__ for c in result.changes])
    elif result.empty:
        click.echo("no differences")
    else:
        emit_table(result.to_frame(), max_width=50)


@click.command()
@click.argument("table", type=click.Choice(TABLES))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              help="Write to FILE (atomically): a new file or a regular one, outside the dataset folder.")
@data_option()
def export(table: str, fmt: str, output: Path | None, data: Path) -> None:
    """Export one table as CSV or JSON Lines (to standard output, or -o FILE).

    \b
    Example:
        stancetrack export stances --format csv -o stances.csv
        stancetrack export predictions --format jsonl
    """
    if output is None:
        click.echo(export_lib.export_text(data, table, fmt), nl=False)
        return
    try:
        export_lib.check_output(output, data)
    except UnsafeOutput as exc:
        raise click.BadParameter(str(exc), param_hint="'-o' / '--output'") from None
    export_lib.export_table(data, table, fmt, output)
    click.echo(f"wrote {output}", err=True)
