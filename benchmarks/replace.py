"""Replacing a big graph in a real store beside bulk loading the same file into an empty graph.

    python benchmarks/replace.py [--triples 1M] [--repeat 3] [--stores oxigraph-memory oxigraph-disk virtuoso]
                                 [--virtuoso-buffers 170000,130000] [--virtuoso-query-s 0]

Per store (started here on 127.0.0.1, stopped after): the synthetic file is loaded once into the
target graph; then, `--repeat` times, (a) bulk: the file POSTed into a new empty graph the way
the store loads fastest over HTTP (Oxigraph's bulk loader, `no_transaction`; Virtuoso's Graph
Store POST), and (b) replace: `exo-rdf load --file F --graph G` (exo_rdf.stores.load.load_files)
over the graph holding F already, verified; then replace_edited: G replaced by F with one line in
100 changed, and back to F (two samples a run); and on Oxigraph (c) replace_bulk: F with `--bulk`
(its bulk loader, not atomic). After the runs, once, replace_different: G replaced by a file
sharing no triple with it. Prints min and median of each and their ratio, and writes
benchmarks/results/replace-<date>.json (earlier stores of the same day kept).

`--virtuoso-buffers N,D` starts Virtuoso with NumberOfBuffers N and MaxDirtyBuffers D (8 KB
pages) instead of Debian's 10000,6000, `--virtuoso-query-s S` with MaxQueryExecutionTime S
(Debian's 60 s also stops an update such as the replace's MOVE; 0: no limit),
`--virtuoso-after-image BYTES` with TransactionAfterImageLimit BYTES (a replace of a million
triples by a million others goes over Debian's); its results are recorded as "virtuoso-N ..."
with the settings.

`--stages` instead times, once each on a fresh store, the requests a replace can be made of:
where the time goes (upload, transactional load, delete, swap, and the listing of graphs a load
begins with), for the choice of a fast atomic way.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import parse_size  # noqa: E402

GRAPH = "https://w3id.org/exo-rdf/bench/graph/"


#: virtuoso.ini settings ({section: {key: value}}) given on the command line; empty keeps Debian's ini
VIRTUOSO_SETTINGS: dict[str, dict[str, int]] = {}


@contextlib.contextmanager
def started(kind: str):
    """A fresh store of kind; yields (URL for exo-rdf, Graph Store URL, bulk options)."""
    from servers import oxigraph_server, virtuoso_server

    if kind == "virtuoso":
        with virtuoso_server(settings=VIRTUOSO_SETTINGS) as v:
            url = v.base.replace("http://", "http://dba:dba@")
            yield url, url + "/sparql-graph-crud-auth", None
    else:
        with tempfile.TemporaryDirectory() as tmp:
            location = Path(tmp) if kind == "oxigraph-disk" else None
            with oxigraph_server(location=location, union_default_graph=False) as base:
                yield base, base + "/store", {"no_transaction": ""}


def measure(kind: str, data: Path, repeat: int, on_run=lambda summary: None) -> dict:
    """Time bulk loads and replaces on a fresh store of kind; on_run gets the summary after each
    run, so that a run that fails or hangs later keeps the runs before it."""
    from exo_rdf.stores import http
    from exo_rdf.stores.endpoint import resolve
    from exo_rdf.stores.load import load_files

    payload = data.read_bytes()
    edited, other = variants(data)
    times: dict[str, list[float]] = ({"bulk": [], "replace": [], "replace_edited": [], "replace_different": []}
                                     | ({"replace_bulk": []} if bulk_options_of(kind) else {}))
    with started(kind) as (url, store_url, bulk_options):
        endpoint = resolve(url)
        # a bounded wait here too: a first POST into a fresh Virtuoso has hung, the server idle
        [first] = load_files(endpoint, [data], graph=GRAPH + "target", timeout_s=600)

        def replaced_by(path: Path, key: str) -> None:
            t = time.perf_counter()
            [done] = load_files(endpoint, [path], graph=GRAPH + "target", timeout_s=3600)
            times[key].append(time.perf_counter() - t)
            assert done.verified and done.stored == first.stored, done

        for i in range(repeat):
            t = time.perf_counter()
            # a bounded wait: a Virtuoso POST once hung with the server idle
            http.post_graph(store_url, f"{GRAPH}bulk-{i}", payload, len(payload), options=bulk_options, timeout=600)
            times["bulk"].append(time.perf_counter() - t)
            replaced_by(data, "replace")  # the graph holds this file already
            replaced_by(edited, "replace_edited")  # 1 line in 100 changed
            replaced_by(data, "replace_edited")  # and back
            if "replace_bulk" in times:
                t = time.perf_counter()
                [done] = load_files(endpoint, [data], graph=GRAPH + "target", timeout_s=3600, bulk=True)
                times["replace_bulk"].append(time.perf_counter() - t)
                assert done.verified and done.stored == first.stored, done
            print(f"  [{kind}] run {i + 1}: " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items() if v), flush=True)
            on_run(_summary(first.stored, endpoint.flavour, times))
        # every triple changed, once, last: on Virtuoso the POST after a MOVE of a million triples
        # (1 GB of transaction log) hung twice, the server idle
        replaced_by(other, "replace_different")
        print(f"  [{kind}] replace_different {times['replace_different'][-1]:.1f} s", flush=True)
        on_run(_summary(first.stored, endpoint.flavour, times))
    return _summary(first.stored, endpoint.flavour, times)


def variants(data: Path) -> tuple[Path, Path]:
    """Two files of as many triples as data, written beside it once: one with every 100th line
    replaced by a new triple (a curator's edit), one with every data IRI renamed (no triple shared)."""
    edited, other = data.with_suffix(".edited.nt"), data.with_suffix(".different.nt")
    if not edited.exists() or not other.exists():
        with data.open("rb") as f, open(f"{edited}.tmp", "wb") as e, open(f"{other}.tmp", "wb") as o:
            for i, line in enumerate(f):
                e.write(b"<%sedit-%d> <%sedited> \"%d\" .\n" % (GRAPH.encode(), i, GRAPH.encode(), i)
                        if i % 100 == 99 else line)
                o.write(line.replace(b"<https://w3id.org/exo-rdf/data/", b"<https://w3id.org/exo-rdf/data/other-"))
        Path(f"{edited}.tmp").replace(edited)
        Path(f"{other}.tmp").replace(other)
    return edited, other


def _summary(triples: int, flavour: str, times: dict[str, list[float]]) -> dict:
    out = {"triples": triples, "flavour": flavour}
    for key, ts in times.items():
        if not ts:
            continue
        out[key] = {"runs": [round(t, 2) for t in ts], "min": round(min(ts), 2), "median": round(statistics.median(ts), 2)}
    out["ratio_median"] = round(out["replace"]["median"] / out["bulk"]["median"], 2)
    for key in ("replace_edited", "replace_different"):
        if times.get(key) and times["bulk"]:
            out[f"ratio_{key.removeprefix('replace_')}_median"] = round(out[key]["median"] / out["bulk"]["median"], 2)
    if "replace_bulk" in times:
        out["ratio_bulk_median"] = round(out["replace_bulk"]["median"] / out["bulk"]["median"], 2)
    return out


def bulk_options_of(kind: str) -> dict | None:
    return None if kind == "virtuoso" else {"no_transaction": ""}


def stages(kind: str, data: Path) -> dict:
    """Seconds each request a replace can be made of takes, once, on a fresh store of kind."""
    import pyoxigraph as ox

    from exo_rdf.query import with_values_rows
    from exo_rdf.stores import http

    payload, out = data.read_bytes(), {}
    with started(kind) as (url, store_url, bulk_options):
        update = url + ("/sparql-auth" if kind == "virtuoso" else "/update")
        url_query = url + ("/sparql" if kind == "virtuoso" else "/query")
        pragma = "DEFINE sql:log-enable 1\n" if kind == "virtuoso" else ""

        def timed(label: str, request) -> None:
            t = time.perf_counter()
            request()
            out[label] = round(time.perf_counter() - t, 2)
            print(f"  [{kind}] {label}: {out[label]} s", flush=True)

        def post(graph: str, options=bulk_options):
            return lambda: http.post_graph(store_url, GRAPH + graph, payload, len(payload), options=options, timeout=3600)

        timed("bulk POST into an empty graph", post("a"))
        if kind != "virtuoso":
            timed("transactional PUT into an empty graph", lambda: http.put_graph(
                store_url, GRAPH + "b", payload, len(payload), timeout=3600))
            timed("transactional PUT over a full graph", lambda: http.put_graph(
                store_url, GRAPH + "b", payload, len(payload), timeout=3600))
        else:
            timed("POST into a second empty graph", post("b"))
        timed("bulk POST into an empty staging graph", post("s"))
        listing = (ROOT / "queries" / "store" / "staging-graphs.rq").read_text(encoding="utf-8")
        listing = with_values_rows(listing, ["prefix"], [(ox.Literal(GRAPH),)])
        timed("list of staging graphs filtered in the query", lambda: http.select(url_query, listing, timeout=3600))
        named = (ROOT / "queries" / "store" / "named-graphs.rq").read_text(encoding="utf-8")
        timed("list of every graph, unfiltered", lambda: http.select(url_query, named, timeout=3600))
        timed("MOVE of the staging graph over a full graph", lambda: http.update(
            update, f"{pragma}MOVE <{GRAPH}s> TO <{GRAPH}b>", timeout=3600))
        timed("DROP of a full graph", lambda: http.update(update, f"{pragma}DROP SILENT GRAPH <{GRAPH}a>", timeout=3600))
    return out


def main() -> None:
    import signal

    # a SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the servers started here are stopped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", default="1M")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--stores", nargs="+", default=["oxigraph-memory", "virtuoso"],
                    choices=["oxigraph-memory", "oxigraph-disk", "virtuoso"])
    ap.add_argument("--stages", action="store_true", help="time the requests a replace is made of, once each")
    ap.add_argument("--virtuoso-buffers", metavar="N,D", help="Virtuoso's NumberOfBuffers,MaxDirtyBuffers")
    ap.add_argument("--virtuoso-query-s", type=int, metavar="S", help="Virtuoso's MaxQueryExecutionTime (0: none)")
    ap.add_argument("--virtuoso-after-image", type=int, metavar="BYTES",
                    help="Virtuoso's TransactionAfterImageLimit (a replace of a million triples by others goes over "
                         "Debian's default)")
    args = ap.parse_args()
    if args.virtuoso_buffers:
        number, dirty = (int(x) for x in args.virtuoso_buffers.split(","))
        VIRTUOSO_SETTINGS["Parameters"] = {"NumberOfBuffers": number, "MaxDirtyBuffers": dirty}
    if args.virtuoso_after_image:
        VIRTUOSO_SETTINGS.setdefault("Parameters", {})["TransactionAfterImageLimit"] = args.virtuoso_after_image
    if args.virtuoso_query_s is not None:
        VIRTUOSO_SETTINGS["SPARQL"] = {"MaxQueryExecutionTime": args.virtuoso_query_s}
    data = HERE / "data" / f"{args.triples}.nt"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        generate(parse_size(args.triples), data)
    out = HERE / "results" / f"replace-{dt.date.today().isoformat()}.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for kind in args.stores:
        tuned = kind == "virtuoso" and VIRTUOSO_SETTINGS
        label = f"virtuoso-{VIRTUOSO_SETTINGS.get('Parameters', {}).get('NumberOfBuffers', 10000)}" if tuned else kind
        if tuned and "TransactionAfterImageLimit" in VIRTUOSO_SETTINGS["Parameters"]:
            label += f"-after-image-{VIRTUOSO_SETTINGS['Parameters']['TransactionAfterImageLimit']}"
        if args.stages:
            results[f"{label} {args.triples} stages"] = stages(kind, data)
            _write(out, results)
            continue
        def partial(summary: dict, key=f"{label} {args.triples}") -> None:
            results[key] = summary | ({"settings": VIRTUOSO_SETTINGS} if tuned else {})
            _write(out, results)

        r = measure(kind, data, args.repeat, partial)
        if tuned:
            r["settings"] = VIRTUOSO_SETTINGS
        results[f"{label} {args.triples}"] = r
        print(f"{kind}, {r['triples']} triples: bulk into an empty graph min {r['bulk']['min']} s / median "
              f"{r['bulk']['median']} s; replace min {r['replace']['min']} s / median {r['replace']['median']} s "
              f"({r['ratio_median']}x; 1% edited {r['ratio_edited_median']}x, every triple different "
              f"{r.get('ratio_different_median')}x)" + (f"; with --bulk {r['ratio_bulk_median']}x" if "ratio_bulk_median" in r else ""),
              flush=True)
        _write(out, results)
    print(f"wrote {out}")


def _write(out: Path, results: dict) -> None:
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1))
    tmp.replace(out)


if __name__ == "__main__":
    main()
