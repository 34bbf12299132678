"""The report's figures, drawn with matplotlib (the ``plot`` extra), each saved as a PNG.

matplotlib is imported only when a figure is drawn; without it :class:`~stancetrack.errors.MissingExtra` says
what to install. Colours come from the Okabe–Ito palette, which stays distinct for colour-blind readers.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset
from .errors import MissingExtra
from .scoring import Scorecard

POLARITY_COLOURS = {"favor": "#0072B2", "against": "#D55E00", "neutral": "#999999", "mixed": "#CC79A7"}
STATUS_COLOURS = {"true": "#009E73", "false": "#D55E00", "partial": "#E69F00", "annulled": "#999999",
                  "ambiguous": "#CC79A7", "pending": "#56B4E9", "unchecked": "#FFFFFF"}
MODALITY_MARKERS = {"asserted": "o", "hedged": "s", "conditional": "D"}


def pyplot() -> Any:
    """matplotlib's pyplot on the file-only Agg backend, or :class:`MissingExtra` with the install command."""
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingExtra("the report's figures need matplotlib: pip install 'stancetrack[plot]'") from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight", facecolor="white", metadata={"Software": None})
    pyplot().close(fig)
    return path


def _empty(path: Path, title: str, message: str) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 2))
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color="#555555", transform=ax.transAxes)
    return _save(fig, path)


def stance_network(ds: Dataset, path: Path) -> Path:
    """Holders (left) -> targets (right), one arrow per holder, target and polarity, wider for more stances."""
    title = "Stance network: who (left) stands where on whom or what (right)"
    view = ds.stance_view()
    if view.empty:
        return _empty(path, title, "no stances in this dataset version")
    plt = pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    view = view.assign(holder=view["holder"].astype(str), target=view["target"].astype(str),
                       target_type=view["target_type"].astype(str), polarity=view["polarity"].astype(str))
    edges = view.groupby(["holder", "target_type", "target", "polarity"], observed=True).size().rename("n")
    edges = edges.reset_index()
    holders = view["holder"].value_counts().index.tolist()
    targets = (view.groupby(["target_type", "target"]).size().rename("n").reset_index()
               .sort_values(["target_type", "n", "target"], ascending=[True, False, True]))
    rows = max(len(holders), len(targets))
    fig, ax = plt.subplots(figsize=(10, max(4.0, 0.3 * rows + 1.2)))

    def ys(count: int) -> list[float]:  # evenly spread over the height, top to bottom
        return [1.0 - (i + 0.5) / count for i in range(count)]

    holder_y = dict(zip(holders, ys(len(holders))))
    target_y = {(t, n): y for (t, n), y in zip(zip(targets["target_type"], targets["target"]), ys(len(targets)))}
    left, right = 0.0, 1.0
    for pair, group in edges.groupby(["holder", "target_type", "target"]):
        bends = [0.0, 0.06, -0.06, 0.12][: len(group)]
        for bend, (_, edge) in zip(bends, group.iterrows()):
            ax.add_patch(FancyArrowPatch(
                (left + 0.01, holder_y[edge["holder"]]), (right - 0.01, target_y[(edge["target_type"], edge["target"])]),
                connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>", mutation_scale=8 + 2 * edge["n"] ** 0.5,
                linewidth=0.7 + 1.3 * (edge["n"] ** 0.5 - 1), color=POLARITY_COLOURS.get(edge["polarity"], "#000000"),
                alpha=0.5, shrinkA=0, shrinkB=3))
    counts = view["holder"].value_counts()
    for holder, y in holder_y.items():
        ax.plot(left, y, "o", color="#333333", markersize=4)
        ax.text(left - 0.015, y, f"{holder} ({counts[holder]})", ha="right", va="center", fontsize=8)
    for (kind, target), y in target_y.items():
        ax.plot(right, y, "s" if kind == "topic" else "o", color="#333333", markersize=4)
        label = textwrap.shorten(target, 48, placeholder="…")
        ax.text(right + 0.015, y, label, ha="left", va="center", fontsize=8,
                style="italic" if kind == "topic" else "normal")
    polarity_counts = view["polarity"].value_counts()
    handles = [Line2D([0], [0], color=c, linewidth=2.5, label=f"{p} ({polarity_counts.get(p, 0)})")
               for p, c in POLARITY_COLOURS.items()]
    handles += [Line2D([0], [0], marker="o", color="#333333", linestyle="", markersize=4, label="actor"),
                Line2D([0], [0], marker="s", color="#333333", linestyle="", markersize=4, label="topic (italic)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=6, fontsize=8, frameon=False)
    ax.set_xlim(left - 0.05, right + 0.05)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    ax.set_title(f"{title}\n{len(view)} stances, {len(holders)} holders, {len(targets)} targets; "
                 "holder (number of stances); wider arrow = more stances on the pair", loc="left", fontsize=10)
    return _save(fig, path)


def prediction_timeline(ds: Dataset, card: Scorecard, path: Path) -> Path:
    """Each prediction on its own row at its resolve_by date, coloured by its status as of the card's day."""
    title = f"Predictions by resolve-by date, status as of {card.as_of}"
    items = card.items
    if items.empty:
        return _empty(path, title, "no predictions in this dataset version")
    plt = pyplot()
    from matplotlib.lines import Line2D

    propositions = dict(zip(ds.predictions["prediction_id"].astype(str), ds.predictions["proposition"].astype(str)))
    items = items.sort_values(["resolve_by", "prediction_id"], ascending=[False, False]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.27 * len(items) + 1.5)))
    for y, row in items.iterrows():
        ax.scatter(row["resolve_by"], y, s=60, marker=MODALITY_MARKERS.get(row["modality"], "o"),
                   color=STATUS_COLOURS.get(row["status"], "#000000"), edgecolor="#222222", linewidth=0.6, zorder=3)
    labels = [f"{pid}  p={p:.2f}  {textwrap.shorten(propositions.get(pid, ''), 60, placeholder='…')}"
              for pid, p in zip(items["prediction_id"], items["probability"])]
    ax.set_yticks(range(len(items)), labels, fontsize=7.5)
    ax.set_ylim(-0.8, len(items) - 0.2)
    day = pd.Timestamp(card.as_of)
    ax.axvline(day, color="#333333", linestyle="--", linewidth=1)
    ax.annotate(f"as of {card.as_of}", (day, 1.0), xycoords=("data", "axes fraction"), xytext=(3, 2),
                textcoords="offset points", fontsize=8, va="bottom")
    dates = [day, items["resolve_by"].min(), items["resolve_by"].max()]
    if len(ds.documents):
        written = ds.documents["published_latest"].max()
        dates.append(written)
        ax.axvline(written, color="#999999", linestyle=":", linewidth=1)
        ax.annotate(f"article {written:%Y-%m-%d}", (written, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(-3, 2), textcoords="offset points", fontsize=8, va="bottom", ha="right", color="#555555")
    span = max(max(dates) - min(dates), pd.Timedelta(days=90))
    ax.set_xlim(min(dates) - span * 0.04, max(dates) + span * 0.04)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    counts = items["status"].value_counts()
    handles = [Line2D([0], [0], marker="o", linestyle="", markerfacecolor=c, markeredgecolor="#222222",
                      markersize=7, label=f"{s} ({counts.get(s, 0)})")
               for s, c in STATUS_COLOURS.items() if counts.get(s, 0)]
    handles += [Line2D([0], [0], marker=m, linestyle="", color="#666666", markersize=6, label=mod)
                for mod, m in MODALITY_MARKERS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="status as of the day\n(shape: modality)", title_fontsize=8)
    ax.set_title(title, loc="left", fontsize=10, pad=14)
    return _save(fig, path)


def reliability_diagram(card: Scorecard, path: Path) -> Path:
    """Mean probability against the share that came true per bin, with each scored prediction as a tick."""
    title = f"Reliability diagram, as of {card.as_of}"
    scored = card.scored
    if scored.empty:
        return _empty(path, title, f"nothing is scored as of {card.as_of}: no prediction resolved true or false")
    plt = pyplot()
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(5.5, 6.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot([0, 1], [0, 1], linestyle="--", color="#999999", linewidth=1, label="perfect calibration")
    ax.axhline(scored["outcome"].mean(), color="#E69F00", linestyle=":", linewidth=1,
               label=f"share true overall ({scored['outcome'].mean():.2f})")
    filled = card.calibration[card.calibration["n"] > 0]
    ax.plot(filled["mean_probability"], filled["observed_frequency"], "-", color="#0072B2", linewidth=1.2)
    ax.scatter(filled["mean_probability"], filled["observed_frequency"], s=40 + 40 * filled["n"], color="#0072B2",
               edgecolor="white", zorder=3, label="bin: mean p vs share true")
    for _, row in filled.iterrows():
        right = row["mean_probability"] > 0.8
        ax.annotate(f"n={row['n']}", (row["mean_probability"], row["observed_frequency"]), fontsize=8,
                    textcoords="offset points", xytext=(-8 if right else 8, 6 if right else -12),
                    ha="right" if right else "left")
    jitter = (scored["prediction_id"].str[-2:].astype(int) % 5 - 2) * 0.006
    ax.scatter(scored["probability"] + jitter, scored["outcome"] * 1.08 - 0.04, marker="|", s=120,
               color=[STATUS_COLOURS[s] for s in scored["status"]], label="one prediction (top: true, bottom: false)")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.08, 1.08)
    ax.set_ylabel("share resolved true")
    brier = f"Brier {card.brier:.3f} (always-0.5: 0.250)" if card.brier is not None else ""
    ax.set_title(f"{title}\n{card.n_scored} scored predictions; {brier}", loc="left", fontsize=10)
    ax.legend(fontsize=7.5, loc="upper left")
    ax.grid(color="#eeeeee", linewidth=0.6)
    hist.bar((filled["lower"] + filled["upper"]) / 2, filled["n"], width=(filled["upper"] - filled["lower"]) * 0.9,
             color="#56B4E9", edgecolor="#0072B2")
    hist.set_xlabel("probability implied by the wording")
    hist.set_ylabel("scored")
    hist.yaxis.get_major_locator().set_params(integer=True)
    return _save(fig, path)
