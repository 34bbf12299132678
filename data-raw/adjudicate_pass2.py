"""Adjudicate the disagreements between the first and the second annotation pass (run once, for release 1.1.0).

    python data-raw/adjudicate_pass2.py

Reads the disagreements that `stancetrack annotate agreement annotation/passes/pass-1.json
annotation/passes/pass-2.json --disagreements` lists, decides each one by a rule of codebook 1.1
(annotation/GUIDELINES.md), applies the decisions to the sources under annotation/gold/ and appends one entry per
disagreement to annotation/adjudication.yaml (source: disagreement). Whole classes are decided by one rule in
code (`decide`); the items a class rule does not settle are decided one by one in `ITEMS`, each with its reason.
The script refuses to run when the log already holds disagreement entries: the decisions are data once made.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stancetrack.annotate.agreement import compare  # noqa: E402

TEXT = (ROOT / "seeds" / "000_34c6196f3528f434.txt").read_text(encoding="utf-8")
SOURCES = ROOT / "annotation" / "gold" / "marquette-2025-alaska"
LOG = ROOT / "annotation" / "adjudication.yaml"
PASSES = ROOT / "annotation" / "passes"

# -- decisions the class rules do not settle: (pass-1 region, pass-2 region) -> decision -------------------------
# action: keep (pass 1 stands) | accept (pass 2's record, boundaries or answers replace pass 1's) | add (pass 2's
# record is added as a new record) | both (pass 1 stands and pass 2's record is added) | remove (pass 1's record is
# removed) | reject (pass 2's record is not taken) | set (pass 1's record is changed as `set` says).
ITEMS: dict[tuple[str | None, str | None], dict[str, Any]] = {
    # mentions
    ("mn-0063", "p2r0098"): dict(action="keep", rule="mentions", why="A class actor is mentioned by its noun phrase without determiner, adjectives included (§2.4 rules 3 and 6): « sociétés démocratiques »."),
    ("mn-0071", "p2r0106"): dict(action="keep", rule="mentions", why="« d’autres » is the determiner; the span is the noun « puissances » (§2.4 rule 6)."),
    ("mn-0215", "p2r0341"): dict(action="keep", rule="mentions", why="The span is the noun with its adjectives, without the participial complement « déterminées à modifier … » (§2.4 rule 6; §1.2: « président américain », « capitales européennes »)."),
    ("mn-0176", "p2r0270"): dict(action="accept", rule="mentions", why="The alias is « l’Est vulnérable » (§2.2); the span is the noun phrase without its determiner, « Est vulnérable » (§2.4 rule 6)."),
    ("mn-0177", "p2r0271"): dict(action="accept", rule="mentions", why="The alias is « l’Ouest protégé » (§2.2); the span is « Ouest protégé » (§2.4 rule 6)."),
    # stances: answers
    ("st-0004", "p2r0018"): dict(action="keep", rule="intensity", why="« sous peine de sanctions massives »: « massives » is in the intensifier list (§3.8 b): 3."),
    ("st-0006", "p2r0021"): dict(action="set", set={"intensity": 1}, rule="intensity", why="The only evaluative cue is the concessive « pourtant » (§3.8: 1)."),
    ("st-0034", "p2r0087"): dict(action="set", set={"intensity": 1}, rule="intensity", why="No word of the span evaluates the target; the stance is read from the framing (§3.8: 1)."),
    ("st-0029", "p2r0081"): dict(action="set", set={"intensity": 1}, rule="intensity", why="« l’obstination russe » is a mildly connoted noun; no evaluative word (§3.8: 1)."),
    ("st-0047", "p2r0138"): dict(action="keep", rule="intensity", why="The intensifier list names the adverb « fondamentalement », not the adjective « fondamentale » (§3.8): 2; the shorter first-pass span stays (§1.2)."),
    ("st-0132", "p2r0353"): dict(action="keep", rule="intensity", why="« une logique westphalienne pure »: « pure » is in the intensifier list (§3.8 b): 3."),
    ("st-0133", "p2r0354"): dict(action="keep", rule="intensity", why="« pure » is in the intensifier list (§3.8 b): 3."),
    ("st-0170", "p2r0450"): dict(action="set", set={"intensity": 1}, rule="intensity", why="The only evaluative cue is the concessive « pourtant » (§3.8: 1)."),
    ("st-0022", "p2r0050"): dict(action="set", set={"intensity": 1}, rule="intensity", why="No evaluative word bears on international law (« révolutionnerait », « légitimant » describe): §3.8: 1; the first-pass span keeps the target expression « le droit international » (§1.2)."),
    ("st-0117", "p2r0317"): dict(action="set", set={"intensity": 1}, rule="intensity", why="No evaluative word bears on strategic autonomy (§3.8: 1); the first-pass span stays."),
    ("st-0097", "p2r0235"): dict(action="set", set={"intensity": 1}, rule="intensity", why="« émancipation » is mildly connoted; no evaluative word (§3.8: 1); the shorter first-pass span stays."),
    ("st-0179", "p2r0459"): dict(action="keep", rule="intensity", why="« précaire » qualifies the alternative, not the liberal order; the favour is read from the contrast (§3.8: 1)."),
    ("st-0178", "p2r0458"): dict(action="set", set={"intensity": 1}, rule="intensity", why="« la force prime sur le droit » has no evaluative word (§3.8: 1); the shorter first-pass span stays."),
    ("st-0008", "p2r0023"): dict(action="accept", rule="stance-rules", why="Describing small nations as victims is coded on the topic at stake, not as sympathy for the actor (§3.3 rule 9); a trade-off of small nations against great-power bargains is `realpolitik` (§3.7 step 3), with no evaluative word (§3.8: 1)."),
    ("st-0021", "p2r0049"): dict(action="accept", rule="topic-test", why="The evaluated object, a precedent for « les futures aventures militaires » (conquest rewarded), is a rule about force and conquest (§3.7 step 1): `international-law`, favour."),
    ("st-0036", "p2r0089"): dict(action="accept", rule="acts", why="The agent expressed is « la solidarité occidentale » (the West, §3.10 step 1); solidarity « a ses limites »: support with limits, `mixed`."),
    ("st-0050", "p2r0142"): dict(action="keep", rule="coverage", why="The holder of the view is « Cette approche « America First » », Trump's strategy named in the previous sentence; « l’Amérique » is what must be freed (§2.2: leader, not state)."),
    ("st-0051", "p2r0141"): dict(action="keep", rule="coverage", why="Same sentence: the approach is Trump's (§2.2); the shorter first-pass span stays (§1.2)."),
    ("st-0052", "p2r0143"): dict(action="keep", rule="coverage", why="Same sentence: the approach is Trump's (§2.2); the shorter first-pass span stays (§1.2)."),
    ("st-0086", "p2r0198"): dict(action="both", rule="stance-rules", why="Two holder–target pairs in one span (§3.3 rule 1): Trump's strategy traps the opposition (§3.6) and the author condemns partisan foreign policy (« piège politique »)."),
    ("st-0085", "p2r0197"): dict(action="accept", rule="stance-rules", why="« l’irresponsabilité … de cette diplomatie opportuniste » evaluates a policy, not the actor as a whole (§3.3 rule 9): `partisan-foreign-policy`."),
    ("st-0079", "p2r0192"): dict(action="keep", rule="acts", why="The act is concluding a territorial deal: the topic negotiated is the territorial settlement (§3.6), `ukraine-territorial-concessions`."),
    ("st-0088", "p2r0199"): dict(action="accept", rule="stance-rules", why="« L’héritage empoisonné » in the paragraph evaluates what Trump's deal leaves, the accepted conquests (§3.3 rule 9: conduct goes to the topic); the shorter span carries it (§1.2)."),
    ("st-0103", "p2r0276"): dict(action="accept", rule="topic-test", why="« la capitulation » the eastern states are traumatised by is the acceptance of Russia's conquests by the West (the paragraph's agreement), not Ukraine ceding territory: `recognition-of-russian-conquests`."),
    ("st-0105", "p2r0277"): dict(action="both", rule="stance-rules", why="Two records aligned by overlap: the author against Russia (« agression ») stands, and the author's loaded « capitulation » is a stance against the recognition of conquests (§3.3 rule 4; §3.8 a: 3)."),
    ("st-0113", "p2r0293"): dict(action="keep", rule="stance-rules", why="« diviser pour régner » targets Europe's unity, a policy outcome (§3.3 rule 9): `european-unity`; the first-pass span stays."),
    ("st-0107", "p2r0281"): dict(action="both", set2={"intensity": "3"}, rule="stance-rules", why="Two pairs (§3.3 rule 1): against Ukraine's abandonment (`support-for-ukraine`, first pass) and, fearing their own sacrifice, for US guarantees (`nato-cohesion`, second pass; « sacrifice » is emphatic, §3.8 a: 3)."),
    ("st-0108", "p2r0282"): dict(action="both", set2={"intensity": "3"}, rule="stance-rules", why="As for the Baltic states (§3.3 rules 1 and 8)."),
    ("st-0109", "p2r0283"): dict(action="both", set2={"intensity": "3"}, rule="stance-rules", why="As for the Baltic states (§3.3 rules 1 and 8)."),
    ("st-0141", "p2r0361"): dict(action="both", rule="topic-test", why="Two evaluated objects (§3.7): the bargain redrawing the world order (`spheres-of-influence`) and the institutions made « spectateurs impuissants » (`multilateral-institutions`)."),
    ("st-0155", "p2r0396"): dict(action="accept", rule="topic-test", why="The evaluated object's head is « un ordre multipolaire » (§3.7 step 4, `multipolar-order`); the relative clause describes it. The span with the target expression is preferred (§1.2). Reverts the review's change to `spheres-of-influence`."),
    ("st-0153", "p2r0394"): dict(action="accept", set={"intensity": 2}, rule="topic-test", why="What the West accepts is « violations du droit international » (§3.7 step 1): `international-law`, against; a non-violent act is 2 (§3.8)."),
    ("st-0162", "p2r0421"): dict(action="both", set2={"target": "topic:liberal-international-order"}, rule="topic-test", why="Russia's strategy (first pass) stands; the author's stance on « la stratégie de révision de l’ordre international par la force » is added, on `liberal-international-order` (§3.7 step 4, the order as a whole, as for Russia's record)."),
    ("st-0143", "p2r0383"): dict(action="keep", rule="spans", why="Boundaries only: the first-pass span is the shorter and carries the record (§1.2)."),
    # stances only in the first pass
    ("st-0003", None): dict(action="remove", rule="acts", why="« cette réconciliation entre les deux superpuissances nucléaires » names no registered agent in its sentence (a joint reference, §2.4 rule 4); Trump is not expressed there (§3.6 condition 1)."),
    ("st-0039", None): dict(action="remove", rule="stance-rules", why="« capables d’imposer à leurs populations les sacrifices nécessaires » is an assessment of capacity without evaluative vocabulary (§3.3 rule 3)."),
    ("st-0042", None): dict(action="remove", rule="stance-rules", why="Trump's tacit acceptance that the sanctions failed is a judgement of failure, not opposition (§3.3 rule 3, §3.5 failure versus opposition)."),
    ("st-0126", None): dict(action="remove", rule="nested", why="« L’accord de l’Alaska préfigure l’émergence d’un condominium »: the condominium is foreseen, not held; a future attitude is not recorded (§3.9)."),
    ("st-0127", None): dict(action="remove", rule="nested", why="As for the United States: a foreseen condominium, not a held attitude (§3.9)."),
    ("st-0157", None): dict(action="remove", rule="coverage", why="« Le Sud global découvre que l’ordre occidental était contingent » is a perception of a fact with no evaluation by the holder (§3.10, not recorded)."),
    ("st-0175", None): dict(action="remove", rule="nested", why="« qui encouragera d’autres puissances révisionnistes à contester »: the contestation is in the future (§3.9); the present-tense parallels elsewhere are kept."),
    # stances only in the second pass
    ("p2r0325", "reject"): dict(action="reject", rule="stance-rules", why="Same holder–target pair as « l’unité européenne se renforce paradoxalement » in the same sentence (§3.3 rule 1: one record per pair per sentence)."),
}
SHORTER_KEPT_BY_PASS1 = {"pr-0035": "The first-pass span keeps the presupposed subject « Cette division géographique » the criteria rely on (§4.2).",
                         "pr-0007": "The participial clause specifies what the revolution in law is; the criteria operationalise it (§4.2).",
                         "pr-0021": "The criteria resolve « sans opposition occidentale unie », which the shorter span drops (§4.2).",
                         "pr-0024": "The criteria's clause (c) resolves « marginalisant l’Europe et la Chine », which the shorter span drops (§4.2).",
                         "pr-0027": "The proposition resolves « en démontrant que les principes juridiques internationaux peuvent être violés impunément », which the shorter span drops (§4.2)."}
SUBJECTS = {"pr-0018": "accept", "pr-0034": "accept", "pr-0027": "accept"}  # else the first pass's subjects stand
SUBJECT_WHY = {
    "accept": "The subjects are the actors whose conduct or fate the proposition is about (§4.3): the second pass's list fits the proposition.",
    "keep": "The subjects are the actors whose conduct or fate the proposition is about (§4.3): the first pass's list names every actor of the proposition and its criteria.",
}


def contains(outer: dict, inner: dict) -> bool:
    return outer["start"] <= inner["start"] and inner["end"] <= outer["end"]


def decide(d: dict) -> dict[str, Any]:
    """The decision for one disagreement: an item decision if there is one, else the rule of its class."""
    a, b = d["first"], d["second"]
    ra, rb = (a or {}).get("region_id"), (b or {}).get("region_id")
    if (ra, rb) in ITEMS:
        return ITEMS[(ra, rb)]
    if a is None and (rb, "reject") in ITEMS:
        return ITEMS[(rb, "reject")]
    if a is None:  # a record only the second pass has, of a kind the codebook supports
        return dict(action="add", rule={"STANCE": "coverage", "ACTOR": "mentions", "PREDICTION": "prediction-scope"}[d["label"]],
                    why="A record the first pass missed, supported by the codebook (§3.3 rule 2 complete coverage, §3.6, §3.10).")
    if b is None:
        if d["label"] == "ACTOR":
            return dict(action="keep", rule="mentions", why="A relational adjective standing for the West as agent or possessor (« l’ordre occidental », « sanctions occidentales », « institutions occidentales ») is a mention (§2.4 rule 5).")
        return dict(action="keep", rule="coverage", why="A stance the text expresses (§3.3 rule 2 complete coverage); the second pass left it out.")
    if d["kind"] == "boundaries" or (d["label"] == "PREDICTION" and set(d["fields"]) <= {"subjects", "resolve_by"}):
        out: dict[str, Any] = {"action": "keep", "rule": "spans" if d["label"] != "PREDICTION" else "prediction-fields"}
        notes = []
        if d["kind"] != "answers":
            shorter_is_second = contains(a, b) and (a["start"], a["end"]) != (b["start"], b["end"])
            if shorter_is_second and ra not in SHORTER_KEPT_BY_PASS1:
                out["span"] = "second"
                notes.append("The second pass's span is contained in the first's and carries the record: the minimal span "
                             "wins (§1.2, §4.2).")
            elif ra in SHORTER_KEPT_BY_PASS1:
                notes.append(SHORTER_KEPT_BY_PASS1[ra])
            else:
                notes.append("The first pass's span is the minimal one, or neither contains the other; it stays (§1.2, §4.2).")
        if "subjects" in d["fields"]:
            choice = SUBJECTS.get(ra, "keep")
            if choice == "accept":
                out["subjects"] = b.get("subjects")
            notes.append(SUBJECT_WHY[choice])
        if d["label"] == "PREDICTION" and "resolve_by" in d["fields"]:
            notes.append("The acceleration of strategic-autonomy projects is a policy consequence, D2 (2026-08-14); Europe's autonomy attained is a separate record at D3 (§4.7).")
            out["rule"] = "horizons"
        out["action"] = "accept" if out.get("span") or out.get("subjects") else "keep"
        out["why"] = " ".join(notes)
        return out
    raise KeyError(f"no decision for {d['label']} {ra} / {rb} ({d['kind']}, {d['fields']})")


# -- applying the decisions ------------------------------------------------------------------------------------

FOLDED, QUOTED = {"proposition", "resolution_criteria", "condition"}, {"quote", "gloss_en", "claim_en", "resolve_by"}


def emit(rec: dict) -> str:
    """One record in the hand-written style of the sources (folded long texts, quoted quotes and dates)."""
    lines = []
    for n, (key, value) in enumerate(rec.items()):
        prefix = "- " if n == 0 else "  "
        if key in FOLDED and isinstance(value, str):
            lines.append(f"{prefix}{key}: >-")
            lines += textwrap.wrap(value, width=113, initial_indent="    ", subsequent_indent="    ",
                                   break_long_words=False, break_on_hyphens=False)
        elif value is None:
            lines.append(f"{prefix}{key}: null")
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: [{', '.join(value)}]")
        elif key in QUOTED:
            lines.append(f"{prefix}{key}: {json.dumps(value, ensure_ascii=False)}")
        else:
            lines.append(f"{prefix}{key}: {value}")
    return "\n".join(lines)


def occurrence(quote: str, start: int) -> int | None:
    starts = [m.start() for m in re.finditer(re.escape(quote), TEXT)]
    assert start in starts, (quote, start)
    return starts.index(start) + 1 if len(starts) > 1 else None


def summary(label: str, x: dict | None) -> str | None:
    if x is None:
        return None
    if label == "STANCE":
        return (f"{x.get('holder')} → {x.get('target')}, {x.get('polarity')}, intensity {x.get('intensity')}, "
                f"{x.get('attribution')}; « {x.get('quote')} »")
    if label == "ACTOR":
        return f"{x.get('actor')}; « {x.get('quote')} »"
    return (f"{x.get('predictor')}, subjects {x.get('subjects')}, {x.get('modality')}, cue {x.get('cue')}, resolve_by "
            f"{x.get('resolve_by')}; « {x.get('quote')} »")


SENTENCE_ENDS = [m.end() for m in re.finditer(r"[.!?](?=\s|$)|\n", TEXT)]


def sentence_of(record: dict) -> int:
    """The number of the sentence a record starts in (a heading counts as one sentence, §1.2)."""
    if "start" in record:
        start = record["start"]
    else:
        starts = [m.start() for m in re.finditer(re.escape(record["quote"]), TEXT)]
        start = starts[(record.get("occurrence") or 1) - 1]
    return next(i for i, end in enumerate(SENTENCE_ENDS) if start < end)


def stance_from(x: dict, stance_id: str, annotator: str) -> dict:
    kind, _, target = x["target"].partition(":")
    rec = {"stance_id": stance_id, "holder_id": x["holder"], "target_type": kind, "target_id": target,
           "polarity": x["polarity"], "intensity": int(x["intensity"]) if x.get("intensity") else None,
           "attribution": x["attribution"], "quote": x["quote"]}
    occ = occurrence(x["quote"], x["start"])
    if occ:
        rec["occurrence"] = occ
    rec.update(gloss_en=x.get("gloss") or "", annotator=annotator)
    return rec


def set_span(rec: dict, x: dict) -> None:
    rec["quote"] = x["quote"]
    occ = occurrence(x["quote"], x["start"])
    rec.pop("occurrence", None)
    if occ:  # keep the field order of the sources: occurrence right after quote
        items = list(rec.items())
        at = [k for k, _ in items].index("quote") + 1
        rec.clear()
        rec.update(items[:at] + [("occurrence", occ)] + items[at:])


def main() -> int:
    log = yaml.safe_load(LOG.read_text(encoding="utf-8"))
    if any(e["source"] == "disagreement" for e in log):
        print("error: annotation/adjudication.yaml already holds disagreement entries; nothing done", file=sys.stderr)
        return 1
    result = compare(PASSES / "pass-1.json", PASSES / "pass-2.json", ("pass-1", "pass-2"))
    stances = yaml.safe_load((SOURCES / "stances.yaml").read_text(encoding="utf-8"))
    preds = yaml.safe_load((SOURCES / "predictions.yaml").read_text(encoding="utf-8"))
    by_id = {s["stance_id"]: s for s in stances}
    pred_by_id = {p["prediction_id"]: p for p in preds}
    used = [s["stance_id"] for s in stances] + [e["item"] for e in log if re.fullmatch(r"st-\d{4}", e["item"])]
    next_st = max(int(i[3:]) for i in used) + 1  # above the high-water mark: retired ids are never reused
    removed, added, mention_spans, changed_preds = set(), [], {}, set()
    entries = []
    for d in (x.to_dict() for x in result.disagreements):
        dec = decide(d)
        a, b, label = d["first"], d["second"], d["label"]
        ra, rb = (a or {}).get("region_id"), (b or {}).get("region_id")
        item, action, note = ra, dec["action"], ""
        if label == "STANCE":
            if action == "remove":
                removed.add(ra)
                action = "removed"
            elif action in ("accept", "set"):
                rec = by_id[ra]
                if action == "accept":
                    new = stance_from({**b, **{k: v for k, v in dec.get("set", {}).items()}}, ra, "adjudication")
                    for k in ("holder_id", "target_type", "target_id", "polarity", "intensity", "attribution"):
                        rec[k] = new[k]
                    if (b["start"], b["end"]) != (a["start"], a["end"]):
                        set_span(rec, b)
                    rec["gloss_en"] = b.get("gloss") or rec["gloss_en"]
                else:
                    rec.update(dec["set"])
                rec["annotator"] = "adjudication"
                action = "changed"
            elif action in ("add", "both"):
                x = dict(b, **dec.get("set2", {}))
                kind, _, target = x["target"].partition(":")
                twin = next((s["stance_id"] for s in [*stances, *added] if s["stance_id"] not in removed
                             and (s["holder_id"], s["target_type"], s["target_id"]) == (x["holder"], kind, target)
                             and sentence_of(s) == sentence_of(x)), None)
                if twin is not None:  # class rule: one record per holder-target pair per sentence (§3.3 rule 1)
                    note = (f"Not added: {twin} already records the same holder and target in this sentence "
                            "(§3.3 rule 1, one record per pair per sentence).")
                    if action == "add":
                        item, action = f"stances:{b['start']}-{b['end']}", "rejected"
                    else:
                        action = "kept"
                    dec = dict(dec, rule="stance-rules", why="The second pass's record is supported by the codebook, but")
                    note = " n" + note[1:]
                else:
                    new_id = f"st-{next_st:04d}"
                    next_st += 1
                    added.append(stance_from(x, new_id, "adjudication" if dec.get("set2") else "pass-2"))
                    if action == "add":
                        item, action = new_id, "added"
                    else:
                        action, note = "kept", f" The second pass's record is added as {new_id}."
            elif action == "keep" and dec.get("span") == "second":
                set_span(by_id[ra], b)
                by_id[ra]["annotator"] = "adjudication"
                action = "changed"
            elif action == "accept" and dec.get("span") == "second":
                raise AssertionError
            elif action == "reject":
                item, action = f"stances:{b['start']}-{b['end']}", "rejected"
            else:
                action = "kept"
        elif label == "ACTOR":
            if action == "accept":
                mention_spans[ra] = b
                action = "changed"
            elif action == "add":
                raise AssertionError("no mention is added from the second pass")
            else:
                action = "kept"
        else:
            rec = pred_by_id[ra]
            if action == "accept":
                if dec.get("span") == "second":
                    set_span(rec, b)
                if dec.get("subjects"):
                    rec["subject_ids"] = sorted(dec["subjects"].split("|"), key=lambda s: rec["subject_ids"].index(s)
                                                if s in rec["subject_ids"] else 99)
                rec["annotator"] = "adjudication"
                changed_preds.add(ra)
                action = "changed"
            else:
                action = "kept"
        entries.append({"item": item, "table": {"STANCE": "stances", "ACTOR": "mentions", "PREDICTION": "predictions"}[label],
                        "source": "disagreement", "action": action,
                        "finding": f"{d['kind']}" + (f" ({', '.join(d['fields'])})" if d["fields"] else "") + f" in {d['segment_id']}",
                        "regions": [ra, rb], "pass_1": summary(label, a), "pass_2": summary(label, b),
                        "decision": dec["why"] + note, "rule": dec["rule"]})
    # sources
    kept = [s for s in stances if s["stance_id"] not in removed] + added
    head = "".join(ln for ln in (SOURCES / "stances.yaml").read_text(encoding="utf-8").splitlines(keepends=True)
                   if ln.startswith("#"))
    (SOURCES / "stances.yaml").write_text(head + "\n".join(emit(r) for r in kept) + "\n", encoding="utf-8")
    text = (SOURCES / "predictions.yaml").read_text(encoding="utf-8")
    head, *blocks = re.split(r"(?m)^(?=- prediction_id: )", text)
    out = [emit(pred_by_id[re.match(r"- prediction_id: (\S+)", blk).group(1)]) + "\n\n"
           if re.match(r"- prediction_id: (\S+)", blk).group(1) in changed_preds else blk for blk in blocks]
    (SOURCES / "predictions.yaml").write_text((head + "".join(out)).rstrip("\n") + "\n", encoding="utf-8")
    mtext = (SOURCES / "mentions.yaml").read_text(encoding="utf-8")
    for mid, b in mention_spans.items():
        block = re.search(rf"(?ms)^- mention_id: {mid}\n.*?(?=^- mention_id: |\Z)", mtext).group(0)
        occ = occurrence(b["quote"], b["start"])
        new = re.sub(r'(?m)^  quote: ".*"\n(  occurrence: \d+\n)?',
                     f'  quote: "{b["quote"]}"\n' + (f"  occurrence: {occ}\n" if occ else ""), block, count=1)
        mtext = mtext.replace(block, new)
    (SOURCES / "mentions.yaml").write_text(mtext, encoding="utf-8")
    # log
    start = len(log)
    for n, e in enumerate(entries, start + 1):
        log.append({"id": f"adj-{n:04d}", **e})
    header = "".join(line for line in LOG.read_text(encoding="utf-8").splitlines(keepends=True) if line.startswith("#"))
    LOG.write_text(header + yaml.safe_dump(log, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["action"]] = counts.get(e["action"], 0) + 1
    print(f"{len(entries)} disagreements decided: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
