"""One benchmark stage, run in its own process so that its peak memory is its own.

    python benchmarks/stages.py STAGE DATA_FILE [PARAMS_JSON TIMEOUT]

Prints one JSON object: {"seconds": ..., "peak_mb": ..., ...}. Stages: load-exo, load-rdflib,
validate-exo, validate-pyshacl, queries-exo, queries-rdflib (every stored query), reason,
server-load-exo (`exo-rdf load --file` into an Oxigraph server), server-load-bulk (`oxigraph load`).
"""
from __future__ import annotations

import hashlib
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def result_digest(keys) -> str:
    return hashlib.sha256("\n".join(sorted(map(repr, keys))).encode()).hexdigest()[:16]


def load_exo(data: Path) -> dict:
    import pyoxigraph as ox

    t = time.perf_counter()
    store = ox.Store()
    store.load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    return {"seconds": time.perf_counter() - t, "triples": len(store)}


def load_rdflib(data: Path) -> dict:
    import rdflib

    t = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(str(data), format="nt")
    return {"seconds": time.perf_counter() - t, "triples": len(graph)}


def validate_exo(data: Path) -> dict:
    from exo_rdf.validate import validate

    t = time.perf_counter()
    report = validate([data], engine="sparql")
    keys = {(v.focus, v.path, v.component, v.severity) for v in report.violations}
    return {"seconds": time.perf_counter() - t, "results": len(keys), "digest": result_digest(keys)}


def validate_pyshacl(data: Path) -> dict:
    """pyshacl with its default settings on one rdflib graph holding the data and its context.

    The context (ontology, imports, reviews, entities) goes into the data graph itself: pyshacl
    does not mix ont_graph in without inference, so sh:class would miss the bundled entities.
    """
    import rdflib
    from pyshacl import validate

    from exo_rdf.sources import discover
    from exo_rdf.validate import context_sources

    t = time.perf_counter()
    data_graph = rdflib.Graph()
    data_graph.parse(str(data), format="nt")
    for source in context_sources(ROOT):
        data_graph.parse(str(source.path), format="turtle")
    shapes = rdflib.Graph()
    for source in discover(ROOT, ("shapes",)):
        shapes.parse(str(source.path), format="turtle")
    _, report, _ = validate(data_graph, shacl_graph=shapes)
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    keys = set()
    for r in report.objects(None, sh.result):
        path = report.value(r, sh.resultPath)
        keys.add((
            str(report.value(r, sh.focusNode)),
            str(path) if isinstance(path, rdflib.URIRef) else (None if path is None else "(complex path)"),
            str(report.value(r, sh.sourceConstraintComponent)),
            str(report.value(r, sh.resultSeverity)).rsplit("#", 1)[-1],
        ))
    return {"seconds": time.perf_counter() - t, "results": len(keys), "digest": result_digest(keys)}


def _sources_with(data: Path):
    from exo_rdf.sources import discover, user_sources

    return discover(ROOT, ("ontology", "imports", "data")) + user_sources([data])


class QueryTimeout(Exception):
    pass


def _timed_queries(run_one, params: dict, timeout: int) -> dict:
    """Time every stored query; a query over `timeout` seconds is recorded as such (SIGALRM)."""
    import signal

    from exo_rdf.catalogue import catalogue

    def expire(*_):
        raise QueryTimeout

    signal.signal(signal.SIGALRM, expire)
    out = {}
    for name, query in catalogue(ROOT).items():
        signal.alarm(timeout)
        t = time.perf_counter()
        try:
            rows = run_one(query, params.get(name, {}))
            out[name] = {"seconds": time.perf_counter() - t, "rows": rows}
        except QueryTimeout:
            out[name] = {"error": f"timeout after {timeout} s"}
        finally:
            signal.alarm(0)
    return out


def queries_exo(data: Path, params: str = "{}", timeout: str = "300") -> dict:
    from exo_rdf.query import run_sparql, bind_parameters
    from exo_rdf.store import build_store

    t = time.perf_counter()
    store = build_store(_sources_with(data))
    load = time.perf_counter() - t
    run = lambda q, p: len(run_sparql(q.text, store=store, bindings=bind_parameters(q, p)).rows)  # noqa: E731
    return {"load_seconds": load, "queries": _timed_queries(run, json.loads(params), int(timeout))}


def queries_rdflib(data: Path, params: str = "{}", timeout: str = "300") -> dict:
    import rdflib

    from exo_rdf.query import bind_parameters, with_values_block

    t = time.perf_counter()
    dataset = rdflib.Dataset(default_union=True)
    for source in _sources_with(data):
        dataset.graph(rdflib.URIRef(source.graph)).parse(str(source.path), format="nt" if source.path.suffix == ".nt" else "turtle")
    load = time.perf_counter() - t
    run = lambda q, p: len(list(dataset.query(with_values_block(q.text, bind_parameters(q, p)))))  # noqa: E731
    return {"load_seconds": load, "queries": _timed_queries(run, json.loads(params), int(timeout))}


def server_load_exo(data: Path) -> dict:
    """`exo-rdf load --file` into a fresh on-disk Oxigraph server (started here, stopped after)."""
    import tempfile

    sys.path.insert(0, str(ROOT / "tests"))
    from servers import oxigraph_server

    from exo_rdf.stores.load import Endpoints, load_files

    with tempfile.TemporaryDirectory() as tmp, oxigraph_server(location=Path(tmp)) as base:
        t = time.perf_counter()
        [loaded] = load_files(Endpoints.from_base(base), [data])
        return {"seconds": time.perf_counter() - t, "triples": loaded.stored}


def server_load_bulk(data: Path) -> dict:
    """The Oxigraph server's own bulk loader (`oxigraph load`) into a fresh on-disk store."""
    import subprocess
    import tempfile

    from exo_rdf.stores.serve import oxigraph_command

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        subprocess.run([oxigraph_command(), "load", "--location", tmp, "--file", str(data)], check=True, capture_output=True)
        return {"seconds": time.perf_counter() - t}


def reason(_data: Path) -> dict:
    from exo_rdf.reason import reason as run

    t = time.perf_counter()
    report = run(root=ROOT, kinds=("ontology", "imports"))
    return {"seconds": time.perf_counter() - t, "consistent": report.consistent}


STAGES = {
    "load-exo": load_exo, "load-rdflib": load_rdflib, "validate-exo": validate_exo,
    "validate-pyshacl": validate_pyshacl, "queries-exo": queries_exo, "queries-rdflib": queries_rdflib, "reason": reason,
    "server-load-exo": server_load_exo, "server-load-bulk": server_load_bulk,
}

if __name__ == "__main__":
    stage, data, *rest = sys.argv[1:]
    out = STAGES[stage](Path(data), *rest)
    out["peak_mb"] = round(peak_mb(), 1)
    print(json.dumps(out))
