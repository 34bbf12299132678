"""``stancetrack annotate``: the Label Studio round trip (config, tasks, import, serve, push, pull, agreement)."""

from __future__ import annotations

import contextlib
import json
import shlex
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


suggest_option = click.option(
    "--suggest/--no-suggest", "suggest", default=True, show_default=True,
    help="Pre-annotate paragraphs that have no records yet with suggestions (model_version "
         "stancetrack-suggest-VERSION, a score per region; mentions only without spaCy).")


def _suggestion_note(suggest: bool) -> None:
    from ..annotate import suggest as suggest_lib

    if suggest and not suggest_lib.pipeline_installed():
        click.echo(f"note: {suggest_lib.MENTIONS_ONLY}", err=True)


@annotate.command()
@data_option()
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@suggest_option
def tasks(data: Path, output: Path | None, suggest: bool) -> None:
    """Label Studio tasks as JSON: one per paragraph, with its records as pre-annotations.

    Region ids are the record ids; the prediction's model_version names the dataset version. A paragraph
    with no records yet gets suggestions instead (see `annotate suggest`), as a prediction of its own.

    \b
    Example:
        stancetrack annotate tasks -o tasks.json
    """
    _suggestion_note(suggest)
    _write_or_echo(json.dumps(tasks_lib.build_tasks(data, suggest), ensure_ascii=False, indent=1) + "\n", output)


@annotate.command()
@click.argument("document_id")
@data_option()
@json_option
def suggest(document_id: str, data: Path, as_json: bool) -> None:
    """Suggest mentions and predictions for a document, as Label Studio predictions (never annotations).

    Mentions come from the actors' names and aliases; predictions are sentences with a future or conditional
    verb, « aller » + infinitive, a hedge of the hedge lexicon (with its probability) or a present of change.
    The predictions carry model_version stancetrack-suggest-VERSION and a score. Needs the suggest extra:
    pip install 'stancetrack[suggest]'. Exit 1 when the document is not in the dataset.

    \b
    Example:
        stancetrack annotate suggest marquette-2025-alaska
        stancetrack annotate suggest marquette-2025-alaska --json > suggestions.json
    """
    from ..annotate import suggest as suggest_lib
    from ..dataset import load

    ds = load(data)
    suggestions = suggest_lib.suggest(ds, document_id)
    if as_json:
        emit_json({"document_id": document_id, "model_version": suggest_lib.model_version(),
                   "suggestions": [s.to_dict() for s in suggestions],
                   "tasks": suggest_lib.document_predictions(ds, document_id, suggestions)})
        return
    frame = pd.DataFrame([{"label": s.label, "start": s.start, "end": s.end, "score": s.score,
                           "actor / modality": s.actor_id or s.modality, "cue": s.cue, "quote": s.quote}
                          for s in suggestions])
    emit_table(frame, max_width=60)


def _show_result(result: importer_lib.ImportResult, dry_run: bool, data: Path, as_json: bool) -> None:
    if as_json:
        emit_json({"written": result.written, "tasks": result.tasks, "tasks_applied": result.tasks_applied,
                   "notes": result.notes, "changes": [c.__dict__ for c in result.changes],
                   "refused_tasks": result.refused_tasks, "refused": [e.to_dict() for e in result.refused]})
        return
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.refused:
        click.echo(f"left out {len(result.refused_tasks)} refused task(s) "
                   f"({', '.join(str(t) for t in result.refused_tasks)}):", err=True)
        for error in result.refused:
            click.echo(f"  - {error}", err=True)
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
            skip_refused: bool, as_json: bool, names: dict | None = None) -> importer_lib.ImportResult:
    with _refusals(as_json):
        result = importer_lib.import_export(export, data, dry_run=dry_run, annotator=annotator,
                                            annotator_names=names, refuse_conflicts=refuse_conflicts,
                                            skip_refused=skip_refused)
    _show_result(result, dry_run, data, as_json)
    return result


import_options = [
    click.option("--dry-run", is_flag=True, help="Show what would change (as `stancetrack diff`); write nothing."),
    click.option("--annotator", help="Name recorded on new and changed stances and predictions "
                                     "(default: the Label Studio user)."),
    click.option("--refuse-conflicts", is_flag=True, help="Refuse a task whose annotations disagree."),
    click.option("--skip-refused", is_flag=True, help="Import the tasks that pass and list the refused ones with "
                                                      "their reasons (their paragraphs keep their records)."),
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
            skip_refused: bool, as_json: bool) -> None:
    """Import a Label Studio JSON export into the dataset, validated, all or nothing.

    Each annotated task is authoritative for the mentions, stances and predictions of its paragraph. Refuses,
    naming the task id and region id and writing nothing, on malformed JSON, unknown labels, actors or topics,
    a region whose text differs from the source, a missing required field, a relation or answer pointing at a
    missing region, or an offset outside the paragraph.

    \b
    Example:
        stancetrack annotate import export.json --dataset dataset --dry-run
        stancetrack annotate import export.json --dataset dataset
        stancetrack annotate import export.json --dataset dataset --skip-refused
    """
    _import(export, data, dry_run, annotator, refuse_conflicts, skip_refused, as_json)


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


def _push(client: client_lib.Client, data: Path, title: str | None, project: int | None, batch_size: int,
          overlap: int | None = None, annotators: tuple[str, ...] = (), passwords: dict | None = None,
          suggest: bool = True):
    _suggestion_note(suggest)
    with _progress("pushing tasks") as (on_total, advance):
        return client.push(data, _title(data, title), project, batch_size, progress=advance, on_total=on_total,
                           overlap=overlap, annotators=annotators, passwords=passwords, suggest=suggest)


timeout_option = click.option("--timeout", type=float, default=60.0, show_default=True,
                              help="Seconds to wait for each request.")
team_options = [
    click.option("--annotator", "annotators", multiple=True, metavar="NAME",
                 help="Create this annotator account if the server lacks it (repeat for each person): a login "
                      "name (NAME@stancetrack.local) or an e-mail; its password is generated and printed."),
    click.option("--overlap", type=click.IntRange(1), help="How many annotators each task goes to (Label "
                                                           "Studio's maximum annotations per task)."),
]


def _accounts(accounts: dict[str, str | None]) -> str:
    lines = []
    for name, password in accounts.items():
        shown = password if password is not None else "(existing account, password unchanged)"
        lines.append(f"  annotator {client_lib.account_email(name)}  password {shown}\n")
    return "".join(lines)


@annotate.command()
@click.option("--url", required=True, help="Label Studio's address, e.g. http://127.0.0.1:8080.")
@data_option()
@click.option("--title", help="Project title (default: 'stancetrack VERSION'); an existing one is reused.")
@click.option("--project", type=int, help="Push to this project id instead of finding one by title.")
@click.option("--batch-size", type=click.IntRange(1), default=100, show_default=True)
@_with(team_options)
@suggest_option
@timeout_option
def push(url: str, data: Path, title: str | None, project: int | None, batch_size: int,
         annotators: tuple[str, ...], overlap: int | None, suggest: bool, timeout: float) -> None:
    """Create (or reuse) a project on a Label Studio server and import the config and tasks.

    The token comes from LABEL_STUDIO_API_KEY. Tasks the project already has (same document and segment)
    are not imported again, so a push that failed midway can be run again; their pre-annotations are
    refreshed when the dataset changed. Paragraphs with no records yet (a document just added) are pre-annotated
    with suggestions, as predictions to accept, correct or delete. Prints the project id.

    \b
    Example:
        LABEL_STUDIO_API_KEY=... stancetrack annotate push --url http://127.0.0.1:8080
        LABEL_STUDIO_API_KEY=... stancetrack annotate push --url http://127.0.0.1:8080 \\
            --annotator alice --annotator bob --overlap 2
    """
    result = _push(client_lib.Client(url, timeout=timeout), data, title, project, batch_size, overlap, annotators,
                   suggest=suggest)
    click.echo(f"project {result.project_id} at {result.url}/projects/{result.project_id}: "
               f"{result.tasks_created} task(s) imported, {result.tasks_existing} already there"
               f"{_refreshed(result.predictions_refreshed)}", err=True)
    if result.accounts:
        click.echo(f"accounts (passwords are shown only now):\n{_accounts(result.accounts)}", err=True, nl=False)
    click.echo(result.project_id)


def _refreshed(count: int) -> str:
    return f", pre-annotations of {count} task(s) refreshed" if count else ""


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
         data: Path, dry_run: bool, annotator: str | None, refuse_conflicts: bool, skip_refused: bool,
         timeout: float, as_json: bool) -> None:
    """Export a project's annotations from Label Studio and import them into the dataset.

    With --url the token comes from LABEL_STUDIO_API_KEY; without it, from the local server that
    `stancetrack annotate serve` runs. The import follows `stancetrack annotate import`; each annotation's
    author (their Label Studio account) is recorded as its annotator. Then (unless --dry-run) the project's
    pre-annotations that no longer match the dataset are refreshed from it, so the next annotator starts from
    the current records.

    \b
    Example:
        stancetrack annotate pull --dry-run
        stancetrack annotate pull --data-dir /tmp/ls --skip-refused
        stancetrack annotate pull --url http://127.0.0.1:8080 --project 3 --dataset dataset
    """
    client, project = _server_project(url, data_dir, project, title, data, timeout)
    started = time.monotonic()
    export = client.export(project)
    if not as_json:
        click.echo(f"exported project {project} ({len(export)} tasks) in {time.monotonic() - started:.1f} s",
                   err=True)
    if save is not None:
        storage.atomic_write_bytes(save, json.dumps(export, ensure_ascii=False, indent=1).encode("utf-8"))
    _import(export, data, dry_run, annotator, refuse_conflicts, skip_refused, as_json, names=client.user_names())
    if not dry_run:  # stale pre-annotations (the dataset changed here or elsewhere) give way to its records
        count = client.refresh_predictions(project, data)
        if count and not as_json:
            click.echo(f"pre-annotations of {count} task(s) refreshed from {data}", err=True)


def _server_project(url: str | None, data_dir: Path | None, project: int | None, title: str | None, data: Path,
                    timeout: float) -> tuple[client_lib.Client, int]:
    """The Label Studio to talk to (--url, else the local one `serve` runs) and the project there."""
    if url is None:
        folder = data_dir or server_lib.default_data_dir()
        state = server_lib.Credentials.load(folder)
        if not state.url:
            raise click.UsageError(f"the local server has not been started yet: run `stancetrack annotate serve"
                                   f"{_data_dir_arg(data_dir)}`")
        client = client_lib.Client(state.url, api_key=state.token, timeout=timeout)
    else:
        client = client_lib.Client(url, timeout=timeout)
    if project is None:
        project = client.find_project(_title(data, title))
        if project is None:
            raise click.UsageError(f"no project titled {_title(data, title)!r} at {client.url}; pass --project ID")
    return client, project


def _data_dir_arg(data_dir: Path | None) -> str:
    return f" --data-dir {shlex.quote(str(data_dir))}" if data_dir is not None else ""


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
@_with(team_options)
def serve(port: int, data_dir: Path | None, data: Path, title: str | None, start_timeout: float,
          annotators: tuple[str, ...], overlap: int | None) -> None:
    """Start a local Label Studio with the project, its config and tasks: the annotator's one command.

    Runs Label Studio from its own virtual environment (install it with `bash scripts/install-label-studio.sh`)
    on 127.0.0.1 with SQLite, creates or reuses the project, prints the address and how to log in, and keeps
    running until Ctrl-C (or `kill`, or the end of the shell that started it). Pull the annotations back with
    `stancetrack annotate pull` from another shell.

    \b
    For a team, --annotator creates one account per person (the passwords are
    kept, owner-only, in the data folder) and --overlap sets how many of them
    annotate each task. Error reporting and usage analytics are off, and the
    data folder is made owner-only.

    \b
    Example:
        stancetrack annotate serve
        stancetrack annotate serve --port 8081 --data-dir /tmp/ls
        stancetrack annotate serve --annotator alice --annotator bob --overlap 2
    """
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops the server as Ctrl-C does
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, _interrupt)  # so does closing the terminal
    folder = data_dir or server_lib.default_data_dir()
    creds = server_lib.Credentials.load_or_create(folder)
    server = server_lib.LocalServer(folder, creds, port)
    click.echo(f"starting Label Studio on {server.url} (data in {folder}; the first start takes a minute or two)",
               err=True)
    try:
        _serve(server, creds, folder, data, data_dir, title, start_timeout, annotators, overlap)
    except KeyboardInterrupt:  # Ctrl-C, SIGTERM or SIGHUP, while it starts or runs: the server is stopped by now
        click.echo(f"\nLabel Studio stopped (the annotations stay in {folder})", err=True)


def _serve(server: server_lib.LocalServer, creds: server_lib.Credentials, folder: Path, data: Path,
           data_dir: Path | None, title: str | None, start_timeout: float, annotators: tuple[str, ...],
           overlap: int | None) -> None:
    with server.start(start_timeout):
        creds.url = server.url
        creds.save(folder)
        passwords = {name: creds.annotators[name] for name in annotators if name in creds.annotators}
        result = _push(client_lib.Client(server.url, api_key=creds.token), data, title, None, 100, overlap,
                       annotators, passwords)
        creds.annotators.update({name: pw for name, pw in result.accounts.items() if pw is not None})
        creds.save(folder)
        kept = {name: creds.annotators.get(name) for name in annotators}
        hint = f"stancetrack annotate pull --dataset {shlex.quote(str(data))}{_data_dir_arg(data_dir)}"
        click.echo(f"Label Studio is up after {server.started_in:.0f} s.\n\n"
                   f"  open      {server.url}/projects/{result.project_id}/data\n"
                   f"  log in    {creds.username}\n"
                   f"  password  {creds.password}\n{_accounts(kept)}\n"
                   f"Annotate, press Submit, then in another shell:\n"
                   f"  {hint}\n"
                   f"Ctrl-C stops the server (the annotations stay in {folder}).")
        while server.process is not None and server.process.poll() is None:
            time.sleep(1)
        raise click.ClickException(f"Label Studio stopped; see {server.log_path}")


@annotate.command()
@click.argument("export", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.argument("second", required=False, type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--against-data", is_flag=True, help="Compare EXPORT with the records of the dataset (--dataset).")
@click.option("--url", help="Read the annotations from this Label Studio instead of an EXPORT file "
                            "(token from LABEL_STUDIO_API_KEY).")
@click.option("--server", "from_server", is_flag=True,
              help="Read them from the local server `stancetrack annotate serve` runs.")
@click.option("--project", type=int, help="Project id (default: the project titled 'stancetrack VERSION').")
@click.option("--title", help="Find the project by this title instead.")
@click.option("--data-dir", type=click.Path(path_type=Path, file_okay=False),
              help="The local server's data folder (with --server; default: as `serve`).")
@data_option()
@click.option("--names", default=None, metavar="FIRST,SECOND",
              help="Names of the two coders when comparing two sources (default: the files' names; "
                   "'dataset' for --against-data).")
@click.option("--disagreements", "show_disagreements", is_flag=True,
              help="List the disagreements (two sources only) instead of the figures.")
@timeout_option
@json_option
def agreement(export: Path | None, second: Path | None, against_data: bool, url: str | None, from_server: bool,
              project: int | None, title: str | None, data_dir: Path | None, data: Path, names: str | None,
              show_disagreements: bool, timeout: float, as_json: bool) -> None:
    """Inter-annotator agreement: span F1 (exact and overlapping) per label, and Krippendorff's alpha on
    matched spans for actor, holder, target, polarity, intensity (ordinal), attribution, predictor and modality.

    \b
    One EXPORT: its tasks coded by two or more annotators are compared.
    --url URL or --server: the same, read from what a team produced in
    Label Studio, annotators named by their accounts.
    EXPORT SECOND: two exports of the same tasks, one annotator each,
    joined on document and segment.
    EXPORT --against-data: an export against the dataset's own records.

    \b
    Example:
        stancetrack annotate agreement export.json
        stancetrack annotate agreement annotation/passes/pass-1.json annotation/passes/pass-2.json
        stancetrack annotate agreement pass-2.json --against-data --disagreements --json
        stancetrack annotate agreement --server
        stancetrack annotate agreement --url http://127.0.0.1:8080 --project 3
    """
    from_team = url is not None or from_server
    if (export is None) != from_team or (url is not None and from_server):
        raise click.UsageError("give one of EXPORT, --url URL or --server")
    if second is not None and against_data:
        raise click.UsageError("give a SECOND export or --against-data, not both")
    two = second is not None or against_data
    if two and from_team:
        raise click.UsageError("SECOND and --against-data compare files; a server's team is compared within itself")
    if show_disagreements and not two:
        raise click.UsageError("--disagreements needs two sources: EXPORT SECOND, or EXPORT --against-data")
    if from_team:
        client, project = _server_project(url, data_dir, project, title, data, timeout)
        export, account_names = client.export_with_names(project)
        with _refusals(as_json):
            result = agreement_lib.agreement(export, account_names)
    else:
        default_names = (export.stem, second.stem if second is not None else "dataset")
        if default_names[0] == default_names[1]:
            default_names = (f"{default_names[0]}-1", f"{default_names[1]}-2")
        coder_names = tuple(n.strip() for n in names.split(",")) if names else default_names
        if len(coder_names) != 2 or not all(coder_names) or coder_names[0] == coder_names[1]:
            raise click.BadParameter("give two different names, FIRST,SECOND", param_hint="--names")
        with _refusals(as_json):
            if not two:
                result = agreement_lib.agreement(export)
            else:
                other = second if second is not None else agreement_lib.dataset_export(data, coder_names[1])
                result = agreement_lib.compare(export, other, coder_names)
    if show_disagreements:
        rows = [d.to_dict() for d in result.disagreements]
        if as_json:
            emit_json(rows)
        else:
            emit_table(pd.DataFrame([{"segment": r["segment_id"], "label": r["label"], "kind": r["kind"],
                                      "fields": ",".join(r["fields"]),
                                      "first": (r["first"] or {}).get("quote", (r["first"] or {}).get("region_id")),
                                      "second": (r["second"] or {}).get("quote")} for r in rows]))
        return
    if as_json:
        emit_json(result.to_dict())
        return
    click.echo(f"{result.tasks} task(s) coded by two or more annotators ({', '.join(result.coders)}), "
               f"{result.pairs} annotator pair(s)" + (f", {len(result.disagreements)} disagreement(s)" if two else ""))
    emit_table(pd.DataFrame(result.rows()).round(3))
    click.echo("")
    emit_table(pd.DataFrame(result.alpha_rows()).round(3))
