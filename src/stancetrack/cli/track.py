"""``stancetrack track``: a holder's stance toward a target, document date by document date."""

from __future__ import annotations

from pathlib import Path

import click

from .options import data_option, emit_json, emit_table, json_option, lazy

pd = lazy("pandas")
dataset_lib = lazy("stancetrack.dataset")


@click.command()
@click.option("--holder", help="Actor id of the holder (default: every holder).")
@click.option("--target", help="Actor or topic id of the target (default: every target).")
@data_option()
@json_option
def track(holder: str | None, target: str | None, data: Path, as_json: bool) -> None:
    """Stances of a holder toward a target over time: one row per publication date of the documents.

    Each row gives the documents published on that date (or in that window, when the day is not known:
    date..date_latest), the number of matching stances per polarity and the net stance, (favor - against) /
    stances, from -1 to 1. Exit 1 when an id is not in the dataset.

    \b
    Example:
        stancetrack track --holder maxime-marquette --target ukraine
        stancetrack track --holder trump --target putin --json
    """
    timeline = dataset_lib.load(data).stance_timeline(holder=holder, target=target)
    if as_json:
        records = timeline.astype(object).where(timeline.notna(), None).to_dict("records")
        emit_json([{**r, "date": f"{r['date']:%Y-%m-%d}", "date_latest": f"{r['date_latest']:%Y-%m-%d}"}
                   for r in records])
        return
    shown = timeline.assign(
        date=[f"{a:%Y-%m-%d}" + ("" if a == b else f"..{b:%Y-%m-%d}")
              for a, b in zip(timeline["date"], timeline["date_latest"])],
        documents=timeline["documents"].map(", ".join),
        net=timeline["net"].map(lambda v: "" if pd.isna(v) else f"{v:+.2f}"),
    ).drop(columns="date_latest")
    emit_table(shown, max_width=60)
