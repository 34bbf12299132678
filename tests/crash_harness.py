"""What the fault-injection tests and benchmarks/crash_safety.py share: a two-table commit, run in a process
that can be killed at any checkpoint of the commit protocol, and the ways to tell which version a folder holds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from stancetrack.storage import CRASH_ENV, JOURNAL, LOCK, TMP_PREFIX

SRC = Path(__file__).resolve().parents[1] / "src"

#: A commit that changes two tables together: the first topic's and the first actor's description get one mark
#: (repeated ROUNDS times, the mark numbered, when a third argument is given).
WRITER = """
import sys
from stancetrack.writer import transaction
folder, mark = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 0
for i in range(max(rounds, 1)):
    with transaction(folder) as tx:
        for name in ("topics", "actors"):
            rows = tx.records(name)
            rows[0]["description"] = f"{mark} #{i}" if rounds else mark
            tx.replace(name, rows)
"""

#: Load the dataset and print the two marks (or the error's one line and exit 1).
READER = """
import sys
import stancetrack
try:
    ds = stancetrack.load(sys.argv[1])
except stancetrack.StancetrackError as exc:
    print(f"error: {exc}")
    raise SystemExit(1)
print(ds.topics["description"].iloc[0], "|", ds.actors["description"].iloc[0], sep="")
"""


def environment(crash_at: int | str | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop(CRASH_ENV, None)
    if crash_at is not None:
        env[CRASH_ENV] = str(crash_at)
    return env


def run_writer(folder: Path, mark: str, crash_at: int | str | None = None) -> subprocess.CompletedProcess:
    """Commit ``mark`` in another process, killed (status 137) at the ``crash_at``-th checkpoint if given."""
    return subprocess.run([sys.executable, "-c", WRITER, str(folder), mark], env=environment(crash_at),
                          capture_output=True, text=True, timeout=120)


def start_writer(folder: Path, mark: str, rounds: int = 0) -> subprocess.Popen:
    """The commit of :data:`WRITER` in another process (``rounds`` commits of numbered marks if given)."""
    extra = [str(rounds)] if rounds else []
    return subprocess.Popen([sys.executable, "-c", WRITER, str(folder), mark, *extra], env=environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def start_reader(folder: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", READER, str(folder)], env=environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def commit_mark(folder: Path, mark: str) -> None:
    """The same commit as :data:`WRITER`, in this process."""
    from stancetrack.writer import transaction

    with transaction(folder) as tx:
        for name in ("topics", "actors"):
            rows = tx.records(name)
            rows[0]["description"] = mark
            tx.replace(name, rows)


def fingerprint(folder: Path) -> dict[str, bytes]:
    """Every file of the folder but the lock, with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file() and p.name != LOCK}


def leftovers(folder: Path) -> list[str]:
    """Files a finished commit must not leave: staged files and the journal."""
    return sorted(p.name for p in Path(folder).iterdir() if p.name.startswith(TMP_PREFIX) or p.name == JOURNAL)


def classify(state: dict[str, bytes], old: dict[str, bytes], new: dict[str, bytes]) -> str:
    return "old" if state == old else "new" if state == new else "other"
