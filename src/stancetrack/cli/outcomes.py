"""Commands that check predictions against what happened: resolve, score, report."""

from __future__ import annotations

from pathlib import Path

from typing import TYPE_CHECKING

import click

from ..outcomes import MAX_EVIDENCE_BYTES, STATUSES, read_evidence, resolve as resolve_prediction
from .options import data_option, emit_json, emit_table, json_option, lazy

if TYPE_CHECKING:
    import pandas as pd

    from ..scoring import Scorecard

scoring = lazy("stancetrack.scoring")

as_of_option = click.option("--as-of", "as_of", metavar="DATE", default=None,
                            help="Score with the outcomes known on this day (YYYY-MM-DD; default: today).")


@click.command()
@click.argument("prediction_id")
@click.option("--status", required=True, type=click.Choice(STATUSES),
              help="The verdict (see the codebook's outcomes section).")
@click.option("--as-of", "as_of", required=True, metavar="DATE", help="The day the evidence reaches (YYYY-MM-DD).")
@click.option("--rationale", required=True, help="What was checked and why the status follows.")
@click.option("--evidence", "evidence_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="JSON file: a list of items {url, title, publisher, published, quote}; url and published may "
                   f"be null. Required for true, false and partial. At most {MAX_EVIDENCE_BYTES:,} bytes.")
@click.option("--condition-met", "condition_met", type=click.Choice(["true", "false"]), default=None,
              help="For a conditional prediction: whether its condition happened (annulled implies false).")
@click.option("--resolver", default=None, help="Who records the check (default: your login name).")
@data_option(writes=True)
def resolve(prediction_id: str, status: str, as_of: str, rationale: str, evidence_file: Path | None,
            condition_met: str | None, resolver: str | None, data: Path) -> None:
    """Append one check of a prediction to the outcomes log (nothing is written if anything is wrong).

    The log is append-only: a later check supersedes an earlier one from its own --as-of day on.

    \b
    Example:
        stancetrack resolve pr-0007 --status false --as-of 2026-03-13 \\
            --rationale "No US recognition of Russian sovereignty was found up to mid-March 2026." \\
            --evidence evidence.json --resolver jdoe --dataset dataset
    """
    evidence = []
    if evidence_file is not None:
        evidence = read_evidence(evidence_file)
    met = None if condition_met is None else condition_met == "true"
    row = resolve_prediction(data, prediction_id, status, as_of, rationale, evidence, resolver, met)
    click.echo(f"recorded {row['outcome_id']}: {row['prediction_id']} {row['status']} as of {row['as_of']} "
               f"({len(row['evidence'])} evidence item(s)) in {data}")


def _rounded(frame: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        out[column] = out[column].map(lambda v: round(v, digits) if isinstance(v, float) and v == v else v)
    return out


def _number(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def print_scorecard(card: Scorecard) -> None:
    counts = ", ".join(f"{status} {n}" for status, n in card.counts.items() if status != "total")
    click.echo(f"stancetrack score — dataset {card.dataset_version}, as of {card.as_of}")
    click.echo(f"predictions: {card.counts['total']} ({counts})")
    click.echo(f"scored (resolved true or false): {card.n_scored}; partial, annulled, ambiguous, pending and "
               "unchecked are counted, not scored")
    for note in card.notes:
        click.echo(f"note: {note}")
    click.echo("")
    rows = card.summary().to_dict("records")
    width = max(len(row["score"]) for row in rows)
    click.echo(f"{'score':<{width}}  {'value':>8}  {'always 0.5':>10}")
    for row in rows:
        click.echo(f"{row['score']:<{width}}  {_number(row['value']):>8}  {_number(row['baseline_0.5']):>10}")
    click.echo("\ncalibration (scored predictions by probability bin):")
    emit_table(_rounded(card.calibration.drop(columns=["lower", "upper"])))
    click.echo("\nby modality:")
    emit_table(_rounded(card.by_modality))
    click.echo("\nby predictor:")
    emit_table(_rounded(card.by_predictor))


@click.command()
@as_of_option
@click.option("--bins", default=5, show_default=True, type=click.IntRange(1, 20),
              help="Number of equal-width probability bins of the calibration table.")
@json_option
@data_option()
def score(as_of: str | None, bins: int, as_json: bool, data: Path) -> None:
    """Brier and log scores of the predictions resolved true or false as of a day, beside the always-0.5
    baseline; counts per status, a calibration table and breakdowns by modality and predictor.

    The log score is the mean natural log of the probability given to what happened (higher is better,
    0 is perfect, the baseline scores ln 0.5 = -0.693).

    \b
    Example:
        stancetrack score --as-of 2026-03-13
        stancetrack score --as-of 2026-03-13 --json
    """
    card = scoring.score(data, as_of=as_of, bins=bins)
    if as_json:
        emit_json(card.to_dict())
    else:
        print_scorecard(card)


@click.command()
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("report"),
              show_default=True, help="Folder to write index.html and its PNG figures into.")
@as_of_option
@data_option()
def report(out_dir: Path, as_of: str | None, data: Path) -> None:
    """Write the HTML report: dataset summary, stance network, prediction timeline, reliability diagram and
    score table, with PNG figures embedded (needs matplotlib: pip install 'stancetrack[plot]').

    \b
    Example:
        stancetrack report -o report --as-of 2026-03-13
        stancetrack report -o report && open report/index.html
    """
    from ..htmlreport import build_report

    result = build_report(data, out_dir, as_of=as_of)
    click.echo(f"wrote {result.index} ({len(result.figures)} figures, as of {result.as_of})")
