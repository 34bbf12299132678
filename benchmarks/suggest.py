"""How good are the pre-annotation suggestions? Recall and precision against the release's records, and speed.

    python benchmarks/suggest.py [--data dataset] [--document marquette-2025-alaska] [--repeat 5] [--json]

Mentions are scored as spans: a gold mention is found *exactly* when a suggestion has its start and end (and,
for ``+actor``, its actor), *by overlap* when a suggestion shares at least one character with it; precision
counts the suggestions that match some gold mention in the same way. A gold prediction is found when a
suggested prediction sentence contains its whole span; a suggested sentence is correct when it contains or
overlaps at least one gold prediction; recall is also given per gold modality and precision per kind of cue.
Throughput is characters of text per second of :func:`suggest` pinned to one core with one thread (the spaCy
pipeline loaded beforehand; best of ``--repeat`` runs). Missed predictions are listed with their modality and
cue, so one can see what the rules do not catch. The rules were written with the codebook, whose examples come
from this article: the figures are in-sample, the "grammar and hedge lexicon only" line the least tuned.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_name] = "1"  # one thread, before numpy and thinc are imported

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pandas as pd  # noqa: E402

import stancetrack  # noqa: E402
from stancetrack.annotate.suggest import CUE_SCORES, load_pipeline, suggest  # noqa: E402


#: Cues from grammar and the hedge lexicon alone (no list of verbs or event nouns).
GRAMMATICAL = ("hedge", "future", "conditional", "near-future")


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _overlaps(a, b) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def evaluate(ds, document_id: str, suggestions) -> dict:
    gold_m = ds.mentions[ds.mentions["document_id"] == document_id]
    gold_p = ds.predictions[ds.predictions["document_id"] == document_id]
    gm = [(int(a), int(b), str(c)) for a, b, c in zip(gold_m["start"], gold_m["end"], gold_m["actor_id"])]
    gp = [(int(a), int(b), str(i), str(m), c) for a, b, i, m, c in
          zip(gold_p["start"], gold_p["end"], gold_p["prediction_id"], gold_p["modality"], gold_p["cue"])]
    sm = [(s.start, s.end, s.actor_id) for s in suggestions if s.label == "ACTOR"]
    sp = [s for s in suggestions if s.label == "PREDICTION"]
    spans = {(a, b) for a, b, _ in sm}
    mentions = {
        "gold": len(gm), "suggested": len(sm),
        "recall_exact": _ratio(sum((a, b) in spans for a, b, _ in gm), len(gm)),
        "recall_exact_actor": _ratio(sum(m in set(sm) for m in gm), len(gm)),
        "recall_overlap": _ratio(sum(any(_overlaps(g, s) for s in sm) for g in gm), len(gm)),
        "precision_exact": _ratio(sum((a, b) in {(x, y) for x, y, _ in gm} for a, b, _ in sm), len(sm)),
        "precision_exact_actor": _ratio(sum(s in set(gm) for s in sm), len(sm)),
        "precision_overlap": _ratio(sum(any(_overlaps(s, g) for g in gm) for s in sm), len(sm)),
    }
    found, missed = [], []
    for g in gp:
        holder = next((s for s in sp if s.start <= g[0] and g[1] <= s.end), None)
        (found if holder else missed).append((g, holder))
    correct = [s for s in sp if any(_overlaps((s.start, s.end), g) for g in gp)]
    by_kind = {}
    for kind in CUE_SCORES:
        with_kind = [s for s in sp if any(c.kind == kind for c in s.cues)]
        by_kind[kind] = {"sentences": len(with_kind),
                         "precision": _ratio(sum(s in correct for s in with_kind), len(with_kind)),
                         "recall": _ratio(sum(any(h.start <= g[0] and g[1] <= h.end for h in with_kind) for g in gp),
                                          len(gp))}
    grammatical = [s for s in sp if any(c.kind in GRAMMATICAL for c in s.cues)]
    text = ds.text(document_id)
    predictions = {
        "gold": len(gp), "suggested_sentences": len(sp),
        "recall_sentences": _ratio(len(found), len(gp)),
        "precision_sentences": _ratio(len(correct), len(sp)),
        "modality_agreement": _ratio(sum(h.modality == g[3] for g, h in found), len(found)),
        "by_cue_kind": by_kind,
        "recall_grammatical": _ratio(sum(any(h.start <= g[0] and g[1] <= h.end for h in grammatical)
                                         for g in gp), len(gp)),
        "precision_grammatical": _ratio(sum(s in correct for s in grammatical), len(grammatical)),
        "recall_by_modality": {m: _ratio(sum(g[3] == m for g, _ in found), sum(g[3] == m for g in gp))
                               for m in sorted({g[3] for g in gp})},
        "missed_by_grammar_only": [{"prediction_id": g[2], "modality": g[3], "quote": text[g[0]:g[1]]} for g in gp
                                   if not any(h.start <= g[0] and g[1] <= h.end for h in grammatical)],
        "missed": [{"prediction_id": g[2], "modality": g[3], "cue": None if pd.isna(g[4]) else g[4],
                    "quote": text[g[0]:g[1]]} for g, _ in missed],
    }
    return {"mentions": mentions, "predictions": predictions}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "dataset")
    parser.add_argument("--document", default="marquette-2025-alaska")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    ds = stancetrack.load(args.data)
    nlp = load_pipeline()
    text = ds.text(args.document)
    timings = []
    for _ in range(max(1, args.repeat)):
        began = time.perf_counter()
        suggestions = suggest(ds, args.document, nlp=nlp)
        timings.append(time.perf_counter() - began)
    result = evaluate(ds, args.document, suggestions)
    result["throughput"] = {"characters": len(text), "seconds": min(timings),
                            "characters_per_second": len(text) / min(timings), "cores": 1}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    m, p, t = result["mentions"], result["predictions"], result["throughput"]
    print(f"{args.document}: {t['characters']} characters, stancetrack {stancetrack.__version__}")
    print(f"mentions     {m['gold']} gold, {m['suggested']} suggested")
    print(f"  exact span   recall {m['recall_exact']:.1%}  precision {m['precision_exact']:.1%}")
    print(f"  exact +actor recall {m['recall_exact_actor']:.1%}  precision {m['precision_exact_actor']:.1%}")
    print(f"  overlap      recall {m['recall_overlap']:.1%}  precision {m['precision_overlap']:.1%}")
    print(f"predictions  {p['gold']} gold, {p['suggested_sentences']} sentences suggested")
    print(f"  sentences    recall {p['recall_sentences']:.1%}  precision {p['precision_sentences']:.1%}"
          f"  (modality agrees on {p['modality_agreement']:.1%} of those found)")
    for modality, recall in p["recall_by_modality"].items():
        print(f"  {modality:<12} recall {recall:.1%}")
    for kind, row in p["by_cue_kind"].items():
        print(f"  cue {kind:<12} {row['sentences']:>3} sentences, recall {row['recall']:5.1%}, "
              f"precision {row['precision']:.1%}")
    print(f"  grammar and hedge lexicon only ({', '.join(GRAMMATICAL)}): recall {p['recall_grammatical']:.1%}, "
          f"precision {p['precision_grammatical']:.1%}")
    print(f"throughput   {t['characters_per_second']:,.0f} characters/second on one core "
          f"({t['seconds']:.2f} s, best of {args.repeat})")
    print(f"missed       {len(p['missed'])} prediction(s)")
    for miss in p["missed"]:
        print(f"  {miss['prediction_id']} {miss['modality']:<11} {miss['cue'] or '':<12} {miss['quote'][:80]}")
    print(f"missed by grammar and hedge lexicon only: {len(p['missed_by_grammar_only'])} prediction(s)")
    for miss in p["missed_by_grammar_only"]:
        print(f"  {miss['prediction_id']} {miss['modality']:<11} {miss['quote'][:80]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
