"""Benchmark exo-rdf against the plain Python stack, side by side in one run.

    python benchmarks/run.py [--sizes 10k 100k 1M 10M] [--baseline-max 1M] [--timeout 900]
    python benchmarks/run.py --validate-only --sizes 1M 10M [--peers exo exo-disk jena turbo pyshacl] [--reps N]

Per size: load (pyoxigraph vs rdflib), validation by every peer on the same data (exo-rdf's
compiled SPARQL engine, Jena SHACL 4.5 with -Xmx2g and with the smallest heap that lets it finish,
pyshacl-turbo given a pyoxigraph Store, pyshacl up to 1M), several repetitions (3 up to 1M, 2
above), each peer in turn within a repetition, with min, median, peak memory and exo-rdf's
speed-up per repetition (median, min-max), all result sets compared with exo-rdf's (a mismatch
is printed loudly and recorded; stages.py says how results are normalised), loading into an Oxigraph server (`exo-rdf load --file` vs the
server's own bulk loader `oxigraph load`), each stored query (embedded store vs an rdflib Dataset), reasoning
on ontology + imports (HermiT), and the peak memory of each stage, each stage in its own process.
Prints the ratios, writes benchmarks/results/<date>.json (or --results NAME) and a log-log plot next to it.
Baselines above --baseline-max are skipped (pyshacl needs minutes and gigabytes there).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
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

from generate import generate  # noqa: E402
from plot import plot  # noqa: E402

SUFFIX = {"k": 1_000, "M": 1_000_000}


def parse_size(text: str) -> int:
    return int(float(text[:-1]) * SUFFIX[text[-1]]) if text[-1] in SUFFIX else int(text)


def stage(name: str, data: Path, *extra: str, timeout: float, mem_limit_mb: float = 8192) -> dict:
    """Run one stage in a fresh process; a timeout, crash or memory overrun is recorded, not raised.

    The process tree's RSS is polled; above mem_limit_mb the stage is killed (the benchmark keeps
    every run under the machine's share, 8 GB).
    """
    import psutil

    cmd = [sys.executable, str(HERE / "stages.py"), name, str(data), *extra]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        watched, start, why = psutil.Process(proc.pid), time.monotonic(), None
        while proc.poll() is None:
            try:
                rss = sum(p.memory_info().rss for p in [watched, *watched.children(recursive=True)])
            except psutil.Error:  # a child ended between listing and reading
                rss = 0
            if rss > mem_limit_mb * 2**20:
                why = f"killed above {mem_limit_mb / 1024:.0f} GB RSS"
            elif time.monotonic() - start > timeout:
                why = f"timeout after {timeout:.0f} s"
            if why:
                for p in [*watched.children(recursive=True), watched]:
                    p.kill()
                proc.wait()
                return {"error": why}
            time.sleep(0.25)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if proc.returncode != 0:
        return {"error": (stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(stdout.strip().splitlines()[-1])


def startup(timeout: float, runs: int = 15) -> dict:
    """Wall time of `exo-rdf query ev-types` (store already built) vs `python -c 'import pyoxigraph'`, best of runs.

    The command is the installed console script, as a user types it (``python -m exo_rdf`` where
    there is none). The package is byte-compiled first, as an installed wheel is, so that neither
    side pays for compiling; the two commands alternate so that both see the same machine load.
    """
    import compileall

    compileall.compile_dir(str(ROOT / "exo_rdf"), quiet=1)
    script = Path(sys.executable).parent / "exo-rdf"
    query = [str(script)] if script.is_file() else [sys.executable, "-m", "exo_rdf"]
    query += ["query", "ev-types", "--format", "csv"]
    baseline = [sys.executable, "-c", "import pyoxigraph"]
    subprocess.run(query, capture_output=True, timeout=timeout, check=True)  # build the store once
    times: dict[str, list[float]] = {"exo_rdf_query": [], "import_pyoxigraph": []}
    for _ in range(runs):
        for key, cmd in (("exo_rdf_query", query), ("import_pyoxigraph", baseline)):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, timeout=timeout, check=True)
            times[key].append(time.perf_counter() - t)
    return {key: min(ts) for key, ts in times.items()}


#: validation peers: name -> (stage, largest size it runs at by default)
PEERS = {"exo": "validate-exo", "exo-disk": "validate-exo-disk", "jena": "validate-jena", "turbo": "validate-turbo", "pyshacl": "validate-pyshacl"}


def with_context(data: Path) -> Path:
    """data and its validation context (ontology, imports, reviews, entities) in one N-Triples file.

    Jena's shacl command reads one data file; written beside data once (temp file, then rename).
    """
    import pyoxigraph as ox

    from exo_rdf.sources import parse_quads
    from exo_rdf.validate import context_sources

    out = data.with_name(data.stem + ".with-context.nt")
    if out.exists() and out.stat().st_mtime >= data.stat().st_mtime:
        return out
    tmp = out.with_suffix(".tmp")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for s in context_sources(ROOT) for q in parse_quads(s)]
    with open(tmp, "wb") as f:
        f.write(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        with open(data, "rb") as d:
            while block := d.read(1 << 24):
                f.write(block)
    tmp.replace(out)
    return out


def peer_stage(peer: str, data: Path, keys: Path, args, heap: str | None = None) -> dict:
    if peer == "jena":
        return stage("validate-jena", with_context(data), heap or args.jena_heap, str(keys), timeout=args.timeout)
    return stage(PEERS[peer], data, str(keys), timeout=args.timeout)


def compare_keys(reference: Path, other: Path) -> dict | None:
    """None when both result sets are identical, else what each has alone (first rows and counts)."""
    ours = {tuple(r) for r in json.loads(reference.read_text())}
    theirs = {tuple(r) for r in json.loads(other.read_text())}
    if ours == theirs:
        return None
    only_ours, only_theirs = sorted(ours - theirs, key=repr), sorted(theirs - ours, key=repr)
    return {"only_exo": len(only_ours), "only_peer": len(only_theirs),
            "first_only_exo": only_ours[:5], "first_only_peer": only_theirs[:5]}


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def validation_peers(label: str, data: Path, peers: list[str], reps: int, args, checkpoint=lambda out: None,
                     earlier: dict | None = None) -> dict:
    """Each peer validates the same data, in turn within each repetition; ratios per repetition.

    Every peer's result set is compared with exo-rdf's; a mismatch is printed loudly and recorded.
    The result sets are kept in results/<size>/ beside the data; checkpoint(out) is called after
    every run, so that an interrupted run keeps what it measured. earlier: the saved results of
    an interrupted run of this size, whose runs are kept and not repeated (--resume).
    """
    out = {"repetitions": reps, "peers": peers, "runs": {p: [] for p in peers}, "mismatches": {}}
    tmp = data.parent / "results" / label  # each run's result set, kept for a look at a mismatch
    tmp.mkdir(parents=True, exist_ok=True)
    if earlier:
        out["runs"].update({p: runs for p, runs in earlier["runs"].items() if p in peers})
        out["mismatches"].update(earlier["mismatches"])
    else:
        for old in tmp.glob("*.json"):  # never compare with an earlier run's
            old.unlink()
    for rep in range(reps):
        for peer in peers:
            if rep < len(out["runs"][peer]) or rep >= args.peer_reps.get(peer, reps):
                continue  # measured before this resumed run, or only so many runs wanted
            keys = Path(tmp) / f"{peer}-{rep}.json"
            result = peer_stage(peer, data, keys, args)
            out["runs"][peer].append(result)
            print(f"[{label}] rep {rep + 1}/{reps} {peer}: {result}", flush=True)
            checkpoint(out)
            if peer != "exo" and "error" not in result and (Path(tmp) / f"exo-{rep}.json").exists():
                diff = compare_keys(Path(tmp) / f"exo-{rep}.json", keys)
                if diff:
                    out["mismatches"][f"{peer}-{rep}"] = diff
                    print(f"[{label}] !!! MISMATCH: {peer} and exo-rdf report different results: {diff}", flush=True)
    if "jena" in peers and parse_size(label) <= parse_size(args.jena_min_heap_max):
        out["jena_smallest_heap"] = smallest_heap(label, data, Path(tmp), args)
        if out["jena_smallest_heap"].get("heap"):
            heap = out["jena_smallest_heap"]["heap"]
            out["peers"].append("jena-smallest-heap")
            out["runs"]["jena-smallest-heap"] = []
            for rep in range(args.jena_min_heap_reps):  # beside exo-rdf again, so each ratio has its own pair
                exo_keys, keys = Path(tmp) / f"exo-small-{rep}.json", Path(tmp) / f"jena-small-{rep}.json"
                out["runs"]["exo"].append(peer_stage("exo", data, exo_keys, args))
                result = peer_stage("jena", data, keys, args, heap)
                out["runs"]["jena-smallest-heap"].append(result)
                print(f"[{label}] rep {rep + 1}/{args.jena_min_heap_reps} exo: {out['runs']['exo'][-1]}  "
                      f"jena -Xmx{heap}: {result}", flush=True)
                diff = None if "error" in result or not exo_keys.exists() else compare_keys(exo_keys, keys)
                if diff:
                    out["mismatches"][f"jena-smallest-heap-{rep}"] = diff
                    print(f"[{label}] !!! MISMATCH: jena -Xmx{heap} and exo-rdf report different results: {diff}", flush=True)
    out["identical"] = not out["mismatches"]
    out["summary"] = summarise(out)
    return out


def smallest_heap(label: str, data: Path, tmp: Path, args) -> dict:
    """The smallest of the heaps args.jena_heaps (tried in turn, largest first) with which Jena still finishes."""
    found = {}
    for heap in args.jena_heaps:
        result = peer_stage("jena", data, tmp / f"heap-{heap}.json", args, heap)
        print(f"[{label}] jena -Xmx{heap}: {result}", flush=True)
        if "error" in result:
            return {**found, "failed_below": {"heap": heap, "error": result["error"]}}
        found = {"heap": heap, "seconds": result["seconds"], "peak_mb": result["peak_mb"]}
    return found


def summarise(out: dict) -> dict:
    """Per peer: median and min time, peak memory, and exo-rdf's speed-up per repetition
    (median and min-max), paired with the exo-rdf run just before it."""
    runs = out["runs"]
    exo_pairs = runs["exo"][:out["repetitions"]], runs["exo"][out["repetitions"]:]
    summary = {}
    for peer, results in runs.items():
        ok = [r for r in results if "seconds" in r and "error" not in r]
        row = {"repetitions": len(ok), "errors": [r["error"] for r in results if "error" in r]}
        if ok:
            row.update({"seconds": spread([r["seconds"] for r in ok]), "peak_mb": max(r["peak_mb"] for r in ok)})
        if peer != "exo":
            partners = exo_pairs[1] if peer == "jena-smallest-heap" else exo_pairs[0]
            ratios = [r["seconds"] / e["seconds"] for r, e in zip(results, partners)
                      if "error" not in r and "error" not in e and "seconds" in r and "seconds" in e]
            if ratios:
                row["speedup"] = spread(ratios)
                row["memory_ratio"] = spread([r["peak_mb"] / e["peak_mb"] for r, e in zip(results, partners)
                                              if "error" not in r and "error" not in e and "peak_mb" in r])
            disk = [r["seconds"] / e["seconds"] for r, e in zip(results, runs.get("exo-disk", []))
                    if peer not in ("exo-disk", "jena-smallest-heap") and "error" not in r and "error" not in e
                    and "seconds" in r and "seconds" in e]
            if disk:  # the on-disk exo-rdf ran in the same repetitions
                row["speedup_on_disk"] = spread(disk)
        summary[peer] = row
    return summary


def print_summary(label: str, summary: dict) -> None:
    for peer, row in summary.items():
        if "seconds" not in row:
            print(f"[{label}] {peer}: no run finished ({'; '.join(row['errors'])})")
            continue
        line = (f"[{label}] {peer:20s} median {row['seconds']['median']:7.2f} s  min {row['seconds']['min']:7.2f} s  "
                f"peak {row['peak_mb']:7.0f} MB  ({row['repetitions']} runs)")
        if "speedup" in row:
            sp = row["speedup"]
            line += f"  exo-rdf {sp['median']:.2f}x faster ({sp['min']:.2f}-{sp['max']:.2f})"
        if "speedup_on_disk" in row:
            sp = row["speedup_on_disk"]
            line += f", on disk {sp['median']:.2f}x ({sp['min']:.2f}-{sp['max']:.2f})"
        print(line, flush=True)


def ratio(baseline: dict, ours: dict, key: str = "seconds") -> str:
    if "error" in baseline or "error" in ours or key not in baseline or key not in ours:
        return "n/a"
    return f"{baseline[key] / max(ours[key], 1e-9):.1f}x"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["10k", "100k", "1M"])
    ap.add_argument("--baseline-max", default="1M")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--queries", nargs="*", help="stored queries to report (default: all)")
    ap.add_argument("--query-timeout", type=int, default=300, help="seconds per baseline query")
    ap.add_argument("--validate-only", action="store_true", help="only the validation peers (no load, queries, reasoning)")
    ap.add_argument("--peers", nargs="+", default=list(PEERS), choices=list(PEERS), help="validation peers (exo always runs)")
    ap.add_argument("--reps", type=int, help="repetitions per size (default: 3 up to 1M, 2 above)")
    ap.add_argument("--jena-heap", default="2g", help="Jena's -Xmx (default 2g)")
    ap.add_argument("--jena-min-heap-max", default="1M", help="largest size at which to look for Jena's smallest heap")
    ap.add_argument("--jena-heaps", nargs="+", default=["1g", "768m", "512m", "384m", "256m", "192m"],
                    help="heaps tried, largest first, for Jena's smallest heap")
    ap.add_argument("--jena-min-heap-reps", type=int, default=1, help="runs with Jena's smallest heap, each beside exo-rdf")
    ap.add_argument("--peer-max", nargs="*", default=["pyshacl=1M"], metavar="PEER=SIZE",
                    help="largest size per peer (default pyshacl=1M; --baseline-max too)")
    ap.add_argument("--peer-reps", nargs="*", default=[], metavar="PEER=N", help="fewer repetitions for a slow peer")
    ap.add_argument("--resume", action="store_true", help="keep the validation runs saved today for a size, add the missing ones")
    ap.add_argument("--data-dir", metavar="DIR", type=Path, default=HERE / "data",
                    help="where the generated sets (and each run's result sets) are kept (default benchmarks/data)")
    ap.add_argument("--results", metavar="NAME", help="write benchmarks/results/NAME.json (default: today's date)")
    args = ap.parse_args()
    args.peer_reps = {k: int(v) for k, v in (item.split("=", 1) for item in args.peer_reps)}
    peer_max = {k: parse_size(v) for k, v in (item.split("=", 1) for item in args.peer_max)}

    from exo_rdf.catalogue import catalogue

    queries = args.queries or list(catalogue(ROOT))
    baseline_max = parse_size(args.baseline_max)
    results = {"date": dt.date.today().isoformat(), "python": sys.version.split()[0], "sizes": {}, "machine": machine()}
    name = args.results or results["date"]
    if not args.validate_only:
        results["startup"] = startup(args.timeout)
        s = results["startup"]
        print(f"startup: exo-rdf query {s['exo_rdf_query']:.3f} s, import pyoxigraph {s['import_pyoxigraph']:.3f} s "
              f"({s['exo_rdf_query'] / s['import_pyoxigraph']:.1f}x)", flush=True)
        results["reason"] = stage("reason", HERE, timeout=args.timeout)
        print(f"reason (ontology + imports, HermiT): {results['reason']}", flush=True)
    for label in args.sizes:
        n = parse_size(label)
        data = args.data_dir / f"{label}.nt"
        if not data.exists():
            print(f"[{label}] generating {n} triples ...", flush=True)
            generate(n, data)
        run_baseline = n <= baseline_max
        row = {"triples": n}
        peers = ["exo"] + [p for p in args.peers if p != "exo" and n <= peer_max.get(p, n)]
        results["sizes"][label] = row

        def checkpoint(partial: dict) -> None:
            row["validate"] = {**partial, "summary": summarise(partial), "identical": not partial["mismatches"]}
            save(results, name)

        saved = HERE / "results" / f"{name}.json"
        earlier = (json.loads(saved.read_text())["sizes"].get(label, {}).get("validate")
                   if args.resume and saved.exists() else None)
        row["validate"] = validation_peers(label, data, peers, args.reps or (3 if n <= 1_000_000 else 2), args, checkpoint,
                                           earlier)
        print_summary(label, row["validate"]["summary"])
        for key, peer in (("validate-exo", "exo"), ("validate-pyshacl", "pyshacl")):  # medians, for the plot
            if "seconds" in row["validate"]["summary"].get(peer, {}):
                row[key] = {"seconds": row["validate"]["summary"][peer]["seconds"]["median"]}
        if args.validate_only:
            results["sizes"][label] = row
            out = save(results, name)
            continue
        for ours, theirs in (("load-exo", "load-rdflib"),):
            row[ours] = stage(ours, data, timeout=args.timeout)
            row[theirs] = stage(theirs, data, timeout=args.timeout) if run_baseline else {"error": "skipped"}
            print(f"[{label}] {ours}: {row[ours]}  {theirs}: {row[theirs]}  speed-up {ratio(row[theirs], row[ours])}, "
                  f"memory {ratio(row[theirs], row[ours], 'peak_mb')} less", flush=True)
        if run_baseline:  # into an Oxigraph server: throughput against its own offline bulk loader
            ours, theirs = stage("server-load-exo", data, timeout=args.timeout), stage("server-load-bulk", data, timeout=args.timeout)
            row["server-load-exo"], row["server-load-bulk"] = ours, theirs
            print(f"[{label}] server-load-exo: {ours}  server-load-bulk: {theirs}  throughput {ratio(theirs, ours)} "
                  f"of the bulk loader", flush=True)
        params = json.dumps({name: query.example for name, query in catalogue(ROOT).items()})
        ours = stage("queries-exo", data, params, str(args.query_timeout), timeout=args.timeout)
        theirs = (stage("queries-rdflib", data, params, str(args.query_timeout), timeout=args.timeout * 4)
                  if run_baseline else {"error": "skipped"})
        row["queries"] = {}
        for q in queries:
            a = ours.get("queries", {}).get(q, ours)
            b = theirs.get("queries", {}).get(q, theirs)
            row["queries"][q] = {"exo": a, "rdflib": b}
            print(f"[{label}] query {q}: {a.get('seconds', a.get('error'))} s vs rdflib {b.get('seconds', b.get('error'))} "
                  f"({ratio(b, a)})", flush=True)
        row["queries-peak-mb"] = {"exo": ours.get("peak_mb"), "rdflib": theirs.get("peak_mb")}
        results["sizes"][label] = row
        out = save(results, name)  # after every size: an interrupted run keeps what it measured
    print(f"wrote {out}")
    if not args.validate_only:
        plot(json.loads(out.read_text()), out.with_suffix(".png"))


def machine() -> dict:
    """What the numbers were measured on: cores, memory, load when the run started, Java."""
    import os
    import platform

    import psutil

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[:1]
    return {"cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_average_at_start": os.getloadavg(), "platform": platform.platform(), "java": java[0] if java else None}


def save(results: dict, name: str | None = None) -> Path:
    """Write results to benchmarks/results/<name>.json (default: the date; temp file, then rename); return its path.

    Sizes measured earlier on the same day and not in this run are kept.
    """
    out = HERE / "results" / f"{name or results['date']}.json"
    out.parent.mkdir(exist_ok=True)
    merged = dict(results)
    if out.exists():
        earlier = json.loads(out.read_text())
        merged["sizes"] = {**earlier.get("sizes", {})}
        for label, row in results["sizes"].items():  # a run of some stages keeps the others' rows
            merged["sizes"][label] = {**merged["sizes"].get(label, {}), **row}
        merged["sizes"] = dict(sorted(merged["sizes"].items(), key=lambda kv: kv[1]["triples"]))
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merged, indent=1))
    tmp.replace(out)
    return out


if __name__ == "__main__":
    main()
