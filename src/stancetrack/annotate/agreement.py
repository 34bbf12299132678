"""Inter-annotator agreement between Label Studio annotations: span F1 (exact and overlapping) and Krippendorff's
alpha, and the list of disagreements an adjudicator has to decide.

Three ways to pair annotators, one computation:

- one export whose tasks carry annotations by two or more annotators (``agreement(export)``);
- two exports of the same tasks, one annotator each (``compare(first, second)``): tasks are joined on their
  document and segment (Label Studio task ids differ between projects), each export's authoritative annotation
  (ground truth, else the most recent live one) is its coder;
- an export and a dataset (``compare(export, dataset_export(folder))``): the dataset's records become an export
  through the same task builder ``stancetrack annotate tasks`` uses.

Only tasks coded by two or more coders count. Spans are compared pairwise, label by label: *exact* when start and
end coincide, *overlap* when they share at least one character. Each span is matched once, records aligned
before they are compared: among the spans that coincide (or overlap), the pairs whose categorical answers agree
most come first, then the largest overlap (several stance records often share a clause, with different holders
or targets; pairing the author's record with another holder's only because their spans overlap more would count
two disagreements where there is none). Alpha therefore measures how the passes code the records they align;
records that find no partner count against span F1 and are listed as disagreements. F1 over a pair is
``2·matched / (spans of A + spans of B)``, summed over every pair and task (micro average).

Alpha (from the maintained ``krippendorff`` package) is computed on the values coders gave to the same matched
span, one field at a time (``ALPHA_FIELDS``): nominal for every field, ordinal for intensity. Spans are grouped into
units by the same overlap matching; a unit coded by fewer than two coders adds nothing to a field's alpha. Alpha is
undefined (None) without units or when every unit has the same value.

A *disagreement* (two coders only) is a span only one coder has, or a matched pair whose boundaries or
categorical answers differ (``COMPARED``); free-text fields (gloss, claim, proposition, criteria, condition) are
written by each annotator in their own words and are not compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from ..errors import ErrorRecord, RefusedImport
from .fields import FIELDS, LABEL_CONTROL, LABELS
from .annotations import SOURCE, annotator_name, authoritative_annotation, read_export
from .offsets import OffsetError, OffsetMap
from .sdk import require
from .tasks import build_tasks, task_key

#: Fields whose agreement is measured, per span label: (control name, level of measurement).
ALPHA_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ACTOR": (("actor", "nominal"),),
    "STANCE": (("holder", "nominal"), ("target", "nominal"), ("polarity", "nominal"), ("intensity", "ordinal"),
               ("attribution", "nominal")),
    "PREDICTION": (("predictor", "nominal"), ("modality", "nominal")),
}
#: Answers compared when listing disagreements: every choice field, plus the cue and the date.
COMPARED: dict[str, tuple[str, ...]] = {
    label: tuple(f.name for f in FIELDS if f.label == label and (f.kind in ("choices", "datetime") or f.name == "cue"))
    for label in LABELS
}


@dataclass(frozen=True)
class Span:
    label: str
    start: int
    end: int
    answers: tuple[tuple[str, str], ...] = ()
    region_id: str | None = None

    def overlaps(self, other: "Span") -> int:
        return max(0, min(self.end, other.end) - max(self.start, other.start))

    def answer(self, name: str) -> str | None:
        return dict(self.answers).get(name)

    def agreeing(self, other: "Span") -> int:
        """How many categorical answers the two spans share."""
        return sum(1 for name in COMPARED.get(self.label, ()) if self.answer(name) is not None
                   and self.answer(name) == other.answer(name))


@dataclass(frozen=True)
class Disagreement:
    """One item to adjudicate: where (task and span), what each coder had, and how they differ."""

    document_id: str | None
    segment_id: str | None
    label: str
    kind: str                 # only-first | only-second | boundaries | answers | boundaries+answers
    first: dict[str, Any] | None
    second: dict[str, Any] | None
    fields: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "segment_id": self.segment_id, "label": self.label,
                "kind": self.kind, "fields": list(self.fields), "first": self.first, "second": self.second}


@dataclass
class Agreement:
    tasks: int = 0
    pairs: int = 0
    coders: list[str] = field(default_factory=list)
    spans: dict[str, int] = field(default_factory=dict)
    exact: dict[str, int] = field(default_factory=dict)
    overlap: dict[str, int] = field(default_factory=dict)
    alpha: dict[str, float | None] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)

    def f1(self, kind: str, label: str | None = None) -> float | None:
        matched = self.exact if kind == "exact" else self.overlap
        labels = [label] if label else list(LABELS)
        total = sum(self.spans.get(lb, 0) for lb in labels)
        return None if total == 0 else 2 * sum(matched.get(lb, 0) for lb in labels) / total

    def rows(self) -> list[dict[str, Any]]:
        """One row per label (and ``all``): span counts, exact and overlap F1."""
        rows = []
        for label in [*LABELS, None]:
            labels = [label] if label else list(LABELS)
            rows.append({"label": label or "all", "spans": sum(self.spans.get(lb, 0) for lb in labels),
                         "f1_exact": self.f1("exact", label), "f1_overlap": self.f1("overlap", label)})
        return rows

    def alpha_rows(self) -> list[dict[str, Any]]:
        return [{"field": name, "level": level, "alpha": self.alpha.get(name), "units": self.units.get(name, 0)}
                for name, level in _alpha_fields()]

    def to_dict(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "pairs": self.pairs, "coders": self.coders, "span_f1": self.rows(),
                "alpha": self.alpha_rows(), "disagreements": len(self.disagreements)}


def _alpha_fields() -> list[tuple[str, str]]:
    return [pair for pairs in ALPHA_FIELDS.values() for pair in pairs]


def spans_of(result: list[dict[str, Any]]) -> list[Span]:
    """The labelled spans of an annotation's result, with their single answers (one choice, a date, a text)."""
    answers: dict[str, dict[str, str]] = {}
    for item in result:
        value = item.get("value") if isinstance(item.get("value"), dict) else {}
        kind, name, own = item.get("type"), item.get("from_name"), answers.setdefault(str(item.get("id")), {})
        if kind == "choices":
            chosen = value.get("choices") or []
            if len(chosen) == 1:
                own[name] = str(chosen[0])
            elif chosen:
                own[name] = "|".join(sorted(str(c) for c in chosen))  # a multiple choice, order-free
        elif kind == "datetime" and isinstance(value.get("datetime"), str):
            own[name] = value["datetime"][:10]
        elif kind == "textarea":
            texts = value.get("text") or []
            texts = [t.strip() for t in (texts if isinstance(texts, list) else [texts]) if str(t).strip()]
            if len(texts) == 1:
                own[name] = texts[0]
    spans = []
    for item in result:
        value = item.get("value") or {}
        labels = value.get("labels") or []
        if item.get("type") == "labels" and item.get("from_name") == LABEL_CONTROL and len(labels) == 1:
            own = answers.get(str(item.get("id")), {})
            spans.append(Span(labels[0], value["start"], value["end"], tuple(sorted(own.items())),
                              str(item.get("id"))))
    return spans


def _match(a: list[Span], b: list[Span], exact: bool) -> list[tuple[Span, Span]]:
    """One-to-one matching of same-label spans that coincide (exact) or overlap: the pairs whose categorical
    answers agree most come first, then the largest overlap (records are aligned before they are compared)."""
    def score(x: Span, y: Span) -> tuple[int, int]:
        if x.label != y.label:
            return (0, 0)
        hit = int((x.start, x.end) == (y.start, y.end)) if exact else x.overlaps(y)
        return (hit, x.agreeing(y)) if hit else (0, 0)

    candidates = sorted(((score(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)
                         if score(x, y)[0] > 0), key=lambda c: (-c[0][1], -c[0][0], c[1], c[2]))
    used_a, used_b, pairs = set(), set(), []
    for _, i, j in candidates:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((a[i], b[j]))
    return pairs


def _units(coders: dict[str, list[Span]], label: str) -> list[dict[str, Span]]:
    """Spans of one label grouped across coders by the same matching: each coder's spans are matched one-to-one
    to the units so far (by their first span); the unmatched ones start new units."""
    units: list[dict[str, Span]] = []
    for coder, spans in coders.items():
        mine = sorted((s for s in spans if s.label == label), key=lambda s: (s.start, s.end))
        heads = [next(iter(u.values())) for u in units]
        matched = {id(y): x for x, y in _match(heads, mine, exact=False)}
        for span in mine:
            head = matched.get(id(span))
            if head is not None:
                next(u for u in units if next(iter(u.values())) is head)[coder] = span
            else:
                units.append({coder: span})
    return units


def _coded(task: dict[str, Any], names: dict[Any, str] | None) -> dict[str, list[Span]]:
    coders: dict[str, list[Span]] = {}
    for annotation in task.get("annotations") or []:
        if annotation.get("was_cancelled"):
            continue
        coder = annotator_name(annotation, names)
        coders.setdefault(coder, spans_of(annotation.get("result") or []))
    return coders


def _measure(tasks: list[tuple[dict[str, Any], dict[str, list[Span]]]], list_disagreements: bool) -> Agreement:
    result = Agreement()
    reliability: dict[str, list[dict[str, str]]] = {name: [] for name, _ in _alpha_fields()}
    for data, coders in tasks:
        if len(coders) < 2:
            continue
        result.tasks += 1
        result.coders += [c for c in coders if c not in result.coders]
        for (_, a), (_, b) in combinations(coders.items(), 2):
            result.pairs += 1
            for label in LABELS:
                xa, xb = [s for s in a if s.label == label], [s for s in b if s.label == label]
                result.spans[label] = result.spans.get(label, 0) + len(xa) + len(xb)
                result.exact[label] = result.exact.get(label, 0) + len(_match(xa, xb, exact=True))
                result.overlap[label] = result.overlap.get(label, 0) + len(_match(xa, xb, exact=False))
        for label, pairs in ALPHA_FIELDS.items():
            for unit in _units(coders, label):
                if len(unit) < 2:
                    continue
                for name, _ in pairs:
                    values = {c: s.answer(name) for c, s in unit.items() if s.answer(name) is not None}
                    if len(values) >= 2:
                        reliability[name].append(values)
        if list_disagreements and len(coders) == 2:
            result.disagreements += _disagreements(data, *coders.values())
    levels = dict(_alpha_fields())
    for name, units in reliability.items():
        result.units[name] = len(units)
        result.alpha[name] = _alpha(units, result.coders, levels[name])
    return result


def _disagreements(data: dict[str, Any], first: list[Span], second: list[Span]) -> list[Disagreement]:
    text, offset = data.get("text"), data.get("offset")
    offsets = OffsetMap(text) if isinstance(text, str) else None

    def where(span: Span) -> dict[str, Any]:
        out: dict[str, Any] = {"region_id": span.region_id, **dict(span.answers)}
        if offsets is not None and isinstance(offset, int):
            try:
                start, end = offsets.to_codepoint(span.start), offsets.to_codepoint(span.end)
            except OffsetError:
                return out
            out.update(start=offset + start, end=offset + end, quote=text[start:end])
        return out

    doc, seg = data.get("document_id"), data.get("segment_id")
    found = []
    for label in LABELS:
        xa, xb = [s for s in first if s.label == label], [s for s in second if s.label == label]
        pairs = _match(xa, xb, exact=False)
        paired_a, paired_b = {id(x) for x, _ in pairs}, {id(y) for _, y in pairs}
        for x, y in pairs:
            fields = tuple(n for n in COMPARED[label] if x.answer(n) != y.answer(n))
            moved = (x.start, x.end) != (y.start, y.end)
            if moved or fields:
                kind = "boundaries+answers" if moved and fields else ("boundaries" if moved else "answers")
                found.append(Disagreement(doc, seg, label, kind, where(x), where(y), fields))
        found += [Disagreement(doc, seg, label, "only-first", where(x), None) for x in xa if id(x) not in paired_a]
        found += [Disagreement(doc, seg, label, "only-second", None, where(y)) for y in xb if id(y) not in paired_b]
    return found


def agreement(source: Any, annotator_names: dict[Any, str] | None = None) -> Agreement:
    """Span F1 and Krippendorff's alpha over every task of one export that two or more annotators coded."""
    return _measure([(t.get("data") or {}, _coded(t, annotator_names)) for t in read_export(source)], False)


def compare(first: Any, second: Any, names: tuple[str, str] = ("first", "second")) -> Agreement:
    """Agreement between two exports of the same tasks (or an export and :func:`dataset_export`), one coder each,
    with the list of disagreements. Tasks are joined on document and segment; a task missing from either side,
    or coded in neither, is refused rather than silently dropped."""
    sides = [read_export(first), read_export(second)]
    keyed: list[dict[tuple[str, str], dict[str, Any]]] = []
    for position, tasks in enumerate(sides):
        by_key: dict[tuple[str, str], dict[str, Any]] = {}
        for task in tasks:
            data = task.get("data") if isinstance(task, dict) else None
            if not isinstance(data, dict) or "segment_id" not in data:
                raise _refused(f"{names[position]}: task {task.get('id') if isinstance(task, dict) else task!r} "
                               "has no data.segment_id (export tasks built by `stancetrack annotate tasks`)")
            by_key[task_key(data)] = task
        keyed.append(by_key)
    if set(keyed[0]) != set(keyed[1]):
        only = sorted(set(keyed[0]) ^ set(keyed[1]))
        raise _refused(f"the two exports hold different tasks ({', '.join('/'.join(k) for k in only[:5])}…): "
                       "export both from tasks of the same dataset version")
    joined = []
    for key, task in keyed[0].items():
        other = keyed[1][key]
        if (task["data"].get("text"), task["data"].get("offset")) != (other["data"].get("text"),
                                                                        other["data"].get("offset")):
            raise _refused(f"task {'/'.join(key)}: the two exports' texts differ; build both from one dataset version")
        coders = {}
        for name, side in zip(names, (task, other)):
            chosen = authoritative_annotation(side.get("annotations") or [])
            if chosen is not None:
                coders[name] = spans_of(chosen.get("result") or [])
        joined.append((task["data"], coders))
    return _measure(joined, True)


def dataset_export(dataset_dir: str | Path, annotator: str = "dataset") -> list[dict[str, Any]]:
    """A dataset's span records as a Label Studio export: the tasks ``stancetrack annotate tasks`` builds, each
    with its pre-annotation turned into one completed annotation by ``annotator``."""
    export = []
    for number, task in enumerate(build_tasks(dataset_dir), 1):
        result = (task.get("predictions") or [{}])[0].get("result", [])
        export.append({"id": number, "data": task["data"], "annotations": [
            {"id": number, "completed_by": {"id": annotator, "email": annotator}, "was_cancelled": False,
             "ground_truth": False, "result": result}]})
    return export


def _refused(message: str) -> RefusedImport:
    return RefusedImport([ErrorRecord(SOURCE, "export-malformed", message)], "the exports cannot be compared")


def _alpha(units: list[dict[str, str]], coders: list[str], level: str = "nominal") -> float | None:
    """Krippendorff's alpha over units (coder -> value); None when it is undefined (no unit, or a single value
    throughout, where the expected disagreement is zero)."""
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
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=level,
                                    value_domain=list(range(len(values)))))
