"""The report's figures, drawn with matplotlib (the ``plot`` extra), each saved as a PNG.

matplotlib is imported only when a figure is drawn; without it :class:`~stancetrack.errors.MissingExtra` says
what to install. Every colour comes from :mod:`stancetrack.palette` (Okabe–Ito, distinct for colour-blind
readers), which the HTML page shares.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pandas as pd

from .dataset import Dataset
from .errors import MissingExtra
from .palette import (FAINT, GRID, INK, MODALITY_MARKERS, MUTED, OKABE_ITO, OVERDUE_EDGE, POLARITY_COLOURS,
                      REFERENCE, RULE, SCORE_COLOUR, SCORE_LIGHT, STATUS_COLOURS, WHITE)
from .scoring import Scorecard

#: The attributions of a stance, in the matrix's panels: the author's own stances apart from the others'.
ATTRIBUTION_PANELS = {"authorial": "the author's own (authorial)", "ascribed": "ascribed by the author",
                      "reported": "reported statements"}


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
    fig.savefig(path, dpi=110, bbox_inches="tight", facecolor=WHITE, metadata={"Software": None})
    pyplot().close(fig)
    return path


def _empty(path: Path, title: str, message: str) -> Path:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 2))
    ax.set_axis_off()
    ax.set_title(title, loc="left", fontsize=11)
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, color=MUTED, transform=ax.transAxes)
    return _save(fig, path)


def _stances(ds: Dataset) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stances with names as plain text, and their targets (type, name, count) in the order both stance
    figures list them: actors then topics, the most frequent first."""
    view = ds.stance_view()
    view = view.assign(**{c: view[c].astype(str) for c in ("holder", "target", "target_type", "polarity",
                                                            "attribution")})
    targets = (view.groupby(["target_type", "target"]).size().rename("n").reset_index()
               .sort_values(["target_type", "n", "target"], ascending=[True, False, True]))
    return view, targets


def stance_matrix(ds: Dataset, path: Path) -> Path:
    """Targets (rows) × holders (columns), one panel per attribution: the author's own stances apart from those
    the author ascribes to others or reports. A cell is coloured by its stances' polarity (``mixed`` when they
    disagree), paler for fewer, and shows how many stances it holds."""
    title = "Stances: who (columns) stands where on whom or what (rows), by attribution"
    view, targets = _stances(ds)
    if view.empty:
        return _empty(path, title, "no stances in this dataset version")
    plt = pyplot()
    from matplotlib.patches import Patch, Rectangle

    rows = {(kind, name): i for i, (kind, name) in enumerate(zip(targets["target_type"], targets["target"]))}
    panels = [a for a in ATTRIBUTION_PANELS if (view["attribution"] == a).any()]
    holders = {a: view[view["attribution"] == a]["holder"].value_counts().index.tolist() for a in panels}
    fig, axes = plt.subplots(1, len(panels), sharey=True, squeeze=False,
                             figsize=(3.2 + 0.3 * sum(len(h) for h in holders.values()) + 0.9 * len(panels),
                                      1.8 + 0.24 * len(rows)),
                             gridspec_kw={"width_ratios": [max(len(holders[a]), 2) for a in panels], "wspace": 0.08})
    cells = view.groupby(["attribution", "holder", "target_type", "target"])["polarity"].agg(list)
    largest = cells.map(len).max()
    for ax, attribution in zip(axes[0], panels):
        columns = {h: i for i, h in enumerate(holders[attribution])}
        for (_, holder, kind, target), polarities in cells[cells.index.get_level_values(0) == attribution].items():
            polarity = polarities[0] if len(set(polarities)) == 1 else "mixed"
            x, y = columns[holder], rows[(kind, target)]
            ax.add_patch(Rectangle((x - 0.45, y - 0.45), 0.9, 0.9, color=POLARITY_COLOURS[polarity],
                                   alpha=0.35 + 0.65 * len(polarities) / largest, linewidth=0))
            ax.text(x, y, str(len(polarities)), ha="center", va="center", fontsize=7,
                    color=WHITE if len(polarities) / largest > 0.4 and polarity != "neutral" else INK)
        ax.set_xlim(-0.5, len(columns) - 0.5)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xticks(range(len(columns)), [textwrap.shorten(h, 24, placeholder="…") for h in columns],
                      rotation=90, fontsize=7.5)
        ax.set_title(f"{ATTRIBUTION_PANELS[attribution]}\n{int((view['attribution'] == attribution).sum())} "
                     "stances", fontsize=9)
        ax.set_xticks([i + 0.5 for i in range(len(columns))], minor=True)
        ax.set_yticks([i + 0.5 for i in range(len(rows))], minor=True)
        ax.grid(which="minor", color=GRID, linewidth=0.6)
        ax.tick_params(which="minor", length=0)
        ax.set_xlabel("holder", fontsize=8.5)
    first = axes[0][0]
    first.set_yticks(range(len(rows)), [textwrap.shorten(name, 48, placeholder="…") + (" (topic)" if kind == "topic"
                                                                                       else "")
                                        for kind, name in rows], fontsize=7.5)
    first.set_ylabel("target: an actor, or a topic", fontsize=8.5)
    counts = view["polarity"].value_counts()
    handles = [Patch(color=c, label=f"{p} ({counts.get(p, 0)})" + (", or a cell whose stances differ"
                                                                   if p == "mixed" else ""))
               for p, c in POLARITY_COLOURS.items()]
    fig.legend(handles=handles, loc="lower center", ncol=4, fontsize=8, frameon=False, bbox_to_anchor=(0.5, -0.02))
    fig.suptitle(f"{title}\nthe number is the cell's stances; darker = more", x=0.01, ha="left", fontsize=10)
    fig.subplots_adjust(bottom=0.16)
    return _save(fig, path)


def stance_network(ds: Dataset, path: Path) -> Path:
    """Holders (left) -> targets (right), one arrow per holder, target and polarity, wider for more stances."""
    title = "Stance network: who (left) stands where on whom or what (right)"
    view, targets = _stances(ds)
    if view.empty:
        return _empty(path, title, "no stances in this dataset version")
    plt = pyplot()
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    edges = view.groupby(["holder", "target_type", "target", "polarity"], observed=True).size().rename("n")
    edges = edges.reset_index()
    holders = view["holder"].value_counts().index.tolist()
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
                linewidth=0.7 + 1.3 * (edge["n"] ** 0.5 - 1), color=POLARITY_COLOURS.get(edge["polarity"], INK),
                alpha=0.5, shrinkA=0, shrinkB=3))
    counts = view["holder"].value_counts()
    for holder, y in holder_y.items():
        ax.plot(left, y, "o", color=INK, markersize=4)
        ax.text(left - 0.015, y, f"{holder} ({counts[holder]})", ha="right", va="center", fontsize=8)
    for (kind, target), y in target_y.items():
        ax.plot(right, y, "s" if kind == "topic" else "o", color=INK, markersize=4)
        label = textwrap.shorten(target, 48, placeholder="…")
        ax.text(right + 0.015, y, label, ha="left", va="center", fontsize=8,
                style="italic" if kind == "topic" else "normal")
    polarity_counts = view["polarity"].value_counts()
    handles = [Line2D([0], [0], color=c, linewidth=2.5, label=f"{p} ({polarity_counts.get(p, 0)})")
               for p, c in POLARITY_COLOURS.items()]
    handles += [Line2D([0], [0], marker="o", color=INK, linestyle="", markersize=4, label="actor"),
                Line2D([0], [0], marker="s", color=INK, linestyle="", markersize=4, label="topic (italic)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=6, fontsize=8, frameon=False)
    ax.set_xlim(left - 0.05, right + 0.05)
    ax.set_ylim(0, 1)
    ax.set_axis_off()
    ax.set_title(f"{title}\n{len(view)} stances, {len(holders)} holders, {len(targets)} targets; "
                 "holder (number of stances); wider arrow = more stances on the pair", loc="left", fontsize=10)
    return _save(fig, path)


#: How many targets the stance timeline draws at most (one Okabe–Ito colour each, black aside).
TIMELINE_TARGETS = 7


def stance_timeline(ds: Dataset, path: Path) -> Path:
    """Net stance toward each of the most discussed targets, per publication date of the documents: one line per
    target found in more than one date window (at most :data:`TIMELINE_TARGETS`, the most stances first),
    every holder counted; a point's size is its number of stances, its x the start of its window (a bar spans a
    window of several days). ``Dataset.stance_timeline`` gives the numbers for any holder and target."""
    title = "Net stance toward the most discussed targets, by document date (every holder)"
    names = {**dict(zip(ds.actors["actor_id"].astype(str), ds.actors["name"].astype(str))),
             **dict(zip(ds.topics["topic_id"].astype(str), ds.topics["label"].astype(str)))}
    timelines = {}
    for target, count in ds.stances["target_id"].astype(str).value_counts().items():
        timeline = ds.stance_timeline(target=target)
        if (timeline["stances"] > 0).sum() > 1:
            timelines[target] = timeline[timeline["stances"] > 0]
        if len(timelines) == TIMELINE_TARGETS:
            break
    if not timelines:
        return _empty(path, title, "no target has stances in more than one document date")
    plt = pyplot()
    colours = [c for name, c in OKABE_ITO.items() if name != "black"]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    for colour, (target, timeline) in zip(colours, timelines.items()):
        ax.plot(timeline["date"], timeline["net"].astype(float), color=colour, linewidth=1.4, zorder=2,
                label=f"{textwrap.shorten(names.get(target, target), 40, placeholder='…')} "
                      f"({int(timeline['stances'].sum())})")
        ax.scatter(timeline["date"], timeline["net"].astype(float), s=12 + 6 * timeline["stances"], color=colour,
                   edgecolor=INK, linewidth=0.5, zorder=3)
        for _, row in timeline[timeline["date_latest"] > timeline["date"]].iterrows():
            ax.plot([row["date"], row["date_latest"]], [row["net"], row["net"]], color=colour, linewidth=3,
                    alpha=0.5, solid_capstyle="butt", zorder=1)
    ax.axhline(0, color=FAINT, linewidth=0.8)
    ax.set_ylim(-1.1, 1.1)
    ax.set_ylabel("net stance: (favor − against) / stances", fontsize=9)
    ax.set_xlabel("publication date of the documents (start of the window)", fontsize=9)
    ax.grid(color=RULE, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_title(title, loc="left", fontsize=11)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="target (stances)", title_fontsize=8)
    fig.autofmt_xdate()
    return _save(fig, path)


def prediction_timeline(ds: Dataset, card: Scorecard, path: Path) -> Path:
    """Each prediction on its own row at its resolve_by date, coloured by its status as of the card's day; an
    overdue prediction (resolve_by passed without a settling check) gets a thick outline and a bar from its
    resolve_by date to the day, the time it has been waiting for a check."""
    title = f"Predictions by resolve-by date, status as of {card.as_of}"
    items = card.items
    if items.empty:
        return _empty(path, title, "no predictions in this dataset version")
    plt = pyplot()
    from matplotlib.lines import Line2D

    propositions = dict(zip(ds.predictions["prediction_id"].astype(str), ds.predictions["proposition"].astype(str)))
    items = items.sort_values(["resolve_by", "prediction_id"], ascending=[False, False]).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, max(3.0, 0.27 * len(items) + 1.8)))
    day = pd.Timestamp(card.as_of)
    for y, row in items.iterrows():
        overdue = row["status"] == "overdue"
        if overdue:
            ax.plot([row["resolve_by"], day], [y, y], color=STATUS_COLOURS["overdue"], linewidth=3, alpha=0.8,
                    solid_capstyle="butt", zorder=2)
        ax.scatter(row["resolve_by"], y, s=70 if overdue else 60, marker=MODALITY_MARKERS.get(row["modality"], "o"),
                   color=STATUS_COLOURS.get(row["status"], INK), edgecolor=OVERDUE_EDGE if overdue else INK,
                   linewidth=1.8 if overdue else 0.6, zorder=3)
    labels = [f"{pid}  p={p:.2f}  {textwrap.shorten(propositions.get(pid, ''), 60, placeholder='…')}"
              for pid, p in zip(items["prediction_id"], items["probability"])]
    ax.set_yticks(range(len(items)), labels, fontsize=7.5)
    for tick, status in zip(ax.get_yticklabels(), items["status"]):
        if status == "overdue":
            tick.set_fontweight("bold")
    ax.set_ylim(-0.8, len(items) - 0.2)
    ax.axvline(day, color=INK, linestyle="--", linewidth=1)
    ax.annotate(f"as of {card.as_of}", (day, 1.0), xycoords=("data", "axes fraction"), xytext=(3, 2),
                textcoords="offset points", fontsize=8, va="bottom")
    dates = [day, items["resolve_by"].min(), items["resolve_by"].max()]
    if len(ds.documents):
        written = ds.documents["published_latest"].max()
        dates.append(written)
        ax.axvline(written, color=FAINT, linestyle=":", linewidth=1)
        ax.annotate(f"article {written:%Y-%m-%d}", (written, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(-3, 2), textcoords="offset points", fontsize=8, va="bottom", ha="right", color=MUTED)
    span = max(max(dates) - min(dates), pd.Timedelta(days=90))
    ax.set_xlim(min(dates) - span * 0.04, max(dates) + span * 0.04)
    ax.grid(axis="x", color=RULE, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.set_xlabel("resolve-by date (the prediction's horizon)", fontsize=9)
    ax.set_ylabel("prediction: id, implied probability, proposition", fontsize=9)
    counts = items["status"].value_counts()
    handles = [Line2D([0], [0], marker="o", linestyle="", markerfacecolor=c, markersize=7,
                      markeredgecolor=OVERDUE_EDGE if s == "overdue" else INK,
                      markeredgewidth=1.8 if s == "overdue" else 0.6, label=f"{s} ({counts.get(s, 0)})")
               for s, c in STATUS_COLOURS.items() if counts.get(s, 0)]
    if counts.get("overdue", 0):
        handles.append(Line2D([0], [0], color=STATUS_COLOURS["overdue"], linewidth=3,
                              label="overdue: waiting since resolve_by"))
    handles += [Line2D([0], [0], marker=m, linestyle="", color=MUTED, markersize=6, label=mod)
                for mod, m in MODALITY_MARKERS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False,
              title="status as of the day\n(shape: modality)", title_fontsize=8)
    ax.set_title(title, loc="left", fontsize=10, pad=14)
    return _save(fig, path)


def reliability_diagram(card: Scorecard, path: Path) -> Path:
    """Mean probability against the share that came true per bin, with the share's 95 % Wilson interval as a
    bar, and each scored prediction as a tick."""
    title = f"Reliability diagram, as of {card.as_of}"
    scored = card.scored
    if scored.empty:
        return _empty(path, title, f"nothing is scored as of {card.as_of}: no prediction resolved true or false")
    plt = pyplot()
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(8.0, 6.2), sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    ax.plot([0, 1], [0, 1], linestyle="--", color=FAINT, linewidth=1, label="perfect calibration")
    ax.axhline(scored["outcome"].mean(), color=REFERENCE, linestyle=":", linewidth=1,
               label=f"share true overall ({scored['outcome'].mean():.2f})")
    filled = card.calibration[card.calibration["n"] > 0]
    ax.errorbar(filled["mean_probability"], filled["observed_frequency"],
                yerr=[filled["observed_frequency"] - filled["frequency_low"],
                      filled["frequency_high"] - filled["observed_frequency"]],
                fmt="none", ecolor=SCORE_COLOUR, elinewidth=1.2, capsize=4, zorder=2,
                label="95% Wilson interval of the share")
    ax.plot(filled["mean_probability"], filled["observed_frequency"], "-", color=SCORE_COLOUR, linewidth=1.2)
    ax.scatter(filled["mean_probability"], filled["observed_frequency"], s=40 + 40 * filled["n"],
               color=SCORE_COLOUR, edgecolor=WHITE, zorder=3, label="bin: mean p vs share true")
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
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    ax.grid(color=GRID, linewidth=0.6)
    hist.bar((filled["lower"] + filled["upper"]) / 2, filled["n"], width=(filled["upper"] - filled["lower"]) * 0.9,
             color=SCORE_LIGHT, edgecolor=SCORE_COLOUR)
    hist.set_xlabel("probability implied by the wording")
    hist.set_ylabel("scored")
    hist.yaxis.get_major_locator().set_params(integer=True)
    return _save(fig, path)
