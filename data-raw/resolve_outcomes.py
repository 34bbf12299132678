"""Append the gold outcomes to a dataset's outcome log, through the same `resolve` users call.

    python data-raw/resolve_outcomes.py [--data dataset] [--source annotation/gold/.../outcomes_2026-03-13.yaml]

The source YAML (reviewable, one entry per prediction) cites evidence items by key from its `sources`. Before
anything is written every entry is checked: each prediction of the dataset has exactly one entry, every cited
key exists, every URL appears verbatim in the evidence brief, and every row passes `resolve`'s own checks.
Then each check is appended with `stancetrack.resolve`. Checks already in the log (same prediction, day,
status, rationale and resolver) are skipped, so running it twice changes nothing. `build_release.py` keeps the
log of the folder it rebuilds; a new folder starts empty, so run this script after building one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stancetrack import load, resolve  # noqa: E402
from stancetrack.outcomes import outcome_record  # noqa: E402

SOURCE = ROOT / "annotation" / "gold" / "marquette-2025-alaska" / "outcomes_2026-03-13.yaml"


class SourceError(Exception):
    pass


def read_source(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("as_of", "resolver", "brief", "sources", "outcomes"):
        if key not in data:
            raise SourceError(f"{path}: the top-level key {key!r} is missing")
    return data


def planned_checks(data: dict, prediction_ids: list[str]) -> list[dict]:
    """The rows to append, each checked as `resolve` would; SourceError names every problem found."""
    brief = (ROOT / data["brief"]).read_text(encoding="utf-8")
    problems, rows = [], []
    for key, item in data["sources"].items():
        if item.get("url") is not None and item["url"] not in brief:
            problems.append(f"source {key}: its URL is not in {data['brief']}: {item['url']}")
    entries = {}
    for entry in data["outcomes"]:
        pid = entry["prediction_id"]
        if pid in entries:
            problems.append(f"{pid}: two entries")
        entries[pid] = entry
    problems += [f"{pid}: no outcome entry" for pid in prediction_ids if pid not in entries]
    problems += [f"{pid}: not a prediction of the dataset" for pid in entries if pid not in prediction_ids]
    for pid in prediction_ids:
        entry = entries.get(pid)
        if entry is None:
            continue
        unknown = [k for k in entry.get("evidence", []) if k not in data["sources"]]
        if unknown:
            problems.append(f"{pid}: unknown evidence key(s) {', '.join(unknown)}")
            continue
        try:
            rows.append(outcome_record(pid, entry["status"], data["as_of"], entry["rationale"],
                                       [data["sources"][k] for k in entry.get("evidence", [])],
                                       data["resolver"], entry.get("condition_met")))
        except Exception as exc:  # noqa: BLE001 - every refusal is reported, none is swallowed
            problems.append(f"{pid}: {exc}")
    if problems:
        raise SourceError("nothing was written:\n  " + "\n  ".join(problems))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "dataset", help="dataset folder to append to")
    parser.add_argument("--source", type=Path, default=SOURCE, help="outcomes YAML to read")
    args = parser.parse_args()
    ds = load(args.data)
    try:
        rows = planned_checks(read_source(args.source), ds.predictions["prediction_id"].astype(str).tolist())
    except SourceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    logged = {(r["prediction_id"], r["as_of"].date().isoformat(), str(r["status"]), r["rationale"], r["resolver"])
              for r in ds.outcomes.to_dict("records")}
    appended = skipped = 0
    for row in rows:
        if (row["prediction_id"], row["as_of"], row["status"], row["rationale"], row["resolver"]) in logged:
            skipped += 1
            continue
        resolve(args.data, row["prediction_id"], row["status"], row["as_of"], row["rationale"],
                row["evidence"], row["resolver"], row["condition_met"])
        appended += 1
    print(f"{appended} outcome(s) appended, {skipped} already in the log, to {args.data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
