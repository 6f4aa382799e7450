"""Benchmark exo-rdf against the plain Python stack, side by side in one run.

    python benchmarks/run.py [--sizes 10k 100k 1M 10M] [--baseline-max 1M] [--timeout 900]

Per size: load (pyoxigraph vs rdflib), validate (compiled SPARQL engine vs pyshacl, and whether
both report the same results), loading into an Oxigraph server (`exo-rdf load --file` vs the
server's own bulk loader `oxigraph load`), each stored query (embedded store vs an rdflib Dataset), reasoning
on ontology + imports (HermiT), and the peak memory of each stage, each stage in its own process.
Prints the ratios, writes benchmarks/results/<date>.json and a log-log plot next to it.
Baselines above --baseline-max are skipped (pyshacl needs minutes and gigabytes there).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

SUFFIX = {"k": 1_000, "M": 1_000_000}


def parse_size(text: str) -> int:
    return int(float(text[:-1]) * SUFFIX[text[-1]]) if text[-1] in SUFFIX else int(text)


def stage(name: str, data: Path, *extra: str, timeout: float) -> dict:
    """Run one stage in a fresh process; a timeout or crash is recorded, not raised."""
    cmd = [sys.executable, str(HERE / "stages.py"), name, str(data), *extra]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
    args = ap.parse_args()

    from exo_rdf.catalogue import catalogue

    queries = args.queries or list(catalogue(ROOT))
    baseline_max = parse_size(args.baseline_max)
    results = {"date": dt.date.today().isoformat(), "python": sys.version.split()[0], "sizes": {}}
    results["startup"] = startup(args.timeout)
    s = results["startup"]
    print(f"startup: exo-rdf query {s['exo_rdf_query']:.3f} s, import pyoxigraph {s['import_pyoxigraph']:.3f} s "
          f"({s['exo_rdf_query'] / s['import_pyoxigraph']:.1f}x)", flush=True)
    results["reason"] = stage("reason", HERE, timeout=args.timeout)
    print(f"reason (ontology + imports, HermiT): {results['reason']}", flush=True)
    for label in args.sizes:
        n = parse_size(label)
        data = HERE / "data" / f"{label}.nt"
        if not data.exists():
            print(f"[{label}] generating {n} triples ...", flush=True)
            generate(n, data)
        run_baseline = n <= baseline_max
        row = {"triples": n}
        for ours, theirs in (("load-exo", "load-rdflib"), ("validate-exo", "validate-pyshacl")):
            row[ours] = stage(ours, data, timeout=args.timeout)
            row[theirs] = stage(theirs, data, timeout=args.timeout) if run_baseline else {"error": "skipped"}
            print(f"[{label}] {ours}: {row[ours]}  {theirs}: {row[theirs]}  speed-up {ratio(row[theirs], row[ours])}, "
                  f"memory {ratio(row[theirs], row[ours], 'peak_mb')} less", flush=True)
        if run_baseline:  # into an Oxigraph server: throughput against its own offline bulk loader
            ours, theirs = stage("server-load-exo", data, timeout=args.timeout), stage("server-load-bulk", data, timeout=args.timeout)
            row["server-load-exo"], row["server-load-bulk"] = ours, theirs
            print(f"[{label}] server-load-exo: {ours}  server-load-bulk: {theirs}  throughput {ratio(theirs, ours)} "
                  f"of the bulk loader", flush=True)
        if run_baseline and "digest" in row["validate-exo"] and "digest" in row["validate-pyshacl"]:
            row["validation_identical"] = row["validate-exo"]["digest"] == row["validate-pyshacl"]["digest"]
            print(f"[{label}] identical validation results: {row['validation_identical']}", flush=True)
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
        out = save(results)  # after every size: an interrupted run keeps what it measured
    print(f"wrote {out}")
    plot(json.loads(out.read_text()), out.with_suffix(".png"))


def save(results: dict) -> Path:
    """Write results to benchmarks/results/<date>.json (temp file, then rename); return its path.

    Sizes measured earlier on the same day and not in this run are kept.
    """
    out = HERE / "results" / f"{results['date']}.json"
    out.parent.mkdir(exist_ok=True)
    merged = dict(results)
    if out.exists():
        earlier = json.loads(out.read_text())
        merged["sizes"] = {**earlier.get("sizes", {}), **results["sizes"]}
        merged["sizes"] = dict(sorted(merged["sizes"].items(), key=lambda kv: kv[1]["triples"]))
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merged, indent=1))
    tmp.replace(out)
    return out


def plot(results: dict, png: Path) -> None:
    """Log-log plot of time against size for each stage and its baseline."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed: no plot (pip install matplotlib)")
        return
    sizes = list(results["sizes"].values())
    fig, ax = plt.subplots(figsize=(7, 5))
    for key, style in (("load-exo", "o-"), ("load-rdflib", "o--"), ("validate-exo", "s-"), ("validate-pyshacl", "s--"),
                       ("server-load-exo", "d-"), ("server-load-bulk", "d:")):
        points = [(r["triples"], r[key]["seconds"]) for r in sizes if "seconds" in r.get(key, {})]
        if points:
            ax.plot(*zip(*points), style, label=key)
    points = [(r["triples"], sum(q["exo"].get("seconds", 0) for q in r["queries"].values()))
              for r in sizes if all("seconds" in q["exo"] for q in r["queries"].values())]
    if points:
        ax.plot(*zip(*points), "^-", label="all stored queries (exo)")
    # rdflib times out on some queries: compare the sums over the queries it answered
    for engine, style in (("exo", "v-"), ("rdflib", "v--")):
        points = [(r["triples"], sum(q[engine]["seconds"] for q in r["queries"].values() if "seconds" in q["rdflib"]))
                  for r in sizes if any("seconds" in q["rdflib"] for q in r["queries"].values())]
        if points:
            ax.plot(*zip(*points), style, label=f"queries rdflib answered ({engine})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("triples")
    ax.set_ylabel("seconds")
    ax.set_title("exo-rdf vs the plain Python stack")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
