"""Commands that check predictions against what happened: resolve, score, report."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..errors import InvalidOutcome
from ..outcomes import (CLAUSED, EVIDENCE_FIELDS, EVIDENCED, MAX_EVIDENCE_BYTES, STATUSES, read_evidence,
                        resolve as resolve_prediction)
from .options import data_option, emit_json, emit_table, json_option, lazy

if TYPE_CHECKING:
    from ..scoring import Scorecard

pd = lazy("pandas")
scoring = lazy("stancetrack.scoring")
due_lib = lazy("stancetrack.overdue")

as_of_option = click.option("--as-of", "as_of", metavar="DATE", default=None,
                            help="Score with the outcomes known on this day (YYYY-MM-DD; default: today).")


def _item_options(command):
    """One option per field of an evidence item (read from the schema): ``--brief``, ``--item``, ``--quote``..."""
    helps = {"brief": "File name of the evidence brief under annotation/evidence/ (e.g. outcomes-brief-2026-11.md): "
                      "gives one evidence item from the options below, added to those of --evidence.",
             "quote": "A passage of the brief, verbatim (it must be found in the brief).",
             "summary": "What the source says, in your own words (when the brief quotes nothing that fits).",
             "item": "The brief's label of the item (e.g. A1, B7; default: null).",
             "published": "The source's publication date as the brief gives it (YYYY-MM-DD; default: null)."}
    for name in reversed(EVIDENCE_FIELDS):
        command = click.option(f"--{name}", f"item_{name}", default=None, metavar="TEXT",
                               help=helps.get(name, f"The item's {name}, as the brief gives it (default: null)."))(
            command)
    return command


@click.command()
@click.argument("prediction_id")
@click.option("--status", required=True, type=click.Choice(STATUSES),
              help="The verdict (see the codebook's outcomes section).")
@click.option("--as-of", "as_of", required=True, metavar="DATE", help="The day the evidence reaches (YYYY-MM-DD).")
@click.option("--rationale", required=True,
              help="What was checked, against which clause, on which evidence items, and why the status follows.")
@click.option("--deciding-clause", "deciding_clause", default=None, metavar="TEXT",
              help=f"The clause of the prediction's resolution criteria that decided the verdict (required for "
                   f"{', '.join(sorted(CLAUSED))}).")
@click.option("--evidence", "evidence_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help=f"JSON file: a list of evidence items {{{', '.join(EVIDENCE_FIELDS)}}}; unknown values are null. "
                   f"{', '.join(sorted(EVIDENCED))} need at least one item with a verbatim quote. At most "
                   f"{MAX_EVIDENCE_BYTES:,} bytes.")
@_item_options
@click.option("--evidence-dir", "evidence_dir", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=None, help="Folder of the evidence briefs (default: annotation/evidence/ beside the dataset).")
@click.option("--condition-met", "condition_met", type=click.Choice(["true", "false"]), default=None,
              help="Only for a prediction with a condition: whether it happened (annulled implies false).")
@click.option("--resolver", default=None, help="Who records the check (default: your login name).")
@data_option(writes=True)
def resolve(prediction_id: str, status: str, as_of: str, rationale: str, deciding_clause: str | None,
            evidence_file: Path | None, evidence_dir: Path | None, condition_met: str | None,
            resolver: str | None, data: Path, **item: str | None) -> None:
    """Append one check of a prediction to the outcomes log (nothing is written if anything is wrong).

    The log is append-only: a later check supersedes an earlier one from its own --as-of day on. Evidence
    comes from a JSON file (--evidence), from the item options (--brief with --item, --quote, --summary,
    ...), or both.

    \b
    Example:
        stancetrack resolve pr-0011 --status false --as-of 2026-11-30 \\
            --deciding-clause "FALSE: nothing agreed by both by 2025-12-31" \\
            --rationale "FALSE clause met: no agreement by both governments (A4, B2)." \\
            --brief outcomes-brief-2026-03.md --item 4 --publisher "BBC News" \\
            --quote "there is no deal. No ceasefire. Nothing tangible to report." \\
            --resolver jdoe --dataset dataset
    """
    evidence = []
    if evidence_file is not None:
        evidence = read_evidence(evidence_file)
        if not isinstance(evidence, list):
            raise InvalidOutcome(f"{evidence_file} holds a {type(evidence).__name__}, not a list of evidence items")
    given = {name[len("item_"):]: value for name, value in item.items()}
    if any(value is not None for value in given.values()):
        if given["brief"] is None:
            raise click.UsageError("--brief names the evidence brief the item options describe")
        evidence = [*evidence, given]
    met = None if condition_met is None else condition_met == "true"
    row = resolve_prediction(data, prediction_id, status, as_of, rationale, evidence, resolver, met,
                             deciding_clause, evidence_dir=evidence_dir)
    click.echo(f"recorded {row['outcome_id']}: {row['prediction_id']} {row['status']} as of {row['as_of']} "
               f"({len(row['evidence'])} evidence item(s)) in {data}")


def _rounded(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        out[column] = out[column].map(lambda v: round(v, digits) if isinstance(v, float) and v == v else v)
    return out


def _number(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or value != value else f"{value:.{digits}f}"


def _range(low: float | None, high: float | None) -> str:
    return "" if low is None or low != low else f"[{_number(low)}, {_number(high)}]"


def score_lines(rows: list[dict], label: str) -> pd.DataFrame:
    """One line per group: n scored, each score with its bootstrap interval and its lexicon bounds."""
    def bounds(low: float | None, high: float | None) -> str:
        return "" if low is None or low != low else f"{_number(low)} / {_number(high)}"

    return pd.DataFrame([{
        label: row["label"], "n": row["n_scored"],
        "Brier": _number(row["brier"]), "Brier 95% CI": _range(row["brier_low"], row["brier_high"]),
        "Brier, cues low / high": bounds(row["brier_lexicon_low"], row["brier_lexicon_high"]),
        "log": _number(row["log_score"]), "log 95% CI": _range(row["log_low"], row["log_high"]),
        "log, cues low / high": bounds(row["log_lexicon_low"], row["log_lexicon_high"])} for row in rows])


def print_scorecard(card: Scorecard) -> None:
    info = card.to_dict()["interval"]
    counts = ", ".join(f"{status} {n}" for status, n in card.counts.items() if status != "total")
    click.echo(f"stancetrack score — dataset {card.dataset_version}, as of {card.as_of}")
    click.echo(f"predictions: {card.counts['total']} ({counts})")
    click.echo(f"scored (resolved true or false): {card.n_scored}; the other statuses are counted, not scored")
    for note in card.notes:
        click.echo(f"note: {note}")
    for warning in card.warnings:
        click.echo(f"warning: {warning}")
    click.echo(f"\nscores by predictor and overall: Brier (lower is better) and log score (mean ln p(outcome), "
               f"higher is better),\neach with its {info['level']:.0%} bootstrap interval ({info['resamples']} "
               f"resamples, seed {info['seed']}) and its value with every\nhedge cue at its lexicon low / high "
               f"bound; always saying 0.5 scores Brier 0.250, log -0.693")
    rows = [{**row, "label": row["name"]} for row in card.by_predictor.to_dict("records")]
    rows.append({**card.overall, "label": "all predictors"})
    emit_table(score_lines(rows, "predictor"))
    if card.n_scored:
        click.echo(f"Brier skill vs always 0.5 (higher is better): {_number(card.brier_skill)}")
    click.echo("\nlexicon sensitivity (overall scores with one cue moved to its low / high bound):")
    emit_table(_rounded(card.lexicon_sensitivity))
    click.echo("\ncalibration (scored predictions by probability bin):")
    emit_table(_rounded(card.calibration.drop(columns=["lower", "upper"])))
    click.echo("\nby modality:")
    rows = [{**row, "label": row["modality"]} for row in card.by_modality.to_dict("records")]
    emit_table(score_lines(rows, "modality"))


@click.command()
@as_of_option
@click.option("--bins", default=5, show_default=True, type=click.IntRange(1, 20),
              help="Number of equal-width probability bins of the calibration table.")
@click.option("--lexicon", "lexicon", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="Score with the probabilities of this hedge-lexicon CSV (columns cue, probability, low, high) "
                   "instead of the recorded ones; its low/high give the sensitivity bounds.")
@json_option
@data_option()
def score(as_of: str | None, bins: int, lexicon: Path | None, as_json: bool, data: Path) -> None:
    """Brier and log scores of the predictions resolved true or false as of a day, per predictor and overall,
    each with a bootstrap interval, n, and its value with the hedge lexicon's cues at their low and high
    bounds; counts per status (overdue apart from pending), a calibration table and a breakdown by modality.

    The log score is the mean natural log of the probability given to what happened (higher is better,
    0 is perfect, the baseline scores ln 0.5 = -0.693). A warning says when n is too small to say much.

    \b
    Example:
        stancetrack score --as-of 2026-11-30
        stancetrack score --as-of 2026-11-30 --json
        stancetrack score --lexicon my_lexicon.csv
    """
    predictions = None
    if lexicon is not None:
        from ..dataset import load
        from ..lexicon import remap

        ds = load(data)
        predictions = remap(ds.predictions, lexicon)
        data = ds
    card = scoring.score(data, as_of=as_of, bins=bins, predictions=predictions, lexicon=lexicon)
    if as_json:
        emit_json(card.to_dict())
    else:
        print_scorecard(card)


@click.command()
@click.option("--as-of", "as_of", metavar="DATE", default=None,
              help="The day to check against (YYYY-MM-DD; default: today).")
@click.option("--within", default=0, show_default=True, type=click.IntRange(0, None), metavar="DAYS",
              help="Also list the open predictions due in the next DAYS days.")
@json_option
@data_option()
def due(as_of: str | None, within: int, as_json: bool, data: Path) -> None:
    """List the predictions that need checking, soonest resolve-by date first: those whose resolve_by has
    passed without a settling check (overdue: only a pending check, or none), and with --within the open
    ones due soon.

    \b
    Example:
        stancetrack due --as-of 2026-11-30
        stancetrack due --within 90 --json
    """
    frame = due_lib.due(data, as_of=as_of, within=within)
    day = as_of or "today"
    if as_json:
        emit_json([{k: scoring.plain_value(v) for k, v in row.items()} for row in frame.to_dict("records")])
        return
    if frame.empty:
        click.echo(f"nothing to check as of {day}: no prediction is overdue"
                   + (f" or due within {within} days" if within else ""))
        return
    overdue = int((frame["status"] == "overdue").sum())
    click.echo(f"{overdue} overdue as of {day} (resolve_by passed without a settling check)"
               + (f", {len(frame) - overdue} due within {within} days" if within else "") + ":")
    shown = frame.assign(resolve_by=frame["resolve_by"].dt.strftime("%Y-%m-%d"),
                         last_check=[f"{s} ({d:%Y-%m-%d})" if isinstance(d, pd.Timestamp) else str(s)
                                     for s, d in zip(frame["checked_status"], frame["status_as_of"])])
    emit_table(shown[["prediction_id", "predictor_id", "resolve_by", "days_overdue", "last_check", "proposition"]])


@click.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("report"),
              show_default=True, help="Folder to write index.html and its PNG figures into.")
@as_of_option
@click.option("--network", is_flag=True, help="Also draw the stance network (holders → targets) after the matrix.")
@data_option()
def report(out_dir: Path, as_of: str | None, network: bool, data: Path) -> None:
    """Write the HTML report: dataset summary, stance matrix (holder × target, by attribution), prediction
    timeline with the overdue ones marked, reliability diagram with intervals, and score tables per predictor,
    with PNG figures embedded (needs matplotlib: pip install 'stancetrack[plot]').

    \b
    Example:
        stancetrack report -o report --as-of 2026-11-30
        stancetrack report -o report --network && open report/index.html
    """
    from ..htmlreport import build_report

    result = build_report(data, out_dir, as_of=as_of, network=network)
    click.echo(f"wrote {result.index} ({len(result.figures)} figures, as of {result.as_of})")
