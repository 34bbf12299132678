"""Row validation at corpus scale: stancetrack's compiled Arrow checks against three per-row validators.

    pip install -e '.[bench]'
    python benchmarks/validate_rows.py                      # 1,000,000 rows; scaling 10 thousand to 10 million
    python benchmarks/validate_rows.py --rows 100000 --max-rows 1000000      # a quicker run

Generates stance rows with a known set of deliberately broken rows (one broken field each, every rule kind:
pattern, enum, minimum, maximum, minLength, type), writes them to Parquet, then validates them with
stancetrack (streamed from Parquet, and from an Arrow table in memory), jsonschema (on a sample, extrapolated,
and labelled so), fastjsonschema and jsonschema-rs. Each engine runs in its own process, pinned to one core
for Arrow (``pyarrow.set_cpu_count(1)``), so its peak resident memory is its own. Every engine must find
exactly the broken rows; the script fails otherwise. Times are CPU seconds of that process (what one core
spends, robust to other load on the machine) and wall seconds.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

BROKEN_EVERY = 9973  # one row in 9,973 is broken, in one field, cycling through these rules
BREAKS = [("stance_id", "pattern"), ("polarity", "enum"), ("intensity", "maximum"), ("intensity", "minimum"),
          ("start", "minimum"), ("quote", "minLength"), ("holder_id", "type"), ("target_id", "pattern")]
SAMPLE = 20_000  # rows jsonschema checks; its figure for the full table is extrapolated from them


def stance_rows(n: int, seed: int = 0) -> tuple[pa.Table, np.ndarray]:
    """``n`` stance rows in key order, and the positions of the deliberately broken ones."""
    rng = np.random.default_rng(seed)

    def pick(choices):
        return pc.take(pa.array(choices), pa.array(rng.integers(0, len(choices), n)))

    numbers = pc.utf8_lpad(pc.cast(pa.array(np.arange(1, n + 1)), pa.string()), 7, "0")
    start = rng.integers(0, 5000, n)
    columns = {
        "stance_id": pc.binary_join_element_wise("st-", numbers, ""),
        "document_id": pick(["marquette-2025-alaska"]),
        "holder_id": pick(["trump", "putin", "zelensky", "marquette", "europe", "baltic-states"]),
        "target_type": pick(["actor", "topic"]),
        "target_id": pick(["ukraine", "russia", "sanctions-on-russia", "nato", "territorial-concessions"]),
        "polarity": pick(["favor", "against", "neutral", "mixed"]),
        "intensity": pa.array(rng.integers(1, 4, n), mask=rng.random(n) < 0.3),
        "attribution": pick(["authorial", "reported", "ascribed"]),
        "start": pa.array(start),
        "end": pa.array(start + rng.integers(1, 200, n)),
        "quote": pick(["Poutine a obtenu ce qu'il voulait", "l'Europe doit se réveiller",
                       "une capitulation 🇺🇦"]),
        "gloss_en": pick(["The author is against territorial concessions.", "Trump favours a deal with Russia."]),
        "annotator": pick(["ann-1", "ann-2", "classifier-v3"]),
    }
    broken = np.arange(BROKEN_EVERY - 1, n, BROKEN_EVERY)
    for k, (field, rule) in enumerate(BREAKS):
        rows = broken[k::len(BREAKS)]
        column = columns[field]
        if rule == "type":
            values = pa.nulls(len(rows), column.type)
        elif field == "stance_id":  # still in key order: st-0009973x sorts between its neighbours
            values = pc.binary_join_element_wise(column.take(pa.array(rows)), "x", "")
        else:
            bad = {"polarity": "pro", "quote": "", "target_id": "Ukraine!", "start": -1}.get(field)
            if field == "intensity":
                bad = 4 if rule == "maximum" else 0
            values = pa.array([bad] * len(rows), column.type)
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
        columns[field] = pc.replace_with_mask(column, pa.array(mask), values)
    return pa.table(columns), broken


def _peak_mib() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss would carry over
    the parent's peak (the generated rows), so it is only the fallback."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(run, repeat: int = 1):
    """``run()``'s result, and its CPU and wall seconds: the fastest of ``repeat`` runs (the least disturbed)."""
    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        result = run()
        best = min(best, (time.process_time() - cpu, time.perf_counter() - wall))
    return result, best[0], best[1]


def engine(name: str, path: Path) -> dict:
    """Run one engine over the Parquet file (in this process); the rows it finds broken and its costs."""
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    from stancetrack.schemas import table_schema

    schema = table_schema("stances").json_schema
    n = pq.ParquetFile(path).metadata.num_rows
    out = {"engine": name, "rows": n}
    if name == "baseline":  # the interpreter with pyarrow and stancetrack imported, nothing read
        import stancetrack.validation

        out["imported"] = stancetrack.validation.__name__
        out["cpu"] = out["wall"] = float("nan")
        found = None
    elif name == "stancetrack-rows":
        from stancetrack.validation.stream import batch_row_errors, iter_batches

        def run():
            errors, offset = [], 0
            for batch in iter_batches(path.parent, "stances"):
                errors += batch_row_errors("stances", batch, offset)
                offset += batch.num_rows
            return errors
        errors, out["cpu"], out["wall"] = _timed(run, 3)
        found = {e.row for e in errors}
    elif name == "stancetrack-parquet":
        from stancetrack.validation.stream import DatasetCheck, iter_batches

        def run():
            check = DatasetCheck({})
            check.check_table("stances", pq.ParquetFile(path).schema_arrow.names,
                              iter_batches(path.parent, "stances"), n)
            return check.errors()
        errors, out["cpu"], out["wall"] = _timed(run, 3)
        out["key_errors"] = [e.code for e in errors if e.code in ("duplicate-key", "unsorted")]
        found = {e.row for e in errors}
    elif name == "stancetrack-arrow":
        from stancetrack.validation.compiler import compiled

        table = pq.read_table(path)
        out["baseline_mib"] = _peak_mib()
        errors, out["cpu"], out["wall"] = _timed(lambda: compiled("stances").errors(table), 3)
        found = {e.row for e in errors}
    elif name == "to-dicts":
        table = pq.read_table(path)
        _, out["cpu"], out["wall"] = _timed(table.to_pylist)
        found = None
    else:
        rows = pq.read_table(path).to_pylist()
        if name == "jsonschema":
            from jsonschema import Draft202012Validator

            from stancetrack.validation.formats import FORMAT_CHECKER
            check = Draft202012Validator(schema, format_checker=FORMAT_CHECKER)
            rows = rows[:SAMPLE]
            out["sampled"] = len(rows)
            is_valid = check.is_valid
        elif name == "fastjsonschema":
            import fastjsonschema

            compiled_check = fastjsonschema.compile(schema)

            def is_valid(row):
                try:
                    compiled_check(row)
                    return True
                except fastjsonschema.JsonSchemaValueException:
                    return False
        elif name == "jsonschema-rs":
            import jsonschema_rs

            is_valid = jsonschema_rs.validator_for(schema).is_valid
        else:
            raise SystemExit(f"unknown engine {name}")
        out["baseline_mib"] = _peak_mib()
        found, out["cpu"], out["wall"] = _timed(lambda: {i for i, r in enumerate(rows) if not is_valid(r)})
    out["peak_mib"] = _peak_mib()
    if found is not None:
        out["found"] = sorted(found)
    return out


def run_engine(name: str, path: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--engine", name, "--path", str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def write(folder: Path, n: int) -> tuple[Path, np.ndarray]:
    table, broken = stance_rows(n)
    path = folder / f"{n}" / "stances.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path, broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--max-rows", type=int, default=10_000_000, help="largest size of the scaling run")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(engine(args.engine, args.path)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path, broken = write(Path(tmp), args.rows)
        size = path.stat().st_size / 2**20
        print(f"{args.rows:,} stance rows, {len(broken)} deliberately broken; Parquet {size:.1f} MiB; "
              f"one core for Arrow; "
              f"rows/s from CPU seconds; stancetrack: best of 3 runs\n")
        print(f"{'engine':<44} {'rows/s (CPU)':>14} {'CPU s':>8} {'wall s':>8} {'peak MiB':>9}")
        for name, label in [("stancetrack-rows", "stancetrack, Parquet streamed (rows)"),
                            ("stancetrack-parquet", "stancetrack, Parquet streamed (rows+keys)"),
                            ("stancetrack-arrow", "stancetrack, Arrow table in memory (rows)"),
                            ("jsonschema-rs", "jsonschema-rs, from dicts"),
                            ("fastjsonschema", "fastjsonschema, from dicts"),
                            ("jsonschema", "jsonschema, from dicts (sample, extrapolated)"),
                            ("to-dicts", "Arrow -> dicts (what per-row engines add)"),
                            ("baseline", "(python, pyarrow, stancetrack imported)")]:
            result = run_engine(name, path)
            checked = result.get("sampled", result["rows"])
            if "found" in result:
                expected = sorted(int(r) for r in broken if r < checked)
                assert result["found"] == expected, f"{name} found {len(result['found'])} rows, not {len(expected)}"
            assert not result.get("key_errors"), result["key_errors"]
            if name == "baseline":
                print(f"{label:<44} {'':>14} {'':>8} {'':>8} {result['peak_mib']:>9.0f}")
                continue
            rate = checked / result["cpu"]
            scale = result["rows"] / checked
            print(f"{label:<44} {rate:>14,.0f} {result['cpu'] * scale:>8.2f} {result['wall'] * scale:>8.2f} "
                  f"{result['peak_mib']:>9.0f}")
        print("\nevery engine found exactly the broken rows\n")
        print("scaling, stancetrack streamed from Parquet: rows only | rows and keys")
        print(f"{'rows':>12} {'CPU s':>8} {'rows/s (CPU)':>14} {'peak MiB':>9} | {'CPU s':>8} {'rows/s (CPU)':>14} "
              f"{'peak MiB':>9}")
        n = 10_000
        while n <= args.max_rows:
            path, broken = write(Path(tmp), n)
            line = f"{n:>12,}"
            for name in ("stancetrack-rows", "stancetrack-parquet"):
                result = run_engine(name, path)
                assert result["found"] == sorted(int(r) for r in broken)
                line += f" {result['cpu']:>8.3f} {n / result['cpu']:>14,.0f} {result['peak_mib']:>9.0f}"
                line += " |" if name == "stancetrack-rows" else ""
            print(line)
            path.unlink()
            n *= 10


if __name__ == "__main__":
    main()
