"""``stancetrack annotate``: the Label Studio round trip (config, tasks, import, serve, push, pull, agreement)."""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any, Iterator

import click

from ..errors import RefusedImport
from .options import data_option, emit_json, emit_table, json_option, lazy, progress_enabled

pd = lazy("pandas")
client_lib = lazy("stancetrack.annotate.client")
config_lib = lazy("stancetrack.annotate.config")
importer_lib = lazy("stancetrack.annotate.importer")
server_lib = lazy("stancetrack.annotate.server")
agreement_lib = lazy("stancetrack.annotate.agreement")
tasks_lib = lazy("stancetrack.annotate.tasks")
diff_lib = lazy("stancetrack.diff")
storage = lazy("stancetrack.storage")

SEVERAL = """\b
Several annotations of one task: cancelled ones are ignored; one marked ground
truth wins; otherwise the most recently updated one does. --refuse-conflicts
refuses the import instead when they give different records."""


@click.group()
def annotate() -> None:
    """The Label Studio round trip: annotate paragraphs, bring the records back validated.

    \b
    Example:
        stancetrack annotate serve          # the annotator's one command
        stancetrack annotate pull           # in another shell, when done
    """


def _write_or_echo(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        storage.atomic_write_bytes(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)


@annotate.command()
@data_option()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--check", is_flag=True, help="Exit 1 if annotation/labeling_config.xml differs from the config.")
def config(data: Path, output: Path | None, check: bool) -> None:
    """Print the labeling config generated from the actors and topics registries.

    Labels ACTOR, STANCE and PREDICTION, with a per-region field for every field of a mention, stance and
    prediction. Checked with label_studio_sdk's LabelInterface when the SDK is installed.

    \b
    Example:
        stancetrack annotate config -o annotation/labeling_config.xml
        stancetrack annotate config --check
    """
    text = config_lib.config_for_dataset(data)
    if config_lib.sdk_available():
        config_lib.validate_config(text)
    if check:
        committed = config_lib.committed_config_path()
        if not committed.is_file() or committed.read_text(encoding="utf-8") != text:
            click.echo(f"{committed} differs from the generated config; regenerate it with "
                       f"`stancetrack annotate config -o {committed}`", err=True)
            raise SystemExit(1)
        click.echo(f"{committed} is up to date")
        return
    _write_or_echo(text, output)


@annotate.command()
@data_option()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
def tasks(data: Path, output: Path | None) -> None:
    """Label Studio tasks as JSON: one per paragraph, with its records as pre-annotations.

    Region ids are the record ids; the prediction's model_version names the dataset version.

    \b
    Example:
        stancetrack annotate tasks -o tasks.json
    """
    _write_or_echo(json.dumps(tasks_lib.build_tasks(data), ensure_ascii=False, indent=1) + "\n", output)


def _show_result(result: importer_lib.ImportResult, dry_run: bool, data: Path, as_json: bool) -> None:
    if as_json:
        emit_json({"written": result.written, "tasks": result.tasks, "tasks_applied": result.tasks_applied,
                   "notes": result.notes, "changes": [c.__dict__ for c in result.changes]})
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.empty:
        click.echo(f"no changes ({result.tasks_applied} of {result.tasks} tasks annotated)")
        return
    emit_table(diff_lib.Diff(result.changes).to_frame(), max_width=50)
    verb = "would change" if dry_run else "changed"
    click.echo(f"\n{verb} {len({(c.table, c.id) for c in result.changes})} record(s) in {data} "
               f"from {result.tasks_applied} annotated task(s)", err=True)


@contextlib.contextmanager
def _refusals(as_json: bool) -> Iterator[None]:
    try:
        yield
    except RefusedImport as exc:
        if as_json:
            emit_json({"written": False, "errors": [e.to_dict() for e in exc.errors]})
        else:
            for error in exc.errors:
                click.echo(f"  - {error}", err=True)
            click.echo(f"refused: {len(exc.errors)} problem(s); nothing was written", err=True)
        raise SystemExit(1) from None


def _import(export: Any, data: Path, dry_run: bool, annotator: str | None, refuse_conflicts: bool,
            as_json: bool, names: dict | None = None) -> None:
    with _refusals(as_json):
        result = importer_lib.import_export(export, data, dry_run=dry_run, annotator=annotator,
                                            annotator_names=names, refuse_conflicts=refuse_conflicts)
    _show_result(result, dry_run, data, as_json)


import_options = [
    click.option("--dry-run", is_flag=True, help="Show what would change (as `stancetrack diff`); write nothing."),
    click.option("--annotator", help="Name recorded on new and changed stances and predictions "
                                     "(default: the Label Studio user)."),
    click.option("--refuse-conflicts", is_flag=True, help="Refuse a task whose annotations disagree."),
]


def _with(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


@annotate.command("import", epilog=SEVERAL)
@click.argument("export", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@data_option(writes=True)
@_with(import_options)
@json_option
def import_(export: Path, data: Path, dry_run: bool, annotator: str | None, refuse_conflicts: bool,
            as_json: bool) -> None:
    """Import a Label Studio JSON export into the dataset, validated, all or nothing.

    Each annotated task is authoritative for the mentions, stances and predictions of its paragraph. Refuses,
    naming the task id and region id and writing nothing, on malformed JSON, unknown labels, actors or topics,
    a region whose text differs from the source, a missing required field, a relation or answer pointing at a
    missing region, or an offset outside the paragraph.

    \b
    Example:
        stancetrack annotate import export.json --dataset dataset --dry-run
        stancetrack annotate import export.json --dataset dataset
    """
    _import(export, data, dry_run, annotator, refuse_conflicts, as_json)


@contextlib.contextmanager
def _progress(label: str) -> Iterator[tuple]:
    bars: list = []

    def on_total(total: int) -> None:
        if progress_enabled() and total:
            bars.append(click.progressbar(length=total, label=label, file=sys.stderr))
            bars[0].__enter__()

    def advance(count: int) -> None:
        if bars:
            bars[0].update(count)

    try:
        yield on_total, advance
    finally:
        if bars:
            bars[0].__exit__(None, None, None)


def _title(data: Path, title: str | None) -> str:
    return title or f"stancetrack {storage.read_manifest(data).get('dataset_version', 'dataset')}"


def _push(client: client_lib.Client, data: Path, title: str | None, project: int | None, batch_size: int):
    with _progress("pushing tasks") as (on_total, advance):
        return client.push(data, _title(data, title), project, batch_size, progress=advance, on_total=on_total)


timeout_option = click.option("--timeout", type=float, default=60.0, show_default=True,
                              help="Seconds to wait for each request.")


@annotate.command()
@click.option("--url", required=True, help="Label Studio's address, e.g. http://127.0.0.1:8080.")
@data_option()
@click.option("--title", help="Project title (default: 'stancetrack VERSION'); an existing one is reused.")
@click.option("--project", type=int, help="Push to this project id instead of finding one by title.")
@click.option("--batch-size", type=click.IntRange(1), default=100, show_default=True)
@timeout_option
def push(url: str, data: Path, title: str | None, project: int | None, batch_size: int, timeout: float) -> None:
    """Create (or reuse) a project on a Label Studio server and import the config and tasks.

    The token comes from LABEL_STUDIO_API_KEY. Tasks the project already has (same document and segment)
    are not imported again, so a push that failed midway can be run again. Prints the project id.

    \b
    Example:
        LABEL_STUDIO_API_KEY=... stancetrack annotate push --url http://127.0.0.1:8080
    """
    result = _push(client_lib.Client(url, timeout=timeout), data, title, project, batch_size)
    click.echo(f"project {result.project_id} at {result.url}/projects/{result.project_id}: "
               f"{result.tasks_created} task(s) imported, {result.tasks_existing} already there", err=True)
    click.echo(result.project_id)


@annotate.command(epilog=SEVERAL)
@click.option("--url", help="Label Studio's address (default: the one `stancetrack annotate serve` runs).")
@click.option("--project", type=int, help="Project id (default: the project titled 'stancetrack VERSION').")
@click.option("--title", help="Find the project by this title instead.")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The local server's data folder (with no --url; default: as `serve`).")
@click.option("--save", type=click.Path(path_type=Path, dir_okay=False), help="Also keep the export in FILE.")
@data_option(writes=True)
@_with(import_options)
@timeout_option
@json_option
def pull(url: str | None, project: int | None, title: str | None, data_dir: Path | None, save: Path | None,
         data: Path, dry_run: bool, annotator: str | None, refuse_conflicts: bool, timeout: float,
         as_json: bool) -> None:
    """Export a project's annotations from Label Studio and import them into the dataset.

    With --url the token comes from LABEL_STUDIO_API_KEY; without it, from the local server that
    `stancetrack annotate serve` runs. The import follows `stancetrack annotate import`.

    \b
    Example:
        stancetrack annotate pull --dry-run
        stancetrack annotate pull --url http://127.0.0.1:8080 --project 3 --dataset dataset
    """
    if url is None:
        state = server_lib.Credentials.load(data_dir or server_lib.default_data_dir())
        if not state.url:
            raise click.UsageError("the local server has not been started yet: run `stancetrack annotate serve`")
        client = client_lib.Client(state.url, api_key=state.token, timeout=timeout)
    else:
        client = client_lib.Client(url, timeout=timeout)
    if project is None:
        project = client.find_project(_title(data, title))
        if project is None:
            raise click.UsageError(f"no project titled {_title(data, title)!r} at {client.url}; pass --project ID")
    started = time.monotonic()
    export = client.export(project)
    if not as_json:
        click.echo(f"exported project {project} ({len(export)} tasks) in {time.monotonic() - started:.1f} s",
                   err=True)
    if save is not None:
        storage.atomic_write_bytes(save, json.dumps(export, ensure_ascii=False, indent=1).encode("utf-8"))
    _import(export, data, dry_run, annotator, refuse_conflicts, as_json, names=client.user_names())


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


@annotate.command()
@click.option("--port", type=int, default=8080, show_default=True)
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Label Studio's data folder (default: $STANCETRACK_LABEL_STUDIO_DATA, else "
                   "~/.local/share/stancetrack/label-studio).")
@data_option()
@click.option("--title", help="Project title (default: 'stancetrack VERSION').")
@click.option("--start-timeout", type=float, default=240.0, show_default=True,
              help="Seconds to wait for Label Studio to come up.")
def serve(port: int, data_dir: Path | None, data: Path, title: str | None, start_timeout: float) -> None:
    """Start a local Label Studio with the project, its config and tasks: the annotator's one command.

    Runs Label Studio from its own virtual environment (install it with `bash scripts/install-label-studio.sh`)
    on 127.0.0.1 with SQLite, creates or reuses the project, prints the address and how to log in, and keeps
    running until Ctrl-C. Pull the annotations back with `stancetrack annotate pull` from another shell.

    \b
    Example:
        stancetrack annotate serve
        stancetrack annotate serve --port 8081 --data-dir /tmp/ls
    """
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server as Ctrl-C does
    folder = data_dir or server_lib.default_data_dir()
    creds = server_lib.Credentials.load_or_create(folder)
    server = server_lib.LocalServer(folder, creds, port)
    click.echo(f"starting Label Studio on {server.url} (data in {folder}; the first start takes a minute or two)",
               err=True)
    with server.start(start_timeout):
        creds.url = server.url
        creds.save(folder)
        result = _push(client_lib.Client(server.url, api_key=creds.token), data, title, None, 100)
        click.echo(f"Label Studio is up after {server.started_in:.0f} s.\n\n"
                   f"  open      {server.url}/projects/{result.project_id}/data\n"
                   f"  log in    {creds.username}\n"
                   f"  password  {creds.password}\n\n"
                   f"Annotate, press Submit, then in another shell:\n"
                   f"  stancetrack annotate pull --dataset {data}\n"
                   f"Ctrl-C stops the server (the annotations stay in {folder}).")
        try:
            while server.process is not None and server.process.poll() is None:
                time.sleep(1)
        except KeyboardInterrupt:
            click.echo("\nstopping Label Studio", err=True)
        else:
            raise click.ClickException(f"Label Studio stopped; see {server.log_path}")


@annotate.command()
@click.argument("export", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@json_option
def agreement(export: Path, as_json: bool) -> None:
    """Inter-annotator agreement on tasks with two or more annotators.

    Span F1 (exact and overlapping) per label, and Krippendorff's alpha (nominal) on polarity, attribution
    and modality of matched spans.

    \b
    Example:
        stancetrack annotate agreement export.json
        stancetrack annotate agreement export.json --json
    """
    with _refusals(as_json):
        result = agreement_lib.agreement(export)
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"{result.tasks} task(s) with two or more annotators, {result.pairs} annotator pair(s)")
    emit_table(pd.DataFrame(result.rows()).round(3))
    click.echo("")
    emit_table(pd.DataFrame(result.to_dict()["alpha"]).round(3))
