"""Curation benchmark: `exo-rdf curate` against a LinkML pipeline on the same template rows.

    python benchmarks/curation.py [--sizes 100k 1M] [--repeat 3] [--linkml-repeat 3 1]
                                  [--linkml-max 1M] [--timeout 7200]

Per size, synthetic cargo-effect template rows (benchmarks/generate_curation.py, seeded; a fixed
share carries one mistake each) go through both pipelines, each stage in its own process
(benchmarks/curation_stages.py) so that its peak memory is its own:

- exo-rdf: ``curate`` (the API of ``exo-rdf curate --keep-valid``): names resolved, RDF built,
  the project's SHACL shapes checked, valid rows written as Turtle, failing rows to a rejects file;
- LinkML: ``linkml-validate`` with benchmarks/linkml/cargo-effect.yaml on all rows, then
  ``linkml-convert`` (TSV to Turtle, ``--no-validate``: validation was the step before) on the rows
  it accepted.

Repetitions alternate the two sides so that both see the same machine load. Prints, per size, the
min and median of each side, the ratio LinkML/exo-rdf per repetition (min, median, max; with
fewer LinkML runs than exo-rdf runs, LinkML's last run stands for the missing ones), the
peak memory of each process, and whether both sides reject exactly the rows the generator
spoiled (digests of the rejected row sets); writes benchmarks/results/curation-<date>.json
(temp file, then rename; sizes measured earlier that day and not in this run are kept).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from generate_curation import generate, keep_rows  # noqa: E402
from run import parse_size  # noqa: E402

SCHEMA = HERE / "linkml" / "cargo-effect.yaml"
ROW_CLASS, CONTAINER, INDEX_SLOT = "CargoEffectRow", "CargoEffectRows", "rows"


def stage(name: str, *args: str, timeout: float) -> dict:
    """Run one stage in a fresh process under nice; a timeout or a crash is recorded, not raised."""
    cmd = ["nice", "-n", "10", sys.executable, str(HERE / "curation_stages.py"), name, *map(str, args)]
    load = round(os.getloadavg()[0], 1)  # the machine is shared: say how busy it was
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1][:300], "load_before": load}
    return {**json.loads(proc.stdout.strip().splitlines()[-1]), "load_before": load}


def summary(values: list[float]) -> dict:
    return {"runs": [round(v, 3) for v in values], "min": round(min(values), 3),
            "median": round(statistics.median(values), 3)} if values else {}


def measure(label: str, n: int, repeat: int, linkml_repeat: int, timeout: float, work: Path,
            convert: bool = True, done=lambda record: None) -> dict:
    """Both pipelines on n generated rows (LinkML's conversion only where convert); returns the size's record.

    done(record) is called after every repetition with the record so far, so that a run stopped
    early keeps what it measured.
    """
    exo_file, linkml_file = work / f"curation-{label}.cargo-effect.tsv", work / f"curation-{label}.linkml.tsv"
    spoiled = generate(n, exo_file, linkml_file)
    expected = {"rejected": len(spoiled), "rejected_digest": _digest(set(spoiled))}
    print(f"[{label}] {n} rows, {len(spoiled)} spoiled (digest {expected['rejected_digest']})", flush=True)
    exo_runs, linkml_runs = [], []
    for rep in range(max(repeat, linkml_repeat)):
        if rep < repeat:
            run = stage("exo", exo_file, work / f"exo-{label}.ttl", timeout=timeout)
            exo_runs.append(run)
            print(f"[{label}] exo-rdf curate #{rep + 1}: {_brief(run)}", flush=True)
        if rep < linkml_repeat:
            run = {"validate": stage("linkml-validate", SCHEMA, ROW_CLASS, linkml_file, timeout=timeout)}
            if "error" not in run["validate"] and not convert:
                run["convert"] = {"error": "not run: above --linkml-convert-max"}
            elif "error" not in run["validate"]:
                accepted = work / f"curation-{label}.linkml-accepted.tsv"
                keep_rows(linkml_file, accepted, set(run["validate"]["rejected_rows"]))
                run["convert"] = stage("linkml-convert", SCHEMA, CONTAINER, INDEX_SLOT, accepted,
                                       work / f"linkml-{label}.ttl", timeout=timeout)
                if "error" not in run["convert"]:
                    run["seconds"] = run["validate"]["seconds"] + run["convert"]["seconds"]
                    run["peak_mb"] = max(run["validate"]["peak_mb"], run["convert"]["peak_mb"])
            linkml_runs.append(run)
            print(f"[{label}] LinkML #{rep + 1}: validate {_brief(run['validate'])}; "
                  f"convert {_brief(run.get('convert', {'error': 'not run'}))}", flush=True)
        done(record(n, expected, exo_runs, linkml_runs))
    row = record(n, expected, exo_runs, linkml_runs)
    _print_size(label, row)
    return row


def record(n: int, expected: dict, exo_runs: list, linkml_runs: list) -> dict:
    """A size's record from the runs made so far: times, peaks, ratios per repetition, rejected rows."""
    row = {"rows": n, "spoiled": expected, "repeat": {"exo": len(exo_runs), "linkml": len(linkml_runs)},
           "load_before": {"exo": [r.get("load_before") for r in exo_runs],
                           "linkml": [r["validate"].get("load_before") for r in linkml_runs]}}
    row["exo"] = {**summary([r["seconds"] for r in exo_runs if "seconds" in r]),
                  "cpu_seconds": [r["cpu_seconds"] for r in exo_runs if "cpu_seconds" in r],
                  "peak_mb": max((r.get("peak_mb", 0) for r in exo_runs), default=None),
                  "errors": [r["error"] for r in exo_runs if "error" in r]}
    row["linkml"] = {**summary([r["seconds"] for r in linkml_runs if "seconds" in r]),
                     "validate": summary([r["validate"]["seconds"] for r in linkml_runs if "seconds" in r["validate"]]),
                     "convert": summary([r["convert"]["seconds"] for r in linkml_runs if "seconds" in r.get("convert", {})]),
                     "peak_mb": {"validate": max((r["validate"]["peak_mb"] for r in linkml_runs if "peak_mb" in r["validate"]),
                                                 default=None),
                                 "convert": max((r["convert"]["peak_mb"] for r in linkml_runs if "peak_mb" in r.get("convert", {})),
                                                default=None)},
                     "errors": [e for r in linkml_runs for e in (r["validate"].get("error"), r.get("convert", {}).get("error")) if e]}
    # repetition i of each side against each other; with fewer LinkML runs, its last one stands for the rest
    pairs = [(ex, linkml_runs[min(i, len(linkml_runs) - 1)]) for i, ex in enumerate(exo_runs)] if linkml_runs else []
    ratios = [lk["seconds"] / ex["seconds"] for ex, lk in pairs if "seconds" in ex and "seconds" in lk]
    if ratios:
        row["ratio_linkml_over_exo"] = _spread(ratios)
    # LinkML's validation alone against all of curate (which also resolves and writes): a lower bound
    cpu = [(ex["cpu_seconds"], lk["validate"]["cpu_seconds"] + lk["convert"]["cpu_seconds"]) for ex, lk in pairs
           if "cpu_seconds" in ex and "cpu_seconds" in lk["validate"] and "cpu_seconds" in lk.get("convert", {})]
    if cpu:
        row["cpu_seconds"] = {"exo": [c for c, _ in cpu], "linkml": [c for _, c in cpu]}
        row["ratio_cpu_linkml_over_exo"] = _spread([theirs / ours for ours, theirs in cpu])
    ratios = [lk["validate"]["seconds"] / ex["seconds"] for ex, lk in pairs if "seconds" in ex and "seconds" in lk["validate"]]
    if ratios:
        row["ratio_linkml_validate_over_exo"] = _spread(ratios)
    row["rejected"] = {
        "exo": sorted({r["rejected_digest"] for r in exo_runs if "rejected_digest" in r}),
        "linkml": sorted({r["validate"]["rejected_digest"] for r in linkml_runs if "rejected_digest" in r["validate"]}),
        "counts": {"exo": sorted({r["rejected"] for r in exo_runs if "rejected" in r}),
                   "linkml": sorted({r["validate"]["rejected"] for r in linkml_runs if "rejected" in r["validate"]})},
    }
    spoiled = [expected["rejected_digest"]]
    row["rejected"]["exo_rejects_spoiled"] = row["rejected"]["exo"] == spoiled if exo_runs else None
    row["rejected"]["linkml_rejects_spoiled"] = row["rejected"]["linkml"] == spoiled if linkml_runs else None
    # both sides, each run, rejected exactly the spoiled rows (None where a side did not run)
    row["rejected"]["same_rows"] = (row["rejected"]["exo"] == row["rejected"]["linkml"] == spoiled
                                    if exo_runs and linkml_runs else None)
    return row


def _spread(ratios: list[float]) -> dict:
    return {"runs": [round(r, 2) for r in ratios], "min": round(min(ratios), 2),
            "median": round(statistics.median(ratios), 2), "max": round(max(ratios), 2)}


def _digest(rows: set[int]) -> str:
    from curation_stages import rows_digest

    return rows_digest(rows)


def _brief(run: dict) -> str:
    if "error" in run:
        return f"error: {run['error']}"
    return f"{run['seconds']:.1f} s, peak {run['peak_mb']:.0f} MB" + (f", {run['rejected']} rejected" if "rejected" in run else "")


def _print_size(label: str, row: dict) -> None:
    exo, linkml, ratio = row["exo"], row["linkml"], row.get("ratio_linkml_over_exo")
    if exo.get("runs"):
        print(f"[{label}] exo-rdf: min {exo['min']} s, median {exo['median']} s, peak {exo['peak_mb']} MB", flush=True)
    if linkml.get("runs"):
        print(f"[{label}] LinkML: min {linkml['min']} s, median {linkml['median']} s "
              f"(validate {linkml['validate']['median']} s, convert {linkml['convert']['median']} s), "
              f"peak {linkml['peak_mb']} MB", flush=True)
    if ratio:
        print(f"[{label}] LinkML/exo-rdf: median {ratio['median']}x (min {ratio['min']}x, max {ratio['max']}x)", flush=True)
    if "ratio_linkml_validate_over_exo" in row:
        r = row["ratio_linkml_validate_over_exo"]
        print(f"[{label}] linkml-validate alone/exo-rdf curate: median {r['median']}x (min {r['min']}x, max {r['max']}x)",
              flush=True)
    print(f"[{label}] rows rejected as spoiled: exo-rdf {row['rejected']['exo_rejects_spoiled']}, LinkML "
          f"{row['rejected']['linkml_rejects_spoiled']}, both the same {row['rejected']['same_rows']} {row['rejected']}",
          flush=True)


def save(results: dict) -> Path:
    """Write results to benchmarks/results/curation-<date>.json (temp file, then rename); return its path.

    Sizes measured earlier on the same day and not in this run are kept; a size measured again
    moves its earlier record (of another run, by its "started" time) to the list "earlier".
    """
    out = HERE / "results" / f"curation-{results['date']}.json"
    out.parent.mkdir(exist_ok=True)
    merged = dict(results)
    if out.exists():
        earlier = json.loads(out.read_text())
        merged["earlier"] = list(earlier.get("earlier", []))
        for label, record in earlier.get("sizes", {}).items():
            if label in results["sizes"] and record.get("started") != results["started"]:
                merged["earlier"].append({"size": label, "started": record.get("started"), **record})
        merged["sizes"] = {**earlier.get("sizes", {}), **{k: {**v, "started": results["started"]} for k, v in results["sizes"].items()}}
        merged["sizes"] = dict(sorted(merged["sizes"].items(), key=lambda kv: kv[1]["rows"]))
    else:
        merged["sizes"] = {k: {**v, "started": results["started"]} for k, v in results["sizes"].items()}
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(merged, indent=1) + "\n")
    tmp.replace(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", default=["100k", "1M"])
    ap.add_argument("--repeat", type=int, default=3, help="exo-rdf runs per size")
    ap.add_argument("--linkml-repeat", type=int, nargs="+", default=[3, 1],
                    help="LinkML runs per size, in the order of --sizes (the last applies to the rest)")
    ap.add_argument("--linkml-convert-max", default="100k",
                    help="largest size LinkML converts (its memory grows with the rows: ~6 GB at 100k)")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds per stage")
    ap.add_argument("--work", type=Path, help="folder for the generated rows and outputs (default: a temporary one)")
    args = ap.parse_args()

    from importlib.metadata import version

    results = {"date": dt.date.today().isoformat(), "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "python": sys.version.split()[0],
               "linkml": version("linkml"), "pyoxigraph": version("pyoxigraph"), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="exo-rdf-curation-") as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        for i, label in enumerate(args.sizes):
            linkml_repeat = args.linkml_repeat[min(i, len(args.linkml_repeat) - 1)]
            n = parse_size(label)

            def done(record, label=label):  # after every repetition: an interrupted run keeps what it measured
                results["sizes"][label] = record
                save(results)

            measure(label, n, args.repeat, linkml_repeat, args.timeout, work,
                    convert=n <= parse_size(args.linkml_convert_max), done=done)
            out = HERE / "results" / f"curation-{results['date']}.json"
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
