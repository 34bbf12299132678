"""The HTML report a researcher shares: what the dataset holds, and how its predictions fared as of a day.

    stancetrack.htmlreport.build_report("dataset", "report", as_of="2026-03-13")

One self-contained ``index.html`` (its PNG figures embedded as base64, so the file can be mailed or archived
alone), with the same figures also written beside it under ``figures/``. Every piece of text from the data is
HTML-escaped; only http(s) addresses become links.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from . import figures, palette
from ._version import __version__
from .dataset import Dataset, DateLike, load
from .schemas import TABLES
from .scoring import Scorecard, score
from .storage import atomic_write_bytes

#: The figures of the report, in order; the stance network is drawn too with ``network=True``.
FIGURES = ("stance_matrix", "prediction_timeline", "reliability_diagram")

CSS = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: {palette.INK}; line-height: 1.45; }}
h1 {{ font-size: 1.6rem; margin-bottom: .2rem; }} h2 {{ margin-top: 2.2rem; border-bottom: 1px solid {palette.RULE}; }}
.meta {{ color: {palette.MUTED}; margin-top: 0; }}
table {{ border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }}
th, td {{ border: 1px solid {palette.RULE}; padding: .25rem .5rem; vertical-align: top; text-align: left; }}
th {{ background: {palette.PANEL}; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
figure {{ margin: 1rem 0 2rem; }} figure img {{ max-width: 100%; border: 1px solid {palette.GRID}; }}
figcaption {{ color: {palette.MUTED}; font-size: .9rem; max-width: 60rem; }}
.status {{ font-weight: 600; padding: 0 .3rem; border-radius: 3px; }}
.status.overdue {{ outline: 2px solid {palette.OVERDUE_EDGE}; }}
.quote {{ font-style: italic; }} .small {{ font-size: .8rem; color: {palette.MUTED}; }}
.warning {{ border-left: 4px solid {palette.STATUS_COLOURS["overdue"]}; padding: .2rem .6rem; }}
"""


@dataclass
class BuiltReport:
    """Where the report was written, its figures, and the scorecard it shows."""

    index: Path
    figures: dict[str, Path]
    as_of: dt.date
    scorecard: Scorecard


def esc(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return html.escape(str(value), quote=True)


def link(url: Any, text: Any) -> str:
    """An escaped link for an http(s) address; the escaped text alone otherwise."""
    if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
        return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(text)}</a>'
    return esc(text)


def number(value: Any, digits: int = 3) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return f"{value:.{digits}f}"
    return esc(value)


def html_table(frame: pd.DataFrame, raw: Iterable[str] = ()) -> str:
    """A frame as an HTML table; cells are escaped except in the ``raw`` columns (already HTML)."""
    raw = set(raw)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, row):
            if column in raw:
                cells.append(f"<td>{value}</td>")
            elif isinstance(value, numbers.Number) and not isinstance(value, bool):
                cells.append(f'<td class="num">{number(value)}</td>')
            else:
                cells.append(f"<td>{esc(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def status_badge(status: str) -> str:
    colour = palette.STATUS_COLOURS.get(status, palette.WHITE)
    return (f'<span class="status {esc(status)}" style="background:{colour};color:{palette.badge_text(status)}">'
            f'{esc(status)}</span>')


def embedded(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def summary_section(ds: Dataset, card: Scorecard) -> str:
    docs = pd.DataFrame({
        "document": ds.documents["document_id"], "title": ds.documents["title"], "author": ds.documents["author"],
        "language": ds.documents["language"].astype(str),
        "written": [f"{a:%Y-%m-%d} … {b:%Y-%m-%d}" for a, b in
                    zip(ds.documents["published_earliest"], ds.documents["published_latest"])],
        "characters": ds.documents["char_count"]})
    rows = pd.DataFrame({"table": list(TABLES), "rows": [len(ds.table(n)) for n in TABLES]})
    polarity = ds.stances["polarity"].astype(str).value_counts()
    modality = ds.predictions["modality"].astype(str).value_counts()
    facts = (f"{len(ds.stances)} stances ({', '.join(f'{k} {v}' for k, v in polarity.items()) or 'none'}); "
             f"{len(ds.predictions)} predictions ({', '.join(f'{k} {v}' for k, v in modality.items()) or 'none'}); "
             f"{len(ds.outcomes)} checks in the outcomes log, {card.counts['total'] - card.counts['unchecked']} "
             f"predictions checked as of {card.as_of}.")
    return (f"<h2>The dataset</h2>{html_table(docs)}<p>{esc(facts)}</p>"
            f"<details><summary>Rows per table</summary>{html_table(rows)}</details>")


def score_section(card: Scorecard) -> str:
    info = card.to_dict()
    counts = pd.DataFrame([{"status": s, "predictions": n} for s, n in card.counts.items()])
    per_predictor = card.by_predictor.drop(columns=["predictor_id"]).rename(columns={"name": "predictor"})
    overall = pd.DataFrame([{"predictor": "all predictors", **card.overall}])[per_predictor.columns]
    summary = card.summary().rename(columns={"baseline_0.5": "always 0.5"})
    warnings = "".join(f"<p class='warning'>{esc(w)}</p>" for w in card.warnings)
    interval = info["interval"]
    return (f"<h2>Scores as of {esc(card.as_of)}</h2>"
            f"<p>{card.n_scored} of {card.counts['total']} predictions are resolved true or false and scored, "
            "with the probability their wording implies (the hedge lexicon). Partial, annulled, ambiguous, "
            "pending, overdue (resolve-by date passed without a settling check) and unchecked predictions are "
            "counted, not scored.</p>"
            f"{warnings}"
            f"<h3>By predictor, and overall</h3>{html_table(pd.concat([per_predictor, overall]))}"
            f"<p class='small'>Columns <code>*_low</code>, <code>*_high</code>: {interval['level']:.0%} "
            f"{esc(interval['method'])} ({interval['resamples']} resamples, seed {interval['seed']}). Columns "
            "<code>*_lexicon_low</code>, <code>*_lexicon_high</code>: the same score with every hedge cue at the "
            "low or the high bound of its lexicon entry.</p>"
            f"<h3>Overall, beside the always-0.5 baseline</h3>{html_table(summary)}"
            f"<p class='small'>Log score: {esc(info['log_score_convention'])}.</p>"
            f"<h3>Sensitivity to each lexicon entry</h3>{html_table(card.lexicon_sensitivity)}"
            f"<h3>Status counts</h3>{html_table(counts)}"
            f"<h3>Calibration</h3>{html_table(card.calibration.drop(columns=['lower', 'upper']))}"
            f"<h3>By modality</h3>{html_table(card.by_modality)}")


def evidence_html(items: Any) -> str:
    """Each evidence item: its source (what the brief records of it), the verbatim quote in quotation marks and
    the compiler's summary marked as such."""
    if items is None or not len(items):
        return ""
    parts = []
    for item in items:
        label = " ".join(filter(None, [item.get("brief"), item.get("item") and f"item {item.get('item')}"]))
        title = item.get("title") or item.get("url") or "untitled source"
        where = ", ".join(filter(None, [item.get("publisher"), esc(item.get("published")) or "undated"]))
        text = "".join([
            f" <span class='quote'>“{esc(item.get('quote'))}”</span>" if item.get("quote") else "",
            f" <span class='summary'>(summary: {esc(item.get('summary'))})</span>" if item.get("summary") else ""])
        parts.append(f"<li>{link(item.get('url'), title)} ({esc(where)}"
                     f"{'' if item.get('url') else '; no URL recorded'}; {esc(label)}):{text}</li>")
    return f"<ul class='small'>{''.join(parts)}</ul>"


def predictions_section(ds: Dataset, card: Scorecard) -> str:
    current = ds.current_outcomes(pd.Timestamp(card.as_of)).set_index("prediction_id")
    languages = dict(zip(ds.documents["document_id"].astype(str), ds.documents["language"].astype(str)))
    rows = []
    for _, p in ds.predictions.iterrows():
        pid = str(p["prediction_id"])
        status = card.items.set_index("prediction_id").loc[pid, "status"]
        outcome = current.loc[pid] if pid in current.index else None
        check = ("" if outcome is None else
                 f"<div class='small'>{esc(outcome['outcome_id'])}, as of {esc(outcome['as_of'])}, by "
                 f"{esc(outcome['resolver'])}; recorded status {esc(outcome['status'])}</div>"
                 + ("" if pd.isna(outcome["deciding_clause"]) else
                    f"<div class='small'>deciding clause: <q>{esc(outcome['deciding_clause'])}</q></div>")
                 + f"<div>{esc(outcome['rationale'])}</div>{evidence_html(outcome['evidence'])}")
        cue = "" if p["cue"] is pd.NA or p["cue"] is None else f"; cue “{esc(p['cue'])}”"
        condition = "" if p["condition"] is pd.NA or p["condition"] is None else \
            f"<div class='small'>condition: {esc(p['condition'])}</div>"
        rows.append({
            "id": esc(pid),
            "prediction": (f"<div class='quote' lang='{esc(languages.get(str(p['document_id']), ''))}'>"
                           f"{esc(p['quote'])}</div><div>{esc(p['proposition'])}</div>"
                           f"{condition}<div class='small'>{esc(p['modality'])}{cue}; p = {number(p['probability'], 2)};"
                           f" resolve by {esc(p['resolve_by'])}</div>"),
            "status": status_badge(status),
            "check": check})
    frame = pd.DataFrame(rows, columns=["id", "prediction", "status", "check"])
    return (f"<h2>Every prediction and its check as of {esc(card.as_of)}</h2>"
            f"{html_table(frame, raw=frame.columns)}")


def figure_html(path: Path, caption: str) -> str:
    return f"<figure>{embedded(path, caption)}<figcaption>{esc(caption)}</figcaption></figure>"


CAPTIONS = {
    "stance_matrix": "Stances as a matrix: each row is a target (an actor or a topic), each column a holder, in one "
                     "panel per attribution, so the author's own stances stand apart from those the author "
                     "ascribes to others or reports; a cell's colour is its stances' polarity (mixed when they "
                     "differ), darker for more, and its number how many stances it holds.",
    "stance_network": "Stance network. Each arrow goes from the actor holding a stance (left, with the number of "
                      "stances held) to its target, an actor or a topic (right); its colour is the polarity and "
                      "its width the number of stances on that pair.",
    "prediction_timeline": "Predictions on a timeline: each row is a prediction placed at its resolve-by date, "
                           "coloured by its status as of the report's day and shaped by its modality; an overdue "
                           "prediction (resolve-by date passed without a settling check) has a thick outline, a "
                           "bold label and a bar to the report's day; the dashed line is the report's day, the "
                           "dotted one the article's latest possible date.",
    "stance_timeline": "Stances over time (drawn when the dataset holds more than one document): for each of the "
                       "most discussed targets found at more than one document date, the net stance of every "
                       "holder toward it, (favor − against) / stances, per publication date; a point's size is its "
                       "number of stances, a bar the window of days when the exact date is not known. `stancetrack "
                       "track --holder ID --target ID` gives the numbers for one holder.",
    "reliability_diagram": "Reliability diagram of the scored predictions: per probability bin, the mean implied "
                           "probability against the share that came true (on the diagonal = well calibrated), with "
                           "the share's 95% Wilson interval as a bar; ticks are single predictions (top: true, "
                           "bottom: false); below, how many per bin.",
}


def build_report(dataset: Dataset | str | Path | None = None, out_dir: str | Path = "report",
                 as_of: DateLike = None, bins: int = 5, network: bool = False) -> BuiltReport:
    """Write ``out_dir/index.html`` (self-contained) and ``out_dir/figures/*.png``; return where they are.

    The stances are shown as a holder × target matrix split by attribution; ``network=True`` adds the stance
    network figure after it."""
    ds = dataset if isinstance(dataset, Dataset) else load(dataset)
    card = score(ds, as_of=as_of, bins=bins)
    out = Path(out_dir)
    fig_dir = out / "figures"
    paths = {"stance_matrix": figures.stance_matrix(ds, fig_dir / "stance_matrix.png")}
    if network:
        paths["stance_network"] = figures.stance_network(ds, fig_dir / "stance_network.png")
    if len(ds.documents) > 1:
        paths["stance_timeline"] = figures.stance_timeline(ds, fig_dir / "stance_timeline.png")
    paths["prediction_timeline"] = figures.prediction_timeline(ds, card, fig_dir / "prediction_timeline.png")
    paths["reliability_diagram"] = figures.reliability_diagram(card, fig_dir / "reliability_diagram.png")
    stances = "".join(figure_html(paths[name], CAPTIONS[name])
                      for name in ("stance_matrix", "stance_network", "stance_timeline") if name in paths)
    overdue = card.counts.get("overdue", 0)
    title = f"stancetrack report — dataset {ds.version}, as of {card.as_of}"
    body = "".join([
        f"<h1>{esc(title)}</h1>",
        f"<p class='meta'>Generated by stancetrack {esc(__version__)} from {esc(ds.path.name)}/ "
        f"(schema {esc(ds.manifest.get('schema_version'))}). Outcomes are those recorded with "
        f"<code>as_of</code> on or before {esc(card.as_of)}.</p>",
        summary_section(ds, card),
        "<h2>Stances</h2>", stances,
        "<h2>Predictions</h2>",
        (f"<p class='warning'>{overdue} prediction(s) are overdue: their resolve-by date has passed without a "
         "settling check (<code>stancetrack due</code> lists them).</p>" if overdue else ""),
        figure_html(paths["prediction_timeline"], CAPTIONS["prediction_timeline"]),
        score_section(card),
        figure_html(paths["reliability_diagram"], CAPTIONS["reliability_diagram"]),
        predictions_section(ds, card),
    ])
    page = (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><style>{CSS}</style></head>"
            f"<body>{body}</body></html>\n")
    index = out / "index.html"
    atomic_write_bytes(index, page.encode("utf-8"))
    index.chmod(0o644)  # a page to share, not a private temporary file
    return BuiltReport(index=index, figures=paths, as_of=card.as_of, scorecard=card)
