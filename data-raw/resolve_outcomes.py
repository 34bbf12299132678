"""Append the gold outcomes to a dataset's outcome log, through the same `resolve` users call.

    python data-raw/resolve_outcomes.py [--data dataset] [--source FILE ...]

The sources are the reviewable YAML files `annotation/gold/<document>/outcomes_<as_of>.yaml`: one check per
prediction of the document per file (the latest file checks every prediction; an earlier one, made before later
predictions were recorded, may check fewer), citing evidence items by key from the file's `sources`. Without --source,
every such file is read and they are appended in order of their `as_of` (outcomes_2026-03-13.yaml, then
outcomes_2026-11-30.yaml), so outcome ids follow the order the checks were made and the log stays append-only:
a later file adds checks, it never edits or replaces the earlier ones.

Before anything is written every file is checked against the gold predictions beside it and the evidence briefs
under annotation/evidence/ (`source_problems`): one entry per prediction; every cited key exists; every item
names a brief that exists, and its URL and its quote are found verbatim in that brief; no field holds a
placeholder; every settled verdict (true, false, partial, annulled) names the clause of its status, found in the
prediction's current resolution criteria for the latest file (an earlier file keeps the clause as the criteria
stood when it was made), and pending or ambiguous ones name none; every true, false or partial verdict
cites an item with a quote; `condition_met` is set only for predictions with a condition. Then every row must
pass `resolve`'s own checks. Any problem in any file: nothing is written and the problems are listed (exit 1).
Checks already in the log (same prediction, day, status, rationale and resolver) are skipped, so running it
twice changes nothing. `build_release.py` keeps the log of the folder it rebuilds; a new folder starts empty,
so run this script after building one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stancetrack import load, resolve  # noqa: E402
from stancetrack.outcomes import outcome_record  # noqa: E402

GOLD = ROOT / "annotation" / "gold"
EVIDENCE = ROOT / "annotation" / "evidence"
TOP_KEYS = ("as_of", "resolver", "sources", "outcomes")
ITEM_KEYS = ("brief", "item", "publisher", "title", "published", "url", "quote", "summary")
ENTRY_KEYS = {"prediction_id", "status", "condition_met", "deciding_clause", "evidence", "rationale"}
SETTLED = ("true", "false", "partial", "annulled")
QUOTED = ("true", "false", "partial")
#: Bracketed placeholders ("[title not recorded in the brief]") and the old marker of a paraphrase.
PLACEHOLDER = re.compile(r"\[[^\]]*\]|Evidence brief \(")


class SourceError(Exception):
    pass


def default_sources() -> list[Path]:
    """Every gold outcomes file, oldest `as_of` first (the file name carries the day)."""
    return sorted(GOLD.glob("*/outcomes_*.yaml"), key=lambda p: (p.stem.split("_", 1)[1], str(p)))


def read_yaml(path: Path):
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"{path}: cannot be read as YAML ({exc})") from exc


def read_source(path: Path) -> dict:
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise SourceError(f"{path}: not a mapping with the keys {', '.join(TOP_KEYS)}")
    missing = [k for k in TOP_KEYS if k not in data]
    if missing:
        raise SourceError(f"{path}: the top-level key(s) {', '.join(map(repr, missing))} are missing")
    return data


def gold_predictions(source: Path) -> list[dict]:
    """The gold predictions of the document whose outcomes `source` records (the file beside it)."""
    return read_yaml(source.parent / "predictions.yaml") or []


def squash(text: str) -> str:
    return " ".join(str(text).split())


def item_problems(key: str, item, briefs: dict[str, str]) -> list[str]:
    """What is wrong with one evidence item (empty when nothing is)."""
    where = f"source {key}"
    if not isinstance(item, dict) or set(item) != set(ITEM_KEYS):
        got = sorted(item) if isinstance(item, dict) else type(item).__name__
        return [f"{where}: an item has exactly the keys {', '.join(ITEM_KEYS)} (got {got})"]
    problems = []
    name = item["brief"]
    if not isinstance(name, str) or "/" in name or not (EVIDENCE / name).is_file():
        return [f"{where}: brief {name!r} is not a file under annotation/evidence/"]
    if name not in briefs:
        briefs[name] = (EVIDENCE / name).read_text(encoding="utf-8")
    text = briefs[name]
    for field in ITEM_KEYS:
        value = item[field]
        if value is not None and (not isinstance(value, str) or not value.strip()):
            problems.append(f"{where}: {field} must be a non-empty string or null, not {value!r}")
        elif isinstance(value, str) and field != "brief" and PLACEHOLDER.search(value):
            problems.append(f"{where}: {field} holds a placeholder or bracketed note ({value!r}); "
                            "write null when the brief does not record it")
    if item["quote"] is None and item["summary"] is None:
        problems.append(f"{where}: give a verbatim quote, a summary, or both")
    if isinstance(item["quote"], str) and item["quote"] not in text:
        problems.append(f"{where}: the quote is not found verbatim in {name}: {item['quote']!r}")
    if isinstance(item["url"], str) and item["url"] not in text:
        problems.append(f"{where}: the URL is not in {name}: {item['url']}")
    if isinstance(item["published"], str):
        try:
            dt.date.fromisoformat(item["published"])
        except ValueError:
            problems.append(f"{where}: published {item['published']!r} is not a YYYY-MM-DD date")
    return problems


def source_problems(data: dict, predictions: list[dict], complete: bool = True) -> list[str]:
    """Every problem of one outcomes source, checked against the gold predictions it resolves.

    `complete`: this is the latest source of the document, which checks every gold prediction and quotes its
    deciding clauses from the current resolution criteria. An earlier source was made before later predictions
    were recorded (it checks a subset, each at most once) and may quote the criteria as they stood then: its
    deciding clauses need only name the clause of their status ("FALSE: ...").
    """
    briefs: dict[str, str] = {}
    problems = []
    sources = data["sources"] or {}
    for key, item in sources.items():
        problems += item_problems(key, item, briefs)
    quoted = {k for k, item in sources.items() if isinstance(item, dict) and item.get("quote")}
    by_id = {p["prediction_id"]: p for p in predictions}
    entries: dict[str, dict] = {}
    for entry in data["outcomes"] or []:
        pid = entry.get("prediction_id")
        if pid in entries:
            problems.append(f"{pid}: two entries")
        entries[pid] = entry
    if complete:
        problems += [f"{pid}: no outcome entry" for pid in by_id if pid not in entries]
    problems += [f"{pid}: not a gold prediction of this document" for pid in entries if pid not in by_id]
    for pid, entry in entries.items():
        prediction = by_id.get(pid)
        if prediction is None:
            continue
        if set(entry) != ENTRY_KEYS:
            problems.append(f"{pid}: an entry has exactly the keys {', '.join(sorted(ENTRY_KEYS))} "
                            f"(got {', '.join(sorted(entry))})")
            continue
        cited = entry["evidence"] or []
        unknown = [k for k in cited if k not in sources]
        if unknown:
            problems.append(f"{pid}: unknown evidence key(s) {', '.join(unknown)}")
        status, clause = entry["status"], entry["deciding_clause"]
        if status in SETTLED:
            if not isinstance(clause, str) or not clause.strip():
                problems.append(f"{pid}: a {status!r} verdict names its deciding_clause")
            elif not squash(clause).upper().startswith(f"{status.upper()}:"):
                problems.append(f"{pid}: the deciding_clause of a {status!r} verdict is its {status.upper()} "
                                f"clause: {squash(clause)!r}")
            elif complete and squash(clause) not in squash(prediction["resolution_criteria"]):
                problems.append(f"{pid}: the deciding_clause is not a clause of the resolution criteria: "
                                f"{squash(clause)!r}")
        elif clause is not None:
            problems.append(f"{pid}: a {status!r} check has no deciding_clause (its rationale names the "
                            "missing fact)")
        if status in QUOTED and not quoted.intersection(cited):
            problems.append(f"{pid}: a {status!r} verdict cites at least one item with a verbatim quote")
        if entry["condition_met"] is not None and prediction.get("condition") is None:
            problems.append(f"{pid}: condition_met is only for a prediction with a condition (this one has "
                            "none): write null")
        if status == "annulled" and prediction.get("condition") is not None and entry["condition_met"] is not False:
            problems.append(f"{pid}: an annulled conditional prediction has condition_met false")
        if isinstance(entry["rationale"], str) and PLACEHOLDER.search(entry["rationale"]):
            problems.append(f"{pid}: the rationale holds a bracketed placeholder")
    return problems


def planned_checks(data: dict, predictions: list[dict], dataset_ids: list[str], complete: bool = True) -> list[dict]:
    """The rows to append, each checked as `resolve` would; SourceError names every problem found."""
    problems = source_problems(data, predictions, complete)
    checked = {entry.get("prediction_id") for entry in data["outcomes"] or []}
    problems += [f"{p['prediction_id']}: not a prediction of the dataset" for p in predictions
                 if p["prediction_id"] in checked and p["prediction_id"] not in dataset_ids]
    rows = []
    if not problems:
        for entry in data["outcomes"]:
            pid = entry["prediction_id"]
            try:
                row = outcome_record(pid, entry["status"], data["as_of"], entry["rationale"],
                                     [data["sources"][k] for k in entry["evidence"] or []], data["resolver"],
                                     entry["condition_met"], deciding_clause=entry["deciding_clause"])
            except Exception as exc:  # noqa: BLE001 - every refusal is reported, none is swallowed
                problems.append(f"{pid}: {exc}")
                continue
            rows.append(row)
    if problems:
        raise SourceError("\n  ".join(problems))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "dataset", help="dataset folder to append to")
    parser.add_argument("--source", type=Path, action="append",
                        help="outcomes YAML to read (repeatable; default: every gold outcomes file, oldest first)")
    args = parser.parse_args()
    sources = args.source or default_sources()
    ds = load(args.data)
    dataset_ids = ds.predictions["prediction_id"].astype(str).tolist()
    planned, errors = [], []
    newest = {p.parent.resolve(): p.resolve() for p in default_sources()}  # oldest first: the last one stays
    for path in sources:
        complete = newest.get(path.parent.resolve(), path.resolve()) == path.resolve()
        try:
            rows = planned_checks(read_source(path), gold_predictions(path), dataset_ids, complete)
            planned.append((path, rows))
        except SourceError as exc:
            errors.append(f"{path}:\n  {exc}")
    if errors:
        print("error: nothing was written:\n" + "\n".join(errors), file=sys.stderr)
        return 1
    logged = {(r["prediction_id"], r["as_of"].date().isoformat(), str(r["status"]), r["rationale"], r["resolver"])
              for r in ds.outcomes.to_dict("records")}
    appended = skipped = 0
    for _path, rows in planned:
        for row in rows:
            if (row["prediction_id"], row["as_of"], row["status"], row["rationale"], row["resolver"]) in logged:
                skipped += 1
                continue
            resolve(args.data, row["prediction_id"], row["status"], row["as_of"], row["rationale"],
                    row["evidence"], row["resolver"], row["condition_met"],
                    deciding_clause=row["deciding_clause"])
            appended += 1
    print(f"{appended} outcome(s) appended, {skipped} already in the log, to {args.data} "
          f"(from {', '.join(p.name for p, _ in planned)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
