"""Inter-annotator agreement on a Label Studio export: span F1 (exact and overlapping) and Krippendorff's alpha.

Only tasks with two or more live (not cancelled) annotations by different annotators count. Spans are compared
pairwise, label by label: *exact* when start and end coincide, *overlap* when they share at least one character
(each span matched once, best overlap first). F1 over a pair is ``2·matched / (spans of A + spans of B)``,
summed over every pair and task (micro average).

Alpha (nominal, from the maintained ``krippendorff`` package) is computed on the values annotators gave to the
same span: polarity and attribution of STANCE spans, modality of PREDICTION spans. Spans are grouped into units
by overlap; a unit coded by fewer than two annotators adds nothing to alpha. Alpha is undefined (None) without
units or when every unit has the same value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from .fields import LABEL_CONTROL, LABELS
from .importer import annotator_name, read_export
from .sdk import require

ALPHA_FIELDS: dict[str, tuple[str, ...]] = {"STANCE": ("polarity", "attribution"), "PREDICTION": ("modality",)}


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int
    answers: tuple[tuple[str, str], ...] = ()

    def overlaps(self, other: "Span") -> int:
        return max(0, min(self.end, other.end) - max(self.start, other.start))

    def answer(self, name: str) -> str | None:
        return dict(self.answers).get(name)


@dataclass
class Agreement:
    tasks: int = 0
    pairs: int = 0
    spans: dict[str, int] = field(default_factory=dict)
    exact: dict[str, int] = field(default_factory=dict)
    overlap: dict[str, int] = field(default_factory=dict)
    alpha: dict[str, float | None] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)

    def f1(self, kind: str, label: str | None = None) -> float | None:
        matched = self.exact if kind == "exact" else self.overlap
        labels = [label] if label else list(LABELS)
        total = sum(self.spans.get(lb, 0) for lb in labels)
        return None if total == 0 else 2 * sum(matched.get(lb, 0) for lb in labels) / total

    def rows(self) -> list[dict[str, Any]]:
        """One row per label (and ``all``): span counts, exact and overlap F1."""
        rows = []
        for label in [*LABELS, None]:
            rows.append({"label": label or "all", "spans": sum(self.spans.get(lb, 0) for lb in ([label] if label
                                                                                                else LABELS)),
                         "f1_exact": self.f1("exact", label), "f1_overlap": self.f1("overlap", label)})
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "pairs": self.pairs, "span_f1": self.rows(),
                "alpha": [{"field": name, "alpha": value, "units": self.units.get(name, 0)}
                          for name, value in self.alpha.items()]}


def spans_of(result: list[dict[str, Any]]) -> list[Span]:
    """The labelled spans of an annotation's result, with their single-choice answers."""
    answers: dict[str, dict[str, str]] = {}
    for item in result:
        if item.get("type") == "choices" and isinstance(item.get("value"), dict):
            chosen = item["value"].get("choices") or []
            if len(chosen) == 1:
                answers.setdefault(str(item.get("id")), {})[item.get("from_name")] = chosen[0]
    spans = []
    for item in result:
        value = item.get("value") or {}
        labels = value.get("labels") or []
        if item.get("type") == "labels" and item.get("from_name") == LABEL_CONTROL and len(labels) == 1:
            own = answers.get(str(item.get("id")), {})
            spans.append(Span(labels[0], value["start"], value["end"], tuple(sorted(own.items()))))
    return spans


def _match(a: list[Span], b: list[Span], exact: bool) -> list[tuple[Span, Span]]:
    """One-to-one matching of same-label spans: exact positions, or largest overlap first."""
    def score(x: Span, y: Span) -> int:
        if x.label != y.label:
            return 0
        return int((x.start, x.end) == (y.start, y.end)) if exact else x.overlaps(y)

    candidates = sorted(((score(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b) if score(x, y) > 0),
                        reverse=True)
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


def _units(coders: dict[str, list[Span]], label: str) -> list[dict[str, Span]]:
    """Spans of one label grouped across annotators: a span joins the first unit it overlaps that lacks its coder."""
    units: list[dict[str, Span]] = []
    for coder, spans in coders.items():
        for span in sorted((s for s in spans if s.label == label), key=lambda s: (s.start, s.end)):
            for unit in units:
                if coder not in unit and any(span.overlaps(other) for other in unit.values()):
                    unit[coder] = span
                    break
            else:
                units.append({coder: span})
    return units


def agreement(source: Any, annotator_names: dict[Any, str] | None = None) -> Agreement:
    """Span F1 and Krippendorff's alpha over every task of an export with two or more annotators."""
    tasks = read_export(source)
    result = Agreement()
    reliability: dict[str, list[dict[str, str]]] = {name: [] for names in ALPHA_FIELDS.values() for name in names}
    coders_seen: list[str] = []
    for task in tasks:
        coders: dict[str, list[Span]] = {}
        for annotation in task.get("annotations") or []:
            if annotation.get("was_cancelled"):
                continue
            coder = annotator_name(annotation, annotator_names)
            coders.setdefault(coder, spans_of(annotation.get("result") or []))
        if len(coders) < 2:
            continue
        result.tasks += 1
        coders_seen += [c for c in coders if c not in coders_seen]
        for (_, a), (_, b) in combinations(coders.items(), 2):
            result.pairs += 1
            for label in LABELS:
                xa, xb = [s for s in a if s.label == label], [s for s in b if s.label == label]
                result.spans[label] = result.spans.get(label, 0) + len(xa) + len(xb)
                result.exact[label] = result.exact.get(label, 0) + len(_match(xa, xb, exact=True))
                result.overlap[label] = result.overlap.get(label, 0) + len(_match(xa, xb, exact=False))
        for label, names in ALPHA_FIELDS.items():
            for unit in _units(coders, label):
                if len(unit) < 2:
                    continue
                for name in names:
                    values = {c: s.answer(name) for c, s in unit.items() if s.answer(name) is not None}
                    if len(values) >= 2:
                        reliability[name].append(values)
    for name, units in reliability.items():
        result.units[name] = len(units)
        result.alpha[name] = _alpha(units, coders_seen)
    return result


def _alpha(units: list[dict[str, str]], coders: list[str]) -> float | None:
    """Nominal Krippendorff's alpha over units (coder -> value); None when it is undefined (no unit, or a single
    value throughout, where the expected disagreement is zero)."""
    values = sorted({v for unit in units for v in unit.values()})
    if len(values) < 2:
        return None
    krippendorff = require("krippendorff")
    np = require("numpy")
    code = {v: i for i, v in enumerate(values)}
    matrix = np.full((len(coders), len(units)), np.nan)
    for j, unit in enumerate(units):
        for coder, value in unit.items():
            matrix[coders.index(coder), j] = code[value]
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))
