"""One benchmark stage, run in its own process so that its peak memory is its own.

    python benchmarks/stages.py STAGE DATA_FILE [PARAMS_JSON TIMEOUT]

Prints one JSON object: {"seconds": ..., "peak_mb": ..., ...}. Stages: load-exo, load-rdflib,
validate-exo, validate-exo-disk (exo-rdf on an on-disk store), validate-pyshacl, validate-turbo
(pyshacl-turbo given a pyoxigraph Store), validate-jena (Jena SHACL 4.5 in a JVM: `validate-jena DATA_WITH_CONTEXT HEAP [KEYS_OUT]`),
queries-exo, queries-rdflib (every stored query), reason, server-load-exo (`exo-rdf load --file`
into an Oxigraph server), server-load-bulk (`oxigraph load`).

The validate stages take an optional last argument, a file to which they write their result set
as sorted JSON rows (focus, path, component, value), normalised so that the tools compare:
- a path that is not one predicate is "(complex path)" (tools print its structure differently);
- a value is its IRI or lexical form, a decimal number in its shortest form (Oxigraph stores
  decimals by value and writes "150.0" back as "150", rdflib and Jena keep "150.0"; exo-rdf's
  report keeps no datatype, so a string of digits would compare equal to the number);
- a node-level result (no path) has no value: its value node is the focus node itself, which
  Jena and pyshacl write as sh:value and exo-rdf leaves out;
- only top-level results count (sh:detail results explain an sh:node failure already reported).
"""
from __future__ import annotations

import hashlib
import json
import re
import resource
import sys
import time
from decimal import Decimal
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


DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")


def normal_value(value: str | None) -> str | None:
    """A value as compared across tools: a decimal in its shortest form ("150.0" -> "150")."""
    if value is None or not DECIMAL.fullmatch(value):
        return value
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "+0") else text


def keep_keys(keys: set, out: str | None) -> dict:
    """The result count and digest; with out, the sorted rows written there as JSON too."""
    rows = sorted(keys, key=repr)
    if out:
        Path(out).write_text(json.dumps(rows))
    return {"results": len(rows), "digest": result_digest(rows)}


def report_keys(report) -> set:
    """The normalised (focus, path, component, value) rows of an rdflib sh:ValidationReport graph."""
    import rdflib

    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    keys = set()
    for r in report.objects(None, sh.result):
        focus, path, value = report.value(r, sh.focusNode), report.value(r, sh.resultPath), report.value(r, sh.value)
        if path is None and value == focus:
            value = None
        keys.add((
            str(focus),
            str(path) if isinstance(path, rdflib.URIRef) else (None if path is None else "(complex path)"),
            str(report.value(r, sh.sourceConstraintComponent)),
            normal_value(None if value is None else str(value)),
        ))
    return keys


def validate_exo(data: Path, keys_out: str | None = None) -> dict:
    from exo_rdf.validate import validate

    t, cpu = time.perf_counter(), time.process_time()
    report = validate([data], engine="sparql")
    seconds = time.perf_counter() - t
    keys = {(v.focus, v.path, v.component, normal_value(v.value)) for v in report.violations}
    return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu, **keep_keys(keys, keys_out)}


#: bytes of N-Triples handed to the bulk loader at a time by validate-exo-disk: it sorts a whole
#: input in memory (1 M triples at once: 900 MB), so blocks bound its peak
DISK_BLOCK = 1 << 20


def validate_exo_disk(data: Path, keys_out: str | None = None) -> dict:
    """exo-rdf's compiled queries on an on-disk pyoxigraph store (RocksDB in a temporary folder).

    The data and its context are bulk-loaded, the N-Triples in DISK_BLOCK blocks cut at line
    ends, each file into its own graph as the in-memory path loads them; the folder is removed
    afterwards. load_seconds is the part spent loading.
    """
    import shutil
    import tempfile

    import pyoxigraph as ox

    from exo_rdf.shacl import ShapesModel, _skolemised, check_store, check_supported
    from exo_rdf.sources import discover, line_blocks, parse_quads, rdf_format, user_sources
    from exo_rdf.validate import context_sources

    t, cpu = time.perf_counter(), time.process_time()
    shape_quads = [q for s in discover(ROOT, ("shapes",)) for q in parse_quads(s)]
    model = ShapesModel(shape_quads)
    check_supported(model)
    folder = tempfile.mkdtemp(prefix="exo-rdf-validate-", dir=data.parent)
    store = None
    try:
        store = ox.Store(folder)
        for source in context_sources(ROOT) + user_sources([data]):
            fmt, graph = rdf_format(source.path), ox.NamedNode(source.graph)
            if fmt != ox.RdfFormat.N_TRIPLES:
                store.bulk_load(path=str(source.path), format=fmt, base_iri=source.path.resolve().as_uri(), to_graph=graph)
                continue
            for _, chunk in line_blocks(source.path, DISK_BLOCK):
                store.bulk_load(chunk, format=fmt, to_graph=graph)
        store.extend(_skolemised(shape_quads))
        loaded = time.perf_counter() - t
        report = check_store(store, model, root=ROOT)
    finally:
        # closes RocksDB before its folder goes, after a failure too: an open store goes on
        # writing in the folder while it is removed, and the removal leaves it behind
        store = None
        shutil.rmtree(folder, ignore_errors=True)
    seconds = time.perf_counter() - t
    keys = {(v.focus, v.path, v.component, normal_value(v.value)) for v in report.violations}
    return {"seconds": seconds, "cpu_seconds": time.process_time() - cpu, "load_seconds": loaded, **keep_keys(keys, keys_out)}


def validate_turbo(data: Path, keys_out: str | None = None) -> dict:
    """pyshacl-turbo (Rust) given a pyoxigraph Store holding the data and its context (its fast input).

    The store is loaded in the timed part, as exo-rdf loads its own.
    """
    import pyoxigraph as ox
    import pyshacl_turbo

    from exo_rdf.sources import discover
    from exo_rdf.validate import context_sources

    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    for source in context_sources(ROOT):
        store.load(path=str(source.path), format=ox.RdfFormat.TURTLE, base_iri=source.path.resolve().as_uri())
    [shapes] = [str(s.path) for s in discover(ROOT, ("shapes",))]
    _, report, _ = pyshacl_turbo.validate(store, shacl_graph=shapes, shacl_graph_format="turtle")
    seconds = time.perf_counter() - t
    return {"seconds": seconds, **keep_keys(report_keys(report), keys_out)}


def validate_jena(data: Path, heap: str = "2g", keys_out: str | None = None) -> dict:
    """Jena SHACL 4.5's command line (a JVM) on one N-Triples file holding data and context.

    Jena's `--data` keeps only its last file, so the runner writes data and context into one
    file first. seconds is the JVM's wall time, start included; peak_mb its peak RSS (the
    largest child's ru_maxrss). A heap too small is recorded as an error.
    """
    import subprocess
    import tempfile

    import rdflib

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from peers.jena import shacl_command

    from exo_rdf.sources import discover

    [shapes] = [s.path for s in discover(ROOT, ("shapes",))]
    with tempfile.TemporaryDirectory() as tmp:
        report_file = Path(tmp) / "report.ttl"
        with open(report_file, "wb") as out:
            t = time.perf_counter()
            proc = subprocess.run(shacl_command(shapes, [data], heap), stdout=out, stderr=subprocess.PIPE)
            seconds = time.perf_counter() - t
        jvm_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if proc.returncode != 0:
            lines = proc.stderr.decode(errors="replace").strip().splitlines()
            why = next((ln for ln in lines if "OutOfMemoryError" in ln), lines[-1] if lines else "failed")
            return {"error": f"jena -Xmx{heap}: exit {proc.returncode}: {why.strip()}", "seconds": seconds, "jvm_peak_mb": round(jvm_mb, 1)}
        report = rdflib.Graph().parse(report_file, format="turtle")
    return {"seconds": seconds, "jvm_peak_mb": round(jvm_mb, 1), "heap": heap, **keep_keys(report_keys(report), keys_out)}


def validate_pyshacl(data: Path, keys_out: str | None = None) -> dict:
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
    seconds = time.perf_counter() - t
    return {"seconds": seconds, **keep_keys(report_keys(report), keys_out)}


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
    "load-exo": load_exo, "load-rdflib": load_rdflib, "validate-exo": validate_exo, "validate-exo-disk": validate_exo_disk,
    "validate-pyshacl": validate_pyshacl, "validate-turbo": validate_turbo, "validate-jena": validate_jena,
    "queries-exo": queries_exo, "queries-rdflib": queries_rdflib, "reason": reason,
    "server-load-exo": server_load_exo, "server-load-bulk": server_load_bulk,
}

if __name__ == "__main__":
    stage, data, *rest = sys.argv[1:]
    out = STAGES[stage](Path(data), *rest)
    out["peak_mb"] = out.pop("jvm_peak_mb", None) or round(peak_mb(), 1)
    print(json.dumps(out))
