"""Scoring predictions against their outcomes, as of any day, with how far the scores can be trusted.

    card = stancetrack.score(as_of="2026-11-30")
    card.by_predictor, card.overall, card.lexicon_sensitivity, card.to_dict()

What is scored: the predictions whose current outcome as of the day (their latest check with ``as_of <= day``)
is ``true`` or ``false``, with the probability their wording implies (``predictions.probability``). Every other
status — ``partial``, ``annulled``, ``ambiguous``, ``pending``, ``overdue`` (``resolve_by`` passed without a
settling check) and ``unchecked`` (no check yet) — is counted, never scored: a partial verdict has no single
0/1 outcome, an annulled or ambiguous one has none at all, an overdue one is not known yet.

The scores, each over the *n* scored predictions, outcome *o* = 1 for true and 0 for false:

- **Brier** = mean of (p − o)²: 0 is perfect, lower is better; always saying 0.5 scores 0.25.
- **Log score** = mean of ln q, where q is the probability the prediction gave to what actually happened
  (p when true, 1 − p when false): 0 is perfect, **higher is better**, always saying 0.5 scores
  ln 0.5 ≈ −0.693. (The *log loss* is its negative.) Before the logarithm, p is clipped to
  [:data:`EPSILON`, 1 − :data:`EPSILON`], so a certain prediction that fails costs ln 0.001 ≈ −6.9 rather than
  −∞ — the bounds forecasting platforms such as Metaculus put on binary forecasts (0.1 %–99.9 %).
- **Brier skill** = 1 − Brier / 0.25: above 0 beats the coin-flip baseline.

How far they can be trusted:

- **Bootstrap interval.** Each score comes with a 95 % percentile bootstrap interval: the scored predictions are
  resampled with replacement :data:`BOOTSTRAP_RESAMPLES` times (numpy's ``default_rng`` seeded with
  :data:`BOOTSTRAP_SEED`, so the interval is the same on every run) and the 2.5th and 97.5th percentiles of the
  resampled means are reported, with *n*. Below :data:`SMALL_N` scored predictions a warning says the
  interval is itself unreliable (a percentile bootstrap is too narrow for small samples; with n = 1 it has
  width 0).
- **Lexicon bounds.** The probabilities come from the hedge lexicon, whose anchors allow a range for each cue
  (``low`` and ``high`` in ``annotation/hedge_lexicon.csv``). Every score is also given with every cue at its
  low bound and at its high bound, and :attr:`Scorecard.lexicon_sensitivity` moves one cue at a time.
- **Per predictor.** The author and the people the article quotes are different forecasters: scores are
  reported per predictor (``by_predictor``) as well as over everyone (``overall``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from .dataset import Dataset, DateLike, load
from .errors import MismatchedPredictions
from .lexicon import lexicon_key, read_bounds
from .outcomes import STATUSES, parse_day

#: Probabilities are clipped to [EPSILON, 1 - EPSILON] for the log score (not for Brier).
EPSILON = 1e-3
#: The always-0.5 baseline.
BASELINE_BRIER = 0.25
BASELINE_LOG = math.log(0.5)
#: The statuses that are scored; every other one is counted only.
SCORED = ("true", "false")
#: Every status a prediction can have as of a day: the schema's statuses, then ``overdue`` (resolve_by passed
#: without a settling check) and ``unchecked`` (no check yet).
STATUS_ORDER = (*SCORED, *(s for s in STATUSES if s not in SCORED and s != "pending"), "pending", "overdue",
                "unchecked")
#: The bootstrap: resamples, seed and interval level (documented in the module docstring).
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261130
INTERVAL_LEVEL = 0.95
#: Below this many scored predictions, a score comes with a warning that it says little.
SMALL_N = 10


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


def wilson_interval(successes: int, n: int, level: float = INTERVAL_LEVEL) -> tuple[float, float] | None:
    """Wilson score interval of a proportion (successes out of n); None when n is 0. Unlike the normal
    approximation it stays inside [0, 1] and is not empty at 0/n or n/n, which matters in bins of a few."""
    if n == 0:
        return None
    z = NormalDist().inv_cdf(0.5 + level / 2)
    share = successes / n
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def calibration_table(probabilities: pd.Series, outcomes: pd.Series, bins: int = 5) -> pd.DataFrame:
    """One row per probability bin ([0, 0.2), …, [0.8, 1.0] for 5 bins): how many predictions, their mean
    probability, the share that came true with its 95 % Wilson interval (``frequency_low``,
    ``frequency_high``), and their Brier score. Empty bins are kept (n = 0) so tables line up across dates."""
    edges = bin_edges(bins)
    index = pd.Series([min(int(round(float(p) * bins, 9)), bins - 1) for p in probabilities], dtype="int64")
    rows = []
    for b in range(bins):
        mask = (index == b).to_numpy()
        p, o = probabilities[mask].astype(float), outcomes[mask].astype(float)
        closing = "]" if b == bins - 1 else ")"
        interval = wilson_interval(int(o.sum()), int(mask.sum())) or (None, None)
        rows.append({"bin": f"[{edges[b]:.1f}, {edges[b + 1]:.1f}{closing}", "lower": edges[b],
                     "upper": edges[b + 1], "n": int(mask.sum()),
                     "mean_probability": float(p.mean()) if mask.any() else None,
                     "observed_frequency": float(o.mean()) if mask.any() else None,
                     "frequency_low": interval[0], "frequency_high": interval[1],
                     "brier": brier(p, o)})
    return pd.DataFrame(rows)


def _terms(probabilities: np.ndarray, outcomes: np.ndarray, epsilon: float) -> tuple[np.ndarray, np.ndarray]:
    """Each prediction's Brier and log terms."""
    clipped = np.clip(probabilities, epsilon, 1.0 - epsilon)
    return (probabilities - outcomes) ** 2, np.log(np.where(outcomes == 1.0, clipped, 1.0 - clipped))


def bootstrap_intervals(probabilities: Any, outcomes: Any, epsilon: float = EPSILON,
                        resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED,
                        level: float = INTERVAL_LEVEL) -> dict[str, tuple[float, float] | None]:
    """Percentile bootstrap intervals of the Brier and log scores: ``{"brier": (low, high), "log_score": ...}``,
    None when nothing is scored. The same resamples serve both scores; the seed makes them reproducible."""
    p, o = np.asarray(probabilities, dtype=float), np.asarray(outcomes, dtype=float)
    if not len(p):
        return {"brier": None, "log_score": None}
    picks = np.random.default_rng(seed).integers(0, len(p), size=(resamples, len(p)))
    tail = (1.0 - level) / 2
    out = {}
    for name, terms in zip(("brier", "log_score"), _terms(p, o, epsilon)):
        means = terms[picks].mean(axis=1)
        out[name] = (float(np.quantile(means, tail)), float(np.quantile(means, 1.0 - tail)))
    return out


def _scores(probabilities: np.ndarray, outcomes: np.ndarray, epsilon: float) -> tuple[float | None, float | None]:
    if not len(probabilities):
        return None, None
    b, lg = _terms(probabilities, outcomes, epsilon)
    return float(b.mean()), float(lg.mean())


def _summary(group: pd.DataFrame, epsilon: float = EPSILON) -> dict[str, Any]:
    """Counts, scores with their bootstrap interval, and the scores with every cue at its lexicon bound."""
    scored = group[group["status"].isin(SCORED)]
    p, o = scored["probability"].to_numpy(float), scored["outcome"].to_numpy(float)
    brier_value, log_value = _scores(p, o, epsilon)
    intervals = bootstrap_intervals(p, o, epsilon)
    row = {"n_predictions": len(group), "n_scored": len(scored),
           "mean_probability": float(p.mean()) if len(p) else None,
           "observed_frequency": float(o.mean()) if len(o) else None,
           "brier": brier_value, "brier_low": None, "brier_high": None,
           "log_score": log_value, "log_low": None, "log_high": None}
    for name, short in (("brier", "brier"), ("log_score", "log")):
        if intervals[name] is not None:
            row[f"{short}_low"], row[f"{short}_high"] = intervals[name]
    for bound in ("low", "high"):
        b, lg = _scores(scored[f"lexicon_{bound}"].to_numpy(float), o, epsilon)
        row[f"brier_lexicon_{bound}"], row[f"log_lexicon_{bound}"] = b, lg
    return row


#: The columns of :func:`breakdown` after the grouping column(s).
SUMMARY_COLUMNS = ["n_predictions", "n_scored", "mean_probability", "observed_frequency", "brier", "brier_low",
                   "brier_high", "log_score", "log_low", "log_high", "brier_lexicon_low", "brier_lexicon_high",
                   "log_lexicon_low", "log_lexicon_high"]


def breakdown(items: pd.DataFrame, by: str, labels: dict[str, str] | None = None,
              epsilon: float = EPSILON) -> pd.DataFrame:
    """Scores per value of a column of the per-prediction table (e.g. ``modality``, ``predictor_id``): how many
    predictions, how many scored, and over the scored ones the mean probability, share true, Brier and log with
    their bootstrap intervals (``*_low``, ``*_high``) and with every cue at its lexicon bound (``*_lexicon_*``)."""
    rows = []
    for value, group in items.groupby(items[by].astype(str), sort=True):
        row = {by: value}
        if labels is not None:
            row["name"] = labels.get(value, value)
        rows.append({**row, **_summary(group, epsilon)})
    columns = [by, *(["name"] if labels is not None else []), *SUMMARY_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


def lexicon_sensitivity(items: pd.DataFrame, epsilon: float = EPSILON) -> pd.DataFrame:
    """For each lexicon entry used by a scored prediction, the overall Brier and log scores with that entry's
    probability moved to its low and to its high bound, every other probability unchanged."""
    scored = items[items["status"].isin(SCORED)]
    p, o = scored["probability"].to_numpy(float), scored["outcome"].to_numpy(float)
    rows = []
    for key, group in scored.groupby("lexicon_key", sort=True):
        mask = (scored["lexicon_key"] == key).to_numpy()
        row = {"lexicon_key": key, "n_scored": int(mask.sum()),
               "probability": float(group["probability"].iloc[0]),
               "low": float(group["lexicon_low"].iloc[0]), "high": float(group["lexicon_high"].iloc[0])}
        for bound in ("low", "high"):
            moved = np.where(mask, row[bound], p)
            row[f"brier_at_{bound}"], row[f"log_at_{bound}"] = _scores(moved, o, epsilon)
        rows.append(row)
    return pd.DataFrame(rows, columns=["lexicon_key", "n_scored", "probability", "low", "high", "brier_at_low",
                                       "brier_at_high", "log_at_low", "log_at_high"])


@dataclass
class Scorecard:
    """Scores of a dataset's predictions as of a day, with their uncertainty and what was counted, not scored.

    ``items`` has one row per prediction (status as of the day, predictor, modality, probability and its lexicon
    bounds, outcome 1/0 when scored, its Brier and log terms); ``overall`` is the summary over every predictor
    and ``by_predictor`` the same per predictor (the default view: the author and the people quoted are
    different forecasters); ``calibration``, ``by_modality`` and ``lexicon_sensitivity`` are tables;
    ``warnings`` says when n is too small; ``to_dict()`` is the JSON form ``stancetrack score --json`` prints.
    """

    as_of: dt.date
    dataset_version: str
    items: pd.DataFrame
    counts: dict[str, int]
    calibration: pd.DataFrame
    by_modality: pd.DataFrame
    by_predictor: pd.DataFrame
    overall: dict[str, Any] = field(default_factory=dict)
    lexicon_sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)
    epsilon: float = EPSILON
    bins: int = 5
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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
        """The overall score table: each score with its interval and lexicon bounds, beside the always-0.5
        baseline."""
        o = self.overall
        return pd.DataFrame([
            {"score": "Brier (lower is better)", "value": self.brier, "ci_low": o.get("brier_low"),
             "ci_high": o.get("brier_high"), "lexicon_low": o.get("brier_lexicon_low"),
             "lexicon_high": o.get("brier_lexicon_high"), "baseline_0.5": self.baseline_brier},
            {"score": "log score, mean ln p(outcome) (higher is better)", "value": self.log_score,
             "ci_low": o.get("log_low"), "ci_high": o.get("log_high"), "lexicon_low": o.get("log_lexicon_low"),
             "lexicon_high": o.get("log_lexicon_high"), "baseline_0.5": self.baseline_log_score},
            {"score": "Brier skill vs baseline (higher is better)", "value": self.brier_skill, "ci_low": None,
             "ci_high": None, "lexicon_low": None, "lexicon_high": None,
             "baseline_0.5": 0.0 if self.n_scored else None},
        ])

    def to_dict(self) -> dict[str, Any]:
        def table(frame: pd.DataFrame) -> list[dict[str, Any]]:
            return [{k: plain_value(v) for k, v in row.items()} for row in frame.to_dict("records")]

        scored = self.scored[["prediction_id", "predictor_id", "modality", "lexicon_key", "probability",
                              "status", "outcome", "brier", "log"]]
        return {
            "as_of": self.as_of.isoformat(), "dataset_version": self.dataset_version,
            "n_predictions": len(self.items), "n_scored": self.n_scored,
            "brier": self.brier, "log_score": self.log_score,
            "baseline_brier": self.baseline_brier, "baseline_log_score": self.baseline_log_score,
            "brier_skill": self.brier_skill,
            "log_score_convention": f"mean natural log of the probability given to the realised outcome; higher "
                                    f"is better; probabilities clipped to [{self.epsilon:g}, {1 - self.epsilon:g}]",
            "interval": {"method": "percentile bootstrap over the scored predictions", "level": INTERVAL_LEVEL,
                         "resamples": BOOTSTRAP_RESAMPLES, "seed": BOOTSTRAP_SEED},
            "warnings": list(self.warnings),
            "counts": dict(self.counts),
            "overall": {k: plain_value(v) for k, v in self.overall.items()},
            "by_predictor": table(self.by_predictor),
            "lexicon_sensitivity": table(self.lexicon_sensitivity),
            "calibration": table(self.calibration), "by_modality": table(self.by_modality),
            "scored": table(scored),
            "notes": list(self.notes),
        }


def plain_value(value: Any) -> Any:
    """A value as JSON wants it: None for missing, Python numbers, dates as YYYY-MM-DD."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (pd.Timestamp, dt.date)):
        return value.isoformat()[:10]
    if hasattr(value, "item"):
        return value.item()
    return value


def prediction_items(ds: Dataset, as_of: dt.date, bounds: dict[str, tuple[float, float]] | None = None,
                     epsilon: float = EPSILON) -> pd.DataFrame:
    """One row per prediction: its status as of the day (``overdue``, ``unchecked`` included), predictor,
    modality, probability, its lexicon entry and that entry's bounds, outcome (1/0, only when true/false), and
    its Brier and log terms."""
    bounds = read_bounds() if bounds is None else bounds
    view = ds.prediction_view(as_of)
    keys = [lexicon_key(c, str(m)) for c, m in zip(view["cue"].astype(object), view["modality"].astype(object))]
    items = pd.DataFrame({
        "prediction_id": view["prediction_id"].astype(str),
        "predictor_id": view["predictor_id"].astype(str),
        "modality": view["modality"].astype(str),
        "lexicon_key": keys,
        "probability": view["probability"].astype(float),
        "lexicon_low": [bounds.get(k, (math.nan, math.nan))[0] for k in keys],
        "lexicon_high": [bounds.get(k, (math.nan, math.nan))[1] for k in keys],
        "resolve_by": view["resolve_by"],
        "status": view["status"].astype(str),
        "status_as_of": view["status_as_of"],
        "outcome_id": view["outcome_id"].astype(object),
    })
    outcome = pd.Series([{"true": 1.0, "false": 0.0}.get(s, math.nan) for s in items["status"]],
                        index=items.index, dtype="float64")
    items["outcome"] = outcome
    items["brier"] = (items["probability"] - outcome) ** 2
    clipped = items["probability"].clip(epsilon, 1 - epsilon)
    items["log"] = pd.Series([math.log(q if o == 1.0 else 1.0 - q) if o == o else math.nan
                              for q, o in zip(clipped, outcome)], index=items.index, dtype="float64")
    return items


def _with_predictions(ds: Dataset, predictions: pd.DataFrame) -> Dataset:
    """The dataset with another predictions table (e.g. remapped probabilities), checked to be the same rows."""
    missing = [c for c in ("prediction_id", "probability", "cue", "modality") if c not in predictions.columns]
    if missing:
        raise MismatchedPredictions(f"the predictions table given to score() lacks {', '.join(missing)}: pass "
                                    "ds.predictions or stancetrack.lexicon.remap(ds.predictions, lexicon)")
    given, own = set(predictions["prediction_id"].astype(str)), set(ds.predictions["prediction_id"].astype(str))
    if given != own or len(predictions) != len(ds.predictions):
        extra, lost = sorted(given - own), sorted(own - given)
        raise MismatchedPredictions(f"the predictions table given to score() is not the dataset's predictions "
                                    f"(not in the dataset: {extra[:5] or 'none'}; missing: {lost[:5] or 'none'}; "
                                    f"{len(predictions)} rows for {len(ds.predictions)})")
    probability = pd.to_numeric(predictions["probability"], errors="coerce")
    if probability.isna().any() or ((probability < 0) | (probability > 1)).any():
        raise MismatchedPredictions("every probability of the predictions table given to score() must be a "
                                    "number from 0 to 1")
    order = ds.predictions[["prediction_id"]].merge(predictions[["prediction_id", "probability"]],
                                                    on="prediction_id", how="left")
    merged = ds.predictions.copy()
    merged["probability"] = order["probability"].astype(float).to_numpy()
    return replace(ds, predictions=merged)


def _warnings(overall: dict[str, Any], by_predictor: pd.DataFrame) -> list[str]:
    out = []
    for label, n in [("overall", overall["n_scored"]),
                     *[(f"predictor {p}", int(n)) for p, n in zip(by_predictor["predictor_id"],
                                                                  by_predictor["n_scored"])]]:
        if 0 < n < SMALL_N:
            out.append(f"{label}: only n={n} scored prediction{'s' if n > 1 else ''} (fewer than {SMALL_N}): "
                       "the scores say little, and their bootstrap interval understates the uncertainty"
                       + (" (with n=1 it has width 0)" if n == 1 else ""))
    return out


def score(dataset: Dataset | str | Path | None = None, as_of: DateLike = None, bins: int = 5,
          predictions: pd.DataFrame | None = None, lexicon: str | Path | None = None) -> Scorecard:
    """Score a dataset's predictions as of a day (default: today) against the outcomes known on that day.

    ``dataset`` is a loaded :class:`~stancetrack.Dataset` or a dataset folder (default: see
    :func:`~stancetrack.resources.dataset_path`).
    ``predictions`` replaces the dataset's predictions table for scoring — typically
    ``stancetrack.lexicon.remap(ds.predictions, "my_lexicon.csv")``, the same predictions with probabilities
    from another lexicon; it must hold exactly the dataset's prediction ids
    (:class:`MismatchedPredictions` otherwise). ``lexicon`` is the lexicon CSV whose ``low`` and ``high``
    columns give the bounds of the sensitivity analysis (default: the packaged ``hedge_lexicon.csv``).
    As of a day before any check, nothing is scored and every prediction counts as ``unchecked`` (or
    ``overdue`` once its ``resolve_by`` has passed).
    """
    ds = dataset if isinstance(dataset, Dataset) else load(dataset)
    if predictions is not None:
        ds = _with_predictions(ds, predictions)
    day = pd.Timestamp(parse_day(as_of) if as_of is not None else dt.date.today())
    items = prediction_items(ds, day, read_bounds(lexicon))
    counts = {status: int((items["status"] == status).sum()) for status in STATUS_ORDER}
    counts["total"] = len(items)
    scored = items[items["status"].isin(SCORED)]
    names = dict(zip(ds.actors["actor_id"].astype(str), ds.actors["name"].astype(str)))
    notes = []
    if not len(scored):
        notes.append(f"nothing is scored as of {day.date()}: no prediction is resolved true or false by then")
    if counts["overdue"]:
        notes.append(f"{counts['overdue']} prediction(s) are overdue: resolve_by has passed without a settling "
                     "check (`stancetrack due` lists them); they are not scored until checked")
    overall = _summary(items)
    by_predictor = breakdown(items, "predictor_id", names)
    return Scorecard(as_of=day.date(), dataset_version=ds.version, items=items, counts=counts,
                     calibration=calibration_table(scored["probability"], scored["outcome"], bins),
                     by_modality=breakdown(items, "modality"), by_predictor=by_predictor, overall=overall,
                     lexicon_sensitivity=lexicon_sensitivity(items), bins=bins, notes=notes,
                     warnings=_warnings(overall, by_predictor))
