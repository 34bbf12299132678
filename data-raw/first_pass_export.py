"""Write the first annotation pass as a Label Studio export, so that it goes through the same import and
agreement code as any pass made in Label Studio.

    python data-raw/first_pass_export.py [--data dataset] [--annotator pass-1] [--out annotation/passes/pass-1.json]

The export holds one task per paragraph, built by the code behind `stancetrack annotate tasks`; each task's
pre-annotation (the dataset's mentions, stances and predictions inside that paragraph) becomes one completed
annotation by ANNOTATOR. annotation/passes/pass-1.json was written from the release's records after the review
under codebook 1.1 and before the second pass was read (see DATASET.md, How the records were made); it is kept
as data, not regenerated.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stancetrack.annotate.agreement import dataset_export  # noqa: E402
from stancetrack.storage import atomic_write_bytes  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "dataset", help="dataset folder to read")
    parser.add_argument("--annotator", default="pass-1", help="name of the pass, recorded as the annotator")
    parser.add_argument("--out", type=Path, default=ROOT / "annotation" / "passes" / "pass-1.json")
    args = parser.parse_args()
    export = dataset_export(args.data, args.annotator)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, (json.dumps(export, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    regions = sum(1 for task in export for item in task["annotations"][0]["result"] if item["type"] == "labels")
    print(f"wrote {args.out}: {len(export)} tasks, {regions} regions by {args.annotator}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
