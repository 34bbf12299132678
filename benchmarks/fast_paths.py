"""The fast paths, measured: validation whatever the chunking, the loader against pandas, the CLI's start-up.

    python benchmarks/fast_paths.py                 # 1,000,000 stance rows
    python benchmarks/fast_paths.py --rows 200000   # a quicker run

1. ``validate_table`` on the same stance rows held in one chunk and in chunks of 1,000 rows (what
   ``pa.concat_tables`` of many small tables gives): rows per second, both must find the same errors.
2. ``stancetrack.load`` of a dataset whose stances table has those rows, against a bare ``pd.read_parquet`` of
   the same file (with and without the manifest's hash check).
3. ``stancetrack --help`` in a fresh interpreter, and what it imports.

Times are CPU seconds of this process with Arrow pinned to one thread (what one core spends, robust to other
work on the machine), the best of a few runs; the start-up is the wall time of a child process.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from validate_rows import stance_rows  # noqa: E402  (the benchmark's generated rows)

import stancetrack  # noqa: E402
from stancetrack.resources import release_root  # noqa: E402
from stancetrack.storage import write_tables  # noqa: E402
from stancetrack.validation import validate_table  # noqa: E402


def best(run, repeat: int = 3, clock=time.process_time) -> tuple[object, float]:
    result, fastest = None, float("inf")
    for _ in range(repeat):
        started = clock()
        result = run()
        fastest = min(fastest, clock() - started)
    return result, fastest


def chunking(rows: int) -> None:
    table, broken = stance_rows(rows)
    whole = table.combine_chunks()
    pieces = pa.concat_tables([whole.slice(start, 1000) for start in range(0, rows, 1000)])
    print(f"validate_table, {rows:,} stance rows ({len(broken)} deliberately broken):")
    found = {}
    for label, data in (("one chunk", whole), (f"{pieces.column(0).num_chunks:,} chunks", pieces)):
        report, seconds = best(lambda data=data: validate_table("stances", data))
        found[label] = [(e.row, e.code) for e in report.errors]
        print(f"  {label:<14} {seconds:6.3f} s  {rows / seconds / 1e6:5.2f} M rows/s")
    first, second = found.values()
    assert first == second and {row for row, _ in first} == set(broken.tolist()), "the two runs differ"


def loading(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        shutil.copytree(release_root() / "seeds", root / "seeds")
        shutil.copytree(release_root() / "dataset", root / "dataset")
        table, broken = stance_rows(rows)
        keep = np.ones(rows, dtype=bool)
        keep[broken] = False
        table = table.filter(pa.array(keep))
        rows = table.num_rows
        write_tables(root / "dataset", {"stances": table})
        path = root / "dataset" / "stances.parquet"
        bare, bare_s = best(lambda: pd.read_parquet(path))
        ds, load_s = best(lambda: stancetrack.load(root / "dataset"))
        _, fast_s = best(lambda: stancetrack.load(root / "dataset", verify=False))
        assert len(ds.stances) == len(bare) == rows
        print(f"load() with a {rows:,}-row stances table ({path.stat().st_size / 2**20:.0f} MiB):")
        print(f"  pd.read_parquet(stances)   {bare_s:6.3f} s")
        print(f"  stancetrack.load()         {load_s:6.3f} s  ({load_s / bare_s:.2f}x; every table, hashes checked)")
        print(f"  load(verify=False)         {fast_s:6.3f} s  ({fast_s / bare_s:.2f}x)")
        print(f"  dtypes: {', '.join(sorted({str(t) for t in ds.stances.dtypes}))}")


def startup() -> None:
    command = [sys.executable, "-c", "from stancetrack.cli import main; main()", "--help"]
    _, seconds = best(lambda: subprocess.run(command, capture_output=True, check=True), 5, time.perf_counter)
    probe = ("import sys; from stancetrack.cli import cli; "
             "print(sorted(m for m in ('pandas', 'pyarrow', 'jsonschema', 'label_studio_sdk') if m in sys.modules))")
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    _, python_s = best(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5, time.perf_counter)
    print(f"stancetrack --help: {seconds:.3f} s (a bare python start: {python_s:.3f} s); heavy modules imported: {heavy}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    chunking(args.rows)
    loading(args.rows)
    startup()


if __name__ == "__main__":
    main()
