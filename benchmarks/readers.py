"""What a reader sees while `exo-rdf load` replaces a graph in a real store.

    python benchmarks/readers.py [--triples 80000] [--changed 8000] [--repeat 3]
                                 [--stores oxigraph-memory virtuoso] [--virtuoso-buffers 170000,130000]

Per store (started here on 127.0.0.1, stopped after, as benchmarks/replace.py starts them): a
graph of --triples triples <old/i> p o is loaded; then, --repeat times each way, it is replaced
by an edit (the first --changed triples become <new/i> p o: under half changed, so Virtuoso gets
the update of the difference) and back, and by a graph sharing no triple (<other/i>: Virtuoso's
MOVE) and back. Meanwhile a reader thread counts the graph's old, new and other triples in a
loop. Each state it sees is either one of the two graphs whole or a mixture; the run records
every distinct state, the mixtures among them, the number of reads and the replace's seconds in
benchmarks/results/readers-<date>.json (written through a temporary file).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

import replace  # noqa: E402

EX = "https://w3id.org/exo-rdf/bench/readers/"
GRAPH = EX + "graph"
MARKS = ("old", "new", "other")


def write_graph(path: Path, parts: list[tuple[str, range]]) -> Path:
    """N-Triples: <EX mark/i> <EX p> <EX o> for each (mark, range of i)."""
    with path.open("w", encoding="utf-8") as out:
        for mark, numbers in parts:
            out.writelines(f"<{EX}{mark}/{i}> <{EX}p> <{EX}o> .\n" for i in numbers)
    return path


def counts_query() -> str:
    """The graph's triples per mark, in one read (a SELECT of one row)."""
    sums = " ".join(f'(SUM(IF(STRSTARTS(STR(?s), "{EX}{m}/"), 1, 0)) AS ?{m})' for m in MARKS)
    return f"SELECT {sums} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"


def read_while(query_url: str, replace_once) -> tuple[float, set, int]:
    """Run replace_once while a thread reads the counts in a loop; (seconds, states seen, reads)."""
    from exo_rdf.stores import http

    text, seen, reads, stop = counts_query(), set(), [0], threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                [row] = list(http.select(query_url, text))
                seen.add(tuple(0 if term is None else int(float(term.value)) for term in row))
            except Exception as exc:  # a failed read is a state too: the reader saw no graph
                seen.add(("error", type(exc).__name__))
            reads[0] += 1

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    t = time.perf_counter()
    try:
        replace_once()
    finally:
        seconds = time.perf_counter() - t
        stop.set()
        thread.join(300)
    return seconds, seen, reads[0]


def measure(kind: str, n: int, changed: int, repeat: int, folder: Path) -> dict:
    from exo_rdf.stores.endpoint import resolve
    from exo_rdf.stores.load import load_files

    old = write_graph(folder / "old.nt", [("old", range(n))])
    edited = write_graph(folder / "edited.nt", [("new", range(changed)), ("old", range(changed, n))])
    other = write_graph(folder / "other.nt", [("other", range(n))])
    whole = {"old": (n, 0, 0), "edited": (n - changed, changed, 0), "other": (0, 0, n)}
    runs = []
    with replace.started(kind) as (url, _store_url, _bulk):
        endpoint = resolve(url)
        load_files(endpoint, [old], graph=GRAPH, timeout_s=600)
        query_url = endpoint.query
        for _ in range(repeat):
            for way, there in (("difference", edited), ("move", other)):
                for start, path in ((old, there), (there, old)):
                    def once(path=path) -> None:
                        [done] = load_files(endpoint, [path], graph=GRAPH, timeout_s=3600)
                        assert done.verified, done

                    seconds, seen, reads = read_while(query_url, once)
                    ends = {whole[start.stem], whole[path.stem]}
                    runs.append({"way": way, "to": path.stem, "seconds": round(seconds, 2), "reads": reads,
                                 "states": sorted(map(list, seen), key=str),
                                 "mixtures": sorted((list(s) for s in seen if s not in ends), key=str)})
                    print(f"  [{kind}] {way} to {path.stem}: {seconds:.1f} s, {reads} reads, "
                          f"mixtures {runs[-1]['mixtures']}", flush=True)
    return {"triples": n, "changed": changed, "marks": list(MARKS), "runs": runs,
            "replaces_with_mixtures": {way: f"{sum(1 for r in runs if r['way'] == way and r['mixtures'])} of "
                                            f"{sum(1 for r in runs if r['way'] == way)}" for way in ("difference", "move")}}


def main() -> None:
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so the servers stop
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=int, default=80_000)
    ap.add_argument("--changed", type=int, default=8_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stores", nargs="+", default=["oxigraph-memory", "virtuoso"], choices=["oxigraph-memory", "virtuoso"])
    ap.add_argument("--virtuoso-buffers", metavar="N,D", help="Virtuoso's NumberOfBuffers,MaxDirtyBuffers")
    args = ap.parse_args()
    if 4 * args.changed > args.triples:  # additions and removals together at most half the graph
        ap.error("--changed must be at most a quarter of --triples, or Virtuoso's replace is a MOVE both ways")
    if args.virtuoso_buffers:
        number, dirty = (int(x) for x in args.virtuoso_buffers.split(","))
        replace.VIRTUOSO_SETTINGS["Parameters"] = {"NumberOfBuffers": number, "MaxDirtyBuffers": dirty}
    out = HERE / "results" / f"readers-{dt.date.today().isoformat()}.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.stores:
            results[f"{kind} {args.triples}"] = measure(kind, args.triples, args.changed, args.repeat, Path(tmp)) | (
                {"settings": replace.VIRTUOSO_SETTINGS} if kind == "virtuoso" and replace.VIRTUOSO_SETTINGS else {})
            tmp_out = out.with_suffix(".json.tmp")
            tmp_out.write_text(json.dumps(results, indent=1))
            tmp_out.replace(out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
