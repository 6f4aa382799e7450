"""Sub-commands for loading into triple stores (registered by exo_rdf.cli).

Only argparse wiring lives here; each command calls one library function, imported lazily so
that `exo-rdf query` stays fast.
"""
from __future__ import annotations

import sys

from exo_rdf.errors import LoadError


def cmd_load(args) -> int:
    from exo_rdf.stores.load import Endpoints, load, load_files

    endpoints = Endpoints.from_base(args.endpoint, store=args.store_url, query=args.query_url, update=args.update_url)
    mode = "append" if args.append else "replace"
    if args.file:
        results = load_files(endpoints, args.file, mode=mode, graph=args.graph, graph_base=args.graph_base,
                             progress=args.progress or None)
        labels = args.file
    else:
        if args.graph:
            raise LoadError("--graph goes with --file: the bundled graph is loaded into one named graph per part")
        results = load(endpoints, mode=mode, graph_base=args.graph_base)
        labels = [r.graph for r in results]
    for label, r in zip(labels, results):
        state = "verified" if r.verified else "added"
        where = f"{label} -> {r.graph}" if args.file else r.graph
        print(f"{where}: {r.sent} triples sent, {r.stored} {'in the store' if r.verified else 'new in the store'} ({state})")
    total = sum(r.sent for r in results)
    print(f"loaded {total} triples into {len(results)} graph{'' if len(results) == 1 else 's'} at {endpoints.store}", file=sys.stderr)
    return 0


def cmd_serve(args) -> int:
    from exo_rdf.stores.serve import serve

    return serve(port=args.port, page_port=args.page_port, timeout_s=args.timeout_s, writable=args.writable,
                 graph_base=args.graph_base)


def cmd_build(args) -> int:
    from pathlib import Path

    from exo_rdf.build import build

    for path in build(Path(args.out)):
        print(f"wrote {path}")
    return 0


def add_endpoint_options(parser, *, required: bool = False) -> None:
    """Add the options naming a remote store, the same for every command that talks to one.

    --endpoint (base URL or query URL), --store (flavour), --query-url, --update-url,
    --store-url, --graph-base and --timeout-s; see exo_rdf.stores.endpoint for the URL forms.
    Nothing is imported here beyond argparse: building a parser stays cheap.
    """
    from exo_rdf.sources import GRAPH_BASE

    g = parser.add_argument_group("remote store")
    g.add_argument("--endpoint", metavar="URL", required=required,
                   help="run on this store instead of the embedded one: its base URL (Oxigraph: http://host:7878; "
                        "Virtuoso: http://host:8890) or its query URL (…/query, …/sparql); user:password@ allowed")
    g.add_argument("--store", choices=("oxigraph", "virtuoso", "generic"),
                   help="the kind of store (default: read from the server's Server header when needed)")
    g.add_argument("--query-url", metavar="URL", help="SPARQL query URL, if not derived from --endpoint")
    g.add_argument("--update-url", metavar="URL", help="SPARQL update URL, if not derived from --endpoint")
    g.add_argument("--store-url", metavar="URL", help="Graph Store Protocol URL, if not derived from --endpoint")
    g.add_argument("--graph-base", default=GRAPH_BASE, metavar="IRI",
                   help=f"prefix of exo-rdf's graph IRIs in the store (default {GRAPH_BASE})")
    g.add_argument("--timeout-s", type=float, default=60.0, metavar="S",
                   help="seconds to wait for each answer of the store (default 60)")


def endpoint_from_args(args):
    """The exo_rdf.stores.endpoint.Endpoint the options name, or None when no store URL was given.

    Raises EndpointError for a URL that is not http(s) or a store that cannot be detected.
    """
    if not (args.endpoint or args.query_url or args.update_url or args.store_url):
        return None
    from exo_rdf.stores.endpoint import resolve

    return resolve(args.endpoint, store=args.store, query_url=args.query_url, update_url=args.update_url,
                   store_url=args.store_url, graph_base=args.graph_base, timeout_s=args.timeout_s)


def _add_load(sub) -> None:
    # the sources' graph base, not exo_rdf.stores.load constant: importing the loader here would
    # slow down every command, 'exo-rdf query' included
    from exo_rdf.sources import GRAPH_BASE as DEFAULT_GRAPH_BASE

    p = sub.add_parser("load", help="load the graph into a triple store (Graph Store Protocol), one named graph per part")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the store's base URL (Oxigraph layout: URL/store, URL/query, URL/update)")
    p.add_argument("--store-url", metavar="URL", help="Graph Store Protocol URL, if not URL/store")
    p.add_argument("--query-url", metavar="URL", help="SPARQL query URL, if not URL/query")
    p.add_argument("--update-url", metavar="URL", help="SPARQL update URL, if not URL/update")
    p.add_argument("--graph-base", default=DEFAULT_GRAPH_BASE, metavar="IRI", help=f"prefix of the graph IRIs (default {DEFAULT_GRAPH_BASE})")
    p.add_argument("--file", action="append", metavar="FILE",
                   help="load your own N-Triples (.nt) or Turtle (.ttl) file instead of the bundled graph (repeatable); "
                        "each goes into <graph base>user/<file name> unless --graph is given")
    p.add_argument("--graph", metavar="IRI", help="the named graph for the one --file")
    p.add_argument("--progress", action="store_true", help="show upload progress on stderr (on by default on a terminal)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_true", default=True, help="replace each graph atomically (default)")
    mode.add_argument("--append", action="store_true", help="add to the graphs instead")
    p.set_defaults(func=cmd_load)


def _add_serve(sub) -> None:
    from exo_rdf.sources import GRAPH_BASE as DEFAULT_GRAPH_BASE

    s = sub.add_parser("serve", help="serve the graph with a SPARQL server on 127.0.0.1 and a page of the stored queries "
                                     "(read-only; Ctrl-C or SIGTERM stops it and removes its store)")
    s.add_argument("--port", type=int, default=7878, metavar="N", help="the SPARQL server's port (default 7878; 0 picks a free one)")
    s.add_argument("--page-port", type=int, metavar="N", help="the port of the page of stored queries (default: --port + 1; 0 picks a free one)")
    s.add_argument("--timeout-s", type=int, default=30, metavar="S",
                   help="the server stops a query that computes longer than S seconds before answering (default 30)")
    s.add_argument("--graph-base", default=DEFAULT_GRAPH_BASE, metavar="IRI", help=f"prefix of the graph IRIs (default {DEFAULT_GRAPH_BASE})")
    s.add_argument("--writable", action="store_true", help="accept updates (they are lost when the server stops)")
    s.set_defaults(func=cmd_serve)


def _add_build(sub) -> None:
    b = sub.add_parser("build", help="write the release artefacts (base/full releases, RDF/XML, JSON-LD, quads, docs)")
    b.add_argument("--out", required=True, metavar="DIR")
    b.set_defaults(func=cmd_build)


#: sub-command name -> function adding its parser (see exo_rdf.cli.build_parser)
ADDERS = {"load": _add_load, "serve": _add_serve, "build": _add_build}
