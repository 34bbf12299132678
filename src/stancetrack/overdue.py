"""What needs checking: the predictions whose horizon has passed without a settling check, soonest first.

    stancetrack.due(as_of="2026-11-30")          # or: stancetrack due --as-of 2026-11-30
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .dataset import Dataset, DateLike, load
from .errors import InvalidOutcome
from .outcomes import SETTLING, parse_day


def due(dataset: Dataset | str | Path | None = None, as_of: DateLike = None, within: int = 0) -> pd.DataFrame:
    """The predictions that need checking as of a day (default: today), soonest ``resolve_by`` first.

    Those whose ``resolve_by`` is before the day without a settling check (status ``overdue`` in
    :meth:`~stancetrack.Dataset.prediction_view`), and with ``within`` > 0 also the open ones due in the next
    ``within`` days (``resolve_by`` from the day to ``within`` days later). One row each: ``prediction_id``,
    ``predictor_id``, ``resolve_by``, ``days_overdue`` (negative: days left), ``status``, the current check
    (``checked_status``, ``outcome_id``, ``status_as_of``) and the ``proposition``. ``dataset`` is a
    :class:`~stancetrack.Dataset` or a dataset folder (default: see :func:`~stancetrack.resources.dataset_path`).
    """
    ds = dataset if isinstance(dataset, Dataset) else load(dataset)
    day = pd.Timestamp(parse_day(as_of) if as_of is not None else dt.date.today())
    if not isinstance(within, int) or isinstance(within, bool) or within < 0:
        raise InvalidOutcome(f"within must be a whole number of days, 0 or more, not {within!r}")
    view = ds.prediction_view(day)
    open_soon = (within > 0) & (~view["checked_status"].isin(SETTLING)) & (view["resolve_by"] >= day) & (
        view["resolve_by"] <= day + pd.Timedelta(days=within))
    rows = view[(view["status"] == "overdue") | open_soon].copy()
    rows["days_overdue"] = (day - rows["resolve_by"]).dt.days.astype("int64")
    columns = ["prediction_id", "predictor_id", "resolve_by", "days_overdue", "status", "checked_status",
               "outcome_id", "status_as_of", "proposition"]
    return rows.sort_values(["resolve_by", "prediction_id"])[columns].reset_index(drop=True)
