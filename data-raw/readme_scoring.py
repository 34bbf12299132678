"""Rewrite the outputs the README's scoring section shows from the commands' own output on dataset/.

    python data-raw/readme_scoring.py [--check]

The section shows `stancetrack due --as-of 2026-11-30` in full and an excerpt of
`stancetrack score --as-of 2026-11-30 --json`: the keys the README shows are kept, their values refreshed
(floats rounded to three decimals). tests/test_readme.py fails when the README and the outputs differ; run
this after the outcomes log changes. With --check it only says whether the README is current (exit 1 if not).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from stancetrack.cli import cli  # noqa: E402

README = ROOT / "README.md"
DUE = "stancetrack due --as-of 2026-11-30"
SCORE = "stancetrack score --as-of 2026-11-30 --json"
WIDTH = 116


def run(command: str) -> str:
    result = CliRunner().invoke(cli, command.split()[1:] + ["--data", str(ROOT / "dataset")])
    if result.exit_code != 0:
        raise SystemExit(f"`{command}` failed: {result.output}{result.exception or ''}")
    return result.output


def excerpt(shown, real):
    """``real`` cut to the keys ``shown`` has (list items cut like the first item shown), floats rounded."""
    if isinstance(shown, dict):
        return {key: excerpt(value, real[key]) for key, value in shown.items()}
    if isinstance(shown, list):
        return [excerpt(shown[0] if shown else item, item) for item in real]
    return round(real, 3) if isinstance(real, float) else real


def dump(value: dict) -> str:
    """Top-level keys one per line; a list of objects one object per line; long lines wrapped after a comma."""
    def one_line(v) -> str:
        return json.dumps(v, ensure_ascii=False)

    def wrapped(prefix: str, text: str, indent: int) -> list[str]:
        lines, line = [], prefix
        for part in text.split(", "):
            piece = part if line.endswith((": {", ": [", "[", "{")) or line == prefix else ", " + part
            if len(line) + len(piece) > WIDTH and line != prefix:
                lines.append(line + ",")
                line, piece = " " * indent + part, ""
            line += piece
        return lines + [line]

    out = ["{"]
    for number, (key, item) in enumerate(value.items()):
        end = "," if number < len(value) - 1 else ""
        if isinstance(item, list) and item and all(isinstance(i, (dict, str)) for i in item):
            out.append(f'  "{key}": [')
            out += [f"    {one_line(i)}" + ("," if n < len(item) - 1 else "") for n, i in enumerate(item)]
            out.append(f"  ]{end}")
        else:
            prefix = f'  "{key}": '
            out += wrapped(prefix, one_line(item) + end, len(prefix) + 1)
    return "\n".join(out + ["}"]) + "\n"


def updated(text: str) -> str:
    for command, fresh in ((DUE, lambda shown: run(DUE)),
                           (SCORE, lambda shown: dump(excerpt(json.loads(shown), json.loads(run(SCORE)))))):
        start = text.index(f"$ {command}\n") + len(f"$ {command}\n")
        end = text.index("```", start)
        text = text[:start] + fresh(text[start:end]) + text[end:]
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only say whether README.md is current")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if args.check:
        print("README.md is current" if new == text else "README.md shows outdated outputs")
        return int(new != text)
    README.write_text(new, encoding="utf-8")
    print("README.md is current" if new == text else "README.md rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
