"""Rename an actor id in the annotation sources: the gold YAML, the adjudication log and the annotation passes.

    python data-raw/rename_actor.py OLD NEW [--root .]
    python data-raw/rename_actor.py author maxime-marquette

Only the places where an id stands are changed, never prose: in annotation/gold/**/*.yaml the values of
``actor_id``, ``holder_id``, ``predictor_id``, ``target_id``, ``author_id`` and the items of ``subject_ids``; in
annotation/adjudication.yaml the record summaries (``OLD → target``, ``OLD, subjects …``, ``actor:OLD``,
``subjects a|OLD|b``); in annotation/passes/*.json the Label Studio choices (``"OLD"``, ``"actor:OLD"``).
Run it again after merging new sources (it changes nothing twice), then rebuild the release
(``python data-raw/build_release.py --out dataset``) and the labeling config
(``stancetrack annotate config -o annotation/labeling_config.xml``). Prints how many ids changed per file.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ID_KEYS = ("actor_id", "holder_id", "predictor_id", "target_id", "author_id")


def _token(old: str) -> str:
    return rf"(?<![\w'’-]){re.escape(old)}(?![\w-])"


def rename_yaml(text: str, old: str, new: str) -> tuple[str, int]:
    """Ids in the gold YAML: ``key: OLD`` for an id key, and OLD inside a ``subject_ids`` list."""
    count = 0

    def keyed(match: re.Match) -> str:
        nonlocal count
        count += 1
        return match.group(1) + new + match.group(2)

    text = re.sub(rf"(?m)^(\s*(?:-\s+)?(?:{'|'.join(ID_KEYS)}):\s*['\"]?){re.escape(old)}(['\"]?\s*)$", keyed, text)

    def listed(match: re.Match) -> str:
        nonlocal count
        items = [item.strip() for item in match.group(2).split(",")]
        count += items.count(old)
        return match.group(1) + ", ".join(new if item == old else item for item in items) + match.group(3)

    text = re.sub(r"(?m)^(\s*subject_ids:\s*\[)([^\]\n]*)(\])", listed, text)
    return text, count


def rename_log(text: str, old: str, new: str) -> tuple[str, int]:
    """Ids in the adjudication log's record summaries."""
    total = 0
    for pattern, replacement in ((_token(old) + r"(?= →|, subjects )", new),
                                 (rf"actor:{re.escape(old)}(?![\w-])", f"actor:{new}")):
        text, n = re.subn(pattern, replacement, text)
        total += n

    def subjects(match: re.Match) -> str:
        nonlocal total
        items = match.group(1).split("|")
        total += items.count(old)
        return "subjects " + "|".join(new if item == old else item for item in items)

    text = re.sub(r"subjects ([\w|-]+)", subjects, text)
    return text, total


def rename_json(text: str, old: str, new: str) -> tuple[str, int]:
    """Ids in a Label Studio export: string values (never keys) equal to OLD or ``actor:OLD``."""
    text, a = re.subn(rf'"{re.escape(old)}"(?!\s*:)', f'"{new}"', text)
    text, b = re.subn(rf'"actor:{re.escape(old)}"', f'"actor:{new}"', text)
    return text, a + b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root (default: this checkout)")
    args = parser.parse_args()
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", args.new):
        parser.error(f"{args.new!r} is not an actor id (a lower-case slug)")
    annotation = args.root / "annotation"
    jobs = [(p, rename_yaml) for p in sorted((annotation / "gold").rglob("*.yaml"))]
    jobs += [(annotation / "adjudication.yaml", rename_log)]
    jobs += [(p, rename_json) for p in sorted((annotation / "passes").glob("*.json"))]
    for path, rename in jobs:
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        renamed, count = rename(text, args.old, args.new)
        if renamed != text:
            path.write_text(renamed, encoding="utf-8")
        print(f"{path.relative_to(args.root)}: {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
