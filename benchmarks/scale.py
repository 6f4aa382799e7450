"""The scale run: synthetic findings of 1 M to 100 M triples through an on-disk workspace.

    nice -n 10 python benchmarks/scale.py --sizes 1M 10M 100M [--timeout 3600] [--stages load validate queries export]
                                          [--query-timeout S] [--queries NAME ...]

Per size, each stage in its own process (so that its peak memory is its own): load the file
into a new workspace (exo_rdf.workspace, RocksDB, streaming bulk load), validate it, run every
stored query with its example parameters (each as its own `exo-rdf query` process, so that
a query stopped at its limit ends with its process), and export it as N-Quads (streamed to /dev/null, so
that the run does not need the disk space of a second copy). Records wall time, peak RSS and
what each stage produced in benchmarks/results/scale-<date>.json after every stage, so an
interrupted run keeps what it measured. The data (benchmarks/data/scale-<size>.nt) and the
workspaces (benchmarks/data/scale-<size>.ws) are generated once and kept for reruns;
--clean removes them after each size.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

STAGES = ("load", "validate", "queries", "export")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_stage(name: str, data: Path, folder: Path, query_timeout: float, only: list[str] | None = None) -> dict:
    """One stage in this process; returns what it measured."""
    from exo_rdf.workspace import Workspace

    start = time.perf_counter()
    if name == "load":
        shutil.rmtree(folder, ignore_errors=True)
        ws = Workspace.create(folder, progress=True)
        context_s = time.perf_counter() - start
        # the time the load's count check takes, apart from the bulk load before it
        counting, count = [], ws._count

        def timed_count(graph):
            began = time.perf_counter()
            try:
                return count(graph)
            finally:
                counting.append(time.perf_counter() - began)

        ws._count = timed_count
        ws.add([data], progress=True)
        loaded = time.perf_counter()
        ws.optimize()
        return {"seconds": time.perf_counter() - start, "context_seconds": round(context_s, 2),
                "count_seconds": round(sum(counting), 2),
                "optimize_seconds": round(time.perf_counter() - loaded, 2), "triples": ws.triples(),
                "bytes": data.stat().st_size, "store_bytes": ws.store_bytes()}
    if name == "validate":
        from exo_rdf.workspace import physical_memory

        ws = Workspace.open(folder, read_only=True)
        in_batches = ws.checks_in_batches()
        report = ws.validate(progress=True)
        keys = {(v.focus, v.path, v.component) for v in report.violations}
        seeded = json.loads(data.with_suffix(".manifest.json").read_text())["seeded"]
        expected = {(s["focus"], s["path"], s["component"]) for s in seeded}
        return {"seconds": time.perf_counter() - start, "results": len(report.violations),
                "seeded_errors": len(expected), "seeded_found": len(expected & keys), "in_batches": in_batches,
                "store_bytes": ws.store_bytes(), "memory_bytes": physical_memory(),
                # the largest worker process's peak (validation in batches shares them out), beside this one's
                "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}
    if name == "queries":
        from exo_rdf.catalogue import catalogue

        out = {query_name: one_query(query_name, query.example, folder, query_timeout)
               for query_name, query in catalogue(ROOT).items() if not only or query_name in only}
        return {"seconds": time.perf_counter() - start, "queries": out,
                "peak_mb_per_query": max(q["peak_mb"] for q in out.values())}
    if name == "export":
        ws = Workspace.open(folder, read_only=True)
        statements = ws.export("-", "nq")
        return {"seconds": time.perf_counter() - start, "statements": statements}
    raise SystemExit(f"unknown stage {name}")


def one_query(name: str, example: dict, folder: Path, timeout_s: float) -> dict:
    """Run one stored query as a user does, `exo-rdf query NAME --workspace DIR`, in its own process.

    A query the engine is still evaluating cannot be cancelled inside a process: one stopped at
    its time limit goes on (and holds its memory) until it yields a row. A process per query
    ends it with the process, so peak memory is one query's, and the time limit is the
    command's own --timeout-s. Records seconds, rows (tab-separated lines after the header),
    the process's peak RSS (wait4), or the command's error line.
    """
    params = [a for key, value in example.items() for a in ("--param", f"{key}={value}")]
    cmd = [sys.executable, "-m", "exo_rdf", "query", name, *params, "--workspace", str(folder),
           "--format", "tsv", "--timeout-s", str(timeout_s)]
    t = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: it cannot fill while stdout is read
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors) as proc:
            lines = sum(1 for _ in proc.stdout)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        error_lines = errors.read().decode(errors="replace").strip().splitlines()
    row = {"seconds": round(time.perf_counter() - t, 3), "peak_mb": round(usage.ru_maxrss / 1024, 1)}
    if proc.returncode == 0:
        row["rows"] = max(lines - 1, 0)
    else:
        row["error"] = error_lines[-1] if error_lines else f"exit {proc.returncode}"
    print(f"  {name}: {row}", file=sys.stderr, flush=True)
    return row


_RESULT_LOCK = __import__("threading").Lock()
_FINISHED: list = []  # non-empty once the stage wrote its result


def _record_partial(result: Path, every_s: float = 10.0) -> None:
    """Write the peak RSS so far to result every few seconds: a stage stopped by its timeout keeps it."""
    import threading

    start = time.perf_counter()

    def loop() -> None:
        while True:
            with _RESULT_LOCK:
                if _FINISHED:
                    return
                tmp = result.with_suffix(".tmp")
                tmp.write_text(json.dumps({"partial": True, "peak_mb": round(peak_mb(), 1),
                                           "seconds": round(time.perf_counter() - start, 1)}))
                tmp.replace(result)
            time.sleep(every_s)

    threading.Thread(target=loop, daemon=True).start()


def stage(name: str, data: Path, folder: Path, timeout: float, query_timeout: float, only: list[str] | None = None) -> dict:
    """Run one stage in a fresh process (stdout to /dev/null: the export writes there); record a failure."""
    result_file = folder.with_suffix(f".{name}.json")
    result_file.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--stage", name, "--data", str(data), "--workspace", str(folder),
           "--result", str(result_file), "--query-timeout", str(query_timeout)] + (["--queries", *only] if only else [])
    log = folder.with_suffix(f".{name}.log")  # the stage's progress lines, to follow a long run
    started = time.perf_counter()
    try:
        with open(log, "w") as errors:
            proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=errors, timeout=timeout)
    except subprocess.TimeoutExpired:
        partial = json.loads(result_file.read_text()) if result_file.exists() else {}
        result_file.unlink(missing_ok=True)
        return {"error": f"stopped after {timeout:.0f} s", "peak_mb_so_far": partial.get("peak_mb"),
                "progress": _last_lines(log.read_text())}
    if proc.returncode != 0 or not result_file.exists() or "partial" in result_file.read_text():
        result_file.unlink(missing_ok=True)
        return {"error": (_last_lines(log.read_text()) or ["failed"])[-1], "wall_seconds": round(time.perf_counter() - started, 1)}
    out = json.loads(result_file.read_text())
    result_file.unlink()
    return out


def _last_lines(text: str) -> list[str]:
    return text.strip().splitlines()[-3:]


def save(results: dict) -> Path:
    """Write results to benchmarks/results/scale-<date>.json (temp file, rename), keeping the other
    sizes and stages of that day."""
    out = HERE / "results" / f"scale-{results['date']}.json"
    merged = dict(results)
    if out.exists():  # a run of some stages keeps the other stages of the same size
        earlier = json.loads(out.read_text()).get("sizes", {})
        merged["sizes"] = {**earlier, **{size: {**earlier.get(size, {}), **row} for size, row in results["sizes"].items()}}
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merged, indent=1) + "\n")
    tmp.replace(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["1M", "10M"])
    ap.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per stage")
    ap.add_argument("--deadline", metavar="HH:MM", help="stop any stage still running at this time (UTC)")
    ap.add_argument("--query-timeout", type=float, default=600, help="seconds per stored query")
    ap.add_argument("--clean", action="store_true", help="remove each size's data and workspace once measured")
    ap.add_argument("--queries", nargs="+", metavar="NAME", help="the queries stage runs only these stored queries")
    ap.add_argument("--stage", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--workspace", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.stage:  # a child process: one stage
        _record_partial(args.result)
        out = run_stage(args.stage, args.data, args.workspace, args.query_timeout, args.queries)
        out["peak_mb"] = round(peak_mb(), 1)
        out["seconds"] = round(out["seconds"], 2)
        with _RESULT_LOCK:
            _FINISHED.append(True)
            args.result.write_text(json.dumps(out))
        return

    from run import parse_size
    from generate import generate

    results = {"date": dt.date.today().isoformat(), "python": sys.version.split()[0], "cpus": os.cpu_count(),
               "nice": os.nice(0), "load_average": os.getloadavg()[0], "stage_timeout": args.timeout,
               "query_timeout": args.query_timeout, **({"queries": args.queries} if args.queries else {}), "sizes": {}}
    for label in args.sizes:
        n = parse_size(label)
        data = HERE / "data" / f"scale-{label}.nt"
        folder = HERE / "data" / f"scale-{label}.ws"
        row: dict = {"triples_requested": n}
        if not data.exists() or not data.with_suffix(".manifest.json").exists():
            print(f"[{label}] generating {n} triples ...", flush=True)
            t = time.perf_counter()
            manifest = generate(n, data)
            row["generate"] = {"seconds": round(time.perf_counter() - t, 2), "triples": manifest["triples"]}
        results["sizes"][label] = row
        for name in args.stages:
            print(f"[{label}] {name} ...", flush=True)
            timeout = args.timeout
            if args.deadline:  # HH:MM UTC by which every stage must have stopped
                now = dt.datetime.now(dt.timezone.utc)
                hour, minute = map(int, args.deadline.split(":"))
                end = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
                timeout = min(timeout, max((end - now).total_seconds(), 1))
            row[name] = stage(name, data, folder, timeout, args.query_timeout, args.queries)
            shown = {k: v for k, v in row[name].items() if k != "queries"}
            print(f"[{label}] {name}: {shown}", flush=True)
            out = save(results)
            if "error" in row[name] and name == "load":
                break
        if args.clean:
            shutil.rmtree(folder, ignore_errors=True)
            data.unlink(missing_ok=True)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
