"""Crash safety, measured: writers killed at random instants, and reads while writers commit.

    python benchmarks/crash_safety.py            # 100 kills, 100 reads
    python benchmarks/crash_safety.py -n 500

Kills: each run copies the release, starts a writer committing a change to two tables (tests/crash_harness.py)
and SIGKILLs it at a random instant of its run (half the runs), or at a random checkpoint of the commit
protocol (the other half, STANCETRACK_CRASH_AT). A reader then loads the folder, and the files are compared
with the old version and with the new one (the same commit run to its end): every run must leave exactly one
of them, with no staged file or journal left.

Reads: two writers commit one mark to both tables over and over while this process loads the dataset N times
(and validates it after each load); every load must give both tables of one committed version (the same mark),
never an error, and every validation must pass. (The writers are
then killed: that is not counted.)

Not a timed test: it prints counts. Exit status 1 when any run left anything else.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import stancetrack  # noqa: E402
from stancetrack import storage  # noqa: E402

from crash_harness import (READER, classify, commit_mark, environment, fingerprint, leftovers,  # noqa: E402
                           run_writer, start_writer)

MARK = "changed by the crash benchmark"


def copy(target: Path) -> Path:
    shutil.copytree(ROOT / "dataset", target / "dataset", ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(ROOT / "seeds", target / "seeds")
    return target / "dataset"


def kills(n: int, work: Path, rng: random.Random) -> dict[str, int]:
    old_dir = copy(work / "old")
    new_dir = copy(work / "new")
    steps: list[str] = []
    storage.checkpoint_hook = steps.append
    commit_mark(new_dir, MARK)
    storage.checkpoint_hook = None
    old, new = fingerprint(old_dir), fingerprint(new_dir)
    started = time.monotonic()
    run_writer(copy(work / "timing"), MARK)
    duration = time.monotonic() - started
    counts = {"old": 0, "new": 0, "other": 0, "leftover files": 0, "reader errors": 0}
    for i in range(n):
        folder = copy(work / f"kill-{i}")
        if i % 2:
            run_writer(folder, MARK, crash_at=rng.randrange(1, len(steps) + 1))
        else:
            writer = start_writer(folder, MARK)
            time.sleep(rng.uniform(0, duration))
            writer.send_signal(signal.SIGKILL)
            writer.communicate()
        read = subprocess.run([sys.executable, "-c", READER, str(folder)], env=environment(), capture_output=True,
                              text=True)
        counts["reader errors"] += read.returncode != 0
        counts[classify(fingerprint(folder), old, new)] += 1
        counts["leftover files"] += bool(leftovers(folder))
        shutil.rmtree(folder.parent)
    return counts


def reads(n: int, work: Path) -> dict[str, int]:
    folder = copy(work / "reads")
    start = stancetrack.load(folder)
    first = (start.topics["description"].iloc[0], start.actors["description"].iloc[0])
    counts = {"one version": 0, "mixed": 0, "errors": 0, "loads during a commit": 0, "validate failures": 0}
    writers = [start_writer(folder, f"writer {w}", rounds=10_000) for w in range(2)]
    while not (folder / storage.JOURNAL).exists() and stancetrack.load(folder).topics["description"].iloc[0] == first[0]:
        time.sleep(0.05)  # the writers have started committing
    for _ in range(n):
        busy = (folder / storage.JOURNAL).exists() or any(folder.glob(".tmp-*"))
        try:
            ds = stancetrack.load(folder)
        except stancetrack.StancetrackError:
            counts["errors"] += 1
            continue
        pair = (ds.topics["description"].iloc[0], ds.actors["description"].iloc[0])
        counts["one version" if pair[0] == pair[1] or pair == first else "mixed"] += 1
        counts["loads during a commit"] += busy
        counts["validate failures"] += not stancetrack.validate(folder).valid
    for w in writers:
        w.kill()
    for w in writers:
        w.communicate()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100, help="kills, and reads (default 100 each)")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        k = kills(args.n, Path(tmp), random.Random(args.seed))
        r = reads(args.n, Path(tmp))
    print(f"{args.n} writers killed at random: old {k['old']}, new {k['new']}, anything else {k['other']}; "
          f"runs with leftover files {k['leftover files']}; reader errors {k['reader errors']}")
    print(f"{args.n} loads while writers commit: one committed version {r['one version']}, mixed {r['mixed']}, "
          f"errors {r['errors']} ({r['loads during a commit']} started while a commit was in progress); "
          f"validate failures {r['validate failures']}")
    failed = k["other"] or k["leftover files"] or k["reader errors"] or r["mixed"] or r["errors"]
    return 1 if failed or r["validate failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
