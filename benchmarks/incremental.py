"""Incremental against full validation of a workspace after one file of a large set changes.

    nice -n 10 python benchmarks/incremental.py --triples 10M --files 100 [--reps 5] [--keep]

Generates the synthetic set (benchmarks/generate.py) once into benchmarks/data/incremental-<size>/
as --files N-Triples files of whole findings, loads them into a workspace (exo_rdf.workspace)
and validates it once in full (which saves the results). Then, per repetition, one finding of
one file gets an invalid value (odd repetitions) or its valid value back (even ones), and in
the same process, on the same workspace state:
- incremental: exo_rdf.incremental.validate_workspace, end to end (reading the results,
  reloading the changed file by difference, which gives the delta, the nodes it affects, the
  re-check, saving the results), with the time of each step;
- full: Workspace.validate on the state the incremental run left;
and checks that both give the same (focus, path, component, value, severity) set. Records min,
median and max of each and their ratio, also without the reload of the changed file (which a full
run after an edit needs too), with the load average before and after (the machine is shared), in
benchmarks/results/incremental-<date>.json after every repetition.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

SENSITIVITY = "<https://w3id.org/exo-rdf/ontology/sensitivityMax> "
INVALID = '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .'


def parse_size(text: str) -> int:
    units = {"k": 10**3, "M": 10**6}
    return int(float(text[:-1]) * units[text[-1]]) if text[-1] in units else int(text)


def split(source: Path, folder: Path, files: int, total: int) -> list[Path]:
    """Stream source into `files` files of whole findings (a finding's triples are contiguous)."""
    folder.mkdir(parents=True, exist_ok=True)
    per = total // files + 1
    paths, out, written, subject = [], None, per, None
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            s = line.split(" ", 1)[0]
            if written >= per and s != subject:
                if out:
                    out.close()
                paths.append(folder / f"part-{len(paths):03d}.nt")
                out, written = paths[-1].open("w", encoding="utf-8"), 0
            out.write(line)
            written, subject = written + 1, s
    out.close()
    return paths


def edit(path: Path, rep: int) -> str:
    """Give the first biomarker of path an invalid sensitivity (odd rep) or its first value back; return its focus."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(i for i, l in enumerate(lines) if SENSITIVITY in l)
    original = path.with_suffix(".original")
    if not original.exists():
        original.write_text(lines[i], encoding="utf-8")
    head = lines[i].split(SENSITIVITY)[0]
    lines[i] = f"{head} {SENSITIVITY}{INVALID}\n" if rep % 2 else original.read_text(encoding="utf-8")
    path.write_text("".join(lines), encoding="utf-8")
    return head.strip("<> ")


def keys(report) -> set:
    return {(v.focus, v.path, v.component, v.value, v.severity) for v in report.violations}


def spread(values: list[float]) -> dict:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "max": round(max(values), 3), "all": [round(v, 3) for v in values]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", default="1M", help="size of the synthetic set (1M, 10M, ...)")
    ap.add_argument("--files", type=int, default=50, help="number of files it is split into")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (one changed file each)")
    ap.add_argument("--keep", action="store_true", help="keep the data and workspace for a rerun")
    args = ap.parse_args()
    from generate import generate

    from exo_rdf.incremental import validate_workspace
    from exo_rdf.workspace import Workspace

    total = parse_size(args.triples)
    base = HERE / "data" / f"incremental-{args.triples}"
    files_dir, ws_dir = base / "files", base / "ws"
    if not (files_dir / "part-000.nt").exists():
        shutil.rmtree(base, ignore_errors=True)
        start = time.perf_counter()
        source = base / "all.nt"
        generate(total, source)
        split(source, files_dir, args.files, total)
        source.unlink()
        print(f"generated {args.triples} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    paths = sorted(files_dir.glob("*.nt"))
    shutil.rmtree(ws_dir, ignore_errors=True)
    start = time.perf_counter()
    ws = Workspace.create(ws_dir)
    first = validate_workspace(ws, paths, progress=True)
    load_full = time.perf_counter() - start
    assert first.mode == "full", first.reason
    print(f"loaded and validated {ws.triples()} triples in {load_full:.1f} s", file=sys.stderr)

    incremental, full, steps, affected = [], [], [], []
    import pyoxigraph

    record = {"date": dt.date.today().isoformat(), "python": sys.version.split()[0], "cpus": os.cpu_count(),
              "pyoxigraph": pyoxigraph.__version__, "loadavg_before": [round(x, 2) for x in os.getloadavg()],
              "nice": os.nice(0), "triples": ws.triples(), "files": len(paths),
              "first_load_and_full_seconds": round(load_full, 1), "identical_results": True}
    for rep in range(1, args.reps + 1):
        changed = paths[((rep + 1) // 2 * 7) % len(paths)]  # odd: break a value, even: fix it
        focus = edit(changed, rep)
        start = time.perf_counter()
        run = validate_workspace(ws, paths)
        incremental.append(time.perf_counter() - start)
        start = time.perf_counter()
        report = ws.validate()
        full.append(time.perf_counter() - start)
        if run.mode != "incremental" or keys(run.report) != keys(report):
            raise SystemExit(f"repetition {rep}: the incremental run ({run.mode}, {run.reason}) differs from the full run")
        steps.append({k: round(v, 3) for k, v in run.seconds.items()})
        affected.append({"file": changed.name, "focus": focus, "delta": run.delta, "affected": len(run.affected),
                         "results": len(report.violations)})
        print(f"rep {rep}: incremental {incremental[-1]:.2f} s ({steps[-1]}), full {full[-1]:.2f} s, "
              f"{len(run.affected)} node(s) re-checked", file=sys.stderr)
        checking = [i - s["sync"] for i, s in zip(incremental, steps)]  # without reloading the changed file
        record.update({
            "reps": rep, "incremental_seconds": spread(incremental), "full_seconds": spread(full),
            "incremental_over_full": spread([i / f for i, f in zip(incremental, full)]),
            "incremental_without_reload_seconds": spread(checking),
            "incremental_without_reload_over_full": spread([c / f for c, f in zip(checking, full)]),
            "incremental_steps": steps, "changes": affected, "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})
        out = save(args.triples, record)  # after every repetition: an interrupted run keeps what it measured
    for p in paths:
        p.with_suffix(".original").unlink(missing_ok=True)
    ws.close()
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    ratio, bare = record["incremental_over_full"], record["incremental_without_reload_over_full"]
    print(f"incremental / full: median {ratio['median']:.4f} (min {ratio['min']:.4f}, max {ratio['max']:.4f}); "
          f"without reloading the changed file: median {bare['median']:.4f} (min {bare['min']:.4f}, "
          f"max {bare['max']:.4f}); wrote {out}")


def save(size: str, record: dict) -> Path:
    out = HERE / "results" / f"incremental-{record['date']}.json"
    runs = json.loads(out.read_text()) if out.exists() else {}
    runs[size] = record
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps(runs, indent=1) + "\n")
    tmp.replace(out)
    return out


if __name__ == "__main__":
    main()
