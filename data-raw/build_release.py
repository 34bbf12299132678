"""Build the release from its sources: the seed text (stored whole in `documents.text`), the gold annotation YAML and the hedge lexicon.

    python data-raw/build_release.py [--out dataset] [--version 1.1.0]

The text is read and segments are cut by the library's rules (stancetrack.segment); every annotation's offsets
are found from its verbatim quote (the `occurrence`-th match when the quote is not unique); implied
probabilities come from the hedge lexicon. Everything goes through the library's writer, which validates and
refuses invalid data. Outcomes are not built here: the outcome log is append-only, so a rebuild keeps the
folder's existing log (a new folder starts with an empty one); checks are appended by `stancetrack resolve`
(see resolve_outcomes.py).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stancetrack.errors import StancetrackError  # noqa: E402
from stancetrack.lexicon import implied_probability, read_lexicon  # noqa: E402
from stancetrack.metadata import regenerate  # noqa: E402
from stancetrack.segment import read_text, segments  # noqa: E402
from stancetrack.writer import transaction  # noqa: E402

DOCUMENT_ID = "marquette-2025-alaska"
SOURCE = "seeds/000_34c6196f3528f434.txt"
GOLD = ROOT / "annotation" / "gold"


class SourceError(Exception):
    pass


def read_yaml(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def locate(text: str, quote: str, occurrence: int | None, where: str) -> tuple[int, int]:
    """Offsets of the ``occurrence``-th (1-based) match of ``quote``; a repeated quote must say which."""
    starts = [m.start() for m in re.finditer(re.escape(quote), text)]
    if not starts:
        raise SourceError(f"{where}: quote not found in the text: {quote!r}")
    if occurrence is None:
        if len(starts) > 1:
            raise SourceError(f"{where}: quote occurs {len(starts)} times; add `occurrence`: {quote!r}")
        occurrence = 1
    if not 1 <= occurrence <= len(starts):
        raise SourceError(f"{where}: occurrence {occurrence} of {len(starts)}: {quote!r}")
    start = starts[occurrence - 1]
    return start, start + len(quote)


def document(text: str, data: bytes) -> dict:
    return {
        "document_id": DOCUMENT_ID,
        "title": text.split("\n", 1)[0],
        "author": "Maxime Marquette",
        "author_id": "maxime-marquette",
        "language": "fr",
        "published_earliest": "2025-08-09",
        "published_latest": "2025-08-14",
        "date_basis": ("The text gives no date. It treats the summit of 15 August 2025 as still to come and says "
                       "Trump announced it 'vendredi dernier' on Truth Social; that announcement was made on "
                       "Friday 8 August 2025. So it was written between 9 and 14 August 2025."),
        "source_path": SOURCE,
        "text_sha256": hashlib.sha256(data).hexdigest(),
        "char_count": len(text),
        "publisher": None,
        "url": None,
        "rights": ("Copyright of its author; the source gives no publisher, URL or licence. The text is "
                   "redistributed byte-exact solely so that the annotations' offsets can be checked, for "
                   "non-commercial research (text and data mining). The annotations are CC BY 4.0."),
        "text": text,
    }


def spanned(records: list[dict], text: str, table: str) -> list[dict]:
    out = []
    for record in records:
        record = dict(record)
        key = next(iter(record))
        where = f"{table} {record.get(key)}"
        occurrence = record.pop("occurrence", None)
        start, end = locate(text, record["quote"], occurrence, where)
        out.append({"document_id": DOCUMENT_ID, **record, "start": start, "end": end})
    return out


def build(out: Path, version: str) -> dict[str, int]:
    data = (ROOT / SOURCE).read_bytes()
    text = read_text(data, DOCUMENT_ID)
    doc_dir = GOLD / DOCUMENT_ID
    predictions = spanned(read_yaml(doc_dir / "predictions.yaml"), text, "predictions")
    lexicon = read_lexicon(ROOT / "annotation" / "hedge_lexicon.csv") if predictions else {}
    for p in predictions:
        p["probability"] = implied_probability(p.get("cue"), p["modality"], lexicon)
    tables = {
        "documents": [document(text, data)],
        "segments": segments(text, DOCUMENT_ID),
        "actors": read_yaml(GOLD / "actors.yaml"),
        "topics": read_yaml(GOLD / "topics.yaml"),
        "mentions": spanned(read_yaml(doc_dir / "mentions.yaml"), text, "mentions"),
        "stances": spanned(read_yaml(doc_dir / "stances.yaml"), text, "stances"),
        "predictions": predictions,
    }
    with transaction(out, create=True) as tx:
        for name, rows in tables.items():
            tx.replace(name, rows)
        tx.replace("outcomes", tx.records("outcomes"))  # kept as it is: the log is append-only
        tx.dataset_version = version
        kept = tx.arrow("outcomes").num_rows
    return {**{name: len(rows) for name, rows in tables.items()}, "outcomes (kept)": kept}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dataset", help="dataset folder to write")
    parser.add_argument("--version", default="1.1.0", help="dataset version recorded in the manifest")
    args = parser.parse_args()
    try:
        counts = build(args.out, args.version)
    except (SourceError, StancetrackError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(", ".join(f"{name}: {n}" for name, n in counts.items()))
    for path in regenerate(args.out):  # the card and README beside the folder (the writer did the folder's own)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
