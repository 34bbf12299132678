"""Scoring predictions against their outcomes, as of any day.

    card = stancetrack.score(as_of="2026-03-13")
    card.brier, card.log_score, card.counts, card.calibration, card.to_dict()

What is scored: the predictions whose current outcome as of the day (their latest check with ``as_of <= day``)
is ``true`` or ``false``, with the probability their wording implies (``predictions.probability``). Every other
status — ``partial``, ``annulled``, ``ambiguous``, ``pending`` and ``unchecked`` (no check yet) — is counted,
never scored: a partial verdict has no single 0/1 outcome, an annulled or ambiguous one has none at all.

The scores, each over the *n* scored predictions, outcome *o* = 1 for true and 0 for false:

- **Brier** = mean of (p − o)²: 0 is perfect, lower is better; always saying 0.5 scores 0.25.
- **Log score** = mean of ln q, where q is the probability the prediction gave to what actually happened
  (p when true, 1 − p when false): 0 is perfect, **higher is better**, always saying 0.5 scores
  ln 0.5 ≈ −0.693. (The *log loss* is its negative.) Before the logarithm, p is clipped to
  [:data:`EPSILON`, 1 − :data:`EPSILON`], so a certain prediction that fails costs ln 0.001 ≈ −6.9 rather than
  −∞ — the bounds forecasting platforms such as Metaculus put on binary forecasts (0.1 %–99.9 %).
- **Brier skill** = 1 − Brier / 0.25: above 0 beats the coin-flip baseline.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset, DateLike, load
from .outcomes import STATUSES, parse_day

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] for the log score (not for Brier).
EPSILON = 1e-3
#: The always-0.5 baseline.
BASELINE_BRIER = 0.25
BASELINE_LOG = math.log(0.5)
#: The statuses that are scored; every other one is counted only.
SCORED = ("true", "false")
#: Every status a prediction can have as of a day, ``unchecked`` meaning no check yet.
STATUS_ORDER = (*SCORED, *(s for s in STATUSES if s not in SCORED), "unchecked")


def brier(probabilities: Any, outcomes: Any) -> float | None:
    """Mean squared difference between probabilities and 0/1 outcomes; None when there are none."""
    pairs = list(zip(probabilities, outcomes))
    return sum((float(p) - float(o)) ** 2 for p, o in pairs) / len(pairs) if pairs else None


def log_score(probabilities: Any, outcomes: Any, epsilon: float = EPSILON) -> float | None:
    """Mean natural log of the probability given to what happened (higher is better); None when empty."""
    pairs = list(zip(probabilities, outcomes))
    if not pairs:
        return None
    clipped = [min(max(float(p), epsilon), 1.0 - epsilon) for p, _ in pairs]
    return sum(math.log(q if o else 1.0 - q) for q, (_, o) in zip(clipped, pairs)) / len(pairs)


def bin_edges(bins: int) -> list[float]:
    return [round(i / bins, 10) for i in range(bins + 1)]


def calibration_table(probabilities: pd.Series, outcomes: pd.Series, bins: int = 5) -> pd.DataFrame:
    """One row per probability bin ([0, 0.2), …, [0.8, 1.0] for 5 bins): how many predictions, their mean
    probability and the share that came true. Empty bins are kept (n = 0) so tables line up across dates."""
    edges = bin_edges(bins)
    index = pd.Series([min(int(round(float(p) * bins, 9)), bins - 1) for p in probabilities], dtype="int64")
    rows = []
    for b in range(bins):
        mask = (index == b).to_numpy()
        p, o = probabilities[mask].astype(float), outcomes[mask].astype(float)
        closing = "]" if b == bins - 1 else ")"
        rows.append({"bin": f"[{edges[b]:.1f}, {edges[b + 1]:.1f}{closing}", "lower": edges[b],
                     "upper": edges[b + 1], "n": int(mask.sum()),
                     "mean_probability": float(p.mean()) if mask.any() else None,
                     "observed_frequency": float(o.mean()) if mask.any() else None,
                     "brier": brier(p, o)})
    return pd.DataFrame(rows)


def _summary(group: pd.DataFrame) -> dict[str, Any]:
    scored = group[group["status"].isin(SCORED)]
    return {"n_predictions": len(group), "n_scored": len(scored),
            "mean_probability": float(scored["probability"].mean()) if len(scored) else None,
            "observed_frequency": float(scored["outcome"].mean()) if len(scored) else None,
            "brier": brier(scored["probability"], scored["outcome"]),
            "log_score": log_score(scored["probability"], scored["outcome"])}


def breakdown(items: pd.DataFrame, by: str, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Scores per value of a column of the per-prediction table (e.g. ``modality``, ``predictor_id``): how many
    predictions, how many scored, and over the scored ones the mean probability, share true, Brier and log."""
    rows = []
    for value, group in items.groupby(items[by].astype(str), sort=True):
        row = {by: value}
        if labels is not None:
            row["name"] = labels.get(value, value)
        rows.append({**row, **_summary(group)})
    columns = [by, *(["name"] if labels is not None else []), "n_predictions", "n_scored", "mean_probability",
               "observed_frequency", "brier", "log_score"]
    return pd.DataFrame(rows, columns=columns)


@dataclass
class Scorecard:
    """Scores of a dataset's predictions as of a day, with what was counted but not scored.

    ``items`` has one row per prediction (status as of the day, probability, outcome 1/0 when scored, its Brier
    and log terms); ``calibration``, ``by_modality`` and ``by_predictor`` are tables; ``to_dict()`` is the JSON
    form ``stancetrack score --json`` prints.
    """

    as_of: dt.date
    dataset_version: str
    items: pd.DataFrame
    counts: dict[str, int]
    calibration: pd.DataFrame
    by_modality: pd.DataFrame
    by_predictor: pd.DataFrame
    epsilon: float = EPSILON
    bins: int = 5
    notes: list[str] = field(default_factory=list)

    @property
    def scored(self) -> pd.DataFrame:
        return self.items[self.items["status"].isin(SCORED)]

    @property
    def n_scored(self) -> int:
        return len(self.scored)

    @property
    def brier(self) -> float | None:
        return brier(self.scored["probability"], self.scored["outcome"])

    @property
    def log_score(self) -> float | None:
        return log_score(self.scored["probability"], self.scored["outcome"], self.epsilon)

    @property
    def baseline_brier(self) -> float | None:
        return BASELINE_BRIER if self.n_scored else None

    @property
    def baseline_log_score(self) -> float | None:
        return BASELINE_LOG if self.n_scored else None

    @property
    def brier_skill(self) -> float | None:
        return None if self.brier is None else 1.0 - self.brier / BASELINE_BRIER

    def summary(self) -> pd.DataFrame:
        """The score table: each score beside the always-0.5 baseline."""
        return pd.DataFrame([
            {"score": "Brier (lower is better)", "value": self.brier, "baseline_0.5": self.baseline_brier},
            {"score": "log score, mean ln p(outcome) (higher is better)", "value": self.log_score,
             "baseline_0.5": self.baseline_log_score},
            {"score": "Brier skill vs baseline (higher is better)", "value": self.brier_skill,
             "baseline_0.5": 0.0 if self.n_scored else None},
        ])

    def to_dict(self) -> dict[str, Any]:
        def table(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]

        return {
            "as_of": self.as_of.isoformat(), "dataset_version": self.dataset_version,
            "n_predictions": len(self.items), "n_scored": self.n_scored,
            "brier": self.brier, "log_score": self.log_score,
            "baseline_brier": self.baseline_brier, "baseline_log_score": self.baseline_log_score,
            "brier_skill": self.brier_skill,
            "log_score_convention": f"mean natural log of the probability given to the realised outcome; higher "
                                    f"is better; probabilities clipped to [{self.epsilon:g}, {1 - self.epsilon:g}]",
            "counts": dict(self.counts), "calibration": table(self.calibration),
            "by_modality": table(self.by_modality), "by_predictor": table(self.by_predictor),
            "scored": table(self.scored[["prediction_id", "probability", "status", "outcome", "brier", "log"]]),
            "notes": list(self.notes),
        }


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    return value


def prediction_items(ds: Dataset, as_of: dt.date) -> pd.DataFrame:
    """One row per prediction: its status as of the day (``unchecked`` when none), probability, outcome (1/0,
    only when true/false), and its Brier and log terms."""
    view = ds.prediction_view(as_of)
    items = pd.DataFrame({
        "prediction_id": view["prediction_id"].astype(str),
        "predictor_id": view["predictor_id"].astype(str),
        "modality": view["modality"].astype(str),
        "probability": view["probability"].astype(float),
        "resolve_by": view["resolve_by"],
        "status": view["status"].astype(str),
        "status_as_of": view["status_as_of"],
        "outcome_id": view["outcome_id"].astype(object),
    })
    outcome = pd.Series([{"true": 1.0, "false": 0.0}.get(s, math.nan) for s in items["status"]],
                        index=items.index, dtype="float64")
    items["outcome"] = outcome
    items["brier"] = (items["probability"] - outcome) ** 2
    clipped = items["probability"].clip(EPSILON, 1 - EPSILON)
    items["log"] = pd.Series([math.log(q if o == 1.0 else 1.0 - q) if o == o else math.nan
                              for q, o in zip(clipped, outcome)], index=items.index, dtype="float64")
    return items


def score(dataset: Dataset | str | Path | None = None, as_of: DateLike = None, bins: int = 5) -> Scorecard:
    """Score a dataset's predictions as of a day (default: today) against the outcomes known on that day.

    ``dataset`` is a loaded :class:`~stancetrack.Dataset` or a dataset folder (default: see
    :func:`~stancetrack.resources.dataset_path`).
    As of a day before any check, nothing is scored and every prediction counts as ``unchecked``.
    """
    ds = dataset if isinstance(dataset, Dataset) else load(dataset)
    day = pd.Timestamp(parse_day(as_of) if as_of is not None else dt.date.today())
    items = prediction_items(ds, day)
    counts = {status: int((items["status"] == status).sum()) for status in STATUS_ORDER}
    counts["total"] = len(items)
    scored = items[items["status"].isin(SCORED)]
    names = dict(zip(ds.actors["actor_id"].astype(str), ds.actors["name"].astype(str)))
    notes = []
    if not len(scored):
        notes.append(f"nothing is scored as of {day.date()}: no prediction is resolved true or false by then")
    return Scorecard(as_of=day.date(), dataset_version=ds.version, items=items, counts=counts,
                     calibration=calibration_table(scored["probability"], scored["outcome"], bins),
                     by_modality=breakdown(items, "modality"),
                     by_predictor=breakdown(items, "predictor_id", names), bins=bins, notes=notes)
