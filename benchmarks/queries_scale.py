"""Every stored query, with its example parameters, on a synthetic curation joined with the bundled graph.

    nice -n 10 python benchmarks/queries_scale.py --triples 1000000 --folder /tmp/qs [--baseline REV] [--repeat 3]

Generates --triples synthetic findings (benchmarks/generate.py) under --folder, loads them into an
on-disk workspace there as scale.py's load stage does (exo_rdf.workspace, RocksDB), together with
the bundled findings, tables and notes (data/ beyond the workspace's own context), and runs every
stored query --repeat times with its example parameters. With --baseline, the stored queries of
that git revision whose text differs run too, in the same process and interleaved query by query,
so that both sides meet the same load; their rows are compared as multisets with the current
queries' rows. A run
longer than --timeout ends that query's repetitions. Records min and median seconds, rows and
whether the rows are the same in --out (JSON, written through a temporary file).
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

#: bundled files a workspace does not hold as its context (see exo_rdf.validate.context_sources)
BUNDLED = ("data/findings", "data/table1-clinical-trials.ttl", "data/table2-biomarkers.ttl",
           "data/uncited-references.ttl", "data/ev-types.ttl")


def workspace(folder: Path, triples: int):
    """The workspace under folder holding `triples` synthetic triples and the bundled data; built once."""
    from generate import generate

    from exo_rdf.workspace import Workspace

    data = folder / f"synthetic-{triples}.nt"
    ws_folder = folder / f"synthetic-{triples}.ws"
    if not data.exists():
        generate(triples, data)
    if not ws_folder.exists():
        ws = Workspace.create(ws_folder)
        files = [data]
        for name in BUNDLED:
            path = ROOT / name
            files += sorted(path.glob("*.ttl")) if path.is_dir() else [path]
        ws.add(files)
        ws.optimize()
        ws.close()
    return Workspace.open(ws_folder, read_only=True)


def baseline_root(revision: str, into: Path) -> Path:
    """A project root whose queries/ holds the top-level stored queries of a git revision."""
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-tree", "--name-only", revision, "queries/"],
                             check=True, capture_output=True, text=True).stdout.split()
    (into / "queries").mkdir(parents=True)
    for path in listing:
        if path.endswith(".rq"):
            text = subprocess.run(["git", "-C", str(ROOT), "show", f"{revision}:{path}"],
                                  check=True, capture_output=True, text=True).stdout
            (into / path).write_text(text, encoding="utf-8")
    return into


def measure(name: str, example: dict, store, root: Path | None, repeat: int, timeout: float) -> dict:
    """Run one stored query up to repeat times; its times, row count and row multiset."""
    from exo_rdf.errors import QueryTimeoutError
    from exo_rdf.query import run_stored

    times, rows = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            result = run_stored(name, example, store=store, root=root, timeout_s=timeout)
        except QueryTimeoutError:
            return {"timeout_s": timeout, "seconds": [round(t, 3) for t in times]}
        times.append(time.perf_counter() - start)
        rows = collections.Counter(tuple(None if t is None else str(t) for t in row) for row in result.rows)
    return {"seconds": [round(t, 3) for t in times], "min_s": round(min(times), 3),
            "median_s": round(statistics.median(times), 3), "rows": sum(rows.values()), "_rows": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=1_000_000)
    ap.add_argument("--folder", type=Path, required=True, help="where the synthetic file and workspace live")
    ap.add_argument("--baseline", help="git revision whose stored queries to time beside the current ones")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=120, help="seconds per query run")
    ap.add_argument("--only", nargs="*", help="these stored queries only")
    ap.add_argument("--out", type=Path, help="results file (JSON)")
    args = ap.parse_args()

    from exo_rdf.catalogue import catalogue

    ws = workspace(args.folder, args.triples)
    current = catalogue(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        base = baseline_root(args.baseline, Path(tmp)) if args.baseline else None
        before = catalogue(base) if base else {}
        out = {"date": dt.date.today().isoformat(), "synthetic_triples": args.triples, "store_triples": ws.triples(),
               "baseline": args.baseline, "repeat": args.repeat, "timeout_s": args.timeout, "cpus": os.cpu_count(),
               "nice": os.nice(0), "load_average_at_start": round(os.getloadavg()[0], 2), "queries": {}}
        for name, query in current.items():
            if args.only and name not in args.only:
                continue
            row: dict = {}
            if name in before and before[name].text == query.text:
                row["unchanged"] = True  # the same text: timed once, as "after"
            elif name in before:
                row["before"] = measure(name, query.example, ws.store, base, args.repeat, args.timeout)
            row["after"] = measure(name, query.example, ws.store, None, args.repeat, args.timeout)
            if "_rows" in row.get("before", {}) and "_rows" in row["after"]:
                row["same_rows"] = row["before"]["_rows"] == row["after"]["_rows"]
            for side in row.values():
                if isinstance(side, dict):
                    side.pop("_rows", None)
            out["queries"][name] = row
            print(name, json.dumps(row), flush=True)
    out["load_average_at_end"] = round(os.getloadavg()[0], 2)
    if args.out:
        tmp_out = args.out.with_suffix(".json.tmp")
        tmp_out.write_text(json.dumps(out, indent=1) + "\n")
        tmp_out.replace(args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
